"""The admin shows lists with counts, keeps hashes read-only and refreshes the index."""

import hashlib

import pytest
from django.test import Client

from meldpunt.hashes.models import HashList, KnownHash
from meldpunt.hashes.selectors import hash_revision_current
from meldpunt.hashes.services import hash_list_create, hash_list_import
from meldpunt.testing import make_staff, sign_in
from meldpunt.vault.models import Role, StaffUser

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


def test_deleting_in_the_admin_removes_the_hashes(admin_client, police):
    admin_client.post(f"/staff/admin/hashes/hashlist/{police.pk}/delete/", {"post": "yes"})
    assert not HashList.objects.exists() and not KnownHash.objects.exists()
