"""What the schema cannot say, the run supplies: rules across fields and places that no OpenAPI schema states."""

from datetime import UTC, datetime, timedelta

SHARES = ("negative_share", "neutral_share", "positive_share")
# Times of things that happened: not in the future, not a month before the incident's first public signal.
# The run draws them from the last hour, but the stateful phase also reuses times the API answered with (an
# invitation's expiry, a week ahead).
HAPPENED_AT = ("first_public_signal_at", "detected_at", "occurred_at", "happened_at", "published_at",
               "acknowledged_at", "measured_at", "resolved_at", "completed_at")


def _moment(value) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
    return moment if moment is not None and moment.tzinfo is not None else None


def _whole(value) -> int | None:
    """A query value as the wire has it: the coverage phase sends numbers as text."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    return int(value) if isinstance(value, str) and value.isdigit() else None


def _times_aim(fields: dict) -> None:
    """Times in the order the world has them: an incident's signal (and its detection) first, anything that
    happened to it after. A step or a status change cannot precede the signal of an incident the run opened a
    moment ago with a drawn signal time, so signals are placed an hour back and the rest half a minute back."""
    now = datetime.now(UTC)
    order = {"first_public_signal_at": timedelta(minutes=60), "detected_at": timedelta(minutes=55)}
    for name in HAPPENED_AT:
        if _moment(fields.get(name)) is not None:
            fields[name] = (now - order.get(name, timedelta(seconds=30))).isoformat()


def _step_aim(index: int, step: dict) -> None:
    """A playbook step's fields depend on each other (a repeat needs its end; an event step needs its kind)."""
    step["key"] = f"step-{index}"  # keys are unique within a playbook
    if step.get("satisfied_by") == "event_kind" and not step.get("event_kind"):
        step["event_kind"] = "observation"
    if step.get("recurrence_seconds") is not None:
        if step.get("recur_until") not in ("resolved", "offset"):
            step["recur_until"] = "resolved"
        if step["recur_until"] == "offset" and not step.get("recur_until_seconds"):
            step["recur_until_seconds"] = 4 * 3600


def case_aim(case, world: dict, *, keep_path: bool = False) -> None:
    """Aim a valid-by-schema request at real records and keep it valid by the rules the schema cannot state.

    A negative case is left alone: it keeps its broken id (a 404) and its broken body (a 400), as declared.
    ``keep_path``: the stateful phase carries ids from earlier answers; those are kept.
    """
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return
    if not keep_path:
        for name in list(case.path_parameters or {}):
            if name in world["ids"]:
                case.path_parameters[name] = world["ids"][name]
    # A cursor is valid only if the list gave it out (anything else is a 400); a drawn one never was.
    if case.query:
        case.query.pop("cursor", None)
        # A redline compares an older version with a newer one.
        older, newer = (_whole(case.query.get(name)) for name in ("from", "to"))
        if older is not None and newer is not None and older >= newer:
            case.query.update({"from": min(older, newer), "to": max(older, newer) + (older == newer)})
    if isinstance(case.body, dict):
        for field, real_id in world["body_ids"].items():
            if isinstance(case.body.get(field), int):
                case.body[field] = real_id
    if isinstance(case.body, dict) and isinstance(case.body.get("steps"), list):
        for index, step in enumerate(case.body["steps"]):
            if isinstance(step, dict):
                _step_aim(index, step)
    # A statement's text is limited by its channel, which is on the statement, not in the body of a new version.
    if "/statements/" in case.path and isinstance(case.body, dict) and isinstance(case.body.get("body"), str):
        case.body["body"] = case.body["body"][:world["statement_body_max"]]
    points = case.body.get("points", [case.body]) if isinstance(case.body, dict) else []
    for point in points:
        if not isinstance(point, dict):
            continue
        _times_aim(point)
        # A correction keeps the measures it does not name: naming one share names all three, so that the sum
        # below is the sum the service checks.
        if case.path.endswith("/correct/") and any(f in point for f in SHARES):
            point.update({f: point.get(f) for f in SHARES})
        # Shares of one measurement add up to at most 1 (a rule across fields): drawn ones rarely do.
        if sum(point.get(f) or 0 for f in SHARES) > 1:
            point.update({f: None for f in SHARES if f in point and f != "negative_share"})
        # A measurement records at least one measure (a rule across a dozen nullable fields). Not a share: a
        # correction keeps the shares it does not name, and one more could push their sum past 1.
        if "checkpoints" in case.path and all(point.get(f) is None for f in world["measures"]):
            point["mention_volume"] = 1000
    # An action item's completion time goes with marking it done (a rule across two fields).
    if isinstance(case.body, dict) and case.body.get("completed_at") is not None:
        case.body["status"] = "done"
    # Resolving while post-mortem action items are open waits for a confirmation (a rule about other records).
    if case.method == "POST" and case.path.endswith("/transition/") and isinstance(case.body, dict):
        case.body["confirm_open_items"] = True
    # An edit names the version it was made on, in the body or in If-Match (a 400 without either): a rule across
    # two places no schema can state. An old version is fine: the answer is a 409, as declared.
    is_edit = case.method == "PATCH" and any(p.name == "If-Match" for p in case.operation.headers)
    body = case.body if isinstance(case.body, dict) else {}  # no body at all is Schemathesis's NotSet
    if is_edit and "version" not in body and "If-Match" not in (case.headers or {}):
        case.headers = {**(case.headers or {}), "If-Match": '"1"'}
