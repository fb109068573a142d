"""Issue 11: the review-before-send step for mailbox messages (item 5) and warnings that
fit the question (item 6), through the reporter's pages as a browser without JavaScript
posts them."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from meldpunt.intake.models import Report
from meldpunt.intake.services import report_submit
from meldpunt.lines.models import Question, QuestionKind
from meldpunt.testing import make_category

pytestmark = pytest.mark.django_db

MAILBOX = "/en/mailbox/messages/"
REVEALING = "Call me on 06-38217645 or mail a.reporter@example.nl, I saw it again."


@pytest.fixture
def reporter(client):
    """A client with an open mailbox of a fresh report."""
    category = make_category()
    receipt = report_submit(
        category=category, answers={"what": "Er wordt gedeald"}, questions={"what": "Wat?"}
    ).receipt
    assert client.post("/en/mailbox/", {"receipt": receipt}).status_code == 302
    return client


def _messages() -> int:
    return Report.objects.get().messages.count()


def test_a_message_is_shown_with_its_warnings_before_anything_is_stored(reporter):
    review = reporter.post(MAILBOX, {"body": REVEALING})
    assert review.status_code == 200
    assert _messages() == 0
    page = review.content.decode()
    assert "<mark>06-38217645</mark>" in page
    assert "<mark>a.reporter@example.nl</mark>" in page
    assert "This looks like your phone number" in page
    assert "e-mail address" in page
    # Both ways on are plain forms carrying the text: back to editing, or send as it is.
    assert page.count('name="body"') == 2
    assert 'name="edit"' in page and 'name="confirm"' in page


def test_edit_brings_the_text_back_and_stores_nothing(reporter):
    page = reporter.post(MAILBOX, {"body": REVEALING, "edit": "1"})
    assert page.status_code == 200
    assert page.context["message_form"].initial["body"] == REVEALING
    assert REVEALING in page.content.decode()
    assert _messages() == 0


def test_only_the_confirming_post_stores_the_message_with_its_files(reporter):
    photo = SimpleUploadedFile("note.txt", b"licence plate 45-KJX-7", "text/plain")
    sent = reporter.post(MAILBOX, {"body": "Het busje is wit.", "confirm": "1", "files": [photo]})
    assert sent.status_code == 302
    report = Report.objects.get()
    assert report.messages.count() == 1 and report.attachments.count() == 1


def test_an_empty_message_is_refused_at_the_first_step(reporter):
    page = reporter.post(MAILBOX, {"body": "   "})
    assert page.status_code == 400
    assert page.context["message_form"].errors["body"]
    assert _messages() == 0


def test_too_many_files_at_the_confirm_step_keep_the_review_and_store_nothing(reporter):
    line = Report.objects.get().line
    files = [SimpleUploadedFile(f"{n}.txt", b"x", "text/plain") for n in range(line.max_files + 1)]
    page = reporter.post(MAILBOX, {"body": REVEALING, "confirm": "1", "files": files})
    assert page.status_code == 400
    assert "<mark>06-38217645</mark>" in page.content.decode()
    assert _messages() == 0


def test_the_review_step_asks_about_the_crime_scene_address_once_instead_of_flagging_it(client):
    category = make_category()
    Question.objects.create(
        category=category,
        key="address",
        kind=QuestionKind.ADDRESS,
        label="Adres of plaats van het misdrijf",
        label_en="Address or place of the crime",
        order=2,
    )
    review = client.post(
        f"/en/report/{category.line.slug}/{category.slug}/",
        {
            "what": "I live next door to the house where they deal.",
            "address": "Kerkstraat 12, 8011 PK Zwolle",
        },
    )
    assert review.status_code == 200
    page = review.content.decode()
    assert "<mark>Kerkstraat 12</mark>" not in page and "<mark>8011 PK</mark>" not in page
    assert page.count("Do you live or work at this place?") == 1
    # The long answer is still checked as before.
    assert "<mark>I live next door to</mark>" in page
    assert "where you live, work or watch from" in page
