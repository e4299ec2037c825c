"""The fact sheet's panel in the incident room (registered through crisis/web/room_extensions.py)."""

from crisis.web.room_extensions import SIDE, RoomPanel

from ..forms import FactForm
from ..selectors import facts_fingerprint, facts_live


def _context(request, incident, abilities) -> dict:
    return {"facts": list(facts_live(incident_id=incident.pk)),
            "fact_form": FactForm(zone=incident.time_zone) if abilities.can_respond else None}


def facts_room_panel() -> RoomPanel:
    return RoomPanel(name="facts", template="facts/room_facts.html", context=_context,
                     fingerprint=facts_fingerprint, column=SIDE, order=20)
