"""Mutated files of every format: refused or cleaned, never a crash, a hang or a memory blow-up.

EVIDENCE_FUZZ_COUNT sets how many mutants per format (default 2,000; CI may
lower it only for quick local runs). Seeds are tiny so that thousands of
files run in a few minutes on two cores.

TIFF and the office formats (added later) run EVIDENCE_FUZZ_NEW_COUNT mutants
each in the suite (default 300); benchmarks/fuzz_documents.py runs them with
the issue's 2,000 (or more) and prints the outcomes (docs/evidence.md).
"""

import io
import os
import random
import struct
import time
import zipfile
import zlib

import pytest

from meldpunt.evidence import sandbox, services
from meldpunt.evidence.errors import EvidenceRejected
from meldpunt.evidence.services import evidence_prepare
from meldpunt.evidence.tests import corpus, office_corpus
from meldpunt.evidence.tests.memory import peak_resident_bytes, reset_peak_resident_bytes

COUNT = int(os.environ.get("EVIDENCE_FUZZ_COUNT", "2000"))
NEW_COUNT = int(os.environ.get("EVIDENCE_FUZZ_NEW_COUNT", "300"))
NEW_FORMATS = {"tiff", "tiff_fax", "tiff_jpeg", *office_corpus.BUILDERS}
SEEDS = {**corpus.BUILDERS, **office_corpus.BUILDERS}
MAX_SECONDS_PER_FILE = 10
MAX_MEMORY_BYTES = 1024 * 1024 * 1024
INTERESTING = [b"\x00", b"\xff", b"\x7f", b"\x80", b"\xff\xff\xff\xff", b"\x00\x00\x00\x00"]


def _mutate(seed: bytes, rng: random.Random) -> bytes:
    """Byte flips, interesting values, cuts, duplications and insertions, as fuzzers do."""
    data = bytearray(seed)
    for _ in range(rng.randint(1, 8)):
        action = rng.random()
        position = rng.randrange(len(data)) if data else 0
        if action < 0.4 and data:
            data[position] ^= 1 << rng.randrange(8)
        elif action < 0.6:
            value = rng.choice(INTERESTING)
            data[position : position + len(value)] = value
        elif action < 0.7:
            del data[position:]  # truncation
        elif action < 0.8:
            chunk = data[position : position + rng.randint(1, 64)]
            data[position:position] = chunk * rng.randint(1, 4)
        elif action < 0.9:
            length_at = rng.randrange(max(len(data) - 4, 1))
            data[length_at : length_at + 4] = rng.randbytes(4)  # wild lengths and offsets
        else:
            del data[position : position + rng.randint(1, 256)]
    return bytes(data)


def _repair_png_checksums(data: bytes) -> bytes:
    """Recompute chunk CRCs so that PNG mutants get past the checksum to the decoder."""
    out = bytearray(data)
    position = 8
    while position + 12 <= len(out):
        (length,) = struct.unpack(">I", out[position : position + 4])
        end = position + 12 + length
        if end > len(out):
            break
        out[end - 4 : end] = struct.pack(">I", zlib.crc32(out[position + 4 : end - 4]))
        position = end
    return bytes(out)


def _ogg_crc(page: bytes) -> int:
    """Ogg's page checksum: CRC-32, polynomial 0x04C11DB7, not reflected, no final XOR."""
    crc = 0
    for byte in page:
        crc ^= byte << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7) & 0xFFFFFFFF if crc & 0x80000000 else crc << 1
    return crc & 0xFFFFFFFF


def _repair_ogg_checksums(data: bytes) -> bytes:
    """Recompute page CRCs so that Ogg mutants reach the demuxer and decoders."""
    out = bytearray(data)
    position = out.find(b"OggS")
    while 0 <= position and position + 27 <= len(out):
        segments = out[position + 26]
        table_end = position + 27 + segments
        if table_end > len(out):
            break
        end = table_end + sum(out[position + 27 : table_end])
        if end > len(out):
            break
        out[position + 22 : position + 26] = b"\0\0\0\0"
        out[position + 22 : position + 26] = struct.pack("<I", _ogg_crc(out[position:end]))
        position = out.find(b"OggS", end)
    return bytes(out)


