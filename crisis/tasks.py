"""Celery discovers tasks in ``<app>/tasks.py``; the app's tasks live beside the code they drive."""

from crisis.timers.tasks import breach_dispatch, deadline_due

__all__ = ["breach_dispatch", "deadline_due"]
