"""Test settings: same database/Redis choice as the environment, fast hashing."""

import os

from .base import *  # noqa: F403
from .base import DATABASES, env

SECRET_KEY = env("DJANGO_SECRET_KEY", default="test-only-not-secret")
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LANGUAGE_CODE = "en"

if DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
    # Several suites may run at once against the one shared server (CI, developers, helpers):
    # each run gets its own throwaway test database.
    DATABASES["default"]["TEST"] = {"NAME": f"test_golden_hours_{os.getpid()}"}
else:
    # File-backed so that subprocesses (worker, engine) started by tests can share it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test_{os.getpid()}.sqlite3")}  # noqa: F405

# Tests about database behaviour do not talk to a broker; the engine tests turn this on.
GOLDEN_HOURS_SEND_TIMERS = env.bool("GOLDEN_HOURS_SEND_TIMERS", default=False)