# Mutants that keep their checksums valid, so they test the parsers behind them.
_REPAIRS = {"png": _repair_png_checksums, "ogg": _repair_ogg_checksums}


def _clean_in_process(*, job, parameters, descriptors, memory_bytes, seconds):
    """The sandbox child's work without starting a child per mutant.

    Thousands of mutants at ~0.3 s of child start-up each would take hours;
    this tests the parsers themselves. The child's limits are test_budget.py's.
    """
    answer = sandbox.job_answer(job, parameters)
    if "refused" in answer:
        raise sandbox.SandboxRefused(answer["refused"])
    return answer


def _zip_parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _mutate_office(parts: dict[str, bytes], rng: random.Random) -> bytes:
    """One part mutated (or renamed, dropped, duplicated) inside a well-formed ZIP.

    Byte mutants of a deflated ZIP mostly fail its checksums; these reach the
    XML parser, the relationship graph and the picture cleaners.
    """
    mutated = dict(parts)
    name = rng.choice(sorted(mutated))
    action = rng.random()
    if action < 0.7:
        mutated[name] = _mutate(mutated[name], rng)
    elif action < 0.8:
        mutated[name + rng.choice(["x", ".rels", "_"])] = mutated.pop(name)
    elif action < 0.9:
        del mutated[name]
    else:
        mutated[f"{name}.copy"] = mutated[name] * rng.randint(1, 3)
    return office_corpus.package(mutated, stored=rng.random() < 0.5)


def mutants(fmt: str, count: int):
    """The mutants of one format, the same ones on every run."""
    seed = SEEDS[fmt]()
    rng = random.Random(f"{fmt}-fuzz")
    parts = _zip_parts(seed) if fmt in office_corpus.BUILDERS else None
    for _ in range(count):
        if parts is not None and rng.random() < 0.7:
            yield _mutate_office(parts, rng)
            continue
        mutant = _mutate(seed, rng)
        if fmt in _REPAIRS and rng.random() < 0.5:
            mutant = _REPAIRS[fmt](mutant)
        yield mutant


@pytest.mark.parametrize("fmt", sorted(SEEDS))
def test_mutants_never_crash_hang_or_blow_up(fmt, monkeypatch):
    monkeypatch.setattr(services, "sandbox_run", _clean_in_process)
    count = NEW_COUNT if fmt in NEW_FORMATS else COUNT
    outcomes = {"cleaned": 0, "refused": 0}
    slowest = 0.0
    reset_peak_resident_bytes()  # this format's peak, not the worker's earlier tests'
    for mutant in mutants(fmt, count):
        started = time.monotonic()
        try:
            prepared = evidence_prepare(
                source=io.BytesIO(mutant), name="fuzz", max_bytes=10 * 1024 * 1024
            )
        except EvidenceRejected as refusal:
            assert refusal.message
            outcomes["refused"] += 1
        else:
            prepared.discard()
            outcomes["cleaned"] += 1
        slowest = max(slowest, time.monotonic() - started)
    assert slowest < MAX_SECONDS_PER_FILE
    # Peak resident size of the whole process while this format ran: Python and the
    # native allocations of Pillow, FFmpeg and qpdf.
    assert peak_resident_bytes() < MAX_MEMORY_BYTES
    assert outcomes["cleaned"] + outcomes["refused"] == count
    # The repaired half (and the re-zipped office mutants) must get past the checksums.
    if fmt in _REPAIRS or fmt in office_corpus.BUILDERS:
        assert outcomes["cleaned"] > 0, outcomes
    print(fmt, outcomes, f"slowest {slowest:.2f}s")
