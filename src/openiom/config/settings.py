"""Django settings, all from the environment.

`OPENIOM_ENV=production` turns on the production posture: a secret key and allowed hosts are
required, cookies are secure, HTTPS is enforced with HSTS. Anything else is a development or demo
setting on SQLite.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent  # src/openiom
PROJECT_DIR = BASE_DIR.parent.parent
DATA_DIR = Path(os.environ.get("OPENIOM_DATA_DIR", PROJECT_DIR / "var"))

ENVIRONMENT = os.environ.get("OPENIOM_ENV", "development")
PRODUCTION = ENVIRONMENT == "production"
DEBUG = os.environ.get("OPENIOM_DEBUG", "false").lower() == "true" and not PRODUCTION

if PRODUCTION:
    try:
        SECRET_KEY = os.environ["OPENIOM_SECRET_KEY"]
    except KeyError as exc:
        raise ImproperlyConfigured("OPENIOM_SECRET_KEY must be set in production") from exc
    ALLOWED_HOSTS = [h for h in os.environ.get("OPENIOM_ALLOWED_HOSTS", "").split(",") if h]
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("OPENIOM_ALLOWED_HOSTS must be set in production")
else:
    # Development and demo only: a fixed key is harmless on a machine holding synthetic data.
    SECRET_KEY = os.environ.get("OPENIOM_SECRET_KEY", "openiom-development-key-not-for-production")
    ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]", "testserver"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "oauth2_provider",
    "openiom.accounts",
    "openiom.access",
    "openiom.audit",
    "openiom.retention",
    "openiom.reference",
    "openiom.people",
    "openiom.offending",
    "openiom.identity",
    "openiom.cohorts",
    "openiom.evaluation",
    "openiom.cases",
    "openiom.performance",
    "openiom.workforce",
    "openiom.web",
    "openiom.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "openiom.accounts.middleware.IdleSessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "openiom.web.middleware.NoStoreMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "axes.middleware.AxesMiddleware",
    "openiom.access.middleware.PermissionMiddleware",
]

ROOT_URLCONF = "openiom.config.urls"
WSGI_APPLICATION = "openiom.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "openiom.web.context_processors.service",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'openiom.sqlite3'}"),
        conn_max_age=int(os.environ.get("OPENIOM_DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets the web server read while an import writes.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"]["init_command"] = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Tests use a file, not SQLite's shared in-memory database: the browser tests' live server
    # answers from other threads, which must see exactly what the test committed.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test-openiom.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# How long a restricted part of a record stays open after a stated purpose or emergency access.
OPENIOM_UNLOCK_MINUTES = int(os.environ.get("OPENIOM_UNLOCK_MINUTES", "15"))
# Single sign-on (accounts/oidc.py): on when a client id is set, and then every endpoint is required.
OPENIOM_OIDC_ENABLED = bool(os.environ.get("OPENIOM_OIDC_CLIENT_ID"))
OPENIOM_OIDC_PROVIDER_NAME = os.environ.get("OPENIOM_OIDC_PROVIDER_NAME", "your organisation")
OPENIOM_OIDC_USERNAME_CLAIM = os.environ.get("OPENIOM_OIDC_USERNAME_CLAIM", "preferred_username")
# RFC 8176 authentication method references that count as a second factor.
OPENIOM_OIDC_MFA_METHODS = [
    m.strip() for m in os.environ.get("OPENIOM_OIDC_MFA_METHODS", "mfa").split(",") if m.strip()
]
if OPENIOM_OIDC_ENABLED:
    try:
        OIDC_RP_CLIENT_ID = os.environ["OPENIOM_OIDC_CLIENT_ID"]
        OIDC_RP_CLIENT_SECRET = os.environ["OPENIOM_OIDC_CLIENT_SECRET"]
        OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ["OPENIOM_OIDC_AUTHORIZATION_ENDPOINT"]
        OIDC_OP_TOKEN_ENDPOINT = os.environ["OPENIOM_OIDC_TOKEN_ENDPOINT"]
        OIDC_OP_USER_ENDPOINT = os.environ["OPENIOM_OIDC_USERINFO_ENDPOINT"]
        OIDC_OP_JWKS_ENDPOINT = os.environ["OPENIOM_OIDC_JWKS_ENDPOINT"]
    except KeyError as missing:
        raise ImproperlyConfigured(
            f"single sign-on is on (OPENIOM_OIDC_CLIENT_ID is set) but {missing.args[0]} is not"
        ) from missing
    AUTHENTICATION_BACKENDS.append("openiom.accounts.oidc.OIDCBackend")
OIDC_RP_SIGN_ALGO = os.environ.get("OPENIOM_OIDC_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = "openid profile email"
OIDC_CREATE_USER = False
OIDC_USE_PKCE = True
OIDC_TIMEOUT = 15
OIDC_AUTHENTICATION_CALLBACK_URL = "accounts:oidc-callback"
LOGIN_REDIRECT_URL_FAILURE = "/sign-in?sso=failed"

LOGIN_URL = "accounts:sign-in"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "accounts:sign-in"

# Lock a username at one client address after repeated failures; username and address together so
# one shared police/probation NAT address cannot lock out a whole office, and an attacker elsewhere
# cannot lock out the real user (accounts/throttle.py, docs/security.md "Sign-in limits").
AXES_FAILURE_LIMIT = int(os.environ.get("OPENIOM_LOCKOUT_FAILURES", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("OPENIOM_LOCKOUT_HOURS", "0.5"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Behind the TLS proxy the client address comes from X-Forwarded-For, believed only from these
# proxies (addresses or networks, comma-separated); without them every client would be the proxy.
OPENIOM_TRUSTED_PROXIES = [
    p.strip() for p in os.environ.get("OPENIOM_TRUSTED_PROXIES", "").split(",") if p.strip()
]
AXES_CLIENT_IP_CALLABLE = "openiom.accounts.throttle.client_ip"
# Across all addresses, an account is slowed (never locked) after this many failures.
OPENIOM_ACCOUNT_SLOW_AFTER = int(os.environ.get("OPENIOM_ACCOUNT_SLOW_AFTER", "10"))
OPENIOM_ACCOUNT_MAX_WAIT_SECONDS = int(os.environ.get("OPENIOM_ACCOUNT_MAX_WAIT_SECONDS", "60"))
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"

# Idle sessions end after 30 minutes. A session in use is saved again at most once a minute
# (accounts.middleware.IdleSessionMiddleware) rather than on every request.
SESSION_COOKIE_AGE = int(os.environ.get("OPENIOM_SESSION_IDLE_SECONDS", "1800"))
OPENIOM_SESSION_REFRESH_SECONDS = min(60, SESSION_COOKIE_AGE // 10)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = os.environ.get("OPENIOM_SSL_REDIRECT", "true").lower() == "true"
    SECURE_HSTS_SECONDS = int(os.environ.get("OPENIOM_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Two-factor authentication is required for every role outside the demo.
OPENIOM_REQUIRE_2FA = (
    os.environ.get("OPENIOM_REQUIRE_2FA", "true" if PRODUCTION else "false").lower() == "true"
)
OTP_TOTP_ISSUER = "OpenIOM"

LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en-gb", _("English")), ("cy", _("Cymraeg"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("OPENIOM_STATIC_ROOT", PROJECT_DIR / "staticfiles"))
STATICFILES_DIRS = [
    ("govuk", PROJECT_DIR / "node_modules" / "govuk-frontend" / "dist" / "govuk"),
    BASE_DIR / "static",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Development and the demo serve static files straight from the finders.
WHITENOISE_USE_FINDERS = not PRODUCTION
if not PRODUCTION:
    STATIC_ROOT = DATA_DIR / "static"
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# GOV.UK Frontend's compiled CSS asks for its fonts at /assets/.
WHITENOISE_ROOT = PROJECT_DIR / "node_modules" / "govuk-frontend" / "dist" / "govuk"
WHITENOISE_AUTOREFRESH = DEBUG

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("OPENIOM_LOG_LEVEL", "WARNING")},
}

OPENIOM_SERVICE_NAME = "OpenIOM"
OPENIOM_DEMO = os.environ.get("OPENIOM_DEMO", "false").lower() == "true"
CSRF_FAILURE_VIEW = "openiom.web.views.csrf_failure"

# Audit checkpoints (audit/anchor.py, docs/security.md "Threat model"): the head of the audit chain,
# signed with an Ed25519 key the database does not hold, appended to files outside the database, so
# `iom audit verify` detects a trail that was truncated, rewritten or replaced by an older copy.
# Outside production a key is generated under the data folder on first use; in production it must be
# provided (`iom audit keygen`), readable only by the application's account.
OPENIOM_AUDIT_CHECKPOINT_DIR = Path(
    os.environ.get("OPENIOM_AUDIT_CHECKPOINT_DIR", DATA_DIR / "audit-checkpoints")
)
OPENIOM_AUDIT_SIGNING_KEY_FILE = os.environ.get("OPENIOM_AUDIT_SIGNING_KEY_FILE") or (
    None if PRODUCTION else str(DATA_DIR / "audit-signing-key.pem")
)
# Public keys (PEM, one or more, for rotation) that verify checkpoints; by default the signing key's own.
OPENIOM_AUDIT_VERIFY_KEY_FILE = os.environ.get("OPENIOM_AUDIT_VERIFY_KEY_FILE") or None
# A checkpoint for every row by default, so no committed row can be deleted from the end undetected;
# with N, up to N-1 of the newest rows are unprotected (run `iom audit checkpoint` from cron).
OPENIOM_AUDIT_CHECKPOINT_EVERY = max(1, int(os.environ.get("OPENIOM_AUDIT_CHECKPOINT_EVERY", "1")))

# The REST API (docs/api.md). Machine clients use OAuth2 client credentials; people use their session,
# with Django's CSRF check. Both pass the one permission check (openiom.api.permissions).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "openiom.api.authentication.ClientCredentialsAuthentication",
        "openiom.api.authentication.BrowserSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["openiom.api.permissions.CentralPermission"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "openiom.api.schema.ProblemAutoSchema",
    "EXCEPTION_HANDLER": "openiom.api.problems.problem_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "OpenIOM API",
    "DESCRIPTION": "Integrated Offender Management: people, reference data and more. See docs/api.md.",
    "VERSION": "1.0.0",
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
}
# Short-lived tokens: a client asks again rather than holding a long-lived credential.
OAUTH2_PROVIDER = {
    "ACCESS_TOKEN_EXPIRE_SECONDS": int(os.environ.get("OPENIOM_API_TOKEN_SECONDS", "900")),
    "SCOPES": {"api": "The OpenIOM API, within the client's role and schemes"},
    "DEFAULT_SCOPES": ["api"],
}
