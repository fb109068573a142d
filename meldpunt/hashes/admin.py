"""Hash lists in the admin: edit the description and switch lists on or off; hashes read-only.

Hashes come in only through ``meldpunt hashes import`` (validated, all or
nothing); the admin never edits them one by one, it can only retire and
restore them. Every change here that affects matching goes through the
services, so the PDQ index of every process is rebuilt and the change is
audited.
"""

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from meldpunt.hashes.models import HashCheckClient, HashCheckUsage, HashList, KnownHash
from meldpunt.hashes.selectors import hash_lists_with_counts
from meldpunt.hashes.services import (
    KnownHashRefused,
    hash_list_activate,
    hash_list_remove,
    known_hash_restore,
    known_hash_retire,
)


class KnownHashInline(admin.TabularInline):
    model = KnownHash
    fields = ["algorithm", "value", "is_retired", "added_at"]
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
    actions = ["lists_activate", "lists_deactivate"]

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
        """Other fields are saved as edited; the switch goes through the audited service."""
        if not change or "is_active" not in form.changed_data:
            super().save_model(request, obj, form, change)
            return
        wanted = obj.is_active
        obj.is_active = form.initial["is_active"]
        super().save_model(request, obj, form, change)
        hash_list_activate(hash_list=obj, is_active=wanted, actor=request.user)

    def _lists_switch(self, request: HttpRequest, queryset: QuerySet, *, is_active: bool) -> None:
        changed = sum(
            hash_list_activate(hash_list=hash_list, is_active=is_active, actor=request.user)
            for hash_list in queryset
        )
        self.message_user(
            request,
            ngettext("%(count)d list switched.", "%(count)d lists switched.", changed)
            % {"count": changed},
        )

    @admin.action(description=_("Switch selected lists on"), permissions=["change"])
    def lists_activate(self, request: HttpRequest, queryset: QuerySet[HashList]) -> None:
        self._lists_switch(request, queryset, is_active=True)

    @admin.action(description=_("Switch selected lists off"), permissions=["change"])
    def lists_deactivate(self, request: HttpRequest, queryset: QuerySet[HashList]) -> None:
        self._lists_switch(request, queryset, is_active=False)

    def get_deleted_objects(self, objs, request: HttpRequest):
        """A list's hashes go with it (``hash_list_remove``), although they cannot be
        deleted one by one in their own admin."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        return deleted, counts, perms_needed - {KnownHash._meta.verbose_name}, protected

    def delete_model(self, request: HttpRequest, obj: HashList) -> None:
        hash_list_remove(hash_list=obj, actor=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[HashList]) -> None:
        for hash_list in queryset:
            hash_list_remove(hash_list=hash_list, actor=request.user)


@admin.register(KnownHash)
class KnownHashAdmin(admin.ModelAdmin):
    """Find one hash (by its exact value) and retire or restore it; nothing else is editable.

    Search is by exact value only, so it uses the ``known_hash_lookup`` index
    however large the lists are.
    """

    list_display = ["value", "algorithm", "hash_list", "is_retired", "added_at"]
    list_filter = ["is_retired", "algorithm"]
    list_select_related = ["hash_list"]
    search_fields = ["=value"]
    search_help_text = _("The whole hash, in hexadecimal (upper or lower case).")
    show_full_result_count = False
    actions = ["hashes_retire", "hashes_restore"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: KnownHash | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: KnownHash | None = None) -> bool:
        return False

    def has_retire_permission(self, request: HttpRequest) -> bool:
        """Rows are never edited here; whoever may change them may retire and restore them."""
        return request.user.has_perm("hashes.change_knownhash")

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str):
        return super().get_search_results(request, queryset, search_term.strip().lower())

    def _apply(self, request: HttpRequest, queryset: QuerySet[KnownHash], *, retire: bool) -> None:
        done = 0
        for known in queryset.select_related("hash_list"):
            arguments = {
                "hash_list": known.hash_list,
                "algorithm": known.algorithm,
                "value": known.value,
                "actor": request.user,
            }
            try:
                if retire:
                    known_hash_retire(**arguments, reason="admin")
                else:
                    known_hash_restore(**arguments)
            except KnownHashRefused as refused:
                self.message_user(
                    request, f"{known.hash_list.name} {known}: {refused.message}", messages.WARNING
                )
            else:
                done += 1
        template = (
            ngettext("%(count)d hash retired.", "%(count)d hashes retired.", done)
            if retire
            else ngettext("%(count)d hash restored.", "%(count)d hashes restored.", done)
        )
        self.message_user(request, template % {"count": done})

    @admin.action(description=_("Retire selected hashes"), permissions=["retire"])
    def hashes_retire(self, request: HttpRequest, queryset: QuerySet[KnownHash]) -> None:
        self._apply(request, queryset, retire=True)

    @admin.action(description=_("Restore selected hashes"), permissions=["retire"])
    def hashes_restore(self, request: HttpRequest, queryset: QuerySet[KnownHash]) -> None:
        self._apply(request, queryset, retire=False)


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
