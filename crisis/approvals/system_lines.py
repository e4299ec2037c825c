"""The timeline lines of approval chains (keys + params, read in the reader's language)."""

from django.utils.translation import gettext_lazy as _

from crisis.system_lines import Template, lines_register

lines_register({
    "statement.step_approved": Template(
        _("Step %(position)d of %(total)d (%(step)s) approved, version %(n)d: %(s)s. Now waiting for %(next)s.")),
    "statement.review_waits": Template(_("Step 1 of %(total)d (%(step)s) waits for %(who)s.")),
})
