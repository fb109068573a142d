"""From the reporter's form to checked addresses: intake's report_submitted reaches the hotline."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import translation
from django_tasks_db.models import DBTaskResult

from meldpunt.hotline.models import HotlineState, ReportedUrl
from meldpunt.hotline.sealing import url_open
from meldpunt.hotline.tasks import reported_url_check_task
from meldpunt.intake.forms import SubmissionForm
from meldpunt.intake.models import Report, ReportChannel
from meldpunt.lines.models import LineKind, Question, QuestionKind
from meldpunt.testing import make_category, make_line

pytestmark = pytest.mark.django_db(transaction=True)  # first checks are queued on commit


def _with_address_question(line):
    category = make_category(line=line)
    Question.objects.create(
        category=category,
        key="urls",
        kind=QuestionKind.WEB_ADDRESSES,
        label="Webadressen",
        is_required=True,
        order=2,
    )
    return category


def _post(client, category, urls: str, *, send: bool):
    url = f"/report/{category.line.slug}/{category.slug}/" + ("send/" if send else "")
    token = SubmissionForm.issue().initial if send else {}
    return client.post(url, {"what": "Afbeeldingen van kinderen", "urls": urls, **token})


def test_reported_addresses_are_normalised_stored_and_checked(client, fake_web, fake_dns, settings):
    settings.HOTLINE_FETCH_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    fake_dns.zone["pics.example.test"] = ["127.0.0.1"]
    fake_web.page("/a.jpg", fake_web.image, "image/jpeg")
    category = _with_address_question(make_line(kind=LineKind.CONTENT_HOTLINE))
    pasted = f"  {fake_web.url('/a.jpg', host='PICS.example.test')}#top\n\n" + fake_web.url(
        "/a.jpg", host="pics.example.test"
    )

    review = _post(client, category, pasted, send=False)
    assert review.status_code == 200
    response = _post(client, category, review.context["hidden_form"].initial["urls"], send=True)

    assert response.status_code == 200 and response.context["receipt"]
    [item] = ReportedUrl.objects.all()  # the same address twice is one address
    assert item.report == Report.objects.get()
    assert item.report.channel == ReportChannel.WEB_ADDRESS
    assert url_open(item.sealed_url) == fake_web.url("/a.jpg", host="pics.example.test")
    assert item.state == HotlineState.ASSESSMENT and item.check_count == 1


def test_a_broken_address_is_named_and_nothing_is_stored(client):
    category = _with_address_question(make_line(kind=LineKind.CONTENT_HOTLINE))
    with translation.override("nl"):
        response = _post(client, category, "https://example.org/ok\njavascript:alert(1)", send=True)
        # Read while Dutch is active: the message is lazy, and the language after the
        # block is whatever an earlier test in this process left active.
        [error] = response.context["form"].errors["urls"]
    assert response.status_code == 400
    assert error.startswith("Adres 2: ")
    assert not Report.objects.exists() and not ReportedUrl.objects.exists()


def test_other_lines_never_fetch_the_addresses_they_are_given(client, fake_dns):
    category = _with_address_question(make_line(kind=LineKind.TIPS))
    response = _post(client, category, "https://oplichters.example/shop", send=True)
    assert response.status_code == 200
    assert Report.objects.count() == 1 and not ReportedUrl.objects.exists()


@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}})
def test_the_first_look_waits_a_random_time_after_the_reports_hour(client, settings):
    """A visit minutes after the report would tell the site when someone reported."""
    settings.HOTLINE_FIRST_CHECK_MINUTES = [60, 120]
    category = _with_address_question(make_line(kind=LineKind.CONTENT_HOTLINE))
    response = _post(client, category, "https://pics.example.test/a.jpg", send=True)
    assert response.status_code == 200
    [item] = ReportedUrl.objects.all()
    hour = item.created_at
    assert hour + timedelta(minutes=60) <= item.next_check_at <= hour + timedelta(minutes=120)
    assert item.check_count == 0 and item.state == HotlineState.NEW
    [queued] = DBTaskResult.objects.filter(task_path=reported_url_check_task.module_path)
    assert queued.run_after == item.next_check_at
