# Table classes take instance methods at class level through their metaclass, as in DataJoint
# (`Subject.insert1(...)`); mypy cannot see that, so the codes it reports for them are off here.
# mypy: disable-error-code="call-arg, arg-type, attr-defined, index, comparison-overlap, truthy-function, union-attr, misc, call-overload"
"""Differential tests against DataJoint 2.3.5 on MariaDB: the same definitions produce the same
tables, and each client reads what the other wrote (spec/engine.md §1.5, §1.10, §2.5, §2.9).

These tests need the server, so they take ``mysql_connection`` directly (no SQLite variant).
Each side declares into its own schema; texts are compared with the schema name normalized.
"""

from __future__ import annotations

import datetime as dt
import decimal
import itertools
import os
import uuid
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import pipelines.core as dj

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # DataJoint warns about a missing datajoint.json on import
    import datajoint as oracle_dj

_counter = itertools.count()


@pytest.fixture(scope="module")
def oracle() -> Any:
    """DataJoint's own connection to the same MariaDB server."""
    oracle_dj.config["database.host"] = "127.0.0.1"
    oracle_dj.config["database.user"] = "root"
    oracle_dj.config["database.password"] = ""
    oracle_dj.config["database.use_tls"] = False
    oracle_dj.config["safemode"] = False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "MariaDB is not officially supported"
        return oracle_dj.conn(reset=True)


def _name(side: str) -> str:
    return f"jt_{side}_{os.getpid()}_{next(_counter)}_{uuid.uuid4().hex[:6]}"


@pytest.fixture
def schemas(mysql_connection: dj.Connection, oracle: Any) -> Iterator[tuple[Any, Any]]:
    """(Joinery schema, DataJoint schema), each with its own name, both dropped afterwards."""
    joinery = dj.Schema(_name("jo"), connection=mysql_connection)
    theirs = oracle_dj.Schema(_name("dj"), connection=oracle)
    try:
        yield joinery, theirs
    finally:
        joinery.drop(prompt=False)
        theirs.drop(prompt=False)


def _show_create(connection: Any, database: str, table: str) -> str:
    return str(connection.query(f"SHOW CREATE TABLE `{database}`.`{table}`").fetchone()[1])


def _lineage(connection: Any, database: str) -> list[tuple[str, str, str]]:
    rows = connection.query(
        f"SELECT table_name, attribute_name, lineage FROM `{database}`.`~lineage`"
    ).fetchall()
    return sorted((t, a, lineage.replace(database, "<db>")) for t, a, lineage in rows)


def _assert_same_tables(
    joinery: Any, theirs: Any, mysql_connection: dj.Connection, oracle: Any, tables: list[str]
) -> None:
    assert sorted(joinery.list_tables()) == sorted(tables)
    for table in [*tables, "~lineage"]:
        ours = _show_create(mysql_connection, joinery.database, table)
        reference = _show_create(oracle, theirs.database, table)
        assert ours == reference.replace(theirs.database, joinery.database), table
    assert _lineage(mysql_connection, joinery.database) == _lineage(oracle, theirs.database)


# ---- the same definitions, the same tables -------------------------------------------------


def _declare_session_example(module: Any, schema: Any) -> dict[str, Any]:
    """Spec §1.10's tables, declared with either client."""

    @schema
    class Subject(module.Manual):
        definition = """
        subject_id : int32 # subject number
        """

    @schema
    class User(module.Lookup):
        definition = """
        username : varchar(12)
        """
        contents = [{"username": "alice"}, {"username": "bob"}]

    @schema
    class Rig(module.Lookup):
        definition = """
        rig : varchar(8) # rig name
        """
        contents = [{"rig": "r1"}, {"rig": "r2"}]

    @schema
    class Session(module.Manual):
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


EVERY_TYPE = """
# every type
-> Subject
thing_id : int16
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
a_dt = CURRENT_TIMESTAMP : datetime
a_dt3 = null : datetime(3)
a_json = null : json
a_uuid = null : uuid
a_bytes = null : bytes
a_blob = null : <blob>
a_att = null : <attach>
native_int = null : int unsigned
index(a_int8, a_date)
unique index(a_vc)
"""


