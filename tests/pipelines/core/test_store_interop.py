# Table classes take instance methods at class level through their metaclass, as in DataJoint
# (`Subject.insert1(...)`); mypy cannot see that, so the codes it reports for them are off here.
# mypy: disable-error-code="call-arg, arg-type, attr-defined, index, comparison-overlap, truthy-function, union-attr, misc, call-overload"
"""Stores shared with DataJoint 2.3.5 on MariaDB (spec/engine.md §7.4, §12): the same
definitions make the same tables, each client reads what the other wrote, both write the same
files at the same paths, and garbage collection agrees.

DataJoint 2.3.5 cannot insert ``<blob@s>``/``<attach@s>``/``<hash@s>`` on MariaDB (§12 item 17:
the column is reported as ``longtext`` and the metadata dict reaches the driver un-dumped). The
``datajoint_writes`` fixture marks those attributes JSON in DataJoint's heading, the fix the spec
describes, so the oracle can write at all; reading needs no help.
"""

from __future__ import annotations

import itertools
import json
import os
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import pipelines.core as dj

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # DataJoint warns about a missing datajoint.json on import
    import datajoint as oracle_dj
    import datajoint.heading as oracle_heading
    from datajoint.codecs import resolve_dtype

_counter = itertools.count()

DEFINITION = """
# stored objects
obj_id : int16
---
data = null : <blob@main>     # a stored blob
doc = null : <attach@main>
raw = null : <hash@main>
fallback = null : <blob@>     # the default store
inline = null : <blob>
"""

VALUES: list[Any] = [
    np.arange(5),
    {"nested": [1, 2.5, "three"]},
    np.zeros(200),  # compressed (ZL123)
    # compresses a little, but not in the sample an in-table blob is judged by: stored blobs
    # must follow DataJoint's exact zlib rule to land on the same file
    np.random.default_rng(0).random(100_000),
]


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


@pytest.fixture
def store(mysql_connection: dj.Connection, oracle: Any, tmp_path: Path) -> Iterator[Path]:
    """One ``file`` store, "main" and the default, configured in both clients."""
    root = tmp_path / "store"
    root.mkdir()
    stores = {"default": "main", "main": {"protocol": "file", "location": str(root)}}
    saved = oracle._config["stores"]
    oracle._config["stores"] = stores
    try:
        with mysql_connection.config.override(stores=stores, download_path=str(tmp_path / "ours")):
            yield root
    finally:
        oracle._config["stores"] = saved


