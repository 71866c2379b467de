# Table classes take instance methods at class level through their metaclass, as in DataJoint
# (`Subject.insert1(...)`); mypy cannot see that, so the codes it reports for them are off here.
# mypy: disable-error-code="call-arg, arg-type, attr-defined, index, comparison-overlap, truthy-function, union-attr, misc, call-overload"
"""``alter`` against DataJoint 2.3.5 on MariaDB: for the changes DataJoint supports, the same
``ALTER TABLE`` text byte for byte and the same resulting table (spec/engine.md §2.8).

Each client declares the same definition in its own schema, then alters it to the same edited
definition; DataJoint's statement is read from its prompt. One deliberate difference: a rename
marker ``{old}`` does not stay in the stored comment (spec §12).
"""

from __future__ import annotations

import itertools
import os
import uuid
import warnings
from collections.abc import Iterator
from typing import Any

import pytest

import pipelines.core as dj

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # DataJoint warns about a missing datajoint.json on import
    import datajoint as oracle_dj
    import datajoint.table as oracle_table

_counter = itertools.count()


@pytest.fixture(scope="module")
def oracle() -> Any:
    oracle_dj.config["database.host"] = "127.0.0.1"
    oracle_dj.config["database.user"] = "root"
    oracle_dj.config["database.password"] = ""
    oracle_dj.config["database.use_tls"] = False
    oracle_dj.config["safemode"] = False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "MariaDB is not officially supported"
        return oracle_dj.conn(reset=True)


def _name(side: str) -> str:
    return f"jt_alter_{side}_{os.getpid()}_{next(_counter)}_{uuid.uuid4().hex[:6]}"


@pytest.fixture
def schemas(mysql_connection: dj.Connection, oracle: Any) -> Iterator[tuple[Any, Any]]:
    joinery = dj.Schema(_name("jo"), connection=mysql_connection)
    theirs = oracle_dj.Schema(_name("dj"), connection=oracle)
    try:
        yield joinery, theirs
    finally:
        joinery.drop(prompt=False)
        theirs.drop(prompt=False)


def _declare_with_definition(module: Any, schema: Any, definition: str) -> Any:
    namespace = {"definition": definition}
    table = type("Rec", (module.Manual,), namespace)
    return schema(table)


