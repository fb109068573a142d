"""Issue 11, item 7 (fourteenth round): names, handles and streets on the new-writer
batches h13, h14, a, b and c.

The sentences here are written for these tests; none is taken from a data file.
"""

import pytest

from meldpunt.privacy.detection import FindingType as T
from meldpunt.privacy.detection import find_identifying_details


def _found(text: str, language: str | None = None) -> list[tuple[T, str]]:
    return [(f.type, f.text) for f in find_identifying_details(text, language=language)]


@pytest.mark.parametrize(
    ("text", "handle"),
    [
        # a game or a word for the people in one, then a username-shaped word
        ("We played Valorant with NightHawkJoe last week and he stole my skins.", "NightHawkJoe"),
        ("Er is een streamer GekkeGerritTV die kinderen om geld vraagt.", "GekkeGerritTV"),
        # a lower-case word set off by commas right after a platform or game word
        ("Op Twitch, grimbaard, scheldt iemand elke avond mijn zoon uit.", "grimbaard"),
        ("A viewer, moonfrogg, keeps sending my daughter messages.", "moonfrogg"),
        # a naming phrase and a username-shaped word, with no platform word at all
        ("Een jongen die zich SnelleSem noemt vraagt om foto's.", "SnelleSem"),
        ("He now goes by the name tomtom77 and asks for money.", "tomtom77"),
        ("Blocked him, but he came back as FrostByteKing2.", "FrostByteKing2"),
        ("A player named DarkOtterX keeps threatening the younger kids.", "DarkOtterX"),
        # letters written as digits, the "xX…Xx" frame; an underscore is no person's name
        ("Please ban Sh4dowW0lf from the server, he is an adult.", "Sh4dowW0lf"),
        ("Someone called xXpixelqueenXx asked my son where he lives.", "xXpixelqueenXx"),
        ("Die gast Lange_Lucas zit in elke lobby met kleine kinderen.", "Lange_Lucas"),
    ],
)
def test_gamers_usernames_are_found_as_handles(text, handle):
    found = _found(text)
    assert (T.SOCIAL_HANDLE, handle) in found
    assert not any(kind is T.PERSON_NAME and handle in value for kind, value in found)


@pytest.mark.parametrize(
    "text",
    [
        # a thing that is named, not an account
        "I bought a phone from a webshop called GadgetHub24 and never got it.",
        "De app heet ChatMaatje en wordt gebruikt om kinderen te benaderen.",
        "There is a site called cheapleaks.net with stolen photos.",
        # an everyday word or a first name between commas after a platform word
        "Op Instagram, eerlijk gezegd, zie ik dat vaak.",
        "On Twitch, Kevin, the streamer, said nothing.",
        # a surname that is written with a capital inside
        "A man named McAllister sells the tickets.",
    ],
)
def test_named_things_everyday_words_and_names_are_no_handles(text):
    assert T.SOCIAL_HANDLE not in [kind for kind, _ in _found(text)]
