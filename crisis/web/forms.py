"""Forms only read and check what people typed; the services decide and save."""

import zoneinfo
from datetime import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from crisis import clock
from crisis.models import (
    Channel,
    EventKind,
    Incident,
    IncidentStatus,
    Severity,
    StatementKind,
    StatementLanguage,
)
from crisis.models.zones import wall_time_aware

LOCAL_INPUT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
# People log what they see; these kinds are written by the services themselves.
LOGGABLE_KINDS = [
    (k.value, k.label) for k in (EventKind.NOTE, EventKind.OBSERVATION, EventKind.DECISION, EventKind.ACTION)
]


class LocalDateTimeField(forms.DateTimeField):
    """A wall-clock time typed in the incident's zone (the zone is given to the form), stored as an instant.

    On the night the clocks go back, 01:30 happens twice: it is read as the first one, the time the
    clock showed first (the room then shows it with its zone abbreviation, EDT or EST). On the night
    they go forward, 02:30 never happens: that is refused, beside the field, rather than guessed.
    """

    widget = forms.DateTimeInput(attrs={"type": "datetime-local", "step": "60"}, format="%Y-%m-%dT%H:%M")
    default_error_messages = {
        "nonexistent": _("%(time)s does not exist in %(zone)s: the clocks jumped forward that night. "
                         "Give a time before or after the jump."),
    }

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("input_formats", LOCAL_INPUT_FORMATS)
        super().__init__(*args, **kwargs)
        self.zone = "UTC"

    def to_python(self, value):
        moment = super().to_python(value)
        if moment is None:
            return None
        # Django made it aware in the server's zone (UTC); the person meant the incident's wall clock.
        wall = moment.replace(tzinfo=None)
        local = wall_time_aware(wall, self.zone)
        if local is None:
            raise forms.ValidationError(self.error_messages["nonexistent"], code="nonexistent",
                                        params={"time": wall.strftime("%Y-%m-%d %H:%M"), "zone": self.zone})
        return local

    def prepare_value(self, value):
        if isinstance(value, datetime) and value.tzinfo is not None:
            return value.astimezone(zoneinfo.ZoneInfo(self.zone)).strftime("%Y-%m-%dT%H:%M")
        return value


class ZonedForm(forms.Form):
    def __init__(self, *args, zone: str = "UTC", **kwargs):
        super().__init__(*args, **kwargs)
        self.zone = zone
        for field in self.fields.values():
            if isinstance(field, LocalDateTimeField):
                field.zone = zone


def _member_choices(organization) -> list[tuple[str, str]]:
    memberships = organization.memberships.select_related("user").order_by("user__username")
    return [("", "—")] + [
        (str(m.user.pk), f"{m.user.get_full_name() or m.user.get_username()} ({m.get_role_display()})")
        for m in memberships
    ]


class TitleInput(forms.Textarea):
    """A title field that shows the whole title and never cuts it.

    A text input is a few dozen characters wide, and its ``maxlength`` makes the browser drop the end of a
    pasted title without a word; this wraps to as many lines as the title needs (desk.css) and leaves the
    length to the form, whose error names the limit and the count.
    """

    def __init__(self, attrs=None):
        super().__init__(attrs={"rows": 2, "class": "title-input", **(attrs or {})})


class IncidentTitleField(forms.CharField):
    widget = TitleInput

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        return attrs

    def to_python(self, value):
        # A title is one line: a newline typed or pasted into the wrapping box becomes a space.
        return " ".join(super().to_python(value).split())


