"""An incident is not declared over silently while its post-mortem still owes action items: resolving or
closing it asks to confirm ``confirm_open_items``, naming them (registered from ReportsConfig.ready)."""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from crisis.models import Incident
from crisis.services.transition_checks import TransitionCheck, transition_check_register

from .action_item_deadlines import OPEN_ITEM_STATUSES
from .models import ActionItem

NAMED_AT_MOST = 10


class More(str):
    """The last entry of a long list, "and 5 more", which knows how many it stands for."""

    n: int = 0


def open_items_left(incident: Incident) -> list[str]:
    titles = list(ActionItem.objects.filter(incident=incident, status__in=OPEN_ITEM_STATUSES)
                  .order_by("due_on", "id").values_list("title", flat=True)[:NAMED_AT_MOST + 1])
    if len(titles) > NAMED_AT_MOST:
        more = ActionItem.objects.filter(incident=incident, status__in=OPEN_ITEM_STATUSES).count() - NAMED_AT_MOST
        rest = More(_("and %(n)d more") % {"n": more})
        rest.n = more
        titles = [*titles[:NAMED_AT_MOST], rest]
    return titles


def open_items_message(left: list[str]) -> str:
    n = len(left) - 1 + left[-1].n if left and isinstance(left[-1], More) else len(left)
    return ngettext(
        "An action item is still open: %(items)s. Confirm to go ahead anyway; it stays owed and keeps paging its "
        "owner.",
        "%(n)d action items are still open: %(items)s. Confirm to go ahead anyway; they stay owed and keep paging "
        "their owners.", n) % {"n": n, "items": "; ".join(left)}


def open_items_check_register() -> None:
    transition_check_register(TransitionCheck(name="open_items", check=open_items_left, message=open_items_message))
