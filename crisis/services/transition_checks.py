"""Things to confirm before an incident is declared over, each owned by the feature that knows them.

The incident services know none of them: the post-mortem's open action items (crisis.reports) and any
later rule register a check here from their ``AppConfig.ready``; ``incident_transition`` runs them before
it writes anything. A check returns what is left undone, in words for people; an empty list lets the
transition through. Whoever may make the transition goes ahead anyway by confirming ``confirm_<name>``:
what they went past is recorded on the timeline event and the audit row of the transition.
"""

from collections.abc import Callable, Collection
from dataclasses import dataclass

from django.utils.functional import Promise

from crisis.models import Incident, IncidentStatus

from .errors import InvalidInput

OVER = (IncidentStatus.RESOLVED, IncidentStatus.CLOSED)


@dataclass(frozen=True)
class TransitionCheck:
    name: str  # confirmed by ``confirm_<name>``, e.g. "open_items"
    # check(incident) -> what is left undone, one short line each; [] lets the transition through.
    check: Callable[[Incident], list[str]]
    # message(left) -> why the transition waits for a confirmation, naming what is left.
    message: Callable[[list[str]], Promise | str]
    to_statuses: tuple[str, ...] = OVER


_checks: dict[str, TransitionCheck] = {}


def transition_check_register(check: TransitionCheck) -> None:
    """Idempotent per name, as ready() may run twice in tests."""
    _checks[check.name] = check


def transition_checks_run(*, incident: Incident, to_status: str, confirmed: Collection[str]) -> dict[str, list[str]]:
    """Raise InvalidInput on ``confirm_<name>`` for each unconfirmed check that finds something left;
    return what the confirmed ones went past, for the record."""
    refused: dict[str, list[str]] = {}
    passed: dict[str, list[str]] = {}
    for check in _checks.values():
        if to_status not in check.to_statuses:
            continue
        left = check.check(incident)
        if not left:
            continue
        if check.name in confirmed:
            passed[check.name] = left
        else:
            refused[f"confirm_{check.name}"] = [str(check.message(left))]
    if refused:
        raise InvalidInput(" ".join(reason for reasons in refused.values() for reason in reasons), fields=refused)
    return passed
