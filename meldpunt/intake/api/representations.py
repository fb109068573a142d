"""What the API says about lines, questionnaires and mailboxes, as plain JSON values.

The questionnaire is read off the same forms that validate submissions, so the
limits a client is told (required, maximum length, choices) are the limits it
meets.
"""

from typing import Any

from django import forms

from meldpunt.evidence.services import evidence_meta
from meldpunt.intake import selectors, services
from meldpunt.intake.forms import FilesForm, ReportForm
from meldpunt.intake.models import Attachment, Message, Report
from meldpunt.intake.retention import report_kept_until
from meldpunt.lines.models import Category, Line, Question, QuestionKind


def limits_json(line: Line) -> dict[str, int]:
    return {"max_files": line.max_files, "max_file_mb": line.max_file_mb}


def category_json(category: Category) -> dict[str, str]:
    return {"slug": category.slug, "name": category.title, "description": category.summary}


def line_json(line: Line, categories: list[Category]) -> dict[str, Any]:
    return {
        "slug": line.slug,
        "kind": line.kind,
        "name": line.title,
        "description": line.summary,
        "limits": limits_json(line),
        "categories": [category_json(category) for category in categories],
    }


def _choices(field: forms.Field) -> list[dict[str, str]] | None:
    if not isinstance(field, forms.ChoiceField):
        return None
    # ModelChoiceField offers an empty "choose" entry first; it is not an answer.
    return [{"value": str(value), "label": str(label)} for value, label in field.choices if value]


def _question_json(question: Question, field: forms.Field, keys: dict[int, str]) -> dict[str, Any]:
    shown_if = None
    if question.shown_if_question_id is not None:
        shown_if = {
            "question": keys.get(question.shown_if_question_id),
            "value": question.shown_if_value,
        }
    return {
        "key": question.key,
        "kind": question.kind,
        "label": question.text,
        "help": question.help,
        # The form relaxes "required" for conditional questions until their condition
        # is known; a client needs the rule as configured.
        "required": question.is_required,
        "max_length": getattr(field, "max_length", None),
        "choices": _choices(field),
        "shown_if": shown_if,
    }


def questionnaire_json(category: Category) -> dict[str, Any]:
    questions = list(category.questions.all())
    keys = {q.pk: q.key for q in questions}
    answer_fields = ReportForm(category=category).fields
    file_fields = FilesForm(
        line=category.line, file_questions=[q for q in questions if q.kind == QuestionKind.FILE]
    ).fields
    return {
        "line": {"slug": category.line.slug, "name": category.line.title},
        "category": category_json(category),
        "limits": limits_json(category.line),
        "questions": [
            _question_json(q, answer_fields.get(q.key) or file_fields[q.key], keys)
            for q in questions
        ],
    }


def status_json(report: Report) -> dict[str, str]:
    return {"code": report.status, "text": report.reporter_status_text}


def _attachment_json(attachment: Attachment, key_bytes: bytes) -> dict[str, Any]:
    evidence = attachment.file
    return {
        "name": evidence_meta(evidence=evidence, key_bytes=key_bytes).get("name", ""),
        "size": evidence.size,
        "media_type": evidence.media_type,
        "question": attachment.question_key,
    }


def message_json(message: Message, key_bytes: bytes) -> dict[str, Any]:
    return {
        "id": message.pk,
        "author": message.author,
        "created_at": message.created_at.isoformat(),
        "body": services.message_body(message=message, key_bytes=key_bytes),
        "attachments": [
            _attachment_json(attachment, key_bytes)
            for attachment in message.attachments.all()
            if attachment.file.destroyed_at is None
        ],
    }


def _retention_json(report: Report) -> dict[str, Any]:
    """When the content is destroyed as things stand, and the line's policy behind it."""
    kept_until = report_kept_until(report)
    return {
        "kept_until": kept_until.isoformat() if kept_until else None,
        "days_after_close": report.line.retention_days_after_close,
        "max_days_open": report.line.retention_days_open,
    }


def mailbox_json(access: services.MailboxAccess) -> dict[str, Any]:
    report, key_bytes = access.report, access.key_bytes
    content = services.report_content(report=report, key_bytes=key_bytes)
    report_files = report.attachments.filter(
        message__isnull=True, file__destroyed_at__isnull=True
    ).select_related("file")
    return {
        "status": status_json(report),
        "line": {"slug": report.line.slug, "name": report.line.title},
        "category": category_json(report.category),
        "received_at": report.received_at.isoformat(),
        "last_activity_at": report.last_activity_at.isoformat(),
        "report": {
            "answers": [
                {"key": key, "question": content["questions"].get(key, key), "answer": answer}
                for key, answer in content["answers"].items()
            ],
            "attachments": [_attachment_json(a, key_bytes) for a in report_files],
        },
        "messages": [message_json(m, key_bytes) for m in selectors.report_messages(report)],
        "retention": _retention_json(report),
    }
