"""One night crisis, told by its facts and when each happened (minutes after the first public signal),
and when each was entered at the desk. The acceptance tests enter it live through the API and the
browser, and load it through the import; both must give the same verdicts."""

from datetime import UTC, datetime, timedelta

# 22:44 in Shanghai: a video of a phone smoking on a high-speed train starts trending.
SIGNAL = datetime(2026, 3, 14, 14, 44, tzinfo=UTC)
LOGGED = 36  # the incident is opened at 23:20


def at(minutes: float) -> datetime:
    return SIGNAL + timedelta(minutes=minutes)


def iso(minutes: float) -> str:
    return at(minutes).isoformat()


HOLDING = "我们已关注到网传视频，正在与铁路部门联系核实，将于今晚公布进展。"
FULL = "经核实，起火手机为我司某型号，已启动召回，涉及三台设备，无人员受伤。"

# (happened, entered, what): statements carry their channel and kind.
FACTS = [
    (20, 37, {"type": "acknowledgement"}),
    (28, 38, {"type": "checkpoint", "negative_share": 0.41, "mention_volume": 1800}),
    (50, 55, {"type": "statement", "channel": "weibo", "kind": "holding", "body": HOLDING}),
    (58, 70, {"type": "checkpoint", "negative_share": 0.55, "mention_volume": 2600}),
    (85, 86, {"type": "checkpoint", "negative_share": 0.52, "mention_volume": 3500}),
    (110, 110, {"type": "checkpoint", "negative_share": 0.47, "mention_volume": 3400}),
    (138, 138, {"type": "checkpoint", "negative_share": 0.44, "mention_volume": 3100}),
    (165, 165, {"type": "checkpoint", "negative_share": 0.40, "mention_volume": 2800}),
    (190, 190, {"type": "checkpoint", "negative_share": 0.36, "mention_volume": 2500}),
    (218, 218, {"type": "checkpoint", "negative_share": 0.33, "mention_volume": 2200}),
    (250, 260, {"type": "statement", "channel": "wechat", "kind": "full", "body": FULL}),
]
RESOLVED = 300
# Sentiment rises and falls without surging (no jump of 1.5 times, never 60 % negative).
# The engine sweeps while the desk works: these sweeps find something due.
SWEEPS = [61, 121, 241]

# (step, occurrence): (state, due, met) in minutes after the signal; None where not met.
VERDICTS = {
    ("acknowledge", 0): ("breached", 15, 20),
    ("sentiment-baseline", 0): ("met", 30, 28),
    ("holding-statement", 0): ("met", 60, 50),
    ("stakeholder-briefing", 0): ("breached", 120, None),
    ("full-statement", 0): ("breached", 240, 250),
    ("sentiment-cadence", 0): ("met", 60, 58),
    ("sentiment-cadence", 1): ("met", 88, 85),
    ("sentiment-cadence", 2): ("met", 115, 110),
    ("sentiment-cadence", 3): ("met", 140, 138),
    ("sentiment-cadence", 4): ("met", 168, 165),
    ("sentiment-cadence", 5): ("met", 195, 190),
    ("sentiment-cadence", 6): ("met", 220, 218),
    # The full statement, out at 4 h 10 min, is also the first public update (due at 8 h, window 4 h to 8 h).
    ("public-update", 0): ("met", 480, 250),
    ("public-update", 1): ("cancelled", 490, None),
    ("follow-up-report", 0): ("cancelled", 24 * 60, None),
}


def verdicts_of(incident) -> dict:
    """The incident's playbook deadlines in the shape of VERDICTS."""
    def minutes(moment):
        return None if moment is None else round((moment - SIGNAL).total_seconds() / 60, 3)

    return {(d.step_key, d.occurrence): (d.state, minutes(d.due_at), minutes(d.met_at))
            for d in incident.deadlines.filter(kind="playbook")}


def import_document() -> dict:
    doc = {
        "format": "golden-hours/incident-import/1",
        "incident": {"title": "Phone smoking on a high-speed train", "severity": 2, "time_zone": "Asia/Shanghai",
                     "first_public_signal_at": iso(0), "detected_at": iso(LOGGED),
                     "affected_channels": ["weibo", "douyin"]},
        "events": [], "statements": [], "checkpoints": [],
        "resolution": {"resolved_at": iso(RESOLVED), "note": "Recall under way; sentiment back near baseline."},
    }
    for happened, _entered, fact in FACTS:
        kind = fact["type"]
        if kind == "acknowledgement":
            doc["acknowledged_at"] = iso(happened)
        elif kind == "checkpoint":
            doc["checkpoints"].append({"measured_at": iso(happened), "source": "Weibo",
                                       "negative_share": fact["negative_share"],
                                       "mention_volume": fact["mention_volume"]})
        else:
            doc["statements"].append({"channel": fact["channel"], "kind": fact["kind"], "body": fact["body"],
                                      "published_at": iso(happened)})
    return doc
