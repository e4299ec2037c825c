"""What the fact sheet writes on the timeline (crisis/system_lines.py), registered at import."""

from django.utils.translation import gettext_lazy as _

from crisis.system_lines import Template, lines_register

lines_register({
    "fact.added": Template(_("Fact sheet: added “%(text)s”.")),
    "fact.edited": Template(_("Fact sheet: “%(old)s” is now “%(text)s” (version %(n)d).")),
    "fact.retired": Template(_("Fact sheet: retired “%(text)s”. %(reason)s")),
})
