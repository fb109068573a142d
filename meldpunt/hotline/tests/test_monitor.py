"""The provider monitor's figures against values computed by hand, and its pages."""

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse

from meldpunt.cases.tests.factories import make_report
from meldpunt.hotline.models import HostingTrace, HotlineState, Presence, ReportedUrl
from meldpunt.hotline.monitor import monitor_csv, monitor_per_country, monitor_per_provider
from meldpunt.hotline.sealing import url_seal
from meldpunt.lines.models import LineKind
from meldpunt.testing import make_category, make_line, make_staff, sign_in
from meldpunt.vault.models import Role

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 2, 9, tzinfo=UTC)
ALPHA = (64500, "Alpha Hosting", "NL")
BETA = (64501, "Beta Cloud", "DE")
SECRET_ADDRESS = "http://pics.example.test/secret-gallery/page.html"


def address(category, *, hosting=(), hours=None, judged=T0, state=HotlineState.NOTICE_SENT):
    """An address judged illegal at ``judged``; removed after ``hours`` unless None.

    ``hosting`` lists its traces, oldest first: the latest one counts.
    """
    gone_at = judged + timedelta(hours=hours) if hours is not None else None
    item = ReportedUrl.objects.create(
        report=make_report(category=category),
        sealed_url=url_seal(SECRET_ADDRESS),
        url_tag="t",
        created_at=judged,
        illegal_at=judged,
        state=HotlineState.GONE if gone_at else state,
        gone_at=gone_at,
        removal_hours=hours,
        gone_reason=Presence.OFFLINE if gone_at else "",
    )
    for asn, organisation, country in hosting:
        HostingTrace.objects.create(
            reported_url=item,
            traced_at=judged,
            addresses=[{"address": "192.0.2.1", "asn": asn, "country": country}],
            asn=asn,
            organisation=organisation,
            country=country,
        )
    return item


@pytest.fixture
def figures():
    line = make_line(kind=LineKind.CONTENT_HOTLINE)
    category = make_category(line=line)
    for hours in (30, 2, 80, 10):  # sorted: 2, 10, 30, 80
        address(category, hosting=[ALPHA], hours=hours)
    address(category, hosting=[ALPHA], judged=T0 + timedelta(days=1))  # still online
    address(category, hosting=[ALPHA], judged=T0 + timedelta(days=3))  # still online
    for hours in (5, 100):
        address(category, hosting=[BETA], hours=hours)
    address(category, hosting=[ALPHA, BETA], hours=5)  # moved: its latest trace counts
    address(category, judged=T0 + timedelta(days=2))  # never traced, still online
    # Not counted: closed as not illegal (never judged illegal).
    ReportedUrl.objects.create(
        report=make_report(category=category),
        sealed_url=b"",
        url_tag="t",
        created_at=T0,
        state=HotlineState.NOT_ILLEGAL,
    )
    other_line = make_line(kind=LineKind.CONTENT_HOTLINE)
    address(make_category(line=other_line), hosting=[ALPHA], hours=1)
    return {"line": line, "other_line": other_line}


def as_tuples(rows):
    return [
        (
            row.asn,
            row.organisation,
            row.country,
            row.reported,
            row.removed,
            row.median_hours,
            row.p90_hours,
            round(row.share_24h, 4),
            round(row.share_72h, 4),
            row.oldest_online,
        )
        for row in rows
    ]


def test_figures_per_provider_match_the_hand_computed_values(figures):
    rows = monitor_per_provider(line_ids=[figures["line"].pk])
    # Alpha: 6 judged, removed after 2, 10, 30, 80 h. Nearest rank: median rank
    # ceil(4/2) = 2 -> 10 h; 90th percentile rank ceil(3.6) = 4 -> 80 h. Within
    # 24 h: 2 of 6; within 72 h: 3 of 6. Oldest still online: judged T0 + 1 day.
    # Beta: 5, 5, 100 h: median rank 2 -> 5 h, 90th rank ceil(2.7) = 3 -> 100 h;
    # within 24 h and 72 h: 2 of 3. Untraced: 1 judged, none removed.
    assert as_tuples(rows) == [
        (64500, "Alpha Hosting", "", 6, 4, 10, 80, 0.3333, 0.5, T0 + timedelta(days=1)),
        (64501, "Beta Cloud", "", 3, 3, 5, 100, 0.6667, 0.6667, None),
        (None, "", "", 1, 0, None, None, 0.0, 0.0, T0 + timedelta(days=2)),
    ]


