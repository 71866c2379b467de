# Table classes take instance methods at class level through their metaclass, as in DataJoint
# (`Subject.insert1(...)`); mypy cannot see that, so the codes it reports for them are off here.
# mypy: disable-error-code="call-arg, arg-type, attr-defined, index, comparison-overlap, truthy-function, union-attr, misc, call-overload"
"""Declaring tables through ``@schema`` (spec/engine.md §1, §2), on SQLite and on MariaDB.

Classes are defined inside each test so the schema decorator captures the test's locals as the
declaration context, as it captures a module's namespace in user code.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
import warnings
from typing import Any

import pytest

import pipelines.core as dj
from pipelines.core.schema.table import FreeTable


def _xfail_on_sqlite(request: pytest.FixtureRequest, backend: str, reason: str) -> None:
    if backend == "sqlite":
        request.applymarker(pytest.mark.xfail(strict=True, reason=reason))


def _session_tables(schema: dj.Schema) -> dict[str, Any]:
    """The §1.10 example: subject, #user, #rig and session (and its context)."""

    @schema
    class Subject(dj.Manual):
        definition = """
        subject_id : int32 # subject number
        """

    @schema
    class User(dj.Lookup):
        definition = """
        username : varchar(12)
        """
        contents = [{"username": "alice"}, {"username": "bob"}]

    @schema
    class Rig(dj.Lookup):
        definition = """
        rig : varchar(8) # rig name
        """
        contents = [{"rig": "r1"}, {"rig": "r2"}]

    @schema
    class Session(dj.Manual):
        definition = """
        # experimental session
        -> Subject
        session_idx : int16                 # session number within subject
        ---
        session_date : date
        -> [nullable] User
        -> Rig.proj(backup_rig='rig')       # renamed FK
        notes = '' : varchar(4000)
        score = null : float32
        created = CURRENT_TIMESTAMP : datetime(3)
        index(session_date)
        unique index(notes)
        """

    return {"Subject": Subject, "User": User, "Rig": Rig, "Session": Session}


ALL_TYPES = """
# every core type
id : int32   # the id
---
a_int8 = 0 : int8
a_int16 = -5 : int16
a_int32 = null : int32
a_int64 = null : int64
a_f32 = 1.5 : float32
a_f64 = null : float64
a_bool = 1 : bool
a_dec = 0.50 : decimal(5,2)
a_char = "ab" : char(2)
a_vc = 'hello' : varchar(20)   # greeting
a_enum = 'x' : enum('x', 'y')
a_date = '2024-01-02' : date
a_dt = null : datetime
a_dt3 = null : datetime(3)
a_json = null : json
a_uuid = null : uuid
a_bytes = null : bytes
a_blob = null : <blob>
a_att = null : <attach>
"""

EXPECTED_TYPES = {
    # name: (heading type on both backends or None when it differs, original_type)
    "id": ("int", "int32"),
    "a_int8": ("tinyint", "int8"),
    "a_int16": ("smallint", "int16"),
    "a_int32": ("int", "int32"),
    "a_int64": ("bigint", "int64"),
    "a_f32": ("float", "float32"),
    "a_f64": ("double", "float64"),
    "a_bool": ("tinyint", "bool"),
    "a_dec": ("decimal(5,2)", "decimal(5,2)"),
    "a_char": ("char(2)", "char(2)"),
    "a_vc": ("varchar(20)", "varchar(20)"),
    "a_enum": (None, "enum('x', 'y')"),
    "a_date": ("date", "date"),
    "a_dt": ("datetime", "datetime"),
    "a_dt3": ("datetime(3)", "datetime(3)"),
    "a_json": (None, "json"),
    "a_uuid": ("binary(16)", "uuid"),
    "a_bytes": ("longblob", "bytes"),
    "a_blob": ("<blob>", "<blob>"),
    "a_att": ("<attach>", "<attach>"),
}


# ---- types, defaults, nullability -----------------------------------------------------------


