"""The installation's own list: added with provenance, retired and restored, audited."""

import hashlib

import pytest

from meldpunt.hashes import matching
from meldpunt.hashes.models import HashList, KnownHash, OwnListEntry
from meldpunt.hashes.services import (
    OwnListRefused,
    own_entry_restore,
    own_entry_retire,
    own_list,
    own_list_add,
)
from meldpunt.testing import make_staff
from meldpunt.vault.audit import audit_verify
from meldpunt.vault.models import AuditEvent

from . import pictures

pytestmark = pytest.mark.django_db


def _picture(seed: int) -> tuple[str, str, int]:
    image = pictures.picture(seed)
    pdq, quality = pictures.pdq(image)
    return hashlib.sha256(pictures.jpeg(image)).hexdigest(), pdq, quality


def _add(seed: int, actor, reference: str = "report R-1, address 1, page item 1"):
    sha256, pdq, quality = _picture(seed)
    return own_list_add(
        hashes=[("sha256", sha256), ("pdq", pdq)],
        pdq_quality=quality,
        source="hotline",
        reference=reference,
        actor=actor,
    )


def test_the_own_list_is_made_on_first_use_once():
    assert not HashList.objects.filter(is_own=True).exists()
    first = own_list()
    assert (first.is_own, first.is_active, first.name) == (True, True, "own")
    assert own_list() == first
    assert HashList.objects.filter(is_own=True).count() == 1


def test_an_added_item_is_matched_with_its_provenance_and_audited():
    analyst = make_staff()
    entry = _add(1, analyst)
    sha256, pdq, quality = _picture(1)
    assert (entry.source, entry.reference, entry.added_by) == (
        "hotline",
        "report R-1, address 1, page item 1",
        analyst,
    )
    assert entry.added_at is not None and entry.added_at.second is not None
    assert sorted(entry.hashes.values_list("algorithm", flat=True)) == ["pdq", "sha256"]
    assert [m.list_name for m in matching.hashes_match_exact({"sha256": sha256})] == ["own"]
    recompressed, recompressed_quality = pictures.pdq(pictures.recompressed(pictures.picture(1)))
    assert [
        m.list_name for m in matching.hashes_match_pdq(recompressed, quality=recompressed_quality)
    ] == ["own"]
    event = AuditEvent.objects.get(action="hashes.own_add")
    assert (event.target_type, event.target_id, event.actor) == (
        "hashes.ownlistentry",
        str(entry.pk),
        analyst,
    )
    assert event.details["reference"] == entry.reference


def test_a_retired_hash_is_no_longer_matched_and_a_restored_one_is_again():
    analyst, supervisor = make_staff(), make_staff()
    entry = _add(2, analyst)
    sha256, pdq, quality = _picture(2)
    assert matching.hashes_match(exact={"sha256": sha256}, pdq=pdq, pdq_quality=quality)

    own_entry_retire(entry=entry, actor=supervisor, reason="adult, not a child")
    entry.refresh_from_db()
    assert (entry.retired_by, entry.retire_reason) == (supervisor, "adult, not a child")
    assert matching.hashes_match(exact={"sha256": sha256}, pdq=pdq, pdq_quality=quality) == []
    # The bulk paths of the hash-check API skip it too.
    assert not len(matching.exact_index("sha256"))
    assert not len(matching.pdq_index())
    assert KnownHash.objects.filter(is_retired=True).count() == 2  # kept, not deleted

    own_entry_restore(entry=entry, actor=supervisor)
    entry.refresh_from_db()
    assert entry.retired_at is None and entry.retire_reason == ""
    assert [m.method for m in matching.hashes_match(exact={"sha256": sha256})] == ["sha256"]
    assert len(matching.exact_index("sha256")) == 1
    actions = list(
        AuditEvent.objects.filter(target_type="hashes.ownlistentry").values_list(
            "action", flat=True
        )
    )
    assert actions == ["hashes.own_add", "hashes.own_retire", "hashes.own_restore"]
    assert AuditEvent.objects.get(action="hashes.own_retire").details["reason"] == (
        "adult, not a child"
    )
    assert audit_verify().is_intact


def test_retiring_twice_or_restoring_what_is_not_retired_is_refused():
    analyst = make_staff()
    entry = _add(3, analyst)
    with pytest.raises(OwnListRefused) as refused:
        own_entry_restore(entry=entry, actor=analyst)
    assert refused.value.code == "not_retired"
    own_entry_retire(entry=entry, actor=analyst, reason="mistake")
    with pytest.raises(OwnListRefused) as refused:
        own_entry_retire(entry=entry, actor=analyst, reason="again")
    assert refused.value.code == "retired"
    assert AuditEvent.objects.filter(action="hashes.own_retire").count() == 1


def test_a_hash_shared_by_two_entries_stays_matched_until_both_are_retired():
    analyst = make_staff()
    first = _add(4, analyst, "first address")
    second = _add(4, analyst, "second address")
    assert KnownHash.objects.filter(hash_list__is_own=True).count() == 2  # stored once
    sha256 = _picture(4)[0]
    own_entry_retire(entry=first, actor=analyst, reason="mistake")
    assert matching.hashes_match_exact({"sha256": sha256})
    own_entry_retire(entry=second, actor=analyst, reason="mistake")
    assert matching.hashes_match_exact({"sha256": sha256}) == []


def test_bad_hashes_are_skipped_and_an_item_without_any_is_refused():
    analyst = make_staff()
    sha256, pdq, _quality = _picture(5)
    with pytest.raises(OwnListRefused) as refused:
        own_list_add(
            hashes=[("sha256", "not hex"), ("sha256", sha256[:-2]), ("crc32", "00ff")],
            pdq_quality=None,
            source="hotline",
            reference="x",
            actor=analyst,
        )
    assert refused.value.code == "no_hashes"
    assert not OwnListEntry.objects.exists()
    # A PDQ hash of unknown or low quality would match featureless pictures: left off.
    entry = own_list_add(
        hashes=[("sha256", sha256.upper()), ("pdq", pdq)],
        pdq_quality=10,
        source="hotline",
        reference="x",
        actor=analyst,
    )
    assert list(entry.hashes.values_list("algorithm", "value")) == [("sha256", sha256)]
