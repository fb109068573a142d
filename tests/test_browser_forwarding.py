"""Acceptance: forwarding through the browser with JavaScript off, from analyst to partner and back.

Everyone uses headless Chromium with JavaScript disabled against ``live_server``
(the back office and the partner portal must work without scripts, like the
reporter's pages).

The first test: the reporter's phone number is found by the detector; the
forward is refused while it is unreviewed, goes through once it is redacted,
and the police's page shows the redacted text without the number.

The second (issue 13's acceptance): a report located in a connected
municipality is proposed to it by the routing rules; the analyst ticks a
cleaned file and forwards; the municipality's member reads the forward,
downloads the file (the cleaned bytes), sends an empty explanation (a form
error, nothing saved), then the outcome with an explanation; the analyst finds
the outcome in the case's timeline and the explanation on the feedback page.
"""

import io
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from meldpunt.cases.models import TriageOutcome
from meldpunt.evidence.models import EvidenceFile
from meldpunt.hashes.tests import pictures
from meldpunt.intake.services import IncomingFile, report_submit
from meldpunt.lines.models import Municipality
from meldpunt.network.models import ForwardFeedback, PartnerKind, RecipientKind, RoutingRule
from meldpunt.network.tests.factories import key_of, make_partner
from meldpunt.testing import PASSWORD, current_totp, make_category, make_staff
from meldpunt.vault import blobs

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = "06 4123 5678"
STORY = f"Mijn buurman handelt vanuit zijn schuur in wapens. Bel mij gerust op {PHONE}."
EXPLANATION = "Twee personen aangehouden, wapens in beslag genomen."


def _sign_in(page: Page, base: str, user) -> None:
    page.goto(base + "/staff/sign-in/")
    page.locator('input[name="username"]').fill(user.username)
    page.locator('input[name="password"]').fill(PASSWORD)
    page.locator('#main form button[type="submit"]').click()
    expect(page).to_have_url(base + "/staff/sign-in/code/")
    page.locator('input[name="token"]').fill(current_totp(user))
    page.locator('#main form button[type="submit"]').click()


def _hold_as_usable(page: Page, base: str, report) -> None:
    """Claim the case and assess it usable on the case page, as the analyst."""
    page.goto(f"{base}/staff/cases/reports/{report.pk}/")
    page.locator('#assignment form[action$="/claim/"] button[type="submit"]').click()
    assessment = page.locator('#assessment form[action$="/triage/"]')
    assessment.locator(f'input[name="outcome"][value="{TriageOutcome.USABLE}"]').check()
    assessment.locator('button[type="submit"]').click()


def _keep_every_unreviewed_passage(page: Page) -> None:
    rows = page.locator("#findings tbody tr.unreviewed")
    while rows.count():
        rows.first.locator('button[name="decision"][value="keep"]').click()


def _send_form(page: Page):
    return page.locator('#send form[action$="/forward/send/"]')


def _send(page: Page, partner_id: int) -> None:
    send = _send_form(page)
    send.locator(f'input[name="partner"][value="{partner_id}"]').check()
    send.locator('button[type="submit"]').click()


def test_redact_forward_and_read_as_the_partner_without_javascript(live_server, no_js_context):
    category = make_category()
    analyst = make_staff(lines=[category.line])
    partner = make_partner(lines=[category.line])
    officer = partner.memberships.get().user
    report = report_submit(
        category=category, answers={"what": STORY}, questions={"what": "Wat is er aan de hand?"}
    ).report
    base = live_server.url

    staff = no_js_context(locale="nl-NL").new_page()
    _sign_in(staff, base, analyst)
    expect(staff).to_have_url(base + "/staff/cases/")
    _hold_as_usable(staff, base, report)
    staff.locator(f'a[href="/staff/network/reports/{report.pk}/forward/"]').click()

    # The number is pre-marked, and the preview already hides it.
    phone_row = staff.locator("#findings tbody tr", has_text=PHONE)
    expect(phone_row).to_have_class("unreviewed")
    expect(staff.locator("#preview-text")).not_to_contain_text(PHONE)

    # Forwarding before every passage is reviewed is refused. (The password was
    # entered at sign-in minutes ago, so no re-authentication is asked for here.)
    _send(staff, partner.pk)
    expect(staff.locator("#refusal")).to_be_visible()
    assert not partner.forwards.exists()

    # One click per finding: redact the number, keep whatever else was marked.
    phone_row.locator('button[name="decision"][value="redact"]').click()
    _keep_every_unreviewed_passage(staff)
    expect(staff.locator("#preview-text")).to_contain_text("handelt vanuit zijn schuur")
    expect(staff.locator("#preview-text")).not_to_contain_text(PHONE)
    _send(staff, partner.pk)
    expect(staff.locator("#refusal")).to_have_count(0)
    forward = partner.forwards.get()
    assert PHONE.encode() not in bytes(forward.sealed_body)

    # The officer signs in, lands on the portal and reads the redacted version.
    police = no_js_context(locale="nl-NL").new_page()
    _sign_in(police, base, officer)
    expect(police).to_have_url(base + "/partner/")
    police.locator(f'a[href="/partner/forwards/{forward.pk}/"]').click()
    body = police.locator("#main")
    expect(body).to_contain_text("handelt vanuit zijn schuur in wapens")
    expect(body).not_to_contain_text(PHONE)
    assert police.goto(f"{base}/staff/cases/reports/{report.pk}/").status == 404