class IncidentOpenForm(ZonedForm):
    title = IncidentTitleField(label=_("Title"), max_length=Incident._meta.get_field("title").max_length)
    severity = forms.TypedChoiceField(label=_("Severity"), choices=Severity.choices, coerce=int,
                                      initial=Severity.SEV2)
    first_public_signal_at = LocalDateTimeField(
        label=_("First surfaced in public"),
        help_text=_("When the public first saw it, in the organization's time zone. Can be in the past: "
                    "the playbook clock starts here."),
    )
    status = forms.ChoiceField(label=_("Status"), initial=IncidentStatus.ACTIVE, choices=[
        (IncidentStatus.ACTIVE.value, IncidentStatus.ACTIVE.label),
        (IncidentStatus.MONITORING.value, IncidentStatus.MONITORING.label),
    ])
    affected_channels = forms.MultipleChoiceField(label=_("Channels"), choices=Channel.choices, required=False,
                                                  widget=forms.CheckboxSelectMultiple)
    commander = forms.ChoiceField(label=_("Commander"), required=False)
    spokesperson = forms.ChoiceField(label=_("Spokesperson"), required=False)
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    # Products, places, causes ("battery", "Shenzhen plant"): past incidents sharing them show in the room.
    tags = forms.CharField(label=_("Tags"), required=False, max_length=2000,
                           help_text=_("Comma-separated: products, places, causes. Past incidents with the same "
                                       "tags are shown in the room."))

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, zone=organization.time_zone, **kwargs)
        self.organization = organization
        choices = _member_choices(organization)
        self.fields["commander"].choices = choices
        self.fields["spokesperson"].choices = choices

    def clean_tags(self) -> list[str]:
        seen: dict[str, None] = {}
        for tag in self.cleaned_data["tags"].replace("，", ",").split(","):
            if tag.strip():
                seen.setdefault(tag.strip(), None)
        return list(seen)

    def person(self, field: str):
        pk = self.cleaned_data.get(field)
        if not pk:
            return None
        return self.organization.memberships.select_related("user").get(user_id=pk).user


class QuickLogForm(ZonedForm):
    body = forms.CharField(label=_("What happened?"), max_length=20_000,
                           widget=forms.TextInput(attrs={"autocomplete": "off"}))
    kind = forms.ChoiceField(label=_("Kind"), choices=LOGGABLE_KINDS, initial=EventKind.NOTE)
    occurred_at = LocalDateTimeField(label=_("Happened at (blank = now)"), required=False)
    source_url = forms.URLField(label=_("Source link (optional)"), required=False, max_length=1000,
                                assume_scheme="https")
    is_pinned = forms.BooleanField(label=_("Pin"), required=False)


class CorrectionForm(ZonedForm):
    body = forms.CharField(label=_("Corrected text"), max_length=20_000, widget=forms.Textarea(attrs={"rows": 2}))
    reason = forms.CharField(label=_("Why"), max_length=500, required=False)


class StatusForm(ZonedForm):
    status = forms.ChoiceField(label=_("Status"), choices=IncidentStatus.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)
    occurred_at = LocalDateTimeField(label=_("When (blank = now)"), required=False)
    # Shown once resolving was refused because post-mortem action items are still open.
    confirm_open_items = forms.BooleanField(label=_("Go ahead anyway: the open action items stay owed"),
                                            required=False)


class AcknowledgeForm(ZonedForm):
    acknowledged_at = LocalDateTimeField(label=_("Acknowledged at (blank = now)"), required=False)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_ack_%s")  # the room holds several forms with a note
        super().__init__(*args, **kwargs)


class SignalForm(ZonedForm):
    """Re-dating the first public signal moves every deadline with it (the service does that)."""

    first_public_signal_at = LocalDateTimeField(label=_("First surfaced in public"))
    expected_version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_signal_%s")
        super().__init__(*args, **kwargs)


class SeverityForm(forms.Form):
    severity = forms.TypedChoiceField(label=_("Severity"), choices=Severity.choices, coerce=int)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=2000)


def _normalized_body(value: str) -> str:
    # Browsers send CRLF; the channel limits count what the platform will count, one per line break.
    return value.replace("\r\n", "\n")


class StatementForm(forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices, initial=Channel.WEIBO)
    kind = forms.ChoiceField(label=_("Kind"), choices=StatementKind.choices, initial=StatementKind.HOLDING)
    language = forms.ChoiceField(label=_("Language"), choices=StatementLanguage.choices,
                                 initial=StatementLanguage.ZH_HANS)
    title = forms.CharField(label=_("Title (internal)"), required=False, max_length=200)
    body = forms.CharField(label=_("Text"), strip=False, widget=forms.Textarea(attrs={"rows": 8}))

    def clean_body(self) -> str:
        return _normalized_body(self.cleaned_data["body"])


class StatementReviseForm(forms.Form):
    body = forms.CharField(label=_("Text"), strip=False, widget=forms.Textarea(attrs={"rows": 8}))
    expected_version = forms.IntegerField(widget=forms.HiddenInput)

    def clean_body(self) -> str:
        return _normalized_body(self.cleaned_data["body"])


