"""Where a file belongs: the page of its case, for the file page's "Back to the case" link.

Evidence is a foundation app and may not import the apps that own files (a
report's attachments live in intake and are worked in cases; a crawled page's
files in the hotline). Those apps register here, from their AppConfig.ready, a
function that gives the page a file belongs to, or None when it is not theirs;
the file page asks them in turn and links to the first answer.
"""

from collections.abc import Callable

from meldpunt.evidence.models import EvidenceFile

OwnerPage = Callable[[EvidenceFile], str | None]

_owners: list[OwnerPage] = []


def evidence_owner_register(owner_page: OwnerPage) -> None:
    """Register a function that gives the address of a file's case page (once per app)."""
    if owner_page not in _owners:
        _owners.append(owner_page)


def evidence_owner_url(evidence: EvidenceFile) -> str:
    """The address of the case page the file belongs to, or '' when no app claims it."""
    for owner_page in _owners:
        url = owner_page(evidence)
        if url:
            return url
    return ""
