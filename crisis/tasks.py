"""Celery discovers tasks in ``<app>/tasks.py``; the app's tasks live beside the code they drive."""

from celery import shared_task

from crisis.services.invitations import invitation_mail
from crisis.timers.tasks import breach_dispatch, deadline_due

__all__ = ["breach_dispatch", "deadline_due", "invitation_mail_send"]


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def invitation_mail_send(invitation_id: int) -> int:
    """Mail an invitation's link. In the background so that inviting a name that has no account (nothing to
    mail) takes the request as long as inviting one that has: the answer's timing tells nothing either."""
    return invitation_mail(invitation_id=invitation_id)
