"""Convoca's settings: the only module that reads the environment.

Everything comes from environment variables or a ``.env`` file in the working
directory, with defaults that are safe on a laptop. docs/operations.md lists
every variable.
"""

from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.conf import global_settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse_lazy
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from convoca.core import keyring as _keyring

BASE_DIR = Path(__file__).resolve().parent

env = environ.Env()
environ.Env.read_env(Path.cwd() / ".env")

DEBUG = env.bool("DEBUG", default=False)

# --- The data folder and the secrets kept in it --------------------------------
DATA_DIR = Path(env.str("CONVOCA_DATA_DIR", default=str(Path.cwd() / "data"))).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

try:
    SECRET_KEY, CONVOCA_KEYRING = _keyring.load(
        data_dir=DATA_DIR,
        secret_key=env.str("SECRET_KEY", default=""),
        data_keys=env.str("CONVOCA_DATA_KEYS", default=""),
        blind_index_key=env.str("CONVOCA_BLIND_INDEX_KEY", default=""),
    )
except _keyring.KeyringError as exc:
    raise ImproperlyConfigured(f"Convoca cannot load its keys: {exc}") from exc
# How often a running process asks the database whether `convoca rotatekeys` added a
# newer data key (then it reloads secrets.json and encrypts with that key).
CONVOCA_KEY_REFRESH_SECONDS = env.float("CONVOCA_KEY_REFRESH_SECONDS", default=10)

# --- Where the site lives ------------------------------------------------------
# Without SITE_URL, links point where `convoca serve`/`demo` listens (its --host and
# --port, passed on as CONVOCA_SERVE_URL to every process it starts).
_site_url_given = env.str("SITE_URL", default="")
SITE_URL = (
    _site_url_given or env.str("CONVOCA_SERVE_URL", default="http://127.0.0.1:8000")
).rstrip("/")
_site = urlsplit(SITE_URL)
_site_is_local = not _site_url_given or _site.hostname in {"localhost", "127.0.0.1", "::1"}
SITE_NAME = env.str("SITE_NAME", default="Convoca")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[_site.hostname, "localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = [f"{_site.scheme}://{_site.netloc}"]

# A public deployment must say how it sends mail and be reached over HTTPS;
# a laptop (DEBUG, or a loopback SITE_URL) needs neither.
PRODUCTION = not DEBUG and not _site_is_local
if PRODUCTION:
    _missing = [name for name in ("DEFAULT_FROM_EMAIL",) if not env.str(name, default="")]
    if not (env.str("EMAIL_URL", default="") or env.str("EMAIL_BACKEND", default="")):
        _missing.append("EMAIL_URL (or EMAIL_BACKEND for an email provider's API)")
    if _site.scheme != "https":
        _missing.append("SITE_URL (must start with https://)")
    if _missing:
        raise ImproperlyConfigured(
            f"Convoca is running in production (SITE_URL={SITE_URL}, DEBUG off) but these "
            f"settings are missing or wrong: {', '.join(_missing)}. See docs/operations.md."
        )

# --- Applications ----------------------------------------------------------------
INSTALLED_APPS = [
    "unfold.apps.BasicAppConfig",
    "unfold.contrib.filters",
    # The organiser interface: core's throttled sign-in, with staff's second factor and sessions.
    "convoca.staff.admin_site.StaffAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django_countries",
    "django_tasks_db",
    "crontask",
    "django_otp",
    "convoca.core",
    "convoca.organisations",
    "convoca.people",
    "convoca.coalition",
    "convoca.mailings",
    "convoca.publishing",
    "convoca.actions",
    "convoca.letters",
    "convoca.events",
    "convoca.donations",
    "convoca.inbox",
    "convoca.api",
    "convoca.staff",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Gzip for pages with no secret in them (no CSRF token, no session): core/compression.py.
    "convoca.core.compression.SecretFreeGZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # request.user.is_verified(): whether this session passed a second factor (django-otp).
    "django_otp.middleware.OTPMiddleware",
    # Staff sessions in the admin: idle or signed-out-elsewhere ones end; the second step.
    "convoca.staff.middleware.StaffAccessMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "convoca.core.middleware.AdminContentSecurityPolicyMiddleware",
    "convoca.core.middleware.LanguageCookieMiddleware",
    # Last: cached public pages are answered here, everything above still runs.
    "convoca.core.caching.PublicPageCacheMiddleware",
]

ROOT_URLCONF = "convoca.urls"
WSGI_APPLICATION = "convoca.wsgi.application"

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
                "convoca.core.context_processors.site",
            ],
        },
    },
]

