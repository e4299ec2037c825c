"""'Due in 10 minutes': page before a deadline slips, at each step's own lead time.

Found by a sweep in the engine's housekeeping (every 10 s), so no extra timer rows are needed;
the dedup key ``warning:<deadline>:v<version>`` makes a re-sweep, or a second engine, a no-op,
and a moved deadline (new version) gets its own warning.
"""

from datetime import datetime, timedelta

from crisis.models import OUTLIVES_INCIDENT_KINDS, OWNED_KINDS, Deadline, DeadlineKind, DeadlineState
from crisis.playbooks.steps import step_for
from crisis.system_lines import line, msgid
from crisis.timers.wording import hhmm

from .models import Page, PageSource
from .services.pages import page_open

LOOK_AHEAD = timedelta(hours=3)  # longer than any step's warn_before_seconds in the default playbook


def warning_dedup_key(deadline: Deadline) -> str:
    return f"warning:{deadline.pk}:v{deadline.version}"


def deadline_warnings_page(*, now: datetime, limit: int = 500) -> int:
    # Uses the partial index deadline_pending_due.
    upcoming = list(Deadline.objects.filter(
        state=DeadlineState.PENDING, kind__in=[DeadlineKind.PLAYBOOK, DeadlineKind.SURGE, *OWNED_KINDS],
        due_at__gt=now, due_at__lte=now + LOOK_AHEAD,
    ).select_related("incident__organization", "owner").order_by("due_at")[:limit])
    keys = {warning_dedup_key(d): d for d in upcoming}
    done = set(Page.objects.filter(dedup_key__in=list(keys)).values_list("dedup_key", flat=True))
    opened = 0
    for key, deadline in keys.items():
        owned = deadline.kind in OWNED_KINDS
        # An owned deadline says its own lead time, and warns its owner alone: the chain is for when it slips.
        step = None if owned else step_for(deadline.incident, deadline)
        lead = ((deadline.subject or {}) if owned else (step or {})).get("warn_before_seconds") or 0
        if owned and deadline.owner_id is None:
            continue
        is_owed_now = ((deadline.incident.is_open and not deadline.incident.is_retrospective)
                       or deadline.kind in OUTLIVES_INCIDENT_KINDS)
        if key in done or not lead or deadline.due_at - timedelta(seconds=lead) > now or not is_owed_now:
            continue
        minutes = max(1, int((deadline.due_at - now).total_seconds() // 60))
        page_open(organization=deadline.incident.organization, incident=deadline.incident, source=PageSource.WARNING,
                  dedup_key=key, deadline=deadline, target_user=deadline.owner if owned else None,
                  title=line("page.title.due_soon", m=minutes, name=deadline.name if owned else msgid(deadline.name)),
                  body=line("page.body.due_soon", due=hhmm(deadline.due_at, deadline.incident)))
        opened += 1
    return opened
