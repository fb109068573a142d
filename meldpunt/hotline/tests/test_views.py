"""The analyst's hotline page and actions, against the real crawler on local servers."""

import hashlib
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from meldpunt.cases.services import case_claim
from meldpunt.cases.tests.factories import make_report
from meldpunt.hashes.services import hash_list_create, hash_list_import
from meldpunt.hotline.iptable import ip_table_import
from meldpunt.hotline.models import HotlineState, ReportedUrl
from meldpunt.hotline.sealing import url_open
from meldpunt.hotline.services import reported_url_create, reported_urls_wipe
from meldpunt.intake.models import Report
from meldpunt.lines.models import LineKind
from meldpunt.lines.webaddress import url_normalise
from meldpunt.testing import make_category, make_line, make_staff, sign_in
from meldpunt.vault.models import AuditEvent, Role

SAMPLE = Path(__file__).parent / "data" / "ip2asn-sample.tsv"
pytestmark = pytest.mark.django_db


@pytest.fixture
def hotline(fake_web, fake_dns, crawler_may_reach_fake_web, settings):
    settings.HOTLINE_PARTNER_COUNTRIES = ["DE"]
    line = make_line(kind=LineKind.CONTENT_HOTLINE)
    analyst = make_staff(lines=[line])
    colleague = make_staff(lines=[line])
    category = make_category(line=line)
    fake_dns.zone["pics.example.test"] = ["127.0.0.1"]
    fake_web.page("/image.jpg", fake_web.image, "image/jpeg")
    ip_table_import(path=SAMPLE)
    return {
        "line": line,
        "analyst": analyst,
        "colleague": colleague,
        "category": category,
        "web": fake_web,
    }


def checked(hotline, capture, path: str = "/image.jpg") -> ReportedUrl:
    """A report with one address whose first check has run, as after intake."""
    report = make_report(category=hotline["category"])
    address = url_normalise(hotline["web"].url(path, host="pics.example.test"))
    with capture(execute=True):
        item = reported_url_create(report=report, address=address)
    item.refresh_from_db()
    return item


