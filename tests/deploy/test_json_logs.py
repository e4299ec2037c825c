"""Production logs are JSON lines; the engine's and paging's lines carry the incident and deadline they are about."""

import io
import json
import logging
import logging.config

import pytest
from django.conf import settings

from config.log_format import json_logging
from crisis.models import Breach
from crisis.timers.sweeper import deadlines_breach_due
from tests.test_settings import import_settings

PRODUCTION = {"DJANGO_SECRET_KEY": "s3cret", "DJANGO_ALLOWED_HOSTS": "crisis.example.com",
              "GOLDEN_HOURS_BASE_URL": "https://crisis.example.com"}


@pytest.fixture
def json_log():
    """Production's logging configuration (config/log_format.py over base.LOGGING), writing to a buffer."""
    stream = io.StringIO()
    config = json_logging(settings.LOGGING)
    config["handlers"]["console"]["stream"] = stream
    logging.config.dictConfig(config)
    try:
        yield stream
    finally:
        logging.config.dictConfig(settings.LOGGING)


def lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_it_configures_json_logs_under_production_settings_and_plain_ones_locally():
    show = "s.LOGGING['handlers']['console']['formatter'], s.LOGGING['formatters']['json']['()']"
    production = import_settings("config.settings.production", show=show, **PRODUCTION)
    local = import_settings("config.settings.local", show="s.LOGGING['handlers']['console']['formatter']")

    assert production.stdout.split() == ["json", "pythonjsonlogger.json.JsonFormatter"], production.stderr
    assert local.stdout.strip() == "plain"


@pytest.mark.django_db
def test_it_logs_each_breach_as_one_json_object_with_its_incident_and_deadline(
        incident_at_t0, at, json_log, django_capture_on_commit_callbacks):
    incident = incident_at_t0()

    with django_capture_on_commit_callbacks(execute=True):
        breached = deadlines_breach_due(now=at(60))

    records = [r for r in lines(json_log) if r["message"].startswith("deadline breached")]
    expected = {(incident.pk, b.deadline_id) for b in Breach.objects.filter(incident=incident)}
    assert breached == len(expected) == len(records) > 1
    assert {(r["incident_id"], r["deadline_id"]) for r in records} == expected
    assert all(r["level"] == "INFO" and r["logger"].startswith("crisis.timers.") and r["time"] for r in records)


@pytest.mark.django_db
def test_it_logs_nothing_for_a_breach_that_was_rolled_back(incident_at_t0, at, json_log,
                                                           django_capture_on_commit_callbacks):
    from django.db import transaction

    incident_at_t0()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        deadlines_breach_due(now=at(60))
        raise RuntimeError("the batch fails after the breach")

    assert not [r for r in lines(json_log) if r["message"].startswith("deadline breached")]


def test_it_writes_one_line_per_record_even_with_newlines_and_chinese_in_the_message(json_log):
    logging.getLogger("crisis.oncall.console").info("PAGE to 李娜: 手机冒烟\nline two",
                                                    extra={"incident_id": 7, "deadline_id": 9})

    (record,) = lines(json_log)
    assert record["message"] == "PAGE to 李娜: 手机冒烟\nline two"
    assert (record["incident_id"], record["deadline_id"]) == (7, 9)
    assert "李娜" in json_log.getvalue()


def test_it_gives_every_line_the_id_fields_even_when_it_is_about_no_deadline(json_log):
    logging.getLogger("crisis.timers.engine").warning("engine loop failed (%s); retrying in %.1fs", "boom", 0.2)

    (record,) = lines(json_log)
    assert record["incident_id"] is None and record["deadline_id"] is None
    assert record["message"] == "engine loop failed (boom); retrying in 0.2s"


def test_it_keeps_weasyprints_progress_out_of_the_json_log(json_log):
    logging.getLogger("weasyprint.progress").info("Step 5 - Creating layout - Page 1")
    logging.getLogger("weasyprint").warning("a font is missing")

    assert [r["logger"] for r in lines(json_log)] == ["weasyprint"]


@pytest.mark.django_db
def test_it_logs_the_page_a_breach_opens_with_its_incident_and_deadline(
        commanded_incident, policy, at, json_log, django_capture_on_commit_callbacks):
    from crisis.oncall.models import Page
    from tests.oncall.helpers import sweep_and_dispatch

    incident = commanded_incident()
    with django_capture_on_commit_callbacks(execute=True):
        sweep_and_dispatch(at(16))

    page = Page.objects.get(incident=incident)
    (opened,) = [r for r in lines(json_log) if r["message"].startswith(f"page {page.pk} opened")]
    assert (opened["incident_id"], opened["deadline_id"]) == (incident.pk, page.deadline_id)
    assert page.deadline_id is not None
    assert opened["logger"] == "crisis.oncall.services.opening"


def test_it_logs_a_console_page_with_its_incident_and_deadline(json_log):
    from types import SimpleNamespace

    from crisis.oncall.transports import ConsoleTransport

    page = SimpleNamespace(incident_id=4, deadline_id=11)
    delivery = SimpleNamespace(user="li.na", subject="Deadline missed", body="Holding statement", ack_url="https://x/a")
    ConsoleTransport().notify(page, delivery)

    (record,) = lines(json_log)
    assert (record["incident_id"], record["deadline_id"]) == (4, 11)
    assert record["message"].startswith("PAGE to li.na: Deadline missed")


def test_it_logs_an_exception_inside_its_one_json_line(json_log):
    try:
        raise ValueError("the receiver answered nonsense")
    except ValueError:
        logging.getLogger("crisis.oncall.services.lanes").exception(
            "transport %s crashed on delivery %s", "webhook", 5, extra={"incident_id": 1, "deadline_id": 2})

    (record,) = lines(json_log)
    assert "ValueError: the receiver answered nonsense" in record["exc_info"]
    assert record["level"] == "ERROR" and record["incident_id"] == 1
