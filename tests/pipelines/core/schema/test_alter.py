# Table classes take instance methods at class level through their metaclass, as in DataJoint
# (`Subject.insert1(...)`); mypy cannot see that, so the codes it reports for them are off here.
# mypy: disable-error-code="call-arg, arg-type, attr-defined, index, comparison-overlap, truthy-function, union-attr, misc, call-overload"
"""``alter`` and ``definition_diff`` (spec/engine.md §2.8) on SQLite and on MariaDB.

What DataJoint alters (secondary attributes: add, drop, modify, reorder, rename, the table
comment), what Joinery adds (secondary foreign keys and indexes), the refusals that keep stored
values safe (each leaves the table, its rows, lineage and metadata exactly as they were), bad
input, and the bookkeeping after a change: headings, ``~lineage``, SQLite's column metadata.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest

import pipelines.core as dj
from pipelines.core.schema.alter import AlterPlan


def _tables(schema: dj.Schema) -> dict[str, Any]:
    @schema
    class Rig(dj.Lookup):
        definition = """
        rig : varchar(8)   # rig name
        """
        contents = [{"rig": "r1"}, {"rig": "r2"}]

    @schema
    class Rec(dj.Manual):
        definition = """
        # a recording
        rec_id : int32
        ---
        a : int16          # first
        b = 'x' : varchar(10)
        c = null : float32
        rig_name = null : varchar(8)
        """

    Rec.insert(
        [
            {"rec_id": 1, "a": 1, "b": "one", "c": 1.5, "rig_name": "r1"},
            {"rec_id": 2, "a": 2, "b": "two", "c": None, "rig_name": "r2"},
        ]
    )
    return {"Rig": Rig, "Rec": Rec}


@pytest.fixture
def tables(schema: dj.Schema) -> dict[str, Any]:
    return _tables(schema)


@pytest.fixture
def rec(tables: dict[str, Any]) -> Any:
    return tables["Rec"]


BASE = """
# a recording
rec_id : int32
---
a : int16          # first
b = 'x' : varchar(10)
c = null : float32
rig_name = null : varchar(8)
"""


def _alter(table: Any, definition: str) -> None:
    table.definition = definition
    table.alter(prompt=False)


def _snapshot(conn: dj.Connection, table: Any) -> tuple[Any, ...]:
    """Everything an alter could touch: DDL, column metadata, rows, lineage."""
    database, name = table.database, table.table_name
    if conn.backend == "mysql":
        ddl: Any = conn.query(f"SHOW CREATE TABLE `{database}`.`{name}`").fetchone()[1]
        meta: Any = ()
    else:
        full = f"{database}.{name}"
        ddl = conn.query(
            "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = ? ORDER BY name", (full,)
        ).fetchall()
        meta = conn.query(
            'SELECT * FROM "~joinery_columns" WHERE table_name = ? ORDER BY position', (full,)
        ).fetchall()
    rows = sorted(repr(sorted(r.items())) for r in table().to_dicts())
    return ddl, meta, rows, conn.catalog.read_lineage(database, name)


def _rows(table: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = table().to_dicts(order_by="KEY")
    return rows


# ---- secondary attributes (what DataJoint alters) --------------------------------------------


def test_add_an_attribute_with_a_default_fills_existing_rows(rec: Any) -> None:
    _alter(rec, BASE + "d = 5 : int16  # added\n")
    assert [r["d"] for r in _rows(rec)] == [5, 5]
    assert rec.heading.names == ["rec_id", "a", "b", "c", "rig_name", "d"]
    assert rec.heading["d"].original_type == "int16" and rec.heading["d"].comment == "added"


def test_add_an_attribute_in_the_middle_keeps_definition_order(rec: Any) -> None:
    _alter(rec, BASE.replace("---\n", "---\nfirst = null : int32\n"))
    assert rec.heading.names == ["rec_id", "first", "a", "b", "c", "rig_name"]
    assert rec.describe().splitlines()[3].startswith("first=null")


def test_drop_an_attribute_is_planned_as_lossy_then_applied(
    rec: Any, caplog: pytest.LogCaptureFixture
) -> None:
    edited = BASE.replace("c = null : float32\n", "")
    plan = rec.definition_diff(edited)
    assert plan.lossy and plan.applicable
    assert plan.reasons == ("drops attribute `c` of " + plan.table + ", which holds 1 value(s)",)
    with caplog.at_level(logging.WARNING, logger="pipelines.core"):
        _alter(rec, edited)
    assert "discards stored values: drops attribute `c`" in caplog.text
    assert "c" not in rec.heading.names
    assert [r["b"] for r in _rows(rec)] == ["one", "two"]


def test_widen_a_type_keeps_the_values(rec: Any) -> None:
    _alter(rec, BASE.replace("a : int16 ", "a : int64 "))
    assert rec.heading["a"].original_type == "int64"
    assert [r["a"] for r in _rows(rec)] == [1, 2]
    rec.insert1({"rec_id": 3, "a": 2**40})
    assert (rec & {"rec_id": 3}).fetch1("a") == 2**40


def test_reorder_attributes(rec: Any) -> None:
    edited = BASE.replace("a : int16          # first\nb = 'x' : varchar(10)\n", "")
    edited = edited.replace("rig_name", "b = 'x' : varchar(10)\na : int16  # first\nrig_name")
    _alter(rec, edited)
    assert rec.heading.names == ["rec_id", "c", "b", "a", "rig_name"]
    assert [(r["a"], r["b"]) for r in _rows(rec)] == [(1, "one"), (2, "two")]


def test_rename_keeps_values_and_drops_the_marker_from_the_comment(
    rec: Any, caplog: pytest.LogCaptureFixture
) -> None:
    edited = BASE.replace("a : int16          # first", "alpha : int16   # {a} first value")
    _alter(rec, edited)
    assert [r["alpha"] for r in _rows(rec)] == [1, 2]
    assert rec.heading["alpha"].comment == "first value"
    # The same definition again: the rename has happened, so there is nothing to do.
    assert rec.definition_diff(edited).is_empty
    with caplog.at_level(logging.WARNING, logger="pipelines.core"):
        rec.alter(prompt=True)
    assert "Nothing to alter." in caplog.text


def test_rename_twice_or_from_a_missing_attribute_is_refused(rec: Any, conn: dj.Connection) -> None:
    before = _snapshot(conn, rec)
    twice = BASE.replace("a : int16          # first", "a1 : int16  # {a}\na2 : int16  # {a}")
    with pytest.raises(dj.DataJointError, match=r"rename attribute \{a\} twice"):
        _alter(rec, twice)
    missing = BASE.replace("a : int16          # first", "a2 : int16  # {zz}")
    with pytest.raises(dj.DataJointError, match="Attribute zz does not exist in the original"):
        _alter(rec, missing)
    assert _snapshot(conn, rec) == before


def test_change_nullability_default_and_comments(rec: Any) -> None:
    edited = BASE.replace("# a recording", "# a better recording")
    edited = edited.replace("b = 'x' : varchar(10)", "b = 'y' : varchar(10)  # the b")
    edited = edited.replace("a : int16          # first", "a = null : int16")
    _alter(rec, edited)
    heading = rec.heading
    assert heading.table_comment == "a better recording"
    assert heading["b"].default == '"y"' and heading["b"].comment == "the b"
    assert heading["a"].nullable
    rec.insert1({"rec_id": 5})
    assert (rec & {"rec_id": 5}).fetch1("b") == "y"
    assert rec.describe().startswith("# a better recording\n")


def test_a_comment_change_on_sqlite_needs_no_ddl(rec: Any, conn: dj.Connection) -> None:
    edited = BASE.replace("# a recording", "# renamed table").replace("# first", "# the first")
    plan = rec.definition_diff(edited)
    assert len(plan.statements) == (1 if conn.backend == "mysql" else 0)
    assert plan.changes == (
        'change attribute `a`: comment "the first"',
        'change the table comment to "renamed table"',
    )
    _alter(rec, edited)
    assert rec.heading.table_comment == "renamed table" and rec.heading["a"].comment == "the first"
    assert rec.heading["a"].original_type == "int16"


def test_an_unchanged_definition_plans_nothing(rec: Any, conn: dj.Connection) -> None:
    plan = rec.definition_diff(BASE)
    assert plan.is_empty and plan.statements == () and not plan.lossy
    assert str(plan) == f"Nothing to alter in {plan.table}."


def test_defaults_as_the_server_reports_them_are_no_change(schema: dj.Schema) -> None:
    @schema
    class Defaults(dj.Manual):
        definition = """
        k : int32
        ---
        created = CURRENT_TIMESTAMP : datetime(3)
        ratio = 5.0 : float32
        price = 1.50 : decimal(5,2)
        kind = "a" : enum('a', 'b')
        flag = 1 : bool
        """

    assert Defaults.definition_diff().is_empty


def test_definition_diff_changes_nothing(rec: Any, conn: dj.Connection) -> None:
    before = _snapshot(conn, rec)
    edited = BASE.replace("c = null : float32\n", "") + "-> Rig\nindex(b)\n"
    plan = rec.definition_diff(edited)
    assert isinstance(plan, AlterPlan) and plan.statements and plan.backend == conn.backend
    assert _snapshot(conn, rec) == before
    assert "rig" not in rec.heading.names  # nor the class's heading


def test_the_default_context_is_the_declaration_context(rec: Any) -> None:
    rec.definition = BASE + "-> [nullable] Rig\n"
    # `Rig` is not in this function's namespace: it resolves in the decorator's context.
    assert "add foreign key nullable (rig) -> " in "\n".join(rec.definition_diff().changes)


# ---- foreign keys and indexes (beyond DataJoint) ---------------------------------------------


def test_add_and_drop_a_nullable_foreign_key(
    rec: Any, tables: dict[str, Any], conn: dj.Connection
) -> None:
    _alter(rec, BASE + "-> [nullable] Rig\n")
    assert rec.parents() == [tables["Rig"].full_table_name]
    assert rec.heading["rig"].lineage == f"{rec.database}.#rig.rig"
    rec.update1({"rec_id": 1, "rig": "r2"})
    with pytest.raises(dj.IntegrityError):
        rec.update1({"rec_id": 2, "rig": "nope"})
    assert rec.describe().splitlines()[-1] == "-> [nullable] Rig"
    plan = rec.definition_diff(BASE)
    assert plan.lossy and "drops attribute `rig`" in plan.reasons[0]
    _alter(rec, BASE)
    assert rec.parents() == [] and "rig" not in rec.heading.names
    assert conn.catalog.read_lineage(rec.database, rec.table_name) == {
        "rec_id": f"{rec.database}.rec.rec_id"
    }


def test_turn_an_attribute_into_a_foreign_key(rec: Any, tables: dict[str, Any]) -> None:
    edited = BASE.replace("rig_name = null : varchar(8)", "-> [nullable] Rig.proj(rig_name='rig')")
    _alter(rec, edited)
    assert rec.parents(foreign_key_info=True)[0][1]["attr_map"] == {"rig_name": "rig"}
    assert [r["rig_name"] for r in _rows(rec)] == ["r1", "r2"]
    assert rec.heading["rig_name"].lineage == f"{rec.database}.#rig.rig"


def test_a_foreign_key_some_rows_have_no_parent_for_is_refused(
    rec: Any, conn: dj.Connection
) -> None:
    rec.update1({"rec_id": 2, "rig_name": "r9"})
    before = _snapshot(conn, rec)
    edited = BASE.replace("rig_name = null : varchar(8)", "-> [nullable] Rig.proj(rig_name='rig')")
    plan = rec.definition_diff(edited)
    assert not plan.applicable
    assert "1 row(s) have no parent, e.g. {'rig_name': 'r9'}" in plan.refusals[0]
    with pytest.raises(dj.DataJointError, match="refused; nothing was changed"):
        _alter(rec, edited)
    assert _snapshot(conn, rec) == before


def test_a_required_foreign_key_on_a_table_with_rows_is_refused(
    rec: Any, conn: dj.Connection
) -> None:
    before = _snapshot(conn, rec)
    with pytest.raises(dj.DataJointError, match=r"`rig` .* NOT NULL without a default .* 2 row"):
        _alter(rec, BASE + "-> Rig\n")
    assert _snapshot(conn, rec) == before


def test_a_required_foreign_key_on_an_empty_table_is_added(rec: Any) -> None:
    rec.delete_quick()
    _alter(rec, BASE + "-> Rig\n")
    with pytest.raises(dj.IntegrityError):
        rec.insert1({"rec_id": 1, "a": 1, "rig": "nope"})
    rec.insert1({"rec_id": 1, "a": 1, "rig": "r1"})
    assert not rec.heading["rig"].nullable


def test_the_unique_option_of_a_foreign_key_comes_and_goes(rec: Any) -> None:
    _alter(rec, BASE + "-> [nullable, unique] Rig\n")
    rec.update1({"rec_id": 1, "rig": "r1"})
    with pytest.raises(dj.DuplicateError):
        rec.update1({"rec_id": 2, "rig": "r1"})
    assert rec.describe().splitlines()[-1] == "-> [nullable, unique] Rig"
    _alter(rec, BASE + "-> [nullable] Rig\n")
    rec.update1({"rec_id": 2, "rig": "r1"})
    assert rec.describe().splitlines()[-1] == "-> [nullable] Rig"


def test_add_and_drop_indexes(rec: Any) -> None:
    _alter(rec, BASE + "index(a, b)\nunique index(b)\n")
    assert rec.heading.indexes[("a", "b")] == {"unique": False, "nullable": False}
    assert rec.heading.indexes[("b",)]["unique"]
    with pytest.raises(dj.DuplicateError):
        rec.insert1({"rec_id": 9, "a": 9, "b": "one"})
    _alter(rec, BASE + "index(a, b)\n")
    assert list(rec.heading.indexes) == [("a", "b")]
    _alter(rec, BASE)
    assert rec.heading.indexes == {}


def test_drop_an_attribute_with_the_index_over_it(rec: Any) -> None:
    _alter(rec, BASE + "index(a, b)\nindex(b)\n")
    _alter(rec, BASE.replace("b = 'x' : varchar(10)\n", ""))
    assert rec.heading.indexes == {} and "b" not in rec.heading.names


def test_a_unique_index_over_duplicates_is_refused(rec: Any, conn: dj.Connection) -> None:
    rec.update1({"rec_id": 2, "b": "one"})
    before = _snapshot(conn, rec)
    with pytest.raises(dj.DataJointError, match=r"unique index \(b\) .* 2 rows share .*'one'"):
        _alter(rec, BASE + "unique index(b)\n")
    assert _snapshot(conn, rec) == before


def test_an_index_over_a_renamed_attribute_follows_the_rename(rec: Any) -> None:
    _alter(rec, BASE + "index(b)\n")
    edited = BASE.replace("b = 'x' : varchar(10)", "bee = 'x' : varchar(10) # {b}")
    plan = rec.definition_diff(edited + "index(bee)\n")
    assert not any("index" in change for change in plan.changes)
    _alter(rec, edited + "index(bee)\n")
    assert list(rec.heading.indexes) == [("bee",)]


# ---- refusals that keep stored values --------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("b = 'x' : varchar(10)", "b = 'x' : varchar(2)", r"'one' \(it is longer than 2 char"),
        ("a : int16 ", "a : bool ", r"out of range \[0, 1\]"),
        ("c = null : float32", "c = null : int32", r"1.5 \(it is not a whole number\)"),
        ("b = 'x' : varchar(10)", "b = 'x' : enum('one', 'x')", r"'two' \(it is not one of"),
        ("c = null : float32", "c = null : <blob>", r"cannot be read as <blob>"),
        ("a : int16 ", "a : decimal(3,2) ", r"more than 1 digits before the decimal point"),
        ("a : int16          # first", "a = null : int16\nz : int32", r"`z` .* NOT NULL without"),
    ],
)
def test_changes_that_lose_stored_values_are_refused(
    rec: Any, conn: dj.Connection, old: str, new: str, message: str
) -> None:
    rec.update1({"rec_id": 2, "a": 42})
    before = _snapshot(conn, rec)
    edited = BASE.replace(old, new)
    assert edited != BASE
    assert not rec.definition_diff(edited).applicable
    with pytest.raises(dj.DataJointError, match=message):
        _alter(rec, edited)
    assert _snapshot(conn, rec) == before


def test_not_null_over_stored_nulls_is_refused(rec: Any, conn: dj.Connection) -> None:
    before = _snapshot(conn, rec)
    edited = BASE.replace("c = null : float32", "c = 0 : float32")
    with pytest.raises(dj.DataJointError, match=r"`c` .* NOT NULL: 1 row\(s\) hold NULL"):
        _alter(rec, edited)
    assert _snapshot(conn, rec) == before
    rec.update1({"rec_id": 2, "c": 2.5})
    _alter(rec, edited)
    assert not rec.heading["c"].nullable


def test_narrowing_that_keeps_every_value_is_allowed(rec: Any) -> None:
    _alter(rec, BASE.replace("b = 'x' : varchar(10)", "b = 'x' : varchar(3)"))
    _alter(rec, BASE.replace("b = 'x' : varchar(10)", "b = 'x' : enum('one', 'two', 'x')"))
    _alter(rec, BASE.replace("a : int16 ", "a : int8 "))
    assert [(r["a"], r["b"]) for r in _rows(rec)] == [(1, "one"), (2, "two")]


def test_rounding_to_a_narrower_float_is_reported_as_a_loss(rec: Any) -> None:
    _alter(rec, BASE.replace("c = null : float32", "c = null : float64"))
    plan = rec.definition_diff(BASE)
    assert plan.applicable and plan.lossy
    assert "rounds the 1 stored value(s) of `c`" in plan.reasons[0]


# ---- bad input, transactions, prompts --------------------------------------------------------


@pytest.mark.parametrize(
    ("edited", "error", "message"),
    [
        (BASE + "X : int32\n", dj.DataJointError, "invalid attribute name"),
        (BASE + "d : nonsense\n", dj.DataJointError, "Unsupported attribute type"),
        (BASE + "-> Missing\n", dj.DataJointError, "Missing could not be resolved"),
        (BASE + "index(nope)\n", dj.DataJointError, "unknown attribute `nope`"),
        ("", dj.DataJointError, "has no definition"),
        (BASE.replace("rec_id : int32", "rec_id : int64"), NotImplementedError, "primary key"),
        (BASE.replace("---\n", "extra : int32\n---\n"), NotImplementedError, "primary key"),
    ],
)
def test_bad_definitions_raise_and_change_nothing(
    rec: Any, conn: dj.Connection, edited: str, error: type[Exception], message: str
) -> None:
    before = _snapshot(conn, rec)
    with pytest.raises(error, match=message):
        _alter(rec, edited)
    with pytest.raises(error, match=message):
        rec.definition_diff(edited)
    assert _snapshot(conn, rec) == before


def test_alter_inside_a_transaction_is_refused(rec: Any, conn: dj.Connection) -> None:
    rec.definition = BASE + "d = 0 : int32\n"
    with conn.transaction, pytest.raises(dj.DataJointError, match="inside a transaction"):
        rec.alter(prompt=False)
    assert "d" not in rec.heading.names


def test_the_prompt_shows_the_plan_and_only_yes_applies(
    rec: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    questions: list[str] = []
    answers = iter(["no", "yes"])

    def answer(question: str) -> str:
        questions.append(question)
        return next(answers)

    monkeypatch.setattr("builtins.input", answer)
    rec.definition = BASE + "d = 0 : int32\n"
    plan = rec.definition_diff()
    rec.alter()
    assert "d" not in rec.heading.names
    rec.alter()
    assert "d" in rec.heading.names
    assert questions[0] == str(plan) + "\n\nExecute? [yes, No]: "
    assert plan.statements[0] in questions[0]


# ---- parts, children, singletons -------------------------------------------------------------


def test_a_part_table_alters_with_its_master_reference(schema: dj.Schema) -> None:
    @schema
    class Master(dj.Manual):
        definition = """
        m : int32
        """

        class Piece(dj.Part):
            definition = """
            -> master
            piece : int16
            ---
            size : int16
            """

    Master.insert1({"m": 1})
    Master.Piece.insert1({"m": 1, "piece": 1, "size": 3})
    Master.Piece.definition = """
    -> master
    piece : int16
    ---
    size : int32   # bigger
    note = '' : varchar(20)
    """
    Master.Piece.alter(prompt=False)
    assert Master.Piece.heading["size"].original_type == "int32"
    assert Master.Piece().to_dicts() == [{"m": 1, "piece": 1, "size": 3, "note": ""}]
    assert Master.Piece.describe().startswith("-> Master\npiece")


def test_a_parent_keeps_its_children_when_altered(rec: Any, schema: dj.Schema) -> None:
    Rec = rec  # noqa: F841  (the child's definition refers to it by name)

    @schema
    class Child(dj.Manual):
        definition = """
        -> Rec
        k : int16
        """

    Child.insert1({"rec_id": 1, "k": 1})
    _alter(rec, BASE.replace("c = null : float32\n", "") + "e = 1 : int8\n")
    assert Child.parents() == [rec.full_table_name]
    with pytest.raises(dj.IntegrityError):
        Child.insert1({"rec_id": 7, "k": 1})
    with pytest.raises(dj.IntegrityError):
        rec.delete_quick()
    assert len(Child()) == 1


def test_a_singleton_table_alters_its_attributes(schema: dj.Schema) -> None:
    @schema
    class Settings(dj.Manual):
        definition = """
        ---
        level : int16
        name = '' : varchar(10)
        """

    Settings.insert1({"level": 1, "name": "x"})
    _alter(Settings, "---\nname = '' : varchar(10)\nlevel : int32\nextra = 2 : int8\n")
    assert Settings.heading.names == ["name", "level", "extra"]
    assert Settings().fetch1() == {"name": "x", "level": 1, "extra": 2}


def test_hidden_job_metadata_columns_are_kept_after_the_users(
    schema: dj.Schema, conn: dj.Connection
) -> None:
    @schema
    class Source(dj.Manual):
        definition = """
        r : int32
        """

    with conn.config.override(jobs__add_job_metadata=True):

        @schema
        class Result(dj.Computed):
            definition = """
            -> Source
            ---
            value : float64
            """

    Source.insert1({"r": 1})
    Result.insert1({"r": 1, "value": 0.5}, allow_direct_insert=True)
    hidden = ["_job_start_time", "_job_duration", "_job_version"]
    before = {
        n: (a.type, a.comment, a.default) for n, a in Result.heading.hidden_attributes.items()
    }
    _alter(Result, "-> Source\n---\nvalue : float64\nextra = 3 : int16\n")
    names = [c.name for c in conn.catalog.table_info(Result.database, Result.table_name).columns]
    assert names == ["r", "value", "extra", *hidden]
    after = {n: (a.type, a.comment, a.default) for n, a in Result.heading.hidden_attributes.items()}
    assert after == before
    assert Result().fetch1() == {"r": 1, "value": 0.5, "extra": 3}
    assert Result.definition_diff().is_empty
