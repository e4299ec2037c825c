"""The post-mortem tells what happened when it happened, whenever it was entered (docs/reports.md)."""

from datetime import timedelta

import pytest

from crisis.reports.assembly import report_assemble
from crisis.reports.renderers import effect_cells, render_html, render_markdown
from crisis.reports.templatetags.report_format import minutes, share, signed_minutes
from tests.deadline_helpers import T0
from tests.factories import SentimentCheckpointFactory

from .conftest import EIGHT_MONTHS, checkpoint, publish, t

pytestmark = pytest.mark.django_db


def by_step(report, occurrence=0, kind="playbook"):
    return {d["step_key"]: d for d in report["deadlines"] if d["occurrence"] == occurrence and d["kind"] == kind}


def passed_by_step(report):
    return {p["step_key"]: p for p in report["passed_occurrences"]}


@pytest.fixture
def retro_report(retrospective):
    return report_assemble(incident=retrospective)


@pytest.fixture
def logged_late(incident_at_t0, people, at):
    """Logged at T+5; the holding statement went out at T+40 and was entered at T+75; a reading taken at
    T+45 was entered at T+75 too."""
    incident = incident_at_t0()
    at(75)
    publish(incident, people, published_at=t(40))
    checkpoint(incident, people, t(45), negative_share=0.5, mention_volume=3000)
    return incident


# Key times and the deadlines table are one computation


@pytest.mark.parametrize("case", ["hand_built", "retrospective", "imported", "logged_late"])
def test_it_reads_every_key_time_with_a_step_from_that_step_s_deadline(case, request):
    report = report_assemble(incident=request.getfixturevalue(case), now=T0 + timedelta(days=300))
    rows = {d["id"]: d for d in report["deadlines"]}
    judged = [k for k in report["key_times"] if k["deadline_id"] is not None]
    assert {k["key"] for k in judged} == {"acknowledged", "first_response", "full_statement"}
    for key_time in judged:
        deadline = rows[key_time["deadline_id"]]
        late = deadline["met_late_by_minutes"] if deadline["outcome"] == "met_late" else deadline["delta_minutes"]
        expected = (deadline["met_at"], late) if deadline["outcome"] in ("met", "met_late") else (
            key_time["at"], None)
        assert (key_time["outcome"], key_time["at"], key_time["delta_minutes"]) == (deadline["outcome"], *expected)


def test_it_gives_the_true_lateness_of_a_statement_entered_eight_months_later(retro_report):
    holding = by_step(retro_report)["holding-statement"]
    assert (holding["outcome"], holding["met_late_by_minutes"], holding["late_minutes"]) == ("met_late", 40, 40)


def test_it_words_each_verdict(retro_report):
    labels = {key: row["outcome_label"] for key, row in by_step(retro_report).items()}
    assert (labels["holding-statement"], labels["acknowledge"], labels["stakeholder-briefing"]) == (
        "Met late by 40 min", "Met on time, its breach alarm was retracted", "Missed")


def test_it_says_a_deadline_of_an_open_incident_is_still_late(incident_at_t0, at):
    incident = incident_at_t0()
    from crisis.timers.sweeper import deadlines_breach_due

    deadlines_breach_due(now=at(20))
    report = report_assemble(incident=incident, now=t(20))
    assert by_step(report)["acknowledge"]["outcome_label"] == "Missed, still late"


def test_it_says_a_deadline_was_already_missed_when_the_incident_was_logged(open_incident, people, at):
    from crisis.services.incidents import incident_acknowledge

    at(36)
    incident = open_incident(first_public_signal_at=T0)
    incident_acknowledge(incident=incident, actor=people["responder"], acknowledged_at=t(30))
    report = report_assemble(incident=incident, now=t(36))
    assert by_step(report)["acknowledge"]["outcome_label"] == (
        "Met late by 15 min, entered 6 min later, already missed when logged")


# Entered later


def test_it_says_a_deadline_met_in_time_was_entered_later(logged_late):
    report = report_assemble(incident=logged_late, now=t(75))
    holding = by_step(report)["holding-statement"]
    assert (holding["outcome"], holding["outcome_label"]) == ("met", "Met on time, entered 35 min later")


def test_it_says_how_much_later_a_statement_was_entered(logged_late):
    report = report_assemble(incident=logged_late, now=t(75))
    assert [s["entered_minutes_later"] for s in report["statements"]] == [35]


def test_it_says_how_much_later_a_checkpoint_was_entered(logged_late):
    report = report_assemble(incident=logged_late, now=t(75))
    assert [p["entered_minutes_later"] for p in report["sentiment"]["points"]] == [30]


def test_it_writes_entered_later_into_the_html(logged_late):
    html = render_html(report_assemble(incident=logged_late, now=t(75)))
    assert "(entered 35 min later)" in html and "<td>entered 30 min later</td>" in html


def test_it_says_nothing_about_a_fact_entered_within_a_minute(incident_at_t0, people, at):
    incident = incident_at_t0()
    at(40)
    publish(incident, people, published_at=t(40) - timedelta(seconds=50))
    report = report_assemble(incident=incident, now=t(40))
    assert ([s["entered_minutes_later"] for s in report["statements"]],
            by_step(report)["holding-statement"]["outcome_label"]) == ([None], "Met on time")


