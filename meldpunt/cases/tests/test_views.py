from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext

from meldpunt.cases import selectors
from meldpunt.cases.models import Case, CloseOutcome, QuestionTemplate
from meldpunt.cases.services import case_claim, case_link, case_question_ask
from meldpunt.intake.models import Report, ReportStatus
from meldpunt.intake.services import MailboxAccess, reporter_message_post
from meldpunt.testing import make_category, sign_in
from meldpunt.vault.models import AuditEvent

from .factories import make_report
from .test_services import key_for

pytestmark = pytest.mark.django_db


def shown_text(msgid: str) -> str:
    """A message as the staff pages show it: in Dutch (the default language), escaped,
    cut before its first placeholder."""
    with translation.override("nl"):
        return escape(gettext(msgid).split("%(")[0].strip())


@pytest.fixture
def staff_client(client, analyst):
    sign_in(client, analyst)
    return client


def queue_references(response, part: str = "rows") -> list[str]:
    return [report.reference for report, _deadlines in response.context[part]]


def test_queue_tabs_count_per_status_and_show_only_the_chosen_one(staff_client, category):
    new = make_report(category=category)
    waiting = make_report(category=category, status=ReportStatus.WAITING_FOR_REPORTER)
    make_report(category=category, status=ReportStatus.CLOSED)
    make_report(category=make_category())  # another line: never counted
    response = staff_client.get("/staff/cases/", {"status": "waiting"})
    assert response.status_code == 200
    assert queue_references(response) == [waiting.reference]
    counts = {value: count for value, _label, count in response.context["tabs"]}
    filtered = staff_client.get("/staff/cases/", {"status": "waiting", "age": "lt7"})
    assert {v: c for v, _l, c in filtered.context["tabs"] if c} == {"waiting": "1"}
    assert counts == {
        "all": "",
        "new": "1",
        "in_progress": "0",
        "waiting": "1",
        "ready": "0",
        "forwarded": "0",
        "closed": "1",
    }
    # The queue opens on the new reports.
    assert queue_references(staff_client.get("/staff/cases/")) == [new.reference]
    assert len(queue_references(staff_client.get("/staff/cases/", {"status": "all"}))) == 3


def test_tab_counts_stop_at_the_cap(staff_client, category, monkeypatch):
    monkeypatch.setattr(selectors, "COUNT_CAP", 2)
    for _ in range(3):
        make_report(category=category)
    counts = {v: c for v, _l, c in staff_client.get("/staff/cases/").context["tabs"]}
    assert counts["new"] == "2+"


def test_queue_filters_and_search(staff_client, category, analyst, colleague):
    other_category = make_category(line=category.line)
    old = make_report(
        category=category,
        municipality_code="GM0363",
        received_at=timezone.now() - timedelta(days=40),
    )
    # Opened (which reads the news), then claimed.
    mine = make_report(category=other_category, needs_attention=False)
    theirs = make_report(category=category, needs_attention=False)
    case_claim(report=mine, actor=analyst, version=0)
    case_claim(report=theirs, actor=colleague, version=0)

    def shown(**params):
        response = staff_client.get("/staff/cases/", {"status": "all", **params})
        assert response.status_code == 200, response.context["form"].errors
        return set(queue_references(response))

    assert shown(category=other_category.pk) == {mine.reference}
    assert shown(assignee="me") == {mine.reference}
    assert shown(assignee="nobody") == {old.reference}
    assert shown(assignee=colleague.pk) == {theirs.reference}
    assert shown(municipality="gm0363") == {old.reference}
    assert shown(age="gt30") == {old.reference}
    assert shown(age="lt7") == {mine.reference, theirs.reference}
    assert shown(q=mine.reference.lower().replace("-", "")) == {mine.reference}
    assert shown(q=mine.reference[:3]) >= {mine.reference}
    assert shown(q="GM0363") == {old.reference}
    assert shown(line=category.line.pk) == {old.reference, mine.reference, theirs.reference}


