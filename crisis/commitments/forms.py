from django import forms
from django.utils.translation import gettext_lazy as _

from crisis.web.forms import LocalDateTimeField, ZonedForm, _member_choices

from .models import Audience
from .services.changes import WARN_BEFORE_MAX


class CommitmentForm(ZonedForm):
    """The author's corrections to a suggested promise: when, who owns it, to whom it was made."""

    due_at = LocalDateTimeField(label=_("Due at"), required=False)
    owner = forms.TypedChoiceField(label=_("Owner (paged first)"), coerce=int, required=False, empty_value=None)
    audience = forms.ChoiceField(label=_("Promised to"), choices=Audience.choices)
    audience_name = forms.CharField(label=_("Name (outlet, regulator)"), max_length=120, required=False)
    warn_before_minutes = forms.IntegerField(label=_("Warn the owner (minutes before)"), min_value=0,
                                             max_value=WARN_BEFORE_MAX)

    def __init__(self, *args, organization=None, owner_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        # A page of many promises reads the members once and hands them to each form.
        self.fields["owner"].choices = owner_choices if owner_choices is not None else _member_choices(organization)


class CommitmentKeepForm(forms.Form):
    kept_by_statement = forms.TypedChoiceField(label=_("Kept by the statement"), coerce=int, required=False,
                                               empty_value=None)
    kept_by_event = forms.IntegerField(label=_("or by timeline event number"), required=False, min_value=1)


class CommitmentWithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Reason for withdrawing"), max_length=2000)
