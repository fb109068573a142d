"""Acceptance: an analyst redacts and forwards a report, a police officer reads it, no JS.

Both people use headless Chromium with JavaScript disabled against ``live_server``
(the back office and the partner portal must work without scripts, like the
reporter's pages). The reporter's phone number is found by the detector; the
forward is refused while it is unreviewed, goes through once it is redacted,
and the partner's page shows the redacted text without the number. A second
test forwards a file with the report and the partner downloads it.
"""

import io
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from meldpunt.cases.models import TriageOutcome
from meldpunt.evidence.models import EvidenceFile
from meldpunt.hashes.tests import pictures
from meldpunt.intake.services import IncomingFile, report_submit
from meldpunt.network.tests.factories import key_of, make_partner
from meldpunt.testing import PASSWORD, current_totp, make_category, make_staff
from meldpunt.vault import blobs

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = "06 4123 5678"
STORY = f"Mijn buurman handelt vanuit zijn schuur in wapens. Bel mij gerust op {PHONE}."


def _sign_in(page: Page, base: str, user) -> None:
    page.goto(base + "/staff/sign-in/")
    page.locator('input[name="username"]').fill(user.username)
    page.locator('input[name="password"]').fill(PASSWORD)
    page.locator('#main form button[type="submit"]').click()
    expect(page).to_have_url(base + "/staff/sign-in/code/")
    page.locator('input[name="token"]').fill(current_totp(user))
    page.locator('#main form button[type="submit"]').click()


def _send(page: Page, partner_id: int) -> None:
    send = page.locator('#send form[action$="/forward/send/"]')
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
    staff.goto(f"{base}/staff/cases/reports/{report.pk}/")
    staff.locator('#assignment form[action$="/claim/"] button[type="submit"]').click()
    assessment = staff.locator('#assessment form[action$="/triage/"]')
    assessment.locator(f'input[name="outcome"][value="{TriageOutcome.USABLE}"]').check()
    assessment.locator('button[type="submit"]').click()
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
    rows = staff.locator("#findings tbody tr.unreviewed")
    while rows.count():
        rows.first.locator('button[name="decision"][value="keep"]').click()
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


def test_forward_a_file_and_download_it_as_the_partner_without_javascript(
    live_server, no_js_context
):
    category = make_category()
    analyst = make_staff(lines=[category.line])
    partner = make_partner(lines=[category.line])
    officer = partner.memberships.get().user
    photo = pictures.jpeg(pictures.picture(41))
    report = report_submit(
        category=category,
        answers={"what": "Er worden 's nachts kisten uitgeladen bij de loods."},
        questions={"what": "Wat is er aan de hand?"},
        files=[IncomingFile(source=io.BytesIO(photo), name="loods.jpg", question_key="files")],
    ).report
    evidence = EvidenceFile.objects.get(attachment__report=report)
    cleaned = blobs.blob_read_all(key=key_of(report, analyst), name=evidence.blob_name)
    base = live_server.url

    staff = no_js_context(locale="en-GB").new_page()
    _sign_in(staff, base, analyst)
    staff.goto(f"{base}/staff/cases/reports/{report.pk}/")
    staff.locator('#assignment form[action$="/claim/"] button[type="submit"]').click()
    assessment = staff.locator('#assessment form[action$="/triage/"]')
    assessment.locator(f'input[name="outcome"][value="{TriageOutcome.USABLE}"]').check()
    assessment.locator('button[type="submit"]').click()
    staff.goto(f"{base}/staff/network/reports/{report.pk}/forward/")
    rows = staff.locator("#findings tbody tr.unreviewed")
    while rows.count():
        rows.first.locator('button[name="decision"][value="keep"]').click()
    staff.locator("#forward-files").get_by_label("loods.jpg").check()
    _send(staff, partner.pk)
    expect(staff.locator("#refusal")).to_have_count(0)
    forward = partner.forwards.get()
    assert forward.files.count() == 1

    police = no_js_context(locale="en-GB").new_page()
    _sign_in(police, base, officer)
    police.locator(f'a[href="/partner/forwards/{forward.pk}/"]').click()
    link = police.locator("#forward-files a")
    expect(link).to_have_text("attachment-1.jpg")
    with police.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename == "attachment-1.jpg"
    assert Path(download.path()).read_bytes() == cleaned
