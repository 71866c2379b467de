"""``populate()``: call ``make`` once for every key of ``key_source`` not yet in the table (§5).

Concurrency. With a plain ``make`` the pending keys are made in commit groups (``grouped.py``):
consecutive keys share a transaction, so the framework adds well under one statement per key
around the user's ``make``, and each key stays all-or-nothing. Direct mode does not re-check
"already populated" per key. Another worker that made the same key first shows up as a
``DuplicateError`` when this ``make`` inserts the master row (the primary key is the arbiter):
the key is then rolled back and skipped, counted neither as success nor error. Only a
``DuplicateError`` for a key that really is in the table now is treated so; any other one is an
ordinary error. With ``reserve_jobs=True`` the job queue hands each key to one worker; the
"already populated" check runs inside the transaction, as in DataJoint, and the jobs are marked
complete inside it too, so rows and job completions commit together. A failed key's job is
marked after the rollback. Generator/tripartite makes, which must not hold a transaction while
they compute, have one transaction per key (``_populate1``).
"""

from __future__ import annotations

import contextlib
import inspect
import logging
import signal
import threading
import time
import traceback
from collections.abc import Callable, Generator, Iterator
from datetime import datetime
from typing import Any

from ..errors import DataJointError, DuplicateError, LockTimeoutError, LostConnectionError
from ..query.coerce import AndList
from ..schema import classes, tiers
from ..schema.diagram import Diagram
from ..schema.expression import QueryExpression
from ..schema.table import FreeTable, Table
from . import workers
from .grouped import run_in_groups
from .heartbeat import Heartbeat
from .job_stamp import JobStamp
from .jobs import JobTable
from .make import run_make
from .outcome import FAILED, SKIPPED, SUCCESS, MakeState, Outcome, RunSettings
from .progress import NullSink, ProgressSink, StopPopulate, TqdmSink

logger = logging.getLogger("pipelines.core")