def test_overdue_reports_are_highlighted_and_filterable(staff_client, category):
    line = category.line
    late = make_report(
        category=category, received_at=timezone.now() - timedelta(days=line.acknowledge_days + 1)
    )
    fresh = make_report(category=category)
    answered_late = make_report(
        category=category,
        status=ReportStatus.IN_PROGRESS,
        received_at=timezone.now() - timedelta(days=line.acknowledge_days + 1),
    )
    feedback_late = make_report(
        category=category,
        status=ReportStatus.WAITING_FOR_REPORTER,
        received_at=timezone.now() - timedelta(days=line.feedback_days + 1),
    )
    response = staff_client.get("/staff/cases/", {"overdue": "on", "status": "all"})
    assert set(queue_references(response)) == {late.reference, feedback_late.reference}
    page = response.content.decode()
    assert 'class="overdue"' in page
    assert shown_text("Acknowledgement overdue since %(date)s") in page
    assert shown_text("Feedback overdue since %(date)s") in page
    everything = staff_client.get("/staff/cases/", {"status": "all"})
    deadlines = {report.pk: d for report, d in everything.context["rows"]}
    assert not deadlines[fresh.pk].is_overdue and not deadlines[answered_late.pk].is_overdue


def test_news_from_the_reporter_is_listed_on_top(staff_client, category):
    quiet = make_report(category=category, status=ReportStatus.IN_PROGRESS)
    answered = make_report(category=category, status=ReportStatus.IN_PROGRESS, needs_attention=True)
    Report.objects.filter(pk=quiet.pk).update(received_at=timezone.now() - timedelta(days=3))
    later = make_report(category=category, status=ReportStatus.IN_PROGRESS)
    response = staff_client.get("/staff/cases/", {"status": ReportStatus.IN_PROGRESS})
    assert queue_references(response, "news") == [answered.reference]
    # Once per item: the news is not listed again among the rows.
    assert queue_references(response) == [quiet.reference, later.reference]
    page = response.content.decode()
    assert page.index('id="news"') < page.index('id="queue"')
    newest = staff_client.get("/staff/cases/", {"status": "in_progress", "sort": "newest"})
    assert queue_references(newest) == [later.reference, quiet.reference]


def test_news_shows_on_the_default_tab_and_a_new_report_is_listed_once(
    staff_client, category, analyst
):
    """The default tab is "New"; an answer on a case in progress must show there too."""
    fresh = make_report(category=category)
    report = make_report(category=category, status=ReportStatus.WAITING_FOR_REPORTER)
    access = MailboxAccess(report=report, key_bytes=key_for(analyst, report))
    reporter_message_post(access=access, body="Een rode Golf")
    response = staff_client.get("/staff/cases/")
    assert queue_references(response, "news") == [report.reference]
    assert queue_references(response) == [fresh.reference]
    page = response.content.decode()
    assert page.count(fresh.reference) == 1
    assert page.count(report.reference) == 1
    staff_client.get(reverse("cases:report", args=[report.pk]))  # read by the (only) viewer
    assert queue_references(staff_client.get("/staff/cases/"), "news") == []


def test_pagination_keeps_the_filters(staff_client, category):
    for _ in range(55):
        make_report(category=category)
    first = staff_client.get("/staff/cases/", {"status": "new", "sort": "newest"})
    assert len(first.context["rows"]) == 50 and first.context["page"].has_next
    assert "status=new&amp;sort=newest&amp;page=2" in first.content.decode()
    second = staff_client.get("/staff/cases/", {"status": "new", "sort": "newest", "page": 2})
    assert len(second.context["rows"]) == 5 and not second.context["page"].has_next
    assert not set(queue_references(first)) & set(queue_references(second))
    beyond = staff_client.get("/staff/cases/", {"page": "999"})
    assert beyond.status_code == 200 and beyond.context["rows"] == []


