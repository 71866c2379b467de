# Table classes take instance methods at class level through their metaclass, as in DataJoint
# (`Subject.insert1(...)`); mypy cannot see that, so the codes it reports for them are off here.
# mypy: disable-error-code="call-arg, arg-type, attr-defined, index, comparison-overlap, truthy-function, union-attr, misc, call-overload"
"""The codec API (spec/engine.md §7.3): registration, chain resolution, what encode/decode
receive, validation, NULLs, JSON final types, entry-point discovery; on SQLite and MariaDB."""

from __future__ import annotations

import datetime as dt
import json
import sys
import textwrap
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import pipelines.core as dj
from pipelines.core import codecs
from pipelines.core.codecs import resolve_chain
from pipelines.core.codecs.builtin import pack_like_datajoint

CALLS: list[tuple[str, Any]] = []


class UpperCodec(dj.Codec):
    """Stores a string upper-cased in a varchar: a codec over a native type."""

    name = "jt_upper"

    def get_dtype(self, is_store: bool) -> str:
        return "varchar(20)"

    def encode(self, value: Any, *, key: Any = None) -> str:  # an old-style signature
        CALLS.append(("upper.encode", key))
        return str(value).upper()

    def decode(self, stored: Any, *, key: Any = None) -> str:
        return f"<{stored}>"


class GraphCodec(dj.Codec):
    """A graph as an edge list inside a blob; records what the engine passes."""

    name = "jt_graph"

    def get_dtype(self, is_store: bool) -> str:
        return "<blob>"

    def validate(self, value: Any) -> None:
        if not isinstance(value, dict):
            raise ValueError("a graph is a dict of edges")

    def encode(
        self, value: Any, *, key: Any = None, context: Any = None, store_name: Any = None
    ) -> list[list[int]]:
        CALLS.append(("graph.encode", (key, context, store_name)))
        return [[a, b] for a, b in sorted(value.items())]

    def decode(self, stored: Any, *, key: Any = None, context: Any = None) -> dict[int, int]:
        CALLS.append(("graph.decode", (key, context)))
        return {int(a): int(b) for a, b in stored}


class StrictInnerCodec(dj.Codec):
    """Never valid as the outermost codec: its validate always fails."""

    name = "jt_strict_inner"

    def get_dtype(self, is_store: bool) -> str:
        return "bytes"

    def validate(self, value: Any) -> None:
        raise TypeError("inner validate must not run")

    def encode(self, value: Any, *, key: Any = None) -> bytes:
        return bytes(value)

    def decode(self, stored: Any, *, key: Any = None) -> bytes:
        return bytes(stored)


class OuterCodec(dj.Codec):
    name = "jt_outer"

    def get_dtype(self, is_store: bool) -> str:
        return "<jt_strict_inner>"

    def encode(self, value: Any, *, key: Any = None) -> bytes:
        CALLS.append(("outer.encode", value))
        return str(value).encode()

    def decode(self, stored: Any, *, key: Any = None) -> str:
        return bytes(stored).decode()


class SettingsCodec(dj.Codec):
    """A dict stored as JSON: the engine dumps and loads the final JSON type."""

    name = "jt_settings"

    def get_dtype(self, is_store: bool) -> str:
        return "json"

    def encode(self, value: Any, *, key: Any = None) -> dict[str, Any]:
        return {"z": value["z"], "a": value["a"]}  # key order kept in the column text

    def decode(self, stored: Any, *, key: Any = None) -> dict[str, Any]:
        return dict(stored, decoded=True)


class KeyedBlobCodec(codecs.BlobCodec):
    """A subclass of a built-in that ignores the key, whose own encode reads it."""

    name = "jt_keyed_blob"

    def encode(
        self, value: Any, *, key: Any = None, context: Any = None, store_name: Any = None
    ) -> bytes:
        CALLS.append(("keyed.encode", key))
        return super().encode(value, key=key, context=context, store_name=store_name)


class DayCodec(dj.Codec):
    """A day as ISO text in Python, a ``date`` column in the database."""

    name = "jt_day"

    def get_dtype(self, is_store: bool) -> str:
        return "date"

    def encode(self, value: Any, *, key: Any = None) -> dt.date:
        return dt.date.fromisoformat(value)

    def decode(self, stored: Any, *, key: Any = None) -> str:
        assert type(stored) is dt.date  # the column was read as a date on every backend
        return stored.isoformat()