def test_every_core_type_declares_and_reads_back_its_declared_type(schema: dj.Schema) -> None:
    @schema
    class Thing(dj.Manual):
        definition = ALL_TYPES

    heading = Thing.heading
    assert heading.names == list(EXPECTED_TYPES)
    for name, (sql_type, original) in EXPECTED_TYPES.items():
        attribute = heading[name]
        if attribute.codec is None:  # codecs: see test_interop_datajoint for original_type
            assert attribute.original_type == original, name
        if sql_type is not None:
            assert attribute.type == sql_type, name
    assert heading["a_enum"].type.replace(" ", "") == "enum('x','y')"
    assert heading["a_json"].json and heading["a_uuid"].uuid
    assert heading["a_bytes"].is_blob and heading["a_blob"].is_blob
    assert heading["a_blob"].codec is dj.get_codec("blob")
    assert heading["a_att"].codec is dj.get_codec("attach")
    assert heading.blobs == ["a_bytes", "a_blob", "a_att"]
    assert heading.table_comment == "every core type"
    assert heading["a_vc"].comment == "greeting"
    assert heading["id"].comment == "the id"


def test_every_core_type_numeric_and_string_flags(schema: dj.Schema) -> None:
    @schema
    class Thing(dj.Manual):
        definition = ALL_TYPES

    heading = Thing.heading
    numeric = {n for n in heading.names if heading[n].numeric}
    string = {n for n in heading.names if heading[n].string}
    assert numeric == {
        "id", "a_int8", "a_int16", "a_int32", "a_int64", "a_f32", "a_f64", "a_bool", "a_dec",
    }  # fmt: skip
    assert string == {"a_char", "a_vc", "a_enum"}


def test_defaults_are_reported_as_datajoint_shows_them(schema: dj.Schema) -> None:
    @schema
    class Thing(dj.Manual):
        definition = ALL_TYPES

    heading = Thing.heading
    assert heading["id"].default is None
    assert heading["a_int8"].default == "0"
    assert heading["a_int16"].default == "-5"
    assert heading["a_f32"].default == "1.5"
    assert heading["a_dec"].default == "0.50"
    assert heading["a_char"].default == '"ab"'
    assert heading["a_vc"].default == '"hello"'
    assert heading["a_enum"].default == '"x"'
    for name in ("a_int32", "a_f64", "a_dt", "a_json", "a_uuid", "a_blob", "a_att"):
        assert heading[name].default == "null", name
        assert heading[name].nullable, name
    assert not heading["a_int8"].nullable


def test_defaults_fill_omitted_attributes_on_insert(schema: dj.Schema) -> None:
    @schema
    class Thing(dj.Manual):
        definition = ALL_TYPES

    Thing.insert1({"id": 1})
    row = Thing.fetch1()
    assert row == {
        "id": 1,
        "a_int8": 0,
        "a_int16": -5,
        "a_int32": None,
        "a_int64": None,
        "a_f32": 1.5,
        "a_f64": None,
        "a_bool": 1,
        "a_dec": decimal.Decimal("0.50"),
        "a_char": "ab",
        "a_vc": "hello",
        "a_enum": "x",
        "a_date": dt.date(2024, 1, 2),
        "a_dt": None,
        "a_dt3": None,
        "a_json": None,
        "a_uuid": None,
        "a_bytes": None,
        "a_blob": None,
        "a_att": None,
    }


def test_current_timestamp_default_stamps_the_insert_time(schema: dj.Schema) -> None:
    @schema
    class Event(dj.Manual):
        definition = """
        event_id : int16
        ---
        created = CURRENT_TIMESTAMP : datetime
        """

    before = dt.datetime.now().replace(microsecond=0) - dt.timedelta(seconds=2)
    Event.insert1({"event_id": 1})
    created = Event.fetch1("created")
    assert isinstance(created, dt.datetime)
    # The server clock may be in UTC while Python's is local: allow a day either way.
    assert abs(created - before) < dt.timedelta(days=1)
    assert Event.heading["created"].default.upper().startswith("CURRENT_TIMESTAMP")


def test_fractional_current_timestamp_default_reads_back_as_current_timestamp(
    schema: dj.Schema, backend: str, request: pytest.FixtureRequest
) -> None:
    @schema
    class Event(dj.Manual):
        definition = """
        event_id : int16
        ---
        created = CURRENT_TIMESTAMP(3) : datetime(3)
        """

    assert Event.heading["created"].default.lower() == "current_timestamp(3)"


def test_nullable_attribute_accepts_none_and_omission(schema: dj.Schema) -> None:
    @schema
    class Reading(dj.Manual):
        definition = """
        reading_id : int16
        ---
        value = null : float64
        label = null : varchar(10)
        """

    Reading.insert1({"reading_id": 1, "value": None, "label": None})
    Reading.insert1({"reading_id": 2})
    assert Reading.to_dicts() == [
        {"reading_id": 1, "value": None, "label": None},
        {"reading_id": 2, "value": None, "label": None},
    ]