def test_bad_queue_input_is_a_clear_error_not_a_crash(staff_client, category):
    make_report(category=category)
    response = staff_client.get(
        "/staff/cases/", {"status": "nonsense", "line": "x", "age": "forever", "page": "²"}
    )
    assert response.status_code == 400
    assert {"status", "line", "age"} <= set(response.context["form"].errors)
    assert len(response.context["rows"]) == 1


def _count_queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params or {}).status_code == 200
    return len(captured)


def test_queue_queries_do_not_grow_with_rows(staff_client, category, analyst, colleague):
    mine = {"assignee": "me", "status": "in_progress"}
    for _ in range(2):
        make_report(category=category)
    case_claim(report=make_report(category=category), actor=analyst, version=0)
    few = _count_queries(staff_client, "/staff/cases/")
    few_mine = _count_queries(staff_client, "/staff/cases/", mine)
    for index in range(20):
        report = make_report(category=make_category(line=category.line))
        case_claim(report=report, actor=analyst if index % 2 else colleague, version=0)
    assert _count_queries(staff_client, "/staff/cases/") == few
    assert _count_queries(staff_client, "/staff/cases/", mine) == few_mine


def test_queue_selector_query_count(django_assert_num_queries, category, analyst):
    for _ in range(5):
        make_report(category=category)
    # Membership, six capped tab counts, the news, one page of rows with their
    # holders, then the lines and categories of all rows.
    with django_assert_num_queries(11):
        page = selectors.queue_page(analyst, selectors.QueueQuery())
        for report in page.rows + page.news:
            selectors.deadlines_for(report)
            _holder = selectors.case_of(report)
    assert len(page.rows) == 5
    # Filtered: the open tab's count only, + the lines' deadlines; nothing is
    # overdue, so no lines or categories to attach.
    with django_assert_num_queries(5):
        overdue = selectors.QueueQuery(is_overdue=True, status="new")
        assert selectors.queue_page(analyst, overdue).rows == []


def test_case_page_queries_do_not_grow_with_its_history(staff_client, category, analyst):
    report = make_report(category=category)
    url = reverse("cases:report", args=[report.pk])
    key = key_for(analyst, report)

    def add_history(count: int) -> None:
        for number in range(count):
            case_question_ask(report=report, actor=analyst, key_bytes=key, body=f"Q {number}")
            staff_client.post(reverse("cases:note", args=[report.pk]), {"body": "note"})

    add_history(1)
    staff_client.get(url)  # the first visit also clears the "news" flag
    before = _count_queries(staff_client, url)
    add_history(6)
    assert _count_queries(staff_client, url) == before


def test_two_analysts_on_one_case_the_second_gets_a_conflict(category, analyst, colleague):
    report = make_report(category=category)
    first, second = Client(), Client()
    sign_in(first, analyst)
    sign_in(second, colleague)
    url = reverse("cases:report", args=[report.pk])
    # Both open the case page and see version 0.
    for client in (first, second):
        assert client.get(url).context["version"] == 0
    assert first.post(reverse("cases:claim", args=[report.pk]), {"version": 0}).status_code == 302
    response = second.post(reverse("cases:claim", args=[report.pk]), {"version": 0})
    assert response.status_code == 409
    assert (
        shown_text(
            "Someone else changed this case while you were looking at it. Nothing of your "
            "change was saved; check the case as it is now and try again."
        )
        in response.content.decode()
    )
    assert response.context["case"].assignee == analyst  # they now see the case as it is
    assert Case.objects.get(report=report).assignee == analyst


