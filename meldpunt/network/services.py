"""Every write of the forwarding network: redaction drafts, forwards, partners reading them.

The forwardable version of a report is prepared in a draft (``privacy.redaction``)
that is stored encrypted with the report's own key. Forwarding seals the
redacted text under a new data key for the partner's members only, moves the
case to *forwarded* and records the clearance (override and its reason) in the
audit log, all in one transaction: a refusal leaves nothing behind.
"""

import json
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from functools import partial

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from nacl.public import PrivateKey

from meldpunt.cases.access import can_change
from meldpunt.cases.models import Case
from meldpunt.cases.services import CaseError, CaseErrorCode, case_mark_forwarded
from meldpunt.evidence.models import EvidenceFile
from meldpunt.hotline.models import AddressAction
from meldpunt.intake.models import Report, ReportStatus
from meldpunt.lines.models import Municipality
from meldpunt.privacy.detection import find_identifying_details
from meldpunt.privacy.redaction import (
    Decision,
    ForwardRefused,
    RedactionDraft,
    RedactionError,
    RefusalCode,
    draft_decide,
    draft_from_dict,
    draft_redact_range,
    draft_to_dict,
    ensure_forwardable,
    redaction_draft,
    render_redacted,
)
from meldpunt.vault import blobs, crypto
from meldpunt.vault.audit import audit_record
from meldpunt.vault.keys import NoKeyError, data_key_create, data_key_grant, data_key_open
from meldpunt.vault.models import KeyGrant, Role, StaffUser

from .attachments import (
    Attachment,
    attachments_from_evidence,
    forward_file_read,
    forward_files_store,
    known_material_mention,
)
from .delivery import deliveries_prepare
from .models import (
    DeliveryChannel,
    DeliveryState,
    Forward,
    ForwardDraft,
    Partner,
    PartnerMembership,
)
from .notifications import forward_notifications_prepare
from .selectors import (
    forward_file_refusal,
    forward_text_compose,
    partner_recipients,
    partner_refusal,
    report_files,
    report_known_lists,
)
from .tasks import forward_deliver, forward_notify

DRAFT_CONTEXT = b"forward-draft"
BODY_CONTEXT = b"forward-body"
MAX_PASSAGE_CHARS = 1000


class ForwardErrorCode(StrEnum):
    CONFLICT = "conflict"
    CLOSED = "closed"
    DESTROYED = "destroyed"
    NOT_ALLOWED = "not_allowed"
    INVALID = "invalid"
    UNREVIEWED = "unreviewed"


