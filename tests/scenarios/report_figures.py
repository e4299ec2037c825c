"""The post-mortem's figures as each renderer must show them, for the acceptance tests."""

import io
import json

from crisis.durations import duration_label
from crisis.reports.renderers import render_html, render_json, render_markdown, render_pdf

RENDERERS = ["page", "html", "markdown", "pdf", "json"]
DURATIONS = ("time_to_acknowledge_minutes", "time_to_first_response_minutes", "time_to_full_statement_minutes",
             "total_breached_minutes")
COUNTS = ("deadlines_met", "deadlines_breached", "deadlines_met_late", "deadlines_missed", "deadlines_cancelled",
          "breaches_retracted")


def figures_in(report: dict) -> dict:
    """The figures the acceptance compares: durations as people read them, counts as numbers."""
    figures = report["figures"]
    return {**{name: duration_label(figures[name]) for name in DURATIONS},
            **{name: figures[name] for name in COUNTS}}


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def rendered(renderer: str, report: dict, *, page: str = "") -> str:
    """The output of one renderer as text (the page is fetched by the caller, through the web desk)."""
    if renderer == "page":
        return page
    if renderer == "html":
        return render_html(report)
    if renderer == "markdown":
        return render_markdown(report)
    if renderer == "pdf":
        return pdf_text(render_pdf(report))
    return render_json(report)


def shown(renderer: str, output: str, report: dict) -> list[str]:
    """The durations each renderer must show; JSON must hold every figure as the assembly computed it."""
    figures = figures_in(report)
    if renderer == "json":
        written = json.loads(output)["figures"]
        return [name for name in (*DURATIONS, *COUNTS) if written[name] != report["figures"][name]]
    expected = [figures[name] for name in DURATIONS]
    # Each deadline met late says by how much, in every renderer.
    expected += [f"Met late by {duration_label(d['late_minutes'])}" for d in report["deadlines"]
                 if d["outcome"] == "met_late"]
    return [text for text in expected if text not in " ".join(output.split())]