def test_a_primary_key_attribute_may_have_a_default(schema: dj.Schema) -> None:
    @schema
    class CurrentTerm(dj.Manual):
        definition = """
        omega = 0 : int8
        ---
        term : varchar(9)
        """

    CurrentTerm.insert1({"term": "fall"})
    assert CurrentTerm.to_dicts() == [{"omega": 0, "term": "fall"}]


# ---- foreign keys ---------------------------------------------------------------------------


def test_session_example_heading_fields(schema: dj.Schema) -> None:
    session = _session_tables(schema)["Session"]
    db = schema.database
    heading = session.heading
    assert heading.primary_key == ["subject_id", "session_idx"]
    assert heading.secondary_attributes == [
        "session_date", "username", "backup_rig", "notes", "score", "created",
    ]  # fmt: skip
    expected = {
        # name: (original_type, comment, default, nullable, lineage)
        "subject_id": (None, "subject number", None, False, f"{db}.subject.subject_id"),
        "session_idx": (
            "int16",
            "session number within subject",
            None,
            False,
            f"{db}.session.session_idx",
        ),
        "session_date": ("date", "", None, False, None),
        "username": (None, "", "null", True, f"{db}.#user.username"),
        "backup_rig": (None, "rig name", None, False, f"{db}.#rig.rig"),
        "notes": ("varchar(4000)", "", '""', False, None),
        "score": ("float32", "", "null", True, None),
    }
    for name, fields in expected.items():
        attribute = heading[name]
        actual = (
            attribute.original_type,
            attribute.comment,
            attribute.default,
            attribute.nullable,
            attribute.lineage,
        )
        assert actual == fields, name
    assert heading["subject_id"].type == "int"
    assert heading["username"].type == "varchar(12)"
    assert heading["created"].original_type == "datetime(3)"
    assert heading.table_comment == "experimental session"


def test_heading_repr_uses_sql_types(schema: dj.Schema) -> None:
    session = _session_tables(schema)["Session"]
    text = repr(session.heading)
    assert text.startswith("# experimental session\nsubject_id           : int ")
    assert "session_idx          : smallint                     # session number" in text
    assert "\n---\n" in text


def test_foreign_keys_enforce_parent_rows(schema: dj.Schema) -> None:
    tables = _session_tables(schema)
    session = tables["Session"]
    row = {"subject_id": 9, "session_idx": 1, "session_date": "2024-01-01", "backup_rig": "r1"}
    with pytest.raises(dj.IntegrityError):
        session.insert1(row)
    tables["Subject"].insert1({"subject_id": 9})
    session.insert1(row)
    with pytest.raises(dj.IntegrityError):
        session.insert1({**row, "session_idx": 2, "backup_rig": "nope", "notes": "other"})
    assert len(session()) == 1


def test_nullable_foreign_key_accepts_null_but_checks_values(schema: dj.Schema) -> None:
    tables = _session_tables(schema)
    tables["Subject"].insert1({"subject_id": 1})
    session = tables["Session"]
    base = {"subject_id": 1, "session_date": "2024-01-01", "backup_rig": "r1"}
    session.insert1({**base, "session_idx": 1, "username": None, "notes": "a"})
    session.insert1({**base, "session_idx": 2, "username": "alice", "notes": "b"})
    with pytest.raises(dj.IntegrityError):
        session.insert1({**base, "session_idx": 3, "username": "carol", "notes": "c"})
    assert session.to_arrays("username").tolist() == [None, "alice"]