class CycleA(dj.Codec):
    name = "jt_cycle_a"

    def get_dtype(self, is_store: bool) -> str:
        return "<jt_cycle_b>"


class CycleB(dj.Codec):
    name = "jt_cycle_b"

    def get_dtype(self, is_store: bool) -> str:
        return "<jt_cycle_a>"


class StoreNamingCodec(dj.Codec):
    """An inner spec that names its own store wins over the outer one."""

    name = "jt_pinned"

    def get_dtype(self, is_store: bool) -> str:
        return "<blob@pinned>"


# ---- registry ---------------------------------------------------------------------------------


def test_builtins_are_listed_and_found_by_any_spelling() -> None:
    assert {"attach", "blob", "filepath", "hash", "npy", "object"} <= set(dj.list_codecs())
    assert dj.list_codecs() == sorted(dj.list_codecs())
    blob = dj.get_codec("blob")
    assert dj.get_codec("<blob>") is blob and dj.get_codec("<blob@cold>") is blob
    assert dj.get_codec("jt_graph") is codecs.lookup("jt_graph")


def test_unknown_codec_lookup_names_the_codec() -> None:
    with pytest.raises(dj.DataJointError) as error:
        dj.get_codec("<nosuch@main>")
    assert str(error.value) == (
        "Unknown codec: <nosuch>. Ensure the codec is defined (inherit from dj.Codec with "
        "name='nosuch')."
    )


@pytest.mark.parametrize("bad", ["", 3])
def test_codec_name_must_be_a_non_empty_string(bad: Any) -> None:
    with pytest.raises(dj.DataJointError, match=r"^Codec name must be a non-empty string, got"):
        type("Bad", (dj.Codec,), {"name": bad})


def test_a_second_class_cannot_take_a_registered_name() -> None:
    with pytest.raises(dj.DataJointError) as error:

        class Impostor(dj.Codec):
            name = "jt_graph"

    assert str(error.value) == f"Codec <jt_graph> already registered by {__name__}.GraphCodec"
    assert type(dj.get_codec("jt_graph")) is GraphCodec


def test_unnamed_and_register_false_codecs_stay_out_of_the_registry() -> None:
    before = dj.list_codecs()

    class Abstract(dj.Codec):
        pass

    class Hidden(dj.Codec, register=False):
        name = "jt_hidden"

    assert dj.list_codecs() == before
    assert not codecs.is_codec_registered("jt_hidden")


def test_unregister_removes_a_codec_and_refuses_an_unknown_one() -> None:
    class Temporary(dj.Codec):
        name = "jt_temporary"

        def get_dtype(self, is_store: bool) -> str:
            return "bytes"

    assert "jt_temporary" in dj.list_codecs()
    codecs.unregister_codec("<jt_temporary>")
    assert "jt_temporary" not in dj.list_codecs()
    with pytest.raises(dj.DataJointError, match=r"^Codec <jt_temporary> is not registered$"):
        codecs.unregister_codec("jt_temporary")


def _install_plugin(root: Path, group: str, name: str, module: str) -> None:
    """A minimal installed distribution declaring one codec entry point."""
    (root / f"{module}.py").write_text(
        textwrap.dedent(
            f"""
            import pipelines.core as dj

            class PluginCodec(dj.Codec):
                name = "{name}"

                def get_dtype(self, is_store):
                    return "bytes"

                def encode(self, value, *, key=None):
                    return bytes(value)

                def decode(self, stored, *, key=None):
                    return bytes(stored)
            """
        )
    )
    info = root / f"{module}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {module}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[{group}]\n{name} = {module}:PluginCodec\n")