def test_figures_per_country_and_over_every_line(figures):
    rows = monitor_per_country(line_ids=[figures["line"].pk])
    assert [(row.country, row.reported, row.removed, row.median_hours) for row in rows] == [
        ("NL", 6, 4, 10),
        ("DE", 3, 3, 5),
        ("", 1, 0, None),
    ]
    # Every line: Alpha gains an address removed after 1 h -> 1, 2, 10, 30, 80:
    # median rank 3 -> 10 h, 90th rank ceil(4.5) = 5 -> 80 h; within 24 h: 3 of 7.
    alpha = monitor_per_provider()[0]
    assert (alpha.reported, alpha.removed, alpha.median_hours, alpha.p90_hours) == (7, 5, 10, 80)
    assert alpha.within_24h == 3


def test_one_removed_address_is_its_own_median_and_percentile():
    category = make_category(line=make_line(kind=LineKind.CONTENT_HOTLINE))
    address(category, hosting=[BETA], hours=7)
    [row] = monitor_per_provider()
    assert (row.median_hours, row.p90_hours, row.share_24h, row.oldest_online) == (7, 7, 1.0, None)


def staff_client(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    sign_in(client, user)
    return client


def test_the_staff_page_and_csv_show_the_figures_of_the_user_s_lines(figures):
    client = staff_client(make_staff(lines=[figures["line"]]))
    html = client.get(reverse("hotline:monitor")).content.decode()
    assert "Alpha Hosting" in html and "AS64500" in html and "33%" in html
    assert SECRET_ADDRESS not in html and "secret-gallery" not in html
    response = client.get(reverse("hotline:monitor_csv"))
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("grouping,asn,organisation,country,reported,removed")
    assert "provider,64500,Alpha Hosting,,6,4,10,80,0.3333,0.5,2026-11-03T09:00:00+00:00" in lines
    assert "country,,,DE,3,3,5,100,0.6667,0.6667," in lines


def test_staff_of_another_line_see_that_line_only_and_partners_nothing(figures):
    client = staff_client(make_staff(lines=[figures["other_line"]]))
    html = client.get(reverse("hotline:monitor")).content.decode()
    assert "Alpha Hosting" in html and "Beta Cloud" not in html
    csv_lines = client.get(reverse("hotline:monitor_csv")).content.decode().splitlines()
    assert "provider,64500,Alpha Hosting,,1,1,1,1,1.0,1.0," in csv_lines
    partner = staff_client(make_staff(role=Role.PARTNER))
    assert partner.get(reverse("hotline:monitor")).status_code == 404
    assert partner.get(reverse("hotline:monitor_csv")).status_code == 404


def test_the_public_page_is_off_by_default_and_shows_no_address(figures, settings):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert client.get("/en/hosting-monitor/").status_code == 404
    settings.HOTLINE_PUBLIC_MONITOR = True
    response = client.get("/en/hosting-monitor/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Alpha Hosting" in html and "Beta Cloud" in html
    assert "secret-gallery" not in html and "pics.example.test" not in html
    assert "192.0.2.1" not in html


def test_organisation_names_cannot_become_spreadsheet_formulas():
    category = make_category(line=make_line(kind=LineKind.CONTENT_HOTLINE))
    address(category, hosting=[(64502, '=HYPERLINK("http://x.test")', "NL")], hours=3)
    [row] = monitor_per_provider()
    text = monitor_csv(providers=[row], countries=[])
    assert text.splitlines()[1].startswith('provider,64502,"\'=HYPERLINK(""http://x.test"")"')
