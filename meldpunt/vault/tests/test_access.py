"""Access follows membership: grant re-seals a line's keys, revoke removes them."""

import io
import sys

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from meldpunt.intake.services import report_key_for_staff, report_submit
from meldpunt.lines.models import LineMembership
from meldpunt.testing import PASSWORD, make_category, make_staff
from meldpunt.vault import crypto
from meldpunt.vault.access import AccessError, line_access_grant, line_access_revoke
from meldpunt.vault.keys import NoKeyError, staff_key_unlock
from meldpunt.vault.models import AuditEvent, KeyGrant, StaffUser

pytestmark = pytest.mark.django_db


def _submit(category, text: str):
    return report_submit(category=category, answers={"what": text}, questions={}).report


def _can_open(report, user) -> bool:
    try:
        key = staff_key_unlock(user=user, password=PASSWORD)
        report_key_for_staff(report=report, user=user, private_key=key)
    except (NoKeyError, crypto.DecryptionError):
        return False
    return True


@pytest.fixture
def line_with_reports():
    category = make_category()
    veteran = make_staff(lines=[category.line])
    reports = [_submit(category, f"melding {n}") for n in range(3)]
    return category, veteran, reports


def _grant_by_command(line, user, by, password=PASSWORD):
    out = io.StringIO()
    stdin, sys.stdin = sys.stdin, io.StringIO(password + "\n")
    try:
        call_command(
            "staff",
            "grant",
            "--line",
            line.slug,
            "--user",
            user.username,
            "--by",
            by.username,
            stdout=out,
        )
    finally:
        sys.stdin = stdin
    return out.getvalue()


def test_new_member_reads_existing_reports_after_a_grant(line_with_reports):
    category, veteran, reports = line_with_reports
    newcomer = make_staff()
    assert not any(_can_open(report, newcomer) for report in reports)

    output = _grant_by_command(category.line, newcomer, veteran)
    assert "3 reports shared" in output
    assert all(_can_open(report, newcomer) for report in reports)
    assert LineMembership.objects.filter(line=category.line, user=newcomer).exists()
    assert AuditEvent.objects.filter(action="access.granted", target_id=str(newcomer.pk)).exists()
    # Granting again is harmless.
    assert "0 reports shared, 3 already readable" in _grant_by_command(
        category.line, newcomer, veteran
    )


def test_grant_with_the_wrong_password_shares_nothing(line_with_reports):
    category, veteran, _reports = line_with_reports
    newcomer = make_staff()
    with pytest.raises(CommandError, match="wrong password"):
        _grant_by_command(category.line, newcomer, veteran, password="guess guess guess")
    assert not KeyGrant.objects.filter(user=newcomer).exists()
    assert not LineMembership.objects.filter(line=category.line, user=newcomer).exists()


def test_only_a_member_of_the_line_can_grant(line_with_reports):
    category, _veteran, _reports = line_with_reports
    outsider, newcomer = make_staff(), make_staff()
    with pytest.raises(AccessError, match="not a member"):
        line_access_grant(
            line=category.line,
            user=newcomer,
            granter=outsider,
            granter_key=staff_key_unlock(user=outsider, password=PASSWORD),
        )
    assert not KeyGrant.objects.filter(user=newcomer).exists()


def test_a_user_without_a_key_pair_cannot_be_granted(line_with_reports):
    category, veteran, _reports = line_with_reports
    keyless = StaffUser.objects.create_user(username="keyless", password=PASSWORD)
    with pytest.raises(CommandError, match="no key pair"):
        _grant_by_command(category.line, keyless, veteran)


def test_reports_the_granter_cannot_read_are_counted_not_shared(line_with_reports):
    category, veteran, reports = line_with_reports
    late = make_staff(lines=[category.line])  # member, but joined without grants
    fresh = _submit(category, "na toetreden")
    newcomer = make_staff()
    result = line_access_grant(
        line=category.line,
        user=newcomer,
        granter=late,
        granter_key=staff_key_unlock(user=late, password=PASSWORD),
    )
    assert (result.granted, result.not_shareable) == (1, 3)
    assert _can_open(fresh, newcomer) and not _can_open(reports[0], newcomer)


