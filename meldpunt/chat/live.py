"""The live path for browsers with JavaScript: Server-Sent Events, under ASGI only.

The page's one small script (static chat/live.js) replaces the self-refreshing
frame with a list fed by an EventSource. Events come from the same message store
as the pages without JavaScript, so any process may have stored them. One
poller per process (MessageWatch) asks the database every POLL_SECONDS which
chats have new messages and wakes only their streams, which then read just
those messages. A stream ends after STREAM_SECONDS; the browser reconnects
with Last-Event-ID and goes on where it stopped.

Database work runs in the event loop's shared thread pool (thread_sensitive
False), not in a thread of the request's own: an open stream then holds no
database connection of its own, so hundreds of streams use a handful of
connections (one per pool thread) instead of one each. With a connection pool
(MELDPUNT_DB_POOL) those threads hand their connection back after each use.

Only under ASGI does a stream hold nothing but a coroutine. Under WSGI it
would hold a server thread, so there the pages do not load the script and
everything runs on page refresh (views.live_is_available).
"""

import asyncio
import contextlib
import json
import random
import weakref
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

from asgiref.sync import sync_to_async
from django.db import DatabaseError, connection
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.template.loader import render_to_string
from django.utils.translation import override

from meldpunt.vault.decorators import is_fully_signed_in
from meldpunt.vault.keys import NoKeyError
from meldpunt.vault.models import Role
from meldpunt.vault.sessionsecrets import session_private_key

from . import selectors, services
from .models import Author, Chat, ChatMessage
from .views import COOKIE_NAME, staff_chat_for, thread_items

POLL_SECONDS = 0.1
# Skipped message pks (a transaction still open) are looked for again this long, at
# most this many at once: longer than a stream lives, after which it reads anew.
GAP_SECONDS = 30
MAX_GAPS = 1000
# A waiting reporter's stream looks again after this long: their place in the queue
# moves when other chats are picked up, which makes no message in their own chat.
WAITING_RECHECK_SECONDS = 2
STREAM_SECONDS = 25
# Each stream ends somewhere in the last fifth of STREAM_SECONDS: streams opened
# together (every browser after a restart) would otherwise all reconnect together,
# every STREAM_SECONDS, and each reconnection costs a request's worth of work.
STREAM_SPREAD = 0.2
_spread = random.SystemRandom()
RETRY_MILLISECONDS = 1000
EVENT_STREAM = "text/event-stream"


@dataclass(frozen=True)
class News:
    events: list[str]
    chat: Chat
    last_pk: int


def _after(request: HttpRequest) -> int:
    raw = request.headers.get("Last-Event-ID") or request.GET.get("after") or "0"
    return int(raw) if raw.isdigit() and len(raw) < 19 else 0


def _news(
    *,
    chat_pk: int,
    chat: Chat | None,
    key_bytes: bytes,
    after: int,
    for_staff: bool,
    language: str,
    position: int,
) -> tuple[News, int]:
    """Messages after ``after`` as SSE events (rendered HTML), and the queue place if changed.

    Why the chat row is read only sometimes: its status changes only together with a
    system message in the chat (picked up, ended, timed out ...), so a stream that
    already has the row reads it again only when such a message arrives or while the
    reporter waits. Most wake-ups are then one query: the new messages.
    """
    messages = list(ChatMessage.objects.filter(chat_id=chat_pk, pk__gt=after).order_by("pk"))
    if chat is None or position or any(m.author == Author.SYSTEM for m in messages):
        chat = Chat.objects.get(pk=chat_pk)
    events = []
    now_position = position
    with override(language):
        for item in thread_items(chat, key_bytes, messages, for_staff=for_staff):
            html = render_to_string("chat/_message.html", {"item": item})
            events.append(f"id: {item['message'].pk}\ndata: {json.dumps({'html': html})}\n\n")
        if not for_staff:
            now_position = selectors.queue_position(chat)
            if now_position != position:
                text = render_to_string("chat/_position.html", {"position": now_position})
                events.append(f"event: position\ndata: {json.dumps({'html': text})}\n\n")
    if not for_staff:
        services.chat_reporter_seen(chat=chat)
    last = messages[-1].pk if messages else after
    return News(events=events, chat=chat, last_pk=last), now_position