class ForwardError(Exception):
    """A refused change or forward; the message is for the person who tried it."""

    def __init__(self, code: ForwardErrorCode, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


REFUSAL_CODES = {
    RefusalCode.UNREVIEWED_FINDINGS: ForwardErrorCode.UNREVIEWED,
    RefusalCode.OVERRIDE_NOT_ALLOWED: ForwardErrorCode.NOT_ALLOWED,
    RefusalCode.OVERRIDE_REASON_TOO_SHORT: ForwardErrorCode.INVALID,
}


@dataclass(frozen=True)
class StoredDraft:
    draft: RedactionDraft
    version: int
    # The report gained text (a reporter's message) since the draft was made.
    is_stale: bool


def _conflict() -> ForwardError:
    return ForwardError(
        ForwardErrorCode.CONFLICT,
        _(
            "Someone else changed this forward while you were looking at it. Nothing of "
            "your change was saved; check it as it is now and try again."
        ),
    )


def report_may_prepare_check(report: Report, actor: StaffUser) -> Report:
    """Whoever may change the case may prepare and send its forward; re-read to see closes."""
    current = Report.objects.select_related("line").get(pk=report.pk)
    if current.destroyed_at is not None:
        raise ForwardError(
            ForwardErrorCode.DESTROYED, _("The content of this report has been destroyed.")
        )
    case = Case.objects.filter(report=current).only("assignee_id").first()
    if not can_change(actor, current, case.assignee_id if case else None):
        raise ForwardError(
            ForwardErrorCode.NOT_ALLOWED,
            _("Only the analyst who holds this case, or a supervisor, may forward it."),
        )
    if current.status == ReportStatus.CLOSED:
        raise ForwardError(ForwardErrorCode.CLOSED, _("This case is closed; it cannot be changed."))
    return current


def _seal(draft: RedactionDraft, key_bytes: bytes) -> bytes:
    return crypto.encrypt(
        key_bytes, json.dumps(draft_to_dict(draft)).encode(), context=DRAFT_CONTEXT
    )


def _unseal(record: ForwardDraft, key_bytes: bytes) -> RedactionDraft:
    data = json.loads(crypto.decrypt(key_bytes, bytes(record.sealed_draft), context=DRAFT_CONTEXT))
    try:
        return draft_from_dict(data)
    except RedactionError as error:
        raise ForwardError(ForwardErrorCode.INVALID, str(error)) from error


def _fresh_draft(report: Report, key_bytes: bytes) -> RedactionDraft:
    text = forward_text_compose(report=report, key_bytes=key_bytes)
    return redaction_draft(text=text, findings=find_identifying_details(text))


def forward_draft_current(*, report: Report, actor: StaffUser, key_bytes: bytes) -> StoredDraft:
    """The stored draft of a report, made (with the detector's findings) on first use."""
    report = report_may_prepare_check(report, actor)
    record = ForwardDraft.objects.filter(report=report).first()
    if record is None:
        draft = _fresh_draft(report, key_bytes)
        try:
            with transaction.atomic():
                record = ForwardDraft.objects.create(
                    report=report, sealed_draft=_seal(draft, key_bytes)
                )
                audit_record(
                    actor=actor,
                    action="forward.draft_start",
                    target=record,
                    details={"report": report.pk, "findings": len(draft.marks)},
                )
        except IntegrityError:
            # A colleague made it at the same moment: theirs is the draft.
            record = ForwardDraft.objects.get(report=report)
        else:
            return StoredDraft(draft=draft, version=record.version, is_stale=False)
    draft = _unseal(record, key_bytes)
    current_text = forward_text_compose(report=report, key_bytes=key_bytes)
    return StoredDraft(draft=draft, version=record.version, is_stale=draft.text != current_text)


def _draft_change(
    *, report: Report, actor: StaffUser, key_bytes: bytes, version: int, change, details: dict
) -> RedactionDraft:
    """Apply ``change`` to the stored draft with a compare-and-swap on its version."""
    report = report_may_prepare_check(report, actor)
    record = ForwardDraft.objects.filter(report=report).first()
    if record is None or record.version != version:
        raise _conflict()
    try:
        draft = change(_unseal(record, key_bytes))
    except RedactionError as error:
        raise ForwardError(ForwardErrorCode.INVALID, str(error)) from error
    with transaction.atomic():
        updated = ForwardDraft.objects.filter(pk=record.pk, version=version).update(
            version=F("version") + 1,
            sealed_draft=_seal(draft, key_bytes),
            updated_at=timezone.now(),
        )
        if not updated:
            raise _conflict()
        audit_record(actor=actor, action="forward.draft_change", target=record, details=details)
    return draft


def forward_draft_decide(
    *,
    report: Report,
    actor: StaffUser,
    key_bytes: bytes,
    version: int,
    index: int,
    decision: Decision,
) -> RedactionDraft:
    """Redact or keep one marked passage (one click per finding)."""
    decision = Decision(decision)
    if decision == Decision.UNREVIEWED:
        raise ForwardError(ForwardErrorCode.INVALID, _("Choose redact or keep."))

    def change(draft: RedactionDraft) -> RedactionDraft:
        changed = draft_decide(draft, index=index, decision=decision)
        details["type"] = changed.marks[index].type
        return changed

    details = {"index": index, "decision": str(decision)}
    return _draft_change(
        report=report,
        actor=actor,
        key_bytes=key_bytes,
        version=version,
        change=change,
        details=details,
    )


def passage_pattern(passage: str) -> re.Pattern:
    """Match a pasted passage whatever its spacing and letter case.

    Text copied from a page rarely keeps its line breaks and spaces exactly,
    and a name written once in capitals is the same name.
    """
    return re.compile(r"\s+".join(re.escape(part) for part in passage.split()), re.IGNORECASE)


def forward_draft_redact_passage(
    *, report: Report, actor: StaffUser, key_bytes: bytes, version: int, passage: str
) -> int:
    """Redact every occurrence of a passage the detector did not mark; returns how many."""
    passage = passage.strip()
    if not passage:
        raise ForwardError(ForwardErrorCode.INVALID, _("Type or paste the passage to redact."))
    if len(passage) > MAX_PASSAGE_CHARS:
        raise ForwardError(
            ForwardErrorCode.INVALID,
            _("A passage to redact is at most %(max)d characters.") % {"max": MAX_PASSAGE_CHARS},
        )
    pattern = passage_pattern(passage)
    found: list[int] = []

    def change(draft: RedactionDraft) -> RedactionDraft:
        spans = [(match.start(), match.end()) for match in pattern.finditer(draft.text)]
        if not spans:
            raise ForwardError(
                ForwardErrorCode.INVALID,
                _("This passage does not occur in the text; copy it exactly as it appears."),
            )
        for start, end in spans:
            draft = draft_redact_range(draft, start=start, end=end)
        found.append(len(spans))
        details["occurrences"] = len(spans)
        return draft

    # The passage itself is report content: only its count is audited.
    details: dict = {"manual": True}
    _draft_change(
        report=report,
        actor=actor,
        key_bytes=key_bytes,
        version=version,
        change=change,
        details=details,
    )
    return found[0]


def forward_draft_restart(
    *, report: Report, actor: StaffUser, key_bytes: bytes, version: int
) -> RedactionDraft:
    """Start again from the report as it is now (after the reporter added something)."""
    details: dict = {"restart": True}

    def change(_old: RedactionDraft) -> RedactionDraft:
        draft = _fresh_draft(report, key_bytes)
        details["findings"] = len(draft.marks)
        return draft

    return _draft_change(
        report=report,
        actor=actor,
        key_bytes=key_bytes,
        version=version,
        change=change,
        details=details,
    )


@contextmanager
def _blobs_deleted_on_failure() -> Iterator[list[str]]:
    """Delete the blobs written for a transaction that failed: a blob write cannot roll back."""
    names: list[str] = []
    try:
        yield names
    except BaseException:
        for name in names:
            blobs.blob_delete(name=name)
        raise


def forward_create(
    *,
    report: Report,
    partners: list[Partner],
    actor: StaffUser,
    key_bytes: bytes,
    draft_version: int,
    case_version: int,
    override_reason: str = "",
    files: Sequence[EvidenceFile] = (),
) -> list[Forward]:
    """Seal the redacted version for each partner's own members and mark the case forwarded.

    Every partner gets a forward of its own under a data key sealed only for
    its members. Refused while a marked passage is unreviewed, unless a
    supervisor overrides with a written reason; the clearance goes into the
    audit event. A partner that cannot receive it today (not open to the line,
    a municipality that is not connected, nobody with a key) refuses the whole
    forward with that reason. Everything happens in one transaction, so a
    refusal at any step creates nothing. After the commit a task mails the
    members that a forward waits (nothing of its content); for a partner on
    e-mail or webhook the forward is encrypted to its OpenPGP key here, files
    included, and a task sends it.

    ``files``: cleaned files of the report that go along, re-encrypted under
    each forward's key. Known material is refused as a file; every file of the
    report that matched a list is mentioned in the text with its lists instead.
    """
    report = report_may_prepare_check(report, actor)
    if not partners:
        raise ForwardError(ForwardErrorCode.INVALID, _("Choose at least one partner."))
    own_files = set(report_files(report).values_list("pk", flat=True))
    for evidence in files:
        refusal = (
            forward_file_refusal(evidence)
            if evidence.pk in own_files
            else _("A chosen file is not a file of this report.")
        )
        if refusal:
            raise ForwardError(ForwardErrorCode.INVALID, refusal)
    today = timezone.localdate()
    recipients = {}
    for partner in partners:
        refusal = partner_refusal(partner, line_id=report.line_id, on=today)
        if refusal:
            raise ForwardError(ForwardErrorCode.INVALID, refusal)
        recipients[partner.pk] = list(partner_recipients(partner))
    with _blobs_deleted_on_failure() as written_blobs, transaction.atomic():
        record = ForwardDraft.objects.select_for_update().filter(report=report).first()
        if record is None or record.version != draft_version:
            raise _conflict()
        draft = _unseal(record, key_bytes)
        try:
            clearance = ensure_forwardable(
                draft, override_reason, actor_is_supervisor=actor.role == Role.SUPERVISOR
            )
        except ForwardRefused as refusal:
            raise ForwardError(REFUSAL_CODES[refusal.code], refusal.message) from refusal
        known_lists = report_known_lists(report)
        text = render_redacted(draft.text, draft.marks) + known_material_mention(known_lists)
        attachments = attachments_from_evidence(files=files, key_bytes=key_bytes)
        forwards = [
            forward_seal(
                report=report,
                partner=partner,
                text=text,
                attachments=attachments,
                written_blobs=written_blobs,
                recipients=recipients[partner.pk],
                actor=actor,
                used_override=clearance.is_override,
                redacted=any(mark.decision != Decision.KEEP for mark in draft.marks),
            )
            for partner in partners
        ]
        try:
            case_mark_forwarded(
                report=report,
                actor=actor,
                version=case_version,
                details={
                    "partners": [partner.pk for partner in partners],
                    "partner_names": [partner.name for partner in partners],
                    "forwards": [forward.pk for forward in forwards],
                    "recipients": [len(recipients[partner.pk]) for partner in partners],
                    "files": len(attachments),
                    "known_files": len(known_lists),
                    **clearance.audit_details(),
                },
            )
        except CaseError as refusal:
            code = {
                CaseErrorCode.CONFLICT: ForwardErrorCode.CONFLICT,
                CaseErrorCode.CLOSED: ForwardErrorCode.CLOSED,
                CaseErrorCode.DESTROYED: ForwardErrorCode.DESTROYED,
                CaseErrorCode.NOT_ALLOWED: ForwardErrorCode.NOT_ALLOWED,
            }.get(refusal.code, ForwardErrorCode.INVALID)
            raise ForwardError(code, refusal.message) from refusal
    return forwards


def forward_seal(
    *,
    report: Report,
    partner: Partner,
    text: str,
    recipients: list[StaffUser],
    actor: StaffUser | None,
    used_override: bool = False,
    redacted: bool = False,
    attachments: Sequence[Attachment] = (),
    written_blobs: list[str] | None = None,
    address_action: AddressAction | None = None,
) -> Forward:
    """Seal ``text`` and ``attachments`` for the partner's ``recipients`` only, and send it.

    Call inside the transaction that decided the forward. On the portal the
    members are told by e-mail once the forward really exists; the pending
    rows are made here, so a forward nobody can be told about shows "not
    notified" at once. For a partner on e-mail or webhook the forward is
    encrypted to its OpenPGP key here, files included, and a task sends it.
    The name of every file blob written is added to ``written_blobs`` at once,
    so the caller can delete them if its transaction fails. ``redacted``: the
    caller took identifying details out of ``text`` (statistics only).
    """
    forward_key = crypto.new_data_key()
    is_portal = partner.delivery_channel == DeliveryChannel.PORTAL
    forward = Forward.objects.create(
        report=report,
        partner=partner,
        data_key=data_key_create(key_bytes=forward_key, line=None, recipients=recipients),
        sealed_body=crypto.encrypt(forward_key, text.encode(), context=BODY_CONTEXT),
        created_by=actor,
        used_override=used_override,
        redacted=redacted,
        fee=partner.fee_per_forward,
        channel=partner.delivery_channel,
        delivery_state=DeliveryState.AVAILABLE if is_portal else DeliveryState.QUEUED,
        address_action=address_action,
    )
    forward_files_store(
        forward=forward,
        attachments=attachments,
        forward_key=forward_key,
        written=[] if written_blobs is None else written_blobs,
    )
    if is_portal:
        forward_notifications_prepare(forward=forward)
        transaction.on_commit(partial(forward_notify.enqueue, forward.pk))
    elif delivery := deliveries_prepare(
        forward=forward, partner=partner, text=text, attachments=attachments
    ):
        transaction.on_commit(partial(forward_deliver.enqueue, delivery.pk))
    return forward


@transaction.atomic
def report_locate(*, report: Report, actor: StaffUser, municipality: Municipality) -> Report:
    """The analyst names the municipality of a report whose postcode did not resolve to one.

    Only the municipality code is stored (plaintext, like the reporter's own
    choice); the audit event names the code, never the postcode.
    """
    report = report_may_prepare_check(report, actor)
    if not municipality.exists_on(timezone.localdate()):
        raise ForwardError(
            ForwardErrorCode.INVALID,
            _("%(municipality)s no longer exists; choose the municipality that took it over.")
            % {"municipality": municipality.name},
        )
    previous = report.municipality_code
    report.municipality_code = municipality.code
    report.save(update_fields=["municipality_code"])
    audit_record(
        actor=actor,
        action="report.locate",
        target=report,
        details={"municipality": municipality.code, "previous": previous},
    )
    return report


def _forward_key(*, forward: Forward, user: StaffUser, private_key: PrivateKey) -> bytes:
    """The forward's data key as one of its partner's members opens it.

    Raises ``vault.keys.NoKeyError`` (audited) for a member it was not sealed
    for: one who joined later and has not been given it by a colleague.
    """
    if not PartnerMembership.objects.filter(partner_id=forward.partner_id, user=user).exists():
        raise ForwardError(ForwardErrorCode.NOT_ALLOWED, _("This forward is not for you."))
    if forward.destroyed_at is not None:
        raise ForwardError(ForwardErrorCode.DESTROYED, _("This forward has been destroyed."))
    try:
        return data_key_open(data_key=forward.data_key, private_key=private_key, user=user)
    except NoKeyError:
        audit_record(actor=user, action="forward.open_denied", target=forward)
        raise


def forward_open(*, forward: Forward, user: StaffUser, private_key: PrivateKey) -> str:
    """Decrypt a forward for a member of its partner; audited, and the first read is kept.

    Raises ``vault.keys.NoKeyError`` for a member who joined after it was
    forwarded (it was sealed only for the members of that moment) until a
    colleague re-seals it for them (``forwards_reseal``).
    """
    key = _forward_key(forward=forward, user=user, private_key=private_key)
    body = crypto.decrypt(key, bytes(forward.sealed_body), context=BODY_CONTEXT).decode()
    with transaction.atomic():
        audit_record(actor=user, action="forward.read", target=forward)
        Forward.objects.filter(pk=forward.pk, first_read_at__isnull=True).update(
            first_read_at=timezone.now(), first_read_by=user, delivery_state=DeliveryState.READ
        )
    forward.refresh_from_db()
    return body


def forward_file_download(
    *, forward: Forward, number: int, user: StaffUser, private_key: PrivateKey
) -> Attachment | None:
    """One file of a forward, decrypted for a member of its partner; None if it has no such file.

    Audited like reading; the plaintext exists only in this request.
    """
    forward_file = forward.files.filter(number=number).first()
    if forward_file is None:
        return None
    key = _forward_key(forward=forward, user=user, private_key=private_key)
    attachment = forward_file_read(forward_file=forward_file, forward_key=key)
    audit_record(
        actor=user, action="forward.file_download", target=forward, details={"file": number}
    )
    return attachment


@dataclass(frozen=True)
class ResealResult:
    forwards: int  # forwards newly sealed for at least one member
    grants: int  # sealed copies added
    not_shareable: int  # forwards some member lacks that the granter cannot open either


@transaction.atomic
def forwards_reseal(
    *, partner: Partner, granter: StaffUser, granter_key: PrivateKey
) -> ResealResult:
    """Seal the partner's live forwards for its members who joined after them.

    Like joining a line (``vault.access.line_access_grant``): the server holds
    no forward key it could seal by itself, so an existing member opens each
    key with their own unlocked key and seals it for the newcomers (active
    partner users with a key pair). Forwards the granter cannot open stay
    closed to the newcomers too. Audited with the names of those given access.
    """
    if not PartnerMembership.objects.filter(partner=partner, user=granter).exists():
        raise ForwardError(ForwardErrorCode.NOT_ALLOWED, _("You are not a member of this partner."))
    members = list(partner_recipients(partner))
    forwards = (
        Forward.objects.filter(partner=partner, destroyed_at__isnull=True)
        .select_related("data_key")
        .prefetch_related("data_key__grants")
    )
    resealed = grants = not_shareable = 0
    given: set[str] = set()
    for forward in forwards:
        grants_by_user = {grant.user_id: grant for grant in forward.data_key.grants.all()}
        lacking = [member for member in members if member.pk not in grants_by_user]
        if not lacking:
            continue
        own = grants_by_user.get(granter.pk)
        if own is None:
            not_shareable += 1
            continue
        try:
            key_bytes = crypto.unseal(granter_key, bytes(own.sealed_key))
        except crypto.DecryptionError as error:
            raise ForwardError(
                ForwardErrorCode.NOT_ALLOWED, _("Your key does not open this forward.")
            ) from error
        grants += data_key_grant(data_key=forward.data_key, key_bytes=key_bytes, users=lacking)
        resealed += 1
        given.update(member.get_username() for member in lacking)
    result = ResealResult(forwards=resealed, grants=grants, not_shareable=not_shareable)
    audit_record(
        actor=granter,
        action="forward.reseal",
        target=partner,
        details={
            "forwards": result.forwards,
            "grants": result.grants,
            "not_shareable": result.not_shareable,
            "users": sorted(given),
        },
    )
    return result


def partner_member_grants_revoke(*, partner: Partner, user: StaffUser) -> int:
    """Delete a removed member's sealed copies of the partner's forward keys; returns how many.

    Forwards made after the removal are never sealed for them (they are no
    member); this takes away the earlier ones too. What they downloaded
    while a member is beyond reach.
    """
    removed, _by_model = KeyGrant.objects.filter(
        user=user, data_key__forward__partner=partner
    ).delete()
    return removed


def forward_drafts_wipe(report: Report) -> None:
    """Delete a destroyed report's redaction draft (called by the retention purge).

    Its key is shredded already, so this only removes ciphertext nobody can open.
    Forwards are the partners' copies under their own keys and stay until their
    partner's retention period ends (``network.retention``, docs/retention.md).
    """
    ForwardDraft.objects.filter(report=report).delete()