def test_parents_and_children_with_foreign_key_info(schema: dj.Schema) -> None:
    tables = _session_tables(schema)
    db = schema.database
    session, rig = tables["Session"], tables["Rig"]
    assert session.parents() == [f"`{db}`.`subject`", f"`{db}`.`#user`", f"`{db}`.`#rig`"]
    assert session.parents(primary=True) == [f"`{db}`.`subject`"]
    assert session.parents(primary=False) == [f"`{db}`.`#user`", f"`{db}`.`#rig`"]
    info = dict(session.parents(foreign_key_info=True))
    assert info[f"`{db}`.`#rig`"] == {
        "primary": False,
        "attr_map": {"backup_rig": "rig"},
        "aliased": True,
        "multi": True,
    }
    assert info[f"`{db}`.`subject`"]["attr_map"] == {"subject_id": "subject_id"}
    assert info[f"`{db}`.`subject`"]["aliased"] is False
    assert info[f"`{db}`.`subject`"]["primary"] is True
    assert rig.children() == [f"`{db}`.`session`"]
    assert rig.children(foreign_key_info=True) == [(f"`{db}`.`session`", info[f"`{db}`.`#rig`"])]
    assert rig.children(primary=True) == []
    objects = session.parents(as_objects=True)
    assert all(isinstance(o, FreeTable) for o in objects)
    assert [o.full_table_name for o in objects] == session.parents()


def test_foreign_key_info_reports_multi(schema: dj.Schema) -> None:
    tables = _session_tables(schema)
    info = dict(tables["Session"].parents(foreign_key_info=True))
    assert info[f"`{schema.database}`.`subject`"]["multi"] is True
    assert info[f"`{schema.database}`.`#rig`"]["multi"] is True


def test_two_foreign_keys_sharing_a_key_prefix(schema: dj.Schema) -> None:
    @schema
    class Cell(dj.Manual):
        definition = """
        prep : int32
        slice : int16
        cell : int16
        """

    @schema
    class Synapse(dj.Manual):
        definition = """
        -> Cell.proj(presynaptic='cell')
        -> Cell.proj(postsynaptic='cell')
        ---
        strength = null : float32
        """

    db = schema.database
    assert Synapse.primary_key == ["prep", "slice", "presynaptic", "postsynaptic"]
    parents = Synapse.parents(foreign_key_info=True)
    assert [p[1]["attr_map"] for p in parents] == [
        {"prep": "prep", "slice": "slice", "presynaptic": "cell"},
        {"prep": "prep", "slice": "slice", "postsynaptic": "cell"},
    ]
    assert len(Cell.children()) == 2
    assert Synapse.heading["presynaptic"].lineage == f"{db}.cell.cell"
    assert Synapse.heading["prep"].lineage == f"{db}.cell.prep"
    Cell.insert([{"prep": 1, "slice": 1, "cell": c} for c in (1, 2)])
    Synapse.insert1({"prep": 1, "slice": 1, "presynaptic": 1, "postsynaptic": 2})
    with pytest.raises(dj.IntegrityError):
        Synapse.insert1({"prep": 1, "slice": 1, "presynaptic": 1, "postsynaptic": 3})


def test_unique_foreign_key_refuses_a_second_reference_but_allows_nulls(
    schema: dj.Schema,
) -> None:
    @schema
    class Badge(dj.Lookup):
        definition = """
        badge : int16
        """
        contents = [{"badge": 1}, {"badge": 2}]

    @schema
    class Person(dj.Manual):
        definition = """
        person_id : int16
        ---
        -> [nullable, unique] Badge
        """

    assert Person.heading.indexes[("badge",)]["unique"] is True
    Person.insert1({"person_id": 1, "badge": 1})
    Person.insert([{"person_id": 2}, {"person_id": 3}])
    with pytest.raises(dj.DuplicateError):
        Person.insert1({"person_id": 4, "badge": 1})
    assert "-> [nullable, unique] Badge" in Person.describe(context=locals())


def test_indexes_are_created_and_reported(schema: dj.Schema) -> None:
    @schema
    class Measure(dj.Manual):
        definition = """
        measure_id : int16
        ---
        a : int16
        b : varchar(10)
        c : int16
        index(a, b)
        unique index(c)
        """

    indexes = Measure.heading.indexes
    assert indexes[("a", "b")]["unique"] is False
    assert indexes[("c",)]["unique"] is True
    Measure.insert1({"measure_id": 1, "a": 1, "b": "x", "c": 5})
    with pytest.raises(dj.DuplicateError):
        Measure.insert1({"measure_id": 2, "a": 1, "b": "x", "c": 5})


# ---- singleton, lookup, parts, tiers ----------------------------------------------------------


