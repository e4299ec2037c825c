"""Every API read starts here: querysets limited to the caller's organizations.

A view that looks an object up anywhere else can leak another organization's crisis; the
cross-tenant test walks every URL pattern to catch one that does.
"""

import functools

from django.db import connection
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from crisis.facts.models import Fact, FactVersion
from crisis.media.models import Briefing, Inquiry, Stakeholder
from crisis.models import (
    Deadline,
    Incident,
    Invitation,
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
from crisis.raw_rows import column, columns, instance_from_row, table, width
from crisis.reports.models import ActionItem, ReportFile
from crisis.selectors import incidents_for_user, organizations_for_user
from crisis.services.errors import NotFound

# A path id outside PostgreSQL's bigint is nobody's incident; the database would refuse to compare it.
BIGINT_MIN, BIGINT_MAX = -(2**63), 2**63 - 1


def scoped_organizations(user) -> QuerySet[Organization]:
    return organizations_for_user(user=user)


def scoped_memberships(user) -> QuerySet[Membership]:
    return Membership.objects.filter(organization__in=organizations_for_user(user=user)).select_related("user")


def scoped_invitations(user) -> QuerySet[Invitation]:
    return Invitation.objects.filter(organization__in=organizations_for_user(user=user))


def scoped_incidents(user) -> QuerySet[Incident]:
    return incidents_for_user(user=user)


def incident_for_write(user, incident_id) -> Incident:
    """The incident for a write, with its organization and the caller's role read in the same query.

    crisis.services.access caches each user's role per organization on the user object for the
    request; handing it the role read here saves the service's lookup. The service still checks it.
    Hand-written SQL (see crisis.raw_rows): logging an event is the API's hottest path.
    """
    if not isinstance(incident_id, int) or not BIGINT_MIN <= incident_id <= BIGINT_MAX:
        raise NotFound(_("Not found."))
    with connection.cursor() as cursor:
        cursor.execute(_incident_for_write_sql(), [user.pk, incident_id])
        row = cursor.fetchone()
    if row is None:
        raise NotFound(_("Not found."))
    split = width(Incident)
    incident = instance_from_row(Incident, row[:split])
    incident.organization = instance_from_row(Organization, row[split:-1])
    user.__dict__.setdefault("_golden_hours_roles", {})[incident.organization_id] = row[-1]
    return incident


@functools.cache
def _incident_for_write_sql() -> str:
    # Identifiers only, from the models' metadata; the ids travel as parameters.
    return (
        f"SELECT {columns(Incident, 'i')}, {columns(Organization, 'o')}, m.{column(Membership, 'role')}"  # noqa: S608
        f" FROM {table(Incident)} i"
        f" JOIN {table(Organization)} o ON o.{column(Organization, 'pk')} = i.{column(Incident, 'organization')}"
        f" JOIN {table(Membership)} m ON m.{column(Membership, 'organization')} = o.{column(Organization, 'pk')}"
        f" AND m.{column(Membership, 'user')} = %s"
        f" WHERE i.{column(Incident, 'pk')} = %s"
    )


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


def scoped_action_items(user) -> QuerySet[ActionItem]:
    return (ActionItem.objects.filter(incident__organization__in=organizations_for_user(user=user))
            .select_related("incident__organization", "owner"))


def scoped_report_files(user) -> QuerySet[ReportFile]:
    return ReportFile.objects.filter(incident__organization__in=organizations_for_user(user=user))


def scoped_facts(user) -> QuerySet[Fact]:
    return (Fact.objects.filter(incident__organization__in=organizations_for_user(user=user))
            .select_related("incident__organization")
            .prefetch_related(Prefetch("versions", queryset=FactVersion.objects.select_related("author"))))


def scoped_commitments(user):
    """Promises of the caller's organizations' statements (crisis.commitments)."""
    from crisis.commitments.models import Commitment

    return (Commitment.objects.filter(incident__organization__in=organizations_for_user(user=user))
            .select_related("incident__organization", "statement", "owner"))


def scoped_stakeholders(user) -> QuerySet[Stakeholder]:
    return Stakeholder.objects.filter(organization__in=organizations_for_user(user=user))


def scoped_inquiries(user) -> QuerySet[Inquiry]:
    return (Inquiry.objects.filter(incident__organization__in=organizations_for_user(user=user))
            .select_related("incident__organization", "owner", "stakeholder"))


def scoped_briefings(user) -> QuerySet[Briefing]:
    return (Briefing.objects.filter(incident__organization__in=organizations_for_user(user=user))
            .select_related("actor").prefetch_related(Prefetch("recipients", queryset=Stakeholder.objects.only("id"))))
