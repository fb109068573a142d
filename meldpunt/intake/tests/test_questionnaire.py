import pytest

from meldpunt.intake.forms import ReportForm
from meldpunt.testing import make_full_category

pytestmark = pytest.mark.django_db


@pytest.fixture
def category():
    return make_full_category()


def test_conditional_question_is_required_only_when_shown(category):
    assert ReportForm({"what": "x", "known": "no"}, category=category).is_valid()
    form = ReportForm({"what": "x", "known": "yes"}, category=category)
    assert not form.is_valid()
    assert "who" in form.errors


def test_answer_to_hidden_question_is_dropped(category):
    form = ReportForm({"what": "x", "known": "no", "who": "Jan"}, category=category)
    assert form.is_valid()
    assert "who" not in form.answers()


def test_invalid_date_and_unknown_municipality_are_field_errors(category):
    form = ReportForm({"what": "x", "when": "2026-02-31", "where": "GM9999"}, category=category)
    assert not form.is_valid()
    assert set(form.errors) == {"when", "where"}


def test_municipality_answer_becomes_plaintext_routing_code(category):
    form = ReportForm({"what": "x", "where": "GM0363"}, category=category)
    assert form.is_valid()
    assert form.municipality_code() == "GM0363"
    assert form.answers()["where"] == "GM0363"


def test_overlong_text_is_refused(category):
    form = ReportForm({"what": "x" * 10001}, category=category)
    assert not form.is_valid()
    assert "what" in form.errors


def test_english_labels_follow_the_url_language(client, category):
    dutch = client.get(f"/report/{category.line.slug}/{category.slug}/").content.decode()
    english = client.get(f"/en/report/{category.line.slug}/{category.slug}/").content.decode()
    assert "Wat weet u?" in dutch
    assert "What do you know?" in english


def test_review_step_marks_details_that_may_identify_the_reporter(client, category):
    text = "Ik ben zijn buurvrouw. Bel mij op 06-12345678 als u meer wilt weten."
    response = client.post(f"/report/{category.line.slug}/{category.slug}/", {"what": text})
    assert response.status_code == 200
    page = response.content.decode()
    assert "<mark>06-12345678</mark>" in page
    assert 'class="warnings"' in page


def test_review_step_shows_no_warning_for_plain_text(client, category):
    text = "Er wordt 's nachts gedeald achter de sporthal."
    response = client.post(f"/report/{category.line.slug}/{category.slug}/", {"what": text})
    assert 'class="warnings"' not in response.content.decode()
