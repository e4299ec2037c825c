"""The post-mortem's figures for the hand-built incident in conftest.py, whose answers are known by hand."""

from datetime import timedelta

import pytest
from django.apps import apps

from crisis.reports.assembly import report_assemble
from tests.deadline_helpers import T0
from tests.factories import IncidentFactory

from .conftest import t
from .factories import DeadlineFactory

pytestmark = pytest.mark.django_db
LATER = T0 + timedelta(days=2)


@pytest.fixture
def report(hand_built):
    return report_assemble(incident=hand_built, now=LATER)


def by_step(report):
    return {(d["step_key"], d["occurrence"]): d for d in report["deadlines"]}


def test_it_measures_time_to_first_response_from_the_first_public_statement(report):
    # The internal briefing at T+100 does not count; the Weibo holding statement at T+70 does.
    assert report["figures"]["time_to_first_response_minutes"] == 70


def test_it_measures_time_to_full_statement(report):
    assert report["figures"]["time_to_full_statement_minutes"] == 265


def test_it_measures_time_to_acknowledge_from_the_first_public_signal(report):
    assert (report["figures"]["time_to_acknowledge_minutes"], report["figures"]["detect_to_acknowledge_minutes"]) \
        == (12, 4)


def test_it_compares_key_times_with_the_playbook_targets(report):
    rows = {row["key"]: (row["minutes_from_signal"], row["target_minutes"], row["delta_minutes"])
            for row in report["key_times"]}
    assert rows == {
        "first_public_signal": (0, None, None), "detected": (8, None, None), "acknowledged": (12, 15, -3),
        "first_response": (70, 60, 10), "full_statement": (265, 240, 25), "contained": (300, None, None),
        "resolved": (600, None, None),
    }


def test_it_gives_each_met_deadline_its_margin(report):
    rows = by_step(report)
    assert [rows[k]["delta_minutes"] for k in (("acknowledge", 0), ("sentiment-baseline", 0),
                                               ("sentiment-cadence", 1))] == [-3, -10, -5]


def test_it_measures_a_breach_met_late_until_it_was_met(report):
    rows = by_step(report)
    assert [rows[k]["late_minutes"] for k in (("holding-statement", 0), ("full-statement", 0))] == [10, 25]


def test_it_counts_an_unmet_recurring_breach_until_the_next_occurrence_falls_due(report):
    assert by_step(report)[("sentiment-cadence", 0)]["late_minutes"] == 30


def test_it_counts_an_unmet_breach_without_a_successor_until_resolution(report):
    assert by_step(report)[("public-update", 0)]["late_minutes"] == 120


def test_it_totals_breached_minutes(report):
    assert report["figures"]["total_breached_minutes"] == 10 + 25 + 30 + 120


def test_it_counts_a_breach_of_an_open_incident_until_the_report_time(org):
    incident = IncidentFactory(organization=org, first_public_signal_at=T0, detected_at=t(5))
    DeadlineFactory(incident=incident, step_key="holding-statement", due_at=t(60), state="breached")
    report = report_assemble(incident=incident, now=t(100))
    assert (report["deadlines"][0]["late_minutes"], report["deadlines"][0]["is_still_late"]) == (40, True)


def test_it_keeps_the_waiver_reason_and_the_note(report):
    rows = by_step(report)
    assert (rows[("stakeholder-briefing", 0)]["waive_reason"], rows[("full-statement", 0)]["note"]) == (
        "Briefed in person.", "Legal review took 40 min.")


def test_it_measures_each_public_statement_over_the_following_hour(report):
    effects = [(e["title"], e["negative_share_change"], e["volume_change"], e["volume_change_pct"])
               for e in report["statement_effects"]]
    # Holding at T+70: 75 % / 9,000 (the corrected T+65 reading) -> 55 % / 4,000 at T+130.
    # Full at T+265: 50 % / 3,000 at T+250 -> 28 % / 1,500 at T+320.
    assert effects == [("Holding", -0.2, -5000, -55.6), ("Full", -0.22, -1500, -50.0)]


def test_it_reads_sentiment_after_corrections(report):
    at_65 = [p for p in report["sentiment"]["points"] if p["measured_at"] == t(65)]
    assert [(p["negative_share"], p["mention_volume"], p["is_correction"]) for p in at_65] == [(0.75, 9000, True)]


def test_it_measures_recovery_from_the_peak_back_to_the_baseline(report):
    sentiment = report["sentiment"]
    assert (sentiment["baseline_negative_share"], sentiment["peak_negative_share"], sentiment["peak_at"],
            sentiment["recovered_at"], sentiment["recovery_minutes"]) == (0.3, 0.75, t(65), t(320), 255)


def test_it_sums_followers_and_compounds_the_share_price(report):
    assert report["impact"] == {
        "follower_change_total": -9000, "follower_change_worst": -6000, "trending_rank_best": 3,
        "trending_rank_last": 8, "share_price_move_worst_pct": -5.0, "share_price_move_compounded_pct": -3.1,
    }


def test_it_counts_pages_and_the_time_to_acknowledge_them(hand_built, people):
    page = apps.get_model("crisis_oncall", "Page")
    for n, (sent, acked) in enumerate(((9, 12), (10, 16))):
        page.objects.create(organization=hand_built.organization, incident=hand_built, dedup_key=f"manual:{n}",
                            source="manual", title=f"Page {n}", triggered_at=t(sent), acknowledged_at=t(acked),
                            acknowledged_by=people["commander"], state="acknowledged")
    pages = report_assemble(incident=hand_built, now=LATER)["figures"]["pages"]
    assert (pages["source"], pages["sent"], pages["time_to_acknowledge_minutes"],
            pages["median_time_to_acknowledge_minutes"]) == ("oncall", 2, 3, 4.5)


def test_it_lists_every_statement_version_with_its_approvals(report):
    holding = report["statements"][0]
    assert [(v["number"], v["is_published"], len(v["approvals"])) for v in holding["versions"]] == [
        (1, False, 0), (2, True, 1)]


def test_it_shows_the_pinned_timeline_in_time_order(report):
    assert [e["body"] for e in report["timeline"]["pinned"]] == ["视频出现 Video posted", "Team assembled"]


def test_it_stops_counting_a_late_recurring_occurrence_when_the_next_one_falls_due(org):
    incident = IncidentFactory(organization=org, first_public_signal_at=T0, detected_at=t(5))
    DeadlineFactory(incident=incident, step_key="sentiment-cadence", due_at=t(60), state="breached", met_at=t(200))
    DeadlineFactory(incident=incident, step_key="sentiment-cadence", due_at=t(90), state="breached", met_at=t(200),
                    occurrence=1)
    report = report_assemble(incident=incident, now=t(300))
    assert [d["late_minutes"] for d in report["deadlines"]] == [30, 110]
