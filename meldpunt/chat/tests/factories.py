"""Chat set-ups shared by the chat tests and the end-to-end tests."""

from datetime import time

from meldpunt.chat.models import CannedAnswer, ChatSettings, ContactType, OpeningHours
from meldpunt.lines.models import Line
from meldpunt.testing import PASSWORD, make_category
from meldpunt.vault.keys import staff_key_unlock

ALL_DAY = (time(0, 0), time(23, 59, 59, 999999))


def make_chat_line(*, always_open: bool = True, **settings) -> Line:
    """A line with a chat whose reports go to a public category; open all week by default."""
    category = make_category()
    line = category.line
    ChatSettings.objects.create(line=line, receipt_category=category, **settings)
    if always_open:
        for weekday in range(7):
            OpeningHours.objects.create(
                line=line, weekday=weekday, opens=ALL_DAY[0], closes=ALL_DAY[1]
            )
    ContactType.objects.create(line=line, name="Zorgen over iemand anders", order=1)
    ContactType.objects.create(line=line, name="Algemene informatie", order=2)
    CannedAnswer.objects.create(
        line=line, language="nl", title="Welkom", text="Welkom bij de chat. Waar gaat het over?"
    )
    CannedAnswer.objects.create(
        line=line, language="en", title="Welcome", text="Welcome to the chat. What is it about?"
    )
    return line


def unlocked_key(user):
    return staff_key_unlock(user=user, password=PASSWORD)