class StatementApproveForm(forms.Form):
    note = forms.CharField(label=_("Approval note"), required=False, max_length=2000)


class GoAheadForm(ZonedForm):
    # One reason for every check that stands in the way (a comms freeze, the fact sheet, a dropped promise):
    # recorded with what it overrode; a check that does not stand in the way records nothing
    # (crisis/services/statement_gates.py).
    override_reason = forms.CharField(label=_("Reason to go ahead over a check (recorded)"), required=False,
                                      max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class StatementPublishForm(GoAheadForm):
    public_url = forms.URLField(label=_("Public URL"), required=False, max_length=1000, assume_scheme="https")
    published_at = LocalDateTimeField(label=_("Published at (blank = now)"), required=False)


class StatementSubmitForm(GoAheadForm):
    # Sent for approval from a phone at 01:10 and entered at 01:30: the approval clock starts at 01:10.
    submitted_at = LocalDateTimeField(label=_("Sent for approval at (blank = now)"), required=False)


class StatementRetractForm(forms.Form):
    reason = forms.CharField(label=_("Reason for retraction"), max_length=2000, help_text=_(
        "Promises in it that are still open are withdrawn with it, for this reason."))


class SentimentForm(ZonedForm):
    # Now, in the incident's zone, when the form opens: most readings are entered as they are taken, and a
    # reading taken earlier is entered by changing it (the checkpoint keeps both times).
    # (The template says so beside the field, with the zone.)
    measured_at = LocalDateTimeField(label=_("Measured at"), initial=clock.now)
    source = forms.CharField(label=_("Source / platform"), max_length=100)
    negative_share = forms.FloatField(label=_("Negative share (%)"), required=False, min_value=0, max_value=100)
    positive_share = forms.FloatField(label=_("Positive share (%)"), required=False, min_value=0, max_value=100)
    mention_volume = forms.IntegerField(label=_("Mention volume"), required=False, min_value=0)
    reach = forms.IntegerField(label=_("Reach"), required=False, min_value=0)
    trending_rank = forms.IntegerField(label=_("Trending rank"), required=False, min_value=1)
    follower_change = forms.IntegerField(label=_("Follower change"), required=False)
    share_price_move_pct = forms.FloatField(label=_("Share-price move (%)"), required=False)
    livestream_comment_count = forms.IntegerField(label=_("Livestream comments"), required=False, min_value=0)
    livestream_negative_share = forms.FloatField(label=_("Livestream negative share (%)"), required=False,
                                                 min_value=0, max_value=100)
    hot_search_minutes = forms.IntegerField(label=_("Minutes on the hot-search list"), required=False, min_value=0)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def measures(self) -> dict:
        data = dict(self.cleaned_data)
        # People think in percent; the record keeps shares as fractions of one.
        for share in ("negative_share", "positive_share", "livestream_negative_share"):
            if data.get(share) is not None:
                data[share] = round(data[share] / 100, 6)
        return data


class SentimentUploadForm(forms.Form):
    file = forms.FileField(label=_("CSV file"), required=False)
    text = forms.CharField(label=_("…or paste CSV"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload:
            raw = upload.read(2_000_001)
            if len(raw) > 2_000_000:
                raise forms.ValidationError(_("The file is larger than 2 MB; split it."))
            try:
                cleaned["text"] = raw.decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                raise forms.ValidationError(_("The file is not UTF-8 text.")) from exc
        if not cleaned.get("text", "").strip():
            raise forms.ValidationError(_("Choose a CSV file or paste its rows."))
        return cleaned


class DeadlineForm(forms.Form):
    # The version the person saw: acting on a deadline that moved since then must fail, not surprise.
    version = forms.IntegerField(widget=forms.HiddenInput)


class DeadlineExtendForm(DeadlineForm):
    minutes = forms.IntegerField(label=_("Minutes"), min_value=1, max_value=24 * 60, initial=15)
    reason = forms.CharField(label=_("Reason"), max_length=2000)


class DeadlineWaiveForm(DeadlineForm):
    reason = forms.CharField(label=_("Reason"), max_length=2000)


class DeadlineMetForm(ZonedForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("Note"), max_length=2000)
    happened_at = LocalDateTimeField(label=_("Done at (blank = now)"), required=False)