def _member_of_two_lines(line, granter):
    """A new member of ``line`` (granted by ``granter``) and of another line with a report."""
    member = make_staff()
    _grant_by_command(line, member, granter)
    other_line = make_category()
    LineMembership.objects.create(line=other_line.line, user=member)
    return member, _submit(other_line, "andere lijn")


def test_after_revoke_the_user_cannot_open_the_reports(line_with_reports, client):
    from meldpunt.testing import sign_in

    category, veteran, reports = line_with_reports
    leaver, elsewhere = _member_of_two_lines(category.line, veteran)

    out = io.StringIO()
    call_command(
        "staff", "revoke", "--line", category.line.slug, "--user", leaver.username, stdout=out
    )
    assert "3 sealed keys deleted" in out.getvalue()
    assert not any(_can_open(report, leaver) for report in reports)
    assert _can_open(elsewhere, leaver)  # other lines are untouched
    assert all(_can_open(report, veteran) for report in reports)
    # Through the web: the report no longer exists for them.
    sign_in(client, leaver)
    assert client.get(f"/staff/cases/reports/{reports[0].pk}/").status_code == 404
    assert AuditEvent.objects.filter(action="access.revoked", target_id=str(leaver.pk)).exists()


def test_revoke_keeps_grants_of_a_re_added_membership_out(line_with_reports):
    """Re-adding the membership row alone gives no keys back: only a grant does."""
    category, veteran, reports = line_with_reports
    leaver = make_staff()
    _grant_by_command(category.line, leaver, veteran)
    line_access_revoke(line=category.line, user=leaver, actor=veteran)
    LineMembership.objects.create(line=category.line, user=leaver)
    assert not any(_can_open(report, leaver) for report in reports)


def test_partner_users_never_join_a_line_nor_receive_its_reports(line_with_reports):
    category, veteran, _reports = line_with_reports
    partner = make_staff(role="partner")
    key = staff_key_unlock(user=veteran, password=PASSWORD)
    with pytest.raises(AccessError, match="partner"):
        line_access_grant(line=category.line, user=partner, granter=veteran, granter_key=key)
    with pytest.raises(ValidationError):
        LineMembership(line=category.line, user=partner).full_clean()
    assert not LineMembership.objects.filter(user=partner).exists()

    # A member whose account later became a partner's gets no key to new reports.
    turned = make_staff(lines=[category.line])
    StaffUser.objects.filter(pk=turned.pk).update(role="partner")
    report = _submit(category, "na de rolwissel")
    assert not KeyGrant.objects.filter(data_key=report.data_key, user=turned).exists()
    assert KeyGrant.objects.filter(data_key=report.data_key, user=veteran).exists()


def test_a_membership_removed_on_the_admins_line_page_takes_its_keys_with_it(line_with_reports):
    """Not only ``staff revoke``: deleting the membership row anywhere deletes its grants."""
    from meldpunt.vault.tests.test_admin import _administrator, _form_as_shown, _signed_in

    category, veteran, reports = line_with_reports
    leaver, elsewhere = _member_of_two_lines(category.line, veteran)
    assert all(_can_open(report, leaver) for report in reports)

    client = _signed_in(_administrator())
    url = f"/staff/admin/lines/line/{category.line.pk}/change/"
    form = _form_as_shown(client, url)
    membership = LineMembership.objects.get(line=category.line, user=leaver)
    index = next(
        key.split("-")[1]
        for key, value in form.items()
        if key.startswith("memberships-") and key.endswith("-id") and value == membership.pk
    )
    saved = client.post(url, form | {f"memberships-{index}-DELETE": "on"})
    assert saved.status_code == 302, saved.context and saved.context["errors"]

    assert not LineMembership.objects.filter(line=category.line, user=leaver).exists()
    assert not KeyGrant.objects.filter(user=leaver, data_key__line=category.line).exists()
    assert not any(_can_open(report, leaver) for report in reports)
    assert _can_open(elsewhere, leaver)  # the other line's keys stay
    assert all(_can_open(report, veteran) for report in reports)