def _declare_every_type(module: Any, schema: Any) -> dict[str, Any]:
    @schema
    class Subject(module.Manual):
        definition = """
        subject_id : int32 # subject number
        """

    @schema
    class Thing(module.Manual):
        definition = EVERY_TYPE

        class Note(module.Part):
            definition = """
            -> master
            note_idx : int8
            ---
            text = null : varchar(100)
            """

    return {"Subject": Subject, "Thing": Thing}


def test_session_example_creates_the_same_tables_as_datajoint(
    schemas: tuple[Any, Any], mysql_connection: dj.Connection, oracle: Any
) -> None:
    joinery, theirs = schemas
    _declare_session_example(dj, joinery)
    _declare_session_example(oracle_dj, theirs)
    _assert_same_tables(
        joinery, theirs, mysql_connection, oracle, ["subject", "#user", "#rig", "session"]
    )


def test_every_type_creates_the_same_table_as_datajoint(
    schemas: tuple[Any, Any], mysql_connection: dj.Connection, oracle: Any
) -> None:
    joinery, theirs = schemas
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _declare_every_type(dj, joinery)
        _declare_every_type(oracle_dj, theirs)
    _assert_same_tables(
        joinery, theirs, mysql_connection, oracle, ["subject", "thing", "thing__note"]
    )


def test_describe_matches_datajoint(
    schemas: tuple[Any, Any], mysql_connection: dj.Connection, oracle: Any
) -> None:
    joinery, theirs = schemas
    ours = _declare_session_example(dj, joinery)
    reference = _declare_session_example(oracle_dj, theirs)
    session = ours["Session"].describe(context=ours)
    assert session == reference["Session"]().describe(context=reference)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = _declare_every_type(dj, joinery)
        reference = _declare_every_type(oracle_dj, theirs)
    assert ours["Thing"].describe(context=ours) == reference["Thing"]().describe(context=reference)
    assert ours["Thing"].Note.describe(context=ours) == reference["Thing"].Note().describe(
        context=reference
    )


def test_describe_of_a_key_only_table_matches_datajoint(
    schemas: tuple[Any, Any], mysql_connection: dj.Connection, oracle: Any
) -> None:
    joinery, theirs = schemas
    ours = _declare_session_example(dj, joinery)
    reference = _declare_session_example(oracle_dj, theirs)
    for name in ("Subject", "User", "Rig"):
        assert ours[name].describe(context=ours) == reference[name]().describe(context=reference)


# ---- each client reads what the other wrote ------------------------------------------------

TOKEN = uuid.UUID("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0")
BLOBS: list[Any] = [
    np.arange(6, dtype=np.float64).reshape(2, 3),
    np.array([1, -2, 3], dtype=np.int16),
    np.array([True, False]),
    {"nested": [1, 2.5, "three"]},
    "text",
]


