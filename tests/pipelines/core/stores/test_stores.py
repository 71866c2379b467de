# Table classes take instance methods at class level through their metaclass, as in DataJoint
# (`Subject.insert1(...)`); mypy cannot see that, so the codes it reports for them are off here.
# mypy: disable-error-code="call-arg, arg-type, attr-defined, index, comparison-overlap, truthy-function, union-attr, misc, call-overload"
"""Object stores in tables (spec/engine.md §7.4) on SQLite and MariaDB: hash-addressed
``<hash@>``, ``<blob@>``, ``<attach@>`` in DataJoint's layout, ``<filepath@>``, and the
schema-addressed ``<object@>`` and ``<npy@>``."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import pipelines.core as dj
from pipelines.core import blob


@pytest.fixture
def store(conn: dj.Connection, tmp_path: Path) -> Iterator[Path]:
    """A ``file`` store "main" (also the default) under tmp_path; downloads go beside it."""
    root = tmp_path / "store"
    root.mkdir()
    stores = {"default": "main", "main": {"protocol": "file", "location": str(root)}}
    with conn.config.override(stores=stores, download_path=str(tmp_path / "downloads")):
        yield root


def _md5_base32(data: bytes) -> str:
    return base64.b32encode(hashlib.md5(data).digest()).decode().rstrip("=").lower()


def _raw(conn: dj.Connection, schema: dj.Schema, table: str, column: str) -> list[Any]:
    """The stored column text, in primary-key order."""
    ref = conn.dialect.table_ref(schema.database, table)
    key = ",".join(dj.FreeTable(conn, f"{schema.database}.{table}").primary_key)
    return [row[0] for row in conn.query(f"SELECT {column} FROM {ref} ORDER BY {key}").fetchall()]


def _files(root: Path) -> dict[str, bytes]:
    found = {}
    for folder, _, names in os.walk(root):
        for name in names:
            path = Path(folder) / name
            found[path.relative_to(root).as_posix()] = path.read_bytes()
    return found


@pytest.fixture
def hashed(schema: dj.Schema, store: Path) -> Any:
    @schema
    class Stored(dj.Manual):
        definition = """
        s_id : int16
        ---
        data = null : <blob@main>
        doc = null : <attach@main>
        raw = null : <hash@main>
        """

    return Stored


# ---- hash-addressed -----------------------------------------------------------------------------


def test_hash_addressed_objects_use_datajoints_layout_and_metadata(
    hashed: Any, schema: dj.Schema, conn: dj.Connection, store: Path, tmp_path: Path
) -> None:
    attachment = tmp_path / "notes.txt"
    attachment.write_bytes(b"attached")
    value = np.arange(5)
    hashed.insert1({"s_id": 1, "data": value, "doc": attachment, "raw": b"raw bytes"})
    db = schema.database
    expected = {
        "data": blob.pack(value, compress=False),
        "doc": b"notes.txt\0attached",
        "raw": b"raw bytes",
    }
    files = _files(store)
    for column, content in expected.items():
        digest = _md5_base32(content)
        path = f"_hash/{db}/{digest}"
        assert files[path] == content
        metadata = {
            "hash": digest,
            "path": path,
            "schema": db,
            "store": "main",
            "size": len(content),
        }
        assert _raw(conn, schema, "stored", column) == [json.dumps(metadata)]
    assert len(files) == 3


def test_hash_addressed_values_round_trip(hashed: Any, tmp_path: Path) -> None:
    attachment = tmp_path / "scan.dat"
    attachment.write_bytes(b"scan\0bytes")
    hashed.insert1({"s_id": 1, "data": {"a": [1, 2.5]}, "doc": str(attachment), "raw": b"\x00\xff"})
    hashed.insert1({"s_id": 2})
    first, second = hashed.to_dicts(order_by="KEY")
    assert first["data"] == {"a": [1, 2.5]}
    assert Path(first["doc"]).read_bytes() == b"scan\0bytes"
    assert Path(first["doc"]).parent == tmp_path / "downloads"
    assert first["raw"] == b"\x00\xff"
    assert (second["data"], second["doc"], second["raw"]) == (None, None, None)


def test_identical_content_is_stored_once(hashed: Any, store: Path) -> None:
    hashed.insert([{"s_id": i, "raw": b"same", "data": np.ones(3)} for i in range(4)])
    assert len(_files(store)) == 2
    assert [r["raw"] for r in hashed.to_dicts()] == [b"same"] * 4


def test_a_large_stored_blob_is_compressed_exactly_as_datajoint_does(
    hashed: Any, schema: dj.Schema, store: Path
) -> None:
    hashed.insert1({"s_id": 1, "data": np.zeros(200)})
    (content,) = _files(store).values()
    # spec §7.1: np.zeros(200) is stored as ZL123\0 + uint64 1629 + a zlib stream
    assert content.startswith(bytes.fromhex("5a4c3132330 05d06000000000000 789c".replace(" ", "")))
    np.testing.assert_array_equal(hashed.fetch1("data"), np.zeros(200))


def test_a_corrupted_object_fails_its_hash_check(hashed: Any, store: Path) -> None:
    hashed.insert1({"s_id": 1, "raw": b"original"})
    (path,) = [p for p in store.rglob("*") if p.is_file()]
    path.write_bytes(b"tampered")
    with pytest.raises(dj.DataJointError) as error:
        hashed.fetch1("raw")
    relative = path.relative_to(store).as_posix()
    assert str(error.value) == (
        f"Hash mismatch: expected {_md5_base32(b'original')}, got {_md5_base32(b'tampered')}. "
        f"Data at {relative} may be corrupted."
    )


def test_a_missing_object_is_reported(hashed: Any, store: Path) -> None:
    hashed.insert1({"s_id": 1, "raw": b"gone"})
    for path in store.rglob("*"):
        if path.is_file():
            path.unlink()
    with pytest.raises(dj.errors.MissingExternalFile, match=r"^Missing external file "):
        hashed.fetch1("raw")


def test_subfolding_nests_hash_paths(
    schema: dj.Schema, conn: dj.Connection, tmp_path: Path
) -> None:
    stores = {"deep": {"protocol": "file", "location": str(tmp_path), "subfolding": [2, 3]}}
    with conn.config.override(stores=stores):

        @schema
        class Deep(dj.Manual):
            definition = """
            d_id : int16
            ---
            raw : <hash@deep>
            """

        Deep.insert1({"d_id": 1, "raw": b"folded"})
        digest = _md5_base32(b"folded")
        path = f"_hash/{schema.database}/{digest[:2]}/{digest[2:5]}/{digest}"
        assert (tmp_path / path).read_bytes() == b"folded"
        assert json.loads(_raw(conn, schema, "deep", "raw")[0])["path"] == path
        assert Deep.fetch1("raw") == b"folded"


def test_the_empty_store_name_means_the_default_store(
    schema: dj.Schema, conn: dj.Connection, store: Path
) -> None:
    @schema
    class Defaulted(dj.Manual):
        definition = """
        d_id : int16
        ---
        data : <blob@>
        raw = null : <hash@>
        """

    Defaulted.insert1({"d_id": 1, "data": [1, 2], "raw": b"x"})
    assert json.loads(_raw(conn, schema, "defaulted", "data")[0])["store"] == "main"
    assert Defaulted.fetch1("data") == [1, 2]
    assert len(_files(store)) == 2


def test_store_errors_leave_the_table_unchanged(
    schema: dj.Schema, conn: dj.Connection, tmp_path: Path
) -> None:
    @schema
    class Guarded(dj.Manual):
        definition = """
        g_id : int16
        ---
        data = null : <blob@>
        cold = null : <blob@cold>
        raw = null : <hash@cold>
        """

    with conn.config.override(stores={}):
        with pytest.raises(dj.DataJointError, match=r"^stores.default is not configured$"):
            Guarded.insert1({"g_id": 1, "data": 1})
        with pytest.raises(dj.DataJointError) as error:
            Guarded.insert1({"g_id": 1, "cold": 1})
        assert str(error.value) == "Storage 'cold' is requested but not configured in stores"
    missing = tmp_path / "unmounted"
    with conn.config.override(stores={"cold": {"protocol": "file", "location": str(missing)}}):
        with pytest.raises(FileNotFoundError, match=r"^Inaccessible local directory"):
            Guarded.insert1({"g_id": 1, "cold": 1})
        with pytest.raises(TypeError, match=r"^<hash> expects bytes, got str$"):
            Guarded.insert1({"g_id": 1, "raw": "text"})
    assert len(Guarded()) == 0
    assert not missing.exists()


def test_an_fsspec_store_holds_hash_addressed_objects(
    schema: dj.Schema, conn: dj.Connection
) -> None:
    fsspec = pytest.importorskip("fsspec")
    location = f"/jt-{schema.database}"
    with conn.config.override(stores={"mem": {"protocol": "memory", "location": location}}):

        @schema
        class InMemory(dj.Manual):
            definition = """
            m_id : int16
            ---
            data : <blob@mem>
            """

        InMemory.insert1({"m_id": 1, "data": np.arange(3)})
        np.testing.assert_array_equal(InMemory.fetch1("data"), np.arange(3))
        memory = fsspec.filesystem("memory")
        (stored,) = memory.find(f"{location}/_hash/{schema.database}")
        assert memory.cat_file(stored) == blob.pack(np.arange(3), compress=False)
        memory.rm(location, recursive=True)


# ---- filepath -----------------------------------------------------------------------------------


@pytest.fixture
def raw_store(conn: dj.Connection, tmp_path: Path) -> Iterator[Path]:
    root = tmp_path / "raw"
    (root / "sub").mkdir(parents=True)
    (root / "sub" / "f.txt").write_bytes(b"hello")
    (root / "_hash").mkdir()
    (root / "_hash" / "x").write_bytes(b"x")
    stores = {
        "default": "main",
        "filepath_default": "raw",
        "main": {"protocol": "file", "location": str(tmp_path)},
        "raw": {"protocol": "file", "location": str(root)},
    }
    with conn.config.override(stores=stores):
        yield root


def test_filepath_records_an_existing_file_in_the_filepath_default_store(
    schema: dj.Schema, conn: dj.Connection, raw_store: Path
) -> None:
    @schema
    class Recording(dj.Manual):
        definition = """
        r_id : int16
        ---
        file : <filepath@>
        """

    Recording.insert([{"r_id": 1, "file": "sub/f.txt"}, {"r_id": 2, "file": Path("sub")}])
    meta = json.loads(_raw(conn, schema, "recording", "file")[0])
    assert list(meta) == ["path", "store", "size", "is_dir", "timestamp"]
    assert (meta["path"], meta["store"], meta["size"], meta["is_dir"]) == (
        "sub/f.txt",
        "raw",
        5,
        False,
    )
    file_ref, dir_ref = Recording.to_arrays("file", order_by="KEY")
    assert isinstance(file_ref, dj.ObjectRef)
    assert file_ref.read() == b"hello" and file_ref.exists() and file_ref.verify()
    assert (dir_ref.is_dir, dir_ref.size, dir_ref.listdir()) == (True, None, ["f.txt"])
    assert sorted(raw_store.rglob("*")) == sorted(
        [
            raw_store / "sub",
            raw_store / "sub" / "f.txt",
            raw_store / "_hash",
            raw_store / "_hash" / "x",
        ]
    )  # nothing copied


@pytest.mark.parametrize(
    ("value", "error", "message"),
    [
        ("_hash/x", ValueError, "<filepath@> cannot use reserved section '_hash' (hash_prefix)."),
        ("sub/missing.txt", FileNotFoundError, "File not found in store 'raw': sub/missing.txt"),
        ("../store/x", ValueError, "<filepath@> paths must stay inside the store."),
        (3, TypeError, "<filepath> expects a path string or Path, got int"),
    ],
)
def test_filepath_refuses_bad_paths(
    schema: dj.Schema, raw_store: Path, value: Any, error: type[Exception], message: str
) -> None:
    @schema
    class Ref(dj.Manual):
        definition = """
        r_id : int16
        ---
        file : <filepath@raw>
        """

    with pytest.raises(error) as raised:
        Ref.insert1({"r_id": 1, "file": value})
    assert str(raised.value).startswith(message)
    assert len(Ref()) == 0


def test_filepath_prefix_restricts_paths(
    schema: dj.Schema, conn: dj.Connection, tmp_path: Path
) -> None:
    (tmp_path / "acq").mkdir()
    (tmp_path / "acq" / "a.bin").write_bytes(b"1")
    (tmp_path / "other.bin").write_bytes(b"2")
    stores = {"raw": {"protocol": "file", "location": str(tmp_path), "filepath_prefix": "acq"}}
    with conn.config.override(stores=stores):

        @schema
        class Acq(dj.Manual):
            definition = """
            a_id : int16
            ---
            file : <filepath@raw>
            """

        with pytest.raises(
            ValueError, match=r"^<filepath@> must use prefix 'acq' \(filepath_prefix\)"
        ):
            Acq.insert1({"a_id": 1, "file": "other.bin"})
        Acq.insert1({"a_id": 1, "file": "acq/a.bin"})
        assert Acq.fetch1("file").read() == b"1"


# ---- schema-addressed ---------------------------------------------------------------------------


@pytest.fixture
def objects(schema: dj.Schema, store: Path) -> Any:
    @schema
    class Obj(dj.Manual):
        definition = """
        subject_id : int16
        sess : varchar(16)
        ---
        o = null : <object@>
        n = null : <npy@main>
        """

    return Obj


def test_object_values_land_at_schema_addressed_paths(
    objects: Any, schema: dj.Schema, conn: dj.Connection, store: Path, tmp_path: Path
) -> None:
    source = tmp_path / "source.txt"
    source.write_bytes(b"contents")
    folder = tmp_path / "folder"
    (folder / "inner").mkdir(parents=True)
    (folder / "x.bin").write_bytes(b"xx")
    (folder / "inner" / "y.bin").write_bytes(b"yyy")
    objects.insert(
        [
            {"subject_id": 1, "sess": "a/b:c", "o": source},
            {"subject_id": 2, "sess": "s", "o": b"raw"},
            {"subject_id": 3, "sess": "s", "o": ("dat", b"tuple")},
            {"subject_id": 4, "sess": "s", "o": folder},
        ]
    )
    metas = [json.loads(m) for m in _raw(conn, schema, "obj", "o")]
    db = schema.database
    token = "[A-Za-z0-9_-]{8}"
    for meta, pattern in zip(
        metas,
        [
            f"_schema/{db}/obj/subject_id=1/sess=a%2Fb%3Ac/o_{token}\\.txt",
            f"_schema/{db}/obj/subject_id=2/sess=s/o_{token}",
            f"_schema/{db}/obj/subject_id=3/sess=s/o_{token}\\.dat",
            f"_schema/{db}/obj/subject_id=4/sess=s/o_{token}",
        ],
        strict=True,
    ):
        assert re.fullmatch(pattern, meta["path"]), meta["path"]
    assert list(metas[0]) == ["path", "store", "size", "ext", "is_dir", "item_count", "timestamp"]
    assert [(m["ext"], m["size"], m["is_dir"], m["item_count"]) for m in metas] == [
        (".txt", 8, False, None),
        (None, 3, False, None),
        (".dat", 5, False, None),
        (None, 5, True, 2),
    ]
    assert (store / metas[2]["path"]).read_bytes() == b"tuple"
    manifest = json.loads((store / (metas[3]["path"] + ".manifest.json")).read_bytes())
    assert manifest["files"] == [{"path": "x.bin", "size": 2}, {"path": "inner/y.bin", "size": 3}]
    assert (manifest["total_size"], manifest["item_count"]) == (5, 2)
    refs = objects.to_arrays("o", order_by="KEY")
    assert repr(refs[1]).startswith("ObjectRef(file: _schema/") and refs[1].read() == b"raw"
    folder_ref = refs[3]
    assert folder_ref.listdir() == ["inner", "x.bin"]
    assert [w[0] for w in folder_ref.walk()] == ["", "inner"]
    assert folder_ref.open("inner/y.bin").read() == b"yyy"
    assert folder_ref.verify()
    copy = folder_ref.download(tmp_path / "copy")
    assert (copy / "inner" / "y.bin").read_bytes() == b"yyy"
    with pytest.raises(dj.DataJointError, match="Cannot read"):
        folder_ref.read()


def test_each_object_write_gets_a_new_path(objects: Any, store: Path) -> None:
    objects.insert1({"subject_id": 1, "sess": "s", "o": b"same"})
    objects.insert1({"subject_id": 1, "sess": "s", "o": b"same"}, replace=True)
    assert len(_files(store)) == 2


def test_npy_values_are_lazy_arrays(objects: Any, schema: dj.Schema, conn: dj.Connection) -> None:
    array = np.arange(6, dtype=np.float32).reshape(2, 3)
    objects.insert1({"subject_id": 1, "sess": "s", "n": array})
    meta = json.loads(_raw(conn, schema, "obj", "n")[0])
    assert list(meta) == ["path", "store", "dtype", "shape"]
    assert (meta["store"], meta["dtype"], meta["shape"]) == ("main", "float32", [2, 3])
    assert meta["path"].endswith(".npy")
    ref = objects.fetch1("n")
    assert repr(ref) == "NpyRef(shape=(2, 3), dtype=float32, not loaded)"
    assert (ref.shape, ref.ndim, ref.size, ref.nbytes, len(ref)) == ((2, 3), 2, 6, 24, 2)
    np.testing.assert_array_equal(np.asarray(ref), array)
    assert ref.is_loaded
    assert ref[1, 2] == 5.0
    np.testing.assert_array_equal(ref.load(mmap_mode="r"), array)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ([1, 2], "<npy> requires numpy.ndarray, got list"),
        (np.array([{}, 1], dtype=object), "<npy> does not support object dtype arrays"),
    ],
)
def test_npy_refuses_what_it_cannot_store(
    objects: Any, store: Path, value: Any, message: str
) -> None:
    with pytest.raises(dj.DataJointError) as error:
        objects.insert1({"subject_id": 1, "sess": "s", "n": value})
    assert str(error.value) == message
    assert len(objects()) == 0 and _files(store) == {}


def test_object_refuses_a_missing_source(objects: Any, store: Path, tmp_path: Path) -> None:
    with pytest.raises(dj.DataJointError, match=r"^Source path not found: "):
        objects.insert1({"subject_id": 1, "sess": "s", "o": tmp_path / "nope"})
    with pytest.raises(TypeError, match=r"^<object> expects bytes or path, got int$"):
        objects.insert1({"subject_id": 1, "sess": "s", "o": 5})
    assert len(objects()) == 0


def test_partition_pattern_moves_key_attributes_before_the_schema(
    schema: dj.Schema, conn: dj.Connection, tmp_path: Path
) -> None:
    entry = {"protocol": "file", "location": str(tmp_path), "partition_pattern": "{subject_id}"}
    with conn.config.override(stores={"default": "p", "p": entry}):

        @schema
        class Part(dj.Manual):
            definition = """
            subject_id : int16
            sess : varchar(8)
            ---
            o : <object@>
            """

        Part.insert1({"subject_id": 1, "sess": "x", "o": b"data"})
        path = json.loads(_raw(conn, schema, "part", "o")[0])["path"]
        assert path.startswith(f"_schema/subject_id=1/{schema.database}/part/sess=x/o_")
        assert Part.fetch1("o").read() == b"data"
