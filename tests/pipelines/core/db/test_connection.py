# Table classes take instance methods at class level through their metaclass, as in DataJoint
# (`Subject.insert1(...)`); mypy cannot see that, so the codes it reports for them are off here.
# mypy: disable-error-code="call-arg, arg-type, attr-defined, index, comparison-overlap, truthy-function, union-attr, misc, call-overload"
"""``dj.Connection`` and ``dj.conn()`` (spec/engine.md §8.2, §8.3, §9.2) on SQLite and MariaDB.

Session state (close, reconnect, ping), transactions, driver error translation through
``conn.query``, and the shared default connection built from ``dj.config``.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import MySQLdb
import pytest

import pipelines.core as dj
from pipelines.core.db import default
from pipelines.core.settings import Config


def _config(**values: Any) -> Config:
    config = Config(environ={})
    config["safemode"] = False
    for key, value in values.items():
        config[key.replace("__", ".")] = value
    return config


def _url_of(connection: dj.Connection, tmp_path: Path) -> str:
    """A URL reaching the same server as ``connection`` (a fresh file for SQLite)."""
    a = connection.address
    if a.backend == "sqlite":
        return f"sqlite:///{tmp_path / 'own.sqlite3'}"
    return f"mysql://{a.user or ''}:{a.password or ''}@{a.host}:{a.port}"


@pytest.fixture
def own(conn: dj.Connection, tmp_path: Path) -> Iterator[dj.Connection]:
    """A private connection on the backend under test (safe to close and kill)."""
    connection = dj.Connection(url=_url_of(conn, tmp_path), config=_config())
    yield connection
    connection.close()


def _one(connection: dj.Connection, sql: str) -> Any:
    return connection.query(sql).fetchone()[0]


# ---- session -------------------------------------------------------------------------------


def test_connection_from_url_reports_its_target(own: dj.Connection, tmp_path: Path) -> None:
    if own.backend == "sqlite":
        target = f"sqlite:///{tmp_path / 'own.sqlite3'}"
        assert own.conn_info["path"] == str(tmp_path / "own.sqlite3")
    else:
        a = own.address
        target = f"{a.user}@{a.host}:{a.port}"
        assert own.conn_info["host"] == a.host
    assert repr(own) == f"Joinery connection (connected) {target}"
    assert own.describe_target() == target
    assert own.conn_info["backend"] == own.backend


def test_connected_connection_pings(own: dj.Connection) -> None:
    assert own.is_connected
    own.ping()
    assert _one(own, "SELECT 1 + 1") == 2


def test_close_disconnects_and_ping_says_closed(own: dj.Connection) -> None:
    own.close()
    assert not own.is_connected
    assert repr(own).startswith("Joinery connection (disconnected) ")
    with pytest.raises(dj.LostConnectionError, match=re.escape("Connection is closed.")):
        own.ping()
    own.close()  # closing twice is harmless


def test_query_after_close_reconnects(own: dj.Connection) -> None:
    own.close()
    assert _one(own, "SELECT 7") == 7
    assert own.is_connected


def test_connect_again_replaces_the_session(own: dj.Connection) -> None:
    own.start_transaction()
    own.connect()
    assert not own.in_transaction
    assert _one(own, "SELECT 3") == 3


def test_context_manager_closes(conn: dj.Connection, tmp_path: Path) -> None:
    with dj.Connection(url=_url_of(conn, tmp_path), config=_config()) as connection:
        assert connection.is_connected
    assert not connection.is_connected


def test_connections_to_the_same_target_are_equal(
    own: dj.Connection, conn: dj.Connection, tmp_path: Path
) -> None:
    other = dj.Connection(url=_url_of(conn, tmp_path), config=_config())
    try:
        assert other == own
        assert hash(other) == hash(own)
        assert other != "not a connection"
    finally:
        other.close()


def test_get_user(own: dj.Connection) -> None:
    if own.backend == "sqlite":
        assert own.get_user() == "sqlite"
    else:
        assert own.get_user().startswith(f"{own.address.user}@")


# ---- transactions ----------------------------------------------------------------------------


@pytest.fixture
def note(schema: dj.Schema) -> Any:
    @schema
    class Note(dj.Manual):
        definition = """
        note_id : int32
        ---
        text = '' : varchar(20)
        """

    return Note


def test_transaction_commits_on_success(conn: dj.Connection, note: Any) -> None:
    with conn.transaction as inside:
        assert inside is conn
        assert conn.in_transaction
        note.insert1({"note_id": 1})
        note.insert1({"note_id": 2})
    assert not conn.in_transaction
    assert sorted(k["note_id"] for k in note.to_dicts()) == [1, 2]


def test_transaction_rolls_back_on_exception(conn: dj.Connection, note: Any) -> None:
    note.insert1({"note_id": 9})
    with pytest.raises(ZeroDivisionError), conn.transaction:
        note.insert1({"note_id": 1})
        assert len(note()) == 2
        _ = 1 / 0
    assert not conn.in_transaction
    assert [k["note_id"] for k in note.to_dicts()] == [9]


def test_transaction_rolls_back_on_a_database_error(conn: dj.Connection, note: Any) -> None:
    with pytest.raises(dj.DuplicateError), conn.transaction:
        note.insert1({"note_id": 1})
        note.insert1({"note_id": 1})
    assert len(note()) == 0


def test_nested_transaction_is_refused(conn: dj.Connection, note: Any) -> None:
    conn.start_transaction()
    try:
        with pytest.raises(dj.DataJointError, match=r"^Nested connections are not supported\.$"):
            conn.start_transaction()
        with pytest.raises(dj.DataJointError, match="Nested connections"), conn.transaction:
            pass  # pragma: no cover - never entered
        assert conn.in_transaction
    finally:
        conn.cancel_transaction()
    assert not conn.in_transaction


def test_cancel_transaction_discards_the_rows(conn: dj.Connection, note: Any) -> None:
    conn.start_transaction()
    note.insert1({"note_id": 4})
    conn.cancel_transaction()
    assert not conn.in_transaction
    assert len(note()) == 0


def test_a_transaction_the_database_ended_itself_is_cancelled_quietly(
    conn: dj.Connection, note: Any
) -> None:
    """SQLite ends a transaction by itself after some errors (a lock timeout, a full disk): the
    caller's rollback must not fail, and the error that ended it is the one raised."""
    with pytest.raises(ZeroDivisionError), conn.transaction:
        note.insert1({"note_id": 6})
        conn.raw.cursor().execute("ROLLBACK")  # as the database does after such an error
        _ = 1 / 0
    assert not conn.in_transaction
    assert len(note()) == 0
    conn.start_transaction()  # the session goes on
    note.insert1({"note_id": 7})
    conn.commit_transaction()
    assert [k["note_id"] for k in note.to_dicts()] == [7]


