from django import forms
from django.utils.translation import gettext_lazy as _

from .levels import LEVEL_SUFFIX, LEVELS, MEASURES
from .models import ListeningThresholds, SentimentLevel
from .services.thresholds import SETTING_RANGES, THRESHOLD_FIELDS

MEASURE_HELP = {
    "negative_share": _("Share of negative mentions, 0 to 1 (0.55 = 55 %)."),
    "volume_growth": _("Mention volume as a multiple of the source's baseline (10 = ten times)."),
    "trending_rank": _("Rank on a trending list; the level starts at this rank or better."),
    "follower_loss_per_hour": _("Followers lost per hour on a source."),
}


class ThresholdsForm(forms.Form):
    """Types only: the service checks ranges and order and says why beside each field."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in THRESHOLD_FIELDS:
            model_field = ListeningThresholds._meta.get_field(name)
            integer = name.startswith(("trending_rank", "follower_loss"))
            field_class = forms.IntegerField if integer else forms.FloatField
            self.fields[name] = field_class(label=model_field.verbose_name, required=False)
        for name, (_minimum, _maximum, integer) in SETTING_RANGES.items():
            model_field = ListeningThresholds._meta.get_field(name)
            self.fields[name] = (forms.IntegerField if integer else forms.FloatField)(label=model_field.verbose_name)

    def measure_rows(self) -> list[dict]:
        return [{"help": MEASURE_HELP[m],
                 "fields": [(SentimentLevel(level).label, self[f"{m}_{LEVEL_SUFFIX[level]}"]) for level in LEVELS]}
                for m in MEASURES]

    def setting_fields(self) -> list:
        return [self[name] for name in SETTING_RANGES]