def test_singleton_table_holds_at_most_one_row(schema: dj.Schema) -> None:
    @schema
    class Settings(dj.Lookup):
        definition = """
        # global settings
        ---
        level = 3 : int16
        """

    assert Settings.primary_key == []
    assert Settings.heading.names == ["level"]
    assert "_singleton" in Settings.heading.hidden_attributes
    Settings.insert1({"level": 5})
    with pytest.raises(dj.DuplicateError):
        Settings.insert1({"level": 6})
    assert Settings.to_dicts() == [{"level": 5}]
    assert Settings.fetch1() == {"level": 5}
    assert len(Settings()) == 1
    assert "_singleton" not in Settings.describe()
    assert schema.lineage[f"{schema.database}.#settings._singleton"] == (
        f"{schema.database}.#settings._singleton"
    )


def test_lookup_contents_are_inserted_at_declaration(schema: dj.Schema) -> None:
    class Color(dj.Lookup):
        definition = """
        color : varchar(8)
        ---
        rgb : char(6)
        """
        contents = [("red", "ff0000"), ("blue", "0000ff")]

    with pytest.warns(DeprecationWarning, match="Positional inserts are deprecated"):
        schema(Color)

    assert Color.to_dicts(order_by="KEY") == [
        {"color": "blue", "rgb": "0000ff"},
        {"color": "red", "rgb": "ff0000"},
    ]

    class Color(dj.Lookup):  # type: ignore[no-redef]  # the class re-imported with more contents
        definition = """
        color : varchar(8)
        ---
        rgb : char(6)
        """
        contents = [
            {"color": "red", "rgb": "ff0000"},
            {"color": "blue", "rgb": "0000ff"},
            {"color": "green", "rgb": "00ff00"},
        ]

    schema(Color)
    assert len(Color()) == 3
    Color.delete_quick()
    Color.insert1({"color": "gray", "rgb": "888888"})

    class Color(dj.Lookup):  # type: ignore[no-redef]  # fewer contents than rows: nothing added
        definition = """
        color : varchar(8)
        ---
        rgb : char(6)
        """
        contents = [{"color": "red", "rgb": "ff0000"}]

    schema(Color)
    assert Color.to_dicts() == [{"color": "gray", "rgb": "888888"}]


def test_part_tables_are_named_after_their_master(schema: dj.Schema) -> None:
    @schema
    class Subject(dj.Manual):
        definition = """
        subject_id : int32
        """

    @schema
    class Comp(dj.Computed):
        definition = """
        -> Subject
        ---
        total : int32
        """

        class Item(dj.Part):
            definition = """
            -> master
            item : int16
            """

        class Sub(dj.Part):
            definition = """
            -> Comp.Item
            sub : int8
            """

    assert Comp.table_name == "__comp"
    assert Comp.Item.table_name == "__comp__item"
    assert Comp.Sub.table_name == "__comp__sub"
    assert Comp.Item.master is Comp
    assert Comp.Item.full_table_name == f"`{schema.database}`.`__comp__item`"
    assert Comp.Sub.primary_key == ["subject_id", "item", "sub"]
    assert Comp.Item.parents() == [f"`{schema.database}`.`__comp`"]
    assert Comp.Item.describe(context=locals()).startswith("-> Comp\nitem ")
    assert Comp.Sub.describe(context=locals()).startswith("-> Comp.Item\nsub ")
    Subject.insert1({"subject_id": 1})
    with pytest.raises(dj.IntegrityError):
        Comp.Item.insert1({"subject_id": 1, "item": 1})  # no master row
    Comp.insert1({"subject_id": 1, "total": 1}, allow_direct_insert=True)
    Comp.Item.insert1({"subject_id": 1, "item": 1})
    assert Comp.Item.to_dicts() == [{"subject_id": 1, "item": 1}]


def test_schema_decorator_refuses_part_tables(schema: dj.Schema) -> None:
    class Loose(dj.Part):
        definition = """
        x : int8
        """

    with pytest.raises(dj.DataJointError, match="should not be applied to Part tables"):
        schema(Loose)


def test_tier_prefixes(schema: dj.Schema) -> None:
    @schema
    class Animal(dj.Manual):
        definition = """
        animal_id : int32
        """

    @schema
    class SpeciesName(dj.Lookup):
        definition = """
        species : varchar(20)
        """

    @schema
    class RawScan(dj.Imported):
        definition = """
        -> Animal
        """

    @schema
    class ScanStats(dj.Computed):
        definition = """
        -> RawScan
        """

        class PerChannel(dj.Part):
            definition = """
            -> master
            channel : int8
            """

    names = {
        Animal: "animal",
        SpeciesName: "#species_name",
        RawScan: "_raw_scan",
        ScanStats: "__scan_stats",
        ScanStats.PerChannel: "__scan_stats__per_channel",
    }
    for cls, name in names.items():
        assert cls.table_name == name
        assert cls().table_name == name
        assert cls.full_table_name == f"`{schema.database}`.`{name}`"
        assert cls.is_declared
    assert sorted(schema.list_tables()) == sorted(names.values())