class AutoPopulate(Table):
    """The ``populate()`` machinery shared by ``Imported`` and ``Computed``."""

    # --- what to compute -------------------------------------------------------------------------
    def _default_key_source(self) -> QueryExpression:
        """The join of the primary-key parents, each projected to its primary key (§5.2)."""
        cached = self.__dict__.get("_key_source_cache")
        if cached is not None:
            return cached  # type: ignore[no-any-return]
        parents = self.parents(primary=True, foreign_key_info=True)
        if not parents:
            raise DataJointError(
                "A table must have dependencies from its primary key for auto-populate to work"
            )
        result: QueryExpression | None = None
        for name, props in parents:
            parent = FreeTable(self.connection, name)
            renames = {a: r for a, r in props["attr_map"].items() if a != r}
            projected = parent.proj(**renames) if props["aliased"] else parent.proj()
            result = projected if result is None else result * projected
        assert result is not None
        self.__dict__["_key_source_cache"] = result
        return result

    def _key_source_query(self) -> QueryExpression:
        """``key_source`` as a query, whether a property, a table class or a query attribute."""
        member = inspect.getattr_static(type(self), "key_source")
        if isinstance(member, tiers.ClassLevel):
            member = member.member
        value = member.__get__(self, type(self)) if isinstance(member, property) else member
        if isinstance(value, type) and issubclass(value, QueryExpression):
            value = value()
        if not isinstance(value, QueryExpression):
            raise DataJointError("Invalid key_source value")
        return value

    def _todo(self, restrictions: tuple[Any, ...]) -> QueryExpression:
        """``(key_source & restrictions).proj()``, after the checks of §5.4 and §5.6."""
        if self.is_restricted:
            raise DataJointError(
                "Cannot call populate on a restricted table. Instead, pass conditions to "
                "populate() as arguments."
            )
        source = self._key_source_query()
        names = self.heading.names
        for name in source.heading.primary_key:
            if name not in names:
                raise DataJointError(
                    f"The populate target lacks attribute {name} from the primary key of key_source"
                )
        return (source & AndList(restrictions)).proj()

    # --- the job queue ---------------------------------------------------------------------------
    @property
    def jobs(self) -> JobTable:
        cached = self.__dict__.get("_job_table")
        if cached is None:
            cached = JobTable(self)
            self.__dict__["_job_table"] = cached
        return cached

    # --- make --------------------------------------------------------------------------------------
    def _tripartite_make(
        self, key: dict[str, Any], **make_kwargs: Any
    ) -> Generator[Any, Any, None]:
        """The tripartite ``make``: ``make_fetch`` -> ``make_compute`` -> ``make_insert`` (§5.3)."""
        stages = [getattr(self, n, None) for n in ("make_fetch", "make_compute", "make_insert")]
        if any(stage is None for stage in stages):
            raise NotImplementedError(
                "Subclasses of AutoPopulate must implement the method `make` or (`make_fetch` + "
                "`make_compute` + `make_insert`)"
            )
        make_fetch, make_compute, make_insert = stages
        fetched = make_fetch(key, **make_kwargs)  # type: ignore[misc]
        computed = yield fetched
        if computed is None:  # the first run: compute, hand the result back
            computed = make_compute(key, *fetched)  # type: ignore[misc]
            yield computed
        make_insert(key, *computed)  # type: ignore[misc]
        yield

    # Typed loosely on purpose: users override them with their own signatures, a query class or
    # a query (``make(self, key)``, ``key_source = Session``).
    key_source: Any = property(_default_key_source)
    make: Callable[..., Any] = _tripartite_make

    @property
    def upstream(self) -> Diagram:
        """Inside ``make``: the rows upstream of the current key (``Diagram.trace(self & key)``).

        ``self.upstream[Ancestor]`` is the ancestor restricted to the rows the key reaches along
        any foreign-key path; built on first use, once per key.
        """
        state: MakeState | None = self.__dict__.get("_make_state")
        if state is None:
            raise DataJointError("upstream is only available inside make().")
        if state.upstream is None:
            state.upstream = Diagram.trace(self & state.key)
        return state.upstream  # type: ignore[no-any-return]

    def progress_update(self, fraction: float, message: str = "") -> None:
        """Inside ``make``: report how far the current key is (to the run's progress sink)."""
        state: MakeState | None = self.__dict__.get("_make_state")
        if state is None:
            raise DataJointError("progress_update is only available inside make().")
        state.sink.key_progress(state.key, fraction, message)

    def _check_insert_allowed(self, allow_direct_insert: bool | None) -> None:
        if self.__dict__.get("_make_state") is not None:
            return
        super()._check_insert_allowed(allow_direct_insert)

    # --- populate ----------------------------------------------------------------------------------
    def populate(
        self,
        *restrictions: Any,
        suppress_errors: bool = False,
        return_exception_objects: bool = False,
        reserve_jobs: bool = False,
        max_calls: int | None = None,
        display_progress: bool = False,
        processes: int | None = 1,
        make_kwargs: dict[str, Any] | None = None,
        priority: int | None = None,
        refresh: bool | None = None,
        progress_sink: ProgressSink | None = None,
    ) -> dict[str, Any]:
        """Make every pending key; returns ``{"success_count": n, "error_list": [...]}``."""
        if self.connection.in_transaction:
            raise DataJointError("Populate cannot be called during a transaction.")
        todo = self._todo(restrictions)
        jobs = self.jobs if reserve_jobs else None
        if jobs is None:
            keys = (todo - self.proj()).keys(limit=max_calls)
        else:
            keys = self._reserve_candidates(jobs, restrictions, max_calls, priority, refresh)
        sink = progress_sink or (TqdmSink() if display_progress else NullSink())
        settings = RunSettings(
            suppress_errors, return_exception_objects, dict(make_kwargs or {}), jobs, sink
        )
        if JobStamp.applies_to(self):
            settings.stamp = JobStamp(self)
        result: dict[str, Any] = {"success_count": 0, "error_list": []}
        sink.started(self.class_name, len(keys))
        try:
            with _sigterm_as_exit(jobs is not None):
                count = workers.worker_count(processes, len(keys))
                if count > 1:
                    outcomes = workers.run_in_processes(self, keys, settings, count)
                else:
                    outcomes = self._run_here(keys, settings)
                for outcome in outcomes:
                    _tally(result, outcome)
        finally:
            sink.finished(result["success_count"], len(result["error_list"]))
        return result

    def _reserve_candidates(
        self,
        jobs: JobTable,
        restrictions: tuple[Any, ...],
        max_calls: int | None,
        priority: int | None,
        refresh: bool | None,
    ) -> list[dict[str, Any]]:
        if refresh is None:
            refresh = bool(self.connection.config["jobs.auto_refresh"])
        jobs.declare()
        if refresh:
            _refresh_or_carry_on(jobs, restrictions, priority)
        jobs.reclaim_stale()
        return jobs.pending_keys(*restrictions, priority=priority, limit=max_calls)

    def _run_here(
        self,
        keys: list[dict[str, Any]],
        settings: RunSettings,
        heartbeat: Heartbeat | None = None,
    ) -> Iterator[Outcome]:
        """Make the keys in this process: in commit groups with a plain ``make``, one
        transaction each with a generator ``make``; under a heartbeat with a job queue."""
        if heartbeat is None and settings.jobs is not None:
            with Heartbeat(settings.jobs) as own:
                yield from self._run_here(keys, settings, own)
            return
        make = self._make_method()
        if not inspect.isgeneratorfunction(make):
            yield from run_in_groups(self, keys, settings, make, self._make_failed, heartbeat)
            return
        for key in keys:
            if heartbeat is not None:
                heartbeat.track(key)
            try:
                yield self._populate1(key, settings)
            finally:
                if heartbeat is not None:
                    heartbeat.track(None)

    # --- one key -----------------------------------------------------------------------------------
    def _make_method(self) -> Callable[..., Any]:
        return getattr(self, "_make_tuples", None) or self.make

    def _populate1(self, key: dict[str, Any], settings: RunSettings) -> Outcome:
        """Make one key in its own transaction (§5.5)."""
        jobs = settings.jobs
        if jobs is not None and not jobs.reserve(key):
            return SKIPPED, key, None, 0.0
        make = self._make_method()
        generator = inspect.isgeneratorfunction(make)
        connection = self.connection
        start = time.monotonic()
        if not generator:
            connection.start_transaction()
        if (generator or jobs is not None) and key in self:
            if not generator:
                connection.cancel_transaction()
            if jobs is not None:
                jobs.complete(key)
            return SKIPPED, key, None, 0.0
        self.__dict__["_make_state"] = MakeState(key, settings.sink)
        started = time.time()
        try:
            settings.sink.key_started(key)
            run_make(make, key, settings.make_kwargs, connection)
            duration = time.monotonic() - start
            if settings.stamp is not None:
                settings.stamp(key, started, duration)
        except BaseException as error:
            return self._make_failed(key, error, settings)
        finally:
            self.__dict__.pop("_make_state", None)
        if jobs is not None:  # in the key's transaction: the result and its job commit together
            jobs.complete(key, duration=duration)
        connection.commit_transaction()
        settings.sink.key_done(key, duration)
        return SUCCESS, key, None, duration

    def _make_failed(
        self, key: dict[str, Any], error: BaseException, settings: RunSettings
    ) -> Outcome:
        """Roll the key back, record the error; re-raise unless errors are suppressed."""
        connection = self.connection
        with contextlib.suppress(LostConnectionError):
            if connection.in_transaction:
                connection.cancel_transaction()
        if isinstance(error, StopPopulate):  # the run was stopped, the key did not fail
            if settings.jobs is not None:
                settings.jobs.release_many([key])
            raise error
        if settings.jobs is None and isinstance(error, DuplicateError) and key in self:
            return SKIPPED, key, None, 0.0  # another worker made this key first
        text = str(error)
        message = f"{type(error).__name__}: {text}" if text else type(error).__name__
        logger.error("Error making %s -> %s - %s", key, self.full_table_name, message)
        if settings.jobs is not None:
            stack = "".join(traceback.format_exception(error))
            settings.jobs.error(key, error_message=message, error_stack=stack)
        settings.sink.key_failed(key, error, message)
        if not settings.suppress_errors or isinstance(error, KeyboardInterrupt | SystemExit):
            raise error
        return FAILED, key, error if settings.return_exception_objects else message, 0.0

    # --- progress ----------------------------------------------------------------------------------
    def progress(self, *restrictions: Any, display: bool = False) -> tuple[int, int]:
        """``(remaining, total)`` keys of ``key_source`` (restricted), counted in one query."""
        todo = self._todo(restrictions)
        remaining, total = _count_remaining(todo, self.proj())
        if display:
            done = total - remaining
            logger.info(
                "%-20s Completed %d of %d (%2.1f%%)   %s",
                self.class_name,
                done,
                total,
                100 * done / total if total else 100.0,
                datetime.now().strftime("%Y-%m-%d %H:%M:%S"),
            )
        return remaining, total


