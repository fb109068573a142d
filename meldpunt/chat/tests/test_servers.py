"""The live path served by real Uvicorn processes, as an installation runs it.

Two servers on one database, one of them with two worker processes (``--workers
2``), each process with a connection pool of two (MELDPUNT_DB_POOL, PostgreSQL
only; SQLite ignores it): what reaches a reporter's event stream does not depend
on which process stored it, a pool smaller than the requests at once makes them
wait their turn, not fail, and open event streams (also staff's, whose sessions
are saved on every request) hold no connection.
"""

import http.client
import json
import os
import re
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test import Client

from meldpunt.chat import services
from meldpunt.testing import make_staff, sign_in

from .factories import make_chat_line
from .servers import uvicorn_server

pytestmark = pytest.mark.django_db(transaction=True)
POOL_SIZE = 2
AT_ONCE = 4  # posts to each process at the same time, more than its pool holds
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _connection(url: str) -> http.client.HTTPConnection:
    parts = urlsplit(url)
    return http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)


def _open_stream(url: str, path: str, cookies: str) -> http.client.HTTPResponse:
    stream = _connection(url)
    # The socket goes with the response: closing that ends the stream.
    stream.request("GET", path, headers={"Cookie": cookies, "Connection": "close"})
    response = stream.getresponse()
    assert response.getheader("Content-Type") == "text/event-stream"
    return response


def _post_message(url: str, token: str, body: str) -> int:
    """The reporter's form, as a browser posts it: CSRF cookie and token from the page."""
    page = _connection(url)
    page.request("GET", "/chat/now/", headers={"Cookie": f"mp_chat={token}"})
    response = page.getresponse()
    csrf_cookie = re.search(r"mp_csrf=([^;]+)", response.getheader("Set-Cookie"))[1]
    csrf_token = CSRF_FIELD.search(response.read().decode())[1]
    post = _connection(url)
    post.request(
        "POST",
        "/chat/now/",
        body=f"body={body}&confirm=1&csrfmiddlewaretoken={csrf_token}",
        headers={
            "Cookie": f"mp_chat={token}; mp_csrf={csrf_cookie}",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    return post.getresponse().status


def _server_env(database_url: str, name: str) -> tuple[str, dict[str, str]]:
    """The server's database URL (named, on PostgreSQL, to count its connections) and pool."""
    if connection.vendor == "postgresql":
        database_url += f"?application_name={name}"
    return database_url, {"MELDPUNT_DB_POOL": str(POOL_SIZE)}


def _most_connections(names: list[str], stop: threading.Event) -> dict[str, int]:
    """The most connections each named server held at once while ``stop`` is not set."""
    most = dict.fromkeys(names, 0)
    if connection.vendor != "postgresql":
        stop.wait()
        return most
    with connection.cursor() as cursor:
        while not stop.is_set():
            cursor.execute(
                "SELECT application_name, count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() GROUP BY application_name"
            )
            for name, count in cursor.fetchall():
                if name in most:
                    most[name] = max(most[name], count)
            time.sleep(0.02)
    return most


def test_posts_to_two_server_processes_reach_the_stream_on_one_and_wait_for_the_pool(
    database_url,
):
    line = make_chat_line(max_messages_per_minute=60)
    analyst = make_staff(lines=[line])
    chat, token = services.chat_start(line=line, language="nl")
    services.chat_pick_up(chat=chat, actor=analyst)
    staff = Client()
    sign_in(staff, analyst)
    staff_cookies = "; ".join(f"{name}={morsel.value}" for name, morsel in staff.cookies.items())
    names = ["meldpunt-stream", "meldpunt-other"]
    stream_url, stream_env = _server_env(database_url, names[0])
    other_url, other_env = _server_env(database_url, names[1])
    with (
        uvicorn_server(stream_url, env=stream_env) as streaming,
        uvicorn_server(other_url, env=other_env, options=("--workers", "2")) as other,
        ThreadPoolExecutor(2 * AT_ONCE + 1) as pool,
    ):
        # More open staff streams than the pool has connections, as an analyst with
        # several chats open has.
        staff_streams = [
            _open_stream(streaming, f"/staff/chat/{chat.pk}/events/", staff_cookies)
            for _ in range(POOL_SIZE + 1)
        ]
        stream = _open_stream(streaming, "/chat/now/events/", f"mp_chat={token}")
        stop = threading.Event()
        watching = pool.submit(_most_connections, names, stop)
        markers = [f"m{server}x{number}q" for server in (0, 1) for number in range(AT_ONCE)]
        posts = [
            pool.submit(_post_message, (streaming, other)[int(marker[1])], token, marker)
            for marker in markers
        ]
        assert [post.result(timeout=60) for post in posts] == [302] * len(markers)
        received = b""
        deadline = time.monotonic() + 30
        while not all(marker.encode() in received for marker in markers):
            assert time.monotonic() < deadline, f"not on the stream: {received[-500:]!r}"
            received += stream.readline()
        stop.set()
        for response in [stream, *staff_streams]:
            response.close()
        most = watching.result(timeout=10)
    assert most[names[0]] <= POOL_SIZE and most[names[1]] <= 2 * POOL_SIZE, most


_SETTINGS_PROBE = """
import importlib, json, os
import meldpunt.settings
pools = []
cases = [("postgres://u@db/m", "0"), ("sqlite:///m.sqlite3", "0"), ("postgres://u@db/m", "60")]
for url, max_age in cases:
    os.environ.update(DATABASE_URL=url, MELDPUNT_DB_CONN_MAX_AGE=max_age)
    try:
        pools.append(importlib.reload(meldpunt.settings).DATABASES["default"]["OPTIONS"].get("pool"))
    except Exception as error:
        pools.append(type(error).__name__)
print(json.dumps(pools))
"""


def test_the_pool_setting_is_for_postgresql_only_and_excludes_persistent_connections(tmp_path):
    environment = {**os.environ, "MELDPUNT_DATA_DIR": str(tmp_path), "MELDPUNT_DB_POOL": "3"}
    environment.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", _SETTINGS_PROBE],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    postgresql, sqlite, persistent = json.loads(result.stdout.strip().splitlines()[-1])
    assert postgresql == {"min_size": 2, "max_size": 3, "timeout": 10}
    assert sqlite is None
    assert persistent == "ImproperlyConfigured"
