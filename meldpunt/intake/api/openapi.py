"""The OpenAPI 3.1 document of the reporter API, served at /api/v1/openapi.json.

It is written out by hand (the views are plain Django views) and kept honest by
tests: the document must validate, and every route in api_urls.py must be in it
with the methods its view accepts. Error codes come from ErrorCode itself.
"""

from typing import Any

from meldpunt.jsonapi import (
    error_response,
    error_schema,
    json_content,
    openapi_envelope,
    schema_ref,
)

from .errors import UNKNOWN_FIELD, ErrorCode

_BINARY = {"type": "string", "contentMediaType": "application/octet-stream"}
_DATETIME = {"type": "string", "format": "date-time"}


_BODY_ERRORS = {
    "400": error_response(
        "The body could not be read or an answer was refused; see `error.fields`.",
        ErrorCode.INVALID,
        ErrorCode.MALFORMED_JSON,
        ErrorCode.MALFORMED_MULTIPART,
        ErrorCode.TOO_MANY_FIELDS,
        ErrorCode.TOO_MANY_FILES,
    ),
    "413": error_response(
        "The body, or one of its files, is larger than the line allows.",
        ErrorCode.REQUEST_TOO_LARGE,
        ErrorCode.FILE_TOO_LARGE,
    ),
    "415": error_response(
        "The body is in a format the API does not read.", ErrorCode.UNSUPPORTED_MEDIA_TYPE
    ),
}
_TOKEN_ERRORS = {
    "401": {
        **error_response(
            "No token, a garbled or forged one, or an expired one: open the mailbox again.",
            ErrorCode.TOKEN_MISSING,
            ErrorCode.TOKEN_INVALID,
            ErrorCode.TOKEN_EXPIRED,
        ),
        "headers": {"WWW-Authenticate": {"schema": {"type": "string"}}},
    },
}
_CATEGORY_ERRORS = {
    "404": error_response(
        "No such line or category, or the category does not accept reports (yet).",
        ErrorCode.NOT_FOUND,
        ErrorCode.CATEGORY_CLOSED,
    ),
}
_BUSY = {
    "503": {
        **error_response(
            "Too many key derivations are waiting; nothing was stored or opened. "
            "Try again after Retry-After seconds.",
            ErrorCode.BUSY,
        ),
        "headers": {"Retry-After": {"schema": {"type": "integer"}}},
    },
}
_STORE_UNAVAILABLE = error_response(
    "The blob store did not take the files (it is down or an upload was cut off); "
    "nothing was stored. Try again after Retry-After seconds.",
    ErrorCode.STORE_UNAVAILABLE,
)
_BUSY_OR_STORE = {
    "503": {
        **error_response(
            "Too many key derivations are waiting, or the blob store did not take the "
            "files; nothing was stored. Try again after Retry-After seconds.",
            ErrorCode.BUSY,
            ErrorCode.STORE_UNAVAILABLE,
        ),
        "headers": {"Retry-After": {"schema": {"type": "integer"}}},
    },
}
_STORE = {
    "503": {**_STORE_UNAVAILABLE, "headers": {"Retry-After": {"schema": {"type": "integer"}}}},
}
_METHOD_ERRORS = {
    "405": {
        **error_response(
            "The route exists but not with this method.", ErrorCode.METHOD_NOT_ALLOWED
        ),
        "headers": {"Allow": {"schema": {"type": "string"}}},
    },
}

_ANSWERS_DESCRIPTION = (
    "One field per question key (see the questionnaire). Dates are ISO 8601 (`2026-05-01`), "
    "yes/no answers are `yes` or `no`, choices and municipalities are the `value` of one "
    "of the question's choices. Unknown keys are refused (`unknown_field`)."
)

