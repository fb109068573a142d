"""Configuration of partners and their members (forwards themselves are not edited here)."""

from django.contrib import admin
from django.http import HttpRequest

from meldpunt.vault.audit import audit_record

from .models import Partner, PartnerCountry, PartnerHotlineExchange, PartnerMembership, RoutingRule
from .services import partner_member_grants_revoke


class MembershipInline(admin.TabularInline):
    model = PartnerMembership
    extra = 0


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "kind",
        "country",
        "municipality",
        "is_active",
        "connected_until",
        "delivery_channel",
    ]
    list_filter = ["kind", "is_active", "lines"]
    search_fields = ["name"]
    filter_horizontal = ["lines"]
    inlines = [MembershipInline]

    # Adding and changing a partner is audited like every admin write (vault.adminsite);
    # membership events also name the person, since they decide who reads future forwards.
    def save_formset(self, request: HttpRequest, form, formset, change: bool) -> None:
        """Membership decides who can read future forwards: every change is audited."""
        super().save_formset(request, form, formset, change)
        for membership in formset.new_objects:
            audit_record(
                actor=request.user,
                action="partner.member_add",
                target=form.instance,
                details={"user": membership.user.get_username()},
            )
        for membership in formset.deleted_objects:
            revoked = partner_member_grants_revoke(partner=form.instance, user=membership.user)
            audit_record(
                actor=request.user,
                action="partner.member_remove",
                target=form.instance,
                details={"user": membership.user.get_username(), "grants_removed": revoked},
            )


@admin.register(PartnerMembership)
class PartnerMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "partner"]
    list_filter = ["partner"]

    def save_model(self, request: HttpRequest, obj: PartnerMembership, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action="partner.member_add",
            target=obj.partner,
            details={"user": obj.user.get_username()},
        )

    def delete_model(self, request: HttpRequest, obj: PartnerMembership) -> None:
        revoked = partner_member_grants_revoke(partner=obj.partner, user=obj.user)
        audit_record(
            actor=request.user,
            action="partner.member_remove",
            target=obj.partner,
            details={"user": obj.user.get_username(), "grants_removed": revoked},
        )
        super().delete_model(request, obj)


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ["line", "category", "municipality", "recipient", "partner", "partner_kind"]
    list_filter = ["line", "recipient"]
    autocomplete_fields = ["municipality"]


@admin.register(PartnerHotlineExchange)
class PartnerHotlineExchangeAdmin(admin.ModelAdmin):
    """A partner hotline's public key and the category its reports go to (docs/hotline.md).

    The API token is issued with ``meldpunt hotline_exchange token``, never shown here.
    """

    list_display = ["partner", "category", "token_issued_at"]
    readonly_fields = ["token_issued_at"]


@admin.register(PartnerCountry)
class PartnerCountryAdmin(admin.ModelAdmin):
    """The INHOPE country list: which partner hotline material hosted in a country goes to."""

    list_display = ["code", "name", "member_hotlines", "partner"]
    list_filter = [("partner", admin.EmptyFieldListFilter)]
    search_fields = ["code", "name", "member_hotlines"]
