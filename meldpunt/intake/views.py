"""The reporter's pages. Plain HTML forms: nothing here needs JavaScript."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from meldpunt.lines.models import Category, Line, Question, QuestionKind
from meldpunt.privacy.detection import AnswerReview, answer_review, text_segments
from meldpunt.vault.derivations import DerivationBusy
from meldpunt.vault.sessionsecrets import (
    session_secret_get,
    session_secret_put,
    session_secrets_clear,
)

from . import selectors, services
from .forms import FilesForm, MessageForm, ReceiptForm, ReportForm, SubmissionForm
from .models import Report
from .multipart import multipart_is_complete
from .retention import report_kept_until

MAILBOX_KEY = "mailbox"
MAILBOX_REPORT = "mailbox_report"
# How long a reporter told "busy" is asked to wait (Retry-After, and the page says a minute).
BUSY_RETRY_SECONDS = 60


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "intake/home.html", {"lines": selectors.open_lines()})


def safety(request: HttpRequest) -> HttpResponse:
    return render(request, "intake/safety.html")


def line_detail(request: HttpRequest, line_slug: str) -> HttpResponse:
    line = get_object_or_404(Line, slug=line_slug, is_active=True)
    return render(
        request,
        "intake/line.html",
        {"line": line, "categories": selectors.open_categories(line)},
    )


def _open_category(line_slug: str, category_slug: str) -> Category:
    category = get_object_or_404(
        Category.objects.select_related("line").prefetch_related("questions"),
        line__slug=line_slug,
        slug=category_slug,
    )
    if not category.is_open:
        raise Http404(_("This category does not accept reports."))
    return category


def _file_questions(category: Category) -> list:
    return [q for q in category.questions.all() if q.kind == QuestionKind.FILE]


@require_http_methods(["GET", "POST"])
def questionnaire(request: HttpRequest, line_slug: str, category_slug: str) -> HttpResponse:
    """Step 1: the questions. A valid POST shows the review step."""
    category = _open_category(line_slug, category_slug)
    if request.method == "POST" and "edit" in request.POST:
        # Back from the review step: show the answers again, without error messages.
        form = ReportForm(initial=request.POST.dict(), category=category)
    else:
        form = ReportForm(request.POST or None, category=category)
        if form.is_bound and form.is_valid():
            files_form = FilesForm(line=category.line, file_questions=_file_questions(category))
            return _render_review(request, category, form, files_form, SubmissionForm.issue())
    status = 400 if form.errors else 200
    return render(
        request, "intake/questionnaire.html", {"category": category, "form": form}, status=status
    )


FREE_TEXT_KINDS = {QuestionKind.TEXT, QuestionKind.LONG_TEXT, QuestionKind.ADDRESS}


def _review_items(form: ReportForm, language: str) -> list[tuple[Question, AnswerReview]]:
    """(question, review) per answer, marking what may identify the reporter.

    Warnings are computed for display only and never stored: the reporter decides
    whether to change the text before anything is sent. Only free text is checked.
    """
    items = []
    for question, answer in form.answered_questions():
        if question.kind in FREE_TEXT_KINDS:
            review = answer_review(
                answer, language=language, is_location_answer=question.kind == QuestionKind.ADDRESS
            )
        else:
            review = AnswerReview(segments=text_segments(answer, []), warnings=[], note=None)
        items.append((question, review))
    return items


def _render_review(
    request: HttpRequest,
    category: Category,
    form: ReportForm,
    files_form: FilesForm,
    submission_form: SubmissionForm,
    status: int = 200,
) -> HttpResponse:
    hidden = ReportForm(initial=form.cleaned_data, category=category, hidden=True)
    return render(
        request,
        "intake/review.html",
        {
            "category": category,
            "answered": _review_items(form, request.LANGUAGE_CODE),
            "hidden_form": hidden,
            "files_form": files_form,
            "submission_form": submission_form,
        },
        status=status,
    )


def _busy(response: HttpResponse) -> HttpResponse:
    response["Retry-After"] = str(BUSY_RETRY_SECONDS)
    return response


def _upload_cut_off(request: HttpRequest) -> HttpResponse:
    return render(request, "intake/upload_cut_off.html", status=400)


@require_POST
def submit(request: HttpRequest, line_slug: str, category_slug: str) -> HttpResponse:
    """Step 2: files and the final submit; stores the report atomically."""
    category = _open_category(line_slug, category_slug)
    if not multipart_is_complete(request):
        return _upload_cut_off(request)
    form = ReportForm(request.POST, category=category)
    if not form.is_valid():
        return render(
            request, "intake/questionnaire.html", {"category": category, "form": form}, status=400
        )
    files_form = FilesForm(
        request.POST, request.FILES, line=category.line, file_questions=_file_questions(category)
    )
    submission_form = SubmissionForm(request.POST)
    files_are_valid = files_form.is_valid()
    if not submission_form.is_valid():
        files_form.add_error(None, submission_form.errors["token"])
    # The same token again, so that sending again still makes one report; an
    # expired or missing one is replaced.
    again = SubmissionForm.issue(submission_form.cleaned_data.get("token"))
    if not (files_are_valid and submission_form.is_valid()):
        return _render_review(request, category, form, files_form, again, status=400)
    try:
        submission = services.report_submit(
            category=category,
            answers=form.answers(),
            questions={q.key: q.label for q in form.questions},
            municipality_code=form.municipality_code(),
            files=[
                services.IncomingFile(source=upload, name=upload.name, question_key=key)
                for key, upload in files_form.uploads()
            ],
            submission_token=submission_form.cleaned_data["token"],
        )
    except DerivationBusy:
        files_form.add_error(
            None,
            _(
                "The reporting point is very busy right now. Your report was not sent. "
                "Please send it again in a minute: your answers are kept below, "
                "but files have to be chosen again."
            ),
        )
        return _busy(_render_review(request, category, form, files_form, again, status=503))
    except services.IntakeError as error:
        files_form.add_error(
            error.field if error.field in files_form.fields else None, error.message
        )
        return _render_review(request, category, form, files_form, again, status=400)
    # Also for a form sent again (reload, Back then Forward): the first report's receipt.
    return render(
        request, "intake/receipt.html", {"receipt": submission.receipt, "line": category.line}
    )


@require_http_methods(["GET", "POST"])
def mailbox_login(request: HttpRequest) -> HttpResponse:
    form = ReceiptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            access = services.mailbox_open(receipt=form.cleaned_data["receipt"])
        except DerivationBusy:
            form.add_error(
                None, _("The reporting point is very busy right now. Please try again in a minute.")
            )
            return _busy(render(request, "intake/mailbox_login.html", {"form": form}, status=503))
        if access is None:
            form.add_error(
                "receipt", _("This receipt does not open a mailbox. Check it and try again.")
            )
        else:
            request.session.cycle_key()
            request.session[MAILBOX_REPORT] = access.report.pk
            session_secret_put(request, MAILBOX_KEY, access.key_bytes)
            return redirect("intake:mailbox")
    return render(
        request, "intake/mailbox_login.html", {"form": form}, status=400 if form.errors else 200
    )


def _mailbox_access(request: HttpRequest) -> services.MailboxAccess | None:
    report_pk = request.session.get(MAILBOX_REPORT)
    key_bytes = session_secret_get(request, MAILBOX_KEY)
    if report_pk is None or key_bytes is None:
        return None
    report = Report.objects.filter(pk=report_pk, destroyed_at__isnull=True).first()
    return services.MailboxAccess(report=report, key_bytes=key_bytes) if report else None


@require_http_methods(["GET", "POST"])
def mailbox(request: HttpRequest) -> HttpResponse:
    """The thread and a message form. A message is checked first, like a report: the
    first POST shows it with what may identify the reporter marked and asks for files;
    only the POST with ``confirm`` stores it, ``edit`` goes back to the text."""
    access = _mailbox_access(request)
    if access is None:
        return redirect("intake:mailbox_login")
    if request.method == "POST" and not multipart_is_complete(request):
        return _upload_cut_off(request)
    report = access.report
    if "edit" in request.POST:
        message_form = MessageForm(initial={"body": request.POST.get("body", "")})
    else:
        message_form = MessageForm(request.POST or None)
    if message_form.is_bound and message_form.is_valid():
        is_confirmed = "confirm" in request.POST
        files_form = FilesForm(
            request.POST if is_confirmed else None,
            request.FILES if is_confirmed else None,
            line=report.line,
        )
        if not is_confirmed:
            return _render_message_review(request, message_form, files_form)
        if files_form.is_valid():
            try:
                services.reporter_message_post(
                    access=access,
                    body=message_form.cleaned_data["body"],
                    files=[
                        services.IncomingFile(source=upload, name=upload.name)
                        for _key, upload in files_form.uploads()
                    ],
                )
            except services.IntakeError as error:
                files_form.add_error(None, error.message)
            else:
                return redirect("intake:mailbox")
        return _render_message_review(request, message_form, files_form, status=400)
    content = services.report_content(report=report, key_bytes=access.key_bytes)
    thread = [
        (message, services.message_body(message=message, key_bytes=access.key_bytes))
        for message in selectors.report_messages(report)
    ]
    return render(
        request,
        "intake/mailbox.html",
        {
            "report": report,
            "kept_until": report_kept_until(report),
            "content": content,
            "answers": [(content["questions"].get(k, k), v) for k, v in content["answers"].items()],
            "thread": thread,
            "message_form": message_form,
        },
        status=400 if message_form.errors else 200,
    )


def _render_message_review(
    request: HttpRequest, message_form: MessageForm, files_form: FilesForm, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "intake/mailbox_review.html",
        {
            "review": answer_review(
                message_form.cleaned_data["body"], language=request.LANGUAGE_CODE
            ),
            "message_form": message_form,
            "files_form": files_form,
        },
        status=status,
    )


@require_POST
def mailbox_logout(request: HttpRequest) -> HttpResponse:
    session_secrets_clear(request)
    request.session.flush()
    return redirect("intake:home")
