"""Partners in the admin: validation of kinds, members limited to partner users, audited changes."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from meldpunt.lines.models import Municipality
from meldpunt.testing import make_line, make_staff, sign_in
from meldpunt.vault.models import AuditEvent, Role, StaffUser

from ..models import Partner, PartnerKind, PartnerMembership

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": PartnerKind.MUNICIPALITY}, "municipality"),
        ({"kind": PartnerKind.FOREIGN_HOTLINE}, "country"),
        ({"kind": PartnerKind.FOREIGN_HOTLINE, "country": "D3"}, "country"),
        ({"kind": PartnerKind.POLICE, "municipality_code": "GM0363"}, "municipality"),
    ],
)
def test_a_partner_must_say_what_its_kind_needs(fields, field):
    if fields.pop("municipality_code", None):
        fields["municipality"] = Municipality.objects.create(code="GM0363", name="Amsterdam")
    partner = Partner(name="X", **fields)
    with pytest.raises(ValidationError) as error:
        partner.full_clean()
    assert field in error.value.message_dict


def test_a_valid_foreign_hotline_keeps_its_country_in_capitals():
    partner = Partner(name="eco", kind=PartnerKind.FOREIGN_HOTLINE, country="de")
    partner.full_clean()
    assert partner.country == "DE"


def test_only_partner_users_can_be_members():
    partner = Partner.objects.create(name="Politie", kind=PartnerKind.POLICE)
    membership = PartnerMembership(partner=partner, user=make_staff(role=Role.ANALYST))
    with pytest.raises(ValidationError):
        membership.full_clean()
    PartnerMembership(partner=partner, user=make_staff(role=Role.PARTNER)).full_clean()


def test_administrators_add_partners_with_members_and_it_is_audited():
    line = make_line()
    member = make_staff(role=Role.PARTNER)
    analyst = make_staff(role=Role.ANALYST)
    admin = make_staff(role=Role.ADMINISTRATOR)
    StaffUser.objects.filter(pk=admin.pk).update(is_staff=True, is_superuser=True)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    sign_in(client, admin)
    form = {
        "name": "Politie Eenheid Utrecht",
        "kind": PartnerKind.POLICE,
        "is_active": "on",
        "country": "",
        "municipality": "",
        "fee_per_forward": "0.00",
        "delivery_channel": "portal",
        "lines": [line.pk],
        "memberships-TOTAL_FORMS": "1",
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
        "memberships-0-user": analyst.pk,
    }
    refused = client.post("/staff/admin/network/partner/add/", form)
    assert refused.status_code == 200  # the form again, with the error
    assert not Partner.objects.exists()

    added = client.post(
        "/staff/admin/network/partner/add/", form | {"memberships-0-user": member.pk}
    )
    assert added.status_code == 302
    partner = Partner.objects.get()
    assert list(partner.lines.all()) == [line]
    assert [m.user for m in partner.memberships.all()] == [member]
    actions = set(
        AuditEvent.objects.filter(target_type="network.partner").values_list("action", flat=True)
    )
    assert actions == {"admin.add", "partner.member_add"}
    added_event = AuditEvent.objects.get(action="admin.add", target_type="network.partner")
    assert added_event.target_id == str(partner.pk) and "name" in added_event.details["fields"]
