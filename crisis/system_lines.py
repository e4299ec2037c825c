"""System lines: what the desk itself writes on a timeline or into a page ("Deadline met: ...",
"Paged Wang Fang (level 1)."), stored as a key and its parameters and rendered in the reader's
language when read. The English text is kept beside it (``TimelineEvent.body``) for search and tools.

A message is plain JSON: ``{"key": "deadline.met", "params": {...}}``. A parameter is one of
- a string or a number, inserted as it is (names, reasons: what people wrote is never translated);
- ``{"t": "English msgid"}``: translated when read (a deadline's name, a status label), with
  ``"lower": true`` to read it in lower case inside a sentence;
- ``{"minutes": n}``: a span of time, "2 h 5 min";
- ``{"join": "; ", "items": [...]}``: parameters joined, each rendered on its own;
- a nested message.
Keys are never renamed: old rows keep theirs. A key this code no longer knows reads as the English body.
"""

from dataclasses import dataclass
from typing import Any

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext, ngettext_lazy, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

Message = dict[str, Any]


@dataclass(frozen=True)
class Template:
    # Lazy, so that the registry is read in the language of whoever reads the line; a plain string for
    # the few that only arrange other pieces.
    text: Promise | str
    # A line whose wording depends on a number (``text`` from ngettext_lazy): the parameter that counts.
    count: str = ""


