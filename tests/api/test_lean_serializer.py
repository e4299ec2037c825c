"""LeanSerializer copies its declared fields cheaply; it must behave exactly like DRF's Serializer."""

import pytest
from rest_framework import serializers

from crisis.api.fields import LeanSerializer, StrictCharField, UserRefSerializer
from crisis.models import EventKind


def _declare(base):
    class Sample(base):
        kind = serializers.ChoiceField(choices=EventKind.choices, default=EventKind.NOTE)
        body = StrictCharField(max_length=10)
        metadata = serializers.DictField(child=serializers.IntegerField(min_value=0), required=False)
        tags = serializers.ListField(child=StrictCharField(max_length=3), required=False)
        author = UserRefSerializer(read_only=True)

    return Sample


LEAN, PLAIN = _declare(LeanSerializer), _declare(serializers.Serializer)
INPUTS = [
    {"body": "ok", "metadata": {"a": 1}, "tags": ["x"]},
    {"kind": "rumour", "body": "far too long a body", "metadata": {"a": -1}, "tags": ["long"]},
    {"body": 12, "metadata": "nope", "tags": "nope"},
]


@pytest.mark.parametrize("data", INPUTS)
def test_it_validates_exactly_as_drf_does(data):
    lean, plain = LEAN(data=data), PLAIN(data=data)

    assert lean.is_valid() == plain.is_valid()
    assert lean.errors == plain.errors
    if not plain.errors:
        assert lean.validated_data == plain.validated_data


def test_it_gives_each_instance_its_own_bound_fields():
    first, second = LEAN(data=INPUTS[0]), LEAN(data=INPUTS[0])

    for name in ("kind", "metadata", "tags", "author"):
        assert first.fields[name] is not second.fields[name]
        assert first.fields[name].parent is first and second.fields[name].parent is second
    assert first.fields["metadata"].child is not second.fields["metadata"].child
    assert first.fields["metadata"].child.parent is first.fields["metadata"]
    assert first.fields["author"].fields["name"].parent is first.fields["author"]
    assert all(field.parent is None for field in LEAN._declared_fields.values())
