"""System lines of the "thorns" feature (links between incidents), registered at import; imported by its
services and by ReportsConfig.ready so a timeline written by them always reads."""

from django.utils.translation import gettext_lazy as _

from crisis.system_lines import Template, lines_register

lines_register({
    "incident.linked": Template(_("Linked to incident #%(id)s, %(title)s.")),
    "incident.unlinked": Template(_("No longer linked to incident #%(id)s, %(title)s.")),
})
