"""The statement desk and the listening desk in the demo: a promise counting down, a fact sheet entered late, a
journalist waiting for an answer, the founder's off-script post and the accounts frozen during a crisis.

Like crisis/demo/seed.py, each step runs "as of" its own moment, so late entries read as late entries.
"""

from datetime import datetime

from crisis import clock
from crisis.commitments.services.changes import commitment_confirm
from crisis.commitments.services.suggestions import commitment_suggest
from crisis.comms.models import FreezePolicy
from crisis.comms.services.freeze import comms_freeze_set
from crisis.comms.services.off_script import off_script_post_log
from crisis.facts.services.facts import fact_add
from crisis.media.models import Stakeholder
from crisis.media.services.inquiries import inquiry_log
from crisis.media.services.stakeholders import stakeholder_create
from crisis.models import Channel, Incident, Organization, Severity, Statement

from .moments import minutes_after as _at

FOUNDER_ACCOUNT = "@lumen_founder"
JOURNALIST = {"name": "周蕾", "outlet": "南方周末", "kind": "journalist", "email": "zhou.lei@example.com",
              "tags": ["press", "consumer-electronics"]}


def promises_confirm(*, statement: Statement, owner, at: datetime) -> None:
    """The author reads the promises the desk found in a draft and confirms each before it goes out."""
    with clock.frozen_at(at):
        for suggestion in commitment_suggest(statement=statement, actor=owner):
            commitment_confirm(commitment=suggestion, actor=owner)


def facts_enter(*, incident: Incident, users: dict, start: datetime) -> None:
    """The fact sheet, typed up after the holding statement went out: each fact dated when the brand came to
    stand behind it."""
    with clock.frozen_at(_at(start, 178)):
        for minutes, text in ((20, "G1375 次列车上 1 台流明 S7 冒烟，无人受伤。"),
                              (45, "涉事设备已由流明工程师取回检测。"),
                              (170, "初步检测：电池曾被第三方维修点更换为非原厂电池。")):
            fact_add(incident=incident, actor=users["responder"], text=text, established_at=_at(start, minutes))


def journalist_asks(*, incident: Incident, users: dict, start: datetime) -> None:
    """A reporter's question, logged ten minutes after the call; the answer is owed within the hour."""
    stakeholder = Stakeholder.objects.filter(organization=incident.organization, email=JOURNALIST["email"]).first() \
        or stakeholder_create(organization=incident.organization, actor=users["responder"], **JOURNALIST)
    with clock.frozen_at(_at(start, 150)):
        inquiry_log(incident=incident, actor=users["responder"], channel="phone", asked_at=_at(start, 140),
                    question="涉事手机的电池是否为原厂电池？检测结果何时公布？", reply_within_minutes=60,
                    stakeholder_id=stakeholder.pk, owner_id=users["approver2"].pk)


def founder_posts_off_script(*, incident: Incident, users: dict, start: datetime) -> None:
    """The founder's personal post while the clip trended, logged by the listening desk an hour later."""
    with clock.frozen_at(_at(start, 185)):
        off_script_post_log(incident=incident, actor=users["responder"], channel=Channel.WEIBO,
                            posted_by="Founder 创始人", account=FOUNDER_ACCOUNT, happened_at=_at(start, 120),
                            body="周末去看了樱花，心情很好。", public_url="https://example.com/weibo/founder/sakura")


def freeze_list_ensure(*, organization: Organization, admin) -> None:
    """The accounts nobody posts from while a SEV2 or worse is open; set once, an admin's later edit kept."""
    if FreezePolicy.objects.filter(organization=organization).exists():
        return
    comms_freeze_set(organization=organization, actor=admin, severity_threshold=Severity.SEV2, entries=[
        {"channel": "", "account": FOUNDER_ACCOUNT, "note": "Founder's personal Weibo 创始人个人微博"},
        {"channel": Channel.LIVESTREAM, "account": "", "note": "Sales livestreams 带货直播"},
    ])