@pytest.mark.parametrize("group", ["datajoint.codecs", "datajoint.types", "joinery.codecs"])
def test_installed_codecs_are_found_through_entry_points(
    group: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = f"jt_plugin_{group.replace('.', '_')}"
    module = f"jt_plugin_module_{group.replace('.', '_')}"
    _install_plugin(tmp_path, group, name, module)
    monkeypatch.syspath_prepend(str(tmp_path))
    codecs.reset_entry_points()
    try:
        assert codecs.lookup(name) is not None
        assert dj.get_codec(f"<{name}>").get_dtype(False) == "bytes"
        assert type(dj.get_codec(name)).__module__ == module
    finally:
        codecs.unregister_codec(name)
        codecs.reset_entry_points()
        sys.modules.pop(module, None)


def test_a_broken_plugin_is_logged_and_does_not_break_lookups(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    info = tmp_path / "jt_broken-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: jt_broken\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[datajoint.codecs]\njt_broken = jt_missing_mod:X\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    codecs.reset_entry_points()
    try:
        assert codecs.lookup("jt_broken") is None
        assert "Failed to load codec 'jt_broken'" in caplog.text
        assert dj.get_codec("blob") is not None
    finally:
        codecs.reset_entry_points()


# ---- chain resolution ---------------------------------------------------------------------------


def test_chain_follows_codecs_to_the_final_type_and_propagates_the_store() -> None:
    chain = resolve_chain("<jt_graph>")
    assert [c.name for c in chain.codecs] == ["jt_graph", "blob"]
    assert (chain.final_type, chain.store) == ("bytes", None)
    stored = resolve_chain("<jt_graph@cold>")
    assert [c.name for c in stored.codecs] == ["jt_graph", "blob", "hash"]
    assert (stored.final_type, stored.store) == ("json", "cold")
    default = resolve_chain("<jt_graph@>")
    assert (default.final_type, default.store) == ("json", "")


def test_an_inner_spec_naming_its_own_store_keeps_it() -> None:
    chain = resolve_chain("<jt_pinned>")
    assert [c.name for c in chain.codecs] == ["jt_pinned", "blob", "hash"]
    assert chain.store == "pinned"
    assert resolve_chain("<jt_pinned@other>").store == "pinned"


def test_a_codec_cycle_is_detected() -> None:
    with pytest.raises(
        dj.DataJointError, match=r"^Circular codec reference detected: <jt_cycle_a>$"
    ):
        resolve_chain("<jt_cycle_a>")


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("<hash>", "<hash> requires @ (in-store storage only)"),
        ("<object>", "<object> requires @ (store only)"),
        ("<npy>", "<npy> requires @ (store only)"),
        (
            "<filepath>",
            "<filepath> requires @ symbol. Use <filepath@> for default store or "
            "<filepath@store> to specify store.",
        ),
        (
            "<jt_nosuch>",
            "Codec <jt_nosuch> is not registered. Define a Codec subclass with name='jt_nosuch'.",
        ),
    ],
)
def test_store_only_and_unknown_codecs_fail_resolution(spec: str, message: str) -> None:
    with pytest.raises(dj.DataJointError) as error:
        resolve_chain(spec)
    assert str(error.value) == message


# ---- in tables ----------------------------------------------------------------------------------


def test_unknown_codec_in_a_definition_names_it_and_creates_nothing(schema: dj.Schema) -> None:
    with pytest.raises(dj.DataJointError) as error:

        @schema
        class Broken(dj.Manual):
            definition = """
            b_id : int16
            ---
            value : <jt_nosuch>
            """

    assert (
        "Codec <jt_nosuch> is not registered. Define a Codec subclass with name='jt_nosuch'."
        in str(error.value)
    )
    assert schema.list_tables() == []


def test_a_codec_over_a_native_type_stores_that_type(
    schema: dj.Schema, conn: dj.Connection
) -> None:
    @schema
    class Word(dj.Manual):
        definition = """
        w_id : int16
        ---
        word : <jt_upper>   # shouted
        """

    Word.insert1({"w_id": 1, "word": "hello"})
    assert Word.fetch1("word") == "<HELLO>"
    raw = conn.query(f"SELECT word FROM {conn.dialect.table_ref(schema.database, 'word')}")
    assert raw.fetchall()[0][0] == "HELLO"
    heading = Word.heading["word"]
    assert (heading.type, heading.comment) == ("<jt_upper>", "shouted")
    if conn.dialect.has_column_comments:
        create = conn.query(f"SHOW CREATE TABLE `{schema.database}`.`word`").fetchone()[1]
        assert "`word` varchar(20) NOT NULL COMMENT ':<jt_upper>:shouted'" in create


