"""Partners and usable cases for forwarding tests, built through the real services."""

from collections.abc import Sequence

from meldpunt.cases.models import Case
from meldpunt.cases.services import case_claim, case_triage
from meldpunt.cases.tests.factories import make_report
from meldpunt.evidence.models import EvidenceFile
from meldpunt.intake.models import Report
from meldpunt.intake.services import IncomingFile, report_key_for_staff, report_submit
from meldpunt.lines.models import Category, Line
from meldpunt.privacy.redaction import Decision
from meldpunt.testing import PASSWORD, make_staff
from meldpunt.vault.keys import staff_key_unlock
from meldpunt.vault.models import Role, StaffUser

from ..models import Forward, Partner, PartnerKind, PartnerMembership
from ..services import forward_create, forward_draft_current, forward_draft_decide


def make_partner(
    *, lines: list[Line] = (), members: int = 1, name: str = "Politie Eenheid Midden", **fields
) -> Partner:
    partner = Partner.objects.create(
        name=name, kind=fields.pop("kind", PartnerKind.POLICE), **fields
    )
    partner.lines.set(lines)
    for _ in range(members):
        add_member(partner)
    return partner


def add_member(partner: Partner) -> StaffUser:
    user = make_staff(role=Role.PARTNER)
    PartnerMembership.objects.create(partner=partner, user=user)
    return user


def usable_report(*, category: Category, holder: StaffUser, text: str) -> Report:
    """A report held by ``holder`` and assessed usable (case version 2)."""
    return _held_as_usable(make_report(category=category, text=text), holder)


def usable_report_with_files(
    *, category: Category, holder: StaffUser, text: str, files: Sequence[IncomingFile]
) -> Report:
    """Like ``usable_report``, but sent through intake so that ``files`` are really cleaned."""
    report = report_submit(
        category=category,
        answers={"what": text},
        questions={"what": "Wat is er aan de hand?"},
        files=list(files),
    ).report
    return _held_as_usable(report, holder)


def _held_as_usable(report: Report, holder: StaffUser) -> Report:
    case_claim(report=report, actor=holder, version=0)
    case_triage(report=report, actor=holder, version=1, outcome="usable")
    report.refresh_from_db()
    return report


def key_of(report: Report, user: StaffUser) -> bytes:
    """The report's data key as ``user`` opens it (with their password-unwrapped key)."""
    return report_key_for_staff(
        report=report, user=user, private_key=staff_key_unlock(user=user, password=PASSWORD)
    )


def forwarded(
    *,
    report: Report,
    partners: list[Partner],
    actor: StaffUser,
    files: Sequence[EvidenceFile] = (),
) -> list[Forward]:
    """Forward a usable report through the real services, every marked passage redacted,
    with the chosen cleaned ``files``."""
    key = key_of(report, actor)
    stored = forward_draft_current(report=report, actor=actor, key_bytes=key)
    version = stored.version
    for index in range(len(stored.draft.marks)):
        forward_draft_decide(
            report=report,
            actor=actor,
            key_bytes=key,
            version=version,
            index=index,
            decision=Decision.REDACT,
        )
        version += 1
    return forward_create(
        report=report,
        partners=partners,
        actor=actor,
        key_bytes=key,
        draft_version=version,
        case_version=Case.objects.get(report=report).version,
        files=files,
    )
