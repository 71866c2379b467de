"""Settings come from the environment through typed helpers that reject bad values clearly."""

import runpy
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from pytest_django import Settings

import config.settings
from config.env import (
    REQUIRED,
    env_bool,
    env_db_url,
    env_int,
    env_list,
    env_str,
    env_url,
    parse_db_url,
)

SETTINGS_FILE = Path(config.settings.__file__)
JOINERY_VARIABLES = (
    "DJANGO_SECRET_KEY",
    "DJANGO_DEBUG",
    "DJANGO_ALLOWED_HOSTS",
    "DJANGO_CSRF_TRUSTED_ORIGINS",
    "DJANGO_LOG_LEVEL",
    "DATABASE_URL",
    "DATA_DATABASE_URL",
    "CELERY_BROKER_URL",
    "REDIS_URL",
    "JOINERY_PIPELINE_MODULES",
)


# --- env_str, env_bool, env_int, env_list ----------------------------------------------------


def test_env_str_returns_the_stripped_value() -> None:
    assert env_str("NAME", "fallback", environ={"NAME": "  value  "}) == "value"


def test_env_str_treats_unset_and_empty_alike_and_uses_the_default() -> None:
    assert env_str("NAME", "fallback", environ={}) == "fallback"
    assert env_str("NAME", "fallback", environ={"NAME": ""}) == "fallback"
    assert env_str("NAME", None, environ={"NAME": "  "}) is None


def test_env_str_without_default_names_the_missing_variable() -> None:
    with pytest.raises(ImproperlyConfigured, match="Set the environment variable NAME"):
        env_str("NAME", REQUIRED, environ={})


def test_env_str_rejects_a_value_outside_its_choices() -> None:
    with pytest.raises(ImproperlyConfigured, match="LEVEL must be one of DEBUG, INFO; got 'LOUD'"):
        env_str("LEVEL", "INFO", choices=("INFO", "DEBUG"), environ={"LEVEL": "LOUD"})


@pytest.mark.parametrize("text", ["1", "true", "True", "YES", "on"])
def test_env_bool_reads_true_words(text: str) -> None:
    assert env_bool("FLAG", False, environ={"FLAG": text}) is True


@pytest.mark.parametrize("text", ["0", "false", "FALSE", "no", "Off"])
def test_env_bool_reads_false_words(text: str) -> None:
    assert env_bool("FLAG", True, environ={"FLAG": text}) is False


def test_env_bool_uses_the_default_when_unset() -> None:
    assert env_bool("FLAG", True, environ={}) is True


def test_env_bool_rejects_other_words_naming_variable_and_value() -> None:
    with pytest.raises(ImproperlyConfigured, match=r"FLAG must be a boolean .*got 'maybe'"):
        env_bool("FLAG", True, environ={"FLAG": "maybe"})


def test_env_int_reads_an_integer_or_rejects_the_value() -> None:
    assert env_int("COUNT", 1, environ={"COUNT": "42"}) == 42
    assert env_int("COUNT", 1, environ={}) == 1
    with pytest.raises(ImproperlyConfigured, match="COUNT must be an integer; got '4x'"):
        env_int("COUNT", 1, environ={"COUNT": "4x"})


def test_env_list_splits_on_commas_and_drops_blank_items() -> None:
    assert env_list("HOSTS", environ={"HOSTS": " a.org, b.org ,, c.org "}) == [
        "a.org",
        "b.org",
        "c.org",
    ]


def test_env_list_returns_a_fresh_copy_of_the_default_when_unset() -> None:
    default = ("localhost",)

    hosts = env_list("HOSTS", default, environ={})

    assert hosts == ["localhost"]
    hosts.append("other")
    assert default == ("localhost",)


# --- database URLs --------------------------------------------------------------------------


def test_sqlite_url_with_three_slashes_is_a_relative_path() -> None:
    db = env_db_url("DB", environ={"DB": "sqlite:///var/portal.sqlite3"})

    assert db == {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": "var/portal.sqlite3",
        "OPTIONS": {},
    }


def test_sqlite_url_with_four_slashes_is_an_absolute_path() -> None:
    assert parse_db_url("sqlite:////srv/joinery/portal.sqlite3")["NAME"] == (
        "/srv/joinery/portal.sqlite3"
    )


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:", "sqlite://:memory:"])
def test_sqlite_url_without_a_path_is_an_in_memory_database(url: str) -> None:
    assert parse_db_url(url)["NAME"] == ":memory:"


