"""The shared RabbitMQ of this machine (or CI) as a test broker: private queues on it, deleted afterwards.

A private RabbitMQ cannot be started as cheaply as a private Redis, so the tests that kill and restart the
broker use Redis only; against RabbitMQ run the tests that leave the server alone, each on queues named with
its own prefix (config/queues.py), which are removed when it ends. Nothing here depends on pytest.
"""

import contextlib
import os

from config.queues import QUEUES, queue_name

AMQP_URL = os.environ.get("GOLDEN_HOURS_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//")


def rabbitmq_answers(url: str = AMQP_URL) -> bool:
    from kombu import Connection

    try:
        with Connection(url, connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1)
            return True
    except Exception:  # noqa: BLE001 (not there: the tests that need it skip)
        return False


def rabbitmq_queues_delete(prefix: str, url: str = AMQP_URL) -> None:
    """Remove a run's queues and their exchanges (Celery declares a direct exchange per routed queue)."""
    from kombu import Connection

    with Connection(url, connect_timeout=2) as conn:
        for queue in QUEUES:
            name = queue_name(prefix, queue)
            for delete in ("queue_delete", "exchange_delete"):
                channel = conn.channel()  # a failed delete closes its channel: one each
                with contextlib.suppress(Exception):
                    getattr(channel, delete)(name)
                with contextlib.suppress(Exception):
                    channel.close()


def rabbitmq_queue_depth(prefix: str, queue: str, url: str = AMQP_URL) -> int:
    from kombu import Connection

    with Connection(url, connect_timeout=2) as conn:
        _name, count, _consumers = conn.channel().queue_declare(queue_name(prefix, queue), passive=True)
        return count
