"""Measures as people read them: the same words and numbers in the room, the dashboard and the timeline."""

from django.utils.translation import gettext_lazy as _

from crisis.system_lines import joined, line, msgid

MEASURE_LABELS = {
    "negative_share": _("negative share"),
    "volume_growth": _("volume growth"),
    "trending_rank": _("trending rank"),
    "follower_loss_per_hour": _("follower loss per hour"),
    "mention_volume": _("mention volume"),
    "reach": _("reach"),
}


def figure_value(measure: str, value: float | None) -> str:
    if value is None:
        return "–"
    if measure == "negative_share":
        return f"{value * 100:.0f}%"
    if measure == "volume_growth":
        return f"×{value:.1f}"
    if measure == "trending_rank":
        return f"#{value:.0f}"
    return f"{value:,.0f}"


def figures_line(figures: list[dict]) -> dict:
    """A decision's figures as a system line parameter, each measure named in the reader's language."""
    return joined([line("listening.figure", source=f["source"], measure=msgid(MEASURE_LABELS[f["measure"]]),
                        value=figure_value(f["measure"], f["value"]),
                        threshold=figure_value(f["measure"], f["threshold"])) for f in figures], "; ")
