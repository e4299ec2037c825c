"""Markdown for the post-mortem's open action items (shown first) and its related incidents."""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .assembly_thorns import open_action_items
from .templatetags.report_format import local


def markdown_open_items(report: dict) -> list[str]:
    still_open = open_action_items(report)
    if not still_open:
        return []
    n = len(still_open)
    out = [f"## {ngettext('%(n)d action item still open', '%(n)d action items still open', n) % {'n': n}}", "",
           f"_{_('Each one is owed after the crisis, and pages its owner when its due date passes.')}_", ""]
    out += [f"- **{item['title']}** — {item['owner'] or '–'}, {_('due')} {item['due_on'] or '–'} "
            f"({item['status_label']})" for item in still_open]
    return [*out, ""]


def markdown_related(report: dict, zone: str) -> list[str]:
    out = [f"## {_('Related incidents')}", ""]
    related = report.get("related_incidents") or []
    if not related:
        return [*out, f"_{_('No incident is linked to this one.')}_", ""]
    for other in related:
        still_open = other["open_action_items"]
        tail = (" · " + ngettext("%(n)d action item still open", "%(n)d action items still open", still_open)
                % {"n": still_open}) if still_open else ""
        out.append(f"- #{other['id']} {other['title']} — {local(other['first_public_signal_at'], zone)} · "
                   f"{other['status_label']}{tail}")
    return [*out, ""]
