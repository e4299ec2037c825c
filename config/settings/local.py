"""Local development: the README's run command uses these."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="local-development-only-not-secret")
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