def test_closed_case_refuses_with_a_clear_message(staff_client, category):
    report = make_report(category=category)
    close = reverse("cases:close", args=[report.pk])
    response = staff_client.post(close, {"version": 0, "outcome": "handled", "reason": "Done"})
    assert response.status_code == 302
    page = staff_client.get(reverse("cases:report", args=[report.pk])).content.decode()
    with translation.override("nl"):
        handled = str(CloseOutcome.HANDLED.label)
    assert "Done" in page and handled in page
    response = staff_client.post(
        reverse("cases:triage", args=[report.pk]), {"version": 1, "outcome": "usable"}
    )
    assert response.status_code == 409
    assert shown_text("This case is closed; it cannot be changed.") in response.content.decode()
    assert Report.objects.get(pk=report.pk).status == ReportStatus.CLOSED


def test_destroyed_case_says_so(staff_client, category):
    report = make_report(category=category)
    Report.objects.filter(pk=report.pk).update(destroyed_at=timezone.now())
    response = staff_client.get(reverse("cases:report", args=[report.pk]))
    assert response.status_code == 410
    assert "cases/destroyed.html" in [template.name for template in response.templates]
    response = staff_client.post(reverse("cases:claim", args=[report.pk]), {"version": 0})
    assert response.status_code == 410
    assert not Case.objects.exists()


def test_bad_action_input_is_a_clear_error(staff_client, category):
    report = make_report(category=category)
    for name, data in [
        ("claim", {"version": "abc"}),
        ("triage", {"version": 0, "outcome": "brilliant"}),
        ("category", {"version": 0, "category": make_category().pk}),
        ("link", {"version": 0, "reference": "NOPE-NOPE", "kind": "follow_up"}),
        ("close", {"version": 0, "outcome": "handled", "reason": ""}),
        ("note", {"body": ""}),
        ("hand_over", {"version": 0, "to": 10**30}),
        ("category", {"version": 0, "category": 10**30}),
        ("claim", {"version": 10**30}),
    ]:
        response = staff_client.post(reverse(f"cases:{name}", args=[report.pk]), data)
        assert response.status_code == 400, name
        assert response.context["forms"][name].errors, name
    assert not AuditEvent.objects.filter(action__startswith="case.").exists()


def test_template_fills_the_question(staff_client, category):
    report = make_report(category=category)
    template = QuestionTemplate.objects.create(
        line=category.line,
        language="en",
        title="Colour",
        body="What colour was the car?",
        is_control_question=True,
    )
    QuestionTemplate.objects.create(
        line=make_category().line, language="en", title="Elsewhere", body="Not for this line"
    )
    url = reverse("cases:report", args=[report.pk])
    page = staff_client.get(url, {"template": template.pk}).content.decode()
    assert "What colour was the car?</textarea>" in page and "Elsewhere" not in page
    for garbage in ("x", "²", "9" * 40):
        assert staff_client.get(url, {"template": garbage}).status_code == 200
    response = staff_client.post(url, {"body": "What colour was the car?", "template": template.pk})
    assert response.status_code == 302
    assert AuditEvent.objects.get(action="case.template_used").details == {
        "template": template.pk,
        "control_question": True,
    }


def test_related_view_shows_the_chain_together(staff_client, category, analyst):
    first = make_report(category=category, text="First sighting")
    second = make_report(category=category, text="Seen again")
    third = make_report(category=category, text="And again")
    case_link(report=second, actor=analyst, version=0, earlier=first, kind="follow_up")
    case_link(report=third, actor=analyst, version=0, earlier=second, kind="duplicate")
    page = staff_client.get(reverse("cases:related", args=[third.pk])).content.decode()
    positions = [page.index(text) for text in ("First sighting", "Seen again", "And again")]
    assert positions == sorted(positions)
    case_page = staff_client.get(reverse("cases:report", args=[first.pk])).content.decode()
    assert reverse("cases:related", args=[first.pk]) in case_page


