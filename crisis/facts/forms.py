from django import forms
from django.utils.translation import gettext_lazy as _

from crisis.web.forms import LocalDateTimeField, ZonedForm

from .services.facts import REASON_MAX, TEXT_MAX


class FactForm(ZonedForm):
    text = forms.CharField(label=_("Fact"), max_length=TEXT_MAX,
                           help_text=_("One claim the brand stands behind, with its number, time or name."))
    established_at = LocalDateTimeField(label=_("Established at (blank = now)"), required=False)


class FactEditForm(FactForm):
    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class FactRetireForm(forms.Form):
    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    reason = forms.CharField(label=_("Why it no longer holds"), max_length=REASON_MAX, required=False)
