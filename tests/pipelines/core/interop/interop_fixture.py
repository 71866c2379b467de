# Table classes take instance methods at class level through their metaclass, as in DataJoint
# (`Subject.insert1(...)`); mypy cannot see that, so the codes it reports for them are off here.
# mypy: disable-error-code="call-arg, arg-type, attr-defined, index, misc, call-overload, name-defined, valid-type"
"""The example pipeline of the interop suite, written once and declared by either client.

``declare(module, schema)`` takes ``pipelines.core`` (Joinery) or ``datajoint`` (the 2.3.5
oracle) as ``module``, so both clients declare the very same definitions and run the very same
``make``. The pipeline has what the issue asks to round-trip: a Lookup with contents, a nullable
FK, a renamed FK in the primary key (``-> Person.proj(parent="person_id")``) and a renamed
nullable one, a master with a part, blobs (arrays, nested dicts, record arrays, MATLAB structs),
json, and a Computed table with a part whose ``make`` fails for one parameter (so job tables get
``error`` rows too). ``extend(module, upstream, inside, downstream)`` declares tables that
reference the pipeline, in its schema and in another. ``fill`` inserts the example rows;
``filled_pipeline`` and ``open_pipeline`` set up and open both schemas with either client. The
rest are comparison helpers.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import uuid
import warnings
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import numpy as np

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # DataJoint warns about a missing datajoint.json on import
    import datajoint as oracle_dj

TABLES = [
    "#lab",
    "person",
    "parent",
    "session",
    "session__trial",
    "#param",
    "__analysis",
    "__analysis__per_trial",
]
_counter = itertools.count()


def unique_name(side: str) -> str:
    """A schema name no other test (or test process) uses."""
    return f"jt_io{side}_{os.getpid()}_{next(_counter)}_{uuid.uuid4().hex[:6]}"


def oracle_connection() -> Any:
    """DataJoint's own connection to the same MariaDB server, prompts off."""
    oracle_dj.config["database.host"] = "127.0.0.1"
    oracle_dj.config["database.user"] = "root"
    oracle_dj.config["database.password"] = ""
    oracle_dj.config["database.use_tls"] = False
    oracle_dj.config["safemode"] = False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "MariaDB is not officially supported"
        return oracle_dj.conn(reset=True)


def analysis_make(analysis: Any, param: Any, trial: Any, key: dict[str, Any]) -> None:
    """One Analysis row and one PerTrial row per trial; a negative scale is an error."""
    scale = float((param & key).fetch1("scale"))
    if scale < 0:
        raise ValueError(f"negative scale {scale}")
    trials = (trial & key).to_dicts(order_by="trial_idx")
    peaks = [float(np.max(t["signal"])) * scale for t in trials]
    analysis.insert1(
        {
            **key,
            "n_trials": len(trials),
            "summary": {
                "peaks": np.array(peaks),
                "scale": scale,
                "trials": [t["trial_idx"] for t in trials],
                "nested": {"mean": float(np.mean(peaks)) if peaks else None},
            },
            "report": {"scale": scale, "peaks": peaks, "labels": ["a", "b"]},
        }
    )
    analysis.PerTrial.insert(
        {**key, "trial_idx": t["trial_idx"], "peak": peak}
        for t, peak in zip(trials, peaks, strict=True)
    )


def declare(module: Any, schema: Any) -> SimpleNamespace:
    """The pipeline, declared in ``schema`` with ``module`` (Joinery or DataJoint)."""

    @schema
    class Lab(module.Lookup):
        definition = """
        # a lab
        lab : varchar(16)          # lab name
        ---
        address = '' : varchar(100)
        """
        contents = [{"lab": "north", "address": "1 North Rd"}, {"lab": "south", "address": ""}]

    @schema
    class Person(module.Manual):
        definition = """
        person_id : int32
        ---
        name : varchar(40)
        -> [nullable] Lab
        """

    @schema
    class Parent(module.Manual):
        definition = """
        # who is whose parent
        -> Person
        -> Person.proj(parent="person_id")
        """

    @schema
    class Session(module.Manual):
        definition = """
        -> Person
        session_idx : int16
        ---
        session_date : date
        -> [nullable] Person.proj(experimenter="person_id")
        settings = null : json
        raw = null : <blob>
        """

        class Trial(module.Part):
            definition = """
            -> master
            trial_idx : int16
            ---
            signal : <blob>
            meta = null : json
            """

    @schema
    class Param(module.Lookup):
        definition = """
        param_id : int8
        ---
        scale : float64
        """
        contents = [{"param_id": 1, "scale": 2.0}, {"param_id": 2, "scale": -1.0}]

    @schema
    class Analysis(module.Computed):
        definition = """
        -> Session
        -> Param
        ---
        n_trials : int32
        summary : <blob>
        report = null : json
        """

        class PerTrial(module.Part):
            definition = """
            -> master
            -> Session.Trial
            ---
            peak : float64
            """

        def make(self, key: dict[str, Any]) -> None:
            analysis_make(self, Param(), Session.Trial(), key)

    return SimpleNamespace(
        Lab=Lab, Person=Person, Parent=Parent, Session=Session, Param=Param, Analysis=Analysis
    )


