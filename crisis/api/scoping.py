"""Every API read starts here: querysets limited to the caller's organizations.

A view that looks an object up anywhere else can leak another organization's crisis; the
cross-tenant test walks every URL pattern to catch one that does.
"""

from django.db.models import F, Prefetch, QuerySet
from django.utils.translation import gettext as _

from crisis.models import (
    Deadline,
    Incident,
    Membership,
    Organization,
    Playbook,
    SentimentCheckpoint,
    Statement,
    StatementApproval,
    StatementVersion,
    TimelineEvent,
)
from crisis.oncall.models import Page
from crisis.selectors import incidents_for_user, organizations_for_user
from crisis.services.errors import NotFound


def scoped_organizations(user) -> QuerySet[Organization]:
    return organizations_for_user(user=user)


def scoped_memberships(user) -> QuerySet[Membership]:
    return Membership.objects.filter(organization__in=organizations_for_user(user=user)).select_related("user")


def scoped_incidents(user) -> QuerySet[Incident]:
    return incidents_for_user(user=user)


def incident_for_write(user, incident_id) -> Incident:
    """The incident for a write, with the caller's role read in the same query.

    crisis.services.access caches each user's role per organization on the user object for the
    request; handing it the role read here saves the service's lookup. The service still checks it.
    """
    incident = (
        Incident.objects.select_related("organization")
        .filter(organization__memberships__user=user)
        .annotate(caller_role=F("organization__memberships__role"))
        .filter(pk=incident_id)
        .first()
    )
    if incident is None:
        raise NotFound(_("Not found."))
    user.__dict__.setdefault("_golden_hours_roles", {})[incident.organization_id] = incident.caller_role
    return incident


def scoped_events(user) -> QuerySet[TimelineEvent]:
    return (
        TimelineEvent.objects.filter(incident__organization__in=organizations_for_user(user=user))
        .select_related("actor", "incident__organization")
        .prefetch_related(Prefetch("corrections", queryset=TimelineEvent.objects.only("id", "corrects_id")))
    )


def _versions_with_approvals() -> Prefetch:
    return Prefetch("approvals", queryset=StatementApproval.objects.only("id", "version_id", "approver_id"))


def scoped_statements(user) -> QuerySet[Statement]:
    return (
        Statement.objects.filter(incident__organization__in=organizations_for_user(user=user))
        .select_related("incident__organization", "current_version__author", "published_version")
        .prefetch_related(Prefetch("current_version__approvals", queryset=StatementApproval.objects.all()))
    )


def statement_versions(statement: Statement) -> QuerySet[StatementVersion]:
    return statement.versions.select_related("author").prefetch_related(_versions_with_approvals())


def scoped_checkpoints(user) -> QuerySet[SentimentCheckpoint]:
    return (
        SentimentCheckpoint.objects.filter(incident__organization__in=organizations_for_user(user=user))
        .select_related("incident__organization")
        .prefetch_related(Prefetch("corrections", queryset=SentimentCheckpoint.objects.only("id", "corrects_id")))
    )


def scoped_deadlines(user) -> QuerySet[Deadline]:
    return Deadline.objects.filter(incident__organization__in=organizations_for_user(user=user)).select_related(
        "incident__organization"
    )


def scoped_playbooks(user) -> QuerySet[Playbook]:
    return Playbook.objects.filter(organization__in=organizations_for_user(user=user))


def scoped_pages(user) -> QuerySet[Page]:
    return Page.objects.filter(organization__in=organizations_for_user(user=user))