# --- Database ----------------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'convoca.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the writer; IMMEDIATE takes the write lock at
    # the start of a transaction so two writers wait instead of deadlocking.
    # secure_delete zeroes what a change leaves behind in the file (Debian's
    # SQLite does by default, others do not): no old value survives there.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA secure_delete=ON;"
            ),
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" and DATABASES["default"][
    "NAME"
] not in ("", ":memory:"):
    # SQLite has one write lock per file. Signing forms are accepted into a file
    # of their own, so a visitor's INSERT never waits behind the worker that is
    # recording earlier ones into the main file (docs/architecture.md).
    _main = Path(DATABASES["default"]["NAME"])
    DATABASES["intake"] = {
        **DATABASES["default"],
        "OPTIONS": dict(DATABASES["default"]["OPTIONS"]),
        "NAME": str(_main.with_name(f"{_main.stem}-intake{_main.suffix}")),
    }
DATABASE_ROUTERS = ["convoca.actions.routers.IntakeRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    # Rate-limit counters and used proof-of-work answers. In memory by default
    # (per process: limits are per web process); Redis in production makes
    # them shared. Not the file cache: it lists its folder on every write.
    "default": env.cache_url("CACHE_URL", default="locmemcache://"),
    # Rendered public pages, per process: a hit costs no network round trip.
    "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "OPTIONS": {"MAX_ENTRIES": 2000},
    },
}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache":
    # Django's default of 300 entries would evict used proof-of-work answers
    # and rate-limit counters within a second of heavy signing.
    CACHES["default"].setdefault("OPTIONS", {}).setdefault("MAX_ENTRIES", 200_000)
CONVOCA_PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=60)

