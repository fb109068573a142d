"""Views of the reporter API: read input, validate with the web forms, call one service.

The API is cookie-less (clients authenticate mailbox calls with a bearer token),
so it needs no CSRF protection and must never set a cookie.
"""

from django.conf import settings
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _

from meldpunt.intake import selectors, services
from meldpunt.intake.forms import FilesForm, MessageForm, ReceiptForm, ReportForm
from meldpunt.intake.models import ReportChannel
from meldpunt.jsonapi import ANY_METHOD, ApiError, api_view
from meldpunt.lines.models import Category, Line, Question, QuestionKind
from meldpunt.vault.blobs import BlobStoreUnavailable
from meldpunt.vault.derivations import DerivationBusy

from . import representations
from .bodies import read_body, reject_unknown_fields
from .errors import ErrorCode, busy, from_intake_error, invalid_input, store_unavailable
from .openapi import openapi_document
from .tokens import TokenExpired, TokenRejected, mailbox_token_issue, mailbox_token_open


def _open_category(line_slug: str, category_slug: str) -> Category:
    category = (
        Category.objects.select_related("line")
        .prefetch_related("questions")
        .filter(line__slug=line_slug, slug=category_slug)
        .first()
    )
    if category is None:
        raise ApiError(404, ErrorCode.NOT_FOUND, _("There is no such line or category."))
    if not category.is_open:
        raise ApiError(404, ErrorCode.CATEGORY_CLOSED, _("This category does not accept reports."))
    return category


def _body_limit(line: Line) -> int:
    """The largest body a submission to this line can honestly need: files plus fields."""
    return line.max_files * line.max_file_mb * 1024 * 1024 + settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def _files_by_question(files: MultiValueDict, file_questions: list[Question]) -> MultiValueDict:
    """Accept files under "files" too, meaning the first file question.

    Simple clients need not know the question's key; files sent under a key of
    their own question stay where they are.
    """
    keys = {q.key for q in file_questions}
    if "files" in keys or "files" not in files or not file_questions:
        return files
    routed = files.copy()
    routed.setlistdefault(file_questions[0].key, []).extend(routed.pop("files"))
    return routed


def _incoming(uploads: list[tuple[str, object]]) -> list[services.IncomingFile]:
    return [
        services.IncomingFile(source=upload, name=upload.name, question_key=key)
        for key, upload in uploads
    ]


@api_view("GET")
def lines(request: HttpRequest) -> HttpResponse:
    open_lines = selectors.open_lines().prefetch_related(
        Prefetch("categories", queryset=Category.objects.filter(is_public=True), to_attr="open")
    )
    return JsonResponse(
        {"lines": [representations.line_json(line, line.open) for line in open_lines]}
    )


@api_view("GET")
def questionnaire(request: HttpRequest, line_slug: str, category_slug: str) -> HttpResponse:
    category = _open_category(line_slug, category_slug)
    return JsonResponse(representations.questionnaire_json(category))


@api_view("POST")
def report_submit(request: HttpRequest, line_slug: str, category_slug: str) -> HttpResponse:
    category = _open_category(line_slug, category_slug)
    data, files = read_body(request, max_bytes=_body_limit(category.line))
    file_questions = [q for q in category.questions.all() if q.kind == QuestionKind.FILE]
    files = _files_by_question(files, file_questions)
    form = ReportForm(data, category=category)
    files_form = FilesForm(data, files, line=category.line, file_questions=file_questions)
    reject_unknown_fields(
        data, files, field_names=set(form.fields), file_names=set(files_form.fields)
    )
    # Both forms are validated so the client learns about every problem at once.
    if not all([form.is_valid(), files_form.is_valid()]):
        raise invalid_input(form, files_form)
    try:
        submission = services.report_submit(
            category=category,
            answers=form.answers(),
            questions={q.key: q.label for q in form.questions},
            municipality_code=form.municipality_code(),
            files=_incoming(files_form.uploads()),
            channel=ReportChannel.API,
        )
    except DerivationBusy as error:
        raise busy(_("The reporting point is very busy. The report was not stored.")) from error
    except BlobStoreUnavailable as error:
        raise store_unavailable() from error
    except services.IntakeError as error:
        raise from_intake_error(error) from error
    return JsonResponse(
        {
            "receipt": submission.receipt,
            "status": representations.status_json(submission.report),
            "message": _(
                "Write down your receipt. It is the only way back to your report, "
                "and we cannot recover it."
            ),
        },
        status=201,
    )


