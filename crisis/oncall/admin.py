"""Admin: contact methods are configuration and are edited here; schedules and policies have desk pages
(On-call setup, views_setup.py) and can still be edited here; pages and deliveries change only through the
services and are read here."""

from django.contrib import admin
from django.db.models import F

from crisis.admin import ReadOnlyAdmin

from . import models


class VersionBumpAdmin(admin.ModelAdmin):
    """An edit here moves the version on, so a desk page opened before it refuses to overwrite it unseen."""

    def save_model(self, request, obj, form, change):
        if change:
            obj.version = F("version") + 1
        super().save_model(request, obj, form, change)
        if change:
            obj.refresh_from_db(fields=["version"])


class RotationMemberInline(admin.TabularInline):
    model = models.RotationMember
    extra = 0


@admin.register(models.Rotation)
class RotationAdmin(VersionBumpAdmin):
    list_display = ["name", "schedule", "starts_on", "handoff_time", "length_days", "position"]
    inlines = [RotationMemberInline]


class RotationInline(admin.TabularInline):
    model = models.Rotation
    extra = 0
    show_change_link = True


class OverrideInline(admin.TabularInline):
    model = models.Override
    extra = 0


@admin.register(models.Schedule)
class ScheduleAdmin(VersionBumpAdmin):
    list_display = ["name", "organization", "time_zone"]
    list_filter = ["organization"]
    inlines = [RotationInline, OverrideInline]


class EscalationLevelInline(admin.TabularInline):
    model = models.EscalationLevel
    extra = 0


@admin.register(models.EscalationPolicy)
class EscalationPolicyAdmin(VersionBumpAdmin):
    list_display = ["name", "organization", "severities", "repeat"]
    list_filter = ["organization"]
    inlines = [EscalationLevelInline]


BREAKER_FIELDS = ["state", "failures", "state_since", "next_probe_at", "probe_until", "last_error", "updated_at"]


class ReceiverBreakerInline(admin.StackedInline):
    """The receiver's circuit breaker, read-only: sending changes it (services/breakers.py)."""

    model = models.ReceiverBreaker
    fields = readonly_fields = BREAKER_FIELDS
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(models.ContactMethod)
class ContactMethodAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "label", "is_active", "reaches_internal_network", "position"]
    list_filter = ["kind", "is_active", "reaches_internal_network"]
    inlines = [ReceiverBreakerInline]


@admin.register(models.ReceiverBreaker)
class ReceiverBreakerAdmin(ReadOnlyAdmin):
    list_display = ["contact", "state", "failures", "state_since", "next_probe_at", "updated_at"]
    list_filter = ["state"]
    list_select_related = ["contact", "contact__user"]
    fields = ["contact", *BREAKER_FIELDS]


@admin.register(models.ContactPreference)
class ContactPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "time_zone", "quiet_start", "quiet_end"]


class DeliveryInline(admin.TabularInline):
    model = models.Delivery
    fields = ["created_at", "user", "kind", "step", "status", "attempts", "last_error"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(models.Page)
class PageAdmin(ReadOnlyAdmin):
    list_display = ["title", "organization", "incident", "source", "severity", "state", "step", "triggered_at"]
    list_filter = ["state", "source", "organization"]
    search_fields = ["title", "dedup_key"]
    inlines = [DeliveryInline]


class DeliveryAttemptInline(admin.TabularInline):
    model = models.DeliveryAttempt
    readonly_fields = ["number", "outcome", "started_at", "latency_ms", "response_code", "error"]
    fields = readonly_fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(models.Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "page", "user", "kind", "status", "attempts"]
    list_filter = ["status", "kind"]
    list_select_related = ["page", "user"]
    inlines = [DeliveryAttemptInline]
