"""Cocov settings: every environment variable the project reads is read here, once."""

from pathlib import Path

import dj_database_url

from cocov import env

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

DEBUG = env.boolean("DJANGO_DEBUG", False)
SECRET_KEY = env.string("DJANGO_SECRET_KEY") or (
    "insecure-development-key" if DEBUG else env.string("DJANGO_SECRET_KEY", required=True)
)
ALLOWED_HOSTS = env.csv("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
# Behind a proxy that ends TLS: the admin's login form needs its https origin trusted.
CSRF_TRUSTED_ORIGINS = env.csv("DJANGO_CSRF_TRUSTED_ORIGINS")
if env.boolean("DJANGO_TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Cocov ---------------------------------------------------------------------------------
COCOV_GITHUB_ORG_NAME = env.string("COCOV_GITHUB_ORG_NAME", required=True)
COCOV_GITHUB_URL = env.string("COCOV_GITHUB_URL", "https://github.com").rstrip("/")
COCOV_GITHUB_API_URL = env.string("COCOV_GITHUB_API_URL", "https://api.github.com").rstrip("/")
COCOV_GITHUB_GIT_URL = env.string("COCOV_GITHUB_GIT_URL", COCOV_GITHUB_URL).rstrip("/")
COCOV_GITHUB_APP_ID = env.string("COCOV_GITHUB_APP_ID")
COCOV_GITHUB_APP_PRIVATE_KEY = env.base64_text("COCOV_GITHUB_APP_PRIVATE_KEY")
COCOV_GITHUB_APP_INSTALLATION_ID = env.integer("COCOV_GITHUB_APP_INSTALLATION_ID")
COCOV_GITHUB_TOKEN = env.string("COCOV_GITHUB_TOKEN")
COCOV_GITHUB_WEBHOOK_SECRET_KEY = env.string("COCOV_GITHUB_WEBHOOK_SECRET_KEY", required=not DEBUG)
COCOV_UI_BASE_URL = env.string("COCOV_UI_BASE_URL", "http://localhost:4000").rstrip("/")
COCOV_REDIS_URL = env.redis_url("COCOV_REDIS_URL")
COCOV_QUEUE_REDIS_URL = env.redis_url("COCOV_QUEUE_REDIS_URL")
COCOV_GIT_SERVICE_STORAGE_MODE = env.string("COCOV_GIT_SERVICE_STORAGE_MODE", "local")
COCOV_GIT_SERVICE_LOCAL_STORAGE_PATH = Path(
    env.string("COCOV_GIT_SERVICE_LOCAL_STORAGE_PATH", str(VAR_DIR / "git_storage"))
)
COCOV_CRYPTOGRAPHIC_KEY = env.hex_key("COCOV_CRYPTOGRAPHIC_KEY", 32)

if COCOV_GIT_SERVICE_STORAGE_MODE != "local":
    raise env.InvalidSetting("COCOV_GIT_SERVICE_STORAGE_MODE must be 'local' (the only mode supported)")
if COCOV_GITHUB_APP_ID and not (COCOV_GITHUB_APP_PRIVATE_KEY and COCOV_GITHUB_APP_INSTALLATION_ID):
    raise env.MissingSetting(
        "COCOV_GITHUB_APP_PRIVATE_KEY and COCOV_GITHUB_APP_INSTALLATION_ID are required with COCOV_GITHUB_APP_ID"
    )

# --- Django --------------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_q",
    "cocov",
    "users",
    "repositories",
    "coverage_reports",
    "webhooks",
    "jobs",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "cocov.urls"
WSGI_APPLICATION = "cocov.wsgi.application"
AUTH_USER_MODEL = "users.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "UTC"
LANGUAGE_CODE = "en-us"
STATIC_URL = "static/"
# Static files are served by WhiteNoise straight from the apps (finders), so the admin works with
# DJANGO_DEBUG=0 and no collectstatic step; set COCOV_STATIC_ROOT to collect them instead.
STATIC_ROOT = env.string("COCOV_STATIC_ROOT")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

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

_database_url = env.string("DATABASE_URL")
if _database_url is None:
    VAR_DIR.mkdir(exist_ok=True)
    _database_url = f"sqlite:///{VAR_DIR / 'cocov.sqlite3'}"
try:
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60)}
except (ValueError, dj_database_url.UnknownSchemeError):
    raise env.InvalidSetting("DATABASE_URL must be postgres://user:password@host:port/name or sqlite:///path") from None
if DATABASES["default"]["ENGINE"] not in ("django.db.backends.postgresql", "django.db.backends.sqlite3"):
    raise env.InvalidSetting("DATABASE_URL must be a postgres:// or sqlite:/// URL")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web server and cluster write to one file: wait for the lock instead of failing at once.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "cocov_cache",
        # Held coverage reports live here: never cull live entries to make room.
        "OPTIONS": {"MAX_ENTRIES": 10_000_000},
    }
}

Q_CLUSTER = {
    "name": "cocov",
    "workers": env.integer("COCOV_QUEUE_WORKERS", 2),
    "timeout": 600,
    "retry": 660,
    "max_attempts": 1,
    "ack_failures": True,
    "save_limit": 1000,
    "catch_up": False,
    "poll": 0.2,
    "label": "Jobs",
}
if COCOV_QUEUE_REDIS_URL:
    Q_CLUSTER["redis"] = COCOV_QUEUE_REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.choice("COCOV_LOG_LEVEL", ("DEBUG", "INFO", "WARNING", "ERROR"), "INFO")},
    "loggers": {"django_q": {"level": "WARNING"}},
}
