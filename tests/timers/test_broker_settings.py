"""Redis or RabbitMQ: settings take either broker from CELERY_BROKER_URL, with the options each needs."""

from tests.test_settings import import_settings

SHOWN = "s.CELERY_BROKER_URL, s.IS_RABBITMQ_BROKER, sorted(s.CELERY_BROKER_TRANSPORT_OPTIONS.items())"


def test_it_takes_rabbitmq_from_the_broker_url_with_publisher_confirms():
    result = import_settings("config.settings.base", show=SHOWN, CELERY_BROKER_URL="amqp://guest:guest@127.0.0.1:5672//")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "amqp://guest:guest@127.0.0.1:5672// True [('confirm_publish', True)]"


def test_it_keeps_redis_with_its_visibility_timeout_by_default():
    result = import_settings("config.settings.base", show=SHOWN, CELERY_BROKER_URL=None,
                             REDIS_URL="redis://127.0.0.1:6390/0", CELERY_VISIBILITY_TIMEOUT="1800")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "redis://127.0.0.1:6390/0 False [('visibility_timeout', 1800)]"
