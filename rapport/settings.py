"""The one settings module. Everything a deployment changes comes from RAPPORT_* variables."""

import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent


def env(name: str, default: str = "") -> str:
    """A RAPPORT_* variable; set but empty counts as unset."""
    return os.environ.get(f"RAPPORT_{name}") or default


def env_bool(name: str, default: bool = False) -> bool:
    return env(name, "1" if default else "0").strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    return int(env(name, str(default)))


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DATA_DIR = Path(env("DATA_DIR", str(Path.cwd() / "var"))).resolve()


def _secret_key() -> str:
    """Use the configured key, else one generated once and kept beside the database."""
    configured = env("SECRET_KEY")
    if configured:
        return configured
    path = DATA_DIR / "secret_key"
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "csp",
    "django_htmx",
    "template_partials",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "rapport.accounts",
    "rapport.audit",
    "rapport.people",
    "rapport.touchpoints",
    "rapport.relationships",
    "rapport.requests",
    "rapport.today",
    "rapport.reports",
    "rapport.awareness",
    "rapport.search",
    "rapport.uploads",
    "rapport.imports",
    "rapport.contacts",
    "rapport.duplicates",
    "rapport.calendars",
    "rapport.exports",
    "rapport.backup",
    "rapport.webhooks",
    "rapport.privacy",
    "rapport.api",
    "rapport.demo",
    "rapport.server",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",  # the Content-Security-Policy header (see below)
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "rapport.middleware.RefuseBadTextMiddleware",
]

ROOT_URLCONF = "rapport.urls"
WSGI_APPLICATION = "rapport.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "rapport.nav.nav_section",
            ],
            # `safe_href` in every template, with no {% load %} to forget (rapport/weblinks.py)
            "builtins": ["rapport.weblinks"],
        },
    }
]

_sqlite_path = DATA_DIR / "rapport.sqlite3"
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{_sqlite_path}"), conn_max_age=env_int("CONN_MAX_AGE", 60)
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers queue for the lock at BEGIN instead of failing mid-transaction with
    # "database is locked"; WAL lets readers carry on while one writer works.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            " PRAGMA cache_size=-64000; PRAGMA mmap_size=268435456; PRAGMA temp_store=MEMORY;"
        ),
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0 if env_bool("SQLITE_NO_PERSIST") else None
    DATA_DIR.mkdir(parents=True, exist_ok=True)
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT: Rapport's queries are short, and compiling them (100 ms and more for a search
    # whose cost estimate crossed the threshold) took longer than running them.
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = env("TIME_ZONE", "Europe/London")
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
# WhiteNoise serves from the finders; an empty root keeps it from warning before collectstatic.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
# Uploaded files (request deliverables). Never served as static files: a view checks that the
# reader may see the request first.
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(DATA_DIR / "uploads"))).resolve()
MEDIA_URL = "media/"

# --- HTTPS, the reverse proxy and the browser's protections (docs/deploy.md) ---------------
# RAPPORT_HTTPS=1 says the site is reached over https only: it turns on the redirect to https,
# secure cookies and HSTS, each of which its own variable can still turn off or change.
RAPPORT_HTTPS = env_bool("HTTPS")
# RAPPORT_BEHIND_PROXY=1 trusts the one reverse proxy in front (which must be the only way in):
# its X-Forwarded-Proto says whether the browser used https (so links built from a request,
# like the calendar feed's, are https), and the last address it added to X-Forwarded-For is
# the client's (sign-in throttling, rapport/accounts/throttle.py).
RAPPORT_BEHIND_PROXY = env_bool("BEHIND_PROXY")
if RAPPORT_BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SSL_REDIRECT", RAPPORT_HTTPS)
SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 365 * 24 * 3600 if RAPPORT_HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_SUBDOMAINS", True)
# Preloading binds the whole domain in browsers' built-in lists, a decision for whoever owns
# the domain, so it is sent only when asked for; `check --deploy` need not nag about it.
SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD")
SILENCED_SYSTEM_CHECKS = ["security.W021"]
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", RAPPORT_HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# No inline script or style anywhere (STYLE.md), so the policy allows this origin's own files
# and nothing else; htmx is told not to eval or inject styles (templates/base.html).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# --- end of HTTPS and browser protections ----------------------------------------------------

