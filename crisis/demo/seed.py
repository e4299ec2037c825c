"""Fictional demo data drawn from the crisis patterns in shared/seeds (brand and people invented).

Each step runs "as of" its own moment through ``clock.frozen_at`` so the playbook engine sees
the story unfold in order: what was done in time is met, what was late is breached.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction

from crisis import clock
from crisis.models import Channel, Incident, IncidentStatus, Membership, Organization, Role, Severity, StatementKind
from crisis.services import incidents, sentiment, statements, timeline

from . import desk
from .moments import minutes_after as _at

DEMO_PASSWORD = "golden-hours-demo"  # local demo only; documented in the README
ORG_SLUG = "lumen-demo"
USERS = {
    "admin": Role.ADMIN, "commander": Role.COMMANDER, "approver": Role.APPROVER, "approver2": Role.APPROVER,
    "responder": Role.RESPONDER, "viewer": Role.VIEWER,
}
NAMES = {
    "admin": ("Ada", "Lin"), "commander": ("Chen", "Hao"), "approver": ("Li", "Na"), "approver2": ("Zhou", "Ming"),
    "responder": ("Wang", "Fang"), "viewer": ("Sun", "Yue"),
}


@dataclass
class Cast:
    org: Organization
    users: dict


def demo_users_ensure() -> Cast:
    org, _ = Organization.objects.get_or_create(
        slug=ORG_SLUG, defaults={"name": "Lumen Technology 流明科技 (demo)", "time_zone": "Asia/Shanghai"}
    )
    user_model = get_user_model()
    users = {}
    for name, role in USERS.items():
        first, last = NAMES[name]
        user, created = user_model.objects.get_or_create(
            username=f"demo-{name}", defaults={"first_name": first, "last_name": last,
                                               "email": f"demo-{name}@example.com"}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.is_staff = role == Role.ADMIN
            user.is_superuser = role == Role.ADMIN
            user.save()
        Membership.objects.get_or_create(user=user, organization=org, defaults={"role": role})
        users[name] = user
    return Cast(org=org, users=users)


def _publish(cast: Cast, incident: Incident, start: datetime, *, drafted: float, approved: float, published: float,
             channel: str, kind: str, language: str, body: str, url: str, revisions: tuple[str, ...] = (),
             confirms_promises: bool = False):
    u = cast.users
    with clock.frozen_at(_at(start, drafted)):
        st = statements.statement_create(incident=incident, actor=u["responder"], channel=channel, kind=kind,
                                         language=language, body=body)
    for offset, text in enumerate(revisions, start=1):
        with clock.frozen_at(_at(start, drafted + offset)):
            statements.statement_revise(statement=st, actor=u["responder"], body=text)
    if confirms_promises:
        desk.promises_confirm(statement=st, owner=u["responder"], at=_at(start, drafted + len(revisions) + 1))
    with clock.frozen_at(_at(start, approved - 1)):
        statements.statement_submit_for_review(statement=st, actor=u["responder"])
    with clock.frozen_at(_at(start, approved)):
        statements.statement_approve(statement=st, actor=u["approver"], note="OK to go.")
    if published is not None:
        with clock.frozen_at(_at(start, published)):
            statements.statement_publish(statement=st, actor=u["commander"], public_url=url)
    return st


def _sentiment(cast: Cast, incident: Incident, start: datetime, points: list[tuple]) -> None:
    for minutes, source, volume, negative, positive, rank, followers, price in points:
        with clock.frozen_at(_at(start, minutes + 2)):
            sentiment.sentiment_checkpoint_record(
                incident=incident, actor=cast.users["responder"], measured_at=_at(start, minutes), source=source,
                mention_volume=volume, negative_share=negative, positive_share=positive,
                neutral_share=round(1 - negative - positive, 3), trending_rank=rank, follower_change=followers,
                share_price_move_pct=price,
            )


def _log(cast: Cast, incident: Incident, start: datetime, minutes: float, who: str, kind: str, body: str,
         url: str = "", pinned: bool = False) -> None:
    with clock.frozen_at(_at(start, minutes + 1)):
        timeline.timeline_event_log(incident=incident, actor=cast.users[who], kind=kind, body=body,
                                    occurred_at=_at(start, minutes), source_url=url, is_pinned=pinned)


OVERHEATING = "Viral video: Lumen S7 phone smoking on a high-speed train"
LIVESTREAM = "Founder's livestream remark on 'drivers who can't drive' backfires"


def seed_overheating(cast: Cast, now: datetime) -> Incident:
    """The live one: started 3 h 10 min ago, half-way through its golden 4 hours."""
    u = cast.users
    start = now - timedelta(hours=3, minutes=10)
    with clock.frozen_at(_at(start, 9)):
        incident = incidents.incident_open(
            organization=cast.org, actor=u["responder"], title=OVERHEATING, severity=Severity.SEV2,
            first_public_signal_at=start, detected_at=_at(start, 8), commander=u["commander"],
            spokesperson=u["approver2"], affected_channels=[Channel.DOUYIN, Channel.WEIBO, Channel.X],
            tags=["product-safety", "battery", "demo"],
            summary="A passenger's Douyin video shows a Lumen S7 smoking in a seat pocket on the G1375 train. "
                    "2.1 M views in 40 minutes; reposts on Weibo ask whether the battery is safe.",
        )
    _log(cast, incident, start, 0, "responder", "observation",
         "Douyin video by @旅行的小鹿 posted: phone smoking in a seat pocket, crew using an extinguisher.",
         url="https://example.com/douyin/video/demo-s7", pinned=True)
    with clock.frozen_at(_at(start, 12)):
        incidents.incident_acknowledge(incident=incident, actor=u["commander"])
    _log(cast, incident, start, 14, "commander", "decision",
         "Response team assembled: Chen (commander), Zhou (spokesperson), Li (approver), Wang (listening). "
         "The founder does not post on personal accounts until the holding statement is out.", pinned=True)
    _sentiment(cast, incident, start, [
        (25, "Douyin", 8400, 0.62, 0.05, 14, None, None),
        (55, "Weibo", 21000, 0.71, 0.04, 6, -4200, None),
    ])
    _publish(cast, incident, start, drafted=30, approved=44, published=52, channel=Channel.WEIBO,
             kind=StatementKind.HOLDING, language="zh-hans",
             body="我们已关注到今天G1375次列车上一台流明S7手机冒烟的视频。我们已联系到这位用户和铁路方面，"
                  "目前无人受伤。我们的工程师正在取回设备进行检测，将在3小时内公布初步检测结果。给大家带来担忧，我们很抱歉。",
             url="https://example.com/weibo/lumen/holding-1", confirms_promises=True)
    _publish(cast, incident, start, drafted=58, approved=66, published=70, channel=Channel.X,
             kind=StatementKind.HOLDING, language="en",
             body="We have seen the video of a Lumen S7 smoking on a train in China today. No one was hurt. "
                  "Our engineers are recovering the device and will share first findings within three hours.",
             url="https://example.com/x/lumen/holding-1")
    _sentiment(cast, incident, start, [
        (85, "Weibo", 26000, 0.58, 0.09, 9, -1100, None),
        (115, "Weibo", 19000, 0.52, 0.12, 15, -300, None),
    ])
    _publish(cast, incident, start, drafted=105, approved=128, published=131, channel=Channel.INTERNAL,
             kind=StatementKind.INTERNAL_BRIEFING, language="zh-hans",
             body="内部通报：S7冒烟事件的事实、对外口径与客服话术。所有员工请勿在个人账号评论。", url="")
    _log(cast, incident, start, 140, "responder", "observation",
         "Customer service: 312 S7 owners asked about battery safety since 17:00; script v2 in use.")
    desk.journalist_asks(incident=incident, users=u, start=start)
    _sentiment(cast, incident, start, [(150, "Douyin", 15000, 0.48, 0.15, 21, 800, None)])
    with clock.frozen_at(_at(start, 175)):
        full = statements.statement_create(
            incident=incident, actor=u["responder"], channel=Channel.WEIBO, kind=StatementKind.FULL,
            language="zh-hans",
            body="关于S7冒烟事件的说明：初步检测显示，该设备电池曾被第三方维修点更换为非原厂电池。"
                 "我们将为所有S7用户提供免费电池检测，并公布检测网点。",
        )
        statements.statement_submit_for_review(statement=full, actor=u["responder"])
    desk.facts_enter(incident=incident, users=u, start=start)
    desk.founder_posts_off_script(incident=incident, users=u, start=start)
    return incident


def seed_livestream(cast: Cast, now: datetime) -> Incident:
    """A past one: nine days ago, resolved, with the apology livestream that turned opinion."""
    u = cast.users
    start = (now - timedelta(days=9)).replace(hour=12, minute=30, second=0, microsecond=0)
    with clock.frozen_at(_at(start, 25)):
        incident = incidents.incident_open(
            organization=cast.org, actor=u["responder"], title=LIVESTREAM, severity=Severity.SEV1,
            first_public_signal_at=start, detected_at=_at(start, 20), commander=u["commander"],
            spokesperson=u["approver2"], affected_channels=[Channel.LIVESTREAM, Channel.DOUYIN, Channel.WEIBO],
            tags=["founder", "livestream", "demo"],
            summary="During a product livestream the founder joked that accident reports come from "
                    "'drivers who can't drive'. The clip trends on Weibo within the hour.",
        )
    _log(cast, incident, start, 0, "responder", "observation",
         "Clip of the remark reposted on Weibo: 'drivers who can't drive'; livestream comments flooded.",
         url="https://example.com/weibo/clip/demo-remark", pinned=True)
    with clock.frozen_at(_at(start, 31)):
        incidents.incident_acknowledge(incident=incident, actor=u["commander"])
    _sentiment(cast, incident, start, [
        (35, "Weibo", 52000, 0.81, 0.03, 3, -21000, None),
        (70, "Douyin", 88000, 0.84, 0.02, 1, -60000, -5.1),
    ])
    _publish(cast, incident, start, drafted=40, approved=55, published=62, channel=Channel.WEIBO,
             kind=StatementKind.APOLOGY, language="zh-hans",
             body="今天直播中我的一句话很不恰当，伤害了每一位关心行车安全的朋友。我向大家道歉。",
             revisions=("今天直播中我的一句话很不恰当，伤害了每一位关心行车安全的朋友，也伤害了事故中的家庭。"
                        "我诚恳道歉。明天晚上8点，我会在直播中回答大家关于安全的所有问题。",),
             url="https://example.com/weibo/founder/apology")
    _log(cast, incident, start, 90, "commander", "decision",
         "Founder will hold a sincere Q&A livestream tomorrow 20:00 with the head of safety engineering.",
         pinned=True)
    _publish(cast, incident, start, drafted=150, approved=200, published=215, channel=Channel.PRESS_RELEASE,
             kind=StatementKind.FULL, language="en",
             body="Lumen apologises for the founder's remark. We will publish our crash-data process, "
                  "extend the roadside-assistance hotline to 24 hours and answer every safety question live.",
             url="https://example.com/press/lumen-apology")
    _sentiment(cast, incident, start, [
        (240, "Weibo", 61000, 0.69, 0.08, 4, -9000, None),
        (31 * 60, "Douyin", 95000, 0.41, 0.33, 2, 12000, 2.3),
        (46 * 60, "Weibo", 20000, 0.28, 0.36, 27, 3000, 0.6),
    ])
    for minutes, status in ((30 * 60, IncidentStatus.CONTAINED), (47 * 60, IncidentStatus.RESOLVED)):
        with clock.frozen_at(_at(start, minutes)):
            incidents.incident_transition(incident=incident, actor=u["commander"], to_status=status)
    return incident


@transaction.atomic
def demo_seed(*, now: datetime | None = None) -> dict[str, Incident]:
    """Create the demo organization, users and incidents; a second run changes nothing."""
    now = now or clock.now()
    cast = demo_users_ensure()
    result = {}
    for title, build in ((OVERHEATING, seed_overheating), (LIVESTREAM, seed_livestream)):
        existing = Incident.objects.filter(organization=cast.org, title=title).first()
        result[title] = existing or build(cast, now)
    desk.freeze_list_ensure(organization=cast.org, admin=cast.users["admin"])
    # In the same transaction as the incidents: their breaches are dispatched after commit, and page.
    from crisis.oncall.demo import oncall_demo_dispatch, oncall_demo_setup

    oncall_demo_setup(organization=cast.org, users=cast.users, now=now)
    oncall_demo_dispatch(incidents=list(result.values()))
    return result
