"""Hash lists in the admin: edit the description and switch lists on or off; hashes read-only.

Hashes come in only through ``meldpunt hashes import`` (validated, all or
nothing); the admin never edits them one by one. Every change here that
affects matching goes through the services, so the PDQ index of every
process is rebuilt.
"""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from meldpunt.hashes.models import HashList, KnownHash
from meldpunt.hashes.selectors import hash_lists_with_counts
from meldpunt.hashes.services import hash_list_remove, hash_revision_bump


class KnownHashInline(admin.TabularInline):
    model = KnownHash
    fields = ["algorithm", "value", "added_at"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = False
    # A list may hold millions of hashes: show a sample, never all of them.
    classes = ["collapse"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[KnownHash]:
        sample = super().get_queryset(request).order_by("pk").values_list("pk", flat=True)[:50]
        return super().get_queryset(request).filter(pk__in=list(sample))


@admin.register(HashList)
class HashListAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "source",
        "is_active",
        "total",
        "count_sha256",
        "count_sha1",
        "count_md5",
        "count_pdq",
        "imported_at",
    ]
    list_filter = ["is_active"]
    search_fields = ["name", "source", "description"]
    readonly_fields = ["created_at", "imported_at"]
    inlines = [KnownHashInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[HashList]:
        return hash_lists_with_counts()

    @admin.display(description=_("hashes"), ordering="total")
    def total(self, hash_list: HashList) -> int:
        return hash_list.total

    @admin.display(description="SHA-256")
    def count_sha256(self, hash_list: HashList) -> int:
        return hash_list.count_sha256

    @admin.display(description="SHA-1")
    def count_sha1(self, hash_list: HashList) -> int:
        return hash_list.count_sha1

    @admin.display(description="MD5")
    def count_md5(self, hash_list: HashList) -> int:
        return hash_list.count_md5

    @admin.display(description="PDQ")
    def count_pdq(self, hash_list: HashList) -> int:
        return hash_list.count_pdq

    def save_model(self, request: HttpRequest, obj: HashList, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if "is_active" in form.changed_data:
            hash_revision_bump()

    def delete_model(self, request: HttpRequest, obj: HashList) -> None:
        hash_list_remove(hash_list=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[HashList]) -> None:
        for hash_list in queryset:
            hash_list_remove(hash_list=hash_list)
