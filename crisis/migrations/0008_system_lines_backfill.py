"""Give system lines written before 0007 their key and parameters, read back from the English body.

The templates below are frozen copies of the English wording at the time (crisis/system_lines.py may
change its wording later; old rows keep the words they were written with). A body is matched only when
a template accounts for all of it. What is left as it was (``message`` stays null, the body is shown):
- lines written while the writer's desk was in Chinese (their body is Chinese: 0007 made bodies English);
- lines whose wording has no template here (a person's own words, pages' titles written by hand);
- a part that cannot be read back stays as its English text inside an otherwise translated line: a
  statement's name, an action item's title, a reason or note somebody typed (those are never translated).
"""

import re

from django.db import migrations

# key: (English template, {parameter: how to read it back}); "t" translate when read, "lower_t" the same
# in lower case, "late" the " (entered ... later)" suffix, "line" another line (or the text as it is),
# "join:<sep>:<how>" pieces. Integers and decimals follow the template's own format.
TEMPLATES = {
    "deadline.met": ("Deadline met: %(name)s%(late)s.", {"name": "t", "late": "late"}),
    "deadline.met_late": ("Deadline met late: %(name)s, %(m)d min after it was due%(late)s.",
                          {"name": "t", "late": "late"}),
    "deadline.met_earlier": ("Deadline met earlier than recorded: %(name)s, at %(at)s%(late)s.",
                             {"name": "t", "late": "late"}),
    "deadline.breach_retracted": (
        "Breach retracted: %(name)s was met at %(at)s, before it was due at %(due)s%(late)s.",
        {"name": "t", "late": "late"}),
    "deadline.missed": ("Deadline missed: %(name)s was due at %(due)s.", {"name": "t"}),
    "deadline.missed_on_arrival": ("Deadline already missed when it was set: %(name)s was due at %(due)s.",
                                   {"name": "t"}),
    "deadline.stale": ("Sentiment is stale: %(name)s was due at %(due)s.", {"name": "t"}),
    "deadline.unacknowledged": ("Nobody acknowledged by %(due)s: %(name)s.", {"name": "line_t"}),
    "deadline.escalate_page": ("Escalate page: %(title)s", {"title": "line"}),
    "deadline.extended": ("Deadline extended by %(m)d min: %(name)s. Reason: %(r)s", {"name": "t"}),
    "deadline.waived": ("Deadline waived: %(name)s. Reason: %(r)s", {"name": "t"}),
    "deadline.ticked_off": ("Ticked off: %(name)s. %(note)s", {"name": "t"}),
    "deadline.cadence_restarted": (
        "Deadline moved: %(name)s, now due %(due)s: the cadence restarts from %(at)s.", {"name": "t"}),
    "deadline.moved": ("Deadline moved: %(name)s, now due %(due)s. %(reason)s", {"name": "t", "reason": "line"}),
    "deadline.cancelled": ("Deadline cancelled (incident %(status)s): %(name)s.",
                           {"status": "lower_t", "name": "t"}),
    "deadline.not_owed": ("Not owed: %(name)s fell due after the incident was over.", {"name": "t"}),
    "incident.opened": ("Incident opened: %(title)s (%(severity)s). First public signal at this time.",
                        {"severity": "t"}),
    "incident.opened_retrospective": (
        "Entered as a record of the past: its deadlines are judged, nobody is paged.", {}),
    "incident.status_changed": ("Status changed from %(a)s to %(b)s.", {"a": "t", "b": "t"}),
    "incident.severity_changed": ("Severity changed from %(a)s to %(b)s.", {"a": "t", "b": "t"}),
    "incident.acknowledged": ("Incident acknowledged.", {}),
    "incident.details_changed": ("Incident details changed: %(f)s.", {}),
    "incident.signal_redated": ("The first public signal was re-dated.", {}),
    "statement.drafted": ("Statement drafted: %(s)s.", {}),
    "statement.revised": ("Statement revised to version %(n)d: %(s)s.", {}),
    "statement.submitted": ("Statement submitted for review: %(s)s.", {}),
    "statement.approved": ("Statement approved (version %(n)d): %(s)s.", {}),
    "statement.published": ("Statement published on %(channel)s: %(s)s.", {"channel": "t"}),
    "statement.published_outside_desk": ("Recorded after it went out; its approval is not recorded here.", {}),
    "statement.retracted": ("Statement retracted: %(s)s. Reason: %(r)s", {}),
    "sentiment.series": ("%(n)d points from %(source)s, %(start)s to %(end)s (%(zone)s). Latest: %(latest)s",
                         {"latest": "line"}),
    "sentiment.corrected": ("Sentiment checkpoint corrected. %(d)s %(r)s", {"d": "line"}),
    "sentiment.point": ("Sentiment on %(source)s: %(parts)s.", {"parts": "join:, :line"}),
    "sentiment.negative": ("negative %(p).0f%%", {}),
    "sentiment.volume": ("volume %(v)d", {}),
    "sentiment.trending": ("trending #%(r)d", {}),
    "sentiment.followers": ("followers %(f)+d", {}),
    "sentiment.share_price": ("share price %(s)+.1f%%", {}),
    "sentiment.surge": ("Sentiment surge: %(why)s. Suggested severity SEV%(s)d; respond in public within %(m)d min.",
                        {"why": "join:; :line"}),
    "surge.negative_crossed": ("negative share %(n).0f%% crossed the %(t).0f%% threshold", {}),
    "surge.volume_crossed": ("mention volume %(v)d crossed the %(t)d threshold", {}),
    "surge.volume_jumped": ("mention volume jumped ×%(r).1f (%(a)d → %(b)d)", {}),
    "surge.negative_jumped": ("negative share jumped ×%(r).1f", {}),
    "postmortem.edited": ("Post-mortem edited: %(sections)s.", {"sections": "join:, :t"}),
    "action_item.added": ("Action item added: %(item)s.", {"item": "line"}),
    "action_item.changed": ("Action item changed: %(item)s.", {"item": "line"}),
    "action_item.described": ("%(title)s (owner: %(owner)s, due: %(due)s, %(status)s)",
                              {"status": "lower_t", "owner": "line", "due": "line"}),
    "action_item.nobody": ("nobody", {}),
    "action_item.no_date": ("no date", {}),
    "page.opened": ("Page opened: %(title)s.", {"title": "line"}),
    "page.paged": ("Paged %(who)s (level %(n)d).", {}),
    "page.level_empty": ("Nobody to page at level %(n)d; moving on.", {}),
    "page.levels_exhausted": ("Every escalation level has been paged; the page stays open until acknowledged.", {}),
    "page.acknowledged": ("Page acknowledged by %(who)s: %(title)s.", {"title": "line"}),
    "page.resolved": ("Page resolved: %(title)s. %(note)s", {"title": "line", "note": "line"}),
    "page.unreachable": ("Could not reach %(who)s by %(kind)s: %(error)s", {}),
    "page.incident_resolved": ("The incident was resolved.", {}),
    "page.note.false_alarm": ("The deadline was met in time after all; the alarm was false. %(why)s", {"why": "line"}),
    "page.note.met_late": ("The deadline has been met, late. %(why)s", {"why": "line"}),
    "page.note.arrival_met": ("Every deadline this page listed has been met.", {}),
    "page.title.missed": ("Missed: %(name)s", {"name": "t"}),
    "page.title.surge": ("Sentiment surge: %(title)s", {}),
    "page.title.due_soon": ("Due in %(m)d min: %(name)s", {"name": "t"}),
    "page.title.test": ("Test notification", {}),
    "page.body.missed": ("%(name)s was due at %(due)s and has not been done.", {"name": "t"}),
    "page.body.surge": ("%(why)s. Respond in public by %(due)s.", {"why": "join:; :line"}),
    "page.body.due_soon": ("Due at %(due)s.", {}),
    "page.body.test": ("If you can read this, Golden Hours can reach you here.", {}),
}
# A line and then a note or reason: the note is the second piece of a "lines" message.
COMPOUND = ("incident.opened", "incident.status_changed", "incident.severity_changed", "statement.published")
# Pieces that only ever appear inside another line, never as a whole timeline line.
PARTS_ONLY = ("sentiment.negative", "sentiment.volume", "sentiment.trending", "sentiment.followers",
              "sentiment.share_price", "surge.negative_crossed", "surge.volume_crossed", "surge.volume_jumped",
              "surge.negative_jumped", "action_item.described", "page.title.missed", "page.title.surge",
              "page.title.due_soon", "page.incident_resolved", "page.note.false_alarm", "page.note.met_late",
              "page.note.arrival_met", "deadline.escalate_page", "action_item.nobody", "action_item.no_date",
              "page.title.test", "page.body.missed", "page.body.surge", "page.body.due_soon", "page.body.test")