def test_it_leaves_entered_later_off_each_line_of_a_record_of_the_past(retrospective):
    markdown = render_markdown(report_assemble(incident=retrospective))
    assert "Retrospective: entered 2027-07-23 02:00 as a record of the past" in markdown
    assert "later)" not in markdown and "entered 8 months" not in markdown


# Retracted breaches


def test_it_lists_a_retracted_breach_with_who_when_and_why(retro_report, people):
    retracted = {b["step_key"]: b for b in retro_report["retracted_breaches"]}
    ack = retracted["acknowledge"]
    assert (ack["retracted_by"], ack["retracted_at"], ack["met_at"]) == (
        people["commander"].get_username(), T0 + timedelta(minutes=EIGHT_MONTHS + 10), t(12))
    assert ack["reason"].startswith("Breach retracted: Acknowledge and assemble the response team was met at 02:12")


def test_it_counts_retracted_breaches(retro_report):
    # The follow-up report was flagged when the crisis was entered, then found due after its resolution.
    assert sorted(b["step_key"] for b in retro_report["retracted_breaches"]) == [
        "acknowledge", "follow-up-report", "full-statement", "sentiment-baseline"]
    assert retro_report["figures"]["breaches_retracted"] == 4


# Occurrences that went by unrecorded


def test_it_counts_passed_occurrences_made_and_missed(retro_report):
    cadence = passed_by_step(retro_report)["sentiment-cadence"]
    # Due T+90 ... T+240 every 30 min; the T+130 reading covers the one due at T+150 only.
    assert (cadence["expected"], cadence["made"], cadence["missed"], cadence["late_minutes"]) == (6, 1, 5, 150)
    assert cadence["label"] == "6 occurrences expected before this was logged, 1 made"


def test_it_owes_no_passed_occurrence_due_after_a_resolution_entered_later(retro_report):
    update = passed_by_step(retro_report)["public-update"]
    # Every four hours from T+12h until the incident was logged eight months on; it was resolved at T+10h.
    assert (update["expected"], update["not_owed"] == update["count"], update["count"] > 1000) == (0, True, True)


def test_it_counts_missed_passed_occurrences_in_the_total_breached_minutes(retro_report):
    deadlines = sum(d["late_minutes"] for d in retro_report["deadlines"])
    assert retro_report["figures"]["total_breached_minutes"] == deadlines + 150


def test_it_ends_a_missed_occurrence_when_the_next_one_fell_due_unrecorded(retro_report):
    # Met at T+130 (late), but the next occurrence (in the passed record) fell due at T+90.
    assert by_step(retro_report)["sentiment-cadence"]["late_minutes"] == 30


def test_it_writes_the_passed_occurrences_into_markdown(retrospective):
    assert ("- Sentiment checkpoint every 30 minutes (first 4 hours): 6 occurrences expected before this was "
            "logged, 1 made (due 2026-11-25 03:30 to 2026-11-25 06:00, every 30 min; 5 missed, 2 h 30 min late)"
            ) in render_markdown(report_assemble(incident=retrospective))


# Readings around a statement


def test_it_gives_the_nearest_reading_after_a_statement_when_none_fell_in_the_hour(one_statement):
    SentimentCheckpointFactory(incident=one_statement, measured_at=t(230), recorded_at=t(230), negative_share=0.2,
                               mention_volume=800)
    (effect,) = report_assemble(incident=one_statement)["statement_effects"]
    assert (effect["after"], effect["nearest_after"]["negative_share"], effect["nearest_after_minutes_later"],
            effect["negative_share_change"]) == (None, 0.2, 180, None)


def test_it_words_the_nearest_reading_after_a_statement(one_statement):
    SentimentCheckpointFactory(incident=one_statement, measured_at=t(230), recorded_at=t(230), negative_share=0.2,
                               mention_volume=800)
    (effect,) = report_assemble(incident=one_statement)["statement_effects"]
    assert effect_cells(effect)["readings"] == (
        "25 min before · no measurement in the following hour; next reading 3 h after: 20.0%, 800 mentions")


# Formatting


def test_it_formats_minutes_as_days_hours_and_minutes():
    assert (minutes(2848930.4), minutes(185), minutes(0.2)) == ("1978 d 10 h 10 min", "3 h 5 min", "0 min")


def test_it_signs_minutes_against_a_target():
    assert (signed_minutes(70), signed_minutes(-3), signed_minutes(0.2)) == ("+1 h 10 min", "-3 min", "0 min")


def test_it_reads_what_a_failed_template_lookup_hands_a_filter_as_missing():
    # Django gives a filter "" for e.after.negative_share when there is no after: that was the 500.
    assert (share(""), minutes(""), signed_minutes("")) == ("–", "–", "–")


def test_it_keeps_minutes_as_numbers_in_json(retrospective):
    import json

    from crisis.reports.renderers import render_json

    assert json.loads(render_json(report_assemble(incident=retrospective)))["figures"]["total_breached_minutes"] \
        == 890


def test_it_writes_minutes_as_days_hours_and_minutes_into_markdown(retrospective):
    assert "| Total breached minutes | 14 h 50 min |" in render_markdown(report_assemble(incident=retrospective))