def test_imported_and_computed_refuse_direct_inserts(schema: dj.Schema) -> None:
    @schema
    class Animal(dj.Manual):
        definition = """
        animal_id : int32
        """

    @schema
    class Scan(dj.Imported):
        definition = """
        -> Animal
        """

    Animal.insert1({"animal_id": 1})
    with pytest.raises(dj.DataJointError, match="allow_direct_insert=True"):
        Scan.insert1({"animal_id": 1})
    Scan.insert1({"animal_id": 1}, allow_direct_insert=True)
    assert len(Scan()) == 1


def test_auto_populated_table_refuses_a_native_primary_key(schema: dj.Schema) -> None:
    @schema
    class Animal(dj.Manual):
        definition = """
        animal_id : int32
        """

    class Stats(dj.Computed):
        definition = """
        -> Animal
        run : int8
        """

    with pytest.raises(dj.DataJointError, match="has non-FK primary key attribute"):
        schema(Stats, context=locals())
    assert "__stats" not in schema.list_tables()


# ---- the schema object, FreeTable --------------------------------------------------------------


def test_list_tables_get_table_and_free_table(schema: dj.Schema, conn: dj.Connection) -> None:
    tables = _session_tables(schema)
    db = schema.database
    assert sorted(schema.list_tables()) == ["#rig", "#user", "session", "subject"]
    assert not any(t.startswith("~") for t in schema.list_tables())
    for name, expected in [
        ("session", "session"),
        ("Session", "session"),
        ("rig", "#rig"),
        ("#rig", "#rig"),
        ("User", "#user"),
    ]:
        table = schema.get_table(name)
        assert isinstance(table, FreeTable)
        assert table.full_table_name == f"`{db}`.`{expected}`"
    assert schema["Rig"].heading.names == ["rig"]
    assert "Session" in schema and "nope" not in schema
    with pytest.raises(dj.DataJointError, match=f"Table `nope` does not exist in schema `{db}`"):
        schema.get_table("nope")
    assert sorted(t.table_name for t in schema) == sorted(schema.list_tables())
    free = FreeTable(conn, f"`{db}`.`subject`")
    free.insert1({"subject_id": 4})
    assert tables["Subject"].to_dicts() == [{"subject_id": 4}]
    assert free.heading.names == tables["Subject"].heading.names
    assert repr(free).startswith(f"FreeTable(`{db}`.`subject`)\n")
    assert repr(schema) == f"Schema `{db}`\n"


def test_free_table_of_a_missing_table_fails_on_first_use(
    schema: dj.Schema, conn: dj.Connection
) -> None:
    free = FreeTable(conn, f"`{schema.database}`.`nope`")
    with pytest.raises(dj.DataJointError, match=f"The table {schema.database}.nope is not defined"):
        free.to_dicts()
    assert not free.is_declared


def test_list_tables_is_in_topological_order_on_mysql(
    mysql_connection: dj.Connection, schema_name: str
) -> None:
    schema = dj.Schema(schema_name, connection=mysql_connection)
    try:

        @schema
        class Zeta(dj.Manual):
            definition = "zeta : int8"

        @schema
        class Alpha(dj.Manual):
            definition = "-> Zeta\nalpha : int8"

        @schema
        class Mid(dj.Manual):
            definition = "-> Alpha\nmid : int8"

        @schema
        class Beta(dj.Manual):
            definition = "-> Mid\nbeta : int8"

        @schema
        class Omega(dj.Manual):
            definition = "-> Beta\nomega : int8"

        @schema
        class Gamma(dj.Manual):
            definition = "-> Omega\ngamma : int8"

        @schema
        class Kappa(dj.Manual):
            definition = "-> Gamma\nkappa : int8"

        assert schema.list_tables() == ["zeta", "alpha", "mid", "beta", "omega", "gamma", "kappa"]
    finally:
        schema.drop(prompt=False)


# ---- describe ---------------------------------------------------------------------------------


