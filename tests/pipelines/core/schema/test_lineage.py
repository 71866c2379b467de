# mypy: disable-error-code="attr-defined,call-arg,misc"
"""``schema.rebuild_lineage()`` recomputes ``~lineage`` from the foreign keys; ``parts()``."""

from __future__ import annotations

import pipelines.core as dj


def _declare(schema: dj.Schema) -> dict[str, type]:
    @schema
    class Person(dj.Manual):
        definition = """
        person_id : int32
        ---
        name : varchar(30)
        """

    @schema
    class Pairing(dj.Manual):
        definition = """
        -> Person
        -> Person.proj(partner_id='person_id')
        ---
        note = '' : varchar(20)
        """

        class Detail(dj.Part):
            definition = """
            -> master
            detail : int16
            """

    return {"Person": Person, "Pairing": Pairing}


def test_rebuild_lineage_restores_what_declaration_wrote(schema: dj.Schema) -> None:
    _declare(schema)
    before = schema.lineage
    table = schema.connection.dialect.table_ref(schema.database, "~lineage")
    schema.connection.query(f"DELETE FROM {table}")
    schema.connection.invalidate_metadata()
    assert schema.lineage == {}
    schema.rebuild_lineage()
    assert schema.lineage == before
    db = schema.database
    assert before[f"{db}.pairing.partner_id"] == f"{db}.person.person_id"
    assert before[f"{db}.pairing__detail.detail"] == f"{db}.pairing__detail.detail"
    assert f"{db}.pairing.note" not in before


def test_parts_lists_the_master_s_part_tables(schema: dj.Schema) -> None:
    classes = _declare(schema)
    db = schema.database
    assert classes["Pairing"]().parts() == [f"`{db}`.`pairing__detail`"]
    assert classes["Person"]().parts() == []
    (part,) = classes["Pairing"]().parts(as_objects=True)
    assert isinstance(part, dj.FreeTable)
    assert part.primary_key == ["person_id", "partner_id", "detail"]


def test_make_classes_adds_missing_classes_with_parts_nested(schema: dj.Schema) -> None:
    _declare(schema)
    namespace: dict[str, type] = {}
    schema.make_classes(into=namespace)
    assert sorted(namespace) == ["Pairing", "Person"]
    assert issubclass(namespace["Pairing"], dj.Manual)
    assert namespace["Pairing"].Detail.full_table_name == f"`{schema.database}`.`pairing__detail`"
    kept = {"Person": int}
    schema.make_classes(into=kept)
    assert kept["Person"] is int
