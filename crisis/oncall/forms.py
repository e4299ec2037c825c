"""Forms for the "My notifications" page: they read what people typed; the contact services decide what is valid."""

from django import forms
from django.utils.translation import gettext_lazy as _

from crisis.models.zones import validate_time_zone

from .models import ContactKind, ContactMethod, ContactPreference

TIME_WIDGET = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class ContactMethodForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ContactKind.choices)
    label = forms.CharField(label=_("Label"), max_length=100, required=False,
                            help_text=_("For you, such as “Work email” or “Team Slack”."))
    target = forms.CharField(label=_("Address"), max_length=1000, required=False,
                             help_text=_("An email address, an https:// webhook URL, or a chat-app address such as "
                                         "slack://…, dingtalk://… or wecombot://…"))
    # Never rendered back: a signing secret shown on a page is a secret no longer.
    secret = forms.CharField(label=_("Webhook signing secret"), max_length=200, required=False, strip=False,
                             widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
                             help_text=_("Webhooks only. The receiver checks the X-Golden-Hours-Signature header "
                                         "with it. It is never shown again."))
    position = forms.IntegerField(label=_("Position"), min_value=0, max_value=32767, required=False,
                                  help_text=_("Order on this page; every active method is paged at once."))
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {"kind": data["kind"], "target": data["target"], "label": data["label"], "secret": data["secret"],
                "position": data["position"], "is_active": data["is_active"]}


class ContactMethodEditForm(ContactMethodForm):
    clear_secret = forms.BooleanField(label=_("Remove the signing secret"), required=False)

    def __init__(self, *args, contact: ContactMethod, **kwargs):
        kwargs.setdefault("initial", {"kind": contact.kind, "label": contact.label, "target": contact.target,
                                      "position": contact.position, "is_active": contact.is_active})
        super().__init__(*args, **kwargs)
        self.fields["position"].required = True
        self.fields["secret"].help_text = _("Leave empty to keep the current secret; it is never shown.")
        if not contact.secret:
            del self.fields["clear_secret"]

    def service_fields(self) -> dict:
        fields = super().service_fields()
        if self.cleaned_data.get("clear_secret"):
            fields["secret"] = ""
        elif not fields["secret"]:
            fields["secret"] = None  # keep: the form never had the old one to send back
        return fields


class QuietHoursForm(forms.Form):
    time_zone = forms.CharField(label=_("Time zone"), max_length=64, validators=[validate_time_zone],
                                widget=forms.TextInput(attrs={"list": "time-zones", "autocomplete": "off"}),
                                help_text=_("An IANA name such as Asia/Shanghai or Europe/London."))
    quiet_start = forms.TimeField(label=_("Quiet from"), required=False, widget=TIME_WIDGET)
    quiet_end = forms.TimeField(label=_("Quiet until"), required=False, widget=TIME_WIDGET,
                                help_text=_("Leave both empty for no quiet hours. SEV1 pages always come through."))

    @classmethod
    def for_preference(cls, preference: ContactPreference | None, default_zone: str) -> "QuietHoursForm":
        if preference is None:
            return cls(initial={"time_zone": default_zone})
        return cls(initial={"time_zone": preference.time_zone, "quiet_start": preference.quiet_start,
                            "quiet_end": preference.quiet_end})