def test_timeline_shows_every_step_with_the_reporter_in_place(staff_client, category, analyst):
    report = make_report(category=category)
    make_report(category=category, needs_attention=False)
    key = key_for(analyst, report)
    staff_client.post(reverse("cases:claim", args=[report.pk]), {"version": 0})
    case_question_ask(report=report, actor=analyst, key_bytes=key, body="Which car?")
    report.refresh_from_db()
    reporter_message_post(access=MailboxAccess(report=report, key_bytes=key), body="A red Golf")
    staff_client.post(
        reverse("cases:triage", args=[report.pk]), {"version": 2, "outcome": "usable"}
    )
    actions = [entry.action for entry in selectors.case_timeline(report)]
    assert actions == ["case.claim", "report.question", "reporter.message", "case.triage"]
    queue = staff_client.get("/staff/cases/", {"status": "all"})
    assert queue_references(queue, "news") == [report.reference]


def test_review_is_offered_to_a_second_person_only(client, category, analyst, colleague):
    from meldpunt.cases.models import LineCaseSettings

    LineCaseSettings.objects.create(line=category.line, requires_review=True)
    report = make_report(category=category)
    holder = Client()
    sign_in(holder, analyst)
    triage = reverse("cases:triage", args=[report.pk])
    assert holder.post(triage, {"version": 0, "outcome": "usable"}).status_code == 302
    url = reverse("cases:report", args=[report.pk])
    approve = reverse("cases:approve", args=[report.pk])
    own = holder.get(url).content.decode()
    assert 'id="review"' in own and approve not in own
    sign_in(client, colleague)
    assert approve in client.get(url).content.decode()
    assert client.post(approve, {"version": 1}).status_code == 302
    assert Report.objects.get(pk=report.pk).status == ReportStatus.READY_TO_FORWARD
    assert shown_text("Reviewed by %(name)s.") in client.get(url).content.decode()


def test_questions_left_unanswered_are_flagged(staff_client, category):
    long_ago = timezone.now() - timedelta(days=15)
    silent = make_report(
        category=category, status=ReportStatus.WAITING_FOR_REPORTER, last_activity_at=long_ago
    )
    make_report(category=category, status=ReportStatus.WAITING_FOR_REPORTER)
    response = staff_client.get("/staff/cases/", {"status": "waiting", "unanswered": "on"})
    assert queue_references(response) == [silent.reference]
    assert 'class="unanswered"' in response.content.decode()


def test_content_search_page(staff_client, category):
    found = make_report(category=category, text="Red scooter near the school")
    make_report(category=category, text="Blue car")
    response = staff_client.post(reverse("cases:content_search"), {"text": "scooter"})
    assert response.status_code == 200
    assert [r.reference for r, _d in response.context["rows"]] == [found.reference]
    assert response.context["result"].searched == 2
    assert 'id="search-summary"' in response.content.decode()
    assert staff_client.get(reverse("cases:content_search")).status_code == 200
    assert staff_client.post(reverse("cases:content_search"), {"text": " "}).status_code == 400


def test_the_timeline_folds_repeated_views_into_one_line_per_person_and_day(
    staff_client, category, analyst, colleague
):
    report = make_report(category=category)
    url = reverse("cases:report", args=[report.pk])
    for _ in range(3):
        staff_client.get(url)
    other = Client()
    sign_in(other, colleague)
    other.get(url)
    # The audit log keeps every view ...
    opened = AuditEvent.objects.filter(action="report.open", target_id=str(report.pk))
    assert opened.count() == 4
    # ... the timeline one line per person and day, with how often.
    views = [e for e in selectors.case_timeline(report) if e.action == "report.open"]
    assert sorted((e.actor, e.count) for e in views) == sorted(
        [(analyst.get_username(), 3), (colleague.get_username(), 1)]
    )
    page = staff_client.get(url).content.decode()
    assert "Geopend (4 keer)" in page
    assert page.count("Geopend") == 2
    # Another day is another line.
    AuditEvent.objects.filter(pk=opened.order_by("sequence").first().pk).update(
        created_at=timezone.now() - timedelta(days=1)
    )
    views = [e for e in selectors.case_timeline(report) if e.action == "report.open"]
    assert len(views) == 3