SCHEMAS: dict[str, Any] = {
    "Error": error_schema(
        ErrorCode,
        fields={
            "type": "object",
            "description": (
                "Problems per field (question key, `files`, `body`, `receipt`; "
                "`__all__` for the request as a whole)."
            ),
            "additionalProperties": {"type": "array", "items": schema_ref("FieldError")},
        },
    ),
    "FieldError": {
        "type": "object",
        "required": ["code", "message"],
        "properties": {
            "code": {
                "type": "string",
                "description": (
                    "Django's field codes (`required`, `max_length`, `invalid`, "
                    "`invalid_choice`, `malformed` for a receipt), file codes "
                    "(`file_too_large`, `too_many_files`, `too_large`, `empty`, and those of "
                    f"the file cleaner) and `{UNKNOWN_FIELD}` for a key no question has."
                ),
            },
            "message": {"type": "string"},
        },
    },
    "Limits": {
        "type": "object",
        "required": ["max_files", "max_file_mb"],
        "properties": {
            "max_files": {"type": "integer", "description": "Files per submission or message."},
            "max_file_mb": {"type": "integer", "description": "Largest file, in MiB."},
        },
    },
    "Category": {
        "type": "object",
        "required": ["slug", "name", "description"],
        "properties": {
            "slug": {"type": "string"},
            "name": {"type": "string"},
            "description": {"type": "string"},
        },
    },
    "LineRef": {
        "type": "object",
        "required": ["slug", "name"],
        "properties": {"slug": {"type": "string"}, "name": {"type": "string"}},
    },
    "Line": {
        "type": "object",
        "required": ["slug", "kind", "name", "description", "limits", "categories"],
        "properties": {
            "slug": {"type": "string"},
            "kind": {"type": "string", "enum": ["tips", "confidential", "content_hotline"]},
            "name": {"type": "string"},
            "description": {"type": "string"},
            "limits": schema_ref("Limits"),
            "categories": {
                "type": "array",
                "items": schema_ref("Category"),
                "description": "Only the categories open to reports.",
            },
        },
    },
    "Choice": {
        "type": "object",
        "required": ["value", "label"],
        "properties": {"value": {"type": "string"}, "label": {"type": "string"}},
    },
    "Question": {
        "type": "object",
        "required": ["key", "kind", "label", "help", "required", "max_length", "choices"],
        "properties": {
            "key": {"type": "string", "description": "The field name of the answer."},
            "kind": {
                "type": "string",
                "enum": [
                    "text",
                    "long_text",
                    "choice",
                    "date",
                    "municipality",
                    "postcode",
                    "yes_no",
                    "file",
                    "web_addresses",
                    "address",
                ],
            },
            "label": {"type": "string"},
            "help": {"type": "string"},
            "required": {
                "type": "boolean",
                "description": "For a conditional question: required when it is shown.",
            },
            "max_length": {"type": ["integer", "null"]},
            "choices": {
                "type": ["array", "null"],
                "items": schema_ref("Choice"),
                "description": "For choice, yes_no and municipality questions.",
            },
            "shown_if": {
                "type": ["object", "null"],
                "description": (
                    "Ask this question only when the answer to `question` is `value`; "
                    "otherwise its answer is ignored."
                ),
                "properties": {
                    "question": {"type": "string"},
                    "value": {"type": "string"},
                },
            },
        },
    },
    "Questionnaire": {
        "type": "object",
        "required": ["line", "category", "limits", "questions"],
        "properties": {
            "line": schema_ref("LineRef"),
            "category": schema_ref("Category"),
            "limits": schema_ref("Limits"),
            "questions": {"type": "array", "items": schema_ref("Question")},
        },
    },
    "Answers": {
        "type": "object",
        "description": _ANSWERS_DESCRIPTION,
        "additionalProperties": {"type": "string"},
    },
    "AnswersWithFiles": {
        "type": "object",
        "description": _ANSWERS_DESCRIPTION
        + " Files go under the key of their file question; `files` means the first file question.",
        "additionalProperties": {
            "oneOf": [{"type": "string"}, {"type": "array", "items": _BINARY}]
        },
    },
    "Status": {
        "type": "object",
        "required": ["code", "text"],
        "properties": {
            "code": {
                "type": "string",
                "enum": ["new", "in_progress", "waiting", "ready", "forwarded", "closed"],
            },
            "text": {"type": "string", "description": "The status in plain words."},
        },
    },
    "Submitted": {
        "type": "object",
        "required": ["receipt", "status", "message"],
        "properties": {
            "receipt": {
                "type": "string",
                "description": "20 characters in groups of four; shown once, never stored.",
            },
            "status": schema_ref("Status"),
            "message": {"type": "string"},
        },
    },
    "ReceiptInput": {
        "type": "object",
        "required": ["receipt"],
        "additionalProperties": False,
        "properties": {"receipt": {"type": "string", "maxLength": 40}},
    },
    "MailboxSession": {
        "type": "object",
        "required": ["token", "token_type", "expires_at"],
        "properties": {
            "token": {"type": "string", "description": "Send as `Authorization: Bearer …`."},
            "token_type": {"const": "Bearer"},
            "expires_at": _DATETIME,
        },
    },
    "Attachment": {
        "type": "object",
        "required": ["name", "size", "media_type", "question"],
        "properties": {
            "name": {"type": "string"},
            "size": {"type": "integer"},
            "media_type": {"type": "string"},
            "question": {"type": "string", "description": "Key of the file question, or empty."},
        },
    },
    "Message": {
        "type": "object",
        "required": ["id", "author", "created_at", "body", "attachments"],
        "properties": {
            "id": {"type": "integer"},
            "author": {"type": "string", "enum": ["reporter", "staff"]},
            "created_at": {**_DATETIME, "description": "Rounded down to the hour."},
            "body": {"type": "string"},
            "attachments": {"type": "array", "items": schema_ref("Attachment")},
        },
    },
    "MessageInput": {
        "type": "object",
        "required": ["body"],
        "properties": {
            "body": {"type": "string", "maxLength": 20000},
            "files": {"type": "array", "items": _BINARY},
        },
    },
    "Mailbox": {
        "type": "object",
        "required": [
            "status",
            "line",
            "category",
            "received_at",
            "last_activity_at",
            "report",
            "messages",
            "retention",
        ],
        "properties": {
            "status": schema_ref("Status"),
            "line": schema_ref("LineRef"),
            "category": schema_ref("Category"),
            "received_at": _DATETIME,
            "last_activity_at": _DATETIME,
            "report": {
                "type": "object",
                "required": ["answers", "attachments"],
                "properties": {
                    "answers": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["key", "question", "answer"],
                            "properties": {
                                "key": {"type": "string"},
                                "question": {
                                    "type": "string",
                                    "description": "The question as it was when answered.",
                                },
                                "answer": {"type": "string"},
                            },
                        },
                    },
                    "attachments": {"type": "array", "items": schema_ref("Attachment")},
                },
            },
            "messages": {"type": "array", "items": schema_ref("Message")},
            "retention": {
                "type": "object",
                "description": "How long the line keeps the content before destroying it.",
                "required": ["kept_until", "days_after_close", "max_days_open"],
                "properties": {
                    "kept_until": {
                        "type": ["string", "null"],
                        "format": "date",
                        "description": (
                            "The last day the report is kept as things stand; a new "
                            "message from either side moves it later."
                        ),
                    },
                    "days_after_close": {
                        "type": "integer",
                        "description": "Days the content is kept after the report is closed.",
                    },
                    "max_days_open": {
                        "type": "integer",
                        "description": "Days kept after the last activity while not closed.",
                    },
                },
            },
        },
    },
    "Posted": {
        "type": "object",
        "required": ["message", "status"],
        "properties": {"message": schema_ref("Message"), "status": schema_ref("Status")},
    },
}