def extend(module: Any, upstream: SimpleNamespace, inside: Any, downstream: Any) -> SimpleNamespace:
    """Tables that reference the pipeline (``upstream``, classes of ``module``'s client):
    ``Review`` in the pipeline's own schema (``inside``), ``Total`` in another (``downstream``)."""
    Person, Analysis = upstream.Person, upstream.Analysis  # noqa: F841 (read by the definitions)

    @inside
    class Review(module.Manual):
        definition = """
        -> Analysis.PerTrial
        -> Person.proj(reviewer="person_id")
        ---
        verdict : enum('good', 'bad')
        comments = null : json
        """

    @downstream
    class Total(module.Computed):
        definition = """
        -> Analysis
        ---
        total : float64
        """

        def make(self, key: dict[str, Any]) -> None:
            peaks = (Analysis.PerTrial & key).to_dicts()
            self.insert1({**key, "total": float(sum(p["peak"] for p in peaks))})

    return SimpleNamespace(Review=Review, Total=Total)


REVIEWS = [
    {"person_id": 1, "session_idx": 1, "param_id": 1, "trial_idx": 1, "reviewer": 2},
    {"person_id": 1, "session_idx": 2, "param_id": 1, "trial_idx": 2, "reviewer": 3},
    {"person_id": 3, "session_idx": 1, "param_id": 1, "trial_idx": 1, "reviewer": 1},
    {"person_id": 2, "session_idx": 1, "param_id": 1, "trial_idx": 2, "reviewer": 4},
]


def review_rows() -> list[dict[str, Any]]:
    verdicts = ["good", "bad", "good", "bad"]
    comments = [{"why": ["noise", 3]}, None, "ok", [1.5, None]]
    return [
        {**row, "verdict": verdict, "comments": comment}
        for row, verdict, comment in zip(REVIEWS, verdicts, comments, strict=True)
    ]


# ---- the rows the pipeline is filled with ----------------------------------------------------

PERSONS = [
    {"person_id": 1, "name": "Ada", "lab": "north"},
    {"person_id": 2, "name": "Ben", "lab": None},
    {"person_id": 3, "name": "Cy", "lab": "south"},
    {"person_id": 4, "name": "Di", "lab": None},
]
PARENTS = [
    {"person_id": 3, "parent": 1},
    {"person_id": 3, "parent": 2},
    {"person_id": 4, "parent": 3},
    {"person_id": 2, "parent": 1},
]


def struct_value(module: Any) -> Any:
    """A 1x2 MATLAB struct of the client's own ``MatStruct`` class."""
    records = np.empty((1, 2), dtype=[("name", object), ("value", object)])
    records[0, 0] = ("x", np.array([1.0, 2.0]))
    records[0, 1] = ("y", np.int32(7))
    return records.view(module.MatStruct)


def blob_values(module: Any) -> list[Any]:
    """Values of the ``raw`` blob, one per session: arrays, nested dicts, records, a struct."""
    return [
        np.arange(12, dtype=np.float64).reshape(3, 4),
        {"gain": np.array([1, -2, 3], dtype=np.int16), "nested": {"on": True, "tags": ["a", 1]}},
        np.rec.array(
            [(1, 2.5, "p"), (2, -0.5, "q")], dtype=[("n", "<i4"), ("x", "<f8"), ("s", "O")]
        ),
        struct_value(module),
        None,
        (np.uint8(3), "text", 2.5, [np.array([[1, 2]], dtype=np.int64)]),
    ]


def session_rows(module: Any) -> list[dict[str, Any]]:
    raws = blob_values(module)
    rows: list[dict[str, Any]] = []
    for number, (person, idx) in enumerate([(1, 1), (1, 2), (2, 1), (3, 1), (3, 2), (4, 1)]):
        rows.append(
            {
                "person_id": person,
                "session_idx": idx,
                "session_date": dt.date(2024, 1, 1) + dt.timedelta(days=number),
                "experimenter": [None, 2, 1, None, 4, 3][number],
                "settings": [
                    {"rate": 30000, "channels": [1, 2, 3], "ok": True},
                    None,
                    [1, "two", None, 3.5],
                    {"nested": {"deep": {"x": -1}}},
                    "plain string",
                    {"unicode": "naïve ✓"},
                ][number],
                "raw": raws[number],
            }
        )
    return rows


