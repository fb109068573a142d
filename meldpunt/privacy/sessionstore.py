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
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.core import signing

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

    def create_model_instance(self, data: dict[str, Any]) -> Any:
        instance = super().create_model_instance(data)
        if SESSION_KEY not in data:
            instance.expire_date = hour_ceil(instance.expire_date)
        return instance
