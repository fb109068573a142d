"""File names in a browser without JavaScript (issue 11 item 4).

The reporter chooses a file with the answers; the review step marks what its
name gives away and lets them rename it before anything is sent.
"""

import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from meldpunt.evidence.meta import evidence_meta
from meldpunt.intake.models import Attachment
from meldpunt.intake.services import mailbox_open

pytestmark = pytest.mark.browser

LINE, CATEGORY = "misdaad", "drugs"


def test_a_file_name_is_warned_about_and_renamed_before_sending(
    live_server, demo_lines, no_js_context, tmp_path
):
    photo = tmp_path / "bewijs_buurman_Kerkstraat12.jpg"
    picture = io.BytesIO()
    Image.new("RGB", (8, 8), "green").save(picture, "JPEG")
    photo.write_bytes(picture.getvalue())
    page = no_js_context().new_page()
    form_path = f"/report/{LINE}/{CATEGORY}/"

    page.goto(live_server.url + form_path)
    answers = page.locator(f'form[action="{form_path}"]')
    answers.locator('textarea[name="what"]').fill("In de schuur wordt hennep gekweekt.")
    answers.locator('input[name="when"]').fill("2026-11-20")
    answers.locator('select[name="where"]').select_option("GM0363")
    answers.locator('input[type="file"][name="files"]').set_input_files(str(photo))
    answers.locator('button[type="submit"]').click()

    expect(page.locator(".staged-file .answer mark")).to_have_text("Kerkstraat12")
    expect(page.locator(".staged-file .warnings")).to_contain_text("Een adres.")
    send = page.locator(f'form[action="{form_path}send/"]')
    name = send.locator('input[name="name-0"]')
    expect(name).to_have_value("bewijs_buurman_Kerkstraat12")
    expect(send.locator('input[type="checkbox"][name="drop-0"]')).to_be_visible()
    name.fill("foto schuur")
    send.locator('button[type="submit"]').click()

    receipt = page.locator("#receipt").inner_text().strip()
    access = mailbox_open(receipt=receipt)
    names = [
        evidence_meta(evidence=attachment.file, key_bytes=access.key_bytes)["name"]
        for attachment in Attachment.objects.filter(report=access.report)
    ]
    assert names == ["foto schuur.jpg"]
