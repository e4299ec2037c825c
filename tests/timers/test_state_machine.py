"""A Hypothesis state machine over the deadline engine, in-process (SQLite or PostgreSQL).

Rules open incidents, move deadlines (extension, severity change), satisfy them (publish a
statement, live or entered up to five hours after it went out; record a checkpoint; acknowledge),
resolve incidents and let time pass (a sweep). After every step the invariants hold: nothing pending
is already due, every breach has exactly one outbox row (retracted once a fact shows it was met in
time), nothing met in time is left breached, and resolved incidents owe nothing.
Each example runs in a savepoint that is rolled back, so examples do not see each other.
"""

from datetime import timedelta

import pytest
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from crisis import clock
from crisis.models import Breach, Deadline, DeadlineKind, DeadlineState, Incident, Role
from crisis.timers.sweeper import deadlines_breach_due
from tests.factories import OrganizationFactory, member

PUBLICATIONS = {
    # (kind, channel): the non-recurring steps a publication must meet when they are pending and not yet due
    ("holding", "weibo"): {"holding-statement", "surge"},
    ("full", "wechat"): {"holding-statement", "full-statement", "surge"},
    ("internal_briefing", "internal"): {"stakeholder-briefing"},
    ("apology", "douyin"): {"holding-statement", "surge"},
}
STEPS_MET_BY = {"acknowledge": {"acknowledge"}, "checkpoint": {"sentiment-baseline"}}

durations = st.one_of(
    st.sampled_from([timedelta(milliseconds=1), timedelta(seconds=1), timedelta(minutes=15), timedelta(hours=1)]),
    st.integers(1, 6 * 3600).map(lambda s: timedelta(seconds=s)),
)


