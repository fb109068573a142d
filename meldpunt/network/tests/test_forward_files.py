"""Issue 13, items 4 and 7: files in forwards and members who join or leave later.

Reports come in through the real intake path (files cleaned in the sandbox,
known material matched against a real hash list); forwards are made and
read through the web pages with real crypto, files decrypted per request.
"""

import hashlib
import io
from pathlib import Path

import pytest
from django.core.files.storage import storages
from django.test import Client
from django.urls import reverse

from meldpunt.cases.models import Case
from meldpunt.cases.services import case_claim, case_triage
from meldpunt.evidence.models import EvidenceFile
from meldpunt.hashes.services import hash_list_create, hash_list_import
from meldpunt.hashes.tests import pictures
from meldpunt.intake.services import IncomingFile, report_submit
from meldpunt.testing import make_category, make_staff, sign_in
from meldpunt.vault import blobs
from meldpunt.vault.models import AuditEvent, KeyGrant, Role, StaffKey

from ..models import Forward, ForwardFile
from ..services import ForwardError, forward_create
from .factories import add_member, key_of, make_partner

pytestmark = pytest.mark.django_db

STORY = "Er staat elke nacht een wit busje bij de loods achter het station."
KNOWN_LIST = "politie-2026"


@pytest.fixture
def world(tmp_path):
    known = pictures.jpeg(pictures.picture(31))
    hashes = tmp_path / "known.txt"
    hashes.write_text(hashlib.md5(known, usedforsecurity=False).hexdigest() + "\n")
    hash_list_import(hash_list=hash_list_create(name=KNOWN_LIST), path=hashes)

    class World:
        category = make_category()
        line = category.line
        analyst = make_staff(lines=[line])
        partner = make_partner(lines=[line])
        member = partner.memberships.get().user
        other = make_partner(lines=[line], name="FIOD")
        other_member = other.memberships.get().user

    report = report_submit(
        category=World.category,
        answers={"what": STORY},
        questions={"what": "Wat is er aan de hand?"},
        files=[
            IncomingFile(
                source=io.BytesIO(pictures.jpeg(pictures.picture(32))),
                name="foto-van-jan-de-vries.jpg",
                question_key="files",
            ),
            IncomingFile(source=io.BytesIO(b"kenteken en tijden\n"), name="aantekeningen.txt"),
            IncomingFile(source=io.BytesIO(known), name="bekend.jpg", question_key="files"),
        ],
    ).report
    case_claim(report=report, actor=World.analyst, version=0)
    case_triage(report=report, actor=World.analyst, version=1, outcome="usable")
    World.report = report
    photo, notes, known_file = EvidenceFile.objects.filter(attachment__report=report).order_by("pk")
    World.photo, World.notes, World.known = photo, notes, known_file
    assert known_file.matches.exists() and not photo.matches.exists()
    return World


