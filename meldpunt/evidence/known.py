"""Known material: matching a file's hashes against the hash lists and recording matches.

Lists hold hashes of files as they were found, and cleaning changes a file's
bytes, so the exact hashes of the file as received are matched as well as
those of the cleaned file; PDQ (images) and vPDQ (video, in the worker) are
matched on the cleaned pixels, which cleaning leaves as they were.
"""

from collections.abc import Mapping, Sequence

from meldpunt.evidence.models import EvidenceFile, EvidenceMatch, MatchSubject
from meldpunt.hashes.matching import Match, hashes_match, hashes_match_vpdq
from meldpunt.vault.models import hour_now


def _record(evidence: EvidenceFile, subject: str, matches: Sequence[Match]) -> None:
    # Caused by the reporter's upload: the hour only, as for the file itself.
    now = hour_now()
    EvidenceMatch.objects.bulk_create(
        [
            EvidenceMatch(
                evidence=evidence,
                hash_list_id=match.hash_list_id,
                list_name=match.list_name,
                subject=subject,
                method=match.method,
                distance=match.distance,
                frame_percent=match.frame_percent,
                matched_at=now,
            )
            for match in matches
        ],
        ignore_conflicts=True,
    )


def evidence_matches_record(
    *, evidence: EvidenceFile, original_hashes: Mapping[str, str], hashes: Mapping
) -> int:
    """Match a newly stored file (as received, and as cleaned); returns the number of matches."""
    original = hashes_match(exact=original_hashes)
    # Exact hashes that cleaning left unchanged (or a file kept uncleaned) match once.
    changed = {name: value for name, value in hashes.items() if original_hashes.get(name) != value}
    cleaned = hashes_match(
        exact=changed, pdq=hashes.get("pdq"), pdq_quality=hashes.get("pdq_quality")
    )
    _record(evidence, MatchSubject.ORIGINAL, original)
    _record(evidence, MatchSubject.CLEANED, cleaned)
    return len(original) + len(cleaned)


def evidence_video_matches_record(*, evidence: EvidenceFile, vpdq: Sequence[Mapping]) -> int:
    """Match a video's vPDQ frame hashes once the worker has made them."""
    matches = hashes_match_vpdq(vpdq)
    _record(evidence, MatchSubject.VIDEO, matches)
    return len(matches)


def evidence_is_known(evidence: EvidenceFile) -> bool:
    return evidence.matches.exists()