# --- Background work -----------------------------------------------------------
TASKS = {
    "default": {"BACKEND": env.str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend")}
}
CRONTASK = {"REDIS_URL": env.str("CRONTASK_REDIS_URL", default="") or None}

# --- Email -----------------------------------------------------------------------
# EMAIL_URL, e.g. smtp+tls://user:password@smtp.example.org:587 (consolemail:// prints).
_email = env.email_url("EMAIL_URL", default="consolemail://")
MAILERS = {"default": {"BACKEND": _email["EMAIL_BACKEND"]}}
if _email["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend":
    MAILERS["default"]["OPTIONS"] = {
        "host": _email["EMAIL_HOST"],
        "port": _email["EMAIL_PORT"],
        "username": _email["EMAIL_HOST_USER"],
        "password": _email["EMAIL_HOST_PASSWORD"],
        "use_tls": bool(_email.get("EMAIL_USE_TLS")),
        "use_ssl": bool(_email.get("EMAIL_USE_SSL")),
        "timeout": 20,
    }
# Or an email provider's API through django-anymail: EMAIL_BACKEND names its backend
# (e.g. anymail.backends.mailgun.EmailBackend) and ANYMAIL_<SETTING> variables
# (e.g. ANYMAIL_MAILGUN_API_KEY) become its settings.
if env.str("EMAIL_BACKEND", default=""):
    MAILERS = {"default": {"BACKEND": env.str("EMAIL_BACKEND")}}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default=f"{SITE_NAME} <convoca@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Languages and time --------------------------------------------------------------
LANGUAGE_CODE = "en"
# The site's languages (``CONVOCA_LANGUAGES=en,es,pt`` adds Portuguese): a setting, never a
# migration. Content in a language gets a version in it; a page falls back to the default.
_language_names = {"en": _("English"), "es": _("Spanish")} | {
    code: _(name) for code, name in global_settings.LANGUAGES if code not in ("en", "es")
}
_languages = env.list("CONVOCA_LANGUAGES", default=["en", "es"])
if LANGUAGE_CODE not in _languages or not set(_languages) <= _language_names.keys():
    raise ImproperlyConfigured(
        f"CONVOCA_LANGUAGES lists language codes Django knows, {LANGUAGE_CODE} among them."
    )
LANGUAGES = [(code, _language_names[code]) for code in _languages]
# Our catalog, then Spanish for the strings Django's own catalogs still lack.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_overrides"]
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = _site.scheme == "https"

# --- Static and uploaded files ------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_MAX_AGE = 3600
# Uploaded images (logos, photos) are served by Convoca itself unless a
# proxy in front serves MEDIA_ROOT at /media/.
CONVOCA_SERVE_MEDIA = env.bool("SERVE_MEDIA", default=True)

# --- Security ------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"
# Where staff land after signing in when the form names no admin page to go back to.
LOGIN_REDIRECT_URL = "admin:index"
# Staff sign-in (core/admin_site.py): only failures count, per client address
# and account, and per client address. ``failures_per_client_and_account``:
# then each attempt from that address on that account needs a long proof of work
# (SIGN_IN_ACCOUNT_POW_MAX_NUMBER hashes at most: some seconds in a browser) until
# the hour is over; nobody is refused outright.
# ``failures_per_client_before_pow``: then that address's sign-in form asks
# the browser for a proof of work (an attempt without one is not checked).
CONVOCA_SIGN_IN_LIMITS = {
    "failures_per_client_and_account": (env.int("SIGN_IN_FAILURES_PER_ACCOUNT", default=10), 3600),
    "failures_per_client_before_pow": (env.int("SIGN_IN_FAILURES_BEFORE_POW", default=5), 3600),
}
CONVOCA_SIGN_IN_ACCOUNT_POW_MAX_NUMBER = env.int(
    "SIGN_IN_ACCOUNT_POW_MAX_NUMBER", default=1_000_000
)
CSRF_FAILURE_VIEW = "convoca.core.views.csrf_failure"
# Staff must pass a second factor (an authenticator app or a passkey; recovery codes
# as a fallback) after their password: every staff role can see supporters' personal
# data. On by default in production; without it coordinators can still require it of
# one organisation's staff, and anyone who enrolled a factor is asked for it.
CONVOCA_STAFF_SECOND_FACTOR_REQUIRED = env.bool("STAFF_SECOND_FACTOR_REQUIRED", default=PRODUCTION)
# A staff session with no request for this long is signed out.
CONVOCA_STAFF_IDLE_MINUTES = env.int("STAFF_IDLE_MINUTES", default=60)

_https = _site.scheme == "https"
SECURE_SSL_REDIRECT = _https and env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_PROXY", default=_https) else None
)
SECURE_HSTS_SECONDS = 31_536_000 if _https else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = _https
SECURE_HSTS_PRELOAD = _https
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = _https
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 12
CSRF_COOKIE_SECURE = _https
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 500

# Public pages load nothing from another host and run no inline script.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
# The admin theme (Unfold) uses Alpine.js, which evaluates expressions and
# sets inline styles; it is still limited to this host.
ADMIN_CSP = {
    **SECURE_CSP,
    "script-src": [CSP.SELF, CSP.UNSAFE_INLINE, CSP.UNSAFE_EVAL],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
}

# Where the client's address is, when a proxy in front of Convoca sets it
# (for example HTTP_X_REAL_IP); used in memory for rate limits, never stored.
CONVOCA_CLIENT_IP_HEADER = env.str("CLIENT_IP_HEADER", default="REMOTE_ADDR")

# Public forms: (submissions, seconds) per client and per email address. A
# visitor whose browser solved the proof of work gets the first; one without
# JavaScript the second, stricter.
CONVOCA_RATE_LIMITS = {
    "sign": {
        "per_client": (env.int("SIGN_RATE_PER_CLIENT", default=200), 3600),
        "per_email": (5, 3600),
    },
    "sign-without-pow": {
        "per_client": (env.int("SIGN_RATE_PER_CLIENT_WITHOUT_POW", default=20), 3600),
        "per_email": (5, 3600),
    },
}

# Accepted signing forms are recorded by a worker; a web process asks for that
# at most once every this many seconds (a task every minute catches the rest).
CONVOCA_INTAKE_DEBOUNCE_SECONDS = env.int("INTAKE_DEBOUNCE_SECONDS", default=2)

# Proof of work asked of browsers on public forms (core/pow.py): the largest
# number tried, and how long a challenge stays valid.
CONVOCA_POW_MAX_NUMBER = env.int("POW_MAX_NUMBER", default=50_000)
CONVOCA_POW_TTL_SECONDS = 20 * 60

# Sites allowed to show the embeddable action pages in a frame (CSP
# frame-ancestors); every web page by default, e.g. "https://partner.example".
CONVOCA_EMBED_FRAME_ANCESTORS = env.list("EMBED_FRAME_ANCESTORS", default=["https:", "http:"])

# --- Outbox (every transactional email; docs/architecture.md) ---------------------------
# Emails per delivery task (one SMTP connection), claimed this many at a time.
OUTBOX_BATCH_SIZE = env.int("OUTBOX_BATCH_SIZE", default=500)
OUTBOX_CHUNK_SIZE = env.int("OUTBOX_CHUNK_SIZE", default=100)
# A temporary failure is retried after 30 s, then twice as long each time (at most an
# hour, with jitter), for this many hours; then the email is given up.
OUTBOX_RETRY_BASE_SECONDS = env.int("OUTBOX_RETRY_BASE_SECONDS", default=30)
OUTBOX_RETRY_MAX_SECONDS = env.int("OUTBOX_RETRY_MAX_SECONDS", default=3600)
OUTBOX_RETRY_HOURS = env.int("OUTBOX_RETRY_HOURS", default=72)
# A claim older than this belongs to a dead worker and is given back (nothing of it was sent).
OUTBOX_CLAIM_LEASE_SECONDS = env.int("OUTBOX_CLAIM_LEASE_SECONDS", default=300)
# Sent or given-up emails lose their address and text after this many days.
OUTBOX_KEEP_DAYS = env.int("OUTBOX_KEEP_DAYS", default=30)
# As MAILINGS_DURABLE_COMMIT, for the outbox.
OUTBOX_DURABLE_COMMIT = env.bool("OUTBOX_DURABLE_COMMIT", default=True)

# --- Mailings (convoca/mailings, docs/mailings.md) -----------------------------------
# Deliveries per batch task (one SMTP connection each), claimed this many at a time.
MAILINGS_BATCH_SIZE = env.int("MAILINGS_BATCH_SIZE", default=2000)
MAILINGS_CHUNK_SIZE = env.int("MAILINGS_CHUNK_SIZE", default=200)
# Batch tasks of one mailing running at once (one per worker, each its own connection).
MAILINGS_PARALLEL_BATCHES = env.int("MAILINGS_PARALLEL_BATCHES", default=1)
# A claim older than this belongs to a dead worker and is given back (nothing of it was sent).
MAILINGS_CLAIM_LEASE_SECONDS = env.int("MAILINGS_CLAIM_LEASE_SECONDS", default=300)
# PostgreSQL: wait for the disk on every message's commit, so that even a crash of the
# database server sends nobody twice. Off is faster; a server crash could then resend the
# messages of its last fraction of a second.
MAILINGS_DURABLE_COMMIT = env.bool("MAILINGS_DURABLE_COMMIT", default=True)
# The mailto: of List-Unsubscribe (default: the sender's address; read by a person).
MAILINGS_UNSUBSCRIBE_MAILTO = env.str("MAILINGS_UNSUBSCRIBE_MAILTO", default="")
# django-anymail: provider webhooks (bounces, complaints) need HTTP basic auth
# "user:password"; Convoca refuses them while this is empty.
ANYMAIL = {
    **{
        name.removeprefix("ANYMAIL_"): value
        for name, value in env.ENVIRON.items()
        if name.startswith("ANYMAIL_") and name != "ANYMAIL_WEBHOOK_SECRET"
    },
    "WEBHOOK_SECRET": env.str("ANYMAIL_WEBHOOK_SECRET", default=""),
}
CONVOCA_RATE_LIMITS["subscribe"] = {
    "per_client": (env.int("SUBSCRIBE_RATE_PER_CLIENT", default=30), 3600),
    "per_email": (5, 3600),
}

# --- API (docs/api.md) ------------------------------------------------------------
# Requests per minute per API key; past it the API answers 429 with Retry-After.
CONVOCA_API_RATE_PER_MINUTE = env.int("API_RATE_PER_MINUTE", default=120)
# Largest JSON body the API reads, in bytes, and longest text in one field.
CONVOCA_API_MAX_BODY_BYTES = env.int("API_MAX_BODY_BYTES", default=64 * 1024)
# Webhooks: seconds to wait for a receiver's answer; deliveries are retried with
# the outbox's backoff for OUTBOX_RETRY_HOURS.
CONVOCA_WEBHOOK_TIMEOUT = env.float("WEBHOOK_TIMEOUT", default=10.0)

# --- Publishing ------------------------------------------------------------------
# When a new Weekly issue is published by default: weekday (0 Monday .. 4
# Friday) and hour, in TIME_ZONE.
CONVOCA_WEEKLY_WEEKDAY = env.int("WEEKLY_WEEKDAY", default=4)
CONVOCA_WEEKLY_HOUR = env.int("WEEKLY_HOUR", default=9)
# Fetching a pasted link's title for the Weekly: seconds and bytes at most.
CONVOCA_LINK_FETCH_TIMEOUT = env.float("LINK_FETCH_TIMEOUT", default=5.0)
CONVOCA_LINK_FETCH_MAX_BYTES = env.int("LINK_FETCH_MAX_BYTES", default=512 * 1024)

# --- Events ---------------------------------------------------------------------
# Registration and host forms: same policy as signing (stricter without proof of work).
CONVOCA_RATE_LIMITS.update(
    {
        "event-register": {"per_client": (env.int("EVENT_RATE_PER_CLIENT", default=100), 3600),
                           "per_email": (10, 3600)},
        "event-register-without-pow": {"per_client": (20, 3600), "per_email": (10, 3600)},
        "event-host": {"per_client": (10, 3600), "per_email": (5, 3600)},
        "event-host-without-pow": {"per_client": (5, 3600), "per_email": (3, 3600)},
    }
)  # fmt: skip
# "Events near me": how far from the typed city an event counts as near, in km.
CONVOCA_EVENTS_NEAR_KM = env.int("EVENTS_NEAR_KM", default=300)
# An operator's own tile server for a zoomable map (e.g. https://tiles.example.org/{z}/{x}/{y}.png).
# Empty (the default): only the self-contained SVG map, no request to another host.
CONVOCA_MAP_TILE_URL = env.str("MAP_TILE_URL", default="")
CONVOCA_MAP_TILE_CREDIT = env.str("MAP_TILE_CREDIT", default="")
if CONVOCA_MAP_TILE_URL:
    from urllib.parse import urlsplit as _urlsplit

    _tiles = _urlsplit(CONVOCA_MAP_TILE_URL)
    SECURE_CSP["img-src"] = [*SECURE_CSP["img-src"], f"{_tiles.scheme}://{_tiles.netloc}"]

# --- Donations -------------------------------------------------------------------------
# Online gifts go through Stripe Checkout when both keys are set; without them
# fundraiser pages say online giving is not configured, and offline gifts work.
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")
# Only tests point this elsewhere (a local stand-in for Stripe's API).
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="https://api.stripe.com")
# How old a webhook's signed timestamp may be, in seconds (Stripe's default).
STRIPE_WEBHOOK_TOLERANCE = env.int("STRIPE_WEBHOOK_TOLERANCE", default=300)
# The daily reconciliation with the payment provider: how far back its first run looks
# (later runs start at the newest event the last one saw). Stripe lists 30 days.
DONATIONS_RECONCILE_FIRST_DAYS = env.int("DONATIONS_RECONCILE_FIRST_DAYS", default=3)
if bool(STRIPE_SECRET_KEY) != bool(STRIPE_WEBHOOK_SECRET):
    # Half a configuration would take money that the site never hears was paid.
    raise ImproperlyConfigured(
        "Set both STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET, or neither. See README.md."
    )