def test_forward_a_file_to_a_connected_municipality_which_reads_it_and_gives_feedback(
    live_server, no_js_context
):
    category = make_category()
    analyst = make_staff(lines=[category.line])
    utrecht = Municipality.objects.create(code="GM0344", name="Utrecht")
    municipality = make_partner(
        lines=[category.line],
        name="Gemeente Utrecht",
        kind=PartnerKind.MUNICIPALITY,
        municipality=utrecht,
        connected_from=date(2020, 1, 1),
    )
    RoutingRule.objects.create(line=category.line, recipient=RecipientKind.REPORT_MUNICIPALITY)
    member = municipality.memberships.get().user
    photo = pictures.jpeg(pictures.picture(41))
    report = report_submit(
        category=category,
        answers={"what": "Wapenhandel vanuit een schuur; 's nachts worden kisten uitgeladen."},
        questions={"what": "Wat is er aan de hand?"},
        municipality_code=utrecht.code,
        files=[IncomingFile(source=io.BytesIO(photo), name="loods.jpg", question_key="files")],
    ).report
    evidence = EvidenceFile.objects.get(attachment__report=report)
    cleaned = blobs.blob_read_all(key=key_of(report, analyst), name=evidence.blob_name)
    base = live_server.url

    # The analyst: the routing rules propose the municipality; tick the file, forward.
    staff = no_js_context(locale="en-GB").new_page()
    _sign_in(staff, base, analyst)
    _hold_as_usable(staff, base, report)
    staff.locator(f'a[href="/staff/network/reports/{report.pk}/forward/"]').click()
    _keep_every_unreviewed_passage(staff)
    expect(staff.locator("#report-municipality")).to_contain_text(
        "Routed as located in Utrecht (GM0344)."
    )
    send = _send_form(staff)
    expect(send.locator(f"#fw_partner_{municipality.pk}")).to_be_checked()
    expect(send).to_contain_text("proposed: the report is located in Utrecht")
    send.locator("#forward-files").get_by_label("loods.jpg").check()
    send.locator('button[type="submit"]').click()
    expect(staff.locator("#refusal")).to_have_count(0)
    forward = municipality.forwards.get()
    assert forward.files.count() == 1

    # The municipality's member reads the forward and downloads the cleaned file.
    portal = no_js_context(locale="en-GB").new_page()
    _sign_in(portal, base, member)
    expect(portal).to_have_url(base + "/partner/")
    portal.locator(f'a[href="/partner/forwards/{forward.pk}/"]').click()
    expect(portal.locator("#forward-body")).to_contain_text("Wapenhandel vanuit een schuur")
    link = portal.locator("#forward-files a")
    expect(link).to_have_text("attachment-1.jpg")
    with portal.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename == "attachment-1.jpg"
    assert Path(download.path()).read_bytes() == cleaned

    # Feedback: without an explanation it is refused, with one it is saved.
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

    # The analyst sees the outcome on the case and the explanation on the feedback page.
    staff.goto(f"{base}/staff/cases/reports/{report.pk}/")
    expect(staff.locator("#timeline")).to_contain_text("Feedback from a partner")
    staff.locator(f'a[href="/staff/network/reports/{report.pk}/returns/"]').click()
    expect(staff.locator(f"#forward-{forward.pk} .feedback-outcome")).to_contain_text(
        "Led to an arrest or seizure"
    )
    expect(staff.locator(f"#forward-{forward.pk} .feedback-text")).to_contain_text(EXPLANATION)
