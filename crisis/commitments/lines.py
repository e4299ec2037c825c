"""The commitments' own system lines (crisis/system_lines.py), registered when the services load."""

from django.utils.translation import gettext_lazy as _

from crisis.system_lines import Template, lines_register

lines_register({
    "commitment.confirmed": Template(_("Promise confirmed in %(s)s: “%(text)s” (due %(due)s).")),
    "commitment.edited": Template(_("Promise edited: “%(text)s” (due %(due)s).")),
    "commitment.dismissed": Template(_("Suggested promise dismissed: “%(text)s”.")),
    "commitment.tracked": Template(_("Promise made in public, due %(due)s: “%(text)s”.")),
    "commitment.kept": Template(_("Promise kept at %(at)s: “%(text)s”.")),
    "commitment.withdrawn": Template(_("Promise withdrawn: “%(text)s”. Reason: %(r)s")),
    "commitment.withdrawn_with_statement": Template(
        _("Promise withdrawn with the statement that made it: “%(text)s”. Reason: %(r)s")),
})
