"""A year of reports for the statistics tests, worked through the real services.

Two lines; reports received in 2025 (and one just before and after), assessed,
questioned, forwarded (and read by the partner), classified, closed, linked as
follow-up, and one with files matching known material. Timestamps the services
set to "now" are moved into 2025 afterwards, as the retention tests do.
"""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from meldpunt.cases.services import case_claim, case_classify, case_close, case_triage
from meldpunt.cases.tests.factories import make_report, make_scheme
from meldpunt.evidence.models import EvidenceFile, EvidenceMatch, MatchSubject
from meldpunt.hashes.models import MatchMethod
from meldpunt.intake.models import Message, Report
from meldpunt.intake.services import staff_message_post
from meldpunt.lines.models import Municipality
from meldpunt.network.models import Partner, PartnerKind
from meldpunt.network.services import forward_create, forward_draft_current, forward_open
from meldpunt.network.tests.factories import key_of, make_partner
from meldpunt.testing import PASSWORD, make_category, make_line, make_staff
from meldpunt.vault.keys import staff_key_unlock
from meldpunt.vault.models import Role

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
MARCH = datetime(2025, 3, 10, 10, tzinfo=AMSTERDAM)
MAY = datetime(2025, 5, 20, 9, tzinfo=AMSTERDAM)


class StatsWorld:
    def __init__(self) -> None:
        self.crime = make_line(slug="crime", retention_days_after_close=30, retention_days_open=90)
        self.hotline = make_line(slug="hotline")
        self.drugs = make_category(line=self.crime)
        self.weapons = make_category(line=self.crime)
        self.urls = make_category(line=self.hotline)
        Municipality.objects.create(code="GM0363", name="Amsterdam")
        Municipality.objects.create(code="GM0001", name="Appingedam")
        self.holder = make_staff(lines=[self.crime, self.hotline])
        self.supervisor = make_staff(lines=[self.crime], role=Role.SUPERVISOR)
        self.administrator = make_staff(role=Role.ADMINISTRATOR)
        self.police = make_partner(lines=[self.crime], name="Politie", kind=PartnerKind.POLICE)
        self.municipality = make_partner(
            lines=[self.crime],
            name="Gemeente Amsterdam",
            kind=PartnerKind.MUNICIPALITY,
            municipality=Municipality.objects.get(code="GM0363"),
            connected_from=date(2000, 1, 1),
        )
        self.scheme = make_scheme(line=self.crime, options=("cocaine", "cannabis"))
        self._closings: list[tuple[int, datetime]] = []
        self._questions: list[tuple[int, datetime]] = []

        # Line "crime": seven drug reports from Amsterdam and two weapon reports
        # from Appingedam in March; one drug report before and one after 2025.
        self.drug_reports = [
            make_report(category=self.drugs, municipality_code="GM0363") for _ in range(7)
        ]
        self.weapon_reports = [
            make_report(category=self.weapons, municipality_code="GM0001") for _ in range(2)
        ]
        self.before = make_report(category=self.drugs, municipality_code="GM0363")
        self.after = make_report(category=self.drugs, municipality_code="GM0363")
        # Line "hotline": three URL reports in May, no municipality.
        self.url_reports = [make_report(category=self.urls) for _ in range(3)]

        d = self.drug_reports
        self.forward(d[0], [self.police], read=True)
        self.forward(d[1], [self.police, self.municipality], read=False)
        self.assess(d[2], "not_illegal")
        case_classify(
            report=d[2],
            actor=self.holder,
            version=self.version(d[2]),
            options=list(self.scheme.options.filter(slug="cocaine")),
        )
        self.close(d[2], "not_illegal", hours=24)
        self.close(d[0], "forwarded", hours=48)
        self.question(d[3], hours=5)
        self.question(d[4], hours=10)
        Report.objects.filter(pk=d[5].pk).update(follows=d[0])
        self.known_match(d[6], "bekend materiaal")

        Report.objects.filter(pk__in=[r.pk for r in (*d, *self.weapon_reports)]).update(
            received_at=MARCH
        )
        Report.objects.filter(pk__in=[r.pk for r in self.url_reports]).update(received_at=MAY)
        Report.objects.filter(pk=self.before.pk).update(
            received_at=datetime(2024, 12, 31, 23, tzinfo=AMSTERDAM)
        )
        Report.objects.filter(pk=self.after.pk).update(
            received_at=datetime(2026, 1, 1, 0, tzinfo=AMSTERDAM)
        )
        # Moved last, so the services' own "now" does not overwrite them.
        for pk, closed in self._closings:
            Report.objects.filter(pk=pk).update(closed_at=closed, last_activity_at=closed)
        for pk, created in self._questions:
            Message.objects.filter(pk=pk).update(created_at=created)
        Report.objects.exclude(pk__in=[pk for pk, _closed in self._closings]).update(
            last_activity_at=MARCH
        )

    @staticmethod
    def version(report: Report) -> int:
        report.refresh_from_db()
        return report.case.version

    def assess(self, report: Report, outcome: str) -> None:
        case_claim(report=report, actor=self.holder, version=0)
        case_triage(report=report, actor=self.holder, version=1, outcome=outcome)

    def forward(self, report: Report, partners: list[Partner], *, read: bool) -> None:
        self.assess(report, "usable")
        key = key_of(report, self.holder)
        forward_draft_current(report=report, actor=self.holder, key_bytes=key)
        for partner in partners:
            [forward] = forward_create(
                report=report,
                partners=[partner],
                actor=self.holder,
                key_bytes=key,
                draft_version=1,
                case_version=self.version(report),
            )
            if read:
                member = partner.memberships.first().user
                forward_open(
                    forward=forward,
                    user=member,
                    private_key=staff_key_unlock(user=member, password=PASSWORD),
                )

    def close(self, report: Report, outcome: str, *, hours: int) -> None:
        case_close(
            report=report,
            actor=self.holder,
            version=self.version(report),
            key_bytes=key_of(report, self.holder),
            outcome=outcome,
            reason="Afgehandeld",
        )
        self._closings.append((report.pk, MARCH + timedelta(hours=hours, minutes=17)))

    def question(self, report: Report, *, hours: int) -> None:
        message = staff_message_post(
            report=report, actor=self.holder, key_bytes=key_of(report, self.holder), body="Waar?"
        )
        self._questions.append((message.pk, MARCH + timedelta(hours=hours)))

    def known_match(self, report: Report, list_name: str) -> None:
        evidence = EvidenceFile.objects.create(
            data_key=report.data_key,
            blob_name="not-stored",
            size=10,
            media_type="image/png",
            sealed_meta=b"sealed",
            created_at=timezone.now(),
        )
        for method in (MatchMethod.SHA256, MatchMethod.MD5):
            EvidenceMatch.objects.create(
                evidence=evidence,
                list_name=list_name,
                subject=MatchSubject.ORIGINAL,
                method=method,
                matched_at=timezone.now(),
            )
