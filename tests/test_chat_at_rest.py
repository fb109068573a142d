"""Acceptance (issue 15): a copy of the database and data directory after a chat
contains none of its messages in plaintext, nor the reporter's token or receipt.

The chat goes through the real pages: the reporter's cookie-held chat, the staff
pages, a receipt that turns the chat into a report. Dumps as in
test_encryption_at_rest (raw SQLite pages or pg_dump, plus every data file).
"""

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from meldpunt.chat.models import Chat
from meldpunt.chat.tests.factories import make_chat_line
from meldpunt.chat.views import COOKIE_NAME
from meldpunt.testing import make_staff, sign_in

from .test_encryption_at_rest import _data_dir_files, _database_dump, _encodings, _marker

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_chat_leaves_no_message_plaintext_in_database_or_data_directory(tmp_path):
    line = make_chat_line()
    analyst = make_staff(lines=[line])
    texts = {label: _marker(label) for label in ("reporter-1", "staff-1", "reporter-2")}

    reporter = Client()
    assert reporter.post(f"/chat/{line.slug}/start/").status_code == 302
    token = reporter.cookies[COOKIE_NAME].value
    chat = Chat.objects.get()
    staff = Client()
    sign_in(staff, analyst)
    assert staff.post(f"/staff/chat/{chat.pk}/pick-up/").status_code == 302
    assert reporter.post("/chat/now/", {"body": texts["reporter-1"]}).status_code == 302
    assert staff.post(f"/staff/chat/{chat.pk}/send/", {"body": texts["staff-1"]}).status_code == 302
    assert reporter.post("/chat/now/", {"body": texts["reporter-2"]}).status_code == 302
    receipt = reporter.post("/chat/now/receipt/").context["receipt"]
    chat.refresh_from_db()
    assert chat.is_finished  # a receipt ends the chat (docs/chat.md)

    # Readable with the keys, through the pages...
    frame = staff.get(f"/staff/chat/{chat.pk}/transcript/").content.decode()
    assert all(text in frame for text in texts.values())
    assert reporter.post("/mailbox/", {"receipt": receipt}).status_code == 302
    mailbox = reporter.get("/mailbox/messages/").content.decode()
    assert all(text in mailbox for text in texts.values())

    # ... and nowhere in a copy.
    sessions = "".join(repr(s.get_decoded()) for s in Session.objects.all()).encode()
    dumps = {"database": _database_dump(tmp_path), "sessions": sessions}
    dumps |= {str(path): data for path, data in _data_dir_files().items()}
    hidden = {
        **{label: text.encode() for label, text in texts.items()},
        "token": token.encode(),
        "receipt": receipt.replace(" ", "").encode(),
    }
    leaks = [
        f"{what} in {where}"
        for where, blob in dumps.items()
        for what, secret in hidden.items()
        if any(form in blob for form in _encodings(secret))
    ]
    assert not leaks, leaks
