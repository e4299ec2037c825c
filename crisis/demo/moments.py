"""The demo's story is told in minutes after an incident's first public signal."""

from datetime import datetime, timedelta


def minutes_after(start: datetime, minutes: float) -> datetime:
    return start + timedelta(minutes=minutes)