def _without_index_order(text: str) -> list[str]:
    lines = text.split("\n")
    return [line for line in lines if "INDEX (" not in line] + sorted(
        line for line in lines if "INDEX (" in line
    )


def _heading_summary(table: Any) -> list[tuple[Any, ...]]:
    return [
        (a.name, a.type, a.original_type, a.in_key, a.nullable, a.default, a.comment)
        for a in table.heading.all_attributes.values()
    ]


def test_describe_round_trip_declares_the_same_heading(schema: dj.Schema) -> None:
    tables = _session_tables(schema)
    Subject, User, Rig, Session = (tables[k] for k in ("Subject", "User", "Rig", "Session"))

    @schema
    class Thing(dj.Manual):
        definition = ALL_TYPES

    @schema
    class Badge(dj.Lookup):
        definition = """
        badge : int16
        """

    @schema
    class Person(dj.Manual):
        definition = """
        person_id : int16
        ---
        -> [nullable, unique] Badge
        nick : varchar(10)
        index(nick)
        """

    context = locals()
    for original in (Session, Thing, Person):
        text = original.describe(context=context)
        copy = type(f"{original.__name__}Copy", (dj.Manual,), {"definition": text})
        schema(copy, context=context)
        assert _heading_summary(copy) == _heading_summary(original), text
        assert _without_index_order(copy.describe(context=context)) == _without_index_order(text)
        assert [p[1] for p in copy.parents(foreign_key_info=True)] == [
            p[1] for p in original.parents(foreign_key_info=True)
        ]
        assert copy.heading.indexes == original.heading.indexes


def test_describe_layout_matches_datajoint(schema: dj.Schema) -> None:
    tables = _session_tables(schema)
    text = tables["Session"].describe(context=tables)
    lines = text.split("\n")
    assert lines[:4] == [
        "# experimental session",
        "-> Subject",
        "session_idx          : int16                        # session number within subject",
        "---",
    ]
    assert lines[4] == "session_date         : date                         "
    assert lines[5:7] == ["-> [nullable] User", '-> Rig.proj(backup_rig="rig")']
    assert lines[7] == 'notes=""             : varchar(4000)                '
    assert lines[8] == "score=null           : float32                      "
    assert lines[9].startswith("created=")
    assert sorted(lines[10:12]) == ["INDEX (session_date)", "UNIQUE INDEX (notes)"]
    assert text.endswith("\n")


def test_describe_without_context_names_parents_by_full_table_name(schema: dj.Schema) -> None:
    tables = _session_tables(schema)
    text = tables["Session"].describe(context={})
    assert f"-> `{schema.database}`.`subject`\n" in text
    assert f'-> `{schema.database}`.`#rig`.proj(backup_rig="rig")\n' in text


def test_describe_without_context_uses_the_declaration_context(schema: dj.Schema) -> None:
    session = _session_tables(schema)["Session"]
    text = session.describe()
    assert "-> Subject\n" in text
    assert '-> Rig.proj(backup_rig="rig")\n' in text
    assert session().describe() == text


# ---- failed declarations ------------------------------------------------------------------------


def _no_trace_of(schema: dj.Schema, table_name: str) -> None:
    assert table_name not in schema.list_tables()
    assert not any(key.split(".")[1] == table_name for key in schema.lineage)


def test_unresolvable_second_foreign_key_leaves_no_table(schema: dj.Schema) -> None:
    @schema
    class Subject(dj.Manual):
        definition = """
        subject_id : int32
        """

    class Broken(dj.Manual):
        definition = """
        -> Subject
        -> Nowhere
        trial : int16
        """

    with pytest.raises(dj.DataJointError, match="Foreign key reference Nowhere could not be"):
        schema(Broken, context=locals())
    _no_trace_of(schema, "broken")
    assert not Broken().is_declared


def test_ddl_rejected_by_the_server_leaves_no_table(schema: dj.Schema) -> None:
    class Rejected(dj.Manual):
        definition = """
        rejected_id : int16
        ---
        a : int16
        index((a +))
        """

    with pytest.raises(dj.QuerySyntaxError):
        schema(Rejected, context={})
    _no_trace_of(schema, "rejected")
    assert not Rejected().is_declared

    class Rejected(dj.Manual):  # type: ignore[no-redef]  # the corrected definition works
        definition = """
        rejected_id : int16
        ---
        a : int16
        index(a)
        """

    schema(Rejected, context={})
    assert Rejected().is_declared


