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
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .svg import sentiment_svg
from .templatetags.report_format import (
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


def timeline_html(events: list[dict], zone: str, *, anchors: bool = True) -> SafeString:
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
        body = escape(e["body"])
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


def document_context(report: dict, *, is_pdf: bool = False) -> dict:
    zone = report["incident"]["time_zone"]
    public = list(report["statement_effects"])
    events = report["timeline"]["events"]
    return {
        "report": report,
        "zone": zone,
        "is_pdf": is_pdf,
        "language": get_language() or "en",
        "generated_local": local(report["generated_at"], zone),
        "sections": [(label, report["postmortem"][key]) for key, label in section_labels()],
        "sentiment_svg": sentiment_svg(points=report["sentiment"]["points"], statements=public,
                                       start=report["incident"]["first_public_signal_at"]),
        "timeline_html": timeline_summary_html(events) if is_pdf and len(events) > PDF_TIMELINE_LIMIT
        else timeline_html(events, zone),
        "pinned_html": timeline_html(report["timeline"]["pinned"], zone, anchors=False),
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
        lines += _timeline_markdown(report["timeline"]["events"], report["incident"]["time_zone"])
        attachments.append(Attachment(string="\n".join(lines), name=TIMELINE_ATTACHMENT,
                                      description=_("Full timeline")))
    return HTML(string=html).write_pdf(attachments=attachments)


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


def _md_table(headers: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines.extend("| " + " | ".join(_md_escape(str(cell)) for cell in row) + " |" for row in rows)
    return lines + [""]


def render_markdown(report: dict) -> str:
    zone = report["incident"]["time_zone"]
    inc, fig = report["incident"], report["figures"]
    out = [f"# {_('Post-mortem')}: {inc['title']}", "",
           f"{inc['organization']} · {inc['severity_label']} · {inc['status_label']} · "
           + _("Times in %(zone)s") % {"zone": zone}, ""]
    if inc["summary"]:
        out += [inc["summary"], ""]
    out += [f"## {_('Response at a glance')}", ""]
    out += _md_table([_("Figure"), _("Value")], [
        [_("Time to acknowledge"), minutes(fig["time_to_acknowledge_minutes"])],
        [_("Time to first response"), minutes(fig["time_to_first_response_minutes"])],
        [_("Time to full statement"), minutes(fig["time_to_full_statement_minutes"])],
        [_("Total breached minutes"), minutes(fig["total_breached_minutes"])],
        [_("Deadlines met / breached / waived"),
         f"{fig['deadlines_met']} / {fig['deadlines_breached']} / {fig['deadlines_waived']}"],
        [_("Pages sent"), str(fig["pages"]["sent"])],
        [_("Page to acknowledgement"), minutes(fig["pages"]["time_to_acknowledge_minutes"])],
    ])
    if fig["pages"]["items"]:
        out += _md_table([_("Page"), _("Triggered"), _("Acknowledged"), _("By"), _("Time to acknowledge")], [
            [p["title"], local(p["triggered_at"], zone), local(p["acknowledged_at"], zone), p["acknowledged_by"] or "–",
             minutes(p["minutes_to_acknowledge"])] for p in fig["pages"]["items"]])
    out += [f"## {_('Key times against the playbook')}", ""]
    out += _md_table([_("Moment"), _("At"), _("After first signal"), _("Playbook target"), _("Against target")], [
        [r["label"], local(r["at"], zone), minutes(r["minutes_from_signal"]), minutes(r["target_minutes"]),
         signed_minutes(r["delta_minutes"])] for r in report["key_times"]])
    out += [f"## {_('Deadlines')}", ""]
    out += _md_table([_("Step"), _("Due"), _("Outcome"), _("Done at"), _("Against due"), _("Note or waiver")], [
        [d["name"] + (f" #{d['occurrence'] + 1}" if d["occurrence"] else ""), local(d["due_at"], zone),
         str(d["state_label"]) + (f" ({_('still late')})" if d["is_still_late"] else ""), local(d["met_at"], zone),
         signed_minutes(d["delta_minutes"]), d["waive_reason"] or d["note"]] for d in report["deadlines"]])
    out += _markdown_sentiment(report, zone)
    out += [f"## {_('Review')}", ""]
    for key, label in section_labels():
        out += [f"### {label}", "", report["postmortem"][key] or f"_{_('Not written yet.')}_", ""]
    out += [f"### {_('Action items')}", ""]
    out += _md_table([_("Action"), _("Owner"), _("Due"), _("Status")], [
        [i["title"], i["owner"] or "–", str(i["due_on"] or "–"), str(i["status_label"])]
        for i in report["action_items"]])
    out += [f"## {_('Statements, every version, with approvals')}", ""]
    for s in report["statements"]:
        out += [f"### {s['title']}", "", f"{s['kind_label']} · {s['channel_label']} · {s['status_label']}"
                + (f" · {_('published')} {local(s['published_at'], zone)}" if s["published_at"] else ""), ""]
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
        out += _timeline_markdown(events, zone)
        out += [""]
    return "\n".join(out)


def _timeline_markdown(events: list[dict], zone: str) -> list[str]:
    return [f"- {local(e['occurred_at'], zone)} **{e['kind_label']}** "
            + (f"~~{_md_escape(e['body'])}~~" if e["corrected_by"] else _md_escape(e["body"]))
            + (f" — {e['actor']}" if e["actor"] else "") for e in events]


def _markdown_sentiment(report: dict, zone: str) -> list[str]:
    sent, imp = report["sentiment"], report["impact"]
    out = [f"## {_('Sentiment and statements')}", ""]
    out += _md_table([_("Measured"), _("Source"), _("Negative share"), _("Volume"), _("Trending rank")], [
        [local(p["measured_at"], zone), p["source"], share(p["negative_share"]), number(p["mention_volume"]),
         "–" if p["trending_rank"] is None else f"#{p['trending_rank']}"] for p in sent["points"]])
    out += [_("Baseline negative share %(base)s; peak %(peak)s; back to baseline after the peak in %(rec)s.")
            % {"base": share(sent["baseline_negative_share"]), "peak": share(sent["peak_negative_share"]),
               "rec": minutes(sent["recovery_minutes"])}, ""]
    out += [f"### {_('What each statement did over the following hour')}", ""]
    def pair(effect: dict, field: str, fmt) -> str:
        before, after = effect["before"], effect["after"]
        return f"{fmt(before and before[field])} → {fmt(after and after[field])}"

    out += _md_table(["#", _("Statement"), _("Published"), _("Negative share before → after"), _("Change"),
                      _("Volume before → after"), _("Change")], [
        [f"S{n}", e["title"], local(e["published_at"], zone),
         pair(e, "negative_share", share),
         signed_points(e["negative_share_change"]),
         pair(e, "mention_volume", number),
         f"{signed_number(e['volume_change'])} ({percent(e['volume_change_pct'])})"]
        for n, e in enumerate(report["statement_effects"], start=1)])
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