@api_view("POST")
def mailbox_session(request: HttpRequest) -> HttpResponse:
    """Trade a receipt for a mailbox token (one slow derivation, for a right receipt only)."""
    data, files = read_body(request, max_bytes=settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    form = ReceiptForm(data)
    reject_unknown_fields(data, files, field_names=set(form.fields), file_names=set())
    if not form.is_valid():
        raise invalid_input(form)
    try:
        access = services.mailbox_open(receipt=form.cleaned_data["receipt"])
    except DerivationBusy as error:
        raise busy(_("The reporting point is very busy right now.")) from error
    if access is None:
        raise ApiError(
            401,
            ErrorCode.RECEIPT_WRONG,
            _("This receipt does not open a mailbox. Check it and try again."),
        )
    issued = mailbox_token_issue(access=access)
    return JsonResponse(
        {
            "token": issued.token,
            "token_type": "Bearer",
            "expires_at": issued.expires_at.isoformat(),
        },
        status=201,
    )


def _mailbox_access(request: HttpRequest) -> services.MailboxAccess:
    scheme, _space, token = request.headers.get("Authorization", "").partition(" ")
    challenge = {"WWW-Authenticate": 'Bearer realm="mailbox"'}
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(
            401,
            ErrorCode.TOKEN_MISSING,
            _("Open the mailbox first and send its token as “Authorization: Bearer …”."),
            headers=challenge,
        )
    try:
        return mailbox_token_open(token.strip())
    except TokenExpired as error:
        raise ApiError(
            401,
            ErrorCode.TOKEN_EXPIRED,
            _("The mailbox has closed. Open it again with your receipt."),
            headers=challenge,
        ) from error
    except TokenRejected as error:
        raise ApiError(
            401,
            ErrorCode.TOKEN_INVALID,
            _("This token does not open a mailbox."),
            headers=challenge,
        ) from error


@api_view("GET")
def mailbox(request: HttpRequest) -> HttpResponse:
    return JsonResponse(representations.mailbox_json(_mailbox_access(request)))


@api_view("POST")
def mailbox_message(request: HttpRequest) -> HttpResponse:
    """The reporter answers a question or adds information, with optional files."""
    access = _mailbox_access(request)
    line = access.report.line
    data, files = read_body(request, max_bytes=_body_limit(line))
    message_form = MessageForm(data)
    files_form = FilesForm(data, files, line=line)
    reject_unknown_fields(
        data, files, field_names=set(message_form.fields), file_names=set(files_form.fields)
    )
    if not all([message_form.is_valid(), files_form.is_valid()]):
        raise invalid_input(message_form, files_form)
    try:
        message = services.reporter_message_post(
            access=access,
            body=message_form.cleaned_data["body"],
            files=_incoming(files_form.uploads()),
        )
    except BlobStoreUnavailable as error:
        raise store_unavailable() from error
    except services.IntakeError as error:
        raise from_intake_error(error) from error
    return JsonResponse(
        {
            "message": representations.message_json(message, access.key_bytes),
            "status": representations.status_json(access.report),
        },
        status=201,
    )


@api_view(*ANY_METHOD)
def no_such_endpoint(request: HttpRequest, path: str) -> HttpResponse:
    """Any other path under /api/v1/: a JSON 404, not the HTML page of the site."""
    raise ApiError(404, ErrorCode.NOT_FOUND, _("There is no such endpoint."))


@api_view("GET")
def openapi(request: HttpRequest) -> HttpResponse:
    return JsonResponse(openapi_document(), json_dumps_params={"indent": 2})
