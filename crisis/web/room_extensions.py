"""Panels other features add to the incident room (promises, the fact sheet, inquiries, sentiment level...).

The room knows its own six panels; a feature registers a ``RoomPanel`` from its ``AppConfig.ready`` and the
room then reads, renders and live-refreshes it like its own: the page shows it in its column, the poll asks
its ``fingerprint`` (keep it to one indexed query: it runs every ~1.5 s for every open room) and fetches it
again, as an out-of-band swap, when that moved.

A panel's template renders one element with ``id``, ``data-live-panel="<name>"`` and, when ``oob`` is set,
``hx-swap-oob="true"``, like crisis/partials/room_statements.html.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest

MAIN, SIDE = "main", "side"


@dataclass(frozen=True)
class RoomPanel:
    name: str
    template: str
    # context(request, incident, abilities) -> what the template reads; keep the keys the panel's own.
    context: Callable[..., dict]
    # fingerprint(incident_id) -> a short string that changes whenever what the panel shows changes.
    fingerprint: Callable[[int], str]
    column: str = SIDE
    order: int = 100


_panels: dict[str, RoomPanel] = {}


def room_panel_register(panel: RoomPanel) -> None:
    """Idempotent per name, as ready() may run twice in tests."""
    _panels[panel.name] = panel


def room_panels_registered() -> list[RoomPanel]:
    return sorted(_panels.values(), key=lambda p: (p.order, p.name))


def extra_fingerprints(incident_id: int) -> dict[str, str]:
    return {panel.name: panel.fingerprint(incident_id) for panel in room_panels_registered()}


def extra_context(request: HttpRequest, incident, abilities, panels) -> dict:
    context: dict = {}
    shown = [p for p in room_panels_registered() if p.name in panels]
    for panel in shown:
        context.update(panel.context(request, incident, abilities))
    context["extra_panels"] = shown
    context["extra_panels_main"] = [p for p in shown if p.column == MAIN]
    context["extra_panels_side"] = [p for p in shown if p.column == SIDE]
    return context
