"""Turn an assembled report into HTML, Markdown, PDF or JSON.

The long lists (the full timeline has 10,000 entries in a big incident) are built with plain
string joins rather than template loops: Django's template engine costs tens of microseconds a
node, which is seconds at that size, and the HTML page must answer in under half a second.
"""

import json
from functools import cache
from html import escape
from pathlib import Path

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from .assembly_thorns import open_action_items
from .render_thorns import markdown_open_items, markdown_related
from .svg import measures_charted, sentiment_svg
from .templatetags.report_format import (
    entered_later,
    local,
    minutes,
    number,
    percent,
    share,
    signed_minutes,
    signed_number,
    signed_points,
)

# WeasyPrint lays out about 500 timeline lines a second here; past this many events the PDF keeps the
# pinned timeline and a count by kind, and carries the full timeline as an attached Markdown file
# (also in the Markdown and JSON exports). A 130-page printout is not what anyone reads after a crisis.
PDF_TIMELINE_LIMIT = 500
SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / "report-v1.schema.json"
CONTENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
    "pdf": "application/pdf",
    "json": "application/json",
}


def section_labels() -> list[tuple[str, str]]:
    return [("summary", _("Summary")), ("root_cause", _("Root cause")), ("went_well", _("What went well")),
            ("went_badly", _("What went badly"))]


def _entered_note(event: dict, show_entered: bool) -> str:
    """" (entered 40 min later)" for an entry made more than a minute after what it records."""
    if not show_entered:
        return ""
    note = entered_later((event["recorded_at"] - event["occurred_at"]).total_seconds() / 60)
    return f" ({note})" if note else ""


def _event_text(event: dict) -> str:
    """The line in the report's language (a report assembled before system lines were kept has only body)."""
    return event.get("text") or event["body"]


def timeline_html(events: list[dict], zone: str, *, anchors: bool = True, show_entered: bool = True) -> SafeString:
    if not events:
        return mark_safe("<p>" + escape(_("Nothing recorded.")) + "</p>")  # noqa: S308 (escaped)
    corrected, corrects, pinned = escape(_("corrected")), escape(_("corrects an earlier entry")), escape(_("pinned"))
    parts = ['<ol class="timeline">']
    for e in events:
        note = ""
        if e["corrected_by"]:
            note = f' <em class="meta">({corrected})</em>'
        elif e["corrects"]:
            note = f' <em class="meta">({corrects})</em>'
        entered = _entered_note(e, show_entered)
        if entered:
            note += f' <span class="meta">{escape(entered.strip())}</span>'
        body = escape(_event_text(e))
        if e["corrected_by"]:
            body = f'<span class="corrected">{body}</span>'
        actor = f' <span class="meta">— {escape(e["actor"])}</span>' if e["actor"] else ""
        pin = f' <span class="meta">[{pinned}]</span>' if e["is_pinned"] else ""
        anchor = f' id="event-{e["id"]}"' if anchors else ""
        parts.append(f'<li{anchor}><time>{local(e["occurred_at"], zone)}</time>'
                     f'<span class="kind">{escape(e["kind_label"])}</span> {body}{actor}{note}{pin}</li>')
    parts.append("</ol>")
    return mark_safe("".join(parts))  # noqa: S308 (every value above is escaped)


def timeline_summary_html(events: list[dict]) -> SafeString:
    counts: dict[str, int] = {}
    for event in events:
        counts[event["kind_label"]] = counts.get(event["kind_label"], 0) + 1
    note = _("The full timeline has %(n)d entries; it is attached to this PDF as %(file)s and is in the Markdown "
             "and JSON exports.") % {"n": len(events), "file": TIMELINE_ATTACHMENT}
    rows = "".join(f"<tr><td>{escape(kind)}</td><td>{n:,}</td></tr>" for kind, n in sorted(counts.items()))
    return mark_safe(f'<p class="meta">{escape(note)}</p><table><tbody>{rows}</tbody></table>')  # noqa: S308


TIMELINE_ATTACHMENT = "timeline.md"


def shows_entered(report: dict) -> bool:
    """Say "entered N later" per fact? Not in a record of the past: all of it was entered later, and
    the report says so once at the top."""
    return not report["incident"]["is_retrospective"]


def retrospective_note(report: dict) -> str:
    if not report["incident"]["is_retrospective"]:
        return ""
    zone = report["incident"]["time_zone"]
    return _("Retrospective: entered %(at)s as a record of the past; every time shown is when it happened.") % {
        "at": local(report["incident"]["entered_at"], zone)}