# Where a piece made of other pieces is followed by more text, say where it ends.
ENDS = {("sentiment.corrected", "d"): r"Sentiment on .*?\.(?= |$)"}
_FIELD = re.compile(r"%\((\w+)\)([+]?)(\.\d+)?([sdf])|%%")
_LATE = re.compile(r"^ \(entered (.+) later\)$")
_SPAN = re.compile(r"^(-?)(?:(\d+) d)? ?(?:(\d+) h)? ?(?:(\d+) min)?$")


def _pattern(key: str, template: str, how: dict[str, str]) -> tuple[str, dict[str, str]]:
    kinds: dict[str, str] = {}
    out, pos = [], 0
    for m in _FIELD.finditer(template):
        out.append(re.escape(template[pos:m.start()]))
        pos = m.end()
        if m.group(0) == "%%":
            out.append("%")
            continue
        name, sign, _precision, kind = m.groups()
        kinds[name] = kind
        if kind == "d":
            out.append(rf"(?P<{name}>{'[+-]' if sign else '-?'}\d+)")
        elif kind == "f":
            out.append(rf"(?P<{name}>{'[+-]' if sign else '-?'}[\d.]+)")
        elif (key, name) in ENDS:
            out.append(rf"(?P<{name}>{ENDS[key, name]})")
        elif how.get(name) == "late":
            out.append(rf"(?P<{name}>(?: \(entered [^()]+ later\))?)")
        else:
            out.append(rf"(?P<{name}>.*?)")
    out.append(re.escape(template[pos:]))
    return "".join(out), kinds


