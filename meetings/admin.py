from django.contrib import admin

from ideology_review.lib.admin import UploadInline

from .models import (
    Finding,
    FindingCategory,
    Measure,
    MeasureEvidence,
    Meeting,
    MeetingAttachment,
    Membership,
    Organisation,
    Person,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["organisation"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "org_type", "unit_type", "parent", "reviewing_organisation"]
    list_filter = ["org_type", "unit_type"]
    search_fields = ["name", "short_name"]
    autocomplete_fields = ["parent", "reviewing_organisation"]
    list_select_related = ["parent", "reviewing_organisation"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "is_party_member", "is_active", "user"]
    list_filter = ["is_party_member", "is_active"]
    search_fields = ["name", "user__username"]
    inlines = [MembershipInline]
    list_select_related = ["user"]
    raw_id_fields = ["user"]


@admin.register(FindingCategory)
class FindingCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "order", "is_active"]
    list_editable = ["order", "is_active"]


class AttachmentInline(UploadInline):
    model = MeetingAttachment


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["title", "organisation", "date", "meeting_type", "status"]
    list_filter = ["status", "meeting_type", "year", "quarter"]
    search_fields = ["title", "organisation__name"]
    date_hierarchy = "date"
    autocomplete_fields = ["organisation"]
    raw_id_fields = ["chair", "recorder"]
    filter_horizontal = ["attendees"]
    inlines = [AttachmentInline]
    list_select_related = ["organisation"]


class MeasureInline(admin.StackedInline):
    model = Measure
    extra = 0
    raw_id_fields = ["responsible_person"]


@admin.register(Finding)
class FindingAdmin(admin.ModelAdmin):
    list_display = ["title", "organisation", "category", "risk_level", "year", "quarter"]
    list_filter = ["risk_level", "finding_type", "category", "year", "quarter"]
    search_fields = ["title", "details", "organisation__name"]
    raw_id_fields = ["meeting", "organisation"]
    inlines = [MeasureInline]
    list_select_related = ["organisation", "category"]


class EvidenceInline(UploadInline):
    model = MeasureEvidence


@admin.register(Measure)
class MeasureAdmin(admin.ModelAdmin):
    list_display = ["__str__", "responsible_person", "deadline", "long_term", "status"]
    list_filter = ["status", "long_term"]
    search_fields = ["content"]
    raw_id_fields = ["finding", "responsible_person"]
    inlines = [EvidenceInline]
    list_select_related = ["responsible_person"]
