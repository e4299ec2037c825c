from django import forms
from django.utils.translation import gettext_lazy as _

from crisis.models import Statement, StatementLanguage, StatementStatus
from crisis.web.forms import LocalDateTimeField, SentimentUploadForm, ZonedForm, _member_choices

from .models import StakeholderChannel, StakeholderKind
from .services import inquiries, stakeholders
from .stakeholder_csv import TAG_SEPARATORS


def tags_from_text(text: str) -> list[str]:
    return [tag for tag in TAG_SEPARATORS.split(text or "") if tag.strip()]


class StakeholderForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(label=_("Name"), max_length=stakeholders.NAME_MAX)
    outlet = forms.CharField(label=_("Organization or outlet"), max_length=stakeholders.OUTLET_MAX, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=StakeholderKind.choices)
    channel = forms.ChoiceField(label=_("Channel"), choices=StakeholderChannel.choices)
    language = forms.ChoiceField(label=_("Language"), choices=StatementLanguage.choices)
    email = forms.CharField(label=_("Email"), max_length=stakeholders.EMAIL_MAX, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=stakeholders.PHONE_MAX, required=False)
    handle = forms.CharField(label=_("Handle"), max_length=stakeholders.HANDLE_MAX, required=False)
    tags = forms.CharField(label=_("Tags (separated by commas)"), required=False)
    notes = forms.CharField(label=_("Notes"), max_length=stakeholders.NOTES_MAX, required=False,
                            widget=forms.Textarea(attrs={"rows": 2}))

    def fields_for_service(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k != "version"}
        data["tags"] = tags_from_text(data["tags"])
        return data


class StakeholderUploadForm(SentimentUploadForm):
    """The same file handling as the sentiment upload (2 MB, UTF-8 with or without a BOM)."""


class QuickInquiryForm(ZonedForm):
    """The room's form: who asked, how, what and when; the owner is whoever logs it."""

    asker_name = forms.CharField(label=_("Who asked"), max_length=inquiries.NAME_MAX, required=False)
    channel = forms.ChoiceField(label=_("Channel"), choices=StakeholderChannel.choices)
    question = forms.CharField(label=_("Question"), max_length=inquiries.QUESTION_MAX,
                               widget=forms.Textarea(attrs={"rows": 2}))
    asked_at = LocalDateTimeField(label=_("Asked at (blank = now)"), required=False)
    reply_within_minutes = forms.IntegerField(label=_("Reply within (minutes)"), min_value=1,
                                              max_value=inquiries.REPLY_WITHIN_MAX,
                                              initial=inquiries.REPLY_WITHIN_DEFAULT)


class InquiryForm(QuickInquiryForm):
    stakeholder = forms.TypedChoiceField(label=_("…or from the list"), coerce=int, required=False, empty_value=None)
    owner = forms.TypedChoiceField(label=_("Owner"), coerce=int, required=False, empty_value=None)
    field_order = ["asker_name", "stakeholder", "channel", "question", "asked_at", "reply_within_minutes", "owner"]

    def __init__(self, *args, incident, stakeholder_choices, **kwargs):
        super().__init__(*args, zone=incident.time_zone, **kwargs)
        self.fields["owner"].choices = _member_choices(incident.organization)
        self.fields["stakeholder"].choices = [("", "—"), *stakeholder_choices]

    @staticmethod
    def log_fields(data: dict) -> dict:
        """The service's arguments from the cleaned data."""
        return {"asker_name": data["asker_name"], "stakeholder_id": data["stakeholder"], "channel": data["channel"],
                "question": data["question"], "asked_at": data["asked_at"],
                "reply_within_minutes": data["reply_within_minutes"], "owner_id": data["owner"]}


class InquiryAnswerForm(ZonedForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    answer = forms.CharField(label=_("Answer"), max_length=inquiries.ANSWER_MAX,
                             widget=forms.Textarea(attrs={"rows": 3}))
    answered_at = LocalDateTimeField(label=_("Answered at (blank = now)"), required=False)
    statement = forms.TypedChoiceField(label=_("Statement it points to"), coerce=int, required=False,
                                       empty_value=None)

    def __init__(self, *args, incident, **kwargs):
        super().__init__(*args, zone=incident.time_zone, **kwargs)
        self.fields["statement"].choices = [("", "—")] + [
            (s.pk, str(s)) for s in Statement.objects.filter(incident=incident).order_by("created_at")]


class InquiryCloseForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason"), max_length=inquiries.REASON_MAX)


class BriefForm(ZonedForm):
    statement = forms.TypedChoiceField(label=_("Published statement"), coerce=int)
    tags = forms.MultipleChoiceField(label=_("Stakeholders tagged"), widget=forms.CheckboxSelectMultiple)
    briefed_at = LocalDateTimeField(label=_("Sent at (blank = now)"), required=False)

    def __init__(self, *args, incident, tags, **kwargs):
        super().__init__(*args, zone=incident.time_zone, **kwargs)
        self.fields["statement"].choices = [
            (s.pk, str(s)) for s in Statement.objects.filter(incident=incident, status=StatementStatus.PUBLISHED)
            .order_by("-published_at")]
        self.fields["tags"].choices = [(t, t) for t in tags]
