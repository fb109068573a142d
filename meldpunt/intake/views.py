"""The reporter's pages. Plain HTML forms: nothing here needs JavaScript."""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from meldpunt.lines.models import Category, Line, Question, QuestionKind
from meldpunt.privacy.detection import (
    AnswerReview,
    answer_review,
    file_name_review,
    text_segments,
)
from meldpunt.vault.blobs import BlobStoreUnavailable
from meldpunt.vault.derivations import DerivationBusy
from meldpunt.vault.sessionsecrets import (
    session_secret_get,
    session_secret_put,
    session_secrets_clear,
)

from . import selectors, services, staging
from .forms import (
    FilesForm,
    MessageForm,
    ReceiptForm,
    ReportForm,
    StagedFilesForm,
    SubmissionForm,
)
from .models import Report, ReportChannel
from .multipart import multipart_is_complete
from .reporter_links import reporter_links
from .retention import report_kept_until
from .staging import StagedUpload

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
        {
            "line": line,
            "categories": selectors.open_categories(line),
            "other_ways": reporter_links(line),
        },
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


def _render_questionnaire(
    request: HttpRequest,
    category: Category,
    form: ReportForm,
    files_form: FilesForm,
    staged: StagedFilesForm,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "intake/questionnaire.html",
        {
            "category": category,
            "form": form,
            "files_form": files_form,
            "staged_form": staged,
            "other_ways": reporter_links(category.line),
        },
        status=status,
    )


def _staged_form(
    category: Category, secret: str, uploads: list[StagedUpload], data: Any = None
) -> StagedFilesForm:
    return StagedFilesForm(
        data,
        line=category.line,
        uploads=uploads,
        initial={"staged": secret, "staged_count": len(uploads)},
    )


@require_http_methods(["GET", "POST"])
def questionnaire(request: HttpRequest, line_slug: str, category_slug: str) -> HttpResponse:
    """Step 1: the questions and the files. A valid POST stages the files and shows the
    review step, so that the review shows everything that will be sent."""
    category = _open_category(line_slug, category_slug)
    if request.method == "POST" and not multipart_is_complete(request):
        return _upload_cut_off(request)
    secret = staging.staging_secret(request.POST.get("staged", ""))
    uploads = staging.files_staged(secret=secret)
    file_questions = _file_questions(category)
    if request.method == "POST" and "edit" in request.POST:
        # Back from the review step: show the answers again, without error messages.
        form = ReportForm(initial=request.POST.dict(), category=category)
        files_form = FilesForm(line=category.line, file_questions=file_questions, staged=uploads)
        return _render_questionnaire(
            request, category, form, files_form, _staged_form(category, secret, uploads)
        )
    form = ReportForm(request.POST or None, category=category)
    files_form = FilesForm(
        request.POST or None,
        request.FILES or None,
        line=category.line,
        file_questions=file_questions,
        staged=uploads,
    )
    if form.is_bound and form.is_valid() and files_form.is_valid():
        try:
            uploads += staging.files_stage(
                secret=secret,
                line=category.line,
                files=[
                    services.IncomingFile(source=upload, name=upload.name, question_key=key)
                    for key, upload in files_form.uploads()
                ],
            )
        except services.IntakeError as error:
            files_form.add_error(
                error.field if error.field in files_form.fields else None, error.message
            )
        except BlobStoreUnavailable:
            files_form.add_error(None, _store_unavailable_message())
            return _busy(
                _render_questionnaire(
                    request,
                    category,
                    form,
                    files_form,
                    _staged_form(category, secret, uploads),
                    status=503,
                )
            )
        else:
            return _render_review(
                request,
                category,
                form,
                _staged_form(category, secret, uploads),
                SubmissionForm.issue(),
            )
    status = 400 if form.errors or files_form.errors else 200
    staged_form = _staged_form(category, secret, uploads)
    return _render_questionnaire(request, category, form, files_form, staged_form, status)


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


def _staged_items(staged: StagedFilesForm, language: str) -> list[dict[str, Any]]:
    """Per staged file: its name with what may identify someone marked, and its choices."""
    return [
        {
            "review": file_name_review(upload.name, language=language),
            "name": staged[f"name-{upload.position}"] if staged.can_rename else None,
            "drop": staged[f"drop-{upload.position}"],
        }
        for upload in staged.uploads
    ]


