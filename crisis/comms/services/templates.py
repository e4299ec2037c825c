import re
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from crisis import clock
from crisis.models import Incident, Organization, Role, StatementKind, StatementLanguage
from crisis.selectors import local_time
from crisis.services.access import membership_require
from crisis.services.audit import audit_record
from crisis.services.errors import ConcurrentUpdate
from crisis.services.statements import BODY_MAX
from crisis.services.validation import FieldErrors, check_choice, check_text

from ..defaults import DEFAULT_TEMPLATES
from ..models import StatementTemplate
from ..selectors import next_update_deadline

PLACEHOLDERS = ("what", "when", "next_update")
PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
INCIDENT_TYPE_MAX, TITLE_MAX = 64, 200
# When no pending deadline says when the next update is due, a template still promises one: in an hour.
NEXT_UPDATE_FALLBACK = timedelta(hours=1)
WHEN_FORMAT = {StatementLanguage.ZH_HANS: "%Y年%m月%d日 %H:%M", StatementLanguage.EN: "%Y-%m-%d %H:%M"}


def _check(errors: FieldErrors, *, kind, language, incident_type, title, body) -> None:
    check_choice(errors, "kind", kind, StatementKind)
    check_choice(errors, "language", language, StatementLanguage)
    check_text(errors, "incident_type", incident_type, max_length=INCIDENT_TYPE_MAX, required=False)
    check_text(errors, "title", title, max_length=TITLE_MAX, required=False)
    check_text(errors, "body", body, max_length=BODY_MAX)
    if "body" not in errors.fields:
        unknown = sorted({name for name in PLACEHOLDER.findall(body) if name not in PLACEHOLDERS})
        if unknown:
            errors.add("body", _("Unknown placeholder %(bad)s; use %(known)s.") % {
                "bad": ", ".join(f"{{{name}}}" for name in unknown),
                "known": ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)})


def _duplicate() -> ConcurrentUpdate:
    # A conflict with a template that is already there (perhaps made a moment ago by another admin): a 409.
    return ConcurrentUpdate(_("There is already a template for this kind, language and incident type."),
                            field="incident_type")


@transaction.atomic
def statement_template_create(*, organization: Organization, actor, kind: str, language: str, body: str,
                              incident_type: str = "", title: str = "") -> StatementTemplate:
    membership_require(user=actor, organization=organization, role=Role.ADMIN)
    errors = FieldErrors()
    _check(errors, kind=kind, language=language, incident_type=incident_type, title=title, body=body)
    errors.raise_if_any()
    try:
        with transaction.atomic():
            template = StatementTemplate.objects.create(
                organization=organization, kind=kind, language=language, incident_type=incident_type.strip(),
                title=title.strip(), body=body, updated_by=actor)
    except IntegrityError as exc:
        raise _duplicate() from exc
    audit_record(organization=organization, actor=actor, action="comms.template_create", obj=template,
                 changes={"kind": kind, "language": language, "incident_type": template.incident_type})
    return template


@transaction.atomic
def statement_template_update(*, template: StatementTemplate, actor, body: str, title: str = "",
                              incident_type: str = "", expected_version: int | None = None) -> StatementTemplate:
    """Edit a template's words (its kind and language stay: a template of another kind is another template)."""
    membership_require(user=actor, organization=template.organization, role=Role.ADMIN)
    errors = FieldErrors()
    _check(errors, kind=template.kind, language=template.language, incident_type=incident_type, title=title,
           body=body)
    errors.raise_if_any()
    version = template.version if expected_version is None else expected_version
    changes = {"body": body, "title": title.strip(), "incident_type": incident_type.strip()}
    try:
        with transaction.atomic():
            updated = StatementTemplate.objects.filter(pk=template.pk, version=version).update(
                version=version + 1, updated_by=actor, **changes)
    except IntegrityError as exc:
        raise _duplicate() from exc
    if updated != 1:
        raise ConcurrentUpdate(_("Somebody else changed this template first; reload and try again."), field="version")
    template.refresh_from_db()
    audit_record(organization=template.organization, actor=actor, action="comms.template_update", obj=template,
                 changes={**changes, "version": template.version})
    return template


@transaction.atomic
def statement_template_delete(*, template: StatementTemplate, actor) -> None:
    membership_require(user=actor, organization=template.organization, role=Role.ADMIN)
    audit_record(organization=template.organization, actor=actor, action="comms.template_delete", obj=template,
                 changes={"kind": template.kind, "language": template.language, "body": template.body})
    template.delete()


def statement_templates_seed(*, organization: Organization) -> int:
    """Give an organization the default templates it lacks (a new one, or one from before templates existed)."""
    have = set(StatementTemplate.objects.filter(organization=organization, incident_type="")
               .values_list("kind", "language"))
    missing = [StatementTemplate(organization=organization, **seed) for seed in DEFAULT_TEMPLATES
               if (seed["kind"], seed["language"]) not in have]
    StatementTemplate.objects.bulk_create(missing, ignore_conflicts=True)
    return len(missing)


def statement_template_fill(*, template: StatementTemplate, incident: Incident, now: datetime | None = None) -> dict:
    """The template's words for this incident: what happened (its summary, else its title), when (the first
    public signal, in the incident's zone) and when the next update is due (the next pending deadline a public
    update meets; when none is pending, an hour from now). A draft to edit, never published as it is."""
    now = now or clock.now()
    deadline = next_update_deadline(incident=incident, after=now)
    next_update = deadline.due_at if deadline else now + NEXT_UPDATE_FALLBACK
    shape = WHEN_FORMAT.get(template.language, WHEN_FORMAT[StatementLanguage.EN])
    values = {
        "what": (incident.summary or "").strip() or incident.title,
        "when": local_time(incident.first_public_signal_at, incident.time_zone).strftime(shape),
        "next_update": local_time(next_update, incident.time_zone).strftime(shape),
    }
    body = PLACEHOLDER.sub(lambda match: values.get(match.group(1), match.group(0)), template.body)
    return {"template_id": template.pk, "kind": template.kind, "language": template.language,
            "title": template.title, "body": body, "next_update_at": next_update,
            "next_update_is_deadline": deadline is not None}
