"""Acceptance (issue 13): a municipality's member reads a forward and gives feedback, the
analyst sees it, all with JavaScript off.

The forward is made through the real services (tests/test_browser_forwarding.py
drives that part through the browser); here the municipality's member signs in,
reads the redacted forward, first sends an empty explanation (a form error,
nothing saved), then the outcome with an explanation. The analyst finds the
outcome in the case's timeline and the explanation on the report's feedback page.
"""

from datetime import date

import pytest
from playwright.sync_api import Page, expect

from meldpunt.lines.models import Municipality
from meldpunt.network.models import ForwardFeedback, PartnerKind
from meldpunt.network.tests.factories import forwarded, make_partner, usable_report
from meldpunt.testing import PASSWORD, current_totp, make_category, make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EXPLANATION = "Twee personen aangehouden, wapens in beslag genomen."


def _sign_in(page: Page, base: str, user) -> None:
    page.goto(base + "/staff/sign-in/")
    page.locator('input[name="username"]').fill(user.username)
    page.locator('input[name="password"]').fill(PASSWORD)
    page.locator('#main form button[type="submit"]').click()
    expect(page).to_have_url(base + "/staff/sign-in/code/")
    page.locator('input[name="token"]').fill(current_totp(user))
    page.locator('#main form button[type="submit"]').click()


def test_the_municipality_gives_feedback_and_the_analyst_sees_it_without_javascript(
    live_server, no_js_context
):
    category = make_category()
    analyst = make_staff(lines=[category.line])
    municipality = make_partner(
        lines=[category.line],
        name="Gemeente Utrecht",
        kind=PartnerKind.MUNICIPALITY,
        municipality=Municipality.objects.create(code="GM0344", name="Utrecht"),
        connected_from=date(2020, 1, 1),
    )
    member = municipality.memberships.get().user
    report = usable_report(
        category=category, holder=analyst, text="Wapenhandel vanuit een schuur in Utrecht."
    )
    (forward,) = forwarded(report=report, partners=[municipality], actor=analyst)
    base = live_server.url

    portal = no_js_context(locale="en-GB").new_page()
    _sign_in(portal, base, member)
    expect(portal).to_have_url(base + "/partner/")
    portal.locator(f'a[href="/partner/forwards/{forward.pk}/"]').click()
    expect(portal.locator("#forward-body")).to_contain_text("Wapenhandel vanuit een schuur")

    feedback = portal.locator("#feedback form")
    feedback.locator('input[name="outcome"][value="arrest_or_seizure"]').check()
    feedback.locator('button[type="submit"]').click()
    expect(portal.locator("#feedback .error-summary")).to_contain_text("This field is required.")
    assert not ForwardFeedback.objects.exists()

    feedback = portal.locator("#feedback form")
    feedback.locator('input[name="outcome"][value="arrest_or_seizure"]').check()
    feedback.locator('textarea[name="text"]').fill(EXPLANATION)
    feedback.locator('button[type="submit"]').click()
    expect(portal.locator("#feedback-given")).to_contain_text("Led to an arrest or seizure")
    assert ForwardFeedback.objects.get().outcome == "arrest_or_seizure"

    staff = no_js_context(locale="en-GB").new_page()
    _sign_in(staff, base, analyst)
    staff.goto(f"{base}/staff/cases/reports/{report.pk}/")
    expect(staff.locator("#timeline")).to_contain_text("Feedback from a partner")
    staff.locator(f'a[href="/staff/network/reports/{report.pk}/returns/"]').click()
    expect(staff.locator(f"#forward-{forward.pk} .feedback-outcome")).to_contain_text(
        "Led to an arrest or seizure"
    )
    expect(staff.locator(f"#forward-{forward.pk} .feedback-text")).to_contain_text(EXPLANATION)
