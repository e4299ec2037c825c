"""The engine fault suite's cases that leave the broker alone, run again with RabbitMQ as the broker.

Same processes, same assertions (tests/timers/test_faults.py); only the broker differs: the shared RabbitMQ
(GOLDEN_HOURS_TEST_AMQP_URL, default amqp://guest:guest@127.0.0.1:5672//) with private queues. The cases that
kill and restart the broker stay on a private Redis (a private RabbitMQ is not cheap to start); what a
RabbitMQ restart keeps and loses is in docs/operations.md, "Which broker".
"""

import pytest
from django.db import connection

from .processes import EngineStack, celery_producer, database_url
from .rabbitmq import AMQP_URL, rabbitmq_answers, rabbitmq_queues_delete

# The cases, collected again in this module so that they use this module's ``stack`` fixture.
from .test_faults import (  # noqa: F401
    commander,
    incident,
    org,
    test_it_breaches_5000_deadlines_due_in_the_same_second_once_each,
    test_it_breaches_every_reserved_deadline_once_after_the_worker_is_killed,
    test_it_breaches_once_a_deadline_met_a_millisecond_late,
    test_it_breaches_once_when_a_timer_is_delivered_three_times,
    test_it_breaches_the_moved_deadline_once_at_its_new_time,
    test_it_ignores_an_in_flight_timer_when_the_deadline_is_extended,
    test_it_keeps_a_deadline_met_a_millisecond_before_due_while_sweeper_and_timer_wait_on_its_lock,
    test_it_never_breaches_when_the_incident_is_resolved_with_a_timer_in_flight,
)
from .test_faults import (
    pytestmark as fault_marks,
)

pytestmark = [*fault_marks, pytest.mark.skipif(not rabbitmq_answers(), reason=f"no RabbitMQ at {AMQP_URL}")]


@pytest.fixture
def stack(transactional_db, tmp_path, monkeypatch, settings):
    stack = EngineStack(workdir=tmp_path, database_url=database_url(connection.settings_dict))
    stack.queue = f"rabbit-{stack.queue}"
    stack.clock_set(0)
    monkeypatch.setenv("GOLDEN_HOURS_CLOCK_FILE", str(stack.clock_file))
    settings.GOLDEN_HOURS_SEND_TIMERS = True
    settings.GOLDEN_HOURS_ETA_HORIZON = 900
    stack.extra_env.update({"GOLDEN_HOURS_ETA_HORIZON": "900", "CELERY_BROKER_URL": AMQP_URL})
    try:
        with celery_producer(AMQP_URL, stack.queue):
            yield stack
    finally:
        stack.stop_all()
        rabbitmq_queues_delete(stack.queue)
