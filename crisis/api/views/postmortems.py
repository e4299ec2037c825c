"""The parts of a post-mortem people write, and its action items: every member reads, responders and up write.

Writes go through crisis.reports.services, the same functions as the desk, so the role check, the
compare-and-set on ``version``, the timeline line and the audit row are the desk's.
"""

import django_filters
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status

from crisis.reports.models import ActionItem, ActionItemStatus, PostMortem
from crisis.reports.services import (
    DUE_ON_FIRST,
    DUE_ON_LAST,
    SECTION_MAX,
    TITLE_MAX,
    action_item_create,
    action_item_update,
    postmortem_update,
)

from ..base import ApiView, get_or_404
from ..fields import StrictCharField, StrictInput, StrictIntegerField, UserRefSerializer, happened_at_field
from ..scoping import scoped_action_items, scoped_incidents, scoped_organizations
from .incidents import member_or_error

VERSION_HELP = gettext_lazy("The version you edited (0 before the first save); a newer one on the server gives 409.")


class PostMortemOut(serializers.ModelSerializer):
    incident = serializers.IntegerField(source="incident_id", read_only=True)
    updated_by = UserRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = PostMortem
        fields = ["incident", "summary", "root_cause", "went_well", "went_badly", "version", "updated_by",
                  "updated_at"]
        read_only_fields = fields


def _postmortem_of(incident) -> PostMortem:
    # Nobody has written anything yet: the same shape, empty, at version 0 (what the first save expects).
    return (PostMortem.objects.filter(incident=incident).select_related("updated_by").first()
            or PostMortem(incident=incident, version=0))


class IncidentPostMortemView(ApiView):
    class InputSerializer(StrictInput):
        version = StrictIntegerField(min_value=0, help_text=VERSION_HELP)
        summary = StrictCharField(max_length=SECTION_MAX, required=False, allow_blank=True)
        root_cause = StrictCharField(max_length=SECTION_MAX, required=False, allow_blank=True)
        went_well = StrictCharField(max_length=SECTION_MAX, required=False, allow_blank=True)
        went_badly = StrictCharField(max_length=SECTION_MAX, required=False, allow_blank=True)

    @extend_schema(operation_id="postmortems_retrieve", responses=PostMortemOut)
    def get(self, request, incident_id: int):
        incident = get_or_404(scoped_incidents(request.user), pk=incident_id)
        return self.respond(PostMortemOut(_postmortem_of(incident)).data)

    @extend_schema(operation_id="postmortems_partial_update", request=InputSerializer, responses=PostMortemOut)
    def patch(self, request, incident_id: int):
        incident = get_or_404(scoped_incidents(request.user), pk=incident_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        sections = dict(data.validated_data)
        expected = sections.pop("version")
        postmortem_update(incident=incident, actor=request.user, expected_version=expected, **sections)
        return self.respond(PostMortemOut(_postmortem_of(incident)).data)


class ActionItemOut(serializers.ModelSerializer):
    incident = serializers.IntegerField(source="incident_id", read_only=True)
    owner = UserRefSerializer(read_only=True, allow_null=True)
    created_by = serializers.IntegerField(source="created_by_id", read_only=True, allow_null=True)

    class Meta:
        model = ActionItem
        fields = ["id", "incident", "title", "owner", "due_on", "status", "version", "created_by", "created_at",
                  "completed_at"]
        read_only_fields = fields


class ActionItemFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=ActionItemStatus.choices)
    due_before = django_filters.DateFilter(field_name="due_on", lookup_expr="lt",
                                           label=gettext_lazy("Due before (a date)"))

    class Meta:
        model = ActionItem
        fields = ["status", "due_before"]


@extend_schema_field({"type": "string", "format": "date", "pattern": r"^20[0-9]{2}-[0-9]{2}-[0-9]{2}$",
                     "description": "A date from 2000-01-01 to 2099-12-31: due at the end of that day in the "
                                    "incident's time zone."})