def pages_note(report: dict) -> str:
    if report["incident"]["is_retrospective"] and not report["figures"]["pages"]["sent"]:
        return _("no pages were sent: entered as a record of the past")
    return ""


def effect_cells(effect: dict) -> dict[str, str]:
    """One statement's effect as text, the same in every renderer: the readings either side with how far
    from the statement they were taken, and plain words where a reading is missing."""
    before, after, nearest = effect["before"], effect["after"], effect["nearest_after"]

    def pair(field: str, fmt) -> str:
        return f"{fmt(before and before[field])} → {fmt(after and after[field])}"

    readings = [_("%(span)s before") % {"span": minutes(effect["before_minutes_earlier"])} if before
                else _("no earlier measurement")]
    if after:
        readings.append(_("%(span)s after") % {"span": minutes(effect["after_minutes_later"])})
    else:
        text = _("no measurement in the following hour")
        if nearest:
            text += "; " + _("next reading %(span)s after: %(share)s, %(volume)s mentions") % {
                "span": minutes(effect["nearest_after_minutes_later"]),
                "share": share(nearest["negative_share"]), "volume": number(nearest["mention_volume"])}
        readings.append(text)
    volume_change = "–" if effect["volume_change"] is None else \
        f"{signed_number(effect['volume_change'])} ({percent(effect['volume_change_pct'])})"
    return {
        "share": pair("negative_share", share),
        "share_change": signed_points(effect["negative_share_change"]),
        "volume": pair("mention_volume", number),
        "volume_change": volume_change,
        "readings": " · ".join(readings),
    }


def key_time_note(row: dict, show_entered: bool) -> str:
    """The verdict of the step behind a key time, or how much later it was entered when no step judges it."""
    if row["outcome_label"]:
        return row["outcome_label"]
    return entered_later(row["entered_minutes_later"]) if show_entered else ""


def passed_line(record: dict) -> str:
    """"Sentiment checkpoint every 30 min: 6 occurrences expected before this was logged, 1 made (...)"."""
    details = [_("due %(first)s to %(last)s, every %(every)s") % {
        "first": record["first_due_local"], "last": record["last_due_local"],
        "every": minutes(record["every_minutes"])}]
    if record["missed"]:
        details.append(_("%(n)d missed, %(late)s late") % {"n": record["missed"],
                                                          "late": minutes(record["late_minutes"])})
    if record["not_owed"]:
        details.append(ngettext("%(n)d more fell due after the resolution and is not owed",
                                "%(n)d more fell due after the resolution and are not owed",
                                record["not_owed"]) % {"n": record["not_owed"]})
    return f"{record['name']}: {record['label']} ({'; '.join(details)})"


def passed_lines(report: dict) -> list[str]:
    zone = report["incident"]["time_zone"]
    lines = []
    for record in report["passed_occurrences"]:
        if not record["expected"]:
            continue  # everything it counted fell due after the resolution
        lines.append(passed_line({**record, "first_due_local": local(record["first_due_at"], zone),
                                  "last_due_local": local(record["last_owed_due_at"], zone)}))
    return lines


def chart_breaches(report: dict) -> list[dict]:
    """The deadlines that slipped, at the time they fell due; a withdrawn (false) alarm is not marked."""
    return [{"due_at": d["due_at"], "name": d["name"]} for d in report["deadlines"]
            if d["breached_at"] is not None and not d.get("was_retracted")]