LINES: dict[str, Template] = {
    # Deadlines: the engine and people acting on them.
    "deadline.met": Template(_("Deadline met: %(name)s%(late)s.")),
    "deadline.met_late": Template(_("Deadline met late: %(name)s, %(m)d min after it was due%(late)s.")),
    "deadline.met_earlier": Template(_("Deadline met earlier than recorded: %(name)s, at %(at)s%(late)s.")),
    "deadline.breach_retracted": Template(
        _("Breach retracted: %(name)s was met at %(at)s, before it was due at %(due)s%(late)s.")),
    "deadline.missed": Template(_("Deadline missed: %(name)s was due at %(due)s.")),
    "deadline.missed_on_arrival": Template(
        _("Deadline already missed when it was set: %(name)s was due at %(due)s.")),
    "deadline.stale": Template(_("Sentiment is stale: %(name)s was due at %(due)s.")),
    "deadline.unacknowledged": Template(_("Nobody acknowledged by %(due)s: %(name)s.")),
    "deadline.extended": Template(_("Deadline extended by %(m)d min: %(name)s. Reason: %(r)s")),
    "deadline.waived": Template(_("Deadline waived: %(name)s. Reason: %(r)s")),
    "deadline.ticked_off": Template(_("Ticked off: %(name)s. %(note)s")),
    "deadline.moved": Template(_("Deadline moved: %(name)s, now due %(due)s. %(reason)s")),
    "deadline.cadence_restarted": Template(
        _("Deadline moved: %(name)s, now due %(due)s: the cadence restarts from %(at)s.")),
    "deadline.cancelled": Template(_("Deadline cancelled (incident %(status)s): %(name)s.")),
    "deadline.not_owed": Template(_("Not owed: %(name)s fell due after the incident was over.")),
    "deadline.escalate_page": Template(_("Escalate page: %(title)s")),
    "entered_later": Template(_(" (entered %(span)s later)")),
    # The incident itself.
    "incident.opened": Template(_("Incident opened: %(title)s (%(severity)s). First public signal at this time.")),
    "incident.opened_retrospective": Template(
        _("Entered as a record of the past: its deadlines are judged, nobody is paged.")),
    "incident.status_changed": Template(_("Status changed from %(a)s to %(b)s.")),
    "incident.severity_changed": Template(_("Severity changed from %(a)s to %(b)s.")),
    "incident.acknowledged": Template(_("Incident acknowledged.")),
    "incident.details_changed": Template(_("Incident details changed: %(f)s.")),
    "incident.signal_redated": Template(_("The first public signal was re-dated.")),
    # Statements.
    "statement.drafted": Template(_("Statement drafted: %(s)s.")),
    "statement.revised": Template(_("Statement revised to version %(n)d: %(s)s.")),
    "statement.submitted": Template(_("Statement submitted for review: %(s)s.")),
    "statement.approved": Template(_("Statement approved (version %(n)d): %(s)s.")),
    "statement.published": Template(_("Statement published on %(channel)s: %(s)s.")),
    "statement.published_outside_desk": Template(_("Recorded after it went out; its approval is not recorded here.")),
    "statement.retracted": Template(_("Statement retracted: %(s)s. Reason: %(r)s")),
    "statement.gate_overridden": Template(
        _("Went ahead over the %(check)s check: %(s)s. It found: %(found)s. Reason: %(r)s")),
    "statement.label": Template("%(kind)s (%(channel)s)"),
    # Sentiment.
    "sentiment.point": Template(_("Sentiment on %(source)s: %(parts)s.")),
    "sentiment.negative": Template(_("negative %(p).0f%%")),
    "sentiment.volume": Template(_("volume %(v)d")),
    "sentiment.trending": Template(_("trending #%(r)d")),
    "sentiment.followers": Template(_("followers %(f)+d")),
    "sentiment.share_price": Template(_("share price %(s)+.1f%%")),
    "sentiment.series": Template(
        _("%(n)d points from %(source)s, %(start)s to %(end)s (%(zone)s). Latest: %(latest)s")),
    "sentiment.corrected": Template(_("Sentiment checkpoint corrected. %(d)s %(r)s")),
    "sentiment.surge": Template(
        _("Sentiment surge: %(why)s. Respond in public within %(m)d min.")),
    "surge.negative_crossed": Template(_("negative share %(n).0f%% crossed the %(t).0f%% threshold")),
    "surge.volume_crossed": Template(_("mention volume %(v)d crossed the %(t)d threshold")),
    "surge.volume_jumped": Template(_("mention volume jumped ×%(r).1f (%(a)d → %(b)d)")),
    "surge.negative_jumped": Template(_("negative share jumped ×%(r).1f")),
    # Post-mortem and action items.
    "postmortem.edited": Template(_("Post-mortem edited: %(sections)s.")),
    "action_item.added": Template(_("Action item added: %(item)s.")),
    "action_item.changed": Template(_("Action item changed: %(item)s.")),
    "action_item.described": Template(_("%(title)s (owner: %(owner)s, due: %(due)s, %(status)s)")),
    "action_item.nobody": Template(_("nobody")),
    "action_item.no_date": Template(_("no date")),
    # Pages: the timeline's record of them, and what the paged person receives.
    "page.opened": Template(_("Page opened: %(title)s.")),
    "page.paged": Template(_("Paged %(who)s (level %(n)d).")),
    "page.level_empty": Template(_("Nobody to page at level %(n)d; moving on.")),
    "page.levels_exhausted": Template(
        _("Every escalation level has been paged; the page stays open until acknowledged.")),
    "page.acknowledged": Template(_("Page acknowledged by %(who)s: %(title)s.")),
    "page.resolved": Template(_("Page resolved: %(title)s. %(note)s")),
    "page.unreachable": Template(_("Could not reach %(who)s by %(kind)s: %(error)s")),
    "page.incident_resolved": Template(_("The incident was resolved.")),
    "page.note.false_alarm": Template(_("The deadline was met in time after all; the alarm was false. %(why)s")),
    "page.note.met_late": Template(_("The deadline has been met, late. %(why)s")),
    "page.note.arrival_met": Template(_("Every deadline this page listed has been met.")),
    "page.title.missed": Template(_("Missed: %(name)s")),
    "page.title.surge": Template(_("Sentiment surge: %(title)s")),
    "page.title.due_soon": Template(_("Due in %(m)d min: %(name)s")),
    "page.title.logged_late": Template(ngettext_lazy("Logged late: %(n)d deadline already missed on %(title)s",
                                                     "Logged late: %(n)d deadlines already missed on %(title)s",
                                                     "n"), count="n"),
    "page.title.test": Template(_("Test notification")),
    "page.body.missed": Template(_("%(name)s was due at %(due)s and has not been done.")),
    "page.body.surge": Template(_("%(why)s. Respond in public by %(due)s.")),
    "page.body.due_soon": Template(_("Due at %(due)s.")),
    "page.body.logged_late": Template(_("These were already past due when the incident was logged:")),
    "page.body.logged_late_item": Template(_("- %(name)s, due %(due)s (%(ago)s ago)")),
    "page.body.logged_late_passed": Template(
        ngettext_lazy("- %(name)s: %(n)d more occurrence passed before this was logged",
                      "- %(name)s: %(n)d more occurrences passed before this was logged", "n"), count="n"),
    "page.body.test": Template(_("If you can read this, Golden Hours can reach you here.")),
    # Several pieces read as one line (a status change and its note, a severity change and its reason).
    "lines": Template("%(items)s"),
}


