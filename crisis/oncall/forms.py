"""Forms for the "My notifications", on-call setup and tokens pages: they read what people typed; the services
decide what is valid."""

from django import forms
from django.utils.translation import gettext_lazy as _

from crisis.api.models import TokenScope
from crisis.models import Severity
from crisis.models.zones import validate_time_zone, wall_time_aware

from .models import ContactKind, ContactMethod, ContactPreference, IncidentRole, TargetKind

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


# --- On-call setup (schedules, rotations, overrides, escalation policies) ---------------------------------------

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
WALL_TIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
WALL_TIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]


class VersionedForm(forms.Form):
    """The version the page showed travels with the edit: the service refuses it if someone saved in between."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def version_value(self) -> int:
        return self.cleaned_data.get("version") or 1


class ScheduleForm(VersionedForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    time_zone = forms.CharField(label=_("Time zone"), max_length=64, validators=[validate_time_zone],
                                widget=forms.TextInput(attrs={"list": "time-zones", "autocomplete": "off"}),
                                help_text=_("Hand-offs and overrides are read in this zone, such as Asia/Shanghai."))


class RotationForm(VersionedForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    members = forms.CharField(label=_("Members, in order"), widget=forms.Textarea(attrs={"rows": 4}),
                              help_text=_("One username per line (or separated by commas), in the order they take "
                                          "turns."))
    starts_on = forms.DateField(label=_("First hand-off date"), widget=DATE_WIDGET)
    handoff_time = forms.TimeField(label=_("Hand-off time"), widget=TIME_WIDGET,
                                   help_text=_("Wall-clock time in the schedule's zone."))
    length_days = forms.IntegerField(label=_("Shift length (days)"), min_value=1, max_value=365, initial=7,
                                     help_text=_("1 for daily, 7 for weekly."))
    position = forms.IntegerField(label=_("Layer"), min_value=0, max_value=32767, required=False,
                                  help_text=_("The lowest layer with someone on call wins. Empty puts it last."))

    def __init__(self, *args, usernames: dict[str, int], **kwargs):
        self.usernames = {name.casefold(): pk for name, pk in usernames.items()}
        super().__init__(*args, **kwargs)

    def clean_members(self) -> list[int]:
        names = [n.strip() for line in self.cleaned_data["members"].splitlines() for n in line.split(",")]
        names = [n for n in names if n]
        unknown = [n for n in names if n.casefold() not in self.usernames]
        if unknown:
            raise forms.ValidationError(_("Not members of the organization: %(names)s.")
                                        % {"names": ", ".join(unknown)})
        if not names:
            raise forms.ValidationError(_("Name at least one member."))
        return [self.usernames[n.casefold()] for n in names]


class OverrideForm(VersionedForm):
    user = forms.TypedChoiceField(label=_("Who is on call instead"), coerce=int)
    starts_at = forms.DateTimeField(label=_("From"), widget=WALL_TIME_WIDGET, input_formats=WALL_TIME_FORMATS)
    ends_at = forms.DateTimeField(label=_("Until"), widget=WALL_TIME_WIDGET, input_formats=WALL_TIME_FORMATS)
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)

    def __init__(self, *args, zone: str, people: list, **kwargs):
        self.zone = zone
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = [("", "—"), *[(p.pk, p.get_full_name() or p.get_username()) for p in people]]
        for name in ("starts_at", "ends_at"):
            self.fields[name].help_text = _("Wall-clock time in %(zone)s.") % {"zone": zone}

    def _wall(self, name: str):
        wall = self.cleaned_data.get(name)
        if wall is None:
            return None
        # The browser sends a wall time with no zone; Django would read it in the server's zone. Read it in the
        # schedule's instead, and refuse a time the clocks skip there (02:30 on a spring-forward night).
        aware = wall_time_aware(wall.replace(tzinfo=None), self.zone)
        if aware is None:
            raise forms.ValidationError(_("This time does not exist in %(zone)s: the clocks skip it.")
                                        % {"zone": self.zone})
        return aware

    def clean_starts_at(self):
        return self._wall("starts_at")

    def clean_ends_at(self):
        return self._wall("ends_at")


class PolicyForm(VersionedForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    severities = forms.TypedMultipleChoiceField(
        label=_("For severities"), coerce=int, required=False, choices=Severity.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: the organization's default for every severity."))
    repeat = forms.IntegerField(label=_("Repeat"), min_value=0, max_value=10, initial=0,
                                help_text=_("After the last level, start again from the first this many times."))
    min_sentiment_level = forms.TypedChoiceField(
        label=_("Only while the sentiment level is at least"), coerce=int, initial=0, required=False, empty_value=0,
        choices=[(0, _("Any level")), (1, _("Elevated")), (2, _("High")), (3, _("Critical"))],
        help_text=_("Such a policy is used before the others for its severities while the incident's sentiment "
                    "level is there or higher."))


class LevelForm(forms.Form):
    target = forms.ChoiceField(label=_("Who is paged"), required=False)
    wait_minutes = forms.IntegerField(label=_("Wait (minutes)"), min_value=1, max_value=24 * 60, initial=5,
                                      required=False,
                                      help_text=_("Before the page moves on to the next level."))

    def __init__(self, *args, targets: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = targets

    def level(self):
        """The service's LevelInput, or None for a row left empty."""
        from .services.policies import LevelInput

        target = self.cleaned_data.get("target")
        if not target:
            return None
        kind, _sep, value = target.partition(":")
        wait = (self.cleaned_data.get("wait_minutes") or 5) * 60
        if kind == TargetKind.USER:
            return LevelInput(target_kind=kind, user_id=int(value), wait_seconds=wait)
        if kind == TargetKind.SCHEDULE:
            return LevelInput(target_kind=kind, schedule_id=int(value), wait_seconds=wait)
        return LevelInput(target_kind=TargetKind.INCIDENT_ROLE, incident_role=value, wait_seconds=wait)


def level_targets(*, people: list, schedules: list) -> list:
    """The choices of a level's "Who is paged" menu, grouped; values read ``kind:id``."""
    return [
        ("", "—"),
        (_("Whoever is on call"), [(f"{TargetKind.SCHEDULE}:{s.pk}", s.name) for s in schedules]),
        (_("A role on the incident"), [(f"{TargetKind.INCIDENT_ROLE}:{r.value}", r.label) for r in IncidentRole]),
        (_("A person"), [(f"{TargetKind.USER}:{p.pk}", p.get_full_name() or p.get_username()) for p in people]),
    ]


LevelFormSet = forms.formset_factory(LevelForm, extra=0, max_num=20, validate_max=True)


def level_target_value(level) -> str:
    if level.target_kind == TargetKind.USER:
        return f"{TargetKind.USER}:{level.user_id}"
    if level.target_kind == TargetKind.SCHEDULE:
        return f"{TargetKind.SCHEDULE}:{level.schedule_id}"
    return f"{TargetKind.INCIDENT_ROLE}:{level.incident_role}"


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100,
                           help_text=_("What the token is for, such as “Listening tool” or “Weekly report script”."))
    scopes = forms.MultipleChoiceField(label=_("Scopes"), widget=forms.CheckboxSelectMultiple,
                                       choices=TokenScope.choices, initial=[TokenScope.READ],
                                       help_text=_("Write lets the token change what your role lets you change."))