class DeadlineMachine(RuleBasedStateMachine):
    incidents = Bundle("incidents")

    def __init__(self):
        super().__init__()
        self.savepoint = transaction.atomic()
        self.savepoint.__enter__()
        self.now = timezone.now().replace(microsecond=0)
        self.org = OrganizationFactory()
        self.responder = member(self.org, Role.RESPONDER)
        self.approver = member(self.org, Role.APPROVER)
        self.commander = member(self.org, Role.COMMANDER)
        self.met_in_time: set[int] = set()

    def teardown(self):
        transaction.set_rollback(True)
        self.savepoint.__exit__(None, None, None)

    # Helpers

    def incident(self, pk: int) -> Incident:
        return Incident.objects.select_related("organization").get(pk=pk)

    def pending_not_due(self, incident: Incident, steps: set[str]) -> set[int]:
        rows = Deadline.objects.filter(incident=incident, state=DeadlineState.PENDING, due_at__gte=self.now)
        return {d.pk for d in rows if (d.step_key if d.kind == DeadlineKind.PLAYBOOK else "surge") in steps}

    def satisfy(self, incident: Incident, steps: set[str], action) -> None:
        """Run a satisfying action; every matching step that was pending and not yet due must end up met."""
        owed = self.pending_not_due(incident, steps)
        with clock.frozen_at(self.now):
            action()
        states = dict(Deadline.objects.filter(pk__in=owed).values_list("pk", "state"))
        assert all(state == DeadlineState.MET for state in states.values()), states
        self.met_in_time |= owed

    # Rules

    @initialize(target=incidents)
    def open_first(self):
        return self.open_incident(minutes_ago=5, severity=2)

    @rule(target=incidents, minutes_ago=st.integers(0, 600), severity=st.integers(1, 4))
    def open_incident(self, minutes_ago, severity):
        from crisis.services.incidents import incident_open

        with clock.frozen_at(self.now):
            incident = incident_open(organization=self.org, actor=self.responder, title="Smoke on a train",
                                     first_public_signal_at=self.now - timedelta(minutes=minutes_ago),
                                     severity=severity)
        return incident.pk

    @rule(pk=incidents, pick=st.integers(0, 50), minutes=st.integers(1, 240))
    def extend(self, pk, pick, minutes):
        from crisis.services.deadlines import deadline_extend

        pending = list(Deadline.objects.select_related("incident").filter(
            incident_id=pk, state=DeadlineState.PENDING).order_by("due_at", "id"))
        if pending:
            with clock.frozen_at(self.now):
                deadline_extend(deadline=pending[pick % len(pending)], actor=self.commander, minutes=minutes,
                                reason="Waiting for the lab")

    @rule(pk=incidents, severity=st.integers(1, 4))
    def change_severity(self, pk, severity):
        from crisis.services.incidents import incident_change_severity

        with clock.frozen_at(self.now):
            incident_change_severity(incident=self.incident(pk), actor=self.commander, severity=severity)

    @rule(pk=incidents, publication=st.sampled_from(sorted(PUBLICATIONS)))
    def publish(self, pk, publication):
        from crisis.services import statements

        kind, channel = publication
        incident = self.incident(pk)

        def publish():
            statement = statements.statement_create(incident=incident, actor=self.responder, channel=channel,
                                                    kind=kind, body="我们已关注到相关视频，正在核实。")
            statements.statement_submit_for_review(statement=statement, actor=self.responder)
            statements.statement_approve(statement=statement, actor=self.approver)
            statements.statement_publish(statement=statement, actor=self.commander)

        self.satisfy(incident, PUBLICATIONS[publication] if incident.is_open else set(), publish)

    @rule(pk=incidents, publication=st.sampled_from(sorted(PUBLICATIONS)), minutes_ago=st.integers(0, 300))
    def publish_entered_late(self, pk, publication, minutes_ago):
        """A statement that went out earlier is entered now: every step it meets by its due time is met,
        whether the engine had flagged it already or not."""
        from crisis.services import statements

        kind, channel = publication
        incident = self.incident(pk)
        happened = max(self.now - timedelta(minutes=minutes_ago), incident.first_public_signal_at)
        steps = PUBLICATIONS[publication] - {"surge"}  # a surge is answered only by what came after it
        owed = {d.pk for d in Deadline.objects.filter(
            incident=incident, kind=DeadlineKind.PLAYBOOK, step_key__in=steps, due_at__gte=happened,
            state__in=[DeadlineState.PENDING, DeadlineState.BREACHED]) if d.met_at is None or d.met_at > happened}
        with clock.frozen_at(self.now):
            statement = statements.statement_create(incident=incident, actor=self.responder, channel=channel,
                                                    kind=kind, body="我们已关注到相关视频，正在核实。")
            statements.statement_submit_for_review(statement=statement, actor=self.responder)
            statements.statement_approve(statement=statement, actor=self.approver)
            statements.statement_publish(statement=statement, actor=self.commander, published_at=happened)
        rows = list(Deadline.objects.filter(pk__in=owed).values_list("state", "met_at"))
        assert all(state == DeadlineState.MET and met_at <= happened for state, met_at in rows), rows
        self.met_in_time |= owed

    @rule(pk=incidents, volume=st.integers(0, 50_000), negative=st.floats(0, 1))
    def checkpoint(self, pk, volume, negative):
        from crisis.services.sentiment import sentiment_checkpoint_record

        incident = self.incident(pk)
        self.satisfy(incident, STEPS_MET_BY["checkpoint"], lambda: sentiment_checkpoint_record(
            incident=incident, actor=self.responder, measured_at=self.now, source="Weibo",
            mention_volume=volume, negative_share=negative))

    @rule(pk=incidents)
    def acknowledge(self, pk):
        from crisis.services.incidents import incident_acknowledge

        incident = self.incident(pk)
        self.satisfy(incident, STEPS_MET_BY["acknowledge"],
                     lambda: incident_acknowledge(incident=incident, actor=self.responder))

    @rule(pk=incidents)
    def resolve(self, pk):
        from crisis.services.incidents import incident_transition

        incident = self.incident(pk)
        if incident.can_transition_to("resolved"):
            with clock.frozen_at(self.now):
                incident_transition(incident=incident, actor=self.commander, to_status="resolved")

    @rule(step=durations)
    def tick(self, step):
        self.now += step
        with clock.frozen_at(self.now):
            deadlines_breach_due(now=self.now)

    # Invariants

    def deadlines(self):
        return Deadline.objects.filter(incident__organization=self.org)

    @invariant()
    def nothing_pending_is_due(self):
        overdue = list(self.deadlines().filter(state=DeadlineState.PENDING, due_at__lte=self.now)
                       .values_list("step_key", "occurrence", "due_at"))
        assert not overdue, f"pending but due by {self.now}: {overdue}"

    @invariant()
    def every_breach_has_one_outbox_row(self):
        counts = dict(Breach.objects.filter(incident__organization=self.org).values("deadline_id")
                      .annotate(n=Count("id")).values_list("deadline_id", "n"))
        retracted = set(Breach.objects.filter(incident__organization=self.org, retracted_at__isnull=False)
                        .values_list("deadline_id", flat=True))
        for pk, state in self.deadlines().values_list("pk", "state"):
            expected = 1 if state == DeadlineState.BREACHED or pk in retracted else 0
            assert counts.get(pk, 0) == expected, (pk, state, counts.get(pk))
            # Retracted: met in time after all, or not owed (due after a resolution entered later).
            assert pk not in retracted or state in (DeadlineState.MET, DeadlineState.CANCELLED), (pk, state)
        for breach in Breach.objects.filter(incident__organization=self.org).select_related("deadline"):
            assert breach.deadline_version < breach.deadline.version

    @invariant()
    def nothing_met_in_time_is_breached(self):
        assert not Breach.objects.filter(deadline_id__in=self.met_in_time, retracted_at__isnull=True).exists()
        states = set(Deadline.objects.filter(pk__in=self.met_in_time).values_list("state", flat=True))
        assert states <= {DeadlineState.MET}
        for due_at, met_at, state in self.deadlines().filter(met_at__isnull=False).values_list(
                "due_at", "met_at", "state"):
            # At the very instant it falls due (only a frozen clock hits it) a deadline is already due, so it
            # may have been breached and then met "late" at that same instant, or met first: both are fair.
            if state == DeadlineState.MET:
                assert met_at <= due_at, (due_at, met_at, state)
            else:
                assert met_at >= due_at, (due_at, met_at, state)

    @invariant()
    def resolved_incidents_owe_nothing(self):
        closed = Incident.objects.filter(organization=self.org).exclude(
            status__in=["monitoring", "active", "contained"])
        assert not self.deadlines().filter(incident__in=closed, state=DeadlineState.PENDING).exists()


@pytest.mark.django_db
def test_it_keeps_the_deadline_invariants_whatever_happens():
    run_state_machine_as_test(DeadlineMachine, settings=settings(
        max_examples=25, stateful_step_count=20, deadline=None, database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    ))
