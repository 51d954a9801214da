"""Admin building blocks shared by the apps."""

from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """An append-only record (审核记录, frozen rounds): the admin shows it, and
    nobody adds, changes or deletes it there."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class UploadInline(admin.TabularInline):
    """Uploaded files (附件, 佐证材料): their stored facts are not editable."""

    extra = 0
    readonly_fields = ["original_name", "size", "uploaded_at"]
