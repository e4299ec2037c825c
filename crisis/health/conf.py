"""The knobs of crisis/health, read from settings when a settings module sets them, else from the environment.

They live here rather than in config/settings/base.py so that this part stands on its own; a setting of the same
name (in settings or a test's ``settings`` fixture) wins over the environment.
"""

import os

from django.conf import settings

DEFAULTS: dict[str, float | str] = {
    # No engine has swept for longer than this (seconds, on the crisis clock): the desk shows a red banner and
    # /readyz fails. Keep it well above the engine's longest sleep (GOLDEN_HOURS_SWEEPER_MAX_SLEEP, 30 s).
    "GOLDEN_HOURS_ENGINE_STALE_AFTER": 60.0,
    # An outside dead-man's switch (e.g. a healthchecks.io ping URL); empty: none.
    "GOLDEN_HOURS_DEADMAN_URL": "",
    # How often a healthy engine pings it (seconds), and how long one ping may take.
    "GOLDEN_HOURS_DEADMAN_EVERY": 60.0,
    "GOLDEN_HOURS_DEADMAN_TIMEOUT": 5.0,
    # The ping URL is the operator's, not a user's: it may point inside the network only when this says so.
    "GOLDEN_HOURS_DEADMAN_INTERNAL": "",
    # The auditor breaches pending deadlines overdue by more than this (seconds): a live engine breaches within
    # a second, so anything this late was left by a dead or stuck one.
    "GOLDEN_HOURS_AUDIT_MARGIN": 120.0,
    # A worker must answer /readyz's ping within this (seconds).
    "GOLDEN_HOURS_READY_TIMEOUT": 1.0,
    # Bearer token for /metrics; unset: /metrics is open under DEBUG (development) and refused otherwise.
    "GOLDEN_HOURS_METRICS_TOKEN": "",
}


def setting(name: str):
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name)
    if value is None:
        return DEFAULTS[name]
    default = DEFAULTS[name]
    return float(value) if isinstance(default, float) else str(value)


def flag(name: str) -> bool:
    value = setting(name)
    return value is True or str(value).lower() in {"1", "true", "yes", "on"}
