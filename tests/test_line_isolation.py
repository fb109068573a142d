"""Acceptance: an analyst of line A cannot decrypt reports of line B.

The attacker is a member of line A who knows their own password and has a full
copy of the database and blob store: every wrapped private key, every sealed
data key of every line, every ciphertext. They unseal whatever their key opens
and try each key they obtain on everything of line B.
"""

import io

import pytest
from django.test import Client

from meldpunt.evidence.models import EvidenceFile
from meldpunt.intake.models import Message, Report
from meldpunt.intake.services import IncomingFile, report_submit, staff_message_post
from meldpunt.testing import PASSWORD, make_category, make_staff, sign_in
from meldpunt.vault import blobs, crypto
from meldpunt.vault.keys import staff_key_unlock
from meldpunt.vault.models import KeyGrant

pytestmark = pytest.mark.django_db

CONTEXTS = (b"report-content", b"message", b"evidence-meta")


def _submit(category, text: str) -> Report:
    return report_submit(
        category=category,
        answers={"what": text},
        questions={},
        files=[IncomingFile(io.BytesIO(f"{text}\n".encode() * 50), "notes.txt", "files")],
    ).report


def _opens_anything(key: bytes, report: Report) -> bool:
    """Try a candidate key on every ciphertext of a report, in every context."""
    ciphertexts = [bytes(report.sealed_content)]
    ciphertexts += [bytes(m.sealed_body) for m in Message.objects.filter(report=report)]
    files = EvidenceFile.objects.filter(data_key=report.data_key)
    ciphertexts += [bytes(f.sealed_meta) for f in files]
    for ciphertext in ciphertexts:
        for context in CONTEXTS:
            try:
                crypto.decrypt(key, ciphertext, context=context)
            except crypto.DecryptionError:
                continue
            return True
    for evidence in files:
        try:
            blobs.blob_read_all(key=key, name=evidence.blob_name)
        except crypto.DecryptionError:
            continue
        return True
    return False


def test_analyst_of_line_a_cannot_decrypt_line_b_with_full_database_access():
    line_a, line_b = make_category(), make_category()
    analyst_a = make_staff(lines=[line_a.line])
    analyst_b = make_staff(lines=[line_b.line])
    reports_a = [_submit(line_a, f"line A report {n}") for n in range(3)]
    reports_b = [_submit(line_b, f"line B report {n}") for n in range(3)]
    b_key = crypto.unseal(
        staff_key_unlock(user=analyst_b, password=PASSWORD),
        bytes(KeyGrant.objects.get(user=analyst_b, data_key=reports_b[0].data_key).sealed_key),
    )
    staff_message_post(report=reports_b[0], actor=analyst_b, key_bytes=b_key, body="secret B")

    # The attacker's own key, and every sealed key in the database.
    private_key = staff_key_unlock(user=analyst_a, password=PASSWORD)
    all_grants = list(KeyGrant.objects.all())
    assert {g.data_key_id for g in all_grants} >= {r.data_key_id for r in reports_b}
    recovered = []
    for grant in all_grants:
        try:
            recovered.append(crypto.unseal(private_key, bytes(grant.sealed_key)))
        except crypto.DecryptionError:
            continue
    # They do open their own line: the attack is not failing for a trivial reason.
    assert len(recovered) == len(reports_a)
    assert all(any(_opens_anything(key, r) for key in recovered) for r in reports_a)

    # Nothing they can unseal, and none of line A's keys, opens any part of line B.
    for report in reports_b:
        assert not any(_opens_anything(key, report) for key in recovered)

    # And through the web the report of line B does not exist for them.
    client = Client()
    sign_in(client, analyst_a)
    assert client.get(f"/staff/cases/reports/{reports_b[0].pk}/").status_code == 404


def test_a_line_a_grant_copied_onto_a_line_b_report_opens_nothing():
    """Moving a sealed key between rows (a database-level attack) does not help."""
    line_a, line_b = make_category(), make_category()
    analyst_a = make_staff(lines=[line_a.line])
    make_staff(lines=[line_b.line])
    report_a, report_b = _submit(line_a, "A"), _submit(line_b, "B")
    grant = KeyGrant.objects.get(user=analyst_a, data_key=report_a.data_key)
    KeyGrant.objects.create(
        data_key=report_b.data_key, user=analyst_a, sealed_key=bytes(grant.sealed_key)
    )
    private_key = staff_key_unlock(user=analyst_a, password=PASSWORD)
    copied = crypto.unseal(
        private_key,
        bytes(KeyGrant.objects.get(user=analyst_a, data_key=report_b.data_key).sealed_key),
    )
    assert not _opens_anything(copied, report_b)
