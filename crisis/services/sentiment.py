from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from crisis import clock
from crisis.models import EventKind, Incident, Role, SentimentCheckpoint, TimelineEvent
from crisis.models.sentiment import HOT_SEARCH_MINUTES_MAX
from crisis.selectors import local_time
from crisis.system_lines import Message, joined, line, line_english

from .access import membership_require
from .audit import audit_record
from .errors import ConcurrentUpdate, InvalidInput
from .sentiment_lines import measure_lines
from .timeline import timeline_event_append
from .validation import FieldErrors, check_happened_at, check_json, check_moment, check_number, check_text

MEASURES = (
    "mention_volume",
    "negative_share",
    "neutral_share",
    "positive_share",
    "reach",
    "follower_change",
    "trending_rank",
    "share_price_move_pct",
    "livestream_comment_count",
    "livestream_negative_share",
    "hot_search_minutes",
)
SHARE_FIELDS = ("negative_share", "neutral_share", "positive_share")
# Floating-point shares from listening tools often sum to 1.0000000001.
SHARE_SUM_TOLERANCE = 1e-6
EXTRA_MAX = 50_000
# Up to this many points per source each get their own timeline event; more are summarised in one.
SERIES_ITEMIZED = 10


def sentiment_validate(data: dict[str, Any]) -> None:
    errors = FieldErrors()
    check_moment(errors, "measured_at", data.get("measured_at"))
    check_text(errors, "source", data.get("source"), max_length=100)
    check_text(errors, "notes", data.get("notes", ""), max_length=10_000, required=False)
    check_number(errors, "mention_volume", data.get("mention_volume"), minimum=0, maximum=2**31 - 1, integer=True)
    check_number(errors, "reach", data.get("reach"), minimum=0, maximum=2**63 - 1, integer=True)
    check_number(errors, "follower_change", data.get("follower_change"), minimum=-(2**62), maximum=2**62, integer=True)
    check_number(errors, "trending_rank", data.get("trending_rank"), minimum=1, maximum=100_000, integer=True)
    check_number(errors, "share_price_move_pct", data.get("share_price_move_pct"), minimum=-100, maximum=1000)
    check_number(errors, "livestream_comment_count", data.get("livestream_comment_count"), minimum=0,
                 maximum=2**31 - 1, integer=True)
    # A livestream's own audience: its negative share is not one of the three platform shares that add up to 1.
    check_number(errors, "livestream_negative_share", data.get("livestream_negative_share"), minimum=0, maximum=1)
    check_number(errors, "hot_search_minutes", data.get("hot_search_minutes"), minimum=0,
                 maximum=HOT_SEARCH_MINUTES_MAX, integer=True)
    for field in SHARE_FIELDS:
        check_number(errors, field, data.get(field), minimum=0, maximum=1)
    shares = [data.get(f) for f in SHARE_FIELDS]
    if not any(f in errors.fields for f in SHARE_FIELDS):
        total = sum(s for s in shares if s is not None)
        if total > 1 + SHARE_SUM_TOLERANCE:
            errors.add(
                "negative_share",
                _("Negative, neutral and positive shares add up to %(t).3f; at most 1.") % {"t": total},
            )
    if all(data.get(f) is None for f in MEASURES):
        errors.add("negative_share", _("Record at least one measure (volume, shares, reach, followers, rank, price, "
                                       "livestream, hot search)."))
    if data.get("extra") is not None:
        check_json(errors, "extra", data["extra"], max_length=EXTRA_MAX)
    errors.raise_if_any()


def _describe(cp: SentimentCheckpoint) -> Message:
    parts = []
    if cp.negative_share is not None:
        parts.append(line("sentiment.negative", p=cp.negative_share * 100))
    if cp.mention_volume is not None:
        parts.append(line("sentiment.volume", v=cp.mention_volume))
    if cp.trending_rank is not None:
        parts.append(line("sentiment.trending", r=cp.trending_rank))
    if cp.follower_change is not None:
        parts.append(line("sentiment.followers", f=cp.follower_change))
    if cp.share_price_move_pct is not None:
        parts.append(line("sentiment.share_price", s=cp.share_price_move_pct))
    parts += measure_lines(cp)
    return line("sentiment.point", source=cp.source, parts=joined(parts, ", ") if parts else "-")


def _event_row(**fields) -> TimelineEvent:
    said = fields.pop("said")
    return TimelineEvent(body=line_english(said), message=said, **fields)


def _timeline_rows(*, incident: Incident, actor, checkpoints: list[SentimentCheckpoint], now) -> list[TimelineEvent]:
    """One event per point when they are few; for a series, one per source that says how many points
    came in over what span and describes the latest. A listening tool's thousand points would
    otherwise bury the team's own entries (and the insert would take longer than all the rest)."""
    actor = actor if getattr(actor, "is_authenticated", False) else None
    by_source: dict[str, list[SentimentCheckpoint]] = {}
    for checkpoint in checkpoints:
        by_source.setdefault(checkpoint.source, []).append(checkpoint)
    rows = []
    for source_points in by_source.values():
        if len(source_points) <= SERIES_ITEMIZED:
            rows += [_event_row(incident=incident, kind=EventKind.SENTIMENT, recorded_at=now, actor=actor,
                                occurred_at=cp.measured_at, said=_describe(cp), metadata={"checkpoint_id": cp.pk})
                     for cp in source_points]
            continue
        ordered = sorted(source_points, key=lambda cp: (cp.measured_at, cp.pk))
        first, latest = ordered[0], ordered[-1]
        zone = incident.time_zone
        said = line("sentiment.series", n=len(ordered), source=latest.source, zone=zone, latest=_describe(latest),
                    start=local_time(first.measured_at, zone).strftime("%m-%d %H:%M"),
                    end=local_time(latest.measured_at, zone).strftime("%m-%d %H:%M"))
        rows.append(_event_row(
            incident=incident, kind=EventKind.SENTIMENT, recorded_at=now, actor=actor, occurred_at=latest.measured_at,
            said=said, metadata={"checkpoint_id": latest.pk, "series_count": len(ordered),
                                 "series_first_checkpoint_id": first.pk}))
    return rows