def _count_remaining(todo: QueryExpression, target: QueryExpression) -> tuple[int, int]:
    """Distinct key_source keys, and those of them with no row in the target."""
    connection = todo.connection
    quote = connection.dialect.quote
    key = todo.primary_key
    if not key:
        total = 1 if todo else 0
        return (total if not target else 0), total
    source_sql, source_params = todo.compiler().sql(todo.node)
    target_sql, target_params = target.compiler().sql(target.node)
    columns = ",".join(quote(name) for name in key)
    on = " AND ".join(f"{quote('$ks')}.{quote(n)} = {quote('$tgt')}.{quote(n)}" for n in key)
    sql = (
        f"SELECT COUNT(*), COALESCE(SUM(CASE WHEN {quote('$tgt')}.{quote(key[0])} IS NULL "
        "THEN 1 ELSE 0 END), 0) "
        f"FROM (SELECT DISTINCT {columns} FROM ({source_sql}) AS {quote('$k')}) AS {quote('$ks')} "
        f"LEFT JOIN (SELECT DISTINCT {columns} FROM ({target_sql}) AS {quote('$t')}) "
        f"AS {quote('$tgt')} ON {on}"
    )
    total, remaining = connection.query(sql, [*source_params, *target_params]).fetchone()
    return int(remaining), int(total)


