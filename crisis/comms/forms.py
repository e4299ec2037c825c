from django import forms
from django.utils.translation import gettext_lazy as _

from crisis.models import Channel, Severity, StatementKind, StatementLanguage
from crisis.web.forms import LocalDateTimeField, ZonedForm

from .services.off_script import ACCOUNT_MAX, POSTED_BY_MAX, PUBLIC_URL_MAX

CHANNEL_OR_NONE = [("", _("(any — a named account only)")), *Channel.choices]


class FreezeThresholdForm(forms.Form):
    severity_threshold = forms.TypedChoiceField(label=_("Freeze while an incident at this severity or worse is open"),
                                                choices=Severity.choices, coerce=int)
    version = forms.IntegerField(widget=forms.HiddenInput)


class FreezeEntryForm(forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), choices=CHANNEL_OR_NONE, required=False)
    account = forms.CharField(label=_("Account (e.g. the founder's Weibo)"), max_length=200, required=False)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)


class FreezeRemoveForm(forms.Form):
    entry = forms.IntegerField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput)


class OffScriptPostForm(ZonedForm):
    posted_by = forms.CharField(label=_("Who posted it"), max_length=POSTED_BY_MAX)
    channel = forms.ChoiceField(label=_("Where"), choices=Channel.choices, initial=Channel.FOUNDER_ACCOUNT)
    account = forms.CharField(label=_("Account"), max_length=ACCOUNT_MAX, required=False)
    happened_at = LocalDateTimeField(label=_("When it went out"))
    public_url = forms.URLField(label=_("Link"), required=False, max_length=PUBLIC_URL_MAX, assume_scheme="https")
    body = forms.CharField(label=_("What was said (quote or close paraphrase)"), strip=False,
                           widget=forms.Textarea(attrs={"rows": 5}))


class StatementTemplateForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=StatementKind.choices)
    language = forms.ChoiceField(label=_("Language"), choices=StatementLanguage.choices)
    incident_type = forms.CharField(label=_("Incident type (a tag; blank = every incident)"), max_length=64,
                                    required=False)
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    body = forms.CharField(label=_("Text"), strip=False, widget=forms.Textarea(attrs={"rows": 6}),
                           help_text=_("Placeholders: {what}, {when}, {next_update}."))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