def _build(*, incident: Incident, actor, data: dict[str, Any], now, corrects=None) -> SentimentCheckpoint:
    fields = {f: data.get(f) for f in MEASURES}
    return SentimentCheckpoint(
        incident=incident,
        measured_at=data["measured_at"],
        recorded_at=now,
        source=data["source"].strip(),
        notes=data.get("notes") or "",
        extra=data.get("extra") or {},
        recorded_by=actor if actor else None,
        corrects=corrects,
        **fields,
    )


@transaction.atomic
def sentiment_checkpoint_record(
    *, incident: Incident, actor, measured_at: datetime, source: str, **measures
) -> SentimentCheckpoint:
    membership_require(user=actor, organization=incident.organization, role=Role.RESPONDER)
    return sentiment_checkpoints_ingest(
        incident=incident, actor=actor, points=[dict(measures, measured_at=measured_at, source=source)]
    )[0]


def sentiment_checkpoints_ingest(
    *, incident: Incident, actor, points: list[dict[str, Any]]
) -> list[SentimentCheckpoint]:
    """Record many points at once: all of them or, if any is invalid, none (errors name the row)."""
    membership_require(user=actor, organization=incident.organization, role=Role.RESPONDER)
    if not isinstance(points, list | tuple) or not points:
        raise InvalidInput(_("Give at least one point."), field="points")
    not_objects = [i for i, point in enumerate(points) if not isinstance(point, dict)]
    if not_objects:
        raise InvalidInput(_("Each point must be an object."),
                           fields={f"points[{i}]": [_("Must be an object.")] for i in not_objects})
    unknown = {key for point in points for key in point} - {*MEASURES, "measured_at", "source", "notes", "extra"}
    if unknown:
        raise InvalidInput(
            _("Unknown fields: %(f)s.") % {"f": ", ".join(sorted(unknown))},
            fields={name: [_("Unknown field.")] for name in unknown},
        )
    for index, point in enumerate(points):
        try:
            sentiment_validate(point)
            errors = FieldErrors()
            check_happened_at(errors, "measured_at", point["measured_at"],
                              first_public_signal_at=incident.first_public_signal_at)
            errors.raise_if_any()
        except InvalidInput as exc:
            if len(points) == 1:
                raise
            raise InvalidInput(
                _("Row %(i)d: %(m)s") % {"i": index, "m": exc.message},
                fields={f"points[{index}].{k}": v for k, v in exc.fields.items()},
            ) from exc
    with transaction.atomic():
        # Bulk inserts: a listening tool sends a thousand points at once and waits for the answer.
        now = clock.recorded_now()
        checkpoints = SentimentCheckpoint.objects.bulk_create(
            [_build(incident=incident, actor=actor, data=point, now=now) for point in points]
        )
        TimelineEvent.objects.bulk_create(_timeline_rows(incident=incident, actor=actor, checkpoints=checkpoints,
                                                         now=now))
        audit_record(
            organization=incident.organization,
            actor=actor,
            action="sentiment.record",
            obj=checkpoints[-1] if checkpoints else incident,
            changes={"count": len(checkpoints)},
        )
        from crisis.playbooks.satisfaction import deadlines_satisfy_by_checkpoints

        deadlines_satisfy_by_checkpoints(incident=incident, checkpoints=checkpoints, actor=actor)
    return checkpoints


@transaction.atomic
def sentiment_checkpoint_correct(
    *, checkpoint: SentimentCheckpoint, actor, reason: str = "", **changes
) -> SentimentCheckpoint:
    """Write a corrected copy that points at the original; the original stays in the record."""
    incident = checkpoint.incident
    membership_require(user=actor, organization=incident.organization, role=Role.RESPONDER)
    allowed = {*MEASURES, "measured_at", "source", "notes", "extra"}
    unknown = set(changes) - allowed
    if unknown:
        raise InvalidInput(
            _("Unknown fields: %(f)s.") % {"f": ", ".join(sorted(unknown))},
            fields={name: [_("Unknown field.")] for name in unknown},
        )
    data = {field: getattr(checkpoint, field) for field in allowed}
    data.update(changes)
    sentiment_validate(data)
    errors = FieldErrors()
    check_happened_at(errors, "measured_at", data["measured_at"],
                      first_public_signal_at=incident.first_public_signal_at)
    errors.raise_if_any()
    if SentimentCheckpoint.objects.filter(corrects=checkpoint).exists():
        raise ConcurrentUpdate(
            _("This checkpoint has already been corrected; correct the correction instead."), field="corrects"
        )
    try:
        with transaction.atomic():
            correction = _build(incident=incident, actor=actor, data=data, now=clock.recorded_now(),
                                corrects=checkpoint)
            correction.save()
    except IntegrityError as exc:
        raise ConcurrentUpdate(_("Somebody corrected this checkpoint first."), field="corrects") from exc
    timeline_event_append(
        incident=incident,
        kind=EventKind.CORRECTION,
        actor=actor,
        occurred_at=correction.measured_at,
        line=line("sentiment.corrected", d=_describe(correction), r=reason),
        metadata={"checkpoint_id": correction.pk, "corrects_checkpoint_id": checkpoint.pk},
    )
    audit_record(
        organization=incident.organization,
        actor=actor,
        action="sentiment.correct",
        obj=correction,
        changes={"corrects": checkpoint.pk, "reason": reason},
    )
    return correction
