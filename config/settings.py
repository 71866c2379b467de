"""Settings of the Joinery portal. Every value comes from the environment through `config.env`.

The defaults are the embedded setup `make run` uses: DEBUG on, SQLite portal and data databases
and a file-system Celery broker under `var/`, an in-memory channel layer. `docker/.env.example`
lists every variable with its meaning.
"""

from pathlib import Path
from typing import Any

import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_db_url, env_int, env_list, env_str, env_url, parse_db_url

# Generic admin and serializer classes (`ModelAdmin[Pipeline]`) are subscriptable at run time.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

# Both processes of the embedded setup (web server and Celery worker) write the portal file: WAL
# lets readers run beside a writer, and IMMEDIATE takes the write lock at BEGIN, so a second
# writer waits out the timeout instead of failing with "database is locked" halfway through.
_SQLITE_CONCURRENCY = {
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
}
_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def _ensure_parent(path: str) -> None:
    """SQLite creates a database file but not its folder; `var/` appears on first use."""
    if path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)


def _secret_key(debug: bool) -> str:
    key = env_str("DJANGO_SECRET_KEY", None)
    if key is not None:
        return key
    if not debug:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is false: the development key "
            "is public."
        )
    return "django-insecure-joinery-development-key-never-use-in-production"


def _portal_database(db: dict[str, Any]) -> dict[str, Any]:
    if db["ENGINE"] == "django.db.backends.sqlite3":
        _ensure_parent(db["NAME"])
        db["OPTIONS"] = {**_SQLITE_CONCURRENCY, **db["OPTIONS"]}
    return db


def _data_database_url() -> str:
    url = env_url(
        "DATA_DATABASE_URL",
        f"sqlite:///{VAR_DIR / 'data.sqlite3'}",
        schemes={"sqlite", "mysql", "mariadb"},
    )
    if url.startswith("sqlite:"):
        _ensure_parent(parse_db_url(url, source="DATA_DATABASE_URL")["NAME"])
    return url


def _filesystem_broker_options(broker_url: str) -> dict[str, str]:
    """kombu's file-system transport needs existing folders; producer and consumer share one."""
    if not broker_url.startswith("filesystem:"):
        return {}
    folder = Path(env_str("CELERY_BROKER_FOLDER", str(VAR_DIR / "broker")))
    queue, control = folder / "queue", folder / "control"
    queue.mkdir(parents=True, exist_ok=True)
    control.mkdir(parents=True, exist_ok=True)
    return {
        "data_folder_in": str(queue),
        "data_folder_out": str(queue),
        "control_folder": str(control),
    }


# --- Core -----------------------------------------------------------------------------------

DEBUG = env_bool("DJANGO_DEBUG", True)
SECRET_KEY = _secret_key(DEBUG)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # First, so that `runserver` is daphne's ASGI server (WebSockets work in development).
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "channels",
    "accounts",
    "pipelines",
    "frontend",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Serves the web app's built files under /static/ (compressed, cached forever by hash).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Portal database and users --------------------------------------------------------------

DATABASES = {
    "default": _portal_database(
        env_db_url("DATABASE_URL", f"sqlite:///{VAR_DIR / 'portal.sqlite3'}")
    ),
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Internationalisation and static files --------------------------------------------------

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# The web app's build (`make install` runs `npm ci` and `vite build` in frontend/): its index.html
# is the page of every browser route, its assets are static files.
FRONTEND_DIST = BASE_DIR / "frontend" / "dist"
STATICFILES_DIRS = [FRONTEND_DIST] if FRONTEND_DIST.is_dir() else []
# Hashed file names from Vite never change: whitenoise may let browsers cache them forever.
WHITENOISE_IMMUTABLE_FILE_TEST = r"^.+/assets/.+-[0-9A-Za-z_-]{8,}\.(js|css)$"
WHITENOISE_USE_FINDERS = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # collectstatic writes gzip copies next to each file; whitenoise sends them when accepted.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
if DEBUG:
    # Without `collectstatic` (development), whitenoise serves through the finders; an empty
    # STATIC_ROOT keeps it from warning about the missing directory on every start.
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)

# --- API ------------------------------------------------------------------------------------