def _tally(result: dict[str, Any], outcome: Outcome) -> None:
    status, key, entry, _ = outcome
    if status == SUCCESS:
        result["success_count"] += 1
    elif status == FAILED:
        result["error_list"].append((key, entry))


def _refresh_or_carry_on(
    jobs: JobTable, restrictions: tuple[Any, ...], priority: int | None
) -> None:
    """Queue new keys. Many workers refreshing while others reserve can meet a server
    deadlock; the queue is shared, so this worker takes the jobs already queued instead of
    failing (another worker's refresh, or the next run, queues the rest)."""
    for attempt in range(3):
        try:
            jobs.refresh(*restrictions, priority=priority, delay=-1)
            return
        except Exception as error:
            if isinstance(error, DataJointError) and not isinstance(error, LockTimeoutError):
                raise  # a mistake (a bad restriction, a missing table), not contention
            logger.warning(
                "Refreshing the job queue failed (%s); attempt %d of 3", error, attempt + 1
            )
            if jobs.connection.in_transaction:
                jobs.connection.cancel_transaction()
            time.sleep(0.05 * (attempt + 1))


@contextlib.contextmanager
def _sigterm_as_exit(enabled: bool) -> Iterator[None]:
    """With a job queue, SIGTERM becomes ``SystemExit`` so the current job is recorded."""
    if not enabled or threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: Any) -> None:
        raise SystemExit(128 + signum)  # a numeric status: the process exits without printing

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


class Imported(AutoPopulate, tiers.Imported):
    """Filled by ``make()`` from data outside the database."""

    _prefix = "_"
    _tier = "Imported"


class Computed(AutoPopulate, tiers.Computed):
    """Filled by ``make()`` from upstream tables."""

    _prefix = "__"
    _tier = "Computed"


# Classes made for an existing schema (virtual modules) get the populate-capable tiers; the
# schema layer cannot import this one, so the tiers are registered from here.
classes.register_tier("Imported", Imported)
classes.register_tier("Computed", Computed)
