"""The admin shows lists with counts, keeps hashes read-only and refreshes the index."""

import hashlib

import pytest
from django.test import Client

from meldpunt.hashes import matching
from meldpunt.hashes.models import HashList, KnownHash
from meldpunt.hashes.selectors import hash_revision_current
from meldpunt.hashes.services import hash_list_create, hash_list_import
from meldpunt.testing import make_staff, sign_in
from meldpunt.vault.models import AuditEvent, Role, StaffUser

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client():
    admin = make_staff(role=Role.ADMINISTRATOR)
    StaffUser.objects.filter(pk=admin.pk).update(is_staff=True, is_superuser=True)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    sign_in(client, admin)
    return client


@pytest.fixture
def police(tmp_path):
    path = tmp_path / "police.txt"
    path.write_text("".join(hashlib.md5(bytes([i])).hexdigest() + "\n" for i in range(3)))
    hash_list = hash_list_create(name="police", source="Politie")
    hash_list_import(hash_list=hash_list, path=path)
    return hash_list


def test_changelist_shows_counts_per_algorithm(admin_client, police):
    page = admin_client.get("/staff/admin/hashes/hashlist/")
    assert page.status_code == 200
    assert b"police" in page.content and b'<td class="field-count_md5">3</td>' in page.content


def test_switching_a_list_off_in_the_admin_changes_the_revision(admin_client, police):
    before = hash_revision_current()
    page = admin_client.get(f"/staff/admin/hashes/hashlist/{police.pk}/change/")
    assert page.status_code == 200
    assert b'name="hashes-0-value"' not in page.content  # hashes are read-only
    form = {
        "name": "police",
        "description": "",
        "source": "Politie",
        "source_reference": "",
        "created_at_0": "2026-12-01",
        "created_at_1": "10:00:00",
        "hashes-TOTAL_FORMS": "3",
        "hashes-INITIAL_FORMS": "3",
        "hashes-MIN_NUM_FORMS": "0",
        "hashes-MAX_NUM_FORMS": "0",
    }
    for number, known in enumerate(KnownHash.objects.order_by("pk")):
        form[f"hashes-{number}-id"] = known.pk
        form[f"hashes-{number}-hash_list"] = police.pk
    saved = admin_client.post(f"/staff/admin/hashes/hashlist/{police.pk}/change/", form)
    assert saved.status_code == 302, saved.content[:2000]
    assert HashList.objects.get().is_active is False
    assert KnownHash.objects.count() == 3
    assert hash_revision_current() != before
    event = AuditEvent.objects.get(action="hashes.list_deactivate")
    assert event.target_id == str(police.pk) and event.actor.is_superuser


def test_deleting_in_the_admin_removes_the_hashes(admin_client, police):
    admin_client.post(f"/staff/admin/hashes/hashlist/{police.pk}/delete/", {"post": "yes"})
    assert not HashList.objects.exists() and not KnownHash.objects.exists()


def test_lists_are_switched_off_and_on_by_admin_actions_audited(admin_client, police):
    changelist = "/staff/admin/hashes/hashlist/"
    for action, active in (("lists_deactivate", False), ("lists_activate", True)):
        response = admin_client.post(changelist, {"action": action, "_selected_action": police.pk})
        assert response.status_code == 302
        assert HashList.objects.get().is_active is active
    switches = AuditEvent.objects.filter(
        action__in=["hashes.list_deactivate", "hashes.list_activate"]
    )
    assert [event.action for event in switches.order_by("sequence")] == [
        "hashes.list_deactivate",
        "hashes.list_activate",
    ]


def test_the_admin_finds_a_hash_by_value_and_retires_and_restores_it(admin_client, police):
    known = KnownHash.objects.order_by("pk").first()
    changelist = "/staff/admin/hashes/knownhash/"
    found = admin_client.get(changelist, {"q": known.value.upper()})
    assert found.status_code == 200
    assert known.value.encode() in found.content
    others = KnownHash.objects.exclude(pk=known.pk).values_list("value", flat=True)
    assert not any(value.encode() in found.content for value in others)
    assert matching.hashes_match_exact({"md5": known.value})
    for action, retired in (("hashes_retire", True), ("hashes_restore", False)):
        response = admin_client.post(changelist, {"action": action, "_selected_action": known.pk})
        assert response.status_code == 302
        known.refresh_from_db()
        assert known.is_retired is retired
        assert bool(matching.hashes_match_exact({"md5": known.value})) is not retired
    events = AuditEvent.objects.filter(target_type="hashes.knownhash").order_by("sequence")
    assert [(e.action, e.target_id) for e in events] == [
        ("hashes.hash_retire", str(known.pk)),
        ("hashes.hash_restore", str(known.pk)),
    ]
    assert KnownHash.objects.count() == 3  # nothing deleted
