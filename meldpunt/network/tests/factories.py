"""Partners and usable cases for forwarding tests, built through the real services."""

from meldpunt.cases.services import case_claim, case_triage
from meldpunt.cases.tests.factories import make_report
from meldpunt.intake.models import Report
from meldpunt.intake.services import report_key_for_staff
from meldpunt.lines.models import Category, Line
from meldpunt.testing import PASSWORD, make_staff
from meldpunt.vault.keys import staff_key_unlock
from meldpunt.vault.models import Role, StaffUser

from ..models import Partner, PartnerKind, PartnerMembership


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
    report = make_report(category=category, text=text)
    case_claim(report=report, actor=holder, version=0)
    case_triage(report=report, actor=holder, version=1, outcome="usable")
    report.refresh_from_db()
    return report


def key_of(report: Report, user: StaffUser) -> bytes:
    """The report's data key as ``user`` opens it (with their password-unwrapped key)."""
    return report_key_for_staff(
        report=report, user=user, private_key=staff_key_unlock(user=user, password=PASSWORD)
    )


def forward_redacted(*, report: Report, analyst: StaffUser, partners: list[Partner]) -> list:
    """Forward through the real services with every finding redacted."""
    from meldpunt.cases.models import Case

    from ..services import forward_create, forward_draft_current, forward_draft_decide

    key = key_of(report, analyst)
    stored = forward_draft_current(report=report, actor=analyst, key_bytes=key)
    for index in range(len(stored.draft.marks)):
        forward_draft_decide(
            report=report,
            actor=analyst,
            key_bytes=key,
            version=stored.version + index,
            index=index,
            decision="redact",
        )
    return forward_create(
        report=report,
        partners=partners,
        actor=analyst,
        key_bytes=key,
        draft_version=stored.version + len(stored.draft.marks),
        case_version=Case.objects.get(report=report).version,
    )
