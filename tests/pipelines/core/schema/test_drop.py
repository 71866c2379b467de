# Table classes take instance methods at class level through their metaclass, as in DataJoint
# (`Subject.drop(...)`); mypy cannot see that, so the codes it reports for them are off here.
# mypy: disable-error-code="call-arg, arg-type, attr-defined, index, union-attr, misc, operator"
"""``drop``, ``drop_preview``, ``drop_quick`` and ``Schema.drop`` (spec/engine.md §2.4, §3.5),
on SQLite and on MariaDB: what goes, in which order, and the refusals that leave everything in
place."""

from __future__ import annotations

import builtins
import logging
from collections.abc import Iterator
from typing import Any

import pytest

import pipelines.core as dj


def _study(schema: dj.Schema, subject_schema: dj.Schema | None = None) -> dict[str, Any]:
    """Subject <- Session (in ``subject_schema``, if given); Exp with a part Member -> Subject;
    Result (computed) -> Session."""
    upstream = subject_schema or schema

    @upstream
    class Subject(dj.Manual):
        definition = """
        subject_id : int32
        """

    @upstream
    class Session(dj.Manual):
        definition = """
        -> Subject
        session : int32
        """

    @schema
    class Exp(dj.Manual):
        definition = """
        exp_id : int32
        """

        class Member(dj.Part):
            definition = """
            -> master
            -> Subject
            """

    @schema
    class Result(dj.Computed):
        definition = """
        -> Session
        ---
        value : float64
        """

        def make(self, key: dict[str, Any]) -> None:
            self.insert1({**key, "value": 1.0})

    Subject.insert([{"subject_id": s} for s in (1, 2)])
    Session.insert([{"subject_id": s, "session": 1} for s in (1, 2)])
    Exp.insert([{"exp_id": 1}])
    Exp.Member.insert([{"exp_id": 1, "subject_id": 1}])
    Result.populate()
    return {
        "Subject": Subject,
        "Session": Session,
        "Exp": Exp,
        "Exp.Member": Exp.Member,
        "Result": Result,
    }


def _tables(conn: dj.Connection, *schemas: dj.Schema) -> set[str]:
    return {
        f"{schema.database}.{table}"
        for schema in schemas
        if schema.database is not None
        for table in conn.catalog.list_tables(schema.database)
    }


def _questions(monkeypatch: pytest.MonkeyPatch, *answers: str) -> list[str]:
    asked: list[str] = []
    replies = iter(answers)

    def answer(question: str) -> str:
        asked.append(question)
        return next(replies)

    monkeypatch.setattr(builtins, "input", answer)
    return asked


@pytest.fixture
def downstream(conn: dj.Connection, schema_name: str) -> Iterator[dj.Schema]:
    """A second schema whose tables reference the ``schema`` fixture's (dropped first)."""
    created = dj.Schema(schema_name + "_down", connection=conn)
    yield created
    created.drop(prompt=False)


def test_drop_removes_the_table_and_its_descendants_in_every_schema(
    conn: dj.Connection,
    schema: dj.Schema,
    downstream: dj.Schema,
    caplog: pytest.LogCaptureFixture,
) -> None:
    t = _study(downstream, subject_schema=schema)
    t["Result"].jobs.declare()
    before = _tables(conn, schema, downstream)
    preview = t["Session"]().drop_preview()
    names = [t[k].full_table_name for k in ("Session", "Result")]
    assert list(preview.counts) == names and preview.counts == dict.fromkeys(names, 2)
    assert preview.refusal is None and preview.operation == "drop"
    with caplog.at_level(logging.INFO, logger="pipelines.core"):
        t["Session"].drop(prompt=False)
    gone = {
        f"{schema.database}.session",
        f"{downstream.database}.__result",
        f"{downstream.database}.~~result",  # the job table goes with its table
    }
    assert _tables(conn, schema, downstream) == before - gone
    log = caplog.text
    assert log.index(f"Dropped table {names[1]}") < log.index(f"Dropped table {names[0]}")
    assert "Tables dropped. Restart kernel." in log
    assert "session" not in {key.split(".")[1] for key in schema.lineage}