def _client(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    sign_in(client, user)
    return client


def _forward(client: Client, world, *, files: list, partners: list | None = None, **extra):
    """Open the prepare page (which makes the draft) and post the forward."""
    page = client.get(reverse("network:prepare", args=[world.report.pk]))
    assert page.status_code == 200
    data = {
        "partner": [p.pk for p in partners or [world.partner]],
        "version": 1,
        "case_version": Case.objects.get(report=world.report).version,
        "override_reason": "",
        "files": [f.pk for f in files],
    } | extra
    return client.post(reverse("network:forward", args=[world.report.pk]), data)


def _cleaned_bytes(world, evidence: EvidenceFile) -> bytes:
    return blobs.blob_read_all(key=key_of(world.report, world.analyst), name=evidence.blob_name)


def _file_url(forward: Forward, number: int) -> str:
    return reverse("partner:file", args=[forward.pk, number])


def test_chosen_files_reach_the_partner_and_decrypt_an_unchosen_one_does_not(world):
    analyst = _client(world.analyst)
    page = analyst.get(reverse("network:prepare", args=[world.report.pk])).content.decode()
    assert f'name="files" value="{world.photo.pk}"' in page
    assert f'name="files" value="{world.notes.pk}"' in page
    assert f'value="{world.known.pk}"' not in page  # known material gets no box
    assert f"{KNOWN_LIST} (1)" in page

    assert _forward(analyst, world, files=[world.photo]).status_code == 302
    forward = Forward.objects.get()
    stored = ForwardFile.objects.get(forward=forward)
    assert (stored.number, stored.media_type) == (1, "image/jpeg")
    # Encrypted under the forward's own key, not the report's: a blob of its own.
    assert stored.blob_name != world.photo.blob_name
    event = AuditEvent.objects.get(action="case.forward")
    assert (event.details["files"], event.details["known_files"]) == (1, 1)

    member = _client(world.member)
    detail = member.get(reverse("partner:forward", args=[forward.pk])).content.decode()
    assert "attachment-1.jpg" in detail and "foto-van-jan-de-vries" not in detail
    # Known material is mentioned with its list, never sent.
    assert f"matched the list(s) {KNOWN_LIST}; it is not forwarded as a file." in detail

    download = member.get(_file_url(forward, 1))
    assert download.status_code == 200
    assert download.content == _cleaned_bytes(world, world.photo)
    assert download["Content-Type"] == "image/jpeg"
    assert download["Content-Disposition"] == 'attachment; filename="attachment-1.jpg"'
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Cache-Control"] == "no-store, private"
    assert AuditEvent.objects.filter(action="forward.file_download", actor=world.member).exists()

    # The notes were not chosen: there is no second file, and nothing of them left.
    assert member.get(_file_url(forward, 2)).status_code == 404
    assert b"kenteken en tijden" not in download.content
    assert _cleaned_bytes(world, world.notes) == b"kenteken en tijden\n"


def test_a_text_file_keeps_its_extension_under_the_neutral_name(world):
    # Its media type has a parameter (text/plain; charset=utf-8); it once left as ".bin".
    assert world.notes.media_type.startswith("text/plain;")
    assert _forward(_client(world.analyst), world, files=[world.notes]).status_code == 302
    forward = Forward.objects.get()
    member = _client(world.member)
    detail = member.get(reverse("partner:forward", args=[forward.pk])).content.decode()
    assert "attachment-1.txt" in detail and "aantekeningen" not in detail
    download = member.get(_file_url(forward, 1))
    assert download["Content-Disposition"] == 'attachment; filename="attachment-1.txt"'
    assert download.content == b"kenteken en tijden\n"


def test_a_known_material_file_cannot_be_chosen_and_nothing_is_made(world):
    analyst = _client(world.analyst)
    refused = _forward(analyst, world, files=[world.photo, world.known])
    assert refused.status_code == 400
    assert "Known material is never forwarded as a file" in refused.content.decode()
    assert KNOWN_LIST in refused.content.decode()
    assert not Forward.objects.exists() and not ForwardFile.objects.exists()

    # The service refuses it too (a match may be recorded after the page was shown).
    with pytest.raises(ForwardError, match="Known material is never forwarded"):
        forward_create(
            report=world.report,
            partners=[world.partner],
            actor=world.analyst,
            key_bytes=key_of(world.report, world.analyst),
            draft_version=1,
            case_version=Case.objects.get(report=world.report).version,
            files=[world.known],
        )
    assert not Forward.objects.exists()


def test_a_file_of_another_report_is_refused(world):
    stranger = report_submit(
        category=world.category,
        answers={"what": "iets anders"},
        questions={"what": "Wat?"},
        files=[IncomingFile(source=io.BytesIO(b"ander bestand\n"), name="x.txt")],
    ).report
    foreign = EvidenceFile.objects.get(attachment__report=stranger)
    refused = _forward(_client(world.analyst), world, files=[foreign])
    assert refused.status_code == 400
    assert not Forward.objects.exists()


def _blob_files() -> set[Path]:
    return {path for path in Path(storages["blobs"].path("")).rglob("*") if path.is_file()}


def test_a_failed_forward_leaves_no_file_behind(world):
    """The files are written before the case check; its refusal deletes them again."""
    before = _blob_files()
    stale = _forward(_client(world.analyst), world, files=[world.photo], case_version=0)
    assert stale.status_code == 409
    assert not Forward.objects.exists()
    assert _blob_files() == before


def test_another_partners_member_cannot_download(world):
    analyst = _client(world.analyst)
    _forward(analyst, world, files=[world.photo])
    forward = Forward.objects.get()
    other = _client(world.other_member)
    assert other.get(_file_url(forward, 1)).status_code == 404
    assert other.get(reverse("partner:forward", args=[forward.pk])).status_code == 404
    assert other.post(reverse("partner:reseal", args=[world.partner.pk])).status_code == 404
    # Staff never reach the portal, not even the analyst who forwarded it.
    assert analyst.get(_file_url(forward, 1)).status_code == 404
    assert not AuditEvent.objects.filter(action="forward.file_download").exists()


def test_a_member_who_joins_later_reads_after_a_colleague_re_seals_and_not_before(world):
    _forward(_client(world.analyst), world, files=[world.photo])
    forward = Forward.objects.get()
    newcomer = add_member(world.partner)
    late = _client(newcomer)
    assert late.get(reverse("partner:forward", args=[forward.pk])).status_code == 403
    assert late.get(_file_url(forward, 1)).status_code == 403

    member = _client(world.member)
    inbox = member.get(reverse("partner:inbox")).content.decode()
    assert f"{newcomer.username} joined {world.partner.name} after 1 forward was made" in inbox
    resealed = member.post(reverse("partner:reseal", args=[world.partner.pk]), follow=True)
    assert "1 earlier forward can now be read by your colleagues." in resealed.content.decode()
    event = AuditEvent.objects.get(action="forward.reseal")
    assert event.actor == world.member
    assert event.details["users"] == [newcomer.username] and event.details["grants"] == 1

    assert late.get(reverse("partner:forward", args=[forward.pk])).status_code == 200
    assert late.get(_file_url(forward, 1)).content == _cleaned_bytes(world, world.photo)
    # Nothing left to do: the notice is gone and a second press adds nothing.
    assert newcomer.username not in member.get(reverse("partner:inbox")).content.decode()
    member.post(reverse("partner:reseal", args=[world.partner.pk]))
    assert KeyGrant.objects.filter(data_key=forward.data_key).count() == 2


def test_a_member_who_joined_later_cannot_re_seal_what_they_cannot_open(world):
    _forward(_client(world.analyst), world, files=[])
    forward = Forward.objects.get()
    first, second = add_member(world.partner), add_member(world.partner)
    _client(first).post(reverse("partner:reseal", args=[world.partner.pk]))
    holders = KeyGrant.objects.filter(data_key=forward.data_key).values_list("user", flat=True)
    assert list(holders) == [world.member.pk]
    assert AuditEvent.objects.get(action="forward.reseal").details["not_shareable"] == 1
    assert _client(second).get(reverse("partner:forward", args=[forward.pk])).status_code == 403


def test_a_removed_member_loses_earlier_forwards_and_is_not_sealed_for_later_ones(world):
    stays = add_member(world.partner)
    analyst = _client(world.analyst)
    _forward(analyst, world, files=[world.photo])
    earlier = Forward.objects.get()
    admin = make_staff(role=Role.ADMINISTRATOR)
    type(admin).objects.filter(pk=admin.pk).update(is_staff=True, is_superuser=True)
    membership = world.partner.memberships.get(user=world.member)
    removed = _client(admin).post(
        f"/staff/admin/network/partnermembership/{membership.pk}/delete/", {"post": "yes"}
    )
    assert removed.status_code == 302
    event = AuditEvent.objects.get(action="partner.member_remove")
    assert event.details == {"user": world.member.username, "grants_removed": 1}
    assert not KeyGrant.objects.filter(user=world.member, data_key=earlier.data_key).exists()
    assert _client(world.member).get(_file_url(earlier, 1)).status_code == 404

    # A later forward is sealed for the members of that moment only.
    world.report.refresh_from_db()
    analyst.get(reverse("network:prepare", args=[world.report.pk]))
    analyst.post(
        reverse("network:forward", args=[world.report.pk]),
        {
            "partner": [world.partner.pk],
            "version": 1,
            "case_version": Case.objects.get(report=world.report).version,
            "files": [world.photo.pk],
        },
    )
    later = Forward.objects.exclude(pk=earlier.pk).get()
    holders = set(KeyGrant.objects.filter(data_key=later.data_key).values_list("user", flat=True))
    assert holders == {stays.pk}


@pytest.mark.parametrize("missing", ["members", "key"])
def test_a_partner_nobody_can_read_for_is_refused_with_the_reason(world, missing):
    if missing == "members":
        world.partner.memberships.all().delete()
    else:
        StaffKey.objects.filter(user=world.member).delete()
    refused = _forward(_client(world.analyst), world, files=[world.photo])
    assert refused.status_code == 400
    assert (
        f"Nobody at {world.partner.name} can read a forward yet (no active member with a key)."
        in refused.content.decode()
    )
    assert not Forward.objects.exists() and not ForwardFile.objects.exists()
