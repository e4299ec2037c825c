"""Sentiment triggers: when public anger jumps, the clock tightens."""

import bisect
from datetime import timedelta

from django.db.models import Max, Q

from crisis.models import Deadline, DeadlineKind, DeadlineState, EventKind, Incident, SentimentCheckpoint
from crisis.services.timeline import timeline_event_append
from crisis.system_lines import Message, joined, line
from crisis.timers.wording import hhmm

from .steps import SURGE_STEP


def _series_around(incident: Incident, checkpoints: list[SentimentCheckpoint]) -> dict[str, list[SentimentCheckpoint]]:
    """Per source, in time order, the points a new checkpoint can follow: those measured since the
    batch's earliest, and the last one before that. Not the whole history, which a listening tool
    grows by a point a minute per source all through a crisis."""
    since = min(cp.measured_at for cp in checkpoints)
    rows = SentimentCheckpoint.objects.filter(incident=incident, source__in={cp.source for cp in checkpoints})
    last_before = rows.filter(measured_at__lt=since).values_list("source").annotate(at=Max("measured_at")).order_by()
    wanted = Q(measured_at__gte=since)
    for source, at in last_before:
        wanted |= Q(source=source, measured_at=at)
    series: dict[str, list[SentimentCheckpoint]] = {}
    for cp in (rows.filter(wanted).only("id", "source", "measured_at", "negative_share", "mention_volume")
               .order_by("measured_at", "id")):
        series.setdefault(cp.source, []).append(cp)
    return series


def _previous_by_checkpoint(
    incident: Incident, checkpoints: list[SentimentCheckpoint]
) -> dict[int, SentimentCheckpoint]:
    """For each new checkpoint, the one measured just before it on the same source: two queries for the batch."""
    series = _series_around(incident, checkpoints)
    times = {source: [cp.measured_at for cp in rows] for source, rows in series.items()}
    previous = {}
    for cp in checkpoints:
        index = bisect.bisect_left(times.get(cp.source, []), cp.measured_at)
        if index:
            previous[cp.pk] = series[cp.source][index - 1]
    return previous


def _surge_reason(
    incident: Incident, checkpoint: SentimentCheckpoint, previous: SentimentCheckpoint | None
) -> Message | None:
    org = incident.organization
    neg, vol = checkpoint.negative_share, checkpoint.mention_volume
    prev_neg = previous.negative_share if previous else None
    prev_vol = previous.mention_volume if previous else None
    if neg is not None and neg >= org.negative_share_threshold and (prev_neg is None
                                                                     or prev_neg < org.negative_share_threshold):
        return line("surge.negative_crossed", n=neg * 100, t=org.negative_share_threshold * 100)
    if vol is not None and org.volume_threshold and vol >= org.volume_threshold and (
            prev_vol is None or prev_vol < org.volume_threshold):
        return line("surge.volume_crossed", v=vol, t=org.volume_threshold)
    if vol and prev_vol and vol >= prev_vol * org.surge_ratio:
        return line("surge.volume_jumped", r=vol / prev_vol, a=prev_vol, b=vol)
    if neg and prev_neg and neg >= prev_neg * org.surge_ratio:
        return line("surge.negative_jumped", r=neg / prev_neg)
    return None


def sentiment_surge_check(*, incident: Incident, checkpoints: list[SentimentCheckpoint]) -> Deadline | None:
    """Suggest a higher severity and add one 'respond to the surge' deadline (one pending at a time)."""
    if not incident.is_open:
        return None
    previous = _previous_by_checkpoint(incident, checkpoints)
    surging = [(cp, r) for cp in checkpoints if (r := _surge_reason(incident, cp, previous.get(cp.pk)))]
    if not surging:
        return None
    reasons = [r for _cp, r in surging]
    # The clock runs from when opinion surged, not from when the figures reached us.
    surged_at = max(cp.measured_at for cp, _r in surging)
    suggestion = max(1, incident.severity - 1)
    if incident.severity_suggestion is None or suggestion < incident.severity_suggestion:
        Incident.objects.filter(pk=incident.pk).update(severity_suggestion=suggestion)
        incident.severity_suggestion = suggestion
    if Deadline.objects.filter(incident=incident, kind=DeadlineKind.SURGE, state=DeadlineState.PENDING).exists():
        return None
    occurrence = (Deadline.objects.filter(incident=incident, kind=DeadlineKind.SURGE)
                  .aggregate(n=Max("occurrence"))["n"])
    deadline = Deadline(incident=incident, kind=DeadlineKind.SURGE, step_key=SURGE_STEP["key"],
                        name=SURGE_STEP["name"], occurrence=0 if occurrence is None else occurrence + 1,
                        responsible_role=SURGE_STEP["responsible_role"], subject={"since": surged_at.isoformat()},
                        due_at=surged_at + timedelta(seconds=incident.organization.surge_response_seconds))
    from .rolling import deadlines_create

    deadlines_create(deadlines=[deadline])
    timeline_event_append(
        incident=incident, kind=EventKind.SENTIMENT, is_pinned=True, occurred_at=surged_at,
        line=line("sentiment.surge", why=joined(reasons, "; "), s=suggestion,
                  m=incident.organization.surge_response_seconds // 60),
        metadata={"surge": True, "severity_suggestion": suggestion},
    )
    if not incident.is_retrospective:
        _surge_page(incident, deadline, reasons)
    return deadline


def _surge_page(incident: Incident, deadline: Deadline, reasons: list[Message]) -> None:
    """Page now: the surge clock is short, and whoever is on call may not be watching the room."""
    from crisis.oncall.dispatch import surge_dedup_key
    from crisis.oncall.models import PageSource
    from crisis.oncall.services.pages import page_open

    page_open(organization=incident.organization, incident=incident, source=PageSource.SURGE,
              dedup_key=surge_dedup_key(incident.pk, deadline.occurrence),
              title=line("page.title.surge", title=incident.title),
              body=line("page.body.surge", why=joined(reasons, "; "), due=hhmm(deadline.due_at, incident)))
