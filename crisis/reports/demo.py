"""Demo post-mortems for the two demo incidents of ``crisis.demo.seed``, and all four files of each."""

from datetime import timedelta

from django.utils import translation

from crisis import clock
from crisis.demo.seed import LIVESTREAM, OVERHEATING, demo_users_ensure
from crisis.models import Incident

from .models import ActionItem, PostMortem, ReportFormat
from .services import action_item_create, postmortem_update, report_build, report_request

SECTIONS = {
    LIVESTREAM: dict(
        summary="创始人在直播中称事故报道来自“不会开车的司机”，片段一小时内登上微博热搜。"
                "The apology went out 62 minutes after the clip, the full statement at 3 h 35 min; "
                "the Q&A livestream the next evening turned opinion.",
        root_cause="No review of the founder's live remarks; no spokesperson on the livestream team.",
        went_well="Apology drafted in 15 minutes and approved by a second person; the Q&A livestream was "
                  "sincere and answered every safety question.",
        went_badly="Holding statement 32 minutes past its SEV1 deadline; the founder's personal account kept "
                   "posting; negative share stayed above 65 % for four hours.",
    ),
    OVERHEATING: dict(
        summary="Douyin video of an S7 smoking on a train. Holding statements on Weibo and X inside the hour.",
        root_cause="Under investigation: third-party replacement battery suspected.",
        went_well="Acknowledged in 12 minutes; baseline sentiment taken before the first statement.",
        went_badly="The internal briefing came after customer service had already improvised answers.",
    ),
}
ACTIONS = {
    LIVESTREAM: [("Spokesperson on every founder livestream", "commander", 14),
                 ("Publish the crash-data process", "approver2", 30)],
    OVERHEATING: [("Publish battery test sites for all S7 owners", "commander", 7),
                  ("Customer-service script reviewed by legal within 1 h", "responder", 21)],
}


def demo_postmortems_seed() -> list[Incident]:
    """Write the sections and action items once, then generate every format (a second run regenerates)."""
    cast = demo_users_ensure()
    done = []
    for title, sections in SECTIONS.items():
        incident = Incident.objects.filter(organization=cast.org, title=title).first()
        if incident is None:
            continue
        if not PostMortem.objects.filter(incident=incident).exists():
            postmortem_update(incident=incident, actor=cast.users["commander"], expected_version=0, **sections)
        if not ActionItem.objects.filter(incident=incident).exists():
            for text, owner, days in ACTIONS[title]:
                action_item_create(incident=incident, actor=cast.users["commander"], title=text,
                                   owner=cast.users[owner], due_on=(clock.now() + timedelta(days=days)).date())
        for fmt in ReportFormat.values:
            with translation.override("en"):
                report = report_request(incident=incident, actor=cast.users["commander"], format=fmt)
            report_build(report_id=report.pk)
        done.append(incident)
    return done
