"""The exact (SHA-256, SHA-1, MD5) indexes: new imports and retirements taken in place."""

import numpy
import pytest

from meldpunt.hashes import matching
from meldpunt.hashes.indexes import ExactIndex, SortedValues, hex_to_array
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


def _list(name: str, values: list[str], tmp_path, algorithm: Algorithm) -> HashList:
    path = tmp_path / f"{name}.txt"
    path.write_text("\n".join(values) + "\n")
    hash_list = HashList.objects.filter(name=name).first() or hash_list_create(name=name)
    hash_list_import(hash_list=hash_list, path=path, algorithm=algorithm)
    return hash_list


def _found(algorithm: Algorithm, queries: list[str]) -> list[tuple[int, int]]:
    positions, list_ids = matching.exact_index(algorithm).lookup_hex(queries)
    return sorted(zip(positions.tolist(), list_ids.tolist(), strict=True))


def test_values_added_in_parts_are_found_as_if_sorted_at_once():
    rng = numpy.random.default_rng(7)
    stored = rng.integers(0, 256, (5000, 16), dtype=numpy.uint8)
    stored[4000:4010, :8] = stored[0, :8]  # shared 64-bit prefixes, added later
    stored[4500] = stored[1]  # the same value twice
    values = SortedValues(16)
    for part in numpy.array_split(stored, 6):
        values.add(part)
    assert (values.keys[1:] >= values.keys[:-1]).all()
    assert values.longest_bucket >= 11 and values.bits == 13  # 5,000 values: 8,192 buckets
    queries = numpy.concatenate([stored[::3], rng.integers(0, 256, (500, 16), dtype=numpy.uint8)])
    positions, rows = values.lookup(queries)
    found = set(zip(positions.tolist(), rows.tolist(), strict=True))
    expected = {
        (q, r)
        for q, query in enumerate(queries)
        for r in numpy.flatnonzero((stored == query).all(axis=1)).tolist()
    }
    assert found == expected and len(found) == len(positions)


@pytest.mark.django_db
@pytest.mark.parametrize("algorithm", [Algorithm.SHA256, Algorithm.MD5])
def test_an_exact_import_is_matchable_without_a_rebuild_and_a_retirement_stops_it(
    tmp_path, algorithm
):
    rng = numpy.random.default_rng(8)
    width = {Algorithm.SHA256: 32, Algorithm.MD5: 16}[algorithm]
    values = [rng.bytes(width).hex() for _ in range(3000)]
    old = _list("old", values[:2000], tmp_path, algorithm)
    index = matching.exact_index(algorithm)
    assert len(index) == 2000
    queries = [values[5], values[2500], rng.bytes(width).hex()]
    assert _found(algorithm, queries) == [(0, old.pk)]

    new = _list("new", values[2000:], tmp_path, algorithm)
    assert matching.exact_index(algorithm) is index  # the same arrays, grown
    assert len(index) == 3000
    assert _found(algorithm, queries) == [(0, old.pk), (1, new.pk)]
    # The same value imported on a second list: found on both.
    _list("new", [values[5]], tmp_path, algorithm)
    assert _found(algorithm, queries) == [(0, old.pk), (0, new.pk), (1, new.pk)]

    known_hash_retire(hash_list=new, algorithm=algorithm, value=values[2500], actor=None)
    assert _found(algorithm, queries) == [(0, old.pk), (0, new.pk)]
    hash_list_activate(hash_list=old, is_active=False, actor=None)
    assert _found(algorithm, queries) == [(0, new.pk)]
    hash_list_activate(hash_list=old, is_active=True, actor=None)
    known_hash_restore(hash_list=new, algorithm=algorithm, value=values[2500], actor=None)
    assert _found(algorithm, queries) == [(0, old.pk), (0, new.pk), (1, new.pk)]
    hash_list_remove(hash_list=new)
    assert _found(algorithm, queries) == [(0, old.pk)]
    assert matching.exact_index(algorithm) is index and len(index) == 2000


@pytest.mark.django_db
def test_an_exact_store_replaced_underneath_is_read_again_from_scratch(tmp_path):
    values = [bytes([i]).hex() * 32 for i in range(10)]
    hash_list = _list("l", values[:5], tmp_path, Algorithm.SHA256)
    index = matching.exact_index(Algorithm.SHA256)
    last = KnownHash.objects.order_by("pk").last()
    KnownHash.objects.filter(pk=last.pk).delete()
    KnownHash.objects.create(pk=last.pk, hash_list=hash_list, algorithm="sha256", value=values[9])
    hash_revision_bump()
    assert matching.exact_index(Algorithm.SHA256) is not index
    assert _found(Algorithm.SHA256, [values[4], values[9]]) == [(1, hash_list.pk)]


def test_an_index_of_arrays_needs_no_database():
    vectors = hex_to_array(["ab" * 16, "cd" * 16], 16)
    index = ExactIndex.from_arrays(vectors, numpy.array([3, 4]), algorithm=Algorithm.MD5)
    positions, list_ids = index.lookup_hex(["cd" * 16, "ef" * 16])
    assert (positions.tolist(), list_ids.tolist()) == ([0], [4])