# Where the donate form's submission may be redirected (CSP form-action).
CONVOCA_CHECKOUT_ORIGINS = env.list("CHECKOUT_ORIGINS", default=["https://checkout.stripe.com"])
# Payment providers by name, in order of preference for new gifts.
CONVOCA_DONATION_PROVIDERS = {"stripe": "convoca.donations.providers.stripe.StripeProvider"}
CONVOCA_RATE_LIMITS["donate"] = {"per_client": (30, 3600), "per_email": (10, 3600)}
CONVOCA_RATE_LIMITS["donate-without-pow"] = {"per_client": (10, 3600), "per_email": (5, 3600)}

# --- Personal data ---------------------------------------------------------------
# How long a person who never confirmed anything keeps their personal data.
CONVOCA_UNCONFIRMED_RETENTION_DAYS = env.int("CONVOCA_UNCONFIRMED_RETENTION_DAYS", default=30)
# How long a "see my data" link stays valid.
CONVOCA_DATA_LINK_MAX_AGE = 60 * 60

# --- Coalition and contact inbox --------------------------------------------------
# Rate limits of the affiliation, join and contact forms, as for signing above.
CONVOCA_RATE_LIMITS |= {
    scope: {"per_client": (per_client, 3600), "per_email": (per_email, 3600)}
    for scope, per_client, per_email in [
        ("affiliate", 20, 3),
        ("affiliate-without-pow", 5, 3),
        ("join", 60, 5),
        ("join-without-pow", 10, 5),
        ("contact", env.int("CONTACT_RATE_PER_CLIENT", default=30), 5),
        ("contact-without-pow", env.int("CONTACT_RATE_PER_CLIENT_WITHOUT_POW", default=10), 5),
    ]
}
# Closed contact messages lose their personal data after this many days.
CONVOCA_INBOX_RETENTION_DAYS = env.int("INBOX_RETENTION_DAYS", default=180)
# Where senders' answers to the acknowledgement and to replies go (Reply-To);
# empty: to DEFAULT_FROM_EMAIL.
CONVOCA_INBOX_REPLY_TO = env.str("INBOX_REPLY_TO", default="")