_PATH_PARAMETERS = [
    {"name": "line_slug", "in": "path", "required": True, "schema": {"type": "string"}},
    {"name": "category_slug", "in": "path", "required": True, "schema": {"type": "string"}},
]
_LANGUAGE = {"$ref": "#/components/parameters/AcceptLanguage"}
_TOKEN = [{"mailboxToken": []}]

PATHS: dict[str, Any] = {
    "/openapi.json": {
        "get": {
            "operationId": "openapi",
            "summary": "This document.",
            "responses": {
                "200": {"description": "OpenAPI 3.1.", "content": json_content({"type": "object"})},
                **_METHOD_ERRORS,
            },
        }
    },
    "/lines": {
        "get": {
            "operationId": "lines",
            "summary": "Lines open to reports, each with its open categories.",
            "parameters": [_LANGUAGE],
            "responses": {
                "200": {
                    "description": "The open lines.",
                    "content": json_content(
                        {
                            "type": "object",
                            "required": ["lines"],
                            "properties": {"lines": {"type": "array", "items": schema_ref("Line")}},
                        }
                    ),
                },
                **_METHOD_ERRORS,
            },
        }
    },
    "/lines/{line_slug}/categories/{category_slug}": {
        "parameters": _PATH_PARAMETERS,
        "get": {
            "operationId": "questionnaire",
            "summary": "The questionnaire of an open category.",
            "parameters": [_LANGUAGE],
            "responses": {
                "200": {
                    "description": "The questions.",
                    "content": json_content(schema_ref("Questionnaire")),
                },
                **_CATEGORY_ERRORS,
                **_METHOD_ERRORS,
            },
        },
    },
    "/lines/{line_slug}/categories/{category_slug}/reports": {
        "parameters": _PATH_PARAMETERS,
        "post": {
            "operationId": "reportSubmit",
            "summary": "Submit a report; answer with its receipt.",
            "description": (
                "Stored atomically: either the report with all its files, or nothing. "
                "Use multipart/form-data to send files."
            ),
            "parameters": [_LANGUAGE],
            "requestBody": {
                "required": True,
                "content": {
                    "multipart/form-data": {"schema": schema_ref("AnswersWithFiles")},
                    "application/x-www-form-urlencoded": {"schema": schema_ref("Answers")},
                    "application/json": {"schema": schema_ref("Answers")},
                },
            },
            "responses": {
                "201": {"description": "Stored.", "content": json_content(schema_ref("Submitted"))},
                **_BODY_ERRORS,
                **_CATEGORY_ERRORS,
                **_BUSY_OR_STORE,
                **_METHOD_ERRORS,
            },
        },
    },
    "/mailbox/session": {
        "post": {
            "operationId": "mailboxOpen",
            "summary": "Open the mailbox with a receipt; answer with a short-lived token.",
            "description": (
                "A wrong receipt is refused at once; a right one costs the server one slow "
                "key derivation, queued with all others (503 busy when the queue is full)."
            ),
            "parameters": [_LANGUAGE],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {"schema": schema_ref("ReceiptInput")},
                    "application/x-www-form-urlencoded": {"schema": schema_ref("ReceiptInput")},
                    "multipart/form-data": {"schema": schema_ref("ReceiptInput")},
                },
            },
            "responses": {
                "201": {
                    "description": "Opened.",
                    "content": json_content(schema_ref("MailboxSession")),
                },
                **_BODY_ERRORS,
                "401": error_response("The receipt opens no mailbox.", ErrorCode.RECEIPT_WRONG),
                **_BUSY,
                **_METHOD_ERRORS,
            },
        }
    },
    "/mailbox": {
        "get": {
            "operationId": "mailboxRead",
            "summary": "Status, the report, and the messages of the mailbox.",
            "security": _TOKEN,
            "parameters": [_LANGUAGE],
            "responses": {
                "200": {
                    "description": "The mailbox.",
                    "content": json_content(schema_ref("Mailbox")),
                },
                **_TOKEN_ERRORS,
                **_METHOD_ERRORS,
            },
        }
    },
    "/mailbox/messages": {
        "post": {
            "operationId": "mailboxPost",
            "summary": "Answer a question or add information, with optional files.",
            "security": _TOKEN,
            "parameters": [_LANGUAGE],
            "requestBody": {
                "required": True,
                "content": {
                    "multipart/form-data": {"schema": schema_ref("MessageInput")},
                    "application/x-www-form-urlencoded": {"schema": schema_ref("MessageInput")},
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["body"],
                            "properties": {"body": {"type": "string", "maxLength": 20000}},
                        }
                    },
                },
            },
            "responses": {
                "201": {"description": "Posted.", "content": json_content(schema_ref("Posted"))},
                **_BODY_ERRORS,
                **_TOKEN_ERRORS,
                "410": error_response("The report has been destroyed.", ErrorCode.REPORT_DESTROYED),
                **_STORE,
                **_METHOD_ERRORS,
            },
        }
    },
}


def openapi_document() -> dict[str, Any]:
    return openapi_envelope(
        title="Meldpunt reporter API",
        description=(
            "Anonymous reporting for mobile apps and integrations. The API sets no "
            "cookies and stores nothing that identifies a client. Messages follow "
            "Accept-Language (Dutch by default, English). Any path under /api/v1/ not "
            "listed here answers 404 with the error code `not_found`. See docs/api.md."
        ),
        server="/api/v1",
        paths=PATHS,
        schemas=SCHEMAS,
        security_schemes={
            "mailboxToken": {
                "type": "http",
                "scheme": "bearer",
                "description": "The token from POST /mailbox/session.",
            }
        },
        language_description="Language of labels and messages: `nl` (default) or `en`.",
    )
