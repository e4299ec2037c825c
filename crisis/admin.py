"""Admin: organizations and memberships are edited here; crisis records are read here.

Incidents, statements and the append-only history change only through the services (and so
through the app and the API), which write the timeline and audit rows the admin would skip.
"""

from django.contrib import admin

from crisis import models


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MembershipInline(admin.TabularInline):
    model = models.Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(models.Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "time_zone"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(models.Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "role"]
    list_filter = ["role", "organization"]
    autocomplete_fields = ["user"]


class TimelineInline(admin.TabularInline):
    model = models.TimelineEvent
    fk_name = "incident"
    fields = ["occurred_at", "kind", "body", "actor", "is_pinned", "corrects"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(models.Incident)
class IncidentAdmin(ReadOnlyAdmin):
    list_display = ["title", "organization", "severity", "status", "first_public_signal_at", "commander"]
    list_filter = ["status", "severity", "organization"]
    search_fields = ["title", "summary"]
    date_hierarchy = "first_public_signal_at"
    inlines = [TimelineInline]


@admin.register(models.TimelineEvent)
class TimelineEventAdmin(ReadOnlyAdmin):
    list_display = ["occurred_at", "incident", "kind", "body", "actor", "is_pinned"]
    list_filter = ["kind", "is_pinned"]
    search_fields = ["body"]
    list_select_related = ["incident", "actor"]


class StatementVersionInline(admin.StackedInline):
    model = models.StatementVersion
    fields = ["number", "body", "author", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(models.Statement)
class StatementAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "incident", "channel", "kind", "language", "status", "published_at"]
    list_filter = ["status", "channel", "kind", "language"]
    inlines = [StatementVersionInline]


@admin.register(models.StatementApproval)
class StatementApprovalAdmin(ReadOnlyAdmin):
    list_display = ["version", "approver", "created_at"]


@admin.register(models.SentimentCheckpoint)
class SentimentCheckpointAdmin(ReadOnlyAdmin):
    list_display = ["measured_at", "incident", "source", "mention_volume", "negative_share", "trending_rank",
                    "follower_change", "share_price_move_pct", "corrects"]
    list_filter = ["source"]
    list_select_related = ["incident"]


@admin.register(models.AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "actor", "action", "object_type", "object_id", "via", "ip_address"]
    list_filter = ["action", "via"]
