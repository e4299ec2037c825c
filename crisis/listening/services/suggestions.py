"""The commander applies or dismisses a sentiment-level suggestion: one decision per level change."""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from crisis import clock
from crisis.models import EventKind, Incident, Role, Severity
from crisis.services.access import membership_require
from crisis.services.audit import audit_record
from crisis.services.errors import ConcurrentUpdate
from crisis.services.incidents import incident_change_severity
from crisis.services.timeline import timeline_event_append
from crisis.services.validation import FieldErrors, check_moment, check_text
from crisis.system_lines import line, msgid

from .. import lines  # noqa: F401  (the system lines below)
from ..figures import figures_line
from ..models import SentimentLevel, SuggestionDecision, SuggestionOutcome
from ..selectors import Suggestion, sentiment_level_reading

REASON_MAX = 2000


def _check(*, incident: Incident, actor, level, level_entered_at, reason: str, reason_required: bool) -> Suggestion:
    """The suggestion the commander saw must still be the one standing: else somebody decided it first,
    or the level moved since (409)."""
    membership_require(user=actor, organization=incident.organization, role=Role.COMMANDER)
    errors = FieldErrors()
    if level not in SentimentLevel.values or level == SentimentLevel.CALM:
        errors.add("level", _("Give the sentiment level of the suggestion (1 to 3)."))
    check_moment(errors, "level_entered_at", level_entered_at)
    check_text(errors, "reason", reason, max_length=REASON_MAX, required=reason_required)
    errors.raise_if_any()
    suggestion = sentiment_level_reading(incident).suggestion
    if (suggestion is None or suggestion.level != level
            or suggestion.level_entered_at != level_entered_at):
        raise ConcurrentUpdate(_("This suggestion is no longer standing: it was decided, or the level moved. "
                                 "Reload and look again."), field="level")
    return suggestion


def _decide(*, incident: Incident, actor, suggestion: Suggestion, outcome: str, reason: str) -> SuggestionDecision:
    try:
        with transaction.atomic():  # a savepoint: the loser of the race gets a clean 409
            return SuggestionDecision.objects.create(
                incident=incident, level=suggestion.level, level_entered_at=suggestion.level_entered_at,
                suggested_severity=suggestion.suggested_severity, outcome=outcome, reason=reason.strip(),
                figures=suggestion.figures, decided_by=actor, decided_at=clock.now())
    except IntegrityError as exc:
        raise ConcurrentUpdate(_("Somebody decided this suggestion first."), field="level") from exc


def _record(*, incident: Incident, actor, decision: SuggestionDecision, key: str) -> None:
    said = line(key, level=msgid(SentimentLevel(decision.level).label), figures=figures_line(decision.figures),
                severity=msgid(Severity(decision.suggested_severity).label), reason=decision.reason)
    timeline_event_append(incident=incident, kind=EventKind.DECISION, actor=actor, line=said, is_pinned=True,
                          metadata={"sentiment_level": decision.level, "outcome": decision.outcome,
                                    "suggested_severity": decision.suggested_severity})
    audit_record(organization=incident.organization, actor=actor, action=f"listening.suggestion_{decision.outcome}",
                 obj=decision, changes={"level": decision.level, "severity": decision.suggested_severity,
                                        "reason": decision.reason, "figures": decision.figures})


@transaction.atomic
def suggestion_apply(*, incident: Incident, actor, level: int, level_entered_at: datetime,
                     reason: str = "") -> SuggestionDecision:
    """Raise the severity through the severity service, so paging follows the new severity's policy."""
    suggestion = _check(incident=incident, actor=actor, level=level, level_entered_at=level_entered_at,
                        reason=reason, reason_required=False)
    decision = _decide(incident=incident, actor=actor, suggestion=suggestion, outcome=SuggestionOutcome.APPLIED,
                       reason=reason)
    incident_change_severity(incident=incident, actor=actor, severity=suggestion.suggested_severity,
                             reason=reason.strip())
    _record(incident=incident, actor=actor, decision=decision, key="listening.suggestion_applied")
    return decision


@transaction.atomic
def suggestion_dismiss(*, incident: Incident, actor, level: int, level_entered_at: datetime,
                       reason: str) -> SuggestionDecision:
    """Keep the severity; the same level is not suggested again until the level changes."""
    suggestion = _check(incident=incident, actor=actor, level=level, level_entered_at=level_entered_at,
                        reason=reason, reason_required=True)
    decision = _decide(incident=incident, actor=actor, suggestion=suggestion, outcome=SuggestionOutcome.DISMISSED,
                       reason=reason)
    _record(incident=incident, actor=actor, decision=decision, key="listening.suggestion_dismissed")
    return decision