REST_FRAMEWORK = {
    # The browser signs in with a session (and sends the CSRF token); scripts send
    # `Authorization: Bearer <token>`.
    # The first class names the scheme of the 401 an anonymous caller gets.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "pipelines.api.errors.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_THROTTLE_RATES": {"login": env_str("JOINERY_LOGIN_RATE", "10/min")},
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Joinery API",
    "DESCRIPTION": "Pipelines, table definitions, populate runs and their rows.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # One name for the role choices wherever a role is read or written.
    "ENUM_NAME_OVERRIDES": {"RoleEnum": "accounts.roles.Role"},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "pipelines.api.openapi.add_error_responses",
    ],
}

# --- Background work and live updates -------------------------------------------------------

# kombu asks every broker URL for a host, even the file-system one, and warns without one.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://localhost//")
CELERY_BROKER_TRANSPORT_OPTIONS = _filesystem_broker_options(CELERY_BROKER_URL)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# Several portals (or test runs) can share one Redis: each names its own queue.
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_QUEUE", "joinery")
# A populate task runs for hours: a worker takes one at a time, so the N tasks of a run spread
# over N workers, and acknowledges it at the end, so a task whose worker died is delivered again.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True

# Live progress. The event log in the portal DB is the truth; the channel layer only rings a
# doorbell. With Redis, workers on any machine ring it. Without (the embedded default), the
# in-memory layer does not cross processes, so the consumers tail the log instead.
CHANNEL_LAYER_URL = env_str("CHANNEL_LAYER_URL", None) or env_str("REDIS_URL", None)
CHANNEL_LAYERS: dict[str, dict[str, Any]]
if CHANNEL_LAYER_URL is None:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
else:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [CHANNEL_LAYER_URL],
                "prefix": env_str("CHANNEL_LAYER_PREFIX", "joinery"),
            },
        }
    }

# --- Joinery's own settings -----------------------------------------------------------------

JOINERY: dict[str, Any] = {
    # The engine's data database (the lab's tables): sqlite:///path or mysql://user:pass@host:port
    "DATA_DATABASE_URL": _data_database_url(),
    # Modules with the lab's compute code (make), "package.module" or "package.module@schema"
    # for a module whose schema is deferred (bound to that schema by the workers).
    "PIPELINE_MODULES": env_list("JOINERY_PIPELINE_MODULES"),
    # Redis for the channel layer (CHANNEL_LAYER_URL wins); None in the embedded setup.
    "REDIS_URL": env_str("REDIS_URL", None),
    # Populate workers beat every interval (seconds); one silent for the timeout is lost, and
    # the jobs it reserved go back to the queue (the engine's jobs.heartbeat_* settings).
    "HEARTBEAT_INTERVAL": env_int("JOINERY_HEARTBEAT_INTERVAL", 10),
    "HEARTBEAT_TIMEOUT": env_int("JOINERY_HEARTBEAT_TIMEOUT", 60),
    # Minutes a row-delete confirmation token stays valid after its preview.
    "DELETE_TOKEN_MINUTES": env_int("JOINERY_DELETE_TOKEN_MINUTES", 10),
    # Largest file a rows upload or a file value may be, in bytes.
    "ROWS_UPLOAD_MAX_BYTES": env_int("JOINERY_UPLOAD_MAX_BYTES", 64 * 1024 * 1024),
    # Seconds between two writes of a worker's progress events (their batching).
    "EVENT_BATCH_SECONDS": 0.05,
    # Seconds between two looks at the event log by a consumer without a doorbell (embedded),
    # and with one (a safety net for a lost doorbell).
    "TAIL_SECONDS": 0.1 if CHANNEL_LAYER_URL is None else 2.0,
}
if (
    JOINERY["HEARTBEAT_INTERVAL"] < 1
    or JOINERY["HEARTBEAT_TIMEOUT"] < 2 * JOINERY["HEARTBEAT_INTERVAL"]
):
    raise ImproperlyConfigured(
        "JOINERY_HEARTBEAT_INTERVAL must be at least 1 and JOINERY_HEARTBEAT_TIMEOUT at least "
        "twice the interval (seconds)."
    )

# --- Logging --------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {
        "handlers": ["console"],
        "level": env_str("DJANGO_LOG_LEVEL", "INFO", choices=_LOG_LEVELS),
    },
    # Django's own console handler would print each record a second time beside the root one.
    "loggers": {"django": {"handlers": [], "propagate": True}},
}
