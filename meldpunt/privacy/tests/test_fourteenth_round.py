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


@pytest.mark.parametrize(
    ("text", "street"),
    [
        # a flat in a named building, with or without the street after it
        ("The dealer lives at Flat 31, Juniper House near the station.", "Flat 31, Juniper House"),
        (
            "Send it to Flat 5, Linden Court, 18 Mill Lane please.",
            "Flat 5, Linden Court, 18 Mill Lane",
        ),
        ("They rent out Suite 4, 72 Brook Road as a bedsit.", "Suite 4, 72 Brook Road"),
        # a street's name and a compass point
        ("Hij woont op Kanaaldijk-Noord 41 boven de garage.", "Kanaaldijk-Noord 41"),
        # a Polish street
        ("Zijn adres in Polen is ul. Kwiatowa 7 in Lublin.", "ul. Kwiatowa 7"),
        # the article before a street is no person's name
        ("Ze verhuurt kamers aan de Hoge Zwaluw 19 in Zwolle.", "Hoge Zwaluw 19"),
    ],
)
def test_flats_compass_streets_polish_streets_and_streets_after_an_article(text, street):
    found = _found(text)
    assert (T.STREET_ADDRESS, street) in found
    assert T.PERSON_NAME not in [kind for kind, _ in found]


def test_a_name_ending_like_a_street_before_a_date_is_no_address():
    """ "Veldkamp 03-05-1980": a house number never opens with 0 nor starts a date."""
    found = _found("Joost Veldkamp 03-05-1980 verhuurt caravans zonder vergunning.")
    assert T.STREET_ADDRESS not in [kind for kind, _ in found]
    assert (T.PERSON_NAME, "Joost Veldkamp") in found


@pytest.mark.parametrize(
    ("text", "plate"),
    [
        # "foreign plates" names the plates that follow, a German one too
        ("Next door there are vans with foreign plates, such as HH-RT 882.", "HH-RT 882"),
        # a vehicle right before a Polish plate
        ("The van was KR 4T771 and it parked on the pavement.", "KR 4T771"),
        ("Zijn busje: WX 9P310. Hij komt elke dinsdag.", "WX 9P310"),
    ],
)
def test_plates_after_foreign_plates_and_right_after_a_vehicle(text, plate):
    assert (T.LICENCE_PLATE, plate) in _found(text)


def test_a_code_after_a_vehicle_word_in_another_sentence_is_no_plate():
    assert T.LICENCE_PLATE not in [
        kind for kind, _ in _found("I sold the car. KLM 1234 left late.")
    ]


@pytest.mark.parametrize(
    "url",
    [
        "https://www.carsite.co.uk/dealers/jim-baker-autos",
        "ratedtraders.com/trades/hollis-roofing",
        "https://www.givealittle.org/crowdfunding/help-for-mia-k",
        "https://discord.gg/ruudsdeals",
    ],
)
def test_dealer_trader_fundraiser_pages_and_discord_invitations_are_profile_links(url):
    assert (T.PROFILE_URL, url) in _found(f"Zie {url} voor zijn advertenties.")


@pytest.mark.parametrize(
    "text",
    [
        # a place or an organisation that opens with an article
        "Op het industrieterrein De Slenk wordt 's nachts afval gedumpt.",
        "De bus naar De Wielewaal rijdt nooit op tijd.",
        "Ik werk als schoonmaker in het Sophia en zie daar vreemde dingen.",
        # a building
        "The parcels pile up in the hall of Ashdown Lodge every week.",
        # greetings and forms of address
        "Goedemiddag, er wordt in onze straat vuurwerk verkocht.",
        "Dear Sirs, the bins on our road are set on fire every night.",
        # what is sold
        "Online verkoopt iemand Wegovy zonder recept.",
        # a business or an association by its trade word
        "Bij Salon Noor op de hoek komen nooit klanten.",
        "Het bestuur van VvE Zonnewende int te veel servicekosten.",
    ],
)
def test_places_buildings_greetings_and_medicines_are_no_names(text):
    assert T.PERSON_NAME not in [kind for kind, _ in _found(text)]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Ik sprak gisteren mevrouw De Wit over de overlast.", "De Wit"),
        ("Iedereen weet dat het Ruben is van nummer 4.", "Ruben"),
    ],
)
def test_a_surname_with_its_article_and_a_name_after_the_pronoun_het_stay_names(text, name):
    assert (T.PERSON_NAME, name) in _found(text)


@pytest.mark.parametrize(
    "text",
    [
        # a verb's -ing form after "is" describes what the account does
        "The page @fake.lotte.b on Instagram is threatening Lotte Bakker.",
        # a business named near an account word
        "Money leaves my account to a webshop called GreenDealz every month.",
    ],
)
def test_a_verb_after_is_and_a_business_near_an_account_word_are_no_handles(text):
    handles = [value for kind, value in _found(text) if kind is T.SOCIAL_HANDLE]
    assert all(value.startswith("@") for value in handles)
