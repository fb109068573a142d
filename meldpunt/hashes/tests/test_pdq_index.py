"""The PDQ index: exact Hamming range search (compared with brute force) and in-place refresh."""

import numpy
import pytest

from meldpunt.hashes import indexes, matching, pdq_kernels
from meldpunt.hashes.indexes import (
    COMPACT,
    LEAN,
    NARROW,
    WIDE,
    MultiIndex,
    PdqIndex,
    chunk_radii,
    pdq_brute_force,
)
from meldpunt.hashes.models import Algorithm, HashList, KnownHash
from meldpunt.hashes.services import (
    hash_list_activate,
    hash_list_create,
    hash_list_import,
    hash_list_remove,
    hash_revision_bump,
    known_hash_restore,
    known_hash_retire,
)


def _near(rng: numpy.random.Generator, vectors: numpy.ndarray, distances) -> numpy.ndarray:
    """A copy of each vector with exactly ``distances[i]`` of its 256 bits flipped."""
    bits = numpy.unpackbits(vectors, axis=1)
    for row, distance in enumerate(distances):
        bits[row, rng.choice(256, int(distance), replace=False)] ^= 1
    return numpy.packbits(bits, axis=1)


def _uniform_and_planted(seed: int, count: int, queries: int):
    """``count`` random hashes and queries: near copies at distances 0..33, and random ones."""
    rng = numpy.random.default_rng(seed)
    stored = rng.integers(0, 256, (count, 32), dtype=numpy.uint8)
    planted = _near(rng, stored[rng.integers(0, count, queries)], numpy.arange(queries) % 34)
    random = rng.integers(0, 256, (queries // 4, 32), dtype=numpy.uint8)
    return stored, numpy.concatenate([planted, random])


def _clustered(seed: int, families: int, size: int):
    """Families of near-duplicates (one picture re-encoded many times), queries near members."""
    rng = numpy.random.default_rng(seed)
    parents = rng.integers(0, 256, (families, 32), dtype=numpy.uint8)
    members = numpy.repeat(parents, size, axis=0)
    stored = _near(rng, members, rng.integers(0, 24, len(members)))
    queries = _near(rng, stored[rng.integers(0, len(stored), 1000)], rng.integers(0, 34, 1000))
    return stored, queries


def _as_set(found) -> set[tuple[int, int, int]]:
    return set(zip(*(part.tolist() for part in found), strict=True))


# LEAN and COMPACT at distance 47 probe radius 5 in 22-23-bit chunks (tens of
# millions of probes for 1,360 queries); they are checked at 31 and 0.
@pytest.mark.parametrize(
    ("max_distance", "widths"),
    [
        (d, w)
        for d in (31, 0, 47)
        for w in (NARROW, WIDE, LEAN, COMPACT)
        if d != 47 or w in (NARROW, WIDE)
    ],
)
def test_multi_index_finds_exactly_what_brute_force_finds_on_uniform_hashes(max_distance, widths):
    stored, queries = _uniform_and_planted(1, 20_000, 1360)
    index = MultiIndex(stored[:15_000], widths=widths)
    index.add(stored[15_000:])  # added later: found like the first ones
    found = index.search(queries, max_distance=max_distance)
    expected = pdq_brute_force(stored, queries, max_distance=max_distance)
    assert _as_set(found) == _as_set(expected)
    assert len(found[0]) == len(_as_set(found))  # each pair once
    if max_distance == 31:  # the planted copies at 0..31 are all there, 32 and 33 are not
        distances = {d for _q, _row, d in _as_set(found)}
        assert set(range(32)) <= distances and not distances & {32, 33}


@pytest.mark.parametrize("widths", [NARROW, WIDE, LEAN, COMPACT])
def test_multi_index_finds_exactly_what_brute_force_finds_on_clustered_hashes(widths):
    stored, queries = _clustered(2, 400, 50)
    index = MultiIndex(widths=widths)
    for part in numpy.array_split(stored, 7):  # many small additions, as imports come
        index.add(part)
    found = index.search(queries, max_distance=31)
    assert _as_set(found) == _as_set(pdq_brute_force(stored, queries, max_distance=31))
    assert len(found[0]) > 5 * len(queries)  # families: many matches per query


def test_chunk_radii_keep_the_pigeonhole_bound():
    """Radii summing to distance - chunks + 1: a hash further off in every chunk is too far."""
    assert chunk_radii(NARROW, 31) == [1] * 16
    assert sorted(chunk_radii(WIDE, 31)) == [1] * 4 + [2] * 8
    assert chunk_radii(WIDE, 31)[:4] == [2] * 4  # the widest chunks probe furthest
    assert chunk_radii(LEAN, 31) == [3] * 8
    assert chunk_radii(COMPACT, 31) == [3] * 5 + [2] * 4
    for widths in (NARROW, WIDE, LEAN, COMPACT):
        for distance in (0, 5, 31, 47, 64):
            radii = chunk_radii(widths, distance)
            assert sum(radius + 1 for radius in radii) == distance + 1
            assert min(radii) >= -1


def _pdq_list(name: str, values: list[str], tmp_path) -> HashList:
    path = tmp_path / f"{name}.txt"
    path.write_text("\n".join(values) + "\n")
    hash_list = HashList.objects.filter(name=name).first() or hash_list_create(name=name)
    hash_list_import(hash_list=hash_list, path=path, algorithm=Algorithm.PDQ)
    return hash_list


def _hexes(vectors: numpy.ndarray) -> list[str]:
    return [bytes(row).hex() for row in vectors]


@pytest.mark.django_db
def test_an_import_is_added_to_the_running_index_without_a_rebuild(tmp_path):
    stored, _queries = _uniform_and_planted(3, 2000, 4)
    old = _pdq_list("old", _hexes(stored[:1500]), tmp_path)
    index = matching.pdq_index()
    assert len(index) == 1500
    new = _pdq_list("new", _hexes(stored[1500:]), tmp_path)
    assert matching.pdq_index() is index  # the same arrays, grown
    assert len(index) == 2000
    probe = _hexes(_near(numpy.random.default_rng(4), stored[[10, 1900]], [31, 31]))
    assert matching.pdq_index().search(probe, max_distance=31) == [{old.pk: 31}, {new.pk: 31}]

    # Switching off, retiring and removing hide rows without a rebuild; undoing shows them.
    hash_list_activate(hash_list=new, is_active=False, actor=None)
    assert matching.pdq_index().search(probe, max_distance=31) == [{old.pk: 31}, {}]
    hash_list_activate(hash_list=new, is_active=True, actor=None)
    known_hash_retire(hash_list=old, algorithm="pdq", value=_hexes(stored[10:11])[0], actor=None)
    assert matching.pdq_index().search(probe, max_distance=31) == [{}, {new.pk: 31}]
    known_hash_restore(hash_list=old, algorithm="pdq", value=_hexes(stored[10:11])[0], actor=None)
    assert matching.pdq_index().search(probe, max_distance=31)[0] == {old.pk: 31}
    hash_list_remove(hash_list=new)
    assert matching.pdq_index().search(probe, max_distance=31) == [{old.pk: 31}, {}]
    assert matching.pdq_index() is index and len(index) == 1500


@pytest.mark.django_db
def test_a_store_replaced_underneath_is_read_again_from_scratch(tmp_path):
    """Rows the index holds vanish and others take their ids (a restored backup): rebuild."""
    stored, _queries = _uniform_and_planted(5, 10, 4)
    hash_list = _pdq_list("l", _hexes(stored[:5]), tmp_path)
    index = matching.pdq_index()
    last = KnownHash.objects.order_by("pk").last()
    KnownHash.objects.filter(pk=last.pk).delete()
    KnownHash.objects.create(
        pk=last.pk, hash_list=hash_list, algorithm="pdq", value=_hexes(stored[9:10])[0]
    )
    hash_revision_bump()
    rebuilt = matching.pdq_index()
    assert rebuilt is not index
    found = rebuilt.search(_hexes(stored[[4, 9]]), max_distance=0)
    assert found == [{}, {hash_list.pk: 0}]


def test_row_numbers_past_16_bits_are_found_and_widen_past_the_high_byte(monkeypatch):
    """Row numbers are held in ``ROW_BYTES`` bytes, widened by a byte when rows outgrow them.

    With two bytes here instead of three, 70,000 rows need a third, so the
    widening (done at 16,777,216 rows in production) runs on a small index.
    """
    monkeypatch.setattr(indexes, "ROW_BYTES", 2)
    stored, queries = _uniform_and_planted(6, 70_000, 400)
    index = MultiIndex(stored[:60_000], widths=NARROW)
    assert index.rows[0].shape[1] == 2
    index.add(stored[60_000:])
    assert index.rows[0].shape[1] == 3
    found = index.search(queries, max_distance=31)
    assert _as_set(found) == _as_set(pdq_brute_force(stored, queries, max_distance=31))
    assert max(row for _q, row, _d in _as_set(found)) > 65_536


def test_crowded_buckets_widen_the_directory_and_stay_exact():
    """300 copies of one hash (one value on many lists): a bucket spanning several words."""
    stored, queries = _uniform_and_planted(7, 3000, 200)
    crowded = numpy.concatenate([stored, numpy.repeat(stored[:1], 300, axis=0)])
    index = MultiIndex(stored[:1000], widths=COMPACT)
    before = index.directories[0].bits.nbytes
    index.add(crowded[1000:])
    assert index.directories[0].bits.nbytes >= before + (len(crowded) - 1000) // 8
    found = index.search(queries, max_distance=31)
    assert _as_set(found) == _as_set(pdq_brute_force(crowded, queries, max_distance=31))


def test_the_first_and_last_chunk_values_are_found():
    """Hashes all 0 or all 1 bits: the first bucket (no 1 bit before it) and the last."""
    stored, _queries = _uniform_and_planted(9, 2000, 4)
    edges = numpy.repeat(numpy.asarray([[0] * 32, [255] * 32], dtype=numpy.uint8), 3, axis=0)
    stored = numpy.concatenate([stored, edges])
    queries = numpy.concatenate([edges[[0, 3]], edges[[0, 3]] ^ 1])  # and 32 bits off
    for widths in (NARROW, WIDE, COMPACT):
        found = MultiIndex(stored, widths=widths).search(queries, max_distance=32)
        assert _as_set(found) == _as_set(pdq_brute_force(stored, queries, max_distance=32))
        assert len(found[0]) == 12


def test_per_row_ids_and_flags_take_about_four_bytes_and_retire_by_id():
    stored, _queries = _uniform_and_planted(8, 30_000, 4)
    lists = numpy.repeat([5, 6, 7], 10_000)
    index = PdqIndex.from_arrays(stored, lists)
    assert index.ids_nbytes <= 4.2 * len(stored)  # uint32 ids, 3 runs of lists, a bit each
    probe = _hexes(stored[[0, 15_000, 29_999]])
    assert index.search(probe, max_distance=0) == [{5: 0}, {6: 0}, {7: 0}]
    index._flags_apply(numpy.array([5, 7]), numpy.array([1, 29_999, 40_000]))  # ids from 1
    assert index.search(probe, max_distance=0) == [{}, {}, {7: 0}]
    assert len(index) == 20_000 - 2


def test_row_ids_take_about_a_byte_each_and_survive_large_gaps():
    """Ids are kept as gaps of a byte; larger gaps (other imports, removed lists) apart."""
    stored, _queries = _uniform_and_planted(10, 30_000, 4)
    ids = numpy.cumsum(numpy.tile([1, 2, 254, 255, 70_000, 3], 5000)) + 2**33
    index = PdqIndex.from_arrays(stored, numpy.repeat([5, 6, 7], 10_000))
    index.row_ids = type(index.row_ids)()
    index.row_ids.append(ids[:20_000])
    index.row_ids.append(ids[20_000:])  # the first gap of an addition is from the last id
    assert numpy.array_equal(index.row_ids.values(), ids)
    assert index.row_ids.last == ids[-1]
    index._flags_apply(numpy.array([5, 6, 7]), ids[[0, 4, 29_999]])
    probe = _hexes(stored[[0, 1, 4, 29_998, 29_999]])
    assert index.search(probe, max_distance=0) == [{}, {5: 0}, {}, {7: 0}, {}]
    consecutive = PdqIndex.from_arrays(stored, numpy.repeat([5, 6, 7], 10_000))
    assert consecutive.ids_nbytes <= 1.2 * len(stored)  # a byte of gap, a bit of flag


def test_searches_from_hex_reuse_the_one_compiled_kernel():
    """Queries decoded from hex are read-only arrays; numba would compile again for them (~5 s)."""
    stored, _queries = _uniform_and_planted(11, 500, 4)
    index = PdqIndex.from_arrays(stored, numpy.ones(len(stored), dtype=numpy.int64))
    assert index.search(_hexes(stored[:2]), max_distance=0) == [{1: 0}, {1: 0}]
    assert len(pdq_kernels.search_chunk.signatures) == 1