def _database_work(function, /, *args, **kwargs):
    """Run ``function`` in a thread of the event loop's pool, which keeps its connection.

    Except a broken one: after a DatabaseError the thread's next call connects afresh.
    And, with Django's connection pool (MELDPUNT_DB_POOL), any: the connection goes back
    to the pool at once, so these threads hold none that a request may be waiting for.
    """
    try:
        return function(*args, **kwargs)
    except DatabaseError:
        connection.close()
        raise
    finally:
        if connection.settings_dict["OPTIONS"].get("pool"):
            connection.close()


async def _in_pool_thread(function, /, *args, **kwargs):
    return await sync_to_async(_database_work, thread_sensitive=False)(function, *args, **kwargs)


@dataclass
class WatchCursor:
    """How far the poller has read, and the pks it skipped that may still appear.

    Primary keys are handed out when a row is inserted, but rows become visible
    when their transaction commits, not necessarily in pk order: a message with
    a lower pk can appear after a higher one was seen. Such skipped pks are
    looked for again for GAP_SECONDS (a rolled-back insert leaves one for good).
    """

    last_pk: int | None = None
    gaps: dict[int, float] = field(default_factory=dict)  # pk -> look until (monotonic)


def messages_since(cursor: WatchCursor, now: float) -> set[int] | None:
    """Chats with messages the cursor has not seen; None when the cursor was only set up."""
    if cursor.last_pk is None:
        newest = ChatMessage.objects.order_by("-pk").values_list("pk", flat=True).first()
        cursor.last_pk = newest or 0
        return None
    condition = Q(pk__gt=cursor.last_pk)
    if cursor.gaps:
        condition |= Q(pk__in=list(cursor.gaps))
    rows = list(ChatMessage.objects.filter(condition).values_list("pk", "chat_id"))
    seen = {pk for pk, _chat in rows}
    newest = max(seen | {cursor.last_pk})
    gaps = {pk: until for pk, until in cursor.gaps.items() if pk not in seen and until > now}
    for pk in range(cursor.last_pk + 1, newest):
        if pk not in seen and len(gaps) < MAX_GAPS:
            gaps[pk] = now + GAP_SECONDS
    cursor.last_pk, cursor.gaps = newest, gaps
    return {chat for _pk, chat in rows}


class MessageWatch:
    """One poller per event loop: one query per tick says which chats have news.

    Streams wait on an asyncio.Event of their chat and query only when woken, so
    the database load grows with the messages, not with the open streams.
    """

    def __init__(self) -> None:
        self.subscribers: dict[int, set[asyncio.Event]] = {}
        self.task: asyncio.Task | None = None

    def subscribe(self, chat_pk: int) -> asyncio.Event:
        event = asyncio.Event()
        self.subscribers.setdefault(chat_pk, set()).add(event)
        if self.task is None or self.task.done():
            self.task = asyncio.get_running_loop().create_task(self._run())
        return event

    def unsubscribe(self, chat_pk: int, event: asyncio.Event) -> None:
        waiting = self.subscribers.get(chat_pk, set())
        waiting.discard(event)
        if not waiting:
            self.subscribers.pop(chat_pk, None)

    async def _run(self) -> None:
        cursor = WatchCursor()
        loop = asyncio.get_running_loop()
        while self.subscribers:
            try:
                chats = await _in_pool_thread(messages_since, cursor, loop.time())
            except DatabaseError:
                chats = set()
            if chats is None:
                # Just set up: a message stored between a stream's first read and this
                # moment would otherwise go unnoticed, so every stream looks once.
                chats = set(self.subscribers)
            for chat_pk in chats:
                for event in self.subscribers.get(chat_pk, ()):
                    event.set()
            await asyncio.sleep(POLL_SECONDS)


_watches: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, MessageWatch]" = (
    weakref.WeakKeyDictionary()
)


def _watch() -> MessageWatch:
    loop = asyncio.get_running_loop()
    if loop not in _watches:
        _watches[loop] = MessageWatch()
    return _watches[loop]


