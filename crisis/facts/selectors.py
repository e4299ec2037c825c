from django.db.models import Count, Max, QuerySet

from crisis.models import Statement, StatementStatus

from .models import Fact, FactVersion


def facts_live(*, incident_id: int) -> QuerySet[Fact]:
    return Fact.objects.filter(incident_id=incident_id, is_retired=False)


def facts_fingerprint(incident_id: int) -> str:
    # One query on the (incident, is_retired) index; retiring moves updated_at too.
    row = Fact.objects.filter(incident_id=incident_id).aggregate(n=Count("id"), last=Max("updated_at"))
    return f"{row['n']}:{row['last'].timestamp() if row['last'] else 0}"


def fact_versions(*, fact: Fact) -> QuerySet[FactVersion]:
    return fact.versions.select_related("author").order_by("number")


def statements_published_elsewhere(*, statement: Statement) -> QuerySet[Statement]:
    """What the brand has already said on the incident's other channels, and still stands by."""
    return (Statement.objects.filter(incident_id=statement.incident_id, status=StatementStatus.PUBLISHED)
            .exclude(pk=statement.pk).exclude(channel=statement.channel)
            .select_related("published_version", "current_version").order_by("published_at", "id"))