def _render_review(
    request: HttpRequest,
    category: Category,
    form: ReportForm,
    staged: StagedFilesForm,
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
            "staged_form": staged,
            "staged_items": _staged_items(staged, request.LANGUAGE_CODE),
            "submission_form": submission_form,
        },
        status=status,
    )


def _busy(response: HttpResponse) -> HttpResponse:
    response["Retry-After"] = str(BUSY_RETRY_SECONDS)
    return response


def _store_unavailable_message() -> str:
    return _(
        "Your files cannot be stored right now, so nothing was sent. Please try again "
        "in a few minutes."
    )


def _upload_cut_off(request: HttpRequest) -> HttpResponse:
    return render(request, "intake/upload_cut_off.html", status=400)


def _receipt_page(request: HttpRequest, category: Category, receipt: str) -> HttpResponse:
    return render(request, "intake/receipt.html", {"receipt": receipt, "line": category.line})


@require_POST
def submit(request: HttpRequest, line_slug: str, category_slug: str) -> HttpResponse:
    """Step 2: the review's choices for the staged files, and the final submit; stores
    the report and its files atomically."""
    category = _open_category(line_slug, category_slug)
    if not multipart_is_complete(request):
        return _upload_cut_off(request)
    form = ReportForm(request.POST, category=category)
    if not form.is_valid():
        return render(
            request, "intake/questionnaire.html", {"category": category, "form": form}, status=400
        )
    submission_form = SubmissionForm(request.POST)
    if submission_form.is_valid() and (
        earlier := services.report_submitted_before(submission_form.cleaned_data["token"])
    ):
        # A form sent again (reload, Back then Forward): the first report's receipt.
        return _receipt_page(request, category, earlier.receipt)
    secret = request.POST.get("staged", "")
    uploads = staging.files_staged(secret=secret)
    staged = StagedFilesForm(request.POST, line=category.line, uploads=uploads)
    # Files sent with this request itself, by a client that skipped the first step's
    # file fields; they are stored under the line's file-name policy.
    files_form = FilesForm(
        request.POST,
        request.FILES,
        line=category.line,
        file_questions=_file_questions(category),
        staged=uploads,
    )
    forms_are_valid = staged.is_valid() & files_form.is_valid()
    if not submission_form.is_valid():
        staged.add_error(None, submission_form.errors["token"])
    # The same token again, so that sending again still makes one report; an
    # expired or missing one is replaced.
    again = SubmissionForm.issue(submission_form.cleaned_data.get("token"))
    if not (forms_are_valid and submission_form.is_valid()):
        for error in files_form.errors.values():
            staged.add_error(None, error)
        return _render_review(request, category, form, staged, again, status=400)
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
            staged=staging.files_unstage(secret=secret, names=staged.names()),
            submission_token=submission_form.cleaned_data["token"],
            channel=ReportChannel.of_web_form(category.line),
        )
    except DerivationBusy:
        staged.add_error(
            None,
            _(
                "The reporting point is very busy right now. Your report was not sent. "
                "Please send it again in a minute: your answers and the files you chose "
                "are kept below."
            ),
        )
        return _busy(_render_review(request, category, form, staged, again, status=503))
    except BlobStoreUnavailable:
        # Nothing was stored (report_submit is all or nothing); the staged files stay.
        staged.add_error(None, _store_unavailable_message())
        return _busy(_render_review(request, category, form, staged, again, status=503))
    except services.IntakeError as error:
        staged.add_error(None, error.message)
        return _render_review(request, category, form, staged, again, status=400)
    try:
        staging.staged_batch_remove(secret=secret)
    except BlobStoreUnavailable:
        # The report is stored: the reporter must get the receipt. The staged copies
        # left in the store are unreadable (their key was in this form only).
        pass
    return _receipt_page(request, category, submission.receipt)


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
            except BlobStoreUnavailable:
                files_form.add_error(None, _store_unavailable_message())
                return _busy(_render_message_review(request, message_form, files_form, status=503))
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
            "answers": selectors.answers_shown(report=report, content=content),
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