def trial_rows() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for person, idx in [(1, 1), (1, 2), (2, 1), (3, 1), (3, 2), (4, 1)]:
        for trial in range(1, 3 if person != 4 else 1):  # person 4's session has no trial
            signal = np.sin(np.arange(8) * (person + idx + trial)).reshape(2, 4)
            meta = {"trial": trial, "flags": [True, False]} if trial == 1 else None
            rows.append(
                {
                    "person_id": person,
                    "session_idx": idx,
                    "trial_idx": trial,
                    "signal": signal,
                    "meta": meta,
                }
            )
    return rows


def fill(module: Any, pipeline: SimpleNamespace) -> None:
    """Insert the example rows with the client that declared ``pipeline``."""
    pipeline.Person.insert(PERSONS)
    pipeline.Parent.insert(PARENTS)
    for row in session_rows(module):  # rows of several shapes: one insert each
        pipeline.Session.insert1(row)
    pipeline.Session.Trial.insert(trial_rows())


#: Queries over nullable and renamed attributes, json and the Computed part, written for
#: either client's tables (``p`` is a pipeline namespace).
QUERIES: list[Callable[[Any], Any]] = [
    lambda p: p.Person & "lab IS NULL",
    lambda p: p.Lab.aggr(p.Person, n="count(person_id)"),
    lambda p: p.Parent & {"parent": 1},
    lambda p: p.Person.proj(parent="person_id", parent_name="name") * p.Parent,
    lambda p: p.Session & "experimenter IS NOT NULL",
    lambda p: p.Session * p.Person.proj(experimenter="person_id", boss="name"),
    lambda p: p.Analysis.PerTrial & "peak > 1",
    lambda p: p.Session.Trial & "JSON_EXTRACT(meta, '$.trial') = 1",
]


# ---- a pipeline in two schemas, opened by either client -----------------------------------


def open_pipeline(
    module: Any, connection: Any, pipeline_db: str, extension_db: str
) -> SimpleNamespace:
    """The pipeline and its extension as ``module``'s client sees them (declared if missing)."""
    inside = module.Schema(pipeline_db, connection=connection)
    pipeline = declare(module, inside)
    downstream = module.Schema(extension_db, connection=connection)
    return SimpleNamespace(**vars(pipeline), **vars(extend(module, pipeline, inside, downstream)))


def all_tables(pipeline: SimpleNamespace) -> dict[str, Any]:
    """Every table of a pipeline namespace by name, parts included."""
    found = {name: table for name, table in vars(pipeline).items() if name[0].isupper()}
    found["Session.Trial"] = pipeline.Session.Trial
    found["Analysis.PerTrial"] = pipeline.Analysis.PerTrial
    return found


def filled_pipeline(
    new_schema: Callable[[Any, str], Any], declared_by: Any, extended_by: Any, connection: Any
) -> tuple[str, str]:
    """Schemas with the pipeline declared, filled and populated by ``declared_by``, extended
    (Review rows, Totals) by ``extended_by`` through ``connection``; returns their names."""
    schema = new_schema(declared_by, "p")
    downstream = new_schema(extended_by, "x")
    pipeline = declare(declared_by, schema)
    fill(declared_by, pipeline)
    pipeline.Analysis.populate(suppress_errors=True)
    extension = open_pipeline(extended_by, connection, schema.database, downstream.database)
    extension.Review.insert(review_rows())
    extension.Total.populate()
    return schema.database, downstream.database


# ---- comparing what the clients see ----------------------------------------------------------


def assert_same_value(left: Any, right: Any, where: str = "") -> None:
    """Deep equality across clients: the same class names, dtypes, shapes and contents."""
    assert type(left).__name__ == type(right).__name__, (where, left, right)
    if isinstance(left, np.ndarray):
        assert (left.shape, left.dtype) == (right.shape, right.dtype), where
        if left.dtype.names:
            for name in left.dtype.names:
                assert_same_value(np.asarray(left[name]), np.asarray(right[name]), where)
        elif left.dtype == object:
            for mine, theirs in zip(left.ravel(), right.ravel(), strict=True):
                assert_same_value(mine, theirs, where)
        else:
            np.testing.assert_array_equal(left, right, err_msg=where)
    elif isinstance(left, dict):
        assert list(left) == list(right), where
        for name in left:
            assert_same_value(left[name], right[name], f"{where}.{name}")
    elif isinstance(left, list | tuple):
        assert len(left) == len(right), where
        for mine, theirs in zip(left, right, strict=True):
            assert_same_value(mine, theirs, where)
    else:
        assert left == right, (where, left, right)


