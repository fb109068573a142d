"""Exposure pages: one's own reveal limit, and reveals per line per week for supervisors."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from meldpunt.evidence.exposure import exposure_limit_get, exposure_limit_set
from meldpunt.evidence.models import EvidenceFile
from meldpunt.evidence.viewing import viewing_start
from meldpunt.testing import make_line, make_staff, sign_in
from meldpunt.vault import crypto
from meldpunt.vault.keys import data_key_create
from meldpunt.vault.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client):
    """English pages unless a test asks otherwise (the installation's default is Dutch)."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def no_time_limit(settings):
    settings.EVIDENCE_VIEWING_CUTOFF = ""
    settings.EVIDENCE_VIEWING_DAILY_MINUTES = 24 * 60


def test_the_own_limit_is_saved_shown_and_can_be_emptied(client):
    analyst = make_staff(lines=[make_line()])
    sign_in(client, analyst)
    url = reverse("cases:exposure")
    saved = client.post(url, {"daily_reveal_limit": "25"})
    assert saved.status_code == 302
    assert exposure_limit_get(user=analyst) == 25
    page = client.get(url)
    assert b'value="25"' in page.content
    assert b"You revealed 0 items today." in page.content
    assert f'href="{url}"'.encode() in page.content  # in the staff menu
    assert client.post(url, {"daily_reveal_limit": ""}).status_code == 302
    assert exposure_limit_get(user=analyst) is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-3", "Enter a number of at least 1, or leave the field empty for no limit."),
        ("0", "Enter a number of at least 1, or leave the field empty for no limit."),
        ("100000", "Enter a number of at most 500."),
        ("99999999999999999999999", "Enter a number of at most 500."),
        ("twenty", "Enter a whole number, or leave the field empty for no limit."),
        ("2.5", "Enter a whole number, or leave the field empty for no limit."),
    ],
)
def test_negative_zero_absurd_and_non_numeric_limits_are_refused_clearly(client, value, message):
    analyst = make_staff(lines=[make_line()])
    exposure_limit_set(user=analyst, daily_reveal_limit=10)
    sign_in(client, analyst)
    refused = client.post(reverse("cases:exposure"), {"daily_reveal_limit": value})
    assert refused.status_code == 400
    assert message.encode() in refused.content
    assert b'class="error-summary"' in refused.content
    assert exposure_limit_get(user=analyst) == 10


def test_the_service_refuses_a_limit_out_of_range():
    analyst = make_staff()
    with pytest.raises(ValueError):
        exposure_limit_set(user=analyst, daily_reveal_limit=0)
    assert exposure_limit_get(user=analyst) is None


def _file_of(line) -> EvidenceFile:
    data_key = data_key_create(key_bytes=crypto.new_data_key(), line=line, recipients=[])
    return EvidenceFile.objects.create(
        data_key=data_key,
        blob_name="not-read",
        size=1,
        media_type="image/jpeg",
        sealed_meta=b"",
        created_at=timezone.now(),
    )


def test_supervisors_see_reveals_per_line_and_week_and_no_names(client, no_time_limit):
    big, small = make_line(), make_line()
    big.name, small.name = "Team groot", "Team klein"
    big.save(update_fields=["name"])
    small.save(update_fields=["name"])
    supervisor = make_staff(lines=[big, small], role=Role.SUPERVISOR)
    big_team = [make_staff(lines=[big], username=f"ana{n}") for n in range(3)]
    small_team = [make_staff(lines=[small], username=f"bob{n}") for n in range(2)]
    now = timezone.now()
    big_file, small_file = _file_of(big), _file_of(small)
    for person, times in zip(big_team, (3, 2, 2), strict=True):
        for _ in range(times):
            viewing_start(viewer=person, evidence=big_file, at=now)
    for person in small_team:
        viewing_start(viewer=person, evidence=small_file, at=now)
    # Three weeks ago only one person of the big line looked: no number for that week.
    viewing_start(viewer=big_team[0], evidence=big_file, at=now - datetime.timedelta(weeks=3))
    # A line the supervisor is not a member of is not on the page.
    other = make_line()
    for person in [make_staff(lines=[other]) for _ in range(3)]:
        viewing_start(viewer=person, evidence=_file_of(other), at=now)

    sign_in(client, supervisor)
    page = client.get(reverse("cases:exposure_teams"))
    assert page.status_code == 200
    rows = page.context["weeks"]
    this_week = timezone.localdate(now).isocalendar()
    earlier = timezone.localdate(now - datetime.timedelta(weeks=3)).isocalendar()
    assert [(r.line_name, r.iso_week, r.reveals) for r in rows] == [
        ("Team groot", this_week.week, 7),
        ("Team klein", this_week.week, None),
        ("Team groot", earlier.week, None),
    ]
    html = page.content.decode()
    assert "<td>7</td>" in html
    assert html.count("fewer than 3 people: not shown") == 2
    assert "cannot be traced back to one person" in html
    assert f'href="{reverse("cases:exposure_teams")}"' in html  # in the staff menu
    assert other.name not in html
    for person in [*big_team, *small_team]:
        assert person.username not in html


@pytest.mark.parametrize("role", [Role.ANALYST, Role.ADMINISTRATOR])
def test_analysts_and_administrators_cannot_open_the_supervisors_page(client, role):
    line = make_line()
    sign_in(client, make_staff(lines=[line], role=role))
    assert client.get(reverse("cases:exposure_teams")).status_code == 404
    assert b"exposure/teams/" not in client.get(reverse("cases:exposure")).content