def _datajoint_alter(table: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run DataJoint's alter and return the statement its prompt showed."""
    shown: list[str] = []

    def choose(question: str, **_: Any) -> str:
        shown.append(question)
        return "yes"

    monkeypatch.setattr(oracle_table, "user_choice", choose)
    table.alter(prompt=True)
    assert len(shown) == 1
    return shown[0].removesuffix("\n\nExecute?")


def _show_create(connection: Any, database: str, table: str) -> str:
    return str(connection.query(f"SHOW CREATE TABLE `{database}`.`{table}`").fetchone()[1])


def _compare(
    schemas: tuple[Any, Any],
    mysql_connection: dj.Connection,
    oracle: Any,
    monkeypatch: pytest.MonkeyPatch,
    before: str,
    after: str,
) -> tuple[str, str]:
    """Alter the same table with both clients; return (ours, theirs) with one schema name."""
    joinery, theirs = schemas
    ours_table = _declare_with_definition(dj, joinery, before)
    their_table = _declare_with_definition(oracle_dj, theirs, before)
    ours_table.definition = after
    their_table.definition = after
    ours = ours_table.definition_diff().statements
    assert len(ours) == 1
    theirs_sql = _datajoint_alter(their_table, monkeypatch)
    ours_table.alter(prompt=False)
    ours_created = _show_create(mysql_connection, joinery.database, "rec")
    theirs_created = _show_create(oracle, theirs.database, "rec")
    assert ours_created == theirs_created.replace(theirs.database, joinery.database)
    return ours[0], theirs_sql.replace(theirs.database, joinery.database)


CASES = {
    "add, modify, reorder and the table comment": (
        """
        # old comment
        id : int32
        ---
        a : int32          # first
        b : varchar(10)
        c : float32
        """,
        """
        # new comment
        id : int32
        ---
        a : int64          # first
        c : float64
        b : varchar(10)
        d = 5 : int16      # added
        """,
    ),
    "drop, nullable and defaults": (
        """
        id : int32
        ---
        a : int16
        b = null : varchar(8)
        c : int32          # to drop
        e : enum('x', 'y')
        """,
        """
        id : int32
        ---
        a = null : int16
        b = "zz" : varchar(8)
        e = 'y' : enum('x', 'y', 'z')   # wider
        """,
    ),
    "comment only": (
        """
        # before
        id : int32
        """,
        """
        # after
        id : int32
        """,
    ),
    "add to a key-only table": (
        """
        id : int32
        ---
        """,
        """
        id : int32
        ---
        x = null : <blob>
        y = 1.5 : decimal(4,2)   # with "quotes"
        """,
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_the_alter_statement_is_datajoints(
    case: str,
    schemas: tuple[Any, Any],
    mysql_connection: dj.Connection,
    oracle: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before, after = CASES[case]
    ours, theirs = _compare(schemas, mysql_connection, oracle, monkeypatch, before, after)
    assert ours == theirs


def test_a_rename_differs_only_by_the_marker_left_in_the_comment(
    schemas: tuple[Any, Any],
    mysql_connection: dj.Connection,
    oracle: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = "id : int32\n---\na : int32  # first\nb : int16\n"
    after = "id : int32\n---\nb : int16\na2 : int64  # {a} renamed\n"
    joinery, theirs = schemas
    ours_table = _declare_with_definition(dj, joinery, before)
    their_table = _declare_with_definition(oracle_dj, theirs, before)
    ours_table.definition = their_table.definition = after
    theirs_sql = _datajoint_alter(their_table, monkeypatch)
    ours = ours_table.definition_diff().statements[0]
    assert "{a} " in theirs_sql
    assert ours == theirs_sql.replace(theirs.database, joinery.database).replace("{a} ", "")
    ours_table.alter(prompt=False)
    assert ours_table.heading["a2"].comment == "renamed"


def test_a_part_table_alters_like_datajoints(
    schemas: tuple[Any, Any],
    mysql_connection: dj.Connection,
    oracle: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def declare(module: Any, schema: Any) -> Any:
        @schema
        class Master(module.Manual):
            definition = """
            m : int32
            """

            class Piece(module.Part):
                definition = """
                -> master
                piece : int16
                ---
                size : int16
                """

        return Master

    joinery, theirs = schemas
    ours, their = declare(dj, joinery), declare(oracle_dj, theirs)
    edited = """
    -> master
    piece : int16
    ---
    size : int32    # bigger
    note = '' : varchar(20)
    """
    ours.Piece.definition = their.Piece.definition = edited
    theirs_sql = _datajoint_alter(their.Piece, monkeypatch)
    plan = ours.Piece.definition_diff()
    assert plan.statements[0] == theirs_sql.replace(theirs.database, joinery.database)
    ours.Piece.alter(prompt=False)
    ours_created = _show_create(mysql_connection, joinery.database, "master__piece")
    theirs_created = _show_create(oracle, theirs.database, "master__piece")
    assert ours_created == theirs_created.replace(theirs.database, joinery.database)


def test_datajoint_reads_a_foreign_key_joinery_added(
    schemas: tuple[Any, Any], mysql_connection: dj.Connection, oracle: Any
) -> None:
    """Beyond DataJoint: the table Joinery altered is one DataJoint understands."""
    joinery, _ = schemas

    @joinery
    class Rig(dj.Lookup):
        definition = """
        rig : varchar(8)   # rig name
        """

    rec = _declare_with_definition(dj, joinery, "id : int32\n---\nnote : varchar(8)\n")
    rec.definition = "id : int32\n---\nnote : varchar(8)\n-> [nullable] Rig\nindex(note)\n"
    rec.alter(prompt=False, context={"Rig": Rig})
    theirs = oracle_dj.VirtualModule("theirs", joinery.database, connection=oracle)
    assert theirs.Rec.describe() == (
        "id                   : int32                        \n---\n"
        "note                 : varchar(8)                   \n"
        "-> [nullable] theirs.Rig\nINDEX (note)\n"
    )
