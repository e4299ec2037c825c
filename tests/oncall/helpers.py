from crisis.models import Breach
from crisis.oncall.models import Delivery, DeliveryAttempt, Page
from crisis.timers import tasks
from crisis.timers.sweeper import deadlines_breach_due


def sweep_and_dispatch(now) -> list[int]:
    """What the engine and a worker do between them: breach what is due, then dispatch the outbox."""
    deadlines_breach_due(now=now)
    pending = list(Breach.objects.filter(dispatched_at__isnull=True).order_by("id").values_list("pk", flat=True))
    for pk in pending:
        tasks.breach_dispatch(pk)
    return pending


def recipients(page: Page, step: int | None = None) -> list[str]:
    rows = Delivery.objects.filter(page=page)
    if step is not None:
        rows = rows.filter(step=step)
    return sorted(rows.values_list("user__username", flat=True))


def last_error(delivery) -> str:
    """What the last try of this delivery said went wrong."""
    return DeliveryAttempt.objects.filter(delivery=delivery).latest("number").error
