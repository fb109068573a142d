"""Matching: exact look-ups, PDQ near-duplicates with real pictures, vPDQ, index refresh."""

import hashlib

import pytest

from meldpunt.hashes import matching
from meldpunt.hashes.models import Algorithm, HashList, KnownHash
from meldpunt.hashes.services import (
    hash_list_activate,
    hash_list_create,
    hash_list_import,
    hash_list_remove,
)

from . import pictures

pytestmark = pytest.mark.django_db


def _import(tmp_path, name: str, lines: list[str], algorithm: str | None = None) -> HashList:
    path = tmp_path / f"{name}.txt"
    path.write_text("\n".join(lines) + "\n")
    hash_list = HashList.objects.filter(name=name).first() or hash_list_create(name=name)
    hash_list_import(hash_list=hash_list, path=path, algorithm=algorithm)
    return hash_list


def test_exact_hashes_match_their_list_only(tmp_path):
    data = pictures.jpeg(pictures.picture(1))
    digests = {name: hashlib.new(name, data).hexdigest() for name in ("sha256", "sha1", "md5")}
    police = _import(tmp_path, "police", [digests["md5"], digests["sha1"]])
    _import(tmp_path, "other", [hashlib.md5(b"other").hexdigest()])
    matches = matching.hashes_match_exact(digests | {"pdq": "ignored"})
    assert [(m.hash_list_id, m.method, m.distance) for m in matches] == [
        (police.pk, "md5", 0),
        (police.pk, "sha1", 0),
    ]
    unrelated = pictures.jpeg(pictures.picture(2))
    assert matching.hashes_match_exact({"sha256": hashlib.sha256(unrelated).hexdigest()}) == []
    assert matching.hashes_match_exact({"md5": "not hex"}) == []


def test_a_resized_recompressed_copy_matches_by_pdq_and_another_picture_does_not(tmp_path):
    known, known_quality = pictures.pdq(pictures.picture(1))
    assert known_quality >= 50
    hash_list = _import(tmp_path, "inhope", [known], algorithm="pdq")
    copy, copy_quality = pictures.pdq(pictures.recompressed(pictures.picture(1)))
    assert copy != known  # a near-duplicate, not the same hash
    [match] = matching.hashes_match_pdq(copy, quality=copy_quality)
    assert match.hash_list_id == hash_list.pk and match.method == Algorithm.PDQ
    assert 0 < match.distance <= 31
    other, other_quality = pictures.pdq(pictures.picture(2))
    assert matching.hashes_match_pdq(other, quality=other_quality) == []


def test_the_threshold_and_quality_minimum_apply(tmp_path, settings):
    known, _quality = pictures.pdq(pictures.picture(1))
    _import(tmp_path, "l", [known], algorithm="pdq")
    copy, quality = pictures.pdq(pictures.recompressed(pictures.picture(1)))
    [match] = matching.hashes_match_pdq(copy, quality=quality)
    settings.HASHES_PDQ_MAX_DISTANCE = match.distance - 1
    assert matching.hashes_match_pdq(copy, quality=quality) == []
    settings.HASHES_PDQ_MAX_DISTANCE = 31
    assert matching.hashes_match_pdq(known, quality=49) == []
    assert matching.hashes_match_pdq(known, quality=None) == []


def test_index_follows_imports_deactivation_and_removal_in_the_same_process(tmp_path):
    first, _q = pictures.pdq(pictures.picture(1))
    second, quality = pictures.pdq(pictures.picture(2))
    hash_list = _import(tmp_path, "l", [first], algorithm="pdq")
    assert matching.hashes_match_pdq(second, quality=quality) == []  # index built now
    _import(tmp_path, "l", [first, second], algorithm="pdq")
    assert [m.distance for m in matching.hashes_match_pdq(second, quality=quality)] == [0]
    hash_list_activate(hash_list=hash_list, is_active=False, actor=None)
    assert matching.hashes_match_pdq(second, quality=quality) == []
    hash_list_activate(hash_list=hash_list, is_active=True, actor=None)
    assert matching.hashes_match_pdq(second, quality=quality)
    hash_list_remove(hash_list=hash_list)
    assert matching.hashes_match_pdq(second, quality=quality) == []


def test_a_change_by_another_process_is_seen(tmp_path):
    """Another process writes rows and a new token; this process must rebuild."""
    first, quality = pictures.pdq(pictures.picture(1))
    hash_list = hash_list_create(name="l")
    assert matching.hashes_match_pdq(first, quality=quality) == []
    # What another process's import leaves in the database, without touching our memory.
    KnownHash.objects.create(hash_list=hash_list, algorithm=Algorithm.PDQ, value=first)
    assert matching.hashes_match_pdq(first, quality=quality) == []  # no new token: stale
    from meldpunt.hashes.services import hash_revision_bump

    hash_revision_bump()
    assert len(matching.hashes_match_pdq(first, quality=quality)) == 1


def _frames(*images, quality: int = 100) -> list[dict]:
    return [
        {"frame": i, "timestamp": float(i), "quality": quality, "hash": pictures.pdq(image)[0]}
        for i, image in enumerate(images)
    ]


def test_vpdq_matches_when_enough_distinct_frames_match(tmp_path, settings):
    known = [pictures.picture(seed) for seed in (1, 2, 3, 4)]
    hash_list = _import(tmp_path, "video", [pictures.pdq(p)[0] for p in known], algorithm="pdq")
    copies = [pictures.recompressed(p) for p in known]
    # Four distinct frames, all near a known hash; a repeated frame counts once.
    [match] = matching.hashes_match_vpdq(_frames(*copies, copies[0]))
    assert match.hash_list_id == hash_list.pk and match.method == "vpdq"
    assert match.frame_percent == 100.0 and match.distance <= 31
    # 3 of 5 distinct frames (60 %) is under the 80 % default.
    mixed = _frames(*copies[:3], pictures.picture(10), pictures.picture(11))
    assert matching.hashes_match_vpdq(mixed) == []
    settings.HASHES_VPDQ_QUERY_MATCH_PERCENT = 50
    assert matching.hashes_match_vpdq(mixed)[0].frame_percent == 60.0
    # Frames under the quality minimum are not counted at all.
    assert matching.hashes_match_vpdq(_frames(*copies, quality=10)) == []


def test_hashes_match_combines_all_kinds(tmp_path):
    image = pictures.picture(1)
    data = pictures.jpeg(image)
    pdq, quality = pictures.pdq(image)
    _import(tmp_path, "exact", [hashlib.md5(data).hexdigest()])
    _import(tmp_path, "near", [pdq], algorithm="pdq")
    matches = matching.hashes_match(
        exact={"md5": hashlib.md5(data).hexdigest()}, pdq=pdq, pdq_quality=quality
    )
    assert {(m.list_name, m.method) for m in matches} == {("exact", "md5"), ("near", "pdq")}
