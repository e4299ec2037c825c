from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from crisis.models import Organization

from .models import ActionItemStatus, ReportFormat


class PostMortemForm(forms.Form):
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    root_cause = forms.CharField(label=_("Root cause"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    went_well = forms.CharField(label=_("What went well"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    went_badly = forms.CharField(label=_("What went badly"), required=False,
                                 widget=forms.Textarea(attrs={"rows": 4}))
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


def _members(organization: Organization):
    return get_user_model().objects.filter(memberships__organization=organization).order_by("first_name", "username")


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.get_username()


class ActionItemForm(forms.Form):
    title = forms.CharField(label=_("Action"), max_length=300)
    owner = OwnerChoiceField(label=_("Owner"), queryset=None, required=False)
    due_on = forms.DateField(label=_("Due date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _members(organization)


class ActionItemStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ActionItemStatus.choices)
    # Sent only by forms that show it (the report page): a form without it leaves the date as it is, and a blank
    # one takes the date away.
    due_on = forms.DateField(label=_("Due date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ReportRequestForm(forms.Form):
    format = forms.ChoiceField(label=_("Format"), choices=ReportFormat.choices)


class IncidentLinkForm(forms.Form):
    """Link the room's incident to another one (both ways), or remove the link."""

    related_incident = forms.IntegerField(label=_("Incident number"), min_value=1)
    unlink = forms.BooleanField(required=False, widget=forms.HiddenInput)
