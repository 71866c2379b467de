"""The job queue of an auto-populated table: the hidden ``~~<table>`` table workers coordinate on.

The database is the only coordination point. ``refresh`` fills the queue with one set-based
statement, ``reserve`` takes a key with one conditional UPDATE (exactly one worker's UPDATE can
match a pending row), and a worker's ``Heartbeat`` keeps its reservation fresh so that
``reclaim_stale`` can hand the jobs of dead workers to others.

A job table DataJoint declared has no ``heartbeat_time`` column. Joinery shares such a queue
with DataJoint's workers on DataJoint's terms: reservations carry no heartbeat and are never
reclaimed by one (``refresh(orphan_timeout=…)`` releases them, as in DataJoint).
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import platform
import subprocess
from collections.abc import Iterator
from typing import Any

from ..db.catalog import strip_display_width
from ..db.connection import Connection
from ..db.insert import InsertTarget, encode_columns
from ..errors import DataJointError
from ..query.coerce import Not
from ..query.heading import Heading
from ..schema.declare import declare_table
from ..schema.expression import QueryExpression
from ..schema.table import FreeTable
from ..sql.key_list import keys_where

logger = logging.getLogger("pipelines.core")

STATUSES = ("pending", "reserved", "success", "error", "ignore")
ERROR_MESSAGE_LENGTH = 2047
TRUNCATION_APPENDIX = "...truncated"

HEARTBEAT = "heartbeat_time"
_JOB_ATTRIBUTES = f"""\
status          : enum('pending', 'reserved', 'success', 'error', 'ignore')
priority        : int8
created_time=CURRENT_TIMESTAMP(3) : datetime(3)
scheduled_time=CURRENT_TIMESTAMP(3) : datetime(3)
reserved_time=null  : datetime(3)
completed_time=null : datetime(3)
duration=null   : float64
error_message="" : varchar(2047)
error_stack=null : <blob>
user=""         : varchar(255)
host=""         : varchar(255)
pid=0           : int32
connection_id=0 : int64
version=""      : varchar(64)
{HEARTBEAT}=null : datetime(3)
INDEX (status, priority, scheduled_time)
"""

#: Columns a released reservation goes back to (the job is pending again, owned by nobody).
_UNRESERVED = (
    "`status`='pending', `reserved_time`=NULL, `host`='', `pid`=0, `connection_id`=0, `user`=''"
)


class _NativeTypeNotice(logging.Filter):
    """Drops the "consider a core type" notice: a job table's key columns have the native
    types of DataJoint's job tables on purpose, so both clients can share the queue."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Native type")


@contextlib.contextmanager
def _without_native_type_notices() -> Iterator[None]:
    notice = _NativeTypeNotice()
    logger.addFilter(notice)
    try:
        yield
    finally:
        logger.removeFilter(notice)


@functools.lru_cache(maxsize=4)
def job_version(method: str | None) -> str:
    """The code version recorded with each reservation (``jobs.version_method``)."""
    if method is None or method.lower() == "none":
        return ""
    if method != "git":
        raise DataJointError(f"Unknown jobs.version_method {method!r}: use 'git' or 'none'.")
    try:
        result = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return result.stdout.strip()[:64] if result.returncode == 0 else ""


def truncate_message(message: str) -> str:
    if len(message) <= ERROR_MESSAGE_LENGTH:
        return message
    return message[: ERROR_MESSAGE_LENGTH - len(TRUNCATION_APPENDIX)] + TRUNCATION_APPENDIX


