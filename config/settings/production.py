"""Production: refuses to start without the secrets, hosts and base URL it needs; serves its static files; logs JSON."""

from django.core.exceptions import ImproperlyConfigured

from config.log_format import json_logging

from .base import *  # noqa: F403
from .base import BASE_DIR, LOGGING, MIDDLEWARE, REDIS_URL, env

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set in production.")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
# Every link that leaves the desk (acknowledge links in pages, invitations, the setup command's sign-in address) is
# built from this; the development default (http://127.0.0.1:8000) would send a paged person's phone nowhere.
GOLDEN_HOURS_BASE_URL = env("GOLDEN_HOURS_BASE_URL", default="")
if not GOLDEN_HOURS_BASE_URL.startswith(("https://", "http://")):
    raise ImproperlyConfigured(
        "GOLDEN_HOURS_BASE_URL must be set in production to the address people open the desk at, "
        "e.g. https://crisis.example.com: acknowledge links in pages and emails are built from it.")
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# Behind a TLS-terminating proxy (docs/security.md). The proxy must set this header itself, overwriting what a client
# sent; an empty DJANGO_SECURE_PROXY_SSL_HEADER (TLS ends at the WSGI server) trusts no header.
_proxy_ssl_header = env.list("DJANGO_SECURE_PROXY_SSL_HEADER", default=["HTTP_X_FORWARDED_PROTO", "https"])
SECURE_PROXY_SSL_HEADER = tuple(_proxy_ssl_header) if _proxy_ssl_header else None
if SECURE_PROXY_SSL_HEADER is not None and len(SECURE_PROXY_SSL_HEADER) != 2:
    raise ImproperlyConfigured("DJANGO_SECURE_PROXY_SSL_HEADER is 'HEADER,value', e.g. HTTP_X_FORWARDED_PROTO,https.")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
# An hour by default: short enough to undo a mistake. Raise it to a year (31536000) once every subdomain answers on
# HTTPS; browsers then refuse plain HTTP to the host for that long.
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
# The mail server pages and invitations leave through (docs/deploy.md, "Environment").
EMAIL_HOST = env("DJANGO_EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("DJANGO_EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("DJANGO_EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("DJANGO_EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("DJANGO_EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="webmaster@localhost")
# Production runs several web workers and already has Redis for Celery: count each token's API rate there, so
# the limit is the same however many workers serve it.
CACHES = {"default": env.cache("CACHE_URL", default=REDIS_URL)}

# Static files from the web process itself (WhiteNoise): `manage.py collectstatic` writes them to STATIC_ROOT with
# a content hash in each name and gzip/Brotli copies beside them; a hashed name never changes content, so it is
# cached for a year. Right after SecurityMiddleware: the HTTPS redirect still applies, and a static file costs no
# session or database work. Pages keep their Content-Security-Policy (the CSP middleware comes next).
MIDDLEWARE = [*MIDDLEWARE]
MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
                  "whitenoise.middleware.WhiteNoiseMiddleware")
STATIC_ROOT = env("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "var" / "static"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# One JSON object per line (config/log_format.py): log collectors parse it without a pattern, and the engine's and
# paging's lines carry incident_id and deadline_id as fields.
LOGGING = json_logging(LOGGING)
