"""What the schema cannot say, the run supplies: rules across fields and places that no OpenAPI schema states."""

from datetime import UTC, datetime, timedelta

SHARES = ("negative_share", "neutral_share", "positive_share")
# Times of things that happened: not in the future, not a month before the incident's first public signal.
# The run draws them from the last hour, but the stateful phase also reuses times the API answered with (an
# invitation's expiry, a week ahead). A suggestion's level_entered_at is an echo of what the API said; one from
# the past that is not the standing one is a 409, as declared.
HAPPENED_AT = ("first_public_signal_at", "detected_at", "occurred_at", "happened_at", "published_at",
               "acknowledged_at", "measured_at", "resolved_at", "submitted_at", "asked_at", "answered_at",
               "briefed_at", "completed_at", "established_at", "level_entered_at")
# Times a request may set in the future: when something falls due.
FALLS_DUE_AT = ("due_at",)
# Tags some stakeholder of the world carries: a briefing to tags nobody carries reaches nobody (a 400).
WORLD_TAGS = ["press"]


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


def _chain_aim(body: dict, approver_id: int) -> None:
    """An approval chain names members who may approve, each in one step only: the admin, in the first step."""
    steps = body.get("steps")
    if isinstance(steps, list) and steps and isinstance(steps[0], dict):
        steps[0].update(approvers=[approver_id], deputies=[])
        del steps[1:]


def _thresholds_aim(body: dict) -> None:
    """Each sentiment level must be further from calm than the one below it (crisis.listening): a later level
    that is not is left empty, which means "not used" and is always allowed."""
    for measure in ("negative_share", "volume_growth", "trending_rank", "follower_loss_per_hour"):
        kept = None
        for level in ("elevated", "high", "critical"):
            value = body.get(f"{measure}_{level}")
            if not isinstance(value, int | float) or isinstance(value, bool):
                continue
            worse = kept is None or (value < kept if measure == "trending_rank" else value > kept)
            if worse:
                kept = value
            else:
                body[f"{measure}_{level}"] = None


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
        # Any-two redline: the other statement must be of the same incident; the run has one.
        if "with" in case.query:
            case.query["with"] = world["ids"]["statement_id"]
    if isinstance(case.body, dict):
        for field, real_id in world["body_ids"].items():
            if isinstance(case.body.get(field), int):
                case.body[field] = real_id
    # A promise is kept by exactly one fact: a statement or an event (a rule across two fields).
    if case.path.endswith("/keep/") and isinstance(case.body, dict):
        if "kept_by_statement" in case.body:
            case.body.pop("kept_by_event", None)
        elif "kept_by_event" not in case.body:
            case.body["kept_by_statement"] = world["body_ids"]["kept_by_statement"]
        for field in ("kept_by_statement", "kept_by_event"):
            if field in case.body:
                case.body[field] = world["body_ids"][field]
    if case.path.endswith("/listening-thresholds/") and isinstance(case.body, dict):
        _thresholds_aim(case.body)
    if case.path.endswith("/approval-chains/") and isinstance(case.body, dict):
        _chain_aim(case.body, world["body_ids"]["owner"])
    elif isinstance(case.body, dict) and isinstance(case.body.get("steps"), list):
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
    _comms_aim(case, world)
    # An inquiry names who asked: a stakeholder from the list or a name (one of the two, a rule across fields).
    if case.method == "POST" and case.path.endswith("/inquiries/") and isinstance(case.body, dict) \
            and "stakeholder" not in case.body and not str(case.body.get("asker_name", "")).strip():
        case.body["asker_name"] = "王芳"
    if case.method == "POST" and case.path.endswith("/briefings/") and isinstance(case.body, dict):
        case.body["tags"] = list(WORLD_TAGS)
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


def _comms_aim(case, world: dict) -> None:
    """crisis.comms: a freeze entry names a channel or an account, each once; an off-script post's text fits its
    channel; a template's braces are its three placeholders."""
    body = case.body if isinstance(case.body, dict) else {}
    if case.path.endswith("/comms-freeze/") and isinstance(body.get("entries"), list):
        seen, kept = set(), []
        for entry in body["entries"]:
            if not isinstance(entry, dict):
                continue
            if not entry.get("channel") and not str(entry.get("account") or "").strip():
                entry["account"] = f"account {len(kept)}"
            key = (entry.get("channel") or "", str(entry.get("account") or "").strip())
            if key not in seen:
                seen.add(key)
                kept.append(entry)
        body["entries"] = kept
    if case.path.endswith("/off-script-posts/") and isinstance(body.get("body"), str):
        body["body"] = body["body"][:world["statement_body_max"]]
    if "statement-templates" in case.path and isinstance(body.get("body"), str):
        body["body"] = body["body"].replace("{", "(").replace("}", ")")
    # A freeze list the run itself drew may freeze the channel of the statement it publishes, and a revision it
    # drew may drop a promise confirmed on it: the admin (the commander here) then gives the override a reason, as
    # a person would; a check that finds nothing records none.
    if case.path.endswith("/publish/") and case.body is not None and isinstance(body, dict):
        overrides = body.get("overrides") if isinstance(body.get("overrides"), dict) else {}
        body["overrides"] = {**overrides, "freeze": "contract run", "promises": "contract run"}
