from django.utils.translation import gettext as _

from crisis.models import Incident, Statement
from crisis.services.errors import NotFound


def incident_statement(*, incident: Incident, statement_id: int) -> Statement:
    """A statement named in a request, which must be one of this incident's: another incident's is not found here
    (a 404 naming the field), whoever may see it elsewhere."""
    statement = Statement.objects.filter(pk=statement_id, incident=incident).first() \
        if isinstance(statement_id, int) and not isinstance(statement_id, bool) else None
    if statement is None:
        raise NotFound(_("No such statement on this incident."), field="statement")
    return statement
