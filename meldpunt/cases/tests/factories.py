"""Reports for back-office tests, sealed like real ones but without the slow receipt step.

``report_submit`` derives the receipt with Argon2id at production cost; tests of the
back office do not need a working receipt, so the report is sealed the same way
(data key granted to the line's members) with a random receipt lookup instead.
"""

import json
import secrets

from meldpunt.intake.models import Report, ReportStatus
from meldpunt.lines.models import Category
from meldpunt.vault import crypto
from meldpunt.vault.keys import data_key_create
from meldpunt.vault.models import StaffUser

from ..models import ClassificationOption, ClassificationScheme


def make_report(*, category: Category, text: str = "A van unloads at night", **fields) -> Report:
    # As in use: a report leaves "new" when someone opens it, which also reads its news.
    fields.setdefault("needs_attention", fields.get("status", ReportStatus.NEW) == ReportStatus.NEW)
    key_bytes = crypto.new_data_key()
    content = {"category": category.slug, "questions": {"what": "What?"}, "answers": {"what": text}}
    return Report.objects.create(
        line=category.line,
        category=category,
        receipt_lookup=secrets.token_bytes(32),
        data_key=data_key_create(
            key_bytes=key_bytes,
            line=category.line,
            recipients=StaffUser.objects.filter(line_memberships__line=category.line),
        ),
        sealed_content=crypto.encrypt(
            key_bytes, json.dumps(content).encode(), context=b"report-content"
        ),
        **fields,
    )


def make_scheme(
    *, line, slug: str = "assessment", options: tuple[str, ...] = ("csam", "other"), **fields
) -> ClassificationScheme:
    scheme = ClassificationScheme.objects.create(line=line, slug=slug, name=slug.title(), **fields)
    for order, option in enumerate(options):
        ClassificationOption.objects.create(scheme=scheme, slug=option, label=option, order=order)
    return scheme
