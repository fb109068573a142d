"""Database sessions that do not tell when a reporter was last active.

Django's database store writes two times into every session row: the expiry
(the last request plus ``SESSION_COOKIE_AGE``, to the microsecond) and, inside
the signed session data, the time of signing (``signing.dumps`` is timestamped).
A reporter's mailbox session would pin their last visit to the second. Here:

- the session data is signed without a timestamp (nothing reads it: the expiry
  column decides whether a session is still valid);
- a session without a signed-in staff member expires at the end of the hour in
  which its idle time runs out, so an idle reporter session lasts between
  ``SESSION_COOKIE_AGE`` and an hour more. Staff sessions keep their exact idle
  timeout: staff actions are not reporter actions, and the audit log records
  them to the second anyway.

Expired rows are deleted by the hourly clean-up (``meldpunt.privacy.tasks``).
"""

import logging
from typing import Any

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.core import signing
from django.db import InterfaceError, OperationalError

from meldpunt.privacy.hours import hour_ceil


class SessionStore(DatabaseSessionStore):
    def encode(self, session_dict: dict[str, Any]) -> str:
        return signing.Signer(salt=self.key_salt).sign_object(
            session_dict, serializer=self.serializer, compress=True
        )

    def decode(self, session_data: str) -> dict[str, Any]:
        try:
            return signing.Signer(salt=self.key_salt).unsign_object(
                session_data, serializer=self.serializer
            )
        except signing.BadSignature:
            # Also a row written by Django's own store before the switch: its
            # visitor starts a new session, as after any expiry.
            logging.getLogger("django.security.SuspiciousSession").warning("Session data corrupted")
        except Exception:  # noqa: BLE001 - undecodable data is an empty session, as in Django
            return {}
        return {}

    def save(self, must_create: bool = False) -> None:
        """As Django's, but a database that cannot be reached stays an outage.

        Django turns every database error of an update into UpdateError ("the session
        was deleted meanwhile"), which SessionMiddleware answers with 400 Bad Request.
        A reporter signing in to the mailbox while PostgreSQL restarted got that 400
        (seen in benchmarks/load_faults.py); a lost connection now reaches
        errorpages.server_error, which answers 503 with Retry-After.
        """
        try:
            super().save(must_create=must_create)
        except UpdateError as error:
            if isinstance(error.__context__, (OperationalError, InterfaceError)):
                raise error.__context__ from None
            raise

    def create_model_instance(self, data: dict[str, Any]) -> Any:
        instance = super().create_model_instance(data)
        if SESSION_KEY not in data:
            instance.expire_date = hour_ceil(instance.expire_date)
        return instance
