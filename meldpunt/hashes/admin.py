"""Hash lists in the admin: edit the description and switch lists on or off; hashes read-only.

Hashes come in only through ``meldpunt hashes import`` (validated, all or
nothing); the admin never edits them one by one. Every change here that
affects matching goes through the services, so the PDQ index of every
process is rebuilt.
"""

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from meldpunt.hashes.models import HashCheckClient, HashCheckUsage, HashList, KnownHash
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
        "public_label",
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
    search_fields = ["name", "source", "description", "public_label"]
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


class HashCheckClientForm(forms.ModelForm):
    class Meta:
        model = HashCheckClient
        fields = ["name", "contact", "is_active", "hash_lists", "daily_quota"]

    def clean_hash_lists(self) -> QuerySet[HashList]:
        """A client is only ever told public labels, so each of its lists needs one."""
        hash_lists = self.cleaned_data["hash_lists"]
        unlabelled = sorted(h.name for h in hash_lists if not h.public_label)
        if unlabelled:
            raise forms.ValidationError(
                _("These lists have no public label yet: %(names)s."),
                params={"names": ", ".join(unlabelled)},
            )
        return hash_lists


class HashCheckUsageInline(admin.TabularInline):
    model = HashCheckUsage
    fields = ["day", "items", "requests"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[HashCheckUsage]:
        recent = super().get_queryset(request).order_by("-day").values_list("pk", flat=True)[:31]
        return super().get_queryset(request).filter(pk__in=list(recent)).order_by("-day")


@admin.register(HashCheckClient)
class HashCheckClientAdmin(admin.ModelAdmin):
    """Clients of the hash-check API. Their tokens are made and replaced on the command line
    (``meldpunt hashes client create|rotate``), which shows a token once; the admin never
    shows one and cannot create a client, since it would have nowhere safe to show its token.
    """

    form = HashCheckClientForm
    list_display = ["name", "is_active", "daily_quota", "token_issued_at", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "contact"]
    filter_horizontal = ["hash_lists"]
    readonly_fields = ["token_issued_at", "created_at"]
    inlines = [HashCheckUsageInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