def _rows(attachment: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    things = [
        {
            "subject_id": 1,
            "thing_id": 1,
            "a_int8": -3,
            "a_int16": 300,
            "a_int32": 2**31 - 1,
            "a_int64": -(2**40),
            "a_f32": 0.25,
            "a_f64": 1e-300,
            "a_bool": 0,
            "a_dec": decimal.Decimal("123.45"),
            "a_char": "zz",
            "a_vc": "naïve ✓",
            "a_enum": "y",
            "a_date": dt.date(1999, 12, 31),
            "a_dt": dt.datetime(2024, 2, 29, 12, 0, 1),
            "a_dt3": dt.datetime(2024, 2, 29, 23, 59, 59, 999000),
            "a_json": {"list": [1, None, "x"], "n": 2.5, "t": True},
            "a_uuid": TOKEN,
            "a_bytes": b"\x00raw\xff",
            "a_blob": BLOBS[0],
            "a_att": str(attachment),
            "native_int": 4000000000,
        }
    ]
    things += [
        {"subject_id": 1, "thing_id": 2 + i, "a_vc": f"blob{i}", "a_blob": value}
        for i, value in enumerate(BLOBS[1:])
    ]
    things.append({"subject_id": 2, "thing_id": 9, "a_vc": "defaults"})
    notes: list[dict[str, Any]] = [
        {"subject_id": 1, "thing_id": 1, "note_idx": 1, "text": "first"},
        {"subject_id": 1, "thing_id": 1, "note_idx": 2, "text": None},
    ]
    return things, notes


def _insert_rows(tables: dict[str, Any], attachment: Path) -> None:
    things, notes = _rows(attachment)
    tables["Subject"].insert([{"subject_id": 1}, {"subject_id": 2}])
    for row in things:  # rows differ in their fields: one insert each
        tables["Thing"].insert1(row)
    tables["Thing"].Note.insert(notes)


def _assert_same_values(left: Any, right: Any, where: str) -> None:
    if isinstance(left, np.ndarray) or isinstance(right, np.ndarray):
        assert isinstance(left, np.ndarray) and isinstance(right, np.ndarray), where
        assert left.dtype == right.dtype and left.shape == right.shape, where
        np.testing.assert_array_equal(left, right)
        return
    assert type(left) is type(right), (where, left, right)
    assert left == right, where


def _assert_same_rows(ours: list[dict[str, Any]], theirs: list[dict[str, Any]]) -> None:
    assert len(ours) == len(theirs)
    for number, (left, right) in enumerate(zip(ours, theirs, strict=True)):
        assert list(left) == list(right)
        for name in left:
            if name == "a_att":
                continue  # a local path under each client's download folder: compared apart
            _assert_same_values(left[name], right[name], f"row {number} `{name}`")


def _heading_fields(table: Any, *, codec_original_type: bool) -> list[tuple[Any, ...]]:
    return [
        (
            a.name,
            a.type,
            a.original_type if codec_original_type or a.codec is None else "-",
            a.in_key,
            a.nullable,
            a.default,
            a.comment,
            a.autoincrement,
            a.lineage.split(".", 1)[1] if a.lineage else None,
        )
        for a in table.heading.attributes.values()
    ]


def test_a_datajoint_schema_opens_in_joinery_with_the_same_headings_and_rows(
    schemas: tuple[Any, Any], mysql_connection: dj.Connection, tmp_path: Path
) -> None:
    _, theirs = schemas
    attachment = tmp_path / "upload" / "scan.dat"
    attachment.parent.mkdir()
    attachment.write_bytes(b"scan\x00bytes")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = _declare_every_type(oracle_dj, theirs)
    _insert_rows(reference, attachment)

    vm = dj.virtual_schema(theirs.database, connection=mysql_connection)
    pairs: list[tuple[Any, Any]] = [
        (vm.Subject, reference["Subject"]),
        (vm.Thing, reference["Thing"]),
        (vm.Thing.Note, reference["Thing"].Note),
    ]
    for ours, original in pairs:
        assert ours.heading.names == original.heading.names
        assert ours.primary_key == original.primary_key
        assert _heading_fields(ours, codec_original_type=False) == _heading_fields(
            original, codec_original_type=False
        )
    with mysql_connection.config.override(download_path=str(tmp_path / "ours")):
        fetched = vm.Thing.to_dicts(order_by="KEY")
    with oracle_dj.config.override(download_path=str(tmp_path / "theirs")):
        expected = reference["Thing"].to_dicts(order_by="KEY")
    _assert_same_rows(fetched, expected)
    assert Path(fetched[0]["a_att"]).read_bytes() == b"scan\x00bytes"
    assert Path(fetched[0]["a_att"]).name == "scan.dat"
    assert fetched[0]["a_dt"] == dt.datetime(2024, 2, 29, 12, 0, 1)
    _assert_same_rows(vm.Thing.Note.to_dicts(order_by="KEY"), reference["Thing"].Note.to_dicts())
    assert (vm.Thing & {"a_uuid": TOKEN}).fetch1("thing_id") == 1
    assert len(vm.Thing & {"a_dec": decimal.Decimal("123.45")}) == 1


def test_codec_attributes_report_original_type_as_datajoint_does(
    schemas: tuple[Any, Any], mysql_connection: dj.Connection
) -> None:
    _, theirs = schemas
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = _declare_every_type(oracle_dj, theirs)
    vm = dj.virtual_schema(theirs.database, connection=mysql_connection)
    assert _heading_fields(vm.Thing, codec_original_type=True) == _heading_fields(
        reference["Thing"], codec_original_type=True
    )


def test_a_joinery_schema_opens_in_datajoint_with_the_same_rows(
    schemas: tuple[Any, Any], oracle: Any, tmp_path: Path
) -> None:
    joinery, _ = schemas
    attachment = tmp_path / "upload" / "scan.dat"
    attachment.parent.mkdir()
    attachment.write_bytes(b"scan\x00bytes")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = _declare_every_type(dj, joinery)
    _insert_rows(ours, attachment)
    session = _declare_session_example(dj, joinery)
    session["Subject"].insert1({"subject_id": 3})
    for row in (
        {"subject_id": 3, "session_idx": 1, "session_date": "2024-05-06", "backup_rig": "r2"},
        {
            "subject_id": 3,
            "session_idx": 2,
            "session_date": dt.date(2024, 5, 7),
            "username": "bob",
            "backup_rig": "r1",
            "notes": "second",
            "score": 0.5,
        },
    ):
        session["Session"].insert1(row)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        vm = oracle_dj.virtual_schema(joinery.database, connection=oracle)
    with oracle_dj.config.override(download_path=str(tmp_path / "theirs")):
        expected = vm.Thing.to_dicts(order_by="KEY")
    with joinery.connection.config.override(download_path=str(tmp_path / "ours")):
        fetched = ours["Thing"].to_dicts(order_by="KEY")
    _assert_same_rows(fetched, expected)
    assert Path(expected[0]["a_att"]).read_bytes() == b"scan\x00bytes"
    assert expected[0]["a_dt"] == dt.datetime(2024, 2, 29, 12, 0, 1)
    _assert_same_rows(ours["Thing"].Note.to_dicts(order_by="KEY"), vm.Thing.Note.to_dicts())
    sessions = vm.Session.to_dicts(order_by="KEY")
    assert [s["username"] for s in sessions] == [None, "bob"]
    assert [s["session_date"] for s in sessions] == [dt.date(2024, 5, 6), dt.date(2024, 5, 7)]
    _assert_same_rows(session["Session"].to_dicts(order_by="KEY"), sessions)
    assert vm.Session.heading.primary_key == session["Session"].primary_key
    assert vm.User.to_dicts() == [{"username": "alice"}, {"username": "bob"}]


def test_rows_written_by_one_client_are_restricted_alike_by_the_other(
    schemas: tuple[Any, Any], mysql_connection: dj.Connection, tmp_path: Path
) -> None:
    _, theirs = schemas
    attachment = tmp_path / "scan.dat"
    attachment.write_bytes(b"x")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = _declare_every_type(oracle_dj, theirs)
    _insert_rows(reference, attachment)
    vm = dj.virtual_schema(theirs.database, connection=mysql_connection)
    restrictions: list[Callable[[Any], Any]] = [
        lambda t: t & {"a_date": "1999-12-31"},
        lambda t: t & {"a_uuid": str(TOKEN)},
        lambda t: t & "a_vc like 'blob%'",
        lambda t: t & "a_json is not null",
        lambda t: t - {"a_blob": None},
        lambda t: t & [{"thing_id": 2}, {"thing_id": 9}],
    ]
    for restrict in restrictions:
        ours = [row["thing_id"] for row in restrict(vm.Thing).keys(order_by="KEY")]
        expected = [row["thing_id"] for row in restrict(reference["Thing"]()).keys(order_by="KEY")]
        assert ours == expected