def document_context(report: dict, *, is_pdf: bool = False) -> dict:
    zone = report["incident"]["time_zone"]
    public = list(report["statement_effects"])
    events = report["timeline"]["events"]
    show_entered = shows_entered(report)
    figure = {"points": report["sentiment"]["points"], "statements": public, "breaches": chart_breaches(report),
              "start": report["incident"]["first_public_signal_at"], "zone": zone}
    return {
        "report": report,
        "zone": zone,
        "is_pdf": is_pdf,
        "language": get_language() or "en",
        "generated_local": local(report["generated_at"], zone),
        "show_entered": show_entered,
        "retrospective_note": retrospective_note(report),
        "pages_note": pages_note(report),
        "key_times": [{**row, "note": key_time_note(row, show_entered)} for row in report["key_times"]],
        "effects": [{**effect, "cells": effect_cells(effect)} for effect in public],
        # The chart shows every reading; a table of all of them costs the PDF a second per 200 rows, so
        # the page and the PDF list only those entered well after they were measured (Markdown, which
        # has no chart, lists them all).
        "late_points": [p for p in report["sentiment"]["points"] if p["entered_minutes_later"]] if show_entered
        else [],
        "passed_lines": passed_lines(report),
        "open_action_items": open_action_items(report),
        "sections": [(label, report["postmortem"][key]) for key, label in section_labels()],
        "sentiment_svg": sentiment_svg(**figure),
        # Every other measure somebody recorded, each in its own figure with the same markers.
        "measure_svgs": [sentiment_svg(**figure, measure=measure)
                         for measure in measures_charted(report["sentiment"]["points"])],
        "timeline_html": timeline_summary_html(events) if is_pdf and len(events) > PDF_TIMELINE_LIMIT
        else timeline_html(events, zone, show_entered=show_entered),
        "pinned_html": timeline_html(report["timeline"]["pinned"], zone, anchors=False, show_entered=show_entered),
    }


def render_html(report: dict) -> str:
    return render_to_string("reports/document.html", document_context(report))


def render_pdf(report: dict) -> bytes:
    # Imported here: WeasyPrint loads Pango at import, which pages and tests that never print do not need.
    from weasyprint import HTML, Attachment

    html = render_to_string("reports/document.html", document_context(report, is_pdf=True))
    attachments = []
    if len(report["timeline"]["events"]) > PDF_TIMELINE_LIMIT:
        lines = [f"# {_('Full timeline')}: {report['incident']['title']}", ""]
        lines += _timeline_markdown(report["timeline"]["events"], report["incident"]["time_zone"],
                                    show_entered=shows_entered(report))
        attachments.append(Attachment(string="\n".join(lines), name=TIMELINE_ATTACHMENT,
                                      description=_("Full timeline")))
    return HTML(string=html, url_fetcher=pdf_url_fetcher()).write_pdf(attachments=attachments)


def pdf_url_fetcher():
    """The PDF is made from the record, which people typed: it may load inline data and nothing else.

    Everything typed is escaped by the templates, so no tag of theirs reaches WeasyPrint; this is the
    second wall. Without it a file:// or an internal http:// address that ever reached the HTML would be
    read by the server and printed into a report anyone in the organization can download.
    """
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols=("data",), allow_redirects=False)


def render_json(report: dict) -> str:
    from .assembly import json_ready

    document = json_ready(report)
    report_validate(document)
    return json.dumps(document, ensure_ascii=False, indent=2)


@cache
def report_schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def report_validate(document: dict) -> None:
    """Raise ``jsonschema.ValidationError`` if the document does not match the published schema."""
    import jsonschema

    jsonschema.Draft202012Validator(report_schema(), format_checker=jsonschema.FormatChecker()).validate(document)


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def promise_outcome(promise: dict, zone: str) -> str:
    """What became of a promise, in words: kept late says by how much; withdrawn says why."""
    said = str(promise["outcome_label"])
    if promise["outcome"] == "kept_late":
        said += " " + ngettext("by %(n)d min", "by %(n)d min", promise["late_minutes"]) % {"n": promise["late_minutes"]}
    if promise["kept_at"]:
        said += f" · {local(promise['kept_at'], zone)}"
    if promise["withdrawn_reason"]:
        said += f": {promise['withdrawn_reason']}"
    return said


