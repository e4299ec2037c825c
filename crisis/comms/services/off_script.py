from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from crisis.models import Channel, Incident, Role, Statement, StatementKind, StatementLanguage, StatementStatus
from crisis.services.access import membership_require
from crisis.services.statements import _publish, _statement_new, statement_label
from crisis.services.validation import FieldErrors, check_choice, check_happened_at, check_text
from crisis.system_lines import line, msgid

from .. import lines  # noqa: F401 (its keys must be known before a line is written)
from ..models import OffScriptPost

POSTED_BY_MAX = ACCOUNT_MAX = 200
PUBLIC_URL_MAX = 1000


@transaction.atomic
def off_script_post_log(
    *, incident: Incident, actor, channel: str, posted_by: str, body: str, happened_at: datetime,
    public_url: str = "", account: str = "", kind: str = StatementKind.UPDATE,
    language: str = StatementLanguage.ZH_HANS, title: str = "",
) -> Statement:
    """Put on the record something that went out without the desk's approval (a founder's personal post, a
    remark in a sales livestream), at the time it went out, often well before anybody logs it.

    It becomes a published statement marked off-script: measured against sentiment like any other, never
    counted as the brand's answer (it meets no playbook deadline) and passing no statement gate, because a
    freeze cannot stop what has already been said."""
    membership_require(user=actor, organization=incident.organization, role=Role.RESPONDER)
    errors = FieldErrors()
    check_text(errors, "posted_by", posted_by, max_length=POSTED_BY_MAX)
    check_text(errors, "account", account, max_length=ACCOUNT_MAX, required=False)
    check_choice(errors, "channel", channel, Channel)
    check_happened_at(errors, "happened_at", happened_at, first_public_signal_at=incident.first_public_signal_at)
    check_text(errors, "public_url", public_url, max_length=PUBLIC_URL_MAX, required=False)
    if isinstance(public_url, str) and public_url and not public_url.startswith(("http://", "https://")):
        errors.add("public_url", _("Give an http(s) address."))
    errors.raise_if_any()
    statement = _statement_new(incident=incident, actor=actor, channel=channel, kind=kind, body=body,
                               language=language, title=title, status=StatementStatus.APPROVED, is_off_script=True)
    who = f"{posted_by.strip()} ({account.strip()})" if account.strip() else posted_by.strip()
    OffScriptPost.objects.create(statement=statement, posted_by=posted_by.strip(), account=account.strip())
    said = line("comms.off_script_post", channel=msgid(Channel(channel).label), who=who,
                s=statement_label(statement))
    _publish(statement, actor=actor, published_at=happened_at, public_url=public_url,
             expected_status=StatementStatus.APPROVED, outside_desk=True, said=said, action="statement.off_script_log")
    return statement
