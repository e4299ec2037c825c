"""Settings for bench/api.py only: the product's settings plus the bench's own URLconf and no throttling."""

from config.settings.base import *  # noqa: F403
from config.settings.base import REST_FRAMEWORK

SECRET_KEY = "bench-only-not-secret"
DEBUG = False
ROOT_URLCONF = "bench.api_urls"
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"per_token": "1000000/min", "webhook": "1000000/min"}}
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"handlers": [], "level": "ERROR"}}
