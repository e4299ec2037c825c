"""Production log lines: one JSON object each (python-json-logger), with the incident and deadline they are about.

Like config/queues.py this imports nothing from Django: the settings build their LOGGING from it.
"""

import copy

# Every line carries these keys, null when it is about no single incident or deadline: a log query for
# incident_id 42 then finds the engine's breach, the page it opened and each message sent for it. The engine
# and paging code pass them with ``extra={"incident_id": ..., "deadline_id": ...}``.
IDS = ("incident_id", "deadline_id")

JSON_FORMATTER = {
    "()": "pythonjsonlogger.json.JsonFormatter",
    "fmt": ["levelname", "name", "message", *IDS],
    "style": "%",
    "rename_fields": {"levelname": "level", "name": "logger"},
    # ISO 8601 in UTC, like everything the desk stores.
    "timestamp": "time",
    "defaults": dict.fromkeys(IDS),
    # Statements and names are often Chinese: keep them readable in the log.
    "json_ensure_ascii": False,
}


def json_logging(logging_config: dict) -> dict:
    """``logging_config`` (a dictConfig) with its console handler writing JSON; levels, the quieted third-party
    loggers (DJANGO_THIRD_PARTY_LOG_LEVEL) and everything else unchanged."""
    config = copy.deepcopy(logging_config)
    config["formatters"]["json"] = JSON_FORMATTER
    config["handlers"]["console"]["formatter"] = "json"
    return config
