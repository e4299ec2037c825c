"""The room's panel of open promises, each with its countdown (crisis/web/room_extensions.py)."""

from django.db.models import Count, Max, Sum

from crisis import clock
from crisis.durations import duration_label
from crisis.web.room_extensions import SIDE, RoomPanel

from .models import Commitment
from .selectors import commitments_open

SHOWN_MAX = 20


def _context(request, incident, abilities) -> dict:
    now = clock.now()
    rows = list(commitments_open(incident=incident)[:SHOWN_MAX + 1])
    return {"commitments_open": [
        {"commitment": c, "left": duration_label(abs((c.due_at - now).total_seconds()) / 60),
         "is_overdue": c.due_at <= now} for c in rows[:SHOWN_MAX]],
        "commitments_more": len(rows) > SHOWN_MAX}


def _fingerprint(incident_id: int) -> str:
    # Any change to a promise bumps its version: the sum of versions and the row count move with it.
    row = Commitment.objects.filter(incident_id=incident_id).aggregate(n=Count("id"), v=Sum("version"),
                                                                       last=Max("id"))
    now_minute = int(clock.now().timestamp() // 60)  # the countdown moves every minute
    return f"{row['n']}-{row['v']}-{row['last']}-{now_minute}"


def commitments_panel() -> RoomPanel:
    return RoomPanel(name="commitments", template="crisis/partials/room_commitments.html", context=_context,
                     fingerprint=_fingerprint, column=SIDE, order=20)
