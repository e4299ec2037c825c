"""Admins set their organization's sentiment levels: all fields at once, compare-and-set on the version."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from crisis import clock
from crisis.models import Organization, Role
from crisis.services.access import membership_require
from crisis.services.audit import audit_record
from crisis.services.errors import ConcurrentUpdate
from crisis.services.validation import FieldErrors, check_number

from ..levels import LEVEL_SUFFIX, LEVELS, LOWER_IS_WORSE, MEASURES
from ..models import ListeningThresholds
from ..selectors import thresholds_for

# (minimum, maximum, integer) per measure threshold and per setting.
MEASURE_RANGES = {
    "negative_share": (0.01, 1, False),
    "volume_growth": (1, 10_000, False),
    "trending_rank": (1, 1_000, True),
    "follower_loss_per_hour": (1, 100_000_000, True),
}
SETTING_RANGES = {
    "exit_band_pct": (0, 50, True),
    "calm_checkpoints": (1, 100, True),
    "calm_minutes": (0, 7 * 24 * 60, True),
    "baseline_band_pct": (1, 100, True),
    "baseline_share_points": (0.5, 50, False),
    "baseline_hold_minutes": (10, 30 * 24 * 60, True),
}
THRESHOLD_FIELDS = tuple(f"{m}_{LEVEL_SUFFIX[level]}" for m in MEASURES for level in LEVELS)
EDITABLE = THRESHOLD_FIELDS + tuple(SETTING_RANGES)


def _check_order(errors: FieldErrors, values: dict) -> None:
    """Each level must ask for more than the one below it, or the levels would never be told apart."""
    for measure in MEASURES:
        set_ = [(level, values[f"{measure}_{LEVEL_SUFFIX[level]}"]) for level in LEVELS]
        set_ = [(level, value) for level, value in set_ if value is not None]
        for (_low, lower), (high, higher) in zip(set_, set_[1:], strict=False):
            worse = higher < lower if measure in LOWER_IS_WORSE else higher > lower
            if not worse:
                errors.add(f"{measure}_{LEVEL_SUFFIX[high]}",
                           _("Each level must be further from calm than the level below it."))


def thresholds_validate(values: dict) -> None:
    errors = FieldErrors()
    unknown = set(values) - set(EDITABLE) - {"version"}
    for name in sorted(unknown):
        errors.add(name, _("Unknown field."))
    for name in THRESHOLD_FIELDS:
        minimum, maximum, integer = MEASURE_RANGES[name.rsplit("_", 1)[0]]
        check_number(errors, name, values.get(name), minimum=minimum, maximum=maximum, integer=integer)
    for name, (minimum, maximum, integer) in SETTING_RANGES.items():
        if values.get(name) is None:
            errors.add(name, _("This field is required."))
        else:
            check_number(errors, name, values[name], minimum=minimum, maximum=maximum, integer=integer)
    if not errors.fields:
        _check_order(errors, values)
    errors.raise_if_any()


@transaction.atomic
def thresholds_update(*, organization: Organization, actor, version: int, **values) -> ListeningThresholds:
    """Replace every threshold and setting; ``version`` is the one the admin read (a newer one gives 409)."""
    membership_require(user=actor, organization=organization, role=Role.ADMIN)
    values = {name: values.get(name) for name in EDITABLE} | {k: v for k, v in values.items() if k not in EDITABLE}
    thresholds_validate(values)
    current = thresholds_for(organization)
    before = {name: getattr(current, name) for name in EDITABLE}
    fields = {name: values[name] for name in EDITABLE}
    now = clock.now()
    if current.pk is None:
        # The first save: the unique organization decides the race between two first saves.
        if version != 1 or ListeningThresholds.objects.filter(organization=organization).exists():
            raise ConcurrentUpdate(_("Somebody else changed these thresholds first; reload and try again."),
                                   field="version")
        try:
            with transaction.atomic():
                current = ListeningThresholds.objects.create(organization=organization, version=2, updated_at=now,
                                                             **fields)
        except IntegrityError as exc:
            raise ConcurrentUpdate(_("Somebody else changed these thresholds first; reload and try again."),
                                   field="version") from exc
    else:
        updated = ListeningThresholds.objects.filter(pk=current.pk, version=version).update(
            version=version + 1, updated_at=now, **fields)
        if updated != 1:
            raise ConcurrentUpdate(_("Somebody else changed these thresholds first; reload and try again."),
                                   field="version")
        current.refresh_from_db()
    audit_record(organization=organization, actor=actor, action="listening.thresholds_update", obj=current,
                 changes={name: [before[name], fields[name]] for name in EDITABLE if before[name] != fields[name]})
    return current
