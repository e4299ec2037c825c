"""Placeholder until the engine lands: opening an incident creates no deadlines yet."""


def incident_playbook_start(*, incident) -> None:
    return None


def incident_playbook_on_status(*, incident) -> None:
    return None


def incident_playbook_reschedule(*, incident, reason: str) -> None:
    return None
