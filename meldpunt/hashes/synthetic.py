"""Synthetic PDQ hashes for the index's scale test and its benchmark.

Near-duplicate families (re-encodings of one picture) are stored hashes with a
few random bits flipped; both the brute-force comparison at 1 M hashes
(meldpunt/hashes/tests/test_pdq_scale.py) and benchmarks/pdq_index.py make them the same way.
"""

import numpy

BLOCK_ROWS = 100_000


def flip_bits(rng: numpy.random.Generator, vectors: numpy.ndarray, most: int) -> numpy.ndarray:
    """A copy with up to ``most`` random bits of each row flipped (vectorised, in blocks)."""
    result = vectors.copy()
    for start in range(0, len(vectors), BLOCK_ROWS):
        block = result[start : start + BLOCK_ROWS]
        bits = numpy.unpackbits(block, axis=1)
        counts = rng.integers(0, most + 1, len(block))
        positions = rng.integers(0, 256, (len(block), most))
        rows = numpy.repeat(numpy.arange(len(block)), counts)
        bits[rows, positions[numpy.arange(most) < counts[:, None]]] ^= 1
        result[start : start + BLOCK_ROWS] = numpy.packbits(bits, axis=1)
    return result