# Separators of joined pieces, read in the reader's language (Chinese lists take "、" and "；").
SEPARATORS = {", ": pgettext_lazy("list separator", ", "), "; ": pgettext_lazy("clause separator", "; ")}


class UnknownLine(KeyError):
    pass


def lines_register(templates: dict[str, Template]) -> None:
    """A feature's own lines, kept beside its code (called at import of its ``lines.py``). Keys are
    never renamed and never reused: registering a key again with other words is a mistake."""
    for key, template in templates.items():
        known = LINES.get(key)
        if known is not None and english(known.text) != english(template.text):
            raise ValueError(f"system line {key!r} is already registered with other words")
        LINES[key] = template


def line(key: str, **params: Any) -> Message:
    """A system line to store. Raises for a key the registry does not know, so a typo fails in tests."""
    if key not in LINES:
        raise UnknownLine(key)
    return {"key": key, "params": params}


def lines(*items: Message | str, sep: str = " ") -> Message:
    """Pieces read as one line; empty pieces are dropped (a reason nobody gave)."""
    return line("lines", items={"join": sep, "items": [item for item in items if item]})


def msgid(text: str | Promise, context: str | None = None) -> dict[str, Any]:
    """A parameter translated when read. ``text`` is an English msgid (a playbook step's name) or a
    lazy label (an enum's label), stored in English; ``context`` the msgctxt it was marked with, if any."""
    return {"t": english(text), **({"ctx": context} if context else {})}


def lowered(text: str | Promise, context: str | None = None) -> dict[str, Any]:
    return {**msgid(text, context), "lower": True}


def span(minutes: float | None) -> dict[str, Any]:
    return {"minutes": minutes}


def joined(items: list, sep: str = ", ") -> dict[str, Any]:
    return {"join": sep, "items": list(items)}


def english(text: str | Promise) -> str:
    with translation.override("en"):
        return str(text)


def _param(value: Any) -> Any:
    if isinstance(value, dict):
        if "key" in value:
            return _render(value)
        if "t" in value:
            if not value["t"]:
                text = ""
            else:
                text = pgettext(value["ctx"], value["t"]) if value.get("ctx") else gettext(value["t"])
            return text.lower() if value.get("lower") else text
        if "minutes" in value:
            from crisis.durations import duration_label

            return duration_label(value["minutes"])
        if "join" in value:
            separator = str(SEPARATORS.get(value["join"], value["join"]))
            return separator.join(str(_param(item)) for item in value.get("items", []))
        raise ValueError(f"unknown parameter shape: {sorted(value)}")
    return value


def _render(message: Message) -> str:
    template = LINES[message["key"]]
    params = {name: _param(value) for name, value in (message.get("params") or {}).items()}
    if template.count:
        # ngettext_lazy with a named count picks the form from the parameters as it formats.
        return str(template.text % params)
    text = str(template.text)
    return text % params if params or "%(" in text else text


def line_render(message: Message | None, language: str | None = None) -> str | None:
    """The line in ``language`` (default: the active one); None when it cannot be read (an unknown key,
    a parameter missing), and the caller shows the stored English body."""
    if not message:
        return None
    try:
        if language is None:
            return _render(message)
        with translation.override(language):
            return _render(message)
    except (KeyError, TypeError, ValueError):
        return None


def line_english(message: Message) -> str:
    """The English text, stored as the event's body. Unlike reading, writing must not fail quietly."""
    with translation.override("en"):
        return _render(message)
