# Table classes take instance methods at class level through their metaclass, as in DataJoint
# (`Subject.insert1(...)`); mypy cannot see that, so the codes it reports for them are off here.
# mypy: disable-error-code="call-arg, arg-type, attr-defined, index, comparison-overlap, truthy-function, union-attr, misc, call-overload"
"""``conn.catalog``: schemas, tables, columns, keys, indexes and lineage, on SQLite and MariaDB.

Both backends answer in MySQL terms (type names, defaults, comments with the ``:type:`` marker),
so the heading logic above the catalog is shared.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

import pipelines.core as dj
from pipelines.core.db.catalog import (
    LINEAGE_TABLE,
    ForeignKeyInfo,
    strip_display_width,
    unquote_default,
)
from pipelines.core.query.heading import ColumnInfo

# ---- pure helpers --------------------------------------------------------------------------

WIDTHS = [
    ("int(11)", "int"),
    ("int(10) unsigned", "int unsigned"),
    ("tinyint(4)", "tinyint"),
    ("TINYINT(3) UNSIGNED", "TINYINT UNSIGNED"),
    ("smallint(6)", "smallint"),
    ("mediumint(9)", "mediumint"),
    ("bigint(20) unsigned", "bigint unsigned"),
    ("int", "int"),
    ("varchar(12)", "varchar(12)"),
    ("decimal(10,3)", "decimal(10,3)"),
    ("binary(16)", "binary(16)"),
    ("point(3)", "point(3)"),
]


@pytest.mark.parametrize(("sql_type", "expected"), WIDTHS, ids=[w for w, _ in WIDTHS])
def test_strip_display_width(sql_type: str, expected: str) -> None:
    assert strip_display_width(sql_type) == expected


DEFAULTS: list[tuple[str | None, str | None]] = [
    (None, None),
    ("NULL", None),
    ("null", None),
    ("'abc'", "abc"),
    ("'it''s'", "it's"),
    ("'back\\\\slash'", "back\\slash"),
    ("''", ""),
    ("5", "5"),
    ("-1.5", "-1.5"),
    ("current_timestamp()", "current_timestamp()"),
    ("CURRENT_TIMESTAMP", "CURRENT_TIMESTAMP"),
    ("'", "'"),
]


@pytest.mark.parametrize(
    ("default", "expected"), DEFAULTS, ids=[f"default-{i}" for i in range(len(DEFAULTS))]
)
def test_unquote_default(default: str | None, expected: str | None) -> None:
    assert unquote_default(default) == expected


def test_foreign_key_attr_map_pairs_columns_in_order() -> None:
    fk = ForeignKeyInfo("db", "child", ("a", "b"), "db", "parent", ("x", "y"))
    assert fk.attr_map == {"a": "x", "b": "y"}
    assert list(fk.attr_map) == ["a", "b"]


# ---- schemas -------------------------------------------------------------------------------


def test_create_list_and_drop_a_schema(conn: dj.Connection) -> None:
    catalog = conn.catalog
    name = f"jt_cat_{uuid.uuid4().hex[:8]}"
    assert not catalog.schema_exists(name)
    catalog.create_schema(name)
    try:
        assert catalog.schema_exists(name)
        assert name in catalog.list_schemas()
        assert catalog.list_tables(name) == []
    finally:
        catalog.drop_schema(name)
    assert not catalog.schema_exists(name)
    assert name not in catalog.list_schemas()


def test_list_schemas_is_sorted_and_hides_system_schemas(
    conn: dj.Connection, schema: dj.Schema
) -> None:
    names = conn.catalog.list_schemas()
    assert names == sorted(names)
    assert schema.database in names
    assert not {"information_schema", "mysql", "performance_schema", "sys"} & set(names)
    # Other test processes create and drop schemas meanwhile: this one is listed by both.
    listed = dj.list_schemas(conn)
    assert listed == sorted(listed) and schema.database in listed


def test_drop_schema_drops_its_tables(conn: dj.Connection, schema: dj.Schema) -> None:
    @schema
    class Thing(dj.Manual):
        definition = """
        thing : int32
        """

    Thing.insert1({"thing": 1})
    assert schema.database is not None
    conn.catalog.drop_schema(schema.database)
    assert not conn.catalog.schema_exists(schema.database)
    assert not conn.catalog.table_exists(schema.database, "thing")
    conn.catalog.create_schema(schema.database)  # the fixture drops it again
    assert conn.catalog.list_tables(schema.database) == []


# ---- tables and columns --------------------------------------------------------------------


def _declare(schema: dj.Schema) -> dict[str, Any]:
    @schema
    class Cage(dj.Manual):
        definition = """
        cage_id : int32
        """

    @schema
    class Tag(dj.Manual):
        definition = """
        tag : char(3)
        """

    @schema
    class Rig(dj.Lookup):
        definition = """
        rig_id : int64
        bay : int8
        """

    @schema
    class Mouse(dj.Manual):
        definition = """
        # mice in cages
        -> Cage
        -> Tag
        -> Rig
        mouse : int16   # mouse number
        ---
        name = 'it''s' : varchar(12)
        count = 5 : int32
        weight = null : float64
        token = null : uuid
        born = "2020-01-02" : date
        kind = 'x' : enum('x','y')
        raw = null : int unsigned
        unique index (name, count)
        index (weight)
        """

    return {"Cage": Cage, "Tag": Tag, "Rig": Rig, "Mouse": Mouse}


@pytest.fixture
def mouse_schema(schema: dj.Schema) -> dj.Schema:
    _declare(schema)
    return schema


def _db(schema: dj.Schema) -> str:
    assert schema.database is not None
    return schema.database


def test_list_tables_includes_the_hidden_lineage_table(
    conn: dj.Connection, mouse_schema: dj.Schema
) -> None:
    tables = conn.catalog.list_tables(_db(mouse_schema))
    assert sorted(tables) == sorted(["cage", "tag", "#rig", "mouse", LINEAGE_TABLE])
    assert conn.catalog.table_exists(_db(mouse_schema), LINEAGE_TABLE)
    assert conn.catalog.table_exists(_db(mouse_schema), "#rig")
    assert not conn.catalog.table_exists(_db(mouse_schema), "rig")
    ordered = mouse_schema.list_tables()
    assert sorted(ordered) == sorted(["cage", "tag", "#rig", "mouse"])
    assert ordered[-1] == "mouse"  # parents first


EXPECTED_COLUMNS = [
    ColumnInfo("cage_id", "int", False, None, "", True),
    ColumnInfo("tag", "char(3)", False, None, "", True),
    ColumnInfo("rig_id", "bigint", False, None, "", True),
    ColumnInfo("bay", "tinyint", False, None, "", True),
    ColumnInfo("mouse", "smallint", False, None, ":int16:mouse number", True),
    ColumnInfo("name", "varchar(12)", False, "it's", ":varchar(12):", False),
    ColumnInfo("count", "int", False, "5", ":int32:", False),
    ColumnInfo("weight", "double", True, None, ":float64:", False),
    ColumnInfo("token", "binary(16)", True, None, ":uuid:", False),
    ColumnInfo("born", "date", False, "2020-01-02", ":date:", False),
    ColumnInfo("kind", "enum('x','y')", False, "x", ":enum('x','y'):", False),
    ColumnInfo("raw", "int unsigned", True, None, "", False),
]


def test_table_info_columns_in_mysql_terms(conn: dj.Connection, mouse_schema: dj.Schema) -> None:
    info = conn.catalog.table_info(_db(mouse_schema), "mouse")
    assert (info.database, info.table_name, info.comment) == (
        _db(mouse_schema),
        "mouse",
        "mice in cages",
    )
    assert [c.name for c in info.columns] == [c.name for c in EXPECTED_COLUMNS]
    for actual, expected in zip(info.columns, EXPECTED_COLUMNS, strict=True):
        assert actual == expected, actual.name


SPELLED = [
    ("decimal(10, 3)", "decimal(10,3)"),
    ("enum( 'p' ,'q')", "enum('p','q')"),
    ("varchar( 5 )", "varchar(5)"),
    ("INT UNSIGNED", "int unsigned"),
    ("SMALLINT", "smallint"),
]


@pytest.mark.parametrize(("declared", "reported"), SPELLED, ids=[r for _, r in SPELLED])
def test_sql_type_is_reported_in_mysql_canonical_spelling(
    conn: dj.Connection,
    schema: dj.Schema,
    request: pytest.FixtureRequest,
    declared: str,
    reported: str,
) -> None:

    @schema
    class Spelled(dj.Manual):
        definition = f"""
        spelled_id : int32
        ---
        value : {declared}
        """

    assert conn.catalog.table_info(_db(schema), "spelled").columns[1].sql_type == reported


def test_autoincrement_column(conn: dj.Connection, schema: dj.Schema) -> None:
    @schema
    class Counter(dj.Manual):
        definition = """
        counter_id : int auto_increment
        ---
        label = '' : varchar(4)
        """

    column = conn.catalog.table_info(_db(schema), "counter").columns[0]
    assert (column.sql_type, column.in_key, column.autoincrement) == ("int", True, True)
    Counter.insert([{"label": "a"}, {"label": "b"}])
    assert sorted(k["counter_id"] for k in Counter.to_dicts()) == [1, 2]


def test_foreign_keys_in_declaration_order(conn: dj.Connection, mouse_schema: dj.Schema) -> None:
    db = _db(mouse_schema)
    info = conn.catalog.table_info(db, "mouse")
    assert list(info.foreign_keys) == [
        ForeignKeyInfo(db, "mouse", ("cage_id",), db, "cage", ("cage_id",)),
        ForeignKeyInfo(db, "mouse", ("tag",), db, "tag", ("tag",)),
        ForeignKeyInfo(db, "mouse", ("rig_id", "bay"), db, "#rig", ("rig_id", "bay")),
    ]
    assert conn.catalog.table_info(db, "cage").foreign_keys == ()


def test_foreign_keys_keep_order_past_ten(conn: dj.Connection, schema: dj.Schema) -> None:
    context: dict[str, Any] = {}
    names = [f"P{chr(ord('a') + i)}" for i in range(11)]
    for number, name in enumerate(names):
        cls = type(name, (dj.Manual,), {"definition": f"p{number} : int32"})
        context[name] = schema(cls, context=context)
    lines = "\n".join(f"-> {name}" for name in reversed(names))
    schema(type("Wide", (dj.Manual,), {"definition": lines}), context=context)
    fks = conn.catalog.table_info(_db(schema), "wide").foreign_keys
    assert [fk.parent_table for fk in fks] == [name.lower() for name in reversed(names)]


def test_renamed_foreign_key_maps_columns(conn: dj.Connection, mouse_schema: dj.Schema) -> None:
    Cage = _declare(mouse_schema)["Cage"]

    @mouse_schema
    class Move(dj.Manual):
        definition = """
        -> Cage.proj(source='cage_id')
        -> Cage.proj(target='cage_id')
        """

    fks = conn.catalog.table_info(_db(mouse_schema), "move").foreign_keys
    assert [fk.attr_map for fk in fks] == [{"source": "cage_id"}, {"target": "cage_id"}]
    assert Move.parents() == [Cage.full_table_name, Cage.full_table_name]


def test_schema_foreign_keys_list_every_table(conn: dj.Connection, mouse_schema: dj.Schema) -> None:
    fks = conn.catalog.schema_foreign_keys(_db(mouse_schema))
    assert sorted((fk.child_table, fk.parent_table) for fk in fks) == [
        ("mouse", "#rig"),
        ("mouse", "cage"),
        ("mouse", "tag"),
    ]


def test_referencing_foreign_keys_across_schemas(
    conn: dj.Connection, mouse_schema: dj.Schema
) -> None:
    Cage = _declare(mouse_schema)["Cage"]
    other = dj.Schema(_db(mouse_schema) + "_b", connection=conn)
    try:

        @other
        class Visit(dj.Manual):
            definition = """
            -> Cage
            visit : int16
            """

        db, other_db = _db(mouse_schema), _db(other)
        referencing = conn.catalog.referencing_foreign_keys(db)
        assert ForeignKeyInfo(other_db, "visit", ("cage_id",), db, "cage", ("cage_id",)) in (
            referencing
        )
        assert sorted((fk.child_database, fk.child_table) for fk in referencing) == sorted(
            [(db, "mouse"), (db, "mouse"), (db, "mouse"), (other_db, "visit")]
        )
        assert conn.catalog.referencing_foreign_keys(other_db) == []
        assert Visit.full_table_name in Cage.children()
    finally:
        other.drop(prompt=False)


def test_declared_indexes(
    conn: dj.Connection, mouse_schema: dj.Schema, request: pytest.FixtureRequest
) -> None:
    info = conn.catalog.table_info(_db(mouse_schema), "mouse")
    assert info.indexes[("name", "count")] == {"unique": True, "nullable": False}
    assert info.indexes[("weight",)]["unique"] is False
    declared = {("name", "count"), ("weight",)}
    extra = set(info.indexes) - declared
    # MySQL adds an index for each foreign key its primary key does not already cover.
    assert extra == (set() if conn.backend == "sqlite" else {("tag",), ("rig_id", "bay")})
    assert conn.catalog.table_info(_db(mouse_schema), "cage").indexes == {}


def test_index_on_a_nullable_column_is_nullable(
    conn: dj.Connection, mouse_schema: dj.Schema, request: pytest.FixtureRequest
) -> None:
    info = conn.catalog.table_info(_db(mouse_schema), "mouse")
    assert info.indexes[("weight",)] == {"unique": False, "nullable": True}


# ---- lineage -------------------------------------------------------------------------------


def test_read_lineage_of_one_table(conn: dj.Connection, mouse_schema: dj.Schema) -> None:
    db = _db(mouse_schema)
    assert conn.catalog.read_lineage(db, "mouse") == {
        "cage_id": f"{db}.cage.cage_id",
        "tag": f"{db}.tag.tag",
        "rig_id": f"{db}.#rig.rig_id",
        "bay": f"{db}.#rig.bay",
        "mouse": f"{db}.mouse.mouse",
    }
    assert conn.catalog.read_lineage(db, "cage") == {"cage_id": f"{db}.cage.cage_id"}
    assert conn.catalog.read_lineage(db, "nope") == {}


def test_schema_lineage_lists_every_key_attribute(
    conn: dj.Connection, mouse_schema: dj.Schema
) -> None:
    db = _db(mouse_schema)
    lineage = mouse_schema.lineage
    assert lineage == conn.catalog.read_schema_lineage(db)
    assert lineage[f"{db}.mouse.bay"] == f"{db}.#rig.bay"
    assert lineage[f"{db}.#rig.rig_id"] == f"{db}.#rig.rig_id"
    assert len(lineage) == 1 + 1 + 2 + 5
    assert not any(".name" in key for key in lineage)  # secondary attributes have none


def test_lineage_follows_a_chain_to_its_origin(
    conn: dj.Connection, mouse_schema: dj.Schema
) -> None:
    Mouse = _declare(mouse_schema)["Mouse"]  # noqa: F841 - the reference below resolves it

    @mouse_schema
    class Weighing(dj.Manual):
        definition = """
        -> Mouse
        when : int32
        """

    db = _db(mouse_schema)
    lineage = conn.catalog.read_lineage(db, "weighing")
    assert lineage["cage_id"] == f"{db}.cage.cage_id"
    assert lineage["mouse"] == f"{db}.mouse.mouse"
    assert lineage["when"] == f"{db}.weighing.when"
    assert Weighing.heading["bay"].lineage == f"{db}.#rig.bay"


def test_lineage_of_a_schema_without_the_lineage_table(conn: dj.Connection) -> None:
    name = f"jt_cat_{uuid.uuid4().hex[:8]}"
    conn.catalog.create_schema(name)
    try:
        assert conn.catalog.read_schema_lineage(name) == {}
        assert conn.catalog.read_lineage(name, "anything") == {}
        conn.catalog.delete_lineage(name, "anything")  # harmless without the table
    finally:
        conn.catalog.drop_schema(name)


def test_write_lineage_replaces_a_table_s_rows(
    conn: dj.Connection, mouse_schema: dj.Schema
) -> None:
    db = _db(mouse_schema)
    conn.catalog.write_lineage(db, "cage", [("cage", "cage_id", "elsewhere.t.c")])
    assert conn.catalog.read_lineage(db, "cage") == {"cage_id": "elsewhere.t.c"}
    conn.catalog.write_lineage(db, "cage", [])
    assert conn.catalog.read_lineage(db, "cage") == {}
    mouse_schema.rebuild_lineage()
    assert conn.catalog.read_lineage(db, "cage") == {"cage_id": f"{db}.cage.cage_id"}


def test_drop_table_removes_it_from_the_catalog(
    conn: dj.Connection, mouse_schema: dj.Schema
) -> None:
    db = _db(mouse_schema)
    Mouse = _declare(mouse_schema)["Mouse"]
    Mouse.drop_quick()
    assert not conn.catalog.table_exists(db, "mouse")
    assert conn.catalog.read_lineage(db, "mouse") == {}
    assert conn.catalog.schema_foreign_keys(db) == []
