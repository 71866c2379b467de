"""``dj.config`` (spec/engine.md §8.1): defaults, environment variables, validation, overrides.

Every test builds its own ``Config(environ={...})`` so the process environment never leaks in.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from pipelines.core.errors import DataJointError
from pipelines.core.settings import Config, DatabaseAddress, parse_database_url, valid_keys

# ---- defaults ------------------------------------------------------------------------------

DEFAULTS = {
    "database.url": None,
    "database.host": "localhost",
    "database.port": None,
    "database.user": None,
    "database.password": None,
    "database.backend": "mysql",
    "database.reconnect": True,
    "database.use_tls": None,
    "database.create_tables": True,
    "database.database_prefix": "",
    "database.lock_wait_timeout": None,
    "connection.charset": "",
    "safemode": True,
    "loglevel": "INFO",
    "display.limit": 12,
    "display.width": 14,
    "display.show_tuple_count": True,
    "display.diagram_direction": "LR",
    "display.diagram_theme": "auto",
    "stores": {},
    "download_path": ".",
    "query_cache": None,
    "jobs.auto_refresh": True,
    "jobs.keep_completed": False,
    "jobs.stale_timeout": 3600,
    "jobs.default_priority": 5,
    "jobs.version_method": None,
    "jobs.allow_new_pk_fields_in_computed_tables": False,
    "jobs.add_job_metadata": False,
    "jobs.heartbeat_interval": 10,
    "jobs.heartbeat_timeout": 60,
}


def test_defaults_of_every_key() -> None:
    config = Config(environ={})
    assert dict(config.items()) == DEFAULTS


def test_keys_are_the_sorted_valid_keys() -> None:
    config = Config(environ={})
    assert config.keys() == valid_keys() == sorted(DEFAULTS)


def test_contains_knows_valid_keys_only() -> None:
    config = Config(environ={})
    assert "database.host" in config
    assert "database.bogus" not in config
    assert 3 not in config


def test_environ_none_reads_the_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DJ_DISPLAY_LIMIT", "31")
    assert Config()["display.limit"] == 31


# ---- environment variables ---------------------------------------------------------------------

ENV_CASES: list[tuple[str, str, str, Any]] = [
    ("DJ_DATABASE_URL", "sqlite:///data/x.sqlite3", "database.url", "sqlite:///data/x.sqlite3"),
    ("DJ_HOST", "db.example.org", "database.host", "db.example.org"),
    ("DJ_HOST", "db.example.org:3307", "database.host", "db.example.org:3307"),
    ("DJ_PORT", "3310", "database.port", 3310),
    ("DJ_PORT", "", "database.port", None),
    ("DJ_USER", "alice", "database.user", "alice"),
    ("DJ_PASS", "s3cret", "database.password", "s3cret"),
    ("DJ_BACKEND", "sqlite", "database.backend", "sqlite"),
    ("DJ_RECONNECT", "false", "database.reconnect", False),
    ("DJ_USE_TLS", "true", "database.use_tls", True),
    ("DJ_USE_TLS", "", "database.use_tls", None),
    ("DJ_CREATE_TABLES", "0", "database.create_tables", False),
    ("DJ_DATABASE_PREFIX", "lab_", "database.database_prefix", "lab_"),
    ("DJ_LOCK_WAIT_TIMEOUT", "60", "database.lock_wait_timeout", 60),
    ("DJ_CHARSET", "utf8", "connection.charset", "utf8"),
    ("DJ_SAFEMODE", "no", "safemode", False),
    ("DJ_SAFEMODE", "YES", "safemode", True),
    ("DJ_LOG_LEVEL", "debug", "loglevel", "DEBUG"),
    ("DJ_LOG_LEVEL", "Warning", "loglevel", "WARNING"),
    ("DJ_DISPLAY_LIMIT", "7", "display.limit", 7),
    ("DJ_DISPLAY_WIDTH", "30", "display.width", 30),
    ("DJ_DISPLAY_SHOW_TUPLE_COUNT", "off", "display.show_tuple_count", False),
    ("DJ_DIAGRAM_DIRECTION", "TB", "display.diagram_direction", "TB"),
    ("DJ_DIAGRAM_THEME", "dark", "display.diagram_theme", "dark"),
    ("DJ_STORES", '{"main": {"protocol": "file"}}', "stores", {"main": {"protocol": "file"}}),
    ("DJ_DOWNLOAD_PATH", "/tmp/dl", "download_path", "/tmp/dl"),
    ("DJ_QUERY_CACHE", "/tmp/qc", "query_cache", "/tmp/qc"),
    ("DJ_JOBS_AUTO_REFRESH", "false", "jobs.auto_refresh", False),
    ("DJ_JOBS_KEEP_COMPLETED", "true", "jobs.keep_completed", True),
    ("DJ_JOBS_STALE_TIMEOUT", "0", "jobs.stale_timeout", 0),
    ("DJ_JOBS_DEFAULT_PRIORITY", "255", "jobs.default_priority", 255),
    ("DJ_JOBS_VERSION_METHOD", "git", "jobs.version_method", "git"),
    (
        "DJ_JOBS_ALLOW_NEW_PK_FIELDS_IN_COMPUTED_TABLES",
        "1",
        "jobs.allow_new_pk_fields_in_computed_tables",
        True,
    ),
    ("DJ_JOBS_ADD_JOB_METADATA", "on", "jobs.add_job_metadata", True),
    ("DJ_JOBS_HEARTBEAT_INTERVAL", "3", "jobs.heartbeat_interval", 3),
    ("DJ_JOBS_HEARTBEAT_TIMEOUT", "30", "jobs.heartbeat_timeout", 30),
]


@pytest.mark.parametrize(
    ("env", "raw", "key", "expected"),
    ENV_CASES,
    ids=[f"{env}={raw}" for env, raw, _, _ in ENV_CASES],
)
def test_environment_variable_sets_its_key(env: str, raw: str, key: str, expected: Any) -> None:
    config = Config(environ={env: raw})
    assert config[key] == expected
    others = {k: v for k, v in config.items() if k != key}
    assert others == {k: v for k, v in DEFAULTS.items() if k != key}


def test_every_key_has_an_environment_variable_in_the_cases() -> None:
    assert {key for _, _, key, _ in ENV_CASES} == set(valid_keys())


def test_environment_variable_names_are_case_insensitive() -> None:
    assert Config(environ={"dj_user": "bob"})["database.user"] == "bob"


def test_unrelated_environment_variables_are_ignored() -> None:
    assert dict(Config(environ={"DJ_NOT_A_KEY": "1", "HOME": "/x"}).items()) == DEFAULTS


BAD_ENV = [
    ("DJ_PORT", "abc", "database.port"),
    ("DJ_SAFEMODE", "maybe", "safemode"),
    ("DJ_LOG_LEVEL", "LOUD", "loglevel"),
    ("DJ_DISPLAY_LIMIT", "0", "display.limit"),
    ("DJ_JOBS_DEFAULT_PRIORITY", "256", "jobs.default_priority"),
    ("DJ_JOBS_STALE_TIMEOUT", "-1", "jobs.stale_timeout"),
    ("DJ_BACKEND", "postgresql", "database.backend"),
    ("DJ_STORES", "[1, 2]", "stores"),
]


@pytest.mark.parametrize(("env", "raw", "key"), BAD_ENV, ids=[f"{e}={r}" for e, r, _ in BAD_ENV])
def test_invalid_environment_value_names_key_and_value(env: str, raw: str, key: str) -> None:
    with pytest.raises(DataJointError) as caught:
        Config(environ={env: raw})
    assert repr(raw) in str(caught.value)
    assert repr(key) in str(caught.value)


# ---- validation on assignment ----------------------------------------------------------------

BAD_VALUES: list[tuple[str, Any, str]] = [
    ("database.host", 5, "expected a string, got int"),
    ("database.port", "x", "invalid literal"),
    ("safemode", "perhaps", "expected a boolean"),
    ("safemode", 1.5, "expected a boolean"),
    ("display.limit", 0, "expected an integer in [1, ∞]"),
    ("jobs.default_priority", -1, "expected an integer in [0, 255]"),
    ("display.diagram_direction", "RL", "expected one of LR, TB"),
    ("display.diagram_theme", "blue", "expected one of auto, light, dark"),
    ("stores", "not json", "Expecting value"),
    ("stores", [1], "expected a JSON object"),
    ("database.user", 7, "expected a string"),
]


@pytest.mark.parametrize(
    ("key", "value", "reason"),
    BAD_VALUES,
    ids=[f"{key}-{index}" for index, (key, _, _) in enumerate(BAD_VALUES)],
)
def test_invalid_assignment_names_key_value_and_reason(key: str, value: Any, reason: str) -> None:
    config = Config(environ={})
    before = config[key]
    with pytest.raises(DataJointError) as caught:
        config[key] = value
    message = str(caught.value)
    assert message.startswith(f"Invalid value {value!r} for {key!r}")
    assert reason in message
    assert config[key] == before


GOOD_VALUES: list[tuple[str, Any, Any]] = [
    ("safemode", "false", False),
    ("safemode", 0, False),
    ("safemode", True, True),
    ("loglevel", "error", "ERROR"),
    ("database.port", "3307", 3307),
    ("database.port", None, None),
    ("database.use_tls", None, None),
    ("database.use_tls", "off", False),
    ("stores", '{"a": {}}', {"a": {}}),
    ("database.url", "", None),
    ("query_cache", None, None),
    ("display.width", "20", 20),
]


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    GOOD_VALUES,
    ids=[f"{key}-{index}" for index, (key, _, _) in enumerate(GOOD_VALUES)],
)
def test_assignment_normalizes_valid_values(key: str, value: Any, expected: Any) -> None:
    config = Config(environ={})
    config[key] = value
    assert config[key] == expected


_URL_NOT_NAMED = (
    "settings._database_url raises DataJointError, which Config._checked does not wrap (it "
    "wraps ValueError/TypeError only), so a bad database.url / DJ_DATABASE_URL error names "
    "neither the key nor says 'Invalid value'"
)


def test_invalid_database_url_assignment_names_the_key() -> None:
    with pytest.raises(DataJointError) as caught:
        Config(environ={})["database.url"] = "ftp://x"
    assert str(caught.value).startswith("Invalid value 'ftp://x' for 'database.url'")
    assert "Unsupported database URL" in str(caught.value)


def test_invalid_database_url_environment_value_names_the_key() -> None:
    with pytest.raises(DataJointError, match=re.escape("'database.url'")):
        Config(environ={"DJ_DATABASE_URL": "postgres://u@h/db"})


def test_invalid_database_url_is_rejected() -> None:
    config = Config(environ={})
    with pytest.raises(DataJointError, match="Unsupported database URL 'ftp://x'"):
        config["database.url"] = "ftp://x"
    assert config["database.url"] is None


# ---- unknown keys --------------------------------------------------------------------------


def _lists_valid_keys(message: str) -> bool:
    return "Valid keys: " + ", ".join(valid_keys()) in message


def test_unknown_key_item_read_is_rejected_with_the_valid_keys() -> None:
    with pytest.raises(
        DataJointError, match=re.escape("Unknown configuration key 'bogus.x'")
    ) as caught:
        Config(environ={})["bogus.x"]
    assert _lists_valid_keys(str(caught.value))


def test_unknown_key_item_assignment_is_rejected_with_the_valid_keys() -> None:
    config = Config(environ={})
    with pytest.raises(
        DataJointError, match=re.escape("Unknown configuration key 'jobs.bogus'")
    ) as caught:
        config["jobs.bogus"] = 1
    assert _lists_valid_keys(str(caught.value))
    assert "jobs.bogus" not in config


def test_unknown_attribute_read_is_an_attribute_error_with_the_valid_keys() -> None:
    with pytest.raises(AttributeError, match="Unknown configuration key 'bogus'") as caught:
        _ = Config(environ={}).bogus
    assert _lists_valid_keys(str(caught.value))


def test_unknown_attribute_assignment_is_rejected() -> None:
    config = Config(environ={})
    with pytest.raises(DataJointError, match="Unknown configuration key 'bogus'") as caught:
        config.bogus = 3
    assert _lists_valid_keys(str(caught.value))


def test_unknown_key_inside_a_group_is_rejected() -> None:
    config = Config(environ={})
    with pytest.raises(
        DataJointError, match=re.escape("Unknown configuration key 'database.bogus'")
    ):
        _ = config.database.bogus
    with pytest.raises(
        DataJointError, match=re.escape("Unknown configuration key 'display.bogus'")
    ):
        config.display.bogus = 1


# ---- attribute access ----------------------------------------------------------------------


def test_group_attribute_access_reads_and_validates_writes() -> None:
    config = Config(environ={"DJ_HOST": "h1"})
    assert config.database.host == "h1"
    config.database.port = "3311"
    assert config["database.port"] == 3311
    with pytest.raises(DataJointError, match=re.escape("'display.limit'")):
        config.display.limit = -4
    assert config.display.limit == 12


def test_top_level_keys_are_attributes() -> None:
    config = Config(environ={})
    config.safemode = "false"
    assert config.safemode is False
    assert config.stores == {}


def test_repr_masks_the_password() -> None:
    config = Config(environ={"DJ_PASS": "topsecret"})
    assert "topsecret" not in repr(config)
    assert "'database.password': '***'" in repr(config)
    assert "'database.password': None" in repr(Config(environ={}))


# ---- override ------------------------------------------------------------------------------


def test_override_sets_then_restores() -> None:
    config = Config(environ={})
    with config.override(safemode=False, display__limit=7) as inside:
        assert inside is config
        assert (config["safemode"], config["display.limit"]) == (False, 7)
    assert (config["safemode"], config["display.limit"]) == (True, 12)


def test_override_nested_dict_form() -> None:
    config = Config(environ={})
    with config.override(jobs={"keep_completed": True, "stale_timeout": 5}):
        assert config["jobs.keep_completed"] is True
        assert config.jobs.stale_timeout == 5
    assert config["jobs.keep_completed"] is False
    assert config["jobs.stale_timeout"] == 3600


def test_override_of_stores_takes_the_dict_whole() -> None:
    config = Config(environ={})
    with config.override(stores={"main": {"protocol": "file"}}):
        assert config["stores"] == {"main": {"protocol": "file"}}
    assert config["stores"] == {}


def test_override_restores_on_exception() -> None:
    config = Config(environ={})
    with pytest.raises(RuntimeError, match="boom"), config.override(display__width=40):
        assert config["display.width"] == 40
        raise RuntimeError("boom")
    assert config["display.width"] == 14


def test_override_restores_values_assigned_inside_the_block() -> None:
    config = Config(environ={})
    with config.override(safemode=False):
        config["safemode"] = True
        config["loglevel"] = "DEBUG"
    assert config["safemode"] is True
    assert config["loglevel"] == "DEBUG"  # not overridden, so not restored


def test_override_with_an_invalid_value_leaves_everything_unchanged() -> None:
    config = Config(environ={})
    with (
        pytest.raises(DataJointError, match=re.escape("'display.limit'")),
        config.override(safemode=False, display__limit=0),
    ):
        pass  # pragma: no cover - never entered
    assert (config["safemode"], config["display.limit"]) == (True, 12)


def test_override_with_an_unknown_key_is_rejected() -> None:
    config = Config(environ={})
    with (
        pytest.raises(DataJointError, match=re.escape("Unknown configuration key 'display.nope'")),
        config.override(display__nope=1),
    ):
        pass  # pragma: no cover - never entered


# ---- database URLs ---------------------------------------------------------------------------

URLS = [
    ("mysql://root:@127.0.0.1:3306", DatabaseAddress("mysql", "127.0.0.1", 3306, "root", "")),
    ("mysql://dj:pw@db.lab.org", DatabaseAddress("mysql", "db.lab.org", 3306, "dj", "pw")),
    ("mariadb://u:p%40ss@h:3310", DatabaseAddress("mysql", "h", 3310, "u", "p@ss")),
    ("mysql://h2:4000", DatabaseAddress("mysql", "h2", 4000, None, None)),
    ("mysql://us%20er@h", DatabaseAddress("mysql", "h", 3306, "us er", None)),
    ("sqlite:///data/pipe.sqlite3", DatabaseAddress("sqlite", path="data/pipe.sqlite3")),
    ("sqlite:////var/lib/pipe.sqlite3", DatabaseAddress("sqlite", path="/var/lib/pipe.sqlite3")),
    ("sqlite:///:memory:", DatabaseAddress("sqlite", path=":memory:")),
    ("sqlite://localhost/rel.db", DatabaseAddress("sqlite", path="rel.db")),
    ("sqlite:///my%20file.db", DatabaseAddress("sqlite", path="my file.db")),
]


@pytest.mark.parametrize(("url", "expected"), URLS, ids=[url for url, _ in URLS])
def test_parse_database_url(url: str, expected: DatabaseAddress) -> None:
    assert parse_database_url(url) == expected


BAD_URLS = [
    ("sqlite://", "the file path is missing"),
    ("sqlite:///", "the file path is missing"),
    ("sqlite://server/x.db", "Invalid SQLite URL"),
    ("mysql://", "the host is missing"),
    ("mysql:///dbname", "the host is missing"),
    ("postgresql://u@h/db", "Unsupported database URL"),
    ("localhost:3306", "Unsupported database URL"),
    ("", "Unsupported database URL"),
]


@pytest.mark.parametrize(
    ("url", "reason"), BAD_URLS, ids=[f"bad-{i}" for i in range(len(BAD_URLS))]
)
def test_parse_database_url_rejects_bad_forms(url: str, reason: str) -> None:
    with pytest.raises(DataJointError, match=reason) as caught:
        parse_database_url(url)
    assert repr(url) in str(caught.value)


@pytest.mark.parametrize("url", ["mysql://u@h:abc", "mysql://u@h:99999"])
def test_parse_database_url_rejects_a_bad_port(url: str) -> None:
    with pytest.raises(DataJointError, match="Invalid MySQL URL"):
        parse_database_url(url)


def test_bad_port_in_url_assignment_is_a_validation_error() -> None:
    with pytest.raises(
        DataJointError, match=re.escape("Invalid value 'mysql://u@h:abc' for 'database.url'")
    ):
        Config(environ={})["database.url"] = "mysql://u@h:abc"


# ---- database_address ------------------------------------------------------------------------


def test_database_address_defaults_to_local_mysql() -> None:
    assert Config(environ={}).database_address() == DatabaseAddress("mysql", "localhost", 3306)


def test_database_address_from_separate_keys() -> None:
    config = Config(environ={"DJ_HOST": "h", "DJ_PORT": "3400", "DJ_USER": "u", "DJ_PASS": "p"})
    assert config.database_address() == DatabaseAddress("mysql", "h", 3400, "u", "p")


def test_database_address_host_port_overrides_port_key() -> None:
    config = Config(environ={"DJ_HOST": "h:3501", "DJ_PORT": "3400"})
    assert config.database_address() == DatabaseAddress("mysql", "h", 3501)


def test_database_address_url_wins_over_separate_keys() -> None:
    config = Config(environ={"DJ_HOST": "other", "DJ_USER": "x", "DJ_DATABASE_URL": "mysql://a@b"})
    assert config.database_address() == DatabaseAddress("mysql", "b", 3306, "a", None)
    config["database.url"] = "sqlite:///x.db"
    assert config.database_address() == DatabaseAddress("sqlite", path="x.db")


def test_database_address_sqlite_backend_needs_a_url() -> None:
    config = Config(environ={"DJ_BACKEND": "sqlite"})
    with pytest.raises(DataJointError, match=re.escape("Set database.url to sqlite:///path")):
        config.database_address()
