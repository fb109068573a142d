"""The files of a case as the case page lists them, with known material held back.

Files that matched a list of known material are not listed (no name, no
preview) unless the analyst asks; the page then says only how many files
matched which lists. Asking is recorded in the audit log (seed 003: viewing
abuse material is a heavy load, and known material need not be seen again).
"""

from collections import Counter
from dataclasses import dataclass, field

from django.urls import reverse

from meldpunt.evidence.meta import evidence_meta
from meldpunt.evidence.models import EvidenceFile
from meldpunt.intake.models import Attachment, Report
from meldpunt.vault.audit import audit_record
from meldpunt.vault.models import StaffUser


@dataclass(frozen=True)
class CaseFile:
    evidence: EvidenceFile
    name: str
    lists: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CaseFiles:
    """``listed``: files shown; ``known``: files of known material (shown only when asked)."""

    listed: list[CaseFile]
    known: list[CaseFile]
    known_lists: list[tuple[str, int]]
    is_known_shown: bool

    @property
    def known_count(self) -> int:
        return len(self.known)

    @property
    def count(self) -> int:
        return len(self.listed) + len(self.known)


def case_files(*, report: Report, key_bytes: bytes, show_known: bool = False) -> CaseFiles:
    """The report's files (with its reporter's messages) for the case page.

    Names come from the sealed metadata; the names of known material are not
    even decrypted unless it is shown.
    """
    files = (
        EvidenceFile.objects.filter(attachment__report=report, destroyed_at__isnull=True)
        .prefetch_related("matches")
        .order_by("pk")
    )
    listed, known = [], []
    per_list: Counter[str] = Counter()
    for evidence in files:
        lists = sorted({match.list_name for match in evidence.matches.all()})
        per_list.update(lists)
        if lists and not show_known:
            known.append(CaseFile(evidence=evidence, name="", lists=lists))
            continue
        name = evidence_meta(evidence=evidence, key_bytes=key_bytes)["name"]
        (known if lists else listed).append(CaseFile(evidence=evidence, name=name, lists=lists))
    return CaseFiles(
        listed=listed,
        known=known,
        known_lists=sorted(per_list.items()),
        is_known_shown=show_known and bool(known),
    )


def case_known_files_show(*, report: Report, actor: StaffUser, files: CaseFiles) -> None:
    """Record that a staff member had the known material of a case listed."""
    audit_record(
        actor=actor,
        action="case.known_files_show",
        target=report,
        details={"files": files.known_count, "lists": [name for name, _n in files.known_lists]},
    )


def case_page_of_file(evidence: EvidenceFile) -> str | None:
    """The case page of a report's file, for the file page's back link (evidence.owners)."""
    report_id = Attachment.objects.filter(file=evidence).values_list("report_id", flat=True).first()
    return reverse("cases:report", args=[report_id]) if report_id else None
