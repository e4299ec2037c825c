"""The playbook editor: minutes on screen, seconds in the playbook."""

from django import forms
from django.utils.translation import gettext_lazy as _

from crisis.models import Role, SatisfiedBy

# What a step can be met by. Existing steps keep the rule they were written with (the row shows it as text);
# a new statement step accepts any kind on any channel. Event-kind steps need more than this editor asks.
STEP_KINDS = [(k.value, k.label) for k in SatisfiedBy if k != SatisfiedBy.EVENT_KIND]


def _minutes(label, required=True):
    return forms.IntegerField(label=label, required=required, min_value=0, max_value=7 * 24 * 60)


class PlaybookStepForm(forms.Form):
    key = forms.CharField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(label=_("Step"), max_length=200)
    offset_minutes = _minutes(_("Due after (min)"))
    sev1_offset_minutes = _minutes(_("SEV1: due after (min)"), required=False)
    recurrence_minutes = forms.IntegerField(label=_("Repeat every (min)"), required=False, min_value=1,
                                            max_value=7 * 24 * 60)
    responsible_role = forms.ChoiceField(label=_("Who"), choices=Role.choices)
    warn_before_minutes = _minutes(_("Warn before (min)"))
    satisfied_by = forms.ChoiceField(label=_("Done when"), choices=STEP_KINDS, required=False)

    def to_step(self, original: dict | None) -> dict:
        data = self.cleaned_data
        step = dict(original or {"satisfied_by": data.get("satisfied_by") or SatisfiedBy.MANUAL,
                                 "recur_until": "resolved"})
        step.update(
            key=data.get("key") or (original or {}).get("key") or "",
            name=data["name"],
            offset_seconds=data["offset_minutes"] * 60,
            responsible_role=data["responsible_role"],
            warn_before_seconds=data["warn_before_minutes"] * 60,
        )
        offsets = dict(step.get("severity_offsets") or {})
        if data.get("sev1_offset_minutes") is None:
            offsets.pop("1", None)
        else:
            offsets["1"] = data["sev1_offset_minutes"] * 60
        step["severity_offsets"] = offsets
        if data.get("recurrence_minutes"):
            step["recurrence_seconds"] = data["recurrence_minutes"] * 60
            step["recur_until"] = step.get("recur_until") or "resolved"
        else:
            step["recurrence_seconds"] = None
            step["recur_until"] = ""
        return step


PlaybookStepFormSet = forms.formset_factory(PlaybookStepForm, extra=1, can_delete=True)


def step_initial(step: dict) -> dict:
    return {
        "key": step["key"], "name": step["name"], "offset_minutes": step["offset_seconds"] // 60,
        "sev1_offset_minutes": (step["severity_offsets"].get("1") // 60) if "1" in step["severity_offsets"] else None,
        "recurrence_minutes": (step["recurrence_seconds"] // 60) if step["recurrence_seconds"] else None,
        "responsible_role": step["responsible_role"], "warn_before_minutes": step["warn_before_seconds"] // 60,
        "satisfied_by": step["satisfied_by"], "satisfied_by_label": SatisfiedBy(step["satisfied_by"]).label,
    }
