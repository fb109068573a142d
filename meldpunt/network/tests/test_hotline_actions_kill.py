"""The worker is killed (SIGKILL) during a batch of 60 notices and another takes over:
the SMTP server receives every notice, each under one Message-ID; at most the one
in flight at the kill is handed over twice (docs/hotline.md).

Real worker processes on the test's database (``workers.testing``, as the
worker recovery tests), aiosmtpd in the test process. The providers' abuse
address is the operator's (no RDAP here: its look-up is tested on its own).
"""

from django.test import override_settings

from meldpunt.cases.tests.factories import make_report
from meldpunt.hotline.models import (
    ActionKind,
    AddressAction,
    HostingProvider,
    HostingRoute,
    HotlineState,
    ReportedUrl,
)
from meldpunt.hotline.sealing import url_seal, url_tag
from meldpunt.hotline.services import PlannedAction, address_actions_create
from meldpunt.lines.models import LineKind
from meldpunt.testing import make_category, make_line
from meldpunt.vault.models import hour_now
from meldpunt.workers.testing import DB_TASKS, wait_until, worker_start

from ..tasks import address_action_send

# Killed after 20: the rest (40) is what the second worker takes over; the
# suite ran 200 until its time had to be cut (116 s on a busy machine).
NOTICES = 60
START_SECONDS = 90
# The recovery bound of the worker tests (dead after 3 s, recovery every second),
# generous for a busy machine, plus the time to send the rest of the batch.
FINISH_SECONDS = 600


def _notices() -> list[AddressAction]:
    report = make_report(category=make_category(line=make_line(kind=LineKind.CONTENT_HOTLINE)))
    provider = HostingProvider.objects.create(
        asn=64500, name="LOOPBACK-HOSTING-NL", override_email="abuse@hoster.example"
    )
    made = []
    for number in range(NOTICES):
        address = f"http://pics.example.test/{number}.jpg"
        item = ReportedUrl.objects.create(
            report=report,
            sealed_url=url_seal(address),
            url_tag=url_tag(address),
            state=HotlineState.ILLEGAL,
            route=HostingRoute.DOMESTIC,
            country="NL",
            asn=64500,
            created_at=hour_now(),
        )
        made += address_actions_create(
            item=item,
            actor=None,
            planned=[
                PlannedAction(
                    kind=ActionKind.NOTICE, recipient=provider.abuse_email, provider=provider
                )
            ],
        )
    return made


def test_a_worker_killed_during_a_batch_of_notices_loses_no_notice_and_repeats_at_most_one(
    database_url, tmp_path, workers, smtp_server
):
    notices = _notices()
    with override_settings(TASKS=DB_TASKS):
        for notice in notices:
            address_action_send.enqueue(notice.pk)
    host, port = smtp_server.address
    smtp = {"MELDPUNT_SMTP_HOST": host, "MELDPUNT_SMTP_PORT": str(port)}

    first = worker_start(database_url=database_url, folder=tmp_path, worker_id="first", env=smtp)
    workers.append(first)
    wait_until(
        lambda: len(smtp_server.messages) >= 20,
        seconds=START_SECONDS,
        what=f"the first notices arrived\n{first.output()}",
    )
    first.kill()
    assert len(smtp_server.messages) < NOTICES  # killed during the batch

    second = worker_start(database_url=database_url, folder=tmp_path, worker_id="second", env=smtp)
    workers.append(second)
    wait_until(
        lambda: not AddressAction.objects.filter(sent_at__isnull=True).exists(),
        seconds=FINISH_SECONDS,
        what=f"every notice was sent\n{second.output()}",
    )
    received = sorted(message["Message-ID"] for message in smtp_server.messages)
    expected = sorted(f"<hotline-action-{notice.pk}@example.org>" for notice in notices)
    # None lost; a repeat only of the message in flight at the kill, with its Message-ID.
    assert sorted(set(received)) == expected
    assert len(received) - len(expected) <= 1
    assert {message["X-Envelope-To"] for message in smtp_server.messages} == {
        "abuse@hoster.example"
    }
    assert ReportedUrl.objects.filter(state=HotlineState.NOTICE_SENT).count() == NOTICES