def client_for(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    sign_in(client, user)
    return client


def page_url(item: ReportedUrl) -> str:
    return reverse("hotline:report", args=[item.report_id])


def assess_url(item: ReportedUrl) -> str:
    return reverse("hotline:assess", args=[item.report_id, item.pk])


def recheck_url(item: ReportedUrl) -> str:
    return reverse("hotline:recheck", args=[item.report_id, item.pk])


def test_a_line_member_sees_the_address_as_text_with_what_was_found(
    hotline, django_capture_on_commit_callbacks
):
    item = checked(hotline, django_capture_on_commit_callbacks)
    address = url_open(item.sealed_url)
    response = client_for(hotline["analyst"]).get(page_url(item))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'value="{address}"' in html
    assert f'href="{address}"' not in html  # never a link
    assert "waiting for an analyst" in html
    assert "LOOPBACK-HOSTING-NL" in html and "AS64500" in html and "127.0.0.1" in html
    evidence_id = item.attempts.get().evidence_id
    assert reverse("evidence:file", args=[evidence_id]) in html
    assert response["Cache-Control"] == "no-store, private"


def test_the_file_page_links_back_to_the_hotline_page(hotline, django_capture_on_commit_callbacks):
    item = checked(hotline, django_capture_on_commit_callbacks)
    evidence_id = item.attempts.get().evidence_id
    page = client_for(hotline["analyst"]).get(reverse("evidence:file", args=[evidence_id]))
    assert (
        f'<a href="{page_url(item)}" id="back-to-case">Back to the case</a>'
        in page.content.decode()
    )


def test_opening_is_audited_without_the_address(hotline, django_capture_on_commit_callbacks):
    item = checked(hotline, django_capture_on_commit_callbacks)
    address = url_open(item.sealed_url)
    client_for(hotline["analyst"]).get(page_url(item))
    event = AuditEvent.objects.get(action="hotline.open")
    assert (event.target_type, event.target_id) == ("intake.report", str(item.report_id))
    assert event.details == {"addresses": 1}
    for logged in AuditEvent.objects.all():
        assert "pics.example.test" not in str(logged.details)
        assert address not in str(logged.details)


def test_known_material_shows_the_list_names(hotline, tmp_path, django_capture_on_commit_callbacks):
    hash_list = hash_list_create(name="police-2026")
    listing = tmp_path / "list.txt"
    listing.write_text(hashlib.sha256(hotline["web"].image).hexdigest() + "\n")
    hash_list_import(hash_list=hash_list, path=listing, algorithm="sha256")
    item = checked(hotline, django_capture_on_commit_callbacks)
    client = client_for(hotline["analyst"])
    html = client.get(page_url(item)).content.decode()
    assert "matched list police-2026" in html
    # The evidence page itself keeps known material out of sight.
    evidence_id = item.attempts.get().evidence_id
    evidence_page = client.get(reverse("evidence:file", args=[evidence_id]))
    assert b'id="known-show"' in evidence_page.content


def test_the_case_page_links_to_the_hotline_page_for_hotline_lines_only(
    hotline, django_capture_on_commit_callbacks
):
    item = checked(hotline, django_capture_on_commit_callbacks)
    client = client_for(hotline["analyst"])
    case_page = client.get(reverse("cases:report", args=[item.report_id]))
    assert page_url(item).encode() in case_page.content
    other = make_category()
    member = make_staff(lines=[other.line])
    plain = make_report(category=other)
    member_client = client_for(member)
    response = member_client.get(reverse("cases:report", args=[plain.pk]))
    assert response.status_code == 200
    assert b"/staff/hotline/" not in response.content
    # ... and its hotline page does not exist.
    assert member_client.get(reverse("hotline:report", args=[plain.pk])).status_code == 404


def test_the_staff_navigation_links_to_the_queue_and_monitor_for_who_may_see_them():
    queue, monitor = reverse("hotline:queue"), reverse("hotline:monitor")
    hotline_line = make_line(kind=LineKind.CONTENT_HOTLINE)

    def links(user) -> tuple[bool, bool]:
        html = client_for(user).get(reverse("cases:queue")).content.decode()
        return f'href="{queue}"' in html, f'href="{monitor}"' in html

    analyst = client_for(make_staff(lines=[hotline_line]))
    html = analyst.get(reverse("cases:queue")).content.decode()
    assert f'href="{queue}">Address queue<' in html
    assert f'href="{monitor}">Provider monitor<' in html
    dutch = analyst.get(reverse("cases:queue"), HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert "Adressenwachtrij" in dutch and "Providermonitor" in dutch
    # Staff of other lines only: no hotline to work on, no figures of their own.
    assert links(make_staff(lines=[make_line(kind=LineKind.TIPS)])) == (False, False)
    # An administrator sees every line's figures, but queues only their own lines' addresses.
    assert links(make_staff(role=Role.ADMINISTRATOR)) == (False, True)
    # The public pages have no staff navigation.
    public = Client().get("/en/")
    assert public.status_code == 200 and queue not in public.content.decode()


def test_others_get_404_and_strangers_the_sign_in_page(hotline, django_capture_on_commit_callbacks):
    item = checked(hotline, django_capture_on_commit_callbacks)
    other_line_analyst = make_staff(lines=[make_category().line])
    partner = make_staff(role=Role.PARTNER)
    for user in (other_line_analyst, partner):
        assert client_for(user).get(page_url(item)).status_code == 404
    response = Client().get(page_url(item))
    assert response.status_code == 302 and response["Location"].startswith("/staff/sign-in/")
    assert not AuditEvent.objects.filter(action="hotline.open").exists()


def test_a_member_without_the_key_is_refused(hotline, django_capture_on_commit_callbacks):
    item = checked(hotline, django_capture_on_commit_callbacks)
    newcomer = make_staff(lines=[hotline["line"]])  # joined after the report: no grant
    response = client_for(newcomer).get(page_url(item))
    assert response.status_code == 403
    assert url_open(item.sealed_url).encode() not in response.content


@pytest.mark.parametrize(
    ("country", "step"),
    [
        ("NL", "Inform the police and send a notice to the provider"),
        ("DE", "Forward to the partner hotline"),
        ("US", "Inform the police; the address is checked every day"),
    ],
)
def test_illegal_follows_the_route_and_is_audited(
    hotline, django_capture_on_commit_callbacks, country, step
):
    item = checked(hotline, django_capture_on_commit_callbacks)
    ReportedUrl.objects.filter(pk=item.pk).update(
        country=country, route={"NL": "domestic", "DE": "partner_hotline"}.get(country, "abroad")
    )
    client = client_for(hotline["analyst"])
    response = client.post(assess_url(item), {"decision": "illegal", "state": "assessment"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.state, item.assessment, item.assessed_by) == (
        HotlineState.ILLEGAL,
        "illegal",
        hotline["analyst"],
    )
    assert item.next_check_at is not None  # still checked daily until gone
    event = AuditEvent.objects.get(action="hotline.assess")
    assert event.actor == hotline["analyst"]
    assert event.details["decision"] == "illegal"
    assert event.details["reported_url"] == item.pk
    html = client.get(page_url(item)).content.decode()
    assert step in html
    assert "The assessment has been recorded." in html


def test_not_illegal_closes_the_address(hotline, django_capture_on_commit_callbacks):
    item = checked(hotline, django_capture_on_commit_callbacks)
    client = client_for(hotline["analyst"])
    client.post(assess_url(item), {"decision": "not_illegal", "state": "assessment"})
    item.refresh_from_db()
    assert (item.state, item.next_check_at) == (HotlineState.NOT_ILLEGAL, None)
    assert AuditEvent.objects.filter(action="hotline.assess").count() == 1
    html = client.get(page_url(item)).content.decode()
    assert "Record assessment" not in html and "Check again now" not in html


def test_stale_and_invalid_assessments_change_nothing(hotline, django_capture_on_commit_callbacks):
    item = checked(hotline, django_capture_on_commit_callbacks)
    client = client_for(hotline["analyst"])
    before = ReportedUrl.objects.filter(pk=item.pk).values().get()
    audit = AuditEvent.objects.count()
    # A page from before a list matched it: the analyst saw "assessment", it is now known.
    ReportedUrl.objects.filter(pk=item.pk).update(state=HotlineState.KNOWN)
    stale = client.post(assess_url(item), {"decision": "not_illegal", "state": "assessment"})
    assert stale.status_code == 409
    assert "changed while you were looking at it" in stale.content.decode()
    missing = client.post(assess_url(item), {"state": "known"})
    assert missing.status_code == 400
    assert "Choose illegal or not illegal." in missing.content.decode()
    nonsense = client.post(assess_url(item), {"decision": "burn", "state": "nowhere"})
    assert nonsense.status_code == 400
    after = ReportedUrl.objects.filter(pk=item.pk).values().get()
    assert {**after, "state": "assessment"} == before
    assert AuditEvent.objects.count() == audit
    # An address of another report, through this report's URL, does not exist here.
    elsewhere = checked(hotline, django_capture_on_commit_callbacks)
    url = reverse("hotline:assess", args=[item.report_id, elsewhere.pk])
    assert client.post(url, {"decision": "illegal", "state": "assessment"}).status_code == 404
    huge = reverse("hotline:assess", args=[item.report_id, 2**70])
    assert client.post(huge, {"decision": "illegal", "state": "assessment"}).status_code == 404


def test_only_who_may_change_the_case_acts(hotline, django_capture_on_commit_callbacks):
    item = checked(hotline, django_capture_on_commit_callbacks)
    case_claim(report=item.report, actor=hotline["analyst"], version=0)
    response = client_for(hotline["colleague"]).post(
        assess_url(item), {"decision": "illegal", "state": "assessment"}
    )
    assert response.status_code == 403
    assert "Only the holder of this case" in response.content.decode()
    item.refresh_from_db()
    assert item.state == HotlineState.ASSESSMENT


def test_check_again_now_queues_one_check(hotline, django_capture_on_commit_callbacks):
    item = checked(hotline, django_capture_on_commit_callbacks)
    client = client_for(hotline["analyst"])
    with django_capture_on_commit_callbacks() as queued:
        first = client.post(recheck_url(item))
        second = client.post(recheck_url(item))
    assert first.status_code == 302
    assert second.status_code == 409
    assert "already waiting for the crawler" in second.content.decode()
    assert len(queued) == 1
    assert AuditEvent.objects.filter(action="hotline.recheck").count() == 1
    for callback in queued:
        callback()  # the immediate task backend runs the check
    item.refresh_from_db()
    assert item.check_count == 2
    assert item.attempts.filter(purpose="recheck").count() == 1
    assert item.next_check_at > timezone.now() + timedelta(hours=23)


def test_check_again_is_refused_while_a_check_runs(hotline, django_capture_on_commit_callbacks):
    item = checked(hotline, django_capture_on_commit_callbacks)
    ReportedUrl.objects.filter(pk=item.pk).update(
        is_checking=True, next_check_at=timezone.now() + timedelta(minutes=50)
    )
    with django_capture_on_commit_callbacks() as queued:
        response = client_for(hotline["analyst"]).post(recheck_url(item))
    assert response.status_code == 409
    assert "A check of this address is running" in response.content.decode()
    assert queued == []
    assert not AuditEvent.objects.filter(action="hotline.recheck").exists()


def test_a_finished_check_clears_the_running_mark(hotline, django_capture_on_commit_callbacks):
    item = checked(hotline, django_capture_on_commit_callbacks)
    assert item.is_checking is False


def test_a_closed_address_is_not_checked_again(hotline, django_capture_on_commit_callbacks):
    item = checked(hotline, django_capture_on_commit_callbacks)
    client = client_for(hotline["analyst"])
    client.post(assess_url(item), {"decision": "not_illegal", "state": "assessment"})
    with django_capture_on_commit_callbacks() as queued:
        response = client.post(recheck_url(item))
    assert response.status_code == 409
    assert "This address is no longer checked." in response.content.decode()
    assert queued == []


def test_a_destroyed_report_shows_nothing_and_accepts_nothing(
    hotline, django_capture_on_commit_callbacks
):
    item = checked(hotline, django_capture_on_commit_callbacks)
    reported_urls_wipe(item.report)
    Report.objects.filter(pk=item.report_id).update(destroyed_at=timezone.now())
    client = client_for(hotline["analyst"])
    assert client.get(page_url(item)).status_code == 410
    response = client.post(assess_url(item), {"decision": "illegal", "state": "assessment"})
    assert response.status_code == 410
    item.refresh_from_db()
    assert item.state == HotlineState.ASSESSMENT