def test_unsupported_reference_is_refused(schema: dj.Schema) -> None:
    @schema
    class Subject(dj.Manual):
        definition = """
        subject_id : int32
        """

    class Restricted(dj.Manual):
        definition = """
        -> Subject & 'subject_id > 1'
        """

    with pytest.raises(dj.DataJointError, match="is not supported \\(yet\\)"):
        schema(Restricted, context=locals())
    _no_trace_of(schema, "restricted")


def test_cannot_declare_inside_a_transaction(schema: dj.Schema, conn: dj.Connection) -> None:
    class Late(dj.Manual):
        definition = """
        late_id : int16
        """

    expected = pytest.raises(
        dj.DataJointError, match="Cannot declare new tables inside a transaction"
    )
    with expected, conn.transaction:
        schema(Late, context={})
    assert not conn.in_transaction
    _no_trace_of(schema, "late")


def test_missing_definition_is_not_implemented(schema: dj.Schema) -> None:
    class Empty(dj.Manual):
        pass

    with pytest.raises(NotImplementedError, match="has no definition"):
        schema(Empty, context={})


def test_table_name_longer_than_64_characters_is_refused(schema: dj.Schema) -> None:
    name = "A" + "b" * 64
    cls = type(name, (dj.Manual,), {"definition": "x : int8"})
    with pytest.raises(dj.DataJointError, match="exceeds the max length of 64"):
        schema(cls, context={})


def test_class_names_must_be_camel_case(schema: dj.Schema) -> None:
    lower = type("lower", (dj.Manual,), {"definition": "x : int8"})
    with pytest.raises(dj.DataJointError, match="Table class name `lower` is invalid"):
        schema(lower, context={})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        underscored = type("Under_Score", (dj.Manual,), {"definition": "x : int8"})
        schema(underscored, context={})
    assert any("contains underscores" in str(w.message) for w in caught)


# ---- virtual modules -------------------------------------------------------------------------


def test_virtual_schema_opens_a_schema_declared_by_classes(
    schema: dj.Schema, conn: dj.Connection
) -> None:
    tables = _session_tables(schema)
    Session = tables["Session"]  # noqa: F841 - referenced by Comp's definition

    @schema
    class Comp(dj.Computed):
        definition = """
        -> Session
        ---
        total = null : float64
        """

        class Item(dj.Part):
            definition = """
            -> master
            item : int16
            ---
            payload = null : <blob>
            """

    tables["Subject"].insert1({"subject_id": 1})
    tables["Session"].insert1(
        {"subject_id": 1, "session_idx": 1, "session_date": "2024-03-04", "backup_rig": "r2"}
    )
    Comp.insert1({"subject_id": 1, "session_idx": 1, "total": 2.5}, allow_direct_insert=True)
    Comp.Item.insert1({"subject_id": 1, "session_idx": 1, "item": 7, "payload": [1, 2]})

    vm = dj.virtual_schema(schema.database, connection=conn)
    assert isinstance(vm, dj.VirtualModule)
    assert issubclass(vm.Subject, dj.Manual)
    assert issubclass(vm.User, dj.Lookup) and issubclass(vm.Rig, dj.Lookup)
    assert issubclass(vm.Comp, dj.Computed)
    assert issubclass(vm.Comp.Item, dj.Part)
    assert vm.Comp.Item.master is vm.Comp
    assert vm.Comp.Item.table_name == "__comp__item"
    originals = {**tables, "Comp": Comp}
    for name, original in originals.items():
        assert _heading_summary(getattr(vm, name)) == _heading_summary(original), name
    assert _heading_summary(vm.Comp.Item) == _heading_summary(Comp.Item)
    assert vm.Session.to_dicts() == tables["Session"].to_dicts()
    assert vm.User.to_dicts() == [{"username": "alice"}, {"username": "bob"}]
    assert vm.Comp.Item.fetch1("payload") == [1, 2]
    vm.Subject.insert1({"subject_id": 2})
    assert len(tables["Subject"]()) == 2


def test_virtual_schema_of_a_missing_schema_is_refused(conn: dj.Connection) -> None:
    with pytest.raises(dj.DataJointError, match="has not yet been declared"):
        dj.virtual_schema(f"jt_missing_{uuid.uuid4().hex[:8]}", connection=conn)
