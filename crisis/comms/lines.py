"""The comms feature's system lines (crisis/system_lines.py): keys are never renamed nor reused."""

from django.utils.translation import gettext_lazy as _

from crisis.system_lines import Template, lines_register

lines_register({
    "comms.off_script_post": Template(
        _("Off-script post (not approved by the desk) on %(channel)s by %(who)s: %(s)s.")),
})