@pytest.fixture
def datajoint_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let DataJoint insert JSON-final codec chains on MariaDB (see the module docstring)."""
    original = oracle_heading.Heading._init_from_database

    def init(self: Any) -> None:
        original(self)
        for name, attribute in list(self._attributes.items()):
            if attribute.codec is not None and resolve_dtype(attribute.type)[0] == "json":
                self._attributes[name] = attribute._replace(json=True)

    monkeypatch.setattr(oracle_heading.Heading, "_init_from_database", init)


def _name(side: str) -> str:
    return f"jt_{side}_{os.getpid()}_{next(_counter)}_{uuid.uuid4().hex[:6]}"


@pytest.fixture
def schemas(mysql_connection: dj.Connection, oracle: Any, store: Path) -> Iterator[tuple[Any, Any]]:
    joinery = dj.Schema(_name("jo"), connection=mysql_connection)
    theirs = oracle_dj.Schema(_name("dj"), connection=oracle)
    try:
        yield joinery, theirs
    finally:
        joinery.drop(prompt=False)
        theirs.drop(prompt=False)


def _declare(module: Any, schema: Any) -> Any:
    @schema
    class Stored(module.Manual):
        definition = DEFINITION

    return Stored


def _rows(attachment: Path, *, with_default_store: bool) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = [
        {"obj_id": i, "data": value, "inline": value} for i, value in enumerate(VALUES)
    ]
    rows[0].update(doc=str(attachment), raw=b"raw\x00bytes")
    rows[1].update(raw=b"raw\x00bytes", data=VALUES[0])  # the same objects as row 0: shared
    if with_default_store:
        rows[2]["fallback"] = {"default": "store"}
    return rows


def _insert(table: Any, rows: list[dict[str, Any]]) -> None:
    for row in rows:  # rows differ in their fields: one insert each
        table.insert1(row)


def _files(root: Path, schema_name: str) -> dict[str, bytes]:
    """Every stored file, the schema name in its path replaced by a placeholder."""
    found = {}
    for folder, _, names in os.walk(root):
        for name in names:
            path = Path(folder) / name
            found[path.relative_to(root).as_posix().replace(schema_name, "<db>")] = (
                path.read_bytes()
            )
    return found


def _column_text(connection: Any, database: str) -> list[tuple[Any, ...]]:
    rows = connection.query(
        f"SELECT obj_id, data, doc, raw FROM `{database}`.`stored` ORDER BY obj_id"
    ).fetchall()
    return [
        tuple(v.replace(database, "<db>") if isinstance(v, str) else v for v in r) for r in rows
    ]


def _assert_same(ours: list[dict[str, Any]], theirs: list[dict[str, Any]]) -> None:
    assert len(ours) == len(theirs)
    for left, right in zip(ours, theirs, strict=True):
        assert list(left) == list(right)
        for name in left:
            a, b = left[name], right[name]
            if name == "doc" and a is not None:  # local copies under each client's download path
                assert Path(a).name == Path(b).name and Path(a).read_bytes() == Path(b).read_bytes()
            elif isinstance(a, np.ndarray):
                assert isinstance(b, np.ndarray) and a.dtype == b.dtype
                np.testing.assert_array_equal(a, b)
            else:
                assert type(a) is type(b) and a == b, (name, a, b)


@pytest.fixture
def attachment(tmp_path: Path) -> Path:
    path = tmp_path / "upload" / "scan.dat"
    path.parent.mkdir()
    path.write_bytes(b"scan\x00bytes")
    return path


def test_the_same_definition_creates_the_same_table(
    schemas: tuple[Any, Any], mysql_connection: dj.Connection, oracle: Any
) -> None:
    joinery, theirs = schemas
    _declare(dj, joinery)
    _declare(oracle_dj, theirs)
    ours = mysql_connection.query(f"SHOW CREATE TABLE `{joinery.database}`.`stored`").fetchone()[1]
    reference = oracle.query(f"SHOW CREATE TABLE `{theirs.database}`.`stored`").fetchone()[1]
    assert ours == reference
    assert "`data` longtext CHARACTER SET utf8mb4 COLLATE utf8mb4_bin DEFAULT NULL " in ours
    assert "COMMENT ':<blob@main>:a stored blob'" in ours


@pytest.mark.usefixtures("datajoint_writes")
def test_both_clients_write_the_same_files_and_metadata_and_read_each_other(
    schemas: tuple[Any, Any],
    mysql_connection: dj.Connection,
    oracle: Any,
    store: Path,
    attachment: Path,
    tmp_path: Path,
) -> None:
    joinery, theirs = schemas
    reference = _declare(oracle_dj, theirs)
    _insert(reference, _rows(attachment, with_default_store=False))
    ours = _declare(dj, joinery)
    _insert(ours, _rows(attachment, with_default_store=False))

    their_files = _files(store / "_hash" / theirs.database, theirs.database)
    our_files = _files(store / "_hash" / joinery.database, joinery.database)
    assert our_files == their_files  # the same names (content hashes) and bytes
    # three distinct blobs (row 1 reuses row 0's array instead of the dict), attachment, raw
    assert len(our_files) == 5
    assert _column_text(mysql_connection, joinery.database) == _column_text(oracle, theirs.database)

    vm = dj.virtual_schema(theirs.database, connection=mysql_connection)
    fetched = vm.Stored.to_dicts(order_by="KEY")
    with oracle_dj.config.override(download_path=str(tmp_path / "theirs")):
        expected = reference.to_dicts(order_by="KEY")
    _assert_same(fetched, expected)
    assert fetched[0]["raw"] == b"raw\x00bytes"
    assert Path(fetched[0]["doc"]).read_bytes() == b"scan\x00bytes"


def test_datajoint_reads_what_joinery_wrote(
    schemas: tuple[Any, Any], oracle: Any, attachment: Path, tmp_path: Path
) -> None:
    joinery, _ = schemas
    ours = _declare(dj, joinery)
    _insert(ours, _rows(attachment, with_default_store=True))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        vm = oracle_dj.virtual_schema(joinery.database, connection=oracle)
    with oracle_dj.config.override(download_path=str(tmp_path / "theirs")):
        expected = vm.Stored.to_dicts(order_by="KEY")
    _assert_same(ours.to_dicts(order_by="KEY"), expected)
    assert expected[2]["fallback"] == {"default": "store"}  # <blob@> went to stores.default


@pytest.mark.usefixtures("datajoint_writes")
def test_objects_are_shared_across_clients_and_collected_alike(
    schemas: tuple[Any, Any], mysql_connection: dj.Connection, store: Path, attachment: Path
) -> None:
    _, theirs = schemas
    reference = _declare(oracle_dj, theirs)
    reference.insert1({"obj_id": 1, "data": VALUES[3], "raw": b"shared"})
    vm = dj.virtual_schema(theirs.database, connection=mysql_connection)
    before = _files(store, theirs.database)
    vm.Stored.insert1({"obj_id": 2, "data": VALUES[3], "raw": b"shared"})
    assert _files(store, theirs.database) == before  # deduplicated against DataJoint's files
    vm.Stored.insert1({"obj_id": 3, "raw": b"only ours"})
    (reference & {"obj_id": 1}).delete()
    (vm.Stored & {"obj_id": 3}).delete()

    ours = dj.gc.GarbageCollector(dj.Schema(theirs.database, connection=mysql_connection))
    report = ours.collect()
    assert report == oracle_dj.gc.GarbageCollector(theirs, store="main").collect()
    assert report["hash_paths_orphaned"] == 1  # row 3's object; row 1's are still row 2's
    removed = ours.collect(dry_run=False)
    assert removed["deleted"] == 1
    np.testing.assert_array_equal(reference.to_dicts()[0]["data"], VALUES[3])
    assert oracle_dj.gc.GarbageCollector(theirs).collect()["hash_paths_orphaned"] == 0
    raw = json.loads(
        mysql_connection.query(f"SELECT raw FROM `{theirs.database}`.`stored`").fetchone()[0]
    )
    assert raw["store"] == "main"
