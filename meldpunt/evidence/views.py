"""Safe viewing in the back office: blurred preview first, one reveal at a time.

Evidence is a foundation app and cannot use the back office's access rules, so
access here is the key itself: a staff member (analyst or supervisor, signed in
with both factors, key unlocked in this session) sees a file only when they hold
a grant for its report's data key. Grants follow line membership and are
revoked with it (vault.keys), so this is no looser than the case pages.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from nacl.public import PrivateKey

from meldpunt.evidence import formats
from meldpunt.evidence.conf import evidence_setting
from meldpunt.evidence.downloads import DownloadRefused, download_refusal, evidence_download
from meldpunt.evidence.exposure import exposure_today
from meldpunt.evidence.known import evidence_is_known
from meldpunt.evidence.meta import evidence_meta
from meldpunt.evidence.models import (
    DERIVATIVE_FAILURES,
    PICTURE_KINDS,
    DerivativeStatus,
    EvidenceFile,
    EvidencePreview,
    PreviewKind,
    ViewingSession,
)
from meldpunt.evidence.owners import evidence_owner_url
from meldpunt.evidence.previews import safe_preview_make
from meldpunt.evidence.services import evidence_derivatives_request
from meldpunt.evidence.viewing import ViewingBlocked, viewing_allowance, viewing_end, viewing_start
from meldpunt.vault import blobs
from meldpunt.vault.audit import audit_record
from meldpunt.vault.crypto import DecryptionError
from meldpunt.vault.keys import NoKeyError, data_key_open
from meldpunt.vault.models import Role
from meldpunt.vault.sessionsecrets import PRIVATE_KEY, session_secret_get

VIEWER_ROLES = {Role.ANALYST, Role.SUPERVISOR}
# Files of known material this session has explicitly asked to see (audited).
KNOWN_SHOWN = "evidence_known_shown"


class _SignInNeeded(Exception):
    pass


def _opened(request: HttpRequest, pk: int) -> tuple[EvidenceFile, bytes]:
    """The file and its data key, or 404 alike for 'does not exist' and 'not yours'."""
    user = request.user
    secret = session_secret_get(request, PRIVATE_KEY) if user.is_authenticated else None
    if secret is None or not user.is_verified():
        raise _SignInNeeded
    if user.role not in VIEWER_ROLES:
        raise Http404
    evidence = get_object_or_404(EvidenceFile, pk=pk, destroyed_at__isnull=True)
    try:
        key_bytes = data_key_open(
            data_key=evidence.data_key, private_key=PrivateKey(secret), user=user
        )
    except (NoKeyError, DecryptionError) as error:
        raise Http404 from error
    return evidence, key_bytes


def _private(response: HttpResponse) -> HttpResponse:
    """Decrypted material must not linger in any cache."""
    response["Cache-Control"] = "no-store, private"
    return response


def _preview_picture(evidence: EvidenceFile) -> EvidencePreview | None:
    made = {preview.kind: preview for preview in evidence.previews.filter(kind__in=PICTURE_KINDS)}
    return next((made[kind] for kind in PICTURE_KINDS if kind in made), None)


def _preview_problem(code: str) -> str:
    """Why a document has no preview (pages.py, sandbox.py), in the staff member's words."""
    reasons = {
        "corrupt": _("the document could not be drawn (it may be damaged)"),
        "too_complex": _("drawing it took more memory or time than a preview may take"),
        "no_text": _("the document has no text to show"),
        "unavailable": _("no program to draw this kind of document is installed on the server"),
    }
    return _("No preview: %(reason)s.") % {"reason": reasons.get(code, reasons["corrupt"])}


def _preview_caption(preview: EvidencePreview | None) -> str:
    """What a document's preview is, said under it: not always a picture of its pages."""
    captions = {
        PreviewKind.PAGES: _("The first pages of the document."),
        PreviewKind.TEXT: _(
            "The beginning of the document's text, without its layout, pictures or charts."
        ),
    }
    return captions.get(preview.kind, "") if preview else ""


