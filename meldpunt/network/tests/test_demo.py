"""Issue 13, item 9: ``meldpunt demo`` sets up forwarding a new user can follow end to end.

The demo prints the partner members' credentials beside the staff's; with them
a report located in Amsterdam reaches the police and the connected municipality,
and one located in Vught (connection ended yesterday) reaches the police only.
"""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from meldpunt.cases.services import case_claim, case_triage
from meldpunt.intake.models import Report
from meldpunt.lines.models import Category
from meldpunt.testing import current_totp, submission_token
from meldpunt.vault.models import StaffUser

from ..models import Forward, Partner

pytestmark = pytest.mark.django_db

CREDENTIALS = re.compile(r"^\s+user=(\S+) password=(\S+) totp_secret=\S+ role=(\S+)$", re.M)


def _signed_in(username: str, password: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.post("/staff/sign-in/", {"username": username, "password": password})
    user = StaffUser.objects.get(username=username)
    assert client.post("/staff/sign-in/code/", {"token": current_totp(user)}).status_code == 302
    return client


def _reported(postcode: str) -> Report:
    category = Category.objects.get(line__slug="misdaad", slug="drugs")
    reporter = Client()
    answers = {"what": "Er wordt gedeald", "postcode": postcode}
    review = reporter.post("/report/misdaad/drugs/", answers)
    assert review.status_code == 200, review.content[:300]
    sent = reporter.post(
        "/report/misdaad/drugs/send/", {**answers, **submission_token(review.content.decode())}
    )
    assert sent.status_code == 200, sent.content[:300]
    return Report.objects.filter(category=category).latest("pk")


def test_demo_partners_receive_forwards_end_to_end():
    out = StringIO()
    call_command("demo", "--no-serve", stdout=out)
    accounts = {
        user: (password, role) for user, password, role in CREDENTIALS.findall(out.getvalue())
    }
    assert {user for user, (_p, role) in accounts.items() if role == "partner"} == {
        "politie",
        "gemeente-amsterdam",
        "gemeente-vught",
    }
    assert Partner.objects.get(name="Gemeente Vught").connected_until is not None

    analyst = StaffUser.objects.get(username="analist")
    staff = _signed_in("analist", accounts["analist"][0])
    for postcode, expected in (
        ("1012 AB", {"Gemeente Amsterdam", "Politie Eenheid Amsterdam"}),
        ("5261 AA", {"Politie Eenheid Amsterdam"}),
    ):
        report = _reported(postcode)
        case_claim(report=report, actor=analyst, version=0)
        case_triage(report=report, actor=analyst, version=1, outcome="usable")
        page = staff.get(reverse("network:prepare", args=[report.pk]))
        assert page.status_code == 200
        version = page.context["version"]
        for row in page.context["rows"]:
            staff.post(
                reverse("network:decide", args=[report.pk]),
                {"version": version, "index": row.index, "decision": "redact"},
            )
            version += 1
        page = staff.get(reverse("network:prepare", args=[report.pk]))
        proposed = [c.partner.pk for c in page.context["choices"].selectable if c.is_checked]
        if postcode == "5261 AA":
            assert "Gemeente Vught is not connected" in page.content.decode()
        sent = staff.post(
            reverse("network:forward", args=[report.pk]),
            {"partner": proposed, "version": version, "case_version": 2},
        )
        assert sent.status_code == 302, sent.content[:500]
        assert set(report.forwards.values_list("partner__name", flat=True)) == expected

    # The municipality's member reads its forward on the portal, and only that one.
    member = _signed_in("gemeente-amsterdam", accounts["gemeente-amsterdam"][0])
    forward = Forward.objects.get(partner__name="Gemeente Amsterdam")
    inbox = member.get(reverse("partner:inbox")).content.decode()
    assert inbox.count('href="/partner/forwards/') == 1
    read = member.get(reverse("partner:forward", args=[forward.pk]))
    assert "Er wordt gedeald" in read.content.decode()
    assert not Forward.objects.filter(partner__name="Gemeente Vught").exists()
