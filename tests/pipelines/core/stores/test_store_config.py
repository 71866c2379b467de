"""Store specs (spec/engine.md §7.4): defaults, validation on first use, DataJoint's messages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pipelines.core.errors import DataJointError
from pipelines.core.settings import Config
from pipelines.core.stores import open_store, resolve_store_name, store_spec


def _config(stores: dict[str, Any]) -> Config:
    config = Config(environ={})
    config["stores"] = stores  # accepted as is: validated when a store is used
    return config


def test_a_file_store_gets_datajoints_defaults(tmp_path: Path) -> None:
    spec = store_spec(_config({"main": {"protocol": "file", "location": str(tmp_path)}}), "main")
    assert (spec.name, spec.protocol, spec.location) == ("main", "file", str(tmp_path))
    assert (spec.hash_prefix, spec.schema_prefix, spec.filepath_prefix) == (
        "_hash",
        "_schema",
        None,
    )
    assert (spec.subfolding, spec.partition_pattern, spec.token_length) == (None, None, 8)


def test_layout_settings_are_read_and_token_length_is_clamped(tmp_path: Path) -> None:
    entry = {
        "protocol": "FILE",
        "location": str(tmp_path),
        "subfolding": [2, 2],
        "partition_pattern": "{subject_id}",
        "token_length": 40,
        "hash_prefix": "/h/",
        "schema_prefix": "s",
        "filepath_prefix": "raw/",
    }
    spec = store_spec(_config({"main": entry}), "main")
    assert spec.protocol == "file"
    assert (spec.subfolding, spec.partition_pattern, spec.token_length) == (
        (2, 2),
        "{subject_id}",
        16,
    )
    assert (spec.hash_prefix, spec.schema_prefix, spec.filepath_prefix) == ("h", "s", "raw")


def test_default_store_names_resolve_and_the_empty_name_means_the_default() -> None:
    stores = {"default": "main", "filepath_default": "raw"}
    assert resolve_store_name(stores, "", filepath=False) == "main"
    assert resolve_store_name(stores, None, filepath=False) == "main"
    assert resolve_store_name(stores, "", filepath=True) == "raw"
    assert resolve_store_name(stores, "cold", filepath=True) == "cold"


@pytest.mark.parametrize(
    ("stores", "name", "message"),
    [
        ({}, "", "stores.default is not configured"),
        (
            {"default": "main"},
            None,
            "stores.filepath_default is not configured. Set stores.filepath_default or "
            "specify store explicitly with <filepath@store>",
        ),
        ({"default": 3}, "", "stores.default must be a string"),
        ({}, "cold", "Storage 'cold' is requested but not configured in stores"),
        ({"cold": {"protocol": "file"}}, "cold", 'config.stores["cold"] is missing: location'),
        (
            {"cold": {"protocol": "s3", "location": "x"}},
            "cold",
            'config.stores["cold"] is missing: endpoint, bucket',
        ),
        (
            {"cold": {"protocol": "file", "location": "/x", "bucket": "b", "colour": 1}},
            "cold",
            'Invalid key(s) in config.stores["cold"]: bucket, colour',
        ),
        (
            {
                "cold": {
                    "protocol": "file",
                    "location": "/x",
                    "hash_prefix": "data",
                    "schema_prefix": "data/s",
                }
            },
            "cold",
            'config.stores["cold"]: hash_prefix="data" and schema_prefix="data/s" overlap. '
            "Storage section prefixes must be mutually exclusive.",
        ),
        (
            {"cold": {"protocol": "file", "location": "/x", "filepath_prefix": "_hash"}},
            "cold",
            'config.stores["cold"]: hash_prefix="_hash" and filepath_prefix="_hash" overlap. '
            "Storage section prefixes must be mutually exclusive.",
        ),
        (
            {"cold": {"protocol": "file", "location": "/x", "subfolding": [2, "a"]}},
            "cold",
            "config.stores[\"cold\"].subfolding must be a list of positive integers, got [2, 'a']",
        ),
        (
            {"cold": "main"},
            "cold",
            'config.stores["cold"] must be a dict of store settings, got str',
        ),
    ],
)
def test_invalid_specs_are_refused_with_datajoints_messages(
    stores: dict[str, Any], name: str | None, message: str
) -> None:
    filepath = name is None and "filepath" in message
    with pytest.raises(DataJointError) as error:
        store_spec(_config(stores), name, filepath=filepath)
    assert str(error.value) == message


def test_an_unknown_protocol_lists_the_built_in_ones() -> None:
    with pytest.raises(DataJointError) as error:
        store_spec(_config({"cold": {"protocol": "tape", "location": "/x"}}), "cold")
    assert str(error.value).startswith(
        'Unknown protocol "tape" in config.stores["cold"]. Built-in: file, s3, gcs, azure.'
    )


def test_a_file_store_location_must_exist(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    config = _config({"main": {"protocol": "file", "location": str(missing)}})
    with pytest.raises(FileNotFoundError, match=f"^Inaccessible local directory {missing}$"):
        open_store(config, "main")


def test_an_fsspec_protocol_is_a_store(tmp_path: Path) -> None:
    pytest.importorskip("fsspec")
    config = _config({"mem": {"protocol": "memory", "location": "/jt-config-test"}})
    spec, backend = open_store(config, "mem")
    assert spec.protocol == "memory"
    backend.write("a/b.bin", b"xyz")
    assert backend.read("a/b.bin") == b"xyz"
    assert list(backend.files("a")) == [("a/b.bin", 3)]
    backend.remove("a/b.bin")
    assert not backend.exists("a/b.bin")


def test_incomplete_s3_credentials_are_refused() -> None:
    entry = {
        "protocol": "s3",
        "endpoint": "s3.local",
        "bucket": "b",
        "location": "dj",
        "access_key": "k",
    }
    with pytest.raises(DataJointError, match=r"^Incomplete S3 credentials"):
        open_store(_config({"s3": entry}), "s3")


def test_stores_come_from_the_environment_as_json() -> None:
    config = Config(environ={"DJ_STORES": '{"default": "main", "main": {"protocol": "file"}}'})
    assert config["stores"]["default"] == "main"
    with pytest.raises(DataJointError, match=r"is missing: location"):
        store_spec(config, "")


def test_changing_one_configs_stores_leaves_other_configs_alone(tmp_path: Path) -> None:
    first, second = Config(environ={}), Config(environ={})
    first.stores["main"] = {"protocol": "file", "location": str(tmp_path)}
    assert store_spec(first, "main").location == str(tmp_path)
    assert second["stores"] == {} and Config(environ={})["stores"] == {}