# --- Admin theme --------------------------------------------------------------------
UNFOLD = {
    "SITE_TITLE": SITE_NAME,
    "SITE_HEADER": SITE_NAME,
    "SITE_URL": "/",
    "SHOW_LANGUAGES": False,
    "SHOW_HISTORY": True,
    "BORDER_RADIUS": "4px",
    # The organisers' first screen: their figures and common tasks (convoca/dashboard.py).
    "DASHBOARD_CALLBACK": "convoca.dashboard.dashboard_callback",
    # Counts failed sign-ins and asks for a proof of work after many (core/admin_site.py).
    "LOGIN": {"form": "convoca.core.admin_sign_in.AdminSignInForm"},
    # In the account menu: the member's second factors and sessions (convoca/staff).
    "ACCOUNT": {
        "navigation": [
            {"title": _("Sign-in and sessions"), "link": reverse_lazy("admin:staff-account")}
        ]
    },
}

# --- Logging: no personal data, ever; requests are logged by the server. ------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Scanners send wrong Host headers all day; they get a 400, not a log entry.
        "django.security.DisallowedHost": {"handlers": [], "propagate": False},
        # The scheduler logs every run of its lock-keeping job.
        "apscheduler": {"level": "WARNING"},
        # Stripe's library logs every API call at INFO (and bodies at DEBUG).
        "stripe": {"level": "WARNING"},
    },
}