async def _stream(
    *, chat_pk: int, key_bytes: bytes, after: int, for_staff: bool, language: str
) -> AsyncIterator[str]:
    """Events until the chat ends or about STREAM_SECONDS pass; woken by the MessageWatch.

    No periodic look for chats that are not waiting: every change a stream shows
    comes with a message in its chat, which the watch reports. Should the watch
    miss one (a database fault), the stream's end after STREAM_SECONDS is the
    safety net: the browser reconnects and gets everything after Last-Event-ID.
    """
    yield f"retry: {RETRY_MILLISECONDS}\n\n"
    loop = asyncio.get_running_loop()
    deadline = loop.time() + STREAM_SECONDS * (1 - STREAM_SPREAD * _spread.random())
    position = -1 if not for_staff else 0
    chat = None
    watch = _watch()
    news_arrived = watch.subscribe(chat_pk)
    try:
        while loop.time() < deadline:
            news_arrived.clear()  # before the query: news after it wakes us again
            news, position = await _in_pool_thread(
                _news,
                chat_pk=chat_pk,
                chat=chat,
                key_bytes=key_bytes,
                after=after,
                for_staff=for_staff,
                language=language,
                position=position,
            )
            for event in news.events:
                yield event
            after, chat = news.last_pk, news.chat
            if chat.is_finished:
                yield "event: end\ndata: {}\n\n"
                return
            left = deadline - loop.time()
            timeout = min(WAITING_RECHECK_SECONDS, left) if position else left
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(news_arrived.wait(), timeout=max(0.0, timeout))
    finally:
        watch.unsubscribe(chat_pk, news_arrived)


class StreamConnectionMiddleware:
    """An event stream's request gives back its database connection before streaming.

    Why: a request's thread keeps the connection it used (staff sessions are saved on
    every request, after the view) until its response has ended, and an event stream
    lasts up to STREAM_SECONDS while reading only in the loop's pool threads. Open
    staff streams would each hold a connection that long; with a pool
    (MELDPUNT_DB_POOL) the other requests would wait for them.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.streaming
            and response.get("Content-Type") == EVENT_STREAM
            and not connection.in_atomic_block
        ):
            connection.close()
        return response


def _event_response(stream: AsyncIterator[str]) -> StreamingHttpResponse:
    response = StreamingHttpResponse(stream, content_type=EVENT_STREAM)
    response["Cache-Control"] = "no-store"
    response["X-Accel-Buffering"] = "no"  # a proxy in front must not hold events back
    return response


def _reporter_chat(request: HttpRequest) -> services.ReporterAccess | None:
    return services.chat_for_token(request.COOKIES.get(COOKIE_NAME, ""))


async def reporter_events(request: HttpRequest) -> HttpResponse:
    # A reporter's request has used no connection before the view: the look-up runs in
    # a pool thread, whose connection stays open between calls when there is no pool.
    access = await _in_pool_thread(_reporter_chat, request)
    if access is None:
        return HttpResponse(status=404)
    return _event_response(
        _stream(
            chat_pk=access.chat.pk,
            key_bytes=access.key_bytes,
            after=_after(request),
            for_staff=False,
            language=request.LANGUAGE_CODE,
        )
    )


def _staff_chat_key(request: HttpRequest, pk: int) -> tuple[int, bytes] | None:
    """The same checks as the staff pages: fully signed in, working role, line member."""
    if not is_fully_signed_in(request) or request.user.role not in {
        Role.ANALYST,
        Role.SUPERVISOR,
    }:
        return None
    chat = staff_chat_for(request, pk)
    if chat is None:
        return None
    try:
        key = services.staff_chat_key(
            chat=chat, user=request.user, private_key=session_private_key(request)
        )
    except NoKeyError:
        return None
    # The stream reconnects every STREAM_SECONDS: often enough to keep the chat its holder's.
    services.chat_staff_seen(chat=chat, user=request.user)
    return chat.pk, key


async def staff_events(request: HttpRequest, pk: int) -> HttpResponse:
    # In the request's own thread, on the connection its middleware already opened
    # (session, user), given back before streaming (StreamConnectionMiddleware). In a
    # pool thread it would need a second one while the request's thread holds the
    # first: with every pooled connection so held, each would wait for another.
    found = await sync_to_async(_staff_chat_key)(request, pk)
    if found is None:
        return HttpResponse(status=404)
    chat_pk, key_bytes = found
    return _event_response(
        _stream(
            chat_pk=chat_pk,
            key_bytes=key_bytes,
            after=_after(request),
            for_staff=True,
            language=request.LANGUAGE_CODE,
        )
    )