def test_commit_transaction_keeps_the_rows(conn: dj.Connection, note: Any) -> None:
    conn.start_transaction()
    note.insert1({"note_id": 5, "text": "kept"})
    conn.commit_transaction()
    assert not conn.in_transaction
    assert note.fetch1("text") == "kept"


# ---- error translation ---------------------------------------------------------------------


@pytest.fixture
def tables(schema: dj.Schema) -> tuple[str, str]:
    """(parent, child) table references in the backend's SQL."""

    @schema
    class Parent(dj.Manual):
        definition = """
        parent_id : int32
        """

    @schema
    class Child(dj.Manual):
        definition = """
        -> Parent
        child_id : int16
        ---
        name : varchar(12)
        """

    Parent.insert1({"parent_id": 1})
    Child.insert1({"parent_id": 1, "child_id": 1, "name": "a"})
    ref = schema.connection.dialect.table_ref
    assert schema.database is not None
    return ref(schema.database, "parent"), ref(schema.database, "child")


TRANSLATED: list[tuple[str, type[Exception], int]] = [
    ("SELEC 1", dj.QuerySyntaxError, 2),
    ("SELECT * FROM {missing}", dj.MissingTableError, 2),
    ("INSERT INTO {child} (parent_id, child_id, name) VALUES (1, 1, 'b')", dj.DuplicateError, 1),
    ("INSERT INTO {child} (parent_id, child_id, name) VALUES (2, 1, 'b')", dj.IntegrityError, 1),
    ("DELETE FROM {parent}", dj.IntegrityError, 1),
    ("SELECT nope FROM {child}", dj.UnknownAttributeError, 1),
    ("INSERT INTO {child} (parent_id, nope) VALUES (1, 2)", dj.UnknownAttributeError, 1),
    ("INSERT INTO {child} (parent_id, child_id) VALUES (1, 2)", dj.MissingAttributeError, 1),
]


@pytest.mark.parametrize(
    ("template", "error_class", "arg_count"),
    TRANSLATED,
    ids=[f"{index}-{error_class.__name__}" for index, (_, error_class, _) in enumerate(TRANSLATED)],
)
def test_driver_errors_are_translated(
    conn: dj.Connection,
    schema: dj.Schema,
    tables: tuple[str, str],
    template: str,
    error_class: type[Exception],
    arg_count: int,
) -> None:
    parent, child = tables
    assert schema.database is not None
    missing = conn.dialect.table_ref(schema.database, "nope")
    sql = template.format(parent=parent, child=child, missing=missing)
    with pytest.raises(error_class) as caught:
        conn.query(sql)
    assert type(caught.value) is error_class
    assert len(caught.value.args) == arg_count
    assert isinstance(caught.value.__cause__, sqlite3.Error | MySQLdb.Error)
    assert _one(conn, "SELECT 1") == 1  # the session is still usable


def test_translated_error_classes_sit_in_the_hierarchy() -> None:
    for cls in (dj.QuerySyntaxError, dj.DuplicateError, dj.IntegrityError):
        assert issubclass(cls, dj.QueryError)
    assert not issubclass(dj.MissingTableError, dj.QueryError)
    assert issubclass(dj.MissingTableError, dj.DataJointError)