def test_drop_asks_before_dropping(
    conn: dj.Connection,
    schema: dj.Schema,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    t = _study(schema)
    before = _tables(conn, schema)
    asked = _questions(monkeypatch, "", "yes")
    with caplog.at_level(logging.INFO, logger="pipelines.core"):
        t["Session"].drop(prompt=True)
    assert _tables(conn, schema) == before
    assert f"{t['Result'].full_table_name} (2 tuples)" in caplog.text
    with conn.config.override(safemode=True):
        t["Session"].drop()
    assert asked == ["Proceed? [yes, No]: "] * 2
    assert not t["Session"]().is_declared and not t["Result"]().is_declared


def test_drop_refuses_a_part_without_its_master(
    conn: dj.Connection, schema: dj.Schema, downstream: dj.Schema
) -> None:
    t = _study(downstream, subject_schema=schema)
    t["Result"].drop(prompt=False)
    before = _tables(conn, schema, downstream)
    member, exp = t["Exp.Member"].full_table_name, t["Exp"].full_table_name
    message = f"Attempt to drop part table {member} before its master {exp}. Drop the master first."
    with pytest.raises(dj.DataJointError) as refused:
        t["Subject"].drop(prompt=False)
    assert str(refused.value) == message
    assert t["Subject"]().drop_preview().refusal == message
    assert _tables(conn, schema, downstream) == before
    t["Subject"].drop(prompt=False, part_integrity="ignore")
    assert _tables(conn, schema, downstream) == {f"{downstream.database}.exp"} | {
        name for name in before if "~" in name
    }


def test_a_part_drops_only_when_told_to_ignore_its_master(
    conn: dj.Connection, schema: dj.Schema
) -> None:
    t = _study(schema)
    before = _tables(conn, schema)
    with pytest.raises(dj.DataJointError) as refused:
        t["Exp.Member"].drop()
    assert str(refused.value) == (
        "Cannot drop a Part directly. Drop master instead, or use part_integrity='ignore' to force."
    )
    with pytest.raises(dj.DataJointError, match="Cannot drop a Part directly"):
        t["Exp.Member"].drop_preview()
    assert _tables(conn, schema) == before
    t["Exp.Member"].drop(prompt=False, part_integrity="ignore")  # DataJoint has no prompt here
    assert _tables(conn, schema) == before - {f"{schema.database}.exp__member"}


def test_bad_drops_change_nothing(conn: dj.Connection, schema: dj.Schema) -> None:
    t = _study(schema)
    before = _tables(conn, schema)
    with pytest.raises(ValueError) as refused:
        t["Subject"].drop(part_integrity="cascade")
    assert str(refused.value) == (
        "part_integrity must be 'enforce' or 'ignore' for drop ('cascade' applies to delete "
        "only), got 'cascade'"
    )
    with pytest.raises(ValueError, match="got 'all'"):
        t["Subject"]().drop_preview(part_integrity="all")
    with pytest.raises(dj.DataJointError) as restricted:
        (t["Subject"] & {"subject_id": 1}).drop()
    assert str(restricted.value) == (
        "A table with an applied restriction cannot be dropped. "
        "Call drop() on the unrestricted Table."
    )
    with conn.transaction, pytest.raises(dj.DataJointError, match="inside a transaction"):
        t["Session"].drop(prompt=False)
    assert _tables(conn, schema) == before


def test_dropping_an_undeclared_table_does_nothing(
    conn: dj.Connection, schema: dj.Schema, caplog: pytest.LogCaptureFixture
) -> None:
    t = _study(schema)
    ghost = dj.FreeTable(conn, f"`{schema.database}`.`ghost`")
    before = _tables(conn, schema)
    with caplog.at_level(logging.INFO, logger="pipelines.core"):
        ghost.drop(prompt=False)
        ghost.drop_quick()
    assert caplog.text.count(f"Nothing to drop: table {ghost.full_table_name} is not declared") == 2
    assert ghost.drop_preview().counts == {}
    assert _tables(conn, schema) == before
    t["Result"].jobs.declare()
    assert f"{schema.database}.~~result" in _tables(conn, schema)
    t["Result"].drop_quick()  # drop_quick takes the job table along too
    assert f"{schema.database}.~~result" not in _tables(conn, schema)


# --- Schema.drop --------------------------------------------------------------------------------------
def test_schema_drop_refuses_while_other_schemas_depend_on_it(
    conn: dj.Connection, schema: dj.Schema, downstream: dj.Schema
) -> None:
    t = _study(downstream, subject_schema=schema)
    before = _tables(conn, schema, downstream)
    with pytest.raises(dj.DataJointError) as refused:
        schema.drop(prompt=False)
    message = str(refused.value)
    assert message.startswith(f"Cannot drop schema `{schema.database}`: tables of other")
    assert t["Exp.Member"].full_table_name in message and t["Result"].full_table_name in message
    assert _tables(conn, schema, downstream) == before
    downstream.drop(prompt=False)
    schema.drop(prompt=False)
    assert not schema.exists
    conn.catalog.create_schema(schema.database)  # for the fixtures' own drops
    downstream.drop(prompt=False)  # a missing schema: nothing to do


def test_schema_drop_inside_a_transaction_is_refused(
    conn: dj.Connection, schema: dj.Schema
) -> None:
    _study(schema)
    with conn.transaction, pytest.raises(dj.DataJointError, match="inside a transaction"):
        schema.drop(prompt=False)
    assert schema.exists and len(_tables(conn, schema)) >= 5