def test_encode_and_decode_receive_only_what_they_declare(
    schema: dj.Schema, conn: dj.Connection
) -> None:
    @schema
    class Net(dj.Manual):
        definition = """
        net_id : int16
        tag : varchar(8)
        ---
        graph : <jt_graph>
        label : <jt_upper>
        """

    CALLS.clear()
    Net.insert1({"net_id": 7, "tag": "a", "graph": {1: 2, 3: 4}, "label": "x"})
    encoded = dict(CALLS)
    key, context, store_name = encoded["graph.encode"]
    assert context == {
        "schema": schema.database,
        "table": "net",
        "field": "graph",
        "config": conn.config,
    }
    assert store_name is None
    assert key == {
        "_schema": schema.database,
        "_table": "net",
        "_field": "graph",
        "_config": conn.config,
        "net_id": 7,
        "tag": "a",
    }
    assert encoded["upper.encode"]["_field"] == "label"  # key only: the old signature
    CALLS.clear()
    assert Net.fetch1("graph") == {1: 2, 3: 4}
    decode_key, decode_context = dict(CALLS)["graph.decode"]
    assert decode_key == {"_config": conn.config}
    assert decode_context == {"config": conn.config}


def test_only_the_outermost_codec_validates_and_its_errors_propagate(schema: dj.Schema) -> None:
    @schema
    class Layered(dj.Manual):
        definition = """
        l_id : int16
        ---
        value = null : <jt_outer>
        graph = null : <jt_graph>
        """

    Layered.insert1({"l_id": 1, "value": "text"})  # the inner codec's validate never runs
    assert Layered.fetch1("value") == "text"
    with pytest.raises(ValueError, match="a graph is a dict of edges"):
        Layered.insert1({"l_id": 2, "graph": [1, 2]})
    assert len(Layered()) == 1


def test_none_skips_validation_and_encoding(schema: dj.Schema) -> None:
    @schema
    class Optional(dj.Manual):
        definition = """
        o_id : int16
        ---
        graph = null : <jt_graph>
        """

    CALLS.clear()
    Optional.insert1({"o_id": 1, "graph": None})
    assert CALLS == []
    assert Optional.fetch1("graph") is None
    assert CALLS == []


def test_a_json_final_type_is_dumped_and_loaded_by_the_engine(
    schema: dj.Schema, conn: dj.Connection
) -> None:
    @schema
    class Setting(dj.Manual):
        definition = """
        s_id : int16
        ---
        value : <jt_settings>
        """

    Setting.insert1({"s_id": 1, "value": {"a": [1, 2.5], "z": "ü"}})
    raw = conn.query(f"SELECT value FROM {conn.dialect.table_ref(schema.database, 'setting')}")
    text = raw.fetchall()[0][0]
    assert text == json.dumps({"z": "ü", "a": [1, 2.5]})  # default separators, codec key order
    assert Setting.fetch1("value") == {"z": "ü", "a": [1, 2.5], "decoded": True}


def test_blob_codec_chain_round_trips_arrays(schema: dj.Schema) -> None:
    @schema
    class Arrays(dj.Manual):
        definition = """
        a_id : int16
        ---
        graph : <jt_graph>
        data : <blob>
        """

    Arrays.insert1({"a_id": 1, "graph": {5: 6}, "data": np.arange(4.0)})
    row = Arrays.fetch1()
    assert row["graph"] == {5: 6}
    np.testing.assert_array_equal(row["data"], np.arange(4.0))


def test_stored_blobs_are_packed_exactly_as_datajoint_packs_them() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from datajoint import blob as oracle_blob

    rng = np.random.default_rng(1)
    for value in [np.arange(3), np.zeros(200), rng.random(100_000), {"a": "b" * 2000}, "x"]:
        assert pack_like_datajoint(value) == oracle_blob.pack(value)


def test_a_subclass_that_reads_the_key_receives_the_row_key(schema: dj.Schema) -> None:
    @schema
    class Keyed(dj.Manual):
        definition = """
        k_id : int16
        ---
        value : <jt_keyed_blob>
        """

    CALLS.clear()
    Keyed.insert([{"k_id": 1, "value": "a"}, {"k_id": 2, "value": "b"}])
    assert [key["k_id"] for name, key in CALLS if name == "keyed.encode"] == [1, 2]
    assert Keyed.to_arrays("value", order_by="KEY").tolist() == ["a", "b"]


def test_a_codec_over_a_core_type_reads_the_column_as_that_type(schema: dj.Schema) -> None:
    @schema
    class Day(dj.Manual):
        definition = """
        d_id : int16
        ---
        day = null : <jt_day>
        """

    Day.insert([{"d_id": 1, "day": "2024-02-29"}, {"d_id": 2, "day": None}])
    assert Day.to_arrays("day", order_by="KEY").tolist() == ["2024-02-29", None]
    with pytest.raises(ValueError, match="Invalid isoformat string"):
        Day.insert1({"d_id": 3, "day": "not a day"})
    assert len(Day()) == 2
