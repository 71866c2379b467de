# Table classes take instance methods at class level through their metaclass, as in DataJoint
# (`Subject.insert1(...)`); mypy cannot see that, so the codes it reports for them are off here.
# mypy: disable-error-code="call-arg, arg-type, attr-defined, index, comparison-overlap, truthy-function, union-attr, misc, call-overload"
"""Garbage collection of store objects (spec/engine.md §7.4, §12 items 18–19), SQLite and MariaDB:
a previewing dry run, deletion of orphans only, and nothing outside the collector's sections."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import pipelines.core as dj

REPORT_KEYS = [
    "hash_paths_referenced",
    "hash_paths_stored",
    "hash_paths_orphaned",
    "hash_paths_orphaned_bytes",
    "orphaned_hash_paths",
    "schema_paths_referenced",
    "schema_paths_stored",
    "schema_paths_orphaned",
    "schema_paths_orphaned_bytes",
    "orphaned_schema_paths",
    "hash_paths_deleted",
    "schema_paths_deleted",
    "deleted",
    "bytes_freed",
    "errors",
    "scan_errors",
    "dry_run",
]


class LayeredCodec(dj.Codec):
    """A custom codec over ``<blob>``: with ``@store`` its objects are hash-addressed."""

    name = "jt_gc_layered"

    def get_dtype(self, is_store: bool) -> str:
        return "<blob>"

    def encode(self, value: Any, *, key: Any = None) -> Any:
        return {"wrapped": value}

    def decode(self, stored: Any, *, key: Any = None) -> Any:
        return stored["wrapped"]


@pytest.fixture
def store(conn: dj.Connection, tmp_path: Path) -> Iterator[Path]:
    root = tmp_path / "store"
    root.mkdir()
    stores = {
        "default": "main",
        "main": {"protocol": "file", "location": str(root), "partition_pattern": "{part_id}"},
    }
    with conn.config.override(stores=stores):
        yield root


@pytest.fixture
def tables(schema: dj.Schema, store: Path) -> dict[str, Any]:
    @schema
    class Item(dj.Manual):
        definition = """
        item_id : int16
        ---
        data = null : <blob@>
        raw = null : <hash@main>
        custom = null : <jt_gc_layered@main>
        obj = null : <object@>
        inline = null : <blob>
        """

    @schema
    class Parted(dj.Manual):
        definition = """
        part_id : int16
        ---
        obj : <object@>
        """

    return {"Item": Item, "Parted": Parted}


def _stored(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def _path(table: Any, key: dict[str, Any], column: str) -> str:
    conn = table().connection
    ref = conn.dialect.table_ref(table.database, table.table_name)
    where = " AND ".join(f"{k} = {v}" for k, v in key.items())
    return str(
        json.loads(conn.query(f"SELECT {column} FROM {ref} WHERE {where}").fetchone()[0])["path"]
    )


def _fill(tables: dict[str, Any], tmp_path: Path) -> None:
    folder = tmp_path / "folder"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "a.bin").write_bytes(b"aa")
    tables["Item"].insert1(
        {"item_id": 1, "data": np.arange(3), "raw": b"shared", "custom": [1], "obj": folder}
    )
    tables["Item"].insert1({"item_id": 2, "raw": b"shared", "custom": [2], "obj": b"two"})
    tables["Item"].insert1({"item_id": 3, "inline": np.ones(2)})
    tables["Parted"].insert([{"part_id": 1, "obj": b"p1"}, {"part_id": 2, "obj": b"p2"}])


def test_collect_previews_by_default_and_deletes_only_orphans(
    schema: dj.Schema, tables: dict[str, Any], store: Path, tmp_path: Path
) -> None:
    _fill(tables, tmp_path)
    item, parted = tables["Item"], tables["Parted"]
    live = {_path(item, {"item_id": 2}, c) for c in ("raw", "custom", "obj")}
    live.add(_path(parted, {"part_id": 2}, "obj"))
    doomed_hash = sorted({_path(item, {"item_id": 1}, c) for c in ("data", "custom")})
    folder = _path(item, {"item_id": 1}, "obj")
    doomed_schema = sorted(
        [f"{folder}/sub/a.bin", f"{folder}.manifest.json", _path(parted, {"part_id": 1}, "obj")]
    )
    collector = dj.gc.GarbageCollector(schema)
    clean = collector.collect()
    assert list(clean) == REPORT_KEYS
    assert (
        clean["hash_paths_referenced"],
        clean["hash_paths_stored"],
        clean["hash_paths_orphaned"],
    ) == (4, 4, 0)
    assert (
        clean["schema_paths_referenced"],
        clean["schema_paths_stored"],
        clean["schema_paths_orphaned"],
    ) == (
        4,
        5,  # the folder object is two files (one inside, one manifest)
        0,
    )

    (item & {"item_id": 1}).delete()
    (parted & {"part_id": 1}).delete()
    before = _stored(store)
    preview = collector.collect()
    assert preview["dry_run"] is True and preview["deleted"] == 0
    assert preview["orphaned_hash_paths"] == doomed_hash
    assert preview["orphaned_schema_paths"] == doomed_schema
    assert preview["hash_paths_orphaned_bytes"] == sum(
        (store / p).stat().st_size for p in doomed_hash
    )
    assert (
        preview["schema_paths_orphaned_bytes"]
        == 2 + (store / f"{folder}.manifest.json").stat().st_size + 2
    )
    assert _stored(store) == before  # a preview changes nothing

    result = collector.collect(dry_run=False)
    assert (result["hash_paths_deleted"], result["schema_paths_deleted"], result["deleted"]) == (
        2,
        3,
        5,
    )
    assert (
        result["bytes_freed"]
        == preview["hash_paths_orphaned_bytes"] + preview["schema_paths_orphaned_bytes"]
    )
    assert (result["errors"], result["scan_errors"], result["dry_run"]) == (0, [], False)
    assert set(_stored(store)) == live
    assert not (store / folder).exists()  # emptied schema-addressed directories are pruned
    assert (store / "_hash" / schema.database).is_dir()  # hash directories stay
    assert [r["raw"] for r in item.to_dicts(order_by="KEY")] == [b"shared", None]
    assert collector.collect()["hash_paths_orphaned"] == 0


def test_a_custom_codec_over_a_stored_blob_keeps_its_objects(
    schema: dj.Schema, tables: dict[str, Any], store: Path
) -> None:
    tables["Item"].insert1({"item_id": 1, "custom": {"x": 1}})
    report = dj.gc.GarbageCollector(schema, store="main").collect(dry_run=False)
    assert (report["hash_paths_referenced"], report["hash_paths_orphaned"], report["deleted"]) == (
        1,
        0,
        0,
    )
    assert tables["Item"].fetch1("custom") == {"x": 1}


def test_other_schemas_and_user_files_are_never_touched(
    schema: dj.Schema, tables: dict[str, Any], store: Path, conn: dj.Connection, schema_name: str
) -> None:
    other = dj.Schema(schema_name + "_b", connection=conn)
    try:

        @other
        class Other(dj.Manual):
            definition = """
            o_id : int16
            ---
            raw : <hash@>
            """

        Other.insert1({"o_id": 1, "raw": b"theirs"})
        Other.delete()  # an orphan, but of a schema the collector was not given
        (store / "user").mkdir()
        (store / "user" / "notes.txt").write_bytes(b"mine")
        (store / "_hash" / schema.database).mkdir(parents=True, exist_ok=True)
        (store / "_hash" / schema.database / "not-a-hash.tmp").write_bytes(b"?")
        before = _stored(store)
        report = dj.gc.GarbageCollector(schema).collect(dry_run=False)
        assert report["deleted"] == 0 and report["hash_paths_stored"] == 0
        assert _stored(store) == before
        both = dj.gc.GarbageCollector(schema, other).collect()
        assert both["hash_paths_orphaned"] == 1
    finally:
        other.drop(prompt=False)


def test_the_collector_needs_a_schema_and_a_configured_store(
    schema: dj.Schema, conn: dj.Connection
) -> None:
    with pytest.raises(dj.DataJointError, match=r"^At least one schema must be provided$"):
        dj.gc.GarbageCollector()
    with (
        conn.config.override(stores={}),
        pytest.raises(dj.DataJointError, match=r"^stores.default is not configured$"),
    ):
        dj.gc.GarbageCollector(schema)


def test_scan_errors_are_reported_and_block_deletion(
    schema: dj.Schema, tables: dict[str, Any], store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tables["Item"].insert1({"item_id": 1, "raw": b"orphan"})
    tables["Item"].delete()
    collector = dj.gc.GarbageCollector(schema)

    def unreadable(path: str) -> Iterator[tuple[str, int]]:
        raise OSError("listing failed")
        yield  # pragma: no cover

    monkeypatch.setattr(collector.backend, "files", unreadable)
    report = collector.collect()
    assert len(report["scan_errors"]) == 2 and "listing failed" in report["scan_errors"][0]
    with pytest.raises(dj.DataJointError, match=r"^Refusing to delete: 2 scan error\(s\) — "):
        collector.collect(dry_run=False)
    assert len(_stored(store)) == 1


def test_unreadable_references_block_deletion(
    schema: dj.Schema, tables: dict[str, Any], store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tables["Item"].insert1({"item_id": 1, "raw": b"live"})
    monkeypatch.setattr(LayeredCodec, "referenced_paths", lambda self, stored: 1 / 0)
    tables["Item"].insert1({"item_id": 2, "custom": 5})
    report = dj.gc.GarbageCollector(schema).collect()
    assert any("division by zero" in e for e in report["scan_errors"])
    with pytest.raises(dj.DataJointError, match=r"^Refusing to delete"):
        dj.gc.GarbageCollector(schema).collect(dry_run=False)
    assert len(_stored(store)) == 2


def test_references_are_counted_per_store(
    schema: dj.Schema, conn: dj.Connection, tmp_path: Path
) -> None:
    main, cold = tmp_path / "main", tmp_path / "cold"
    main.mkdir()
    cold.mkdir()
    stores = {
        "default": "main",
        "main": {"protocol": "file", "location": str(main)},
        "cold": {"protocol": "file", "location": str(cold)},
    }
    with conn.config.override(stores=stores):

        @schema
        class Split(dj.Manual):
            definition = """
            s_id : int16
            ---
            hot : <hash@main>
            frozen : <hash@cold>
            """

        Split.insert1({"s_id": 1, "hot": b"h", "frozen": b"c"})
        for store, root in (("main", main), ("cold", cold)):
            report = dj.gc.GarbageCollector(schema, store=store).collect()
            assert (report["hash_paths_referenced"], report["hash_paths_stored"]) == (1, 1)
            assert report["hash_paths_orphaned"] == 0
            assert len(_stored(root)) == 1