def test_unmapped_server_error_passes_through_unchanged(
    conn: dj.Connection, tables: tuple[str, str]
) -> None:
    _, child = tables
    if conn.backend == "sqlite":
        sql, driver_error = "SELECT abs(-9223372036854775808)", sqlite3.OperationalError
    else:  # 1406 "Data too long" in strict mode: not in the translation table
        sql = f"INSERT INTO {child} (parent_id, child_id, name) VALUES (1, 3, '{'x' * 40}')"
        driver_error = MySQLdb.DataError
    with pytest.raises(driver_error) as caught:
        conn.query(sql)
    assert not isinstance(caught.value, dj.DataJointError)
    assert caught.value.__cause__ is None


# ---- reconnection (MySQL: the server can end a session) -------------------------------------


@pytest.fixture
def killable(mysql_connection: dj.Connection, tmp_path: Path) -> Iterator[dj.Connection]:
    connection = dj.Connection(url=_url_of(mysql_connection, tmp_path), config=_config())
    yield connection
    connection.close()


def _kill(server: dj.Connection, victim: dj.Connection) -> None:
    server.query(f"KILL {int(_one(victim, 'SELECT CONNECTION_ID()'))}")


def test_killed_session_reconnects_outside_a_transaction(
    mysql_connection: dj.Connection, killable: dj.Connection
) -> None:
    before = _one(killable, "SELECT CONNECTION_ID()")
    _kill(mysql_connection, killable)
    assert _one(killable, "SELECT CONNECTION_ID()") != before


def test_killed_session_inside_a_transaction_raises(
    mysql_connection: dj.Connection, killable: dj.Connection
) -> None:
    killable.start_transaction()
    _kill(mysql_connection, killable)
    with pytest.raises(dj.LostConnectionError, match="lost during a transaction"):
        killable.query("SELECT 1")
    assert not killable.in_transaction
    assert _one(killable, "SELECT 5") == 5


def test_killed_session_without_reconnect_raises(
    mysql_connection: dj.Connection, killable: dj.Connection
) -> None:
    killable.config["database.reconnect"] = False
    _kill(mysql_connection, killable)
    with pytest.raises(dj.LostConnectionError):
        killable.query("SELECT 1")


def test_unreachable_server_names_user_host_and_port() -> None:
    with pytest.raises(dj.LostConnectionError, match=r"Connection failed nobody@127\.0\.0\.1:1"):
        dj.Connection(url="mysql://nobody:pw@127.0.0.1:1", config=_config())
    with pytest.raises(dj.LostConnectionError, match=r"Connection failed ghost@127\.0\.0\.1:1:"):
        dj.Connection("127.0.0.1:1", "ghost", "pw", config=_config())


def test_separate_arguments_fill_in_from_config() -> None:
    config = _config(database__user="cfg_user", database__port=1)
    with pytest.raises(dj.LostConnectionError, match=r"cfg_user@127\.0\.0\.1:1:"):
        dj.Connection("127.0.0.1", config=config)


# ---- dj.conn() -----------------------------------------------------------------------------


@pytest.fixture
def fresh_default() -> Iterator[None]:
    """Isolate ``dj.conn()``: its shared connection is restored afterwards."""
    saved = list(default._shared)
    default._shared.clear()
    try:
        yield
    finally:
        for connection in default._shared:
            if all(connection is not s for s in saved):
                connection.close()
        default._shared[:] = saved


def test_conn_reads_the_database_url_from_the_environment(
    conn: dj.Connection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_default: None
) -> None:
    url = _url_of(conn, tmp_path)
    monkeypatch.setattr(default, "config", Config(environ={"DJ_DATABASE_URL": url}))
    shared = dj.conn()
    assert shared.backend == conn.backend
    assert shared.config is default.config
    assert _one(shared, "SELECT 2") == 2
    assert dj.conn() is shared
    rebuilt = dj.conn(reset=True)
    assert rebuilt is not shared and rebuilt == shared
    shared.close()
    assert dj.conn() is rebuilt


def test_conn_reads_a_url_set_on_dj_config(
    conn: dj.Connection, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_default: None
) -> None:
    config = Config(environ={})
    config.database.url = _url_of(conn, tmp_path)
    monkeypatch.setattr(default, "config", config)
    assert dj.conn().backend == conn.backend


def test_conn_without_user_or_url_is_refused(
    monkeypatch: pytest.MonkeyPatch, fresh_default: None
) -> None:
    monkeypatch.setattr(default, "config", Config(environ={}))
    with pytest.raises(dj.DataJointError, match=r"^Database user not configured\."):
        dj.conn()
    assert default._shared == []


def test_conn_with_a_user_but_no_server_fails_to_connect(
    monkeypatch: pytest.MonkeyPatch, fresh_default: None
) -> None:
    config = Config(environ={"DJ_USER": "u1", "DJ_HOST": "127.0.0.1:1"})
    monkeypatch.setattr(default, "config", config)
    with pytest.raises(dj.LostConnectionError, match=r"u1@127\.0\.0\.1:1"):
        dj.conn()
