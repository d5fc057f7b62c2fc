from django.contrib import admin

from protocols.models import Protocol, Revision


class RevisionInline(admin.TabularInline):
    """Revisions are immutable: the admin shows them and never changes them."""

    model = Revision
    fields = ["number", "created_at", "author", "summary", "restored_from"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Protocol)
class ProtocolAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "kind", "category", "language", "review_due_at"]
    list_filter = ["kind", "category", "language"]
    search_fields = ["title", "slug"]
    readonly_fields = ["kind", "reviewed_at", "reviewed_by", "review_due_at", "created_at"]
    inlines = [RevisionInline]
