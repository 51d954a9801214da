from django.contrib import admin

from ideology_review.lib.admin import ReadOnlyAdmin

from .models import (
    Deadline,
    DocumentFormat,
    QuarterlyReport,
    ReportComment,
    ReportEvent,
    ReportItem,
    ReportSubmission,
    ReviewPoint,
)


class ItemInline(admin.TabularInline):
    model = ReportItem
    extra = 0
    fields = ["section", "order", "heading", "body", "origin", "excluded"]
    readonly_fields = ["origin", "excluded"]


@admin.register(QuarterlyReport)
class QuarterlyReportAdmin(admin.ModelAdmin):
    list_display = ["title", "organisation", "year", "quarter", "status"]
    list_filter = ["status", "year", "quarter"]
    search_fields = ["title", "organisation__name"]
    # Status changes go through reports.services, never through the admin.
    readonly_fields = ["status", "round", "submitted_at", "reviewed_at", "review_comment"]
    inlines = [ItemInline]
    list_select_related = ["organisation"]


@admin.register(ReportEvent)
class ReportEventAdmin(ReadOnlyAdmin):
    list_display = ["report", "action", "from_status", "to_status", "actor", "created_at"]
    list_filter = ["action"]


@admin.register(ReportSubmission)
class ReportSubmissionAdmin(ReadOnlyAdmin):
    list_display = ["report", "round", "submitted_by", "submitted_at"]


@admin.register(ReportComment)
class ReportCommentAdmin(ReadOnlyAdmin):
    """批注: written by reviewers and marked 已修改 by the branch, read here."""

    list_display = ["report", "kind", "body", "author", "created_at", "addressed_at"]
    list_filter = ["kind"]
    list_select_related = ["report", "author"]


@admin.register(DocumentFormat)
class DocumentFormatAdmin(admin.ModelAdmin):
    """公文版式: the page settings of an organisation's DOCX (reports.files.layout_for)."""

    list_display = [
        "organisation",
        "margin_top_mm",
        "margin_bottom_mm",
        "margin_left_mm",
        "margin_right_mm",
        "line_pitch_pt",
        "bold_headings",
        "centred_page_numbers",
    ]
    list_select_related = ["organisation"]
    search_fields = ["organisation__name"]
    autocomplete_fields = ["organisation"]


@admin.register(Deadline)
class DeadlineAdmin(admin.ModelAdmin):
    """报送截止日期 per 审核单位, kind and period (reports.deadlines: the default otherwise)."""

    list_display = ["organisation", "kind", "year", "quarter", "half", "due_date"]
    list_filter = ["kind", "year"]
    list_select_related = ["organisation"]
    search_fields = ["organisation__name"]
    autocomplete_fields = ["organisation"]


@admin.register(ReviewPoint)
class ReviewPointAdmin(admin.ModelAdmin):
    """审核要点: the reviewer's checklist; a decision keeps its own copy."""

    list_display = ["name", "return_reason", "order", "is_active"]
    list_editable = ["order", "is_active"]