# --- Sign-in throttling (rapport/accounts/throttle.py) -----------------------------------------
# Wrong passwords are counted over the last RAPPORT_SIGNIN_LOCK_MINUTES: this many for one
# account (whatever the address), or from one address (whatever the accounts), lock sign-in
# until they age out. `rapport unlock` lifts a lock at once.
RAPPORT_SIGNIN_LIMIT = env_int("SIGNIN_LIMIT", 10)
RAPPORT_SIGNIN_ADDRESS_LIMIT = env_int("SIGNIN_ADDRESS_LIMIT", 50)
RAPPORT_SIGNIN_LOCK_MINUTES = env_int("SIGNIN_LOCK_MINUTES", 15)
# --- end of sign-in throttling -----------------------------------------------------------------

# Mail: SMTP by default so password resets really leave; tests point it at a local server.
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env("FROM_EMAIL", "rapport@localhost")

# Who sees what: "groups" (a librarian sees the people of the groups they serve and what they
# wrote) or "library" (every librarian sees every person and every non-confidential touchpoint).
RAPPORT_SHARING = env("SHARING", "groups")
if RAPPORT_SHARING not in {"groups", "library"}:
    raise ValueError("RAPPORT_SHARING must be 'groups' or 'library'")

# Background work: the database queue, worked by `rapport worker`. Tests may run tasks at once.
TASKS = {
    "default": {
        "BACKEND": env("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# Current awareness. Mode: lexical (built in), semantic or hybrid (need `rapport[semantic]`).
RAPPORT_MATCH_MODE = env("MATCH_MODE", "lexical")
RAPPORT_MATCH_TOP = env_int("MATCH_TOP", 20)
#: How much each kind of evidence counts in an interest profile, and how fast it fades.
RAPPORT_INTEREST_WEIGHTS = {
    "touchpoint": float(env("WEIGHT_TOUCHPOINTS", "1.0")),
    "publication": float(env("WEIGHT_PUBLICATIONS", "1.0")),
    "stated": float(env("WEIGHT_STATED", "2.0")),
    "feedback": float(env("WEIGHT_FEEDBACK", "1.0")),
}
RAPPORT_INTEREST_HALF_LIFE_DAYS = env_int("INTEREST_HALF_LIFE_DAYS", 365)

# Bringing history in and out.
RAPPORT_IMPORT_MAX_MB = env_int("IMPORT_MAX_MB", 200)  # the largest file an import accepts
# What a workbook may unpack to (all its parts; its shared strings), checked before it is opened.
RAPPORT_IMPORT_MAX_UNPACKED_MB = env_int("IMPORT_MAX_UNPACKED_MB", 2000)
RAPPORT_IMPORT_MAX_SHARED_STRINGS_MB = env_int("IMPORT_MAX_SHARED_STRINGS_MB", 100)
RAPPORT_WEBHOOK_TIMEOUT = env_int("WEBHOOK_TIMEOUT", 10)  # seconds a receiver has to answer


# Outbound requests (feeds, ORCID, webhooks) never reach loopback, private, link-local or other
# non-public addresses, except those listed here: comma-separated addresses, networks
# (10.0.0.0/8, fd00::/8), host names or *.domain. See rapport/outbound/.
def _outbound_allow() -> list[str]:
    """Read now, so a mistyped entry stops the server starting rather than a fetch."""
    from rapport.outbound import allowed

    entries = env_list("OUTBOUND_ALLOW")
    allowed(entries)
    return entries


RAPPORT_OUTBOUND_ALLOW = _outbound_allow()


# Secrets Rapport must read back (webhook signing secrets) are stored encrypted with a key
# derived from this list (the first encrypts, every one decrypts), else from SECRET_KEY; see
# rapport/crypto.py and docs/webhooks.md for rotating it.
RAPPORT_ENCRYPTION_KEY = env_list("ENCRYPTION_KEY")

# Every line passes `redact_secrets` on its way out: secret addresses (calendar feeds, alert
# links) and tokens become [redacted] in Django's "Not Found: <path>" and access lines,
# waitress's, and ours. Django's own handlers for its loggers are replaced by these (its
# console handler printed only with DEBUG; its mail_admins handler mails no one, as ADMINS is
# empty), so nothing is written around the filter.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_secrets": {"()": "rapport.logs.RedactSecrets"}},
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact_secrets"]},
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["redact_secrets"],
        },
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING")},
    "loggers": {
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
    },
}
