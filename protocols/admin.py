from typing import TYPE_CHECKING

from django.contrib import admin
from django.http import HttpRequest

from protocols.models import Protocol, Revision

# The admin classes are generic only in the type stubs; at run time they take no parameter.
if TYPE_CHECKING:
    _RevisionInline = admin.TabularInline[Revision, Protocol]
    _ProtocolAdmin = admin.ModelAdmin[Protocol]
else:
    _RevisionInline = admin.TabularInline
    _ProtocolAdmin = admin.ModelAdmin

REVISION_FIELDS = ("number", "created_at", "author", "summary", "restored_from")


class RevisionInline(_RevisionInline):
    """Revisions are immutable: the admin shows them and never changes them."""

    model = Revision
    fields = REVISION_FIELDS
    readonly_fields = REVISION_FIELDS
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Protocol | None = None) -> bool:
        return False

    # An inline is asked about the parent (a Protocol), as in Django; the stubs'
    # BaseModelAdmin signature says the inline's own model.
    def has_change_permission(  # type: ignore[override]
        self, request: HttpRequest, obj: Protocol | None = None
    ) -> bool:
        return False


@admin.register(Protocol)
class ProtocolAdmin(_ProtocolAdmin):
    list_display = ["title", "slug", "kind", "category", "language", "review_due_at"]
    list_filter = ["kind", "category", "language"]
    search_fields = ["title", "slug"]
    readonly_fields = ["kind", "reviewed_at", "reviewed_by", "review_due_at", "created_at"]
    inlines = [RevisionInline]
