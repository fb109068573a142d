import pytest
from django.test import override_settings

from meldpunt.intake.services import mailbox_open, report_submit
from meldpunt.testing import make_category
from meldpunt.vault.receipts import receipt_kdf_cost

pytestmark = pytest.mark.django_db


def test_changing_the_kdf_settings_later_keeps_existing_receipts_working(settings):
    first_cost = receipt_kdf_cost()
    submission = report_submit(
        category=make_category(), answers={"what": "x"}, questions={"what": "Wat?"}
    )
    with override_settings(
        VAULT_KDF_OPSLIMIT=settings.VAULT_KDF_OPSLIMIT + 1,
        VAULT_KDF_MEMLIMIT=settings.VAULT_KDF_MEMLIMIT * 2,
    ):
        assert receipt_kdf_cost() == first_cost
        access = mailbox_open(receipt=submission.receipt)
    assert access is not None and access.report == submission.report
