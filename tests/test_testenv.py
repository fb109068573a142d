"""The test set-up itself: what a test finds in its database must not depend on
which test ran before it in the same process."""

import importlib
import json

import pytest
from django.core.management import call_command

from meldpunt.network.models import PartnerCountry


@pytest.mark.django_db(transaction=True)
def test_a_flush_between_tests_keeps_the_rows_a_data_migration_seeded():
    migration = importlib.import_module(
        "meldpunt.network.migrations.0009_partner_hotline_countries"
    )
    shipped = json.loads(migration.COUNTRIES.read_text(encoding="utf-8"))
    assert PartnerCountry.objects.count() == len(shipped)
    # What pytest-django does after every transactional test.
    call_command("flush", verbosity=0, interactive=False)
    assert PartnerCountry.objects.count() == len(shipped)
    assert "jugendschutz.net" in PartnerCountry.objects.get(code="DE").member_hotlines
