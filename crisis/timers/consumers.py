"""Who hears of a breach: the engine flags breaches and announces them to whoever subscribed.

The engine knows none of its consumers. On-call (and reports, or anything added later) subscribes from its
own ``AppConfig.ready`` with ``breach_consumer_register``; the dispatch task (``crisis/timers/tasks.py``)
hands every batch from the Breach outbox to each consumer, in the transaction that marks the rows
dispatched and with those rows locked. So the outbox's promise holds for every consumer: a breach is
announced once its dispatch commits, and a dispatch that fails or dies (worker killed, broker lost) rolls
back and is relayed again. A consumer therefore runs at least once per breach and must be idempotent on
retry (on-call's pages have a unique dedup key per breach); it raises to have the batch tried again.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from crisis.models import Breach

BreachConsumer = Callable[..., object]  # called as consumer(breaches=[...])
_consumers: dict[str, BreachConsumer] = {}


def breach_consumer_register(name: str, consumer: BreachConsumer) -> None:
    """Subscribe to breaches (idempotent: the same name registers once, as ready() may run twice in tests)."""
    _consumers[name] = consumer


def breach_consumers() -> dict[str, BreachConsumer]:
    return dict(_consumers)


def breaches_announce(*, breaches: "list[Breach]") -> None:
    """Hand locked, undispatched breaches to every consumer, in name order; one that raises aborts the batch
    (the caller's transaction rolls back and the breaches stay in the outbox to be tried again)."""
    for _name, consumer in sorted(_consumers.items()):
        consumer(breaches=breaches)