def test_mysql_url_fills_every_connection_field() -> None:
    db = parse_db_url("mysql://lab:p%40ss%3Aword@db.example.org:3307/portal?charset=utf8mb4")

    assert db == {
        "ENGINE": "django.db.backends.mysql",
        "NAME": "portal",
        "USER": "lab",
        "PASSWORD": "p@ss:word",
        "HOST": "db.example.org",
        "PORT": "3307",
        "OPTIONS": {"charset": "utf8mb4"},
    }


def test_mariadb_url_uses_the_mysql_backend_and_leaves_the_default_port() -> None:
    db = parse_db_url("mariadb://lab@mariadb/portal")

    assert db["ENGINE"] == "django.db.backends.mysql"
    assert (db["HOST"], db["PORT"], db["PASSWORD"]) == ("mariadb", "", "")


@pytest.mark.parametrize("scheme", ["postgresql", "postgres"])
def test_postgresql_url_uses_the_postgresql_backend(scheme: str) -> None:
    db = parse_db_url(f"{scheme}://lab:secret@pg:5432/portal?connect_timeout=10")

    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["NAME"], db["USER"], db["PASSWORD"]) == ("portal", "lab", "secret")
    assert (db["HOST"], db["PORT"]) == ("pg", "5432")
    assert db["OPTIONS"] == {"connect_timeout": 10}


def test_db_url_with_an_unknown_scheme_is_rejected_naming_the_variable() -> None:
    with pytest.raises(ImproperlyConfigured, match="DB must start with one of sqlite://"):
        env_db_url("DB", environ={"DB": "oracle://lab@host/portal"})


def test_server_db_url_must_name_a_database() -> None:
    with pytest.raises(ImproperlyConfigured, match="DB must name one database after the host"):
        env_db_url("DB", environ={"DB": "mysql://lab@host:3306"})


def test_server_db_url_with_a_bad_port_is_rejected() -> None:
    with pytest.raises(ImproperlyConfigured, match="DB has an invalid port"):
        env_db_url("DB", environ={"DB": "mysql://lab@host:port/portal"})


def test_sqlite_url_with_a_host_is_rejected() -> None:
    with pytest.raises(ImproperlyConfigured, match="a sqlite URL has no host"):
        env_db_url("DB", environ={"DB": "sqlite://var/portal.sqlite3"})


def test_db_url_errors_never_show_the_password() -> None:
    with pytest.raises(ImproperlyConfigured) as error:
        env_db_url("DB", environ={"DB": "mysql://lab:hunter2@host:port/portal"})

    assert "hunter2" not in str(error.value)
    assert "lab:***@host:port" in str(error.value)


def test_env_url_accepts_only_the_given_schemes() -> None:
    environ = {"DATA": "mysql://lab:pw@db:3306"}
    assert env_url("DATA", schemes={"mysql"}, environ=environ) == "mysql://lab:pw@db:3306"
    with pytest.raises(ImproperlyConfigured, match="DATA must start with one of sqlite://"):
        env_url("DATA", schemes={"sqlite"}, environ=environ)


# --- the settings module, evaluated afresh under a chosen environment -----------------------


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """No Joinery variable from the caller's shell; databases in a temporary folder."""
    for name in JOINERY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'portal' / 'portal.sqlite3'}")
    monkeypatch.setenv("DATA_DATABASE_URL", f"sqlite:///{tmp_path / 'data' / 'data.sqlite3'}")
    monkeypatch.setenv("CELERY_BROKER_URL", "memory://")
    return monkeypatch


def _load_settings() -> dict[str, Any]:
    return runpy.run_path(str(SETTINGS_FILE))


def test_settings_refuse_to_start_without_a_secret_key_when_debug_is_off(
    clean_env: pytest.MonkeyPatch,
) -> None:
    clean_env.setenv("DJANGO_DEBUG", "false")

    with pytest.raises(ImproperlyConfigured, match="DJANGO_SECRET_KEY must be set"):
        _load_settings()