class DueDateField(serializers.DateField):
    """An action item's due date, in the range the service accepts (it becomes a deadline that pages)."""

    def to_internal_value(self, value):
        day = super().to_internal_value(value)
        if not DUE_ON_FIRST <= day <= DUE_ON_LAST:
            raise serializers.ValidationError(gettext_lazy("Give a date between 2000-01-01 and 2099-12-31."))
        return day


OWNER_HELP = gettext_lazy("The id of a member of the incident's organization, or null for nobody.")


class IncidentActionItemListView(ApiView):
    queryset = ActionItem.objects.none()
    filterset_class = ActionItemFilter
    ordering = ("id",)  # oldest first; a cursor needs a column that is never null (due_on may be)

    class InputSerializer(StrictInput):
        title = StrictCharField(max_length=TITLE_MAX)
        owner = StrictIntegerField(required=False, allow_null=True, help_text=OWNER_HELP)
        due_on = DueDateField(required=False, allow_null=True)

    @extend_schema(operation_id="action_items_list", responses=ActionItemOut(many=True))
    def get(self, request, incident_id: int):
        incident = get_or_404(scoped_incidents(request.user), pk=incident_id)
        return self.list_response(scoped_action_items(request.user).filter(incident=incident), ActionItemOut)

    @extend_schema(operation_id="action_items_create", request=InputSerializer, responses={201: ActionItemOut})
    def post(self, request, incident_id: int):
        incident = get_or_404(scoped_incidents(request.user), pk=incident_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        owner = member_or_error(incident.organization, fields.pop("owner", None), "owner")
        item = action_item_create(incident=incident, actor=request.user, owner=owner, **fields)
        return self.respond(ActionItemOut(item).data, status_code=status.HTTP_201_CREATED)


class OrganizationActionItemListView(ApiView):
    """Every incident's promises in one list, so none is left to "blow over"."""

    queryset = ActionItem.objects.none()
    filterset_class = ActionItemFilter
    ordering = ("id",)  # oldest first; a cursor needs a column that is never null (due_on may be)

    @extend_schema(operation_id="organization_action_items_list", responses=ActionItemOut(many=True))
    def get(self, request, organization_id: int):
        organization = get_or_404(scoped_organizations(request.user), pk=organization_id)
        return self.list_response(scoped_action_items(request.user).filter(incident__organization=organization),
                                  ActionItemOut)


class ActionItemDetailView(ApiView):
    class InputSerializer(StrictInput):
        version = StrictIntegerField(min_value=1, help_text=VERSION_HELP)
        title = StrictCharField(max_length=TITLE_MAX, required=False)
        owner = StrictIntegerField(required=False, allow_null=True, help_text=OWNER_HELP)
        due_on = DueDateField(required=False, allow_null=True)
        status = serializers.ChoiceField(choices=ActionItemStatus.choices, required=False)
        # An item done earlier than it is marked: judged against its due date on this time (met, or met late).
        completed_at = happened_at_field(help_text=gettext_lazy(
            "With status done: when it was in fact done, if earlier than now (not in the future)."))

    @extend_schema(operation_id="action_items_retrieve", responses=ActionItemOut)
    def get(self, request, action_item_id: int):
        return self.respond(ActionItemOut(get_or_404(scoped_action_items(request.user), pk=action_item_id)).data)

    @extend_schema(operation_id="action_items_partial_update", request=InputSerializer, responses=ActionItemOut)
    def patch(self, request, action_item_id: int):
        item = get_or_404(scoped_action_items(request.user), pk=action_item_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        expected = fields.pop("version")
        if "owner" in fields:
            fields["owner"] = member_or_error(item.incident.organization, fields["owner"], "owner")
        item = action_item_update(item=item, actor=request.user, expected_version=expected, **fields)
        return self.respond(ActionItemOut(scoped_action_items(request.user).get(pk=item.pk)).data)
