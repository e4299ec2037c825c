"""Admins set their organization's thresholds: validated, compare-and-set on the version, audited."""

import pytest

from crisis.listening.models import ListeningThresholds
from crisis.listening.models.thresholds import DEFAULTS
from crisis.listening.selectors import thresholds_for
from crisis.listening.services.thresholds import SETTING_RANGES, thresholds_update
from crisis.models import AuditEntry
from crisis.services.errors import ConcurrentUpdate, InvalidInput, PermissionDenied

pytestmark = pytest.mark.django_db
SETTINGS = {"exit_band_pct": 10, "calm_checkpoints": 3, "calm_minutes": 30, "baseline_band_pct": 10,
            "baseline_share_points": 2.0, "baseline_hold_minutes": 1440}
assert set(SETTINGS) == set(SETTING_RANGES)


def values(**overrides):
    return {**DEFAULTS, **SETTINGS, **overrides}


def test_an_organization_that_set_nothing_reads_the_defaults(org):
    current = thresholds_for(org)
    assert current.pk is None and current.negative_share_high == 0.55 and current.version == 1


def test_an_admin_saves_and_the_version_moves(org, people):
    saved = thresholds_update(organization=org, actor=people["admin"], version=1,
                              **values(negative_share_high=0.5))
    assert (saved.negative_share_high, saved.version) == (0.5, 2)
    saved = thresholds_update(organization=org, actor=people["admin"], version=2, **values(calm_minutes=60))
    assert (saved.calm_minutes, saved.negative_share_high, saved.version) == (60, 0.55, 3)  # every field is replaced
    assert AuditEntry.objects.filter(action="listening.thresholds_update").count() == 2


def test_a_stale_version_loses_and_writes_nothing(org, people):
    thresholds_update(organization=org, actor=people["admin"], version=1, **values())
    with pytest.raises(ConcurrentUpdate):
        thresholds_update(organization=org, actor=people["admin"], version=1, **values(calm_minutes=5))
    assert ListeningThresholds.objects.get().calm_minutes == 30


def test_two_first_saves_one_wins(org, people):
    thresholds_update(organization=org, actor=people["admin"], version=1, **values())
    with pytest.raises(ConcurrentUpdate):
        thresholds_update(organization=org, actor=people["admin"], version=1, **values())


@pytest.mark.parametrize(("field", "value"), [
    ("negative_share_high", 1.5), ("trending_rank_high", 0), ("calm_checkpoints", 0), ("exit_band_pct", 80),
    ("negative_share_high", 0.3),  # below "elevated" (0.40)
    ("trending_rank_critical", 20),  # a worse level needs a smaller rank than "high" (10)
    ("calm_minutes", None),
])
def test_bad_input_names_the_field_and_writes_nothing(org, people, field, value):
    with pytest.raises(InvalidInput) as error:
        thresholds_update(organization=org, actor=people["admin"], version=1, **values(**{field: value}))
    assert field in error.value.fields
    assert not ListeningThresholds.objects.exists()


def test_only_an_admin_changes_them(org, people):
    with pytest.raises(PermissionDenied):
        thresholds_update(organization=org, actor=people["commander"], version=1, **values())