def assert_same_rows(ours: list[dict[str, Any]], theirs: list[dict[str, Any]], name: str) -> None:
    assert len(ours) == len(theirs), name
    for number, (left, right) in enumerate(zip(ours, theirs, strict=True)):
        assert list(left) == list(right), name
        assert_same_value(left, right, f"{name} row {number}")


def rows(table: Any) -> list[dict[str, Any]]:
    """Every row of a table (either client), in primary-key order."""
    return list(table.to_dicts(order_by="KEY"))


def fetched(table: Any) -> list[dict[str, Any]]:
    """Every row through DataJoint's ``fetch(as_dict=True)`` (deprecated in 2.x, still used)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return list(table.fetch(as_dict=True, order_by="KEY"))


def contents(pipeline: SimpleNamespace) -> dict[str, list[dict[str, Any]]]:
    """The rows of every table of a pipeline namespace, by table name."""
    return {name: rows(table) for name, table in all_tables(pipeline).items()}


def sizes(found: dict[str, list[dict[str, Any]]]) -> dict[str, int]:
    """How many rows each table of ``contents`` has."""
    return {name: len(table_rows) for name, table_rows in found.items()}


def normalized(counts: dict[str, int], pipeline_db: str, extension_db: str) -> dict[str, int]:
    """Rows per table, keyed by full names with the two schema names as placeholders."""
    names = {f"`{pipeline_db}`.": "`<db>`.", f"`{extension_db}`.": "`<ext>`."}
    result = {}
    for table, count in counts.items():
        database = table[: table.index(".") + 1]
        result[names[database] + table[len(database) :]] = count
    return result


def heading_fields(table: Any) -> list[tuple[Any, ...]]:
    """What both clients' headings must agree on, the lineage without its schema name."""
    return [
        (
            a.name,
            a.type,
            a.in_key,
            a.nullable,
            a.default,
            a.comment,
            a.json,
            a.lineage.split(".", 1)[1] if a.lineage else None,
        )
        for a in table.heading.attributes.values()
    ]


def show_create(connection: Any, database: str, table: str) -> str:
    """SHOW CREATE TABLE with the schema name replaced by ``<db>``."""
    text = str(connection.query(f"SHOW CREATE TABLE `{database}`.`{table}`").fetchone()[1])
    return text.replace(database, "<db>")


def lineage_rows(connection: Any, database: str, *others: str) -> list[tuple[str, str, str]]:
    """The ``~lineage`` rows, ``database`` and each of ``others`` written as placeholders."""
    found = connection.query(
        f"SELECT table_name, attribute_name, lineage FROM `{database}`.`~lineage`"
    ).fetchall()
    names = {database: "<db>", **{other: f"<db{n}>" for n, other in enumerate(others, 1)}}
    result = []
    for table, attribute, lineage in found:
        schema, rest = lineage.split(".", 1)
        result.append((table, attribute, f"{names.get(schema, schema)}.{rest}"))
    return sorted(result)


def job_rows(connection: Any, database: str, table: str = "~~analysis") -> list[tuple[Any, ...]]:
    """(key..., status, error_message) of a job table, read with plain SQL, in key order."""
    return [
        tuple(row)
        for row in connection.query(
            f"SELECT person_id, session_idx, param_id, status, error_message "
            f"FROM `{database}`.`{table}` ORDER BY person_id, session_idx, param_id"
        ).fetchall()
    ]


def job_dicts(jobs: Any) -> list[dict[str, Any]]:
    """A job table's rows through a client's own API, the columns both clients have."""
    names = ["person_id", "session_idx", "param_id", "status", "priority", "error_message"]
    names += ["error_stack", "user", "host", "pid", "connection_id", "version"]
    found = jobs.to_dicts(order_by="KEY")
    return [{name: row[name] for name in names} for row in found]


def expected_analysis(param_id: int) -> dict[tuple[int, int], list[float]]:
    """The peaks ``make`` computes per session for a parameter (from the rows inserted)."""
    scale = {1: 2.0, 2: -1.0}[param_id]
    peaks: dict[tuple[int, int], list[float]] = {}
    for trial in trial_rows():
        session = (trial["person_id"], trial["session_idx"])
        peaks.setdefault(session, []).append(float(np.max(trial["signal"])) * scale)
    return peaks