_COMPILED = {key: (_pattern(key, template, how), how) for key, (template, how) in TEMPLATES.items()}
_WHOLE = {key: (re.compile(f"^{pattern}$", re.DOTALL), kinds, how) for key, ((pattern, kinds), how) in _COMPILED.items()}
_LEADING = {key: (re.compile(f"^{_COMPILED[key][0][0]} (?P<_rest>.+)$", re.DOTALL), _COMPILED[key][0][1],
                  _COMPILED[key][1]) for key in COMPOUND}


def _minutes(text: str):
    m = _SPAN.match(text.strip())
    if not m or not any(m.group(i) for i in (2, 3, 4)):
        return None
    total = int(m.group(2) or 0) * 24 * 60 + int(m.group(3) or 0) * 60 + int(m.group(4) or 0)
    return -total if m.group(1) else total


def _value(text: str, kind: str, how: str):
    if kind == "d":
        return int(text)
    if kind == "f":
        return float(text)
    if how == "t":
        return {"t": text}
    if how == "lower_t":
        label = text[:1].upper() + text[1:]
        # "Open" alone is marked with a context (an action item's status); the rest are plain labels.
        return {"t": label, "lower": True, **({"ctx": "action item status"} if label == "Open" else {})}
    if how == "late":
        if not text:
            return ""
        m = _LATE.match(text)
        minutes = _minutes(m.group(1)) if m else None
        if minutes is None:
            raise ValueError(text)
        return {"key": "entered_later", "params": {"span": {"minutes": minutes}}}
    if how == "line":
        return match(text, parts=True) or text
    if how == "line_t":
        return match(text, parts=True) or {"t": text}
    if how.startswith("join:"):
        _join, sep, each = how.split(":", 2)
        return {"join": sep, "items": [_value(piece, "s", each) for piece in text.split(sep)]} if text else text
    return text


def _params(m: re.Match, kinds: dict[str, str], how: dict[str, str]) -> dict:
    return {name: _value(m.group(name), kind, how.get(name, "")) for name, kind in kinds.items()}


def match(body: str, *, parts: bool = False) -> dict | None:
    """The message for an English system line, or None when no template accounts for all of it."""
    for key, (pattern, kinds, how) in _WHOLE.items():
        if key in PARTS_ONLY and not parts:
            continue
        m = pattern.match(body)
        if m is None:
            continue
        try:
            return {"key": key, "params": _params(m, kinds, how)}
        except ValueError:
            continue
    for key, (pattern, kinds, how) in _LEADING.items():
        m = pattern.match(body)
        if m is None:
            continue
        try:
            first = {"key": key, "params": _params(m, kinds, how)}
        except ValueError:
            continue
        rest = m.group("_rest")
        return {"key": "lines", "params": {"items": {"join": " ", "items": [first, match(rest, parts=True) or rest]}}}
    return None


def backfill(apps, schema_editor):
    TimelineEvent = apps.get_model("crisis", "TimelineEvent")
    batch = []
    rows = TimelineEvent.objects.filter(message__isnull=True, corrects__isnull=True).only("id", "body")
    for event in rows.iterator(chunk_size=2000):
        message = match(event.body)
        if message is None:
            continue
        event.message = message
        batch.append(event)
        if len(batch) >= 1000:
            TimelineEvent.objects.bulk_update(batch, ["message"])
            batch = []
    if batch:
        TimelineEvent.objects.bulk_update(batch, ["message"])


class Migration(migrations.Migration):

    dependencies = [
        ("crisis", "0007_system_lines"),
    ]

    operations = [
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
    ]