def test_settings_default_to_debug_with_a_development_secret_key(
    clean_env: pytest.MonkeyPatch,
) -> None:
    loaded = _load_settings()

    assert loaded["DEBUG"] is True
    assert loaded["SECRET_KEY"].startswith("django-insecure-")
    assert loaded["ALLOWED_HOSTS"] == ["127.0.0.1", "localhost"]


def test_settings_take_secret_key_and_hosts_from_the_environment(
    clean_env: pytest.MonkeyPatch,
) -> None:
    clean_env.setenv("DJANGO_DEBUG", "off")
    clean_env.setenv("DJANGO_SECRET_KEY", "s3cret")
    clean_env.setenv("DJANGO_ALLOWED_HOSTS", "portal.lab.org, .lab.org")

    loaded = _load_settings()

    assert (loaded["DEBUG"], loaded["SECRET_KEY"]) == (False, "s3cret")
    assert loaded["ALLOWED_HOSTS"] == ["portal.lab.org", ".lab.org"]


def test_sqlite_portal_database_gets_its_folder_and_concurrency_options(
    clean_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    db = _load_settings()["DATABASES"]["default"]

    assert db["NAME"] == str(tmp_path / "portal" / "portal.sqlite3")
    assert (tmp_path / "portal").is_dir()
    assert db["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in db["OPTIONS"]["init_command"]


def test_joinery_settings_hold_data_database_and_pipeline_modules(
    clean_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    clean_env.setenv("JOINERY_PIPELINE_MODULES", "lab.ephys, lab.imaging")

    joinery = _load_settings()["JOINERY"]

    assert joinery["DATA_DATABASE_URL"] == f"sqlite:///{tmp_path / 'data' / 'data.sqlite3'}"
    assert (tmp_path / "data").is_dir()
    assert joinery["PIPELINE_MODULES"] == ["lab.ephys", "lab.imaging"]
    assert joinery["REDIS_URL"] is None


def test_data_database_may_be_a_mysql_server_without_a_schema_name(
    clean_env: pytest.MonkeyPatch,
) -> None:
    clean_env.setenv("DATA_DATABASE_URL", "mysql://lab:pw@mariadb:3306")

    assert _load_settings()["JOINERY"]["DATA_DATABASE_URL"] == "mysql://lab:pw@mariadb:3306"


def test_data_database_rejects_a_backend_the_engine_lacks(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("DATA_DATABASE_URL", "postgresql://lab@pg/lab")

    with pytest.raises(ImproperlyConfigured, match="DATA_DATABASE_URL must start with one of"):
        _load_settings()


def test_default_broker_is_the_file_system_with_existing_folders(
    clean_env: pytest.MonkeyPatch,
) -> None:
    clean_env.delenv("CELERY_BROKER_URL")

    loaded = _load_settings()

    assert loaded["CELERY_BROKER_URL"].startswith("filesystem://")
    options = loaded["CELERY_BROKER_TRANSPORT_OPTIONS"]
    assert options["data_folder_in"] == options["data_folder_out"]
    assert Path(options["data_folder_in"]).is_dir()
    assert Path(options["control_folder"]).is_dir()


def test_a_server_broker_gets_no_file_system_options(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("CELERY_BROKER_URL", "redis://redis:6379/0")

    loaded = _load_settings()

    assert loaded["CELERY_BROKER_URL"] == "redis://redis:6379/0"
    assert loaded["CELERY_BROKER_TRANSPORT_OPTIONS"] == {}


def test_log_level_must_be_a_logging_level(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("DJANGO_LOG_LEVEL", "chatty")

    with pytest.raises(ImproperlyConfigured, match="DJANGO_LOG_LEVEL must be one of"):
        _load_settings()


# --- the settings the test run itself loaded ------------------------------------------------


def test_daphne_comes_first_so_runserver_speaks_asgi(settings: Settings) -> None:
    assert settings.INSTALLED_APPS[0] == "daphne"
    assert settings.ASGI_APPLICATION == "config.asgi.application"


def test_portal_apps_and_frameworks_are_installed(settings: Settings) -> None:
    for app in ("rest_framework", "drf_spectacular", "channels", "accounts", "pipelines"):
        assert app in settings.INSTALLED_APPS
    assert settings.INSTALLED_APPS[-1] == "frontend"


def test_channel_layer_is_in_memory(settings: Settings) -> None:
    assert settings.CHANNEL_LAYERS == {
        "default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}
    }
