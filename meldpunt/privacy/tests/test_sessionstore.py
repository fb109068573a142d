"""The session store's answer to a database that cannot be reached while a session is saved."""

import pytest
from django.contrib.sessions.backends.base import UpdateError
from django.db import OperationalError
from django.test import Client

from meldpunt.intake.services import report_submit
from meldpunt.privacy.sessionstore import SessionStore
from meldpunt.testing import make_category, make_staff

pytestmark = pytest.mark.django_db


def _lose_the_database_on_updates(monkeypatch) -> None:
    """Inserts work, updates find the connection gone: PostgreSQL stopped in between."""
    save = SessionStore.get_model_class().save

    def save_or_lose(instance, *args, **kwargs):
        if kwargs.get("force_update"):
            raise OperationalError("server closed the connection unexpectedly")
        return save(instance, *args, **kwargs)

    monkeypatch.setattr(SessionStore.get_model_class(), "save", save_or_lose)


def test_a_lost_connection_on_saving_a_session_is_an_outage_and_a_deleted_row_is_not(
    monkeypatch,
):
    deleted = SessionStore()
    deleted["step"] = 1
    deleted.save()
    deleted.model.objects.filter(session_key=deleted.session_key).delete()
    deleted["step"] = 2
    with pytest.raises(UpdateError):  # Django's meaning: deleted meanwhile (a sign-out)
        deleted.save()

    store = SessionStore()
    store["step"] = 1
    store.save()
    _lose_the_database_on_updates(monkeypatch)
    store["step"] = 2
    with pytest.raises(OperationalError):
        store.save()


def test_a_mailbox_sign_in_while_the_database_restarts_says_try_again_not_bad_request(
    monkeypatch,
):
    category = make_category()
    make_staff(lines=[category.line])
    receipt = report_submit(
        category=category, answers={"what": "Iets"}, questions={"what": "Wat?"}
    ).receipt
    _lose_the_database_on_updates(monkeypatch)
    response = Client(raise_request_exception=False).post("/mailbox/", {"receipt": receipt})
    assert response.status_code == 503 and response["Retry-After"]
