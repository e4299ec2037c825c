"""What the media desk writes on an incident's timeline, read in each reader's language."""

from django.utils.translation import gettext_lazy as _

from crisis.system_lines import Template, lines_register

lines_register({
    "inquiry.logged": Template(_("Inquiry from %(who)s via %(channel)s; reply by %(due)s: %(q)s")),
    "inquiry.answered": Template(_("Inquiry from %(who)s answered: %(a)s")),
    "inquiry.closed": Template(_("Inquiry from %(who)s closed without reply. Reason: %(r)s")),
    "stakeholders.briefed": Template(_("Stakeholders briefed (%(n)d, tagged %(tags)s) with: %(s)s.")),
})
