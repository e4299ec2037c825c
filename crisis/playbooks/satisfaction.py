"""Placeholder until the engine lands."""


def deadlines_satisfy_by_event(*, event) -> None:
    return None


def deadlines_satisfy_by_acknowledgement(*, incident, event) -> None:
    return None


def deadlines_satisfy_by_statement(*, statement) -> None:
    return None


def deadlines_satisfy_by_checkpoints(*, incident, checkpoints) -> None:
    return None
