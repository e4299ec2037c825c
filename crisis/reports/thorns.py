"""Past thorns: every past incident left something that flares up in the next crisis. The room of an
incident shows the past incidents of its organization that share its tags or channels, with the action
items they still owe and the key lines of what they said in public then, and the incidents linked to it.

What was promised then is shown as the first line of each published statement (the commitments feature
tracks promises proper); a room reads this in a fixed handful of queries however long the history is.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, OuterRef, Q, Window
from django.db.models.functions import RowNumber

from crisis.models import Incident, Statement, StatementStatus

from .action_item_deadlines import OPEN_ITEM_STATUSES
from .links import RelatedLink
from .models import ActionItem

# How many past incidents are compared (the most recent first) and how many are shown.
SCAN_AT_MOST = 1000
SHOWN_AT_MOST = 5
ITEMS_SHOWN = 5
KEY_LINES_SHOWN = 2
KEY_LINE_MAX = 140
# A shared tag says more than a shared channel: nearly every crisis is on Weibo.
TAG_WEIGHT, CHANNEL_WEIGHT = 2, 1


@dataclass
class PastThorn:
    incident: Incident
    shared_tags: list[str]
    shared_channels: list[str]
    is_linked: bool = False
    open_items: list[ActionItem] = field(default_factory=list)
    open_item_count: int = 0
    key_lines: list[str] = field(default_factory=list)


def key_line(text: str) -> str:
    """The first line of a statement, cut at its first sentence when that is shorter."""
    first = next((part.strip() for part in text.splitlines() if part.strip()), "")
    for stop in ("。", "！", "？", ". ", "! ", "? "):
        if stop in first:
            first = first[: first.index(stop) + len(stop.rstrip())]
            break
    return first if len(first) <= KEY_LINE_MAX else first[: KEY_LINE_MAX - 1] + "…"


def _score(incident: Incident, past: Incident) -> tuple[int, list[str], list[str]]:
    tags = sorted(set(incident.tags or []) & set(past.tags or []))
    channels = sorted(set(incident.affected_channels or []) & set(past.affected_channels or []))
    return TAG_WEIGHT * len(tags) + CHANNEL_WEIGHT * len(channels), tags, channels


def past_thorns(*, incident: Incident) -> list[PastThorn]:
    """Linked incidents first, then the past incidents sharing the most tags and channels, most recent first.
    Three queries at most, however many incidents the organization has had."""
    links = RelatedLink.objects.filter(from_incident_id=incident.pk)
    candidates = (Incident.objects.filter(organization_id=incident.organization_id)
                  .filter(Q(first_public_signal_at__lte=incident.first_public_signal_at)
                          | Q(pk__in=links.values("to_incident_id")))
                  .exclude(pk=incident.pk)
                  .annotate(is_linked=Exists(links.filter(to_incident_id=OuterRef("pk"))))
                  .order_by("-is_linked", "-first_public_signal_at", "-pk")
                  .only("pk", "title", "status", "severity", "first_public_signal_at", "time_zone", "tags",
                        "affected_channels")[:SCAN_AT_MOST])
    linked, scored = [], []
    for past in candidates:
        score, tags, channels = _score(incident, past)
        thorn = PastThorn(incident=past, shared_tags=tags, shared_channels=channels, is_linked=past.is_linked)
        if past.is_linked:
            linked.append(thorn)
        elif score:
            scored.append((score, thorn))
    scored.sort(key=lambda row: -row[0])  # stable: the most recent first among equals
    chosen = linked + [thorn for _score_, thorn in scored[:SHOWN_AT_MOST]]
    _attach(chosen)
    return chosen


def _attach(thorns: list[PastThorn]) -> None:
    """Open action items and key lines of published statements, in one query each for all of them."""
    by_id = {thorn.incident.pk: thorn for thorn in thorns}
    if not by_id:
        return
    items = (ActionItem.objects.filter(incident_id__in=by_id, status__in=OPEN_ITEM_STATUSES)
             .annotate(rank=_first_per_incident("due_on", "pk"),
                       of=Window(Count("pk"), partition_by=F("incident_id")))
             .filter(rank__lte=ITEMS_SHOWN).select_related("owner").order_by("due_on", "pk"))
    for item in items:
        by_id[item.incident_id].open_items.append(item)
        by_id[item.incident_id].open_item_count = item.of
    statements = (Statement.objects.filter(incident_id__in=by_id, status=StatementStatus.PUBLISHED,
                                           published_version__isnull=False)
                  .annotate(rank=_first_per_incident("published_at", "pk")).filter(rank__lte=KEY_LINES_SHOWN)
                  .select_related("published_version").only("incident_id", "published_version__body")
                  .order_by("published_at", "pk"))
    for statement in statements:
        said = key_line(statement.published_version.body)
        if said:
            by_id[statement.incident_id].key_lines.append(said)


def _first_per_incident(*order: str) -> Window:
    # Numbered within each incident, so a past incident with 300 statements costs no more than one with two.
    return Window(RowNumber(), partition_by=F("incident_id"), order_by=[F(name).asc() for name in order])


def thorns_fingerprint(incident_id: int) -> str:
    """Moves when the incident's tags or channels (its version) or its links change: one indexed query."""
    row = (Incident.objects.filter(pk=incident_id).annotate(links=Count("related_incidents"))
           .values_list("version", "links").first())
    return f"{row[0]}:{row[1]}" if row else ""


def _panel_context(request, incident, abilities) -> dict:
    return {"past_thorns": past_thorns(incident=incident), "thorns_can_link": abilities.can_respond}


def thorns_panel_register() -> None:
    from crisis.web.room_extensions import SIDE, RoomPanel, room_panel_register

    room_panel_register(RoomPanel(name="thorns", template="reports/partials/room_thorns.html",
                                  context=_panel_context, fingerprint=thorns_fingerprint, column=SIDE, order=50))
