"""Celery is the messenger; the ``ReportFile`` row is the truth (see ``services.report_build``)."""

from celery import shared_task

from crisis.services.origin import Origin, origin_set


@shared_task(name="crisis_reports.report_generate", acks_late=True, reject_on_worker_lost=True)
def report_generate(report_id: int) -> int | None:
    from .services import report_build

    with origin_set(Origin(via="task")):
        report = report_build(report_id=report_id)
    return report.pk if report else None
