"""This feature's system lines (crisis/system_lines.py): registered when the app loads."""

from django.utils.translation import gettext_lazy as _

from crisis.system_lines import Template, lines_register

lines_register({
    "listening.suggestion_applied": Template(
        _("Sentiment level %(level)s: suggested %(severity)s applied (%(figures)s). %(reason)s")),
    "listening.suggestion_dismissed": Template(
        _("Sentiment level %(level)s: suggested %(severity)s dismissed (%(figures)s). Reason: %(reason)s")),
    "listening.figure": Template(_("%(source)s: %(measure)s %(value)s (threshold %(threshold)s)")),
})