class JobTable:
    """The job queue of one auto-populated table (``target.jobs``)."""

    def __init__(self, target: Any, *, connection: Connection | None = None) -> None:
        self.target = target
        self.database: str = target.database
        self._conn: Connection = connection if connection is not None else target.connection
        self.table_name = "~~" + target.table_name.lstrip("_")
        self._table = FreeTable(self._conn, f"`{self.database}`.`{self.table_name}`")

    # --- identity --------------------------------------------------------------------------------
    @property
    def connection(self) -> Connection:
        return self._conn

    @property
    def full_table_name(self) -> str:
        return self._table.full_table_name

    @property
    def table(self) -> FreeTable:
        """The job table as a query (declared on first use)."""
        self.declare()
        return self._table

    @property
    def is_declared(self) -> bool:
        if self._known_declared():
            return True
        declared = self._table.is_declared
        if declared:
            self._declared_generation = self._conn.metadata_generation
        return declared

    def _known_declared(self) -> bool:
        """Seen to exist since the connection's metadata last changed (no catalog query)."""
        return getattr(self, "_declared_generation", None) == self._conn.metadata_generation

    @property
    def primary_key(self) -> list[str]:
        return self.table.primary_key

    @property
    def has_heartbeat(self) -> bool:
        """Whether reservations carry a heartbeat (False in a job table DataJoint declared)."""
        return HEARTBEAT in self.table.heading.all_attributes

    def _set_heartbeat(self, value: str) -> str:
        """The ``, `heartbeat_time`=<value>`` assignment, or nothing without the column."""
        return f", `{HEARTBEAT}`={value}" if self.has_heartbeat else ""

    def __repr__(self) -> str:
        return f"JobTable({self.full_table_name})"

    # --- declaration -----------------------------------------------------------------------------
    def key_attributes(self) -> list[tuple[str, str]]:
        """(name, type) of the target's primary-key attributes that come from its parents."""
        heading, info = self.target._load()
        sql_types = {column.name: column.sql_type for column in info.columns}
        inherited = {
            column
            for fk in info.foreign_keys
            if all(heading.all_attributes[c].in_key for c in fk.columns)
            for column in fk.columns
        }
        result = []
        for name in heading.primary_key:
            if name not in inherited:
                logger.warning(
                    "Ignoring non-FK primary key attribute '%s' in jobs table for %s. "
                    "Job granularity will be degraded.",
                    name,
                    self.target.full_table_name,
                )
                continue
            uuid = heading.all_attributes[name].uuid
            result.append((name, "uuid" if uuid else strip_display_width(sql_types[name])))
        if not result:
            raise DataJointError(
                f"Cannot create jobs table for {self.target.full_table_name}: "
                "no FK-derived primary key attributes found."
            )
        return result

    @property
    def definition(self) -> str:
        keys = "".join(f"{name} : {sql_type}\n" for name, sql_type in self.key_attributes())
        header = f"# Job queue for {self.target.full_table_name}\n"
        return header + keys + "---\n" + _JOB_ATTRIBUTES

    def declare(self) -> None:
        """Create the job table unless it exists (safe to call any number of times)."""
        if self.is_declared:
            return
        try:
            with _without_native_type_notices():
                declare_table(
                    self._conn,
                    self.database,
                    self.table_name,
                    self.definition,
                    context={},
                    auto_populated=False,
                )
        except DataJointError:
            # Another worker may have declared it between the check and the CREATE.
            self._conn.invalidate_metadata()
            if not self._conn.catalog.table_exists(self.database, self.table_name):
                raise
        self._declared_generation = self._conn.metadata_generation

    def delete(self) -> None:
        if self.is_declared:
            self._table.delete_quick()

    def drop(self) -> None:
        self._table.drop_quick()

    # --- status views ----------------------------------------------------------------------------
    def _status(self, status: str) -> QueryExpression:
        return self.table & f"status='{status}'"

    @property
    def pending(self) -> QueryExpression:
        return self._status("pending")

    @property
    def reserved(self) -> QueryExpression:
        return self._status("reserved")

    @property
    def errors(self) -> QueryExpression:
        return self._status("error")

    @property
    def ignored(self) -> QueryExpression:
        return self._status("ignore")

    @property
    def completed(self) -> QueryExpression:
        return self._status("success")

    def progress(self) -> dict[str, int]:
        """Job counts per status, and their total (all zero before the table exists)."""
        counts = dict.fromkeys(STATUSES, 0)
        if self.is_declared:
            sql = f"SELECT `status`, COUNT(*) FROM {self._ref()} GROUP BY `status`"
            for status, count in self._conn.query(self._sql(sql)).fetchall():
                counts[str(status)] = int(count)
        return {**counts, "total": sum(counts.values())}

    def clear_errors(self) -> int:
        """Delete the error jobs so the next refresh can queue their keys again."""
        if not self.is_declared:
            return 0
        return self._delete(self.errors)

    def pending_keys(
        self, *restrictions: Any, priority: int | None = None, limit: int | None = None
    ) -> list[dict[str, Any]]:
        """Keys due now, most urgent first (lowest priority, then earliest scheduled)."""
        query = self.pending & f"scheduled_time <= {self._conn.dialect.now_sql()}"
        if priority is not None:
            query = query & f"priority <= {int(priority)}"
        if restrictions:  # they restrict key_source, as in populate without a queue
            todo = self._restricted_key_source(restrictions).proj() - self.target.proj()
            query = query.restrict(todo, semantic_check=False)
        rows = query.proj("priority", "scheduled_time").to_dicts(
            order_by=["priority", "scheduled_time"], limit=limit
        )
        key = self.primary_key
        return [{name: row[name] for name in key} for row in rows]

    # --- SQL plumbing ----------------------------------------------------------------------------
    def _ref(self) -> str:
        return self._conn.dialect.table_ref(self.database, self.table_name)

    def _sql(self, text: str) -> str:
        """Write identifiers with backticks; the dialect's quoting is swapped in here."""
        dialect = self._conn.dialect
        return text if dialect.quote("x") == "`x`" else text.replace("`", dialect.quote("")[0])

    def _where(self, query: QueryExpression) -> tuple[str, list[Any]]:
        """The WHERE text and parameters of a restriction of the job table itself."""
        select = query.compiler().build(query.node)
        if select.source != self._ref() or select.has_expressions or select.top is not None:
            raise DataJointError("Job table statements take restrictions of the job table only.")
        where = "AND".join(f"({w})" for w in select.where) or "1=1"
        return where, [value for _, value in select.where_params]

    def _key_where(self, key: dict[str, Any]) -> tuple[str, list[Any]]:
        return self._keys_where([key])

    def _keys_where(self, keys: list[dict[str, Any]]) -> tuple[str, list[Any]]:
        heading = self.table.heading
        return keys_where(self._conn.dialect, heading.attributes, self.primary_key, keys)

    def _delete(self, query: QueryExpression) -> int:
        where, params = self._where(query)
        return int(self._conn.query(f"DELETE FROM {self._ref()} WHERE {where}", params).rowcount)

    def _update(self, assignments: str, where: str, params: list[Any]) -> int:
        sql = f"UPDATE {self._ref()} SET {self._sql(assignments)} WHERE {where}"
        return int(self._conn.query(sql, params).rowcount)

    def _encode(self, values: dict[str, Any]) -> list[Any]:
        """Values encoded as the job table's columns store them (``error_stack`` is a blob)."""
        heading = self.table.heading
        fields = list(values)
        target = InsertTarget(
            self.database, self.table_name, Heading([heading.all_attributes[f] for f in fields])
        )
        columns = encode_columns(self._conn, target, fields, [[values[f]] for f in fields])
        return [column[0] for column in columns]

    # --- queue maintenance -----------------------------------------------------------------------
    def refresh(
        self,
        *restrictions: Any,
        delay: float = 0,
        priority: int | None = None,
        stale_timeout: float | None = None,
        orphan_timeout: float | None = None,
    ) -> dict[str, int]:
        """Queue new keys of key_source and clean out jobs whose keys vanished.

        Returns ``{added, removed, orphaned, re_pended}``.
        """
        self.declare()
        config = self._conn.config
        priority = int(config["jobs.default_priority"] if priority is None else priority)
        if stale_timeout is None:
            stale_timeout = float(config["jobs.stale_timeout"])
        key_source = self._key_source()
        restricted = self._restricted_key_source(restrictions)
        result = {"added": self._add(restricted, delay, priority), "removed": 0}
        result["re_pended"] = (
            self._re_pend(restricted, delay, priority) if config["jobs.keep_completed"] else 0
        )
        result["removed"] = self._remove_vanished(key_source, stale_timeout)
        result["orphaned"] = 0
        if orphan_timeout is not None and orphan_timeout > 0:
            result["orphaned"] = self._release(
                f"`reserved_time` < {self._conn.dialect.now_sql(-orphan_timeout)}", priority
            )
        return result

    def _key_source(self) -> QueryExpression:
        key_source: Any = getattr(self.target, "key_source")  # noqa: B009 (may be a class)
        if isinstance(key_source, type):
            key_source = key_source()
        if not isinstance(key_source, QueryExpression):
            raise DataJointError(f"The key_source of {self.target.full_table_name} is not a query.")
        return key_source

    def _restricted_key_source(self, restrictions: tuple[Any, ...]) -> QueryExpression:
        restricted = self._key_source()
        for restriction in restrictions:
            restricted = restricted & restriction
        return restricted

    def _add(self, key_source: QueryExpression, delay: float, priority: int) -> int:
        """One INSERT … SELECT of the new keys; keys queued meanwhile by others are skipped."""
        table = self._table
        new = (key_source.proj() - self.target.proj()).restrict(Not(table), semantic_check=False)
        select_sql, params = new.compiler().sql(new.node)
        dialect = self._conn.dialect
        key = dialect.quote_list(self.primary_key)
        columns = key + "," + dialect.quote_list(["status", "priority", "scheduled_time"])
        values = f"{key},'pending',{priority},{dialect.now_sql(delay)}"
        sql = (
            f"{dialect.insert_verb(replace=False, skip_duplicates=True)} INTO {self._ref()}"
            f"({columns}) SELECT {values} FROM ({select_sql}) AS {dialect.quote('$new')} "
            f"WHERE 1=1{dialect.skip_duplicates_clause(self._ref(), self.primary_key[0])}"
        )
        if dialect.read_committed_next and not self._conn.in_transaction:
            # Other workers insert results and reserve jobs meanwhile: read their tables
            # without locking rows, so that queueing does not deadlock with them.
            self._conn.query(dialect.read_committed_next)
        return int(self._conn.query(sql, params).rowcount)

    def _re_pend(self, key_source: QueryExpression, delay: float, priority: int) -> int:
        """Completed jobs whose result rows were deleted become pending again."""
        done = self.completed.restrict(key_source, semantic_check=False)
        done = done.restrict(Not(self.target), semantic_check=False)
        where, params = self._where(done)
        now = self._conn.dialect.now_sql()
        assignments = (
            f"{_UNRESERVED}{self._set_heartbeat('NULL')}, `priority`={priority}, "
            f"`created_time`={now}, `scheduled_time`={self._conn.dialect.now_sql(delay)}, "
            "`completed_time`=NULL, `duration`=NULL"
        )
        return self._update(assignments, where, params)

    def _remove_vanished(self, key_source: QueryExpression, stale_timeout: float) -> int:
        """Delete jobs whose key left the (unrestricted) key_source."""
        vanished = self.table.restrict(Not(key_source.proj()), semantic_check=False)
        finished = (vanished & "status in ('success', 'error')").restrict(
            Not(self.target.proj()), semantic_check=False
        )
        removed = self._delete(finished)
        if stale_timeout > 0:
            cutoff = self._conn.dialect.now_sql(-stale_timeout)
            stale = vanished & f"created_time < {cutoff}" & "status != 'ignore'"
            removed += self._delete(stale)
        return removed

    def _release(self, condition: str, priority: int | None = None) -> int:
        """Reserved jobs matching ``condition`` become pending again, due at once."""
        now = self._conn.dialect.now_sql()
        assignments = f"{_UNRESERVED}{self._set_heartbeat('NULL')}, `scheduled_time`={now}"
        if priority is not None:
            assignments += f", `priority`={int(priority)}"
        return self._update(assignments, self._sql(f"`status`='reserved' AND {condition}"), [])

    def reclaim_stale(self, timeout: float | None = None) -> int:
        """Jobs whose worker stopped beating for ``timeout`` seconds become pending again.

        A reservation that never had a heartbeat counts from its reserved_time. In a job table
        without heartbeats (DataJoint's) nothing is reclaimed: a slow worker is not a dead one.
        """
        if timeout is None:
            timeout = float(self._conn.config["jobs.heartbeat_timeout"])
        self.declare()
        if not self.has_heartbeat:
            return 0
        cutoff = self._conn.dialect.now_sql(-timeout)
        return self._release(f"COALESCE(`{HEARTBEAT}`, `reserved_time`) < {cutoff}")

    # --- one job ---------------------------------------------------------------------------------
    def reserve(self, key: dict[str, Any]) -> bool:
        """Take a pending, due job; True only for the one worker whose UPDATE matched it."""
        return bool(self.reserve_many([key]))

    def reserve_many(self, keys: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Take those of ``keys`` that are pending and due, in one atomic UPDATE; returns the
        keys this session now holds (the others went to other workers or are not due)."""
        if not keys:
            return []
        where, params = self._keys_where(keys)
        conn = self._conn
        now = conn.dialect.now_sql()
        assignments = (
            "`status`='reserved', `host`=%s, `pid`=%s, `connection_id`=%s, `user`=%s, "
            f"`version`=%s, `reserved_time`={now}{self._set_heartbeat(now)}"
        ).replace("%s", conn.dialect.placeholder)
        owner = [platform.node(), os.getpid(), *self._session(), self._version()]
        due = self._sql(f" AND `status`='pending' AND `scheduled_time` <= {now}")
        taken = self._update(assignments, f"({where}){due}", owner + params)
        if taken == 0:
            return []
        return list(keys) if taken == len(keys) else self._held_among(keys)

    def _held_among(self, keys: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Those of ``keys`` whose job this session holds now (values decoded alike)."""
        names = self.primary_key
        rows = [{name: key[name] for name in names} for key in keys]
        held = self.table & rows & {"status": "reserved", **self._holder()}
        mine = {tuple(row[name] for name in names) for row in held.proj().to_dicts()}
        return [key for key in keys if tuple(key[name] for name in names) in mine]

    def release_many(self, keys: list[dict[str, Any]]) -> int:
        """Jobs this session reserved and did not make go back to the queue, due at once."""
        if not keys:
            return 0
        where, params = self._keys_where(keys)
        now = self._conn.dialect.now_sql()
        unreserved = f"{_UNRESERVED}{self._set_heartbeat('NULL')}, `scheduled_time`={now}"
        assignments = self._sql(unreserved)
        holder = self._holder()
        mark = self._conn.dialect.placeholder
        mine = "".join(f" AND {self._conn.dialect.quote(name)}={mark}" for name in holder)
        condition = f"({where}) AND {self._sql('`status`')}='reserved'{mine}"
        return self._update(assignments, condition, [*params, *holder.values()])

    def _holder(self) -> dict[str, Any]:
        """The columns that say a reserved job is this session's (of this process, host)."""
        return {"connection_id": self._session()[0], "pid": os.getpid(), "host": platform.node()}

    def beat(self, key: dict[str, Any]) -> None:
        """Record that the worker holding this reserved job is alive."""
        self.beat_many([key])

    def beat_many(self, keys: list[dict[str, Any]]) -> None:
        """Record that the worker holding these reserved jobs is alive (one statement)."""
        if not keys or not self.has_heartbeat:
            return
        where, params = self._keys_where(keys)
        now = self._conn.dialect.now_sql()
        reserved = self._sql(" AND `status`='reserved'")
        self._update(f"`{HEARTBEAT}`={now}", f"({where}){reserved}", params)

    def complete(self, key: dict[str, Any], duration: float | None = None) -> None:
        self.complete_many([key], [duration])

    def complete_many(
        self, keys: list[dict[str, Any]], durations: list[float | None] | None = None
    ) -> None:
        """Mark jobs done: deleted, or kept as ``success`` with their durations
        (``jobs.keep_completed``)."""
        if not keys:
            return
        if not self._conn.config["jobs.keep_completed"]:
            where, params = self._keys_where(keys)
            self._conn.query(f"DELETE FROM {self._ref()} WHERE {where}", params)
            return
        placeholder = self._conn.dialect.placeholder
        assignments = (
            f"`status`='success', `completed_time`={self._conn.dialect.now_sql()}, "
            f"`duration`={placeholder}{self._set_heartbeat('NULL')}"
        )
        for key, duration in zip(keys, durations or [None] * len(keys), strict=True):
            where, params = self._key_where(key)
            self._update(assignments, where, [duration, *params])

    def error(
        self, key: dict[str, Any], error_message: str, error_stack: str | None = None
    ) -> None:
        """Mark the job failed, keeping the message (cut to fit) and the traceback."""
        message = truncate_message(error_message)
        stack = self._encode({"error_stack": error_stack})[0] if error_stack is not None else None
        where, params = self._key_where(key)
        placeholder = self._conn.dialect.placeholder
        assignments = (
            f"`status`='error', `completed_time`={self._conn.dialect.now_sql()}, "
            f"`error_message`={placeholder}, `error_stack`={placeholder}"
            f"{self._set_heartbeat('NULL')}"
        )
        if self._update(assignments, where, [message, stack, *params]) == 0:
            row = {"status": "error", "error_message": message, "error_stack": error_stack}
            self._insert_job(key, row)

    def ignore(self, key: dict[str, Any]) -> None:
        """Mark the key so no worker takes it (queued if it was not)."""
        where, params = self._key_where(key)
        if self._update("`status`='ignore'", where, params) == 0:
            self._insert_job(key, {"status": "ignore"})

    def _insert_job(self, key: dict[str, Any], values: dict[str, Any]) -> None:
        row = {name: key[name] for name in self.primary_key}
        row.update(priority=self._conn.config["jobs.default_priority"], **values)
        self._table.insert1(row, skip_duplicates=True)

    def _session(self) -> tuple[int, str]:
        """The server's id and user of this session, asked once per (re)connection."""
        cached = self.__dict__.get("_session_cache")
        raw = self._conn.raw
        if cached is None or cached[0] is not raw:
            cached = (raw, self._conn.server_connection_id(), self._conn.get_user())
            self._session_cache = cached
        return int(cached[1]), str(cached[2])

    def _version(self) -> str:
        return job_version(self._conn.config["jobs.version_method"])