def _open_session(request: HttpRequest, evidence: EvidenceFile) -> ViewingSession | None:
    """The viewer's current reveal of this file, if it has not run out."""
    session = ViewingSession.objects.filter(
        viewer=request.user, evidence=evidence, ended_at__isnull=True
    ).first()
    if session is None:
        return None
    age = (timezone.now() - session.started_at).total_seconds()
    return session if age < evidence_setting("EVIDENCE_VIEWING_DEFAULT_SECONDS") else None


def _signed_in(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Send whoever is not fully signed in (both factors, key unlocked) to the sign-in page."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except _SignInNeeded:
            return redirect_to_login(request.get_full_path())

    return wrapper


def _is_withheld(request: HttpRequest, evidence: EvidenceFile) -> bool:
    """Known material stays out of sight, not even blurred, until the viewer asks."""
    return evidence.pk not in request.session.get(KNOWN_SHOWN, []) and evidence_is_known(evidence)


def _cleaning_notes(properties: dict) -> list[tuple[str, int]]:
    """What cleaning changed in a document (office.py counts it), in the staff member's words.

    Tracked changes are accepted and comments removed before anyone sees the
    file, so staff are told there were some.
    """
    labels = {
        "tracked_insertions_accepted": _("Tracked insertions accepted"),
        "tracked_deletions_dropped": _("Tracked deletions carried out (the deleted text is gone)"),
        "tracked_changes_removed": _("Tracked changes accepted"),
        "comment_parts_removed": _("Comments removed"),
        "comments_removed": _("Comments removed"),
        "macros_removed": _("Macros removed"),
        "external_relationships_removed": _("Links to files outside the document removed"),
        "external_links_removed": _("Links to files outside the document removed"),
        "pictures_removed": _("Pictures of a kind that cannot be cleaned removed"),
        "parts_removed": _("Other parts removed (properties, thumbnails, settings and such)"),
        "hidden_sheets_kept": _("Hidden sheets (kept, not shown by a spreadsheet program)"),
    }
    return [(label, int(properties[key])) for key, label in labels.items() if properties.get(key)]


def _page_context(request: HttpRequest, evidence: EvidenceFile, key_bytes: bytes) -> dict:
    is_withheld = _is_withheld(request, evidence)
    refusal = download_refusal(evidence)
    # The name the reporter reviewed, as the case page lists it; like there,
    # the name of known material is not even decrypted until it is shown.
    meta = {} if is_withheld else evidence_meta(evidence=evidence, key_bytes=key_bytes)
    properties = meta.get("properties") or {}
    preview = _preview_picture(evidence)
    problem = properties.get("preview_problem")
    return {
        "evidence": evidence,
        "name": meta.get("name", ""),
        "cleaning_notes": _cleaning_notes(properties),
        # A line that refuses tracked changes never stores such a document.
        "tracked_changes_accepted": any(
            properties.get(count) for count in formats.TRACKED_CHANGE_COUNTS
        ),
        "case_url": evidence_owner_url(evidence),
        # Said on the page before anyone presses anything.
        "download_refusal": "" if refusal is None else DownloadRefused(refusal).message,
        "matches": list(evidence.matches.all()),
        "is_withheld": is_withheld,
        "has_preview": preview is not None,
        "preview_caption": _preview_caption(preview),
        "preview_problem": _preview_problem(problem) if problem and preview is None else "",
        "is_revealed": _open_session(request, evidence) is not None,
        "allowance": viewing_allowance(viewer=request.user),
        "exposure": exposure_today(viewer=request.user),
        "derivative_state": (
            ""
            if evidence.derivative_status == DerivativeStatus.NOT_NEEDED
            else evidence.get_derivative_status_display()
        ),
        "can_request_derivatives": evidence.derivative_status in DERIVATIVE_FAILURES,
    }


@_signed_in
def evidence_page(request: HttpRequest, pk: int) -> HttpResponse:
    evidence, key_bytes = _opened(request, pk)
    return _private(
        render(request, "evidence/file.html", _page_context(request, evidence, key_bytes))
    )


@require_POST
@_signed_in
def download(request: HttpRequest, pk: int) -> HttpResponse:
    """The cleaned file as an attachment (audited); known or uncleaned files get a 403 page.

    A form's POST, not a link: each download is an audit event, and a link
    could be fetched by a prefetcher or a crawler of the staff's browser.
    """
    evidence, key_bytes = _opened(request, pk)
    try:
        saved = evidence_download(evidence=evidence, key_bytes=key_bytes, actor=request.user)
    except DownloadRefused as refused:
        context = _page_context(request, evidence, key_bytes) | {"refusal": refused.message}
        return _private(render(request, "evidence/file.html", context, status=403))
    response = HttpResponse(saved.data, content_type=saved.media_type)
    response["Content-Disposition"] = content_disposition_header(True, saved.name)
    # Never rendered in the staff's browser: a file may contain anything.
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return _private(response)


@require_POST
@_signed_in
def known_show(request: HttpRequest, pk: int) -> HttpResponse:
    """The analyst asks to see a file of known material after all; audited."""
    evidence, _key = _opened(request, pk)
    if evidence_is_known(evidence):
        lists = sorted({match.list_name for match in evidence.matches.all()})
        audit_record(
            actor=request.user,
            action="evidence.known_show",
            target=evidence,
            details={"lists": lists},
        )
        shown = request.session.get(KNOWN_SHOWN, [])
        request.session[KNOWN_SHOWN] = [*shown, evidence.pk]
    return redirect("evidence:file", pk=evidence.pk)


@require_POST
@_signed_in
def derivatives_request(request: HttpRequest, pk: int) -> HttpResponse:
    """Make the previews again with this staff member's key (audited)."""
    evidence, key_bytes = _opened(request, pk)
    evidence_derivatives_request(evidence=evidence, key_bytes=key_bytes, actor=request.user)
    return redirect("evidence:file", pk=evidence.pk)


@_signed_in
def preview_picture(request: HttpRequest, pk: int) -> HttpResponse:
    """The blurred, greyscale, small version: what is shown by default."""
    evidence, key_bytes = _opened(request, pk)
    preview = _preview_picture(evidence)
    if preview is None or _is_withheld(request, evidence):
        raise Http404
    jpeg = safe_preview_make(blobs.blob_read_all(key=key_bytes, name=preview.blob_name))
    return _private(HttpResponse(jpeg, content_type="image/jpeg"))


# Images browsers do not draw: the reveal shows the worker's thumbnail instead.
_NOT_SHOWN_INLINE = {"image/tiff"}


@_signed_in
def revealed_picture(request: HttpRequest, pk: int) -> HttpResponse:
    """The real picture (an image, or a video's contact sheet), only while revealed."""
    evidence, key_bytes = _opened(request, pk)
    if _open_session(request, evidence) is None or _is_withheld(request, evidence):
        raise Http404
    shown: EvidenceFile | EvidencePreview | None = evidence
    if not evidence.media_type.startswith("image/") or evidence.media_type in _NOT_SHOWN_INLINE:
        shown = _preview_picture(evidence)
        if shown is None:
            raise Http404
    body = blobs.blob_read_all(key=key_bytes, name=shown.blob_name)
    response = HttpResponse(body, content_type=shown.media_type)
    response["Content-Disposition"] = "inline"
    return _private(response)


@require_POST
@_signed_in
def reveal(request: HttpRequest, pk: int) -> HttpResponse:
    evidence, key_bytes = _opened(request, pk)
    if _is_withheld(request, evidence):
        return redirect("evidence:file", pk=evidence.pk)
    try:
        viewing_start(viewer=request.user, evidence=evidence)
    except ViewingBlocked as blocked:
        context = _page_context(request, evidence, key_bytes) | {
            "is_revealed": False,
            "refusal": blocked.message,
        }
        return _private(render(request, "evidence/file.html", context, status=403))
    return redirect("evidence:file", pk=evidence.pk)


@require_POST
@_signed_in
def hide(request: HttpRequest, pk: int) -> HttpResponse:
    evidence, _key = _opened(request, pk)
    for session in ViewingSession.objects.filter(
        viewer=request.user, evidence=evidence, ended_at__isnull=True
    ):
        viewing_end(session=session)
    return redirect("evidence:file", pk=evidence.pk)
