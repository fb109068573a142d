"""The live path: Server-Sent Events through Django's ASGI handler (AsyncClient).

The events come from the same message store as the pages without JavaScript.
"""

import asyncio
import time
from datetime import datetime, timedelta

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.test import AsyncClient, Client

from meldpunt.chat import live, services
from meldpunt.chat.models import Author, Chat, ChatMessage
from meldpunt.chat.views import COOKIE_NAME
from meldpunt.testing import make_staff, sign_in

from .factories import make_chat_line, unlocked_key

# Committed rows: the streams read the database from the event loop's pool threads.
pytestmark = pytest.mark.django_db(transaction=True)


async def _read_until(stream, text: bytes, *, seconds: float) -> bytes:
    received = b""
    deadline = time.monotonic() + seconds
    while text not in received:
        received += await asyncio.wait_for(anext(stream), deadline - time.monotonic())
    return received


def test_a_staff_message_reaches_the_reporters_open_event_stream():
    line = make_chat_line()
    analyst = make_staff(lines=[line])
    chat, token = services.chat_start(line=line, language="nl")
    services.chat_pick_up(chat=chat, actor=analyst)
    key = services.staff_chat_key(chat=chat, user=analyst, private_key=unlocked_key(analyst))
    services.staff_message_post(chat=chat, actor=analyst, key_bytes=key, body="Eerste bericht")

    async def scenario() -> None:
        client = AsyncClient()
        client.cookies[COOKIE_NAME] = token
        response = await client.get("/chat/now/events/")
        assert response["Content-Type"] == "text/event-stream"
        stream = aiter(response.streaming_content)
        try:
            history = await _read_until(stream, b"Eerste bericht", seconds=5)
            assert b"id: " in history
            await sync_to_async(services.staff_message_post)(
                chat=chat, actor=analyst, key_bytes=key, body="Live bericht"
            )
            # Generous on a loaded machine: how fast is the browser test's and the
            # benchmark's business; this one shows the open stream carries it.
            await _read_until(stream, b"Live bericht", seconds=20)
        finally:
            await stream.aclose()

    async_to_sync(scenario)()


def test_the_stream_goes_on_after_the_last_event_id_and_ends_with_the_chat():
    line = make_chat_line()
    analyst = make_staff(lines=[line])
    chat, token = services.chat_start(line=line, language="nl")
    access = services.chat_for_token(token)
    first = services.reporter_message_post(access=access, body="al gezien")
    services.reporter_message_post(access=access, body="nog niet gezien")
    services.chat_pick_up(chat=chat, actor=analyst)
    services.chat_end(chat=chat, actor=analyst)

    async def scenario() -> bytes:
        client = AsyncClient()
        client.cookies[COOKIE_NAME] = token
        response = await client.get("/chat/now/events/", headers={"Last-Event-ID": str(first.pk)})
        return b"".join([chunk async for chunk in response.streaming_content])

    body = async_to_sync(scenario)()
    assert b"al gezien" not in body and b"nog niet gezien" in body
    assert body.endswith(b"event: end\ndata: {}\n\n")


def test_staff_streams_follow_the_staff_pages_rules():
    line = make_chat_line()
    analyst, stranger = make_staff(lines=[line]), make_staff(lines=[make_chat_line()])
    chat, token = services.chat_start(line=line, language="nl")
    access = services.chat_for_token(token)
    services.reporter_message_post(access=access, body="Bel mij op 06 4123 5678")
    services.chat_reporter_leave(access=access)

    def cookies_of(user):
        client = Client()
        sign_in(client, user)
        return client.cookies

    async def scenario(cookies) -> tuple[int, bytes]:
        client = AsyncClient()
        client.cookies = cookies
        response = await client.get(f"/staff/chat/{chat.pk}/events/")
        if not response.streaming:
            return response.status_code, b""
        return 200, b"".join([chunk async for chunk in response.streaming_content])

    status, body = async_to_sync(scenario)(cookies_of(analyst))
    assert status == 200 and b"<mark" in body  # findings marked for staff, live too
    assert async_to_sync(scenario)(cookies_of(stranger))[0] == 404
    assert async_to_sync(scenario)(Client().cookies)[0] == 404


def test_the_script_is_loaded_only_when_served_over_asgi():
    line = make_chat_line()
    _chat, token = services.chat_start(line=line, language="nl")
    wsgi = Client()
    wsgi.cookies[COOKIE_NAME] = token
    page = wsgi.get("/chat/now/")
    assert b"live.js" not in page.content and "script-src" not in page["Content-Security-Policy"]

    async def scenario():
        client = AsyncClient()
        client.cookies[COOKIE_NAME] = token
        return await client.get("/chat/now/")

    live = async_to_sync(scenario)()
    assert b'src="/static/chat/live.js"' in live.content
    assert b'data-events="/chat/now/events/"' in live.content
    assert "script-src 'self'" in live["Content-Security-Policy"]


def test_the_watch_notices_a_message_that_appears_after_one_with_a_higher_number():
    """Rows become visible at commit, not in primary-key order: a skipped pk is looked for."""
    line = make_chat_line()
    first, _t = services.chat_start(line=line, language="nl")
    second, _t = services.chat_start(line=line, language="nl")
    cursor = live.WatchCursor()
    assert live.messages_since(cursor, now=0.0) is None  # set up at the newest message
    start = cursor.last_pk
    # pk start+2 is committed first; start+1 (another chat) is still in its transaction.
    ChatMessage.objects.create(pk=start + 2, chat=second, author=Author.SYSTEM, event="ended")
    assert live.messages_since(cursor, now=1.0) == {second.pk}
    assert cursor.last_pk == start + 2 and set(cursor.gaps) == {start + 1}
    ChatMessage.objects.create(pk=start + 1, chat=first, author=Author.SYSTEM, event="ended")
    assert live.messages_since(cursor, now=2.0) == {first.pk}
    assert cursor.gaps == {}
    assert live.messages_since(cursor, now=3.0) == set()
    # A pk that never appears (a rolled-back insert) is given up after GAP_SECONDS.
    ChatMessage.objects.create(pk=start + 4, chat=first, author=Author.SYSTEM, event="ended")
    assert live.messages_since(cursor, now=4.0) == {first.pk}
    assert set(cursor.gaps) == {start + 3}
    assert live.messages_since(cursor, now=4.0 + live.GAP_SECONDS + 1) == set()
    assert cursor.gaps == {}


def test_the_holders_live_stream_keeps_the_chat_theirs_and_a_colleagues_does_not():
    """A staff member on the live page, without the transcript's refresh, is present too."""
    line = make_chat_line()
    holder, colleague = make_staff(lines=[line]), make_staff(lines=[line])
    chat, _token = services.chat_start(line=line, language="nl")
    services.chat_pick_up(chat=chat, actor=holder)
    long_ago = chat.staff_seen_at - timedelta(minutes=30)

    def stream_opened_by(user) -> datetime:
        Chat.objects.filter(pk=chat.pk).update(staff_seen_at=long_ago)
        client = Client()
        sign_in(client, user)

        async def scenario() -> None:
            events = AsyncClient()
            events.cookies = client.cookies
            response = await events.get(f"/staff/chat/{chat.pk}/events/")
            assert response.streaming
            await aiter(response.streaming_content).aclose()

        async_to_sync(scenario)()
        return Chat.objects.get(pk=chat.pk).staff_seen_at

    assert stream_opened_by(colleague) == long_ago
    assert stream_opened_by(holder) > long_ago