def _md_table(headers: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines.extend("| " + " | ".join(_md_escape(str(cell)) for cell in row) + " |" for row in rows)
    return lines + [""]


def _figure_rows(report: dict) -> list[list[str]]:
    fig = report["figures"]
    pages = str(fig["pages"]["sent"])
    if pages_note(report):
        pages += f" ({pages_note(report)})"
    rows = [
        [_("Time to acknowledge"), minutes(fig["time_to_acknowledge_minutes"])],
        [_("Time to first response"), minutes(fig["time_to_first_response_minutes"])],
        [_("Time to full statement"), minutes(fig["time_to_full_statement_minutes"])],
        [_("Total breached minutes"), minutes(fig["total_breached_minutes"])],
        [_("Deadlines met / breached / waived"),
         f"{fig['deadlines_met']} / {fig['deadlines_breached']} / {fig['deadlines_waived']}"],
        [_("Breached: met late / missed"), f"{fig['deadlines_met_late']} / {fig['deadlines_missed']}"],
        [_("Breach alarms retracted"), str(fig["breaches_retracted"])],
    ]
    if fig["passed_occurrences_expected"]:
        rows.append([_("Occurrences that went by unrecorded: expected / made / missed"),
                     f"{fig['passed_occurrences_expected']} / {fig['passed_occurrences_made']} / "
                     f"{fig['passed_occurrences_missed']}"])
    rows += [
        [_("Pages sent"), pages],
        [_("Page to acknowledgement"), minutes(fig["pages"]["time_to_acknowledge_minutes"])],
    ]
    return rows


def _deadline_name(d: dict) -> str:
    return d["name"] + (f" #{d['occurrence'] + 1}" if d["occurrence"] else "")


def render_markdown(report: dict) -> str:
    zone = report["incident"]["time_zone"]
    inc, fig = report["incident"], report["figures"]
    show_entered = shows_entered(report)
    out = [f"# {_('Post-mortem')}: {inc['title']}", "",
           f"{inc['organization']} · {inc['severity_label']} · {inc['status_label']} · "
           + _("Times in %(zone)s") % {"zone": zone}, ""]
    if retrospective_note(report):
        out += [f"_{retrospective_note(report)}_", ""]
    if inc["summary"]:
        out += [inc["summary"], ""]
    out += markdown_open_items(report)
    out += [f"## {_('Response at a glance')}", ""]
    out += _md_table([_("Figure"), _("Value")], _figure_rows(report))
    if fig["pages"]["items"]:
        out += _md_table([_("Page"), _("Triggered"), _("Acknowledged"), _("By"), _("Time to acknowledge")], [
            [p["title"], local(p["triggered_at"], zone), local(p["acknowledged_at"], zone), p["acknowledged_by"] or "–",
             minutes(p["minutes_to_acknowledge"])] for p in fig["pages"]["items"]])
    out += [f"## {_('Key times against the playbook')}", ""]
    out += _md_table([_("Moment"), _("At"), _("After first signal"), _("Playbook target"), _("Against target"),
                      _("Verdict")], [
        [r["label"], local(r["at"], zone), minutes(r["minutes_from_signal"]), minutes(r["target_minutes"]),
         signed_minutes(r["delta_minutes"]), key_time_note(r, show_entered) or "–"] for r in report["key_times"]])
    out += [f"## {_('Deadlines')}", ""]
    out += _md_table([_("Step"), _("Due"), _("Outcome"), _("Done at"), _("Against due"), _("Note or waiver")], [
        [_deadline_name(d), local(d["due_at"], zone), d["outcome_label"], local(d["met_at"], zone),
         signed_minutes(d["delta_minutes"]), d["waive_reason"] or d["note"]] for d in report["deadlines"]])
    if report["retracted_breaches"]:
        out += [f"### {_('Breach alarms retracted')}", ""]
        out += _md_table([_("Step"), _("Due"), _("Alarm raised"), _("Done at"), _("Retracted at"), _("By"),
                          _("Why")], [
            [_deadline_name(b), local(b["due_at"], zone), local(b["flagged_at"], zone), local(b["met_at"], zone),
             local(b["retracted_at"], zone), b["retracted_by"] or "–", b["reason"] or "–"]
            for b in report["retracted_breaches"]])
    if passed_lines(report):
        out += [f"### {_('Occurrences that went by unrecorded')}", ""]
        out += [f"- {line}" for line in passed_lines(report)] + [""]
    out += _markdown_sentiment(report, zone, show_entered)
    out += [f"## {_('Review')}", ""]
    for key, label in section_labels():
        out += [f"### {label}", "", report["postmortem"][key] or f"_{_('Not written yet.')}_", ""]
    out += [f"### {_('Action items')}", ""]
    out += _md_table([_("Action"), _("Owner"), _("Due"), _("Status")], [
        [i["title"], i["owner"] or "–", str(i["due_on"] or "–"), str(i["status_label"])]
        for i in report["action_items"]])
    out += [f"## {_('Promises kept')}", ""]
    out += _md_table([_("Promise"), _("To"), _("Owner"), _("Due"), _("Outcome")], [
        [p["text"], p["audience_label"] + (f" ({p['audience_name']})" if p["audience_name"] else ""), p["owner"] or "–",
         local(p["due_at"], zone), promise_outcome(p, zone)] for p in report.get("promises", [])])
    out += markdown_related(report, zone)
    out += [f"## {_('Statements, every version, with approvals')}", ""]
    if not report["statements"]:
        out += [_("No statements."), ""]
    for s in report["statements"]:
        entered = entered_later(s["entered_minutes_later"]) if show_entered else ""
        out += [f"### {s['title']}", "", f"{s['kind_label']} · {s['channel_label']} · {s['status_label']}"
                + (f" · {_('published')} {local(s['published_at'], zone)}" if s["published_at"] else "")
                + (f" ({entered})" if entered else ""), ""]
        for v in s["versions"]:
            flag = f" **{_('published text')}**" if v["is_published"] else ""
            out += [f"{_('Version')} {v['number']} · {v['author'] or '–'} · {local(v['created_at'], zone)}{flag}", ""]
            out += ["> " + line for line in v["body"].splitlines() or [""]] + [""]
            out += ["- ✔ " + _("Approved by %(who)s at %(at)s")
                    % {"who": a["approver"], "at": local(a["created_at"], zone)}
                    + (f": {a['note']}" if a["note"] else "") for a in v["approvals"]]
            out += [""]
    for title, events in ((_("Pinned timeline"), report["timeline"]["pinned"]),
                          (_("Full timeline"), report["timeline"]["events"])):
        out += [f"## {title}", ""]
        out += _timeline_markdown(events, zone, show_entered=show_entered) or [_("Nothing recorded.")]
        out += [""]
    return "\n".join(out)


def _timeline_markdown(events: list[dict], zone: str, *, show_entered: bool = True) -> list[str]:
    return [f"- {local(e['occurred_at'], zone)} **{e['kind_label']}** "
            + (f"~~{_md_escape(_event_text(e))}~~" if e["corrected_by"] else _md_escape(_event_text(e)))
            + (f" — {e['actor']}" if e["actor"] else "") + _entered_note(e, show_entered) for e in events]


def _markdown_sentiment(report: dict, zone: str, show_entered: bool) -> list[str]:
    sent, imp = report["sentiment"], report["impact"]
    out = [f"## {_('Sentiment and statements')}", ""]
    if sent["points"]:
        out += _md_table([_("Measured"), _("Source"), _("Negative share"), _("Volume"), _("Trending rank"),
                          _("Entered")], [
            [local(p["measured_at"], zone), p["source"], share(p["negative_share"]), number(p["mention_volume"]),
             "–" if p["trending_rank"] is None else f"#{p['trending_rank']}",
             (entered_later(p["entered_minutes_later"]) if show_entered else "") or "–"] for p in sent["points"]])
    else:
        out += [_("No sentiment checkpoints were recorded."), ""]
    out += [_("Baseline negative share %(base)s; peak %(peak)s; back to baseline after the peak in %(rec)s.")
            % {"base": share(sent["baseline_negative_share"]), "peak": share(sent["peak_negative_share"]),
               "rec": minutes(sent["recovery_minutes"])}, ""]
    out += [f"### {_('What each statement did over the following hour')}", ""]
    if report["statement_effects"]:
        rows = []
        for n, e in enumerate(report["statement_effects"], start=1):
            cells = effect_cells(e)
            title = f"{e['title']} ({_('off-script, not approved')})" if e.get("is_off_script") else e["title"]
            rows.append([f"S{n}", title, local(e["published_at"], zone), cells["share"], cells["share_change"],
                         cells["volume"], cells["volume_change"], cells["readings"]])
        out += _md_table(["#", _("Statement"), _("Published"), _("Negative share before → after"), _("Change"),
                          _("Volume before → after"), _("Change"), _("Readings")], rows)
    else:
        out += [_("No public statement was published."), ""]
    out += [f"### {_('Impact over the incident')}", ""]
    out += _md_table([_("Figure"), _("Value")], [
        [_("Follower change"), signed_number(imp["follower_change_total"])],
        [_("Best trending rank"), "–" if imp["trending_rank_best"] is None else f"#{imp['trending_rank_best']}"],
        [_("Last trending rank"), "–" if imp["trending_rank_last"] is None else f"#{imp['trending_rank_last']}"],
        [_("Worst share-price move"), percent(imp["share_price_move_worst_pct"])],
        [_("Share price over the incident"), percent(imp["share_price_move_compounded_pct"])],
    ])
    return out


RENDERERS = {"html": render_html, "md": render_markdown, "pdf": render_pdf, "json": render_json}
