"""A worker killed (SIGKILL) during a batch of 200 webhook deliveries, then restarted.

Real worker processes on the test's database (SQLite file or PostgreSQL), the
database task queue, an http.server webhook receiver on 127.0.0.1 and real
OpenPGP encryption. What is measured: the receiver dedupes on the
Idempotency-Key header as docs/forwarding.md asks partners to; every one of
the 200 deliveries must be accepted by it exactly once and be marked
delivered. Raw requests may exceed 200 by the one the worker was sending when
it was killed (at least once on the wire); the test allows at most that one.
"""

import pysequoia
from django.test import override_settings

from meldpunt.cases.tests.factories import make_report
from meldpunt.testing import make_category
from meldpunt.vault import crypto
from meldpunt.vault.keys import data_key_create
from meldpunt.workers.testing import DB_TASKS, wait_until, worker_start

from ..delivery import deliveries_prepare
from ..models import Delivery, DeliveryChannel, DeliveryState, Forward
from ..services import BODY_CONTEXT
from ..tasks import forward_deliver
from .factories import make_partner
from .receivers import WebhookReceiver

BATCH = 200
SECONDS = 240


def _batch(server) -> list[Delivery]:
    category = make_category()
    report = make_report(category=category, text="Een melding.")
    partner = make_partner(
        lines=[category.line],
        members=0,
        delivery_channel=DeliveryChannel.WEBHOOK,
        openpgp_key=str(pysequoia.Tsk.generate("P <p@politie.example>").extract_certificate()),
        webhook_url=f"http://127.0.0.1:{server.server_address[1]}/hook",
        webhook_secret="s" * 40,
    )
    deliveries = []
    for number in range(BATCH):
        key = crypto.new_data_key()
        forward = Forward.objects.create(
            report=report,
            partner=partner,
            data_key=data_key_create(key_bytes=key, line=None, recipients=[]),
            sealed_body=crypto.encrypt(key, b"-", context=BODY_CONTEXT),
            channel=DeliveryChannel.WEBHOOK,
            delivery_state=DeliveryState.QUEUED,
        )
        deliveries.append(
            deliveries_prepare(
                forward=forward, partner=partner, text=f"forward {number}", attachments=[]
            )
        )
    return deliveries


def test_every_delivery_arrives_exactly_once_when_the_worker_is_killed_mid_batch(
    database_url, tmp_path, workers
):
    receiver = WebhookReceiver(delay=0.01)
    server = receiver.start()
    try:
        deliveries = _batch(server)
        with override_settings(TASKS=DB_TASKS):
            for delivery in deliveries:
                forward_deliver.enqueue(delivery.pk)
        first = worker_start(database_url=database_url, folder=tmp_path, worker_id="w1")
        workers.append(first)
        wait_until(
            lambda: len(receiver.requests) >= 100,
            seconds=SECONDS,
            what=f"100 deliveries arrived\n{first.output()}",
        )
        first.kill()
        arrived_before_kill = len(receiver.requests)
        assert arrived_before_kill < BATCH  # killed mid-batch, or the test proves nothing

        again = worker_start(database_url=database_url, folder=tmp_path, worker_id="w1")
        workers.append(again)
        wait_until(
            lambda: Delivery.objects.filter(state=DeliveryState.DELIVERED).count() == BATCH,
            seconds=SECONDS,
            what=f"all deliveries marked delivered\n{again.output()}",
        )
    finally:
        server.shutdown()

    expected = {str(delivery.idempotency_key) for delivery in deliveries}
    assert set(receiver.accepted) == expected  # each one accepted exactly once (dict keys)
    assert len(receiver.requests) - BATCH == receiver.repeats <= 1
    assert all(item.status == 200 for item in receiver.requests)
    assert not Delivery.objects.exclude(attempts=0).exists()  # no attempt failed
    print(
        f"\n{BATCH} deliveries: {arrived_before_kill} requests before the kill, "
        f"{len(receiver.requests)} requests in all, {receiver.repeats} repeat(s) "
        "dropped by the receiver's Idempotency-Key check"
    )
