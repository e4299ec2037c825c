from django import forms
from django.utils.translation import gettext_lazy as _

from .services.chains import LIMIT_MINUTES_MAX, NAME_MAX

# Rows offered on the page; a longer chain (up to chains.MAX_STEPS) shows one empty row after its last step.
STEP_ROWS = 4


class ChainStepForm(forms.Form):
    """One step; a row left without a name and approvers is no step."""

    name = forms.CharField(label=_("Step"), max_length=NAME_MAX, required=False)
    approvers = forms.TypedMultipleChoiceField(label=_("Approvers"), coerce=int, required=False,
                                               widget=forms.CheckboxSelectMultiple)
    deputies = forms.TypedMultipleChoiceField(label=_("Deputies"), coerce=int, required=False,
                                              widget=forms.CheckboxSelectMultiple)
    limit_minutes = forms.IntegerField(label=_("Time limit (min)"), required=False, min_value=1,
                                       max_value=LIMIT_MINUTES_MAX,
                                       help_text=_("Empty: 15 min, or 5 min in a SEV1 incident."))

    def __init__(self, *args, people: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["approvers"].choices = people
        self.fields["deputies"].choices = people

    @property
    def is_blank(self) -> bool:
        data = self.cleaned_data
        return not data.get("name") and not data.get("approvers") and not data.get("deputies")

    def as_step(self) -> dict:
        data = self.cleaned_data
        return {"name": data["name"], "approvers": data["approvers"], "deputies": data["deputies"],
                "limit_minutes": data["limit_minutes"]}


class ChainVersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
