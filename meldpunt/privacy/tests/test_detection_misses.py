"""Issue 11, item 7: kinds of identifying detail the detector missed, and false hits.

The sentences are development examples, not the held-out set
(benchmarks/data/privacy_heldout.jsonl), which is only scored by the benchmark.
"""

import pytest

from meldpunt.privacy.detection import FindingType as T
from meldpunt.privacy.detection import find_identifying_details


def _found(text: str, language: str | None = None) -> list[tuple[T, str]]:
    return [(f.type, f.text) for f in find_identifying_details(text, language=language)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # single first names and nicknames that were in no list
        ("Daarna kwam Stein met een tas vol geld naar buiten.", (T.PERSON_NAME, "Stein")),
        ("Die gozer noemen ze Gekke Gerrit.", (T.PERSON_NAME, "Gekke Gerrit")),
        ("The man they call Fat Steve sells phones.", (T.PERSON_NAME, "Fat Steve")),
        # initial plus surname
        ("Op de brief stond de naam P. Verbeek.", (T.PERSON_NAME, "P. Verbeek")),
        ("The invoices are signed by K. Murphy.", (T.PERSON_NAME, "K. Murphy")),
        # surnames with a tussenvoegsel standing alone, and bare surnames
        ("Gisteren heeft van der Linden weer iemand bedreigd.", (T.PERSON_NAME, "van der Linden")),
        ("Ik weet zeker dat Van Beek erachter zit.", (T.PERSON_NAME, "Van Beek")),
        ("I think Reilly is the one in charge.", (T.PERSON_NAME, "Reilly")),
        # streets without a street word
        ("They store the boxes at Weena 70.", (T.STREET_ADDRESS, "Weena 70")),
        ("Het adres is Wittevrouwen 12 in Utrecht.", (T.STREET_ADDRESS, "Wittevrouwen 12")),
        # dates of birth without a cue word before them
        ("De eigenaar is Pieter Kok (02-03-1966).", (T.DATE_OF_BIRTH, "02-03-1966")),
        ("Hij is op 8 oktober 1980 geboren.", (T.DATE_OF_BIRTH, "8 oktober 1980")),
        ("Zijn zus is van 4 mei 1995.", (T.DATE_OF_BIRTH, "4 mei 1995")),
        # profile links on marketplaces and second-hand sites
        (
            "Hij verkoopt via https://www.marktplaats.nl/u/gsmshop-utrecht/99887766/",
            (T.PROFILE_URL, "https://www.marktplaats.nl/u/gsmshop-utrecht/99887766"),
        ),
        (
            "Haar winkeltje op vinted.nl/member/123456-lisa-style is nep.",
            (T.PROFILE_URL, "vinted.nl/member/123456-lisa-style"),
        ),
        (
            "Op 2dehands.be/u/fietsen-gent/778899 staan gestolen fietsen.",
            (T.PROFILE_URL, "2dehands.be/u/fietsen-gent/778899"),
        ),
        # handles after "my Snapchat is"
        ("My Snapchat is tommo_88.", (T.SOCIAL_HANDLE, "tommo_88")),
        ("Zijn snapchat is dikke_mo010, daar verkoopt hij.", (T.SOCIAL_HANDLE, "dikke_mo010")),
        # second round (issue 11 item 7, development set ids 568-644)
        # a name no list knows, opening a sentence and doing something
        ("Jorrit brengt elke ochtend de zakjes rond.", (T.PERSON_NAME, "Jorrit")),
        ("Then Robbo came out with a holdall.", (T.PERSON_NAME, "Robbo")),
        ("Gijsje en Ruudje lopen samen de buurt rond.", (T.PERSON_NAME, "Gijsje")),
        # an initial and a surname no list knows, without a cue
        ("The letter was signed by P. Adeyemi.", (T.PERSON_NAME, "P. Adeyemi")),
        # a tussenvoegsel surname and a bare surname opening a sentence
        ("Ik weet bijna zeker dat Van der Linde het regelt.", (T.PERSON_NAME, "Van der Linde")),
        ("Verschoor laat de jongens voor weinig werken.", (T.PERSON_NAME, "Verschoor")),
        ("Yesterday Nwosu shouted at the staff again.", (T.PERSON_NAME, "Nwosu")),
        # a street without a street word, a date of birth in brackets
        ("Ze zitten op Drift 23 boven de kapper.", (T.STREET_ADDRESS, "Drift 23")),
        ("The driver is Liam Brennan (3/7/1986).", (T.DATE_OF_BIRTH, "3/7/1986")),
        # more second-hand sites, a handle after "op insta de naam"
        (
            "De verkoper https://www.tweedehands.net/profiel/998877 is dezelfde.",
            (T.PROFILE_URL, "https://www.tweedehands.net/profiel/998877"),
        ),
        (
            "Check the seller at https://www.ebay.co.uk/usr/partsforless88.",
            (T.PROFILE_URL, "https://www.ebay.co.uk/usr/partsforless88"),
        ),
        ("Hij heeft op insta de naam bossman_030.", (T.SOCIAL_HANDLE, "bossman_030")),
        ("My snap is tipper.22 if you need me.", (T.SOCIAL_HANDLE, "tipper.22")),
        # third round (ids 645-679): a cleft sentence, a lower-case tussenvoegsel after a cue
        ("Volgens mij is het Teuntje die de pakketjes aanneemt.", (T.PERSON_NAME, "Teuntje")),
        ("The landlord, van Houten, knows all about it.", (T.PERSON_NAME, "van Houten")),
    ],
)
def test_details_that_were_missed_are_found(text, expected):
    assert expected in _found(text)


@pytest.mark.parametrize(
    "text",
    [
        "Op Eerste Paasdag stond er een busje voor de deur.",
        "On Bonfire Night they set a car on fire.",
        "Met Oud en Nieuw wordt er met zwaar vuurwerk gegooid.",
        "Hij werkt bij Hendriks Bouw BV en steelt materiaal.",
        "De pakketjes komen van Jansen Transport uit Venlo.",
        "They launder money through a Johnson Cleaning franchise.",
        "The drugs were hidden in boxes from Smith & Nephew.",
        "Gisteren (12-10-2024) was er weer een vechtpartij.",
        "Zijn snapchat is gehackt, dus hij gebruikt een ander account.",
        "I saw it at about 10:30 on Saturday May 4.",
        # second round: holidays, and companies that carry a surname
        "Met Pasen werd er weer gedeald.",
        "Na Sinterklaas kwamen er nieuwe jongens.",
        "Over Christmas the house was full of people.",
        "Hij werkt bij Van der Valk als kok.",
        "Ze werken allemaal bij Heineken in de brouwerij.",
        "They meet near the Van Gogh Museum.",
        "Het pakket kwam van Van Gend & Loos.",
        "He steals from the Albert Heijn near the station.",
        # sentence openers that are no names, before a verb
        "Alles loopt via de achterdeur.",
        "Nobody knows who runs it.",
        "Zijn BSN-nummer weet ik niet.",
    ],
)
def test_holidays_businesses_and_incident_dates_are_not_identifying(text):
    assert _found(text) == []


def _names(text: str) -> list[str]:
    return [f.text for f in find_identifying_details(text) if f.type is T.PERSON_NAME]


@pytest.mark.parametrize(
    "text",
    [
        # twelfth round: a lower-case compound for a school, club, home or business, and a
        # venue word before an article, then the venue's own name
        "Onze zoon zit sinds dit jaar op basisschool De Zonnewijzer.",
        "Op de parkeerplaats van hockeyclub HMHC De Uil staat elke avond een busje.",
        "Het bouwbedrijf Van Kempen stort puin in de sloot.",
        "Mijn opa woont in het seniorencomplex Het Anker aan de rand van het dorp.",
        "We overnachtten in Hotel De Zwaluw en hoorden geschreeuw.",
    ],
)
def test_venues_named_after_a_venue_word_are_no_person(text):
    assert _names(text) == []


@pytest.mark.parametrize(
    ("text", "name"),
    [
        # a person right after a club or school word, with no article opening the name
        ("Ik zag de trainer van de voetbalclub Erik Smits een jongen duwen.", "Erik Smits"),
        ("Bij basisschool De Zonnewijzer werkt juf Anouk Peters.", "Anouk Peters"),
        # a surname with "Van" after a relation word is still a person
        ("Mijn buurman Van Kempen rijdt elke nacht te hard.", "Van Kempen"),
    ],
)
def test_people_next_to_venue_words_are_still_found(text, name):
    assert name in _names(text)


@pytest.mark.parametrize(
    "text",
    [
        # twelfth round: what a naming word names right after a shop, gym, stall or
        # company is that thing, for the rules and for the name model alike
        "Die nieuwe sportschool heet Golden Lion en er wordt gedeald.",
        "The firm name is Polar Bright Staffing and it wants a deposit.",
        "Het kraampje op de markt is van iemand anders. De kraam heet Zomerkoopjes Oost.",
    ],
)
def test_names_given_to_a_thing_are_no_person(text):
    assert _names(text) == []


@pytest.mark.parametrize(
    ("text", "name"),
    [
        # a person between the thing and the naming word is the one named
        ("The shop manager is a woman called Greta and she keeps the cash.", "Greta"),
        ("Ik werk in een hotel. Een man genaamd Dorin Lupu komt elke week.", "Dorin Lupu"),
        # a real name always names a person
        ("On the chat server a user calls himself zorro (real name Timo).", "Timo"),
        # a place the person is at only describes them
        ("A boy at our school named Jasper is selling vapes.", "Jasper"),
    ],
)
def test_people_named_near_a_thing_are_still_found(text, name):
    assert name in _names(text)


@pytest.mark.parametrize(
    "text",
    [
        # twelfth round: a predicative nationality in "-isch" is no name
        "Mijn buurvrouw is Iranisch van afkomst en wordt bedreigd.",
        "Ik ben zelf Koerdisch en ken de man van gezicht.",
        # one word after a postcode, or after a street, number and "in", is the town
        "Zijn adres: Hoefslag 14, 3451 KL Bakker.",
        "Het huis staat op Molendijk 3 in Visser en is leeg.",
    ],
)
def test_nationalities_and_towns_after_an_address_are_no_person(text):
    assert _names(text) == []


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Zijn buurman in 3451 KL heet Sander Wouters.", "Sander Wouters"),
        ("Op Molendijk 3 woont Ria Jansen met haar zoon.", "Ria Jansen"),
        ("Ik las laatst iets van Max Frisch over schuld.", "Max Frisch"),
    ],
)
def test_people_near_an_address_or_an_adjective_are_still_found(text, name):
    assert name in _names(text)


@pytest.mark.parametrize(
    ("text", "name", "street"),
    [
        # twelfth round: a full name or a title and surname before "van" and a street is
        # the person living there, not part of the street's name
        ("Volgens mij fokt Remco Baas van Lijsterweg 14 honden.", "Remco Baas", "Lijsterweg 14"),
        ("Meneer Terpstra van Kievitdreef 3 schiet op duiven.", "Terpstra", "Kievitdreef 3"),
        ("mevrouw Yilmaz van Havikstraat 88 verhuurt kamers.", "Yilmaz", "Havikstraat 88"),
    ],
)
def test_a_person_before_van_and_a_street_is_found_apart(text, name, street):
    found = _found(text)
    assert (T.PERSON_NAME, name) in found
    assert (T.STREET_ADDRESS, street) in found


@pytest.mark.parametrize(
    "street",
    # one first name before "van" belongs to the street
    ["Jan van Galenstraat 5", "Johan van Hasseltweg 12"],
)
def test_streets_named_after_someone_with_van_stay_whole(street):
    assert _found(f"Hij woont op de {street} in Amsterdam.") == [(T.STREET_ADDRESS, street)]


@pytest.mark.parametrize(
    "text",
    [
        # twelfth round: a passage opening or ending with a venue or trade word is the
        # venue's whole name
        "Op Camping De Eekhoorn wordt 's nachts gedeald.",
        "Bij de Jachthaven Mulder lag een boot vol sigaretten.",
        "Er gaan nepbrieven rond namens de Staatsloterij en de Vrienden Loterij.",
    ],
)
def test_whole_venue_names_are_no_person(text):
    assert _names(text) == []


@pytest.mark.parametrize(
    ("text", "name"),
    [
        # a venue word ends the name only as its last word, and opens it only first
        ("Mijn collega Ruud van Dorp sloeg hem.", "Ruud van Dorp"),
        ("Ik zag Tom Bakker bij de camping staan.", "Tom Bakker"),
    ],
)
def test_people_whose_names_look_like_venues_are_still_found(text, name):
    assert name in _names(text)


@pytest.mark.parametrize(
    "text",
    [
        # twelfth round: words in single quotes that hold a town, a trade or venue word or
        # an everyday word, and no first name, name a thing
        "Ze zamelen geld in voor 'Stichting Zonlicht Ghana' maar die bestaat niet.",
        "The fake shop 'Garden Deals Outlet' never delivered my order.",
        "Hij verkoopt pups onder de naam 'Fokkerij Drenthe' via een site.",
    ],
)
def test_quoted_names_of_things_are_no_person(text):
    assert _names(text) == []


@pytest.mark.parametrize(
    ("text", "name"),
    [
        # a first name in the quotes keeps them a person's, an everyday surname too
        ("Ik kocht een fiets van 'Sanne Bloem' en die was gestolen.", "Sanne Bloem"),
        ("A man who calls himself 'Uncle Jay' sends her messages.", "Jay"),
    ],
)
def test_quoted_people_are_still_found(text, name):
    assert any(name in found for found in _names(text))


@pytest.mark.parametrize(
    ("text", "street"),
    [
        # thirteenth round: more endings of Dutch street names, Frisian ones among them
        ("De wietplantage zit op Molenakker 7 achter de schuur.", "Molenakker 7"),
        ("Zij woont op Lindegaard 22 met haar vriend.", "Lindegaard 22"),
        ("Het pand aan de Zuidvliet 41 staat vol dozen.", "Zuidvliet 41"),
        ("De loods aan de Noorderschans 5 is 's nachts open.", "Noorderschans 5"),
        ("Hij woont op Tsjerkestrjitte 21 in Burdaard.", "Tsjerkestrjitte 21"),
        # an adjective before a bare street word, and "uit", "wonende", "Op" before a street
        ("Het gaat om de snackbar op de Grote Markt 14.", "Grote Markt 14"),
        ("De man van Lange Dijk 8 verkoopt vuurwerk.", "Lange Dijk 8"),
        ("Kees uit Kerkhoek 9 rijdt zonder rijbewijs.", "Kerkhoek 9"),
        ("De dader, wonende Bloemhof 17 in Tiel, is bekend.", "Bloemhof 17"),
        ("Op Populierenhoek 4 wordt elke nacht gedeald.", "Populierenhoek 4"),
    ],
)
def test_streets_with_more_endings_and_place_words_are_found(text, street):
    assert (T.STREET_ADDRESS, street) in _found(text)


@pytest.mark.parametrize(
    "text",
    # a listed town that ends like a street stays a town, with a number after it too
    ["Ik woon sinds 2019 in Rijswijk 12 jaar al.", "In Harderwijk 3 dagen geleden gebeurd."],
)
def test_towns_that_end_like_streets_are_no_address(text):
    assert all(kind is not T.STREET_ADDRESS for kind, _ in _found(text))


@pytest.mark.parametrize(
    ("text", "name", "street"),
    [
        # thirteenth round: a name stops before "van", "op" or "aan" and a street
        (
            "Ik zag Anouk Verbeek van de Molenvaart 12 met pakketjes.",
            "Anouk Verbeek",
            "Molenvaart 12",
        ),
        (
            "Bij mijn klant Priscilla op Zandakker 3 zag ik blauwe plekken.",
            "Priscilla",
            "Zandakker 3",
        ),
        (
            "Truus van den Berg van Oude Dijk 40 houdt te veel katten.",
            "Truus van den Berg",
            "Oude Dijk 40",
        ),
        (
            "De heer Van der Sloot van Kerkstraat 9 bouwt zonder vergunning.",
            "Van der Sloot",
            "Kerkstraat 9",
        ),
    ],
)
def test_a_name_before_an_address_stops_before_it(text, name, street):
    found = _found(text)
    assert (T.PERSON_NAME, name) in found
    assert (T.STREET_ADDRESS, street) in found


def test_a_name_before_van_and_a_count_stays_whole():
    assert (T.PERSON_NAME, "Sanne van Rijn") in _found(
        "Sanne van Rijn 3 keer gezien bij het station."
    )


@pytest.mark.parametrize(
    "text",
    [
        # thirteenth round: a word before an English street word is the street's name
        "Someone keeps dumping tyres on Maple Crescent at night.",
        "The car was parked on Tenby Road all weekend.",
        "Kids race scooters up and down Fairfield Avenue after dark.",
        "There is a grow house somewhere on Ash Grove, not sure which number.",
        # an acronym's plural or possessive is no surname
        "Hij bewaart de IBAN's en BSN's van zijn klanten in een schrift.",
        # well-known people named as a topic, rivers with their article
        "Ze verkopen nepkaartjes voor Beyoncé en Taylor Swift via een app.",
        "Bij de Maas wordt 's nachts gedumpt en langs de IJssel ook.",
    ],
)
def test_streets_acronyms_stars_and_rivers_are_no_person(text):
    assert _names(text) == []


@pytest.mark.parametrize(
    ("text", "name"),
    [
        # a surname that is also an English street word stays a name without a place word
        ("I saw Tom Hill carrying the bags.", "Tom Hill"),
        # a surname that is also a river's name, without its article
        ("Frank Maas verkoopt wiet vanuit zijn schuur.", "Frank Maas"),
        ("Taylor Smit stuurt haar berichten.", "Taylor Smit"),
    ],
)
def test_people_named_like_streets_rivers_and_stars_are_still_found(text, name):
    assert name in _names(text)


@pytest.mark.parametrize(
    ("text", "date"),
    [
        # thirteenth round: a full date among numbers and addresses listed after a name
        ("Henk Mulder, BSN 111222333, 04-11-1969, werkt zwart bij een garage.", "04-11-1969"),
        ("Ilse (ilse.b@example.nl, 2 juni 1988) leent geld op andermans naam.", "2 juni 1988"),
        ("Dean Hollis (tel 07700 900123, 15/02/1992) sells fake passes.", "15/02/1992"),
    ],
)
def test_dates_among_details_after_a_name_are_dates_of_birth(text, date):
    assert (T.DATE_OF_BIRTH, date) in _found(text)


@pytest.mark.parametrize(
    ("text", "date"),
    [
        # fourteenth round: a postcode with its town among the details, and details after a
        # name without commas when one is a long number
        (
            "R. Dekker, Beukenlaan 4, 7411 AB Deventer, 09-09-1976. Hij handelt in wapens.",
            "09-09-1976",
        ),
        ("Bram Vos 612 345 678 14 mei 1990 - werkt zwart als schilder.", "14 mei 1990"),
        ("Nina Kok 0612345678 3 March 1987, sells counterfeit bags.", "3 March 1987"),
        # a person who "is" a full date, and a bracketed date after a name and a comma
        ("Het gaat om mijn opa, hij is 2 januari 1941.", "2 januari 1941"),
        ("Her son is 14/09/2012. He is kept home from school.", "14/09/2012"),
        ("De vader, Rob Mulder, (05-05-1970), slaat zijn kinderen.", "05-05-1970"),
    ],
)
def test_dates_after_a_town_or_a_spaced_number_are_dates_of_birth(text, date):
    assert (T.DATE_OF_BIRTH, date) in _found(text)


@pytest.mark.parametrize(
    "text",
    [
        # a recent date among details is when something happened; a date after words is not
        # in a list of details
        "Piet Smit, klantnummer 5521, 03-01-2025, belde over de levering.",
        "Karin Bos, die ik ken van vroeger, 12-05-1990 of zo, weet ik niet.",
        # fourteenth round: a recent date after a spaced number is when something happened
        "Joost Wit 0612345678 2 februari 2025 belde hij weer.",
        "De rechtszaak is 14-10-2021.",
        "Hij is 03-02-2025.",
    ],
)
def test_other_dates_after_a_name_are_no_date_of_birth(text):
    assert all(kind is not T.DATE_OF_BIRTH for kind, _ in _found(text))


@pytest.mark.parametrize(
    ("text", "handle"),
    [
        # thirteenth round: lower-case words joined by dots are a username
        ("Ze verkoopt nepparfum via glowqueen.breda aan meiden uit de klas.", "glowqueen.breda"),
        ("The one posting the videos is dani.k.2007, everyone knows.", "dani.k.2007"),
        ("Zijn account heet nu kees.bouwt, daarvoor iets anders.", "kees.bouwt"),
    ],
)
def test_dotted_usernames_are_handles(text, handle):
    assert (T.SOCIAL_HANDLE, handle) in _found(text)


@pytest.mark.parametrize(
    "text",
    [
        # a domain, an e-mail address, abbreviations, a file and a missing space are none
        "Hij bestelde het via bol.com en betaalde o.a. met een cadeaukaart.",
        "Stuur het naar info.klant@example.nl of kijk op example.nl voor de voorwaarden.",
        "Ik heb de foto opgeslagen als bewijs.jpg en daarna ging ik naar huis.daarna belde hij.",
    ],
)
def test_domains_abbreviations_and_run_on_words_are_no_handles(text):
    assert all(kind is not T.SOCIAL_HANDLE for kind, _ in _found(text))


@pytest.mark.parametrize(
    "text",
    [
        # thirteenth round: products, advert codes, account numbers and abbreviations near a
        # platform word are no usernames
        "Op Vinted verkoopt ze iPads die uit een inbraak komen.",
        "De advertentie op Marktplaats heeft nummer a9912345678 en is nep.",
        "Op Facebook staat een nepbank met rekening NL91 ABNA 0417 1643 00 erbij.",
        "Ik betaalde via Tikkie op Marktplaats t.n.v. een zekere Dirk.",
        # after "is", "als", "as" a word the clause goes on from says what someone does
        "The page on Instagram is recruiting drivers for cash jobs.",
        "Hij doet zich op Bumble voor als gescheiden vader met een eigen zaak.",
    ],
)
def test_words_near_a_platform_that_are_no_usernames(text):
    assert all(kind is not T.SOCIAL_HANDLE for kind, _ in _found(text))


@pytest.mark.parametrize(
    ("text", "handle"),
    [
        # a name after "is" that ends the clause or is followed by "and", "lol" stays one
        ("His snapchat is dazzaboy and he sells there.", "dazzaboy"),
        ("her tiktok is just moonlitmeg lol, she posts the fights", "moonlitmeg"),
    ],
)
def test_account_names_after_is_are_still_found(text, handle):
    assert (T.SOCIAL_HANDLE, handle) in _found(text)


@pytest.mark.parametrize(
    ("text", "phone"),
    [
        # thirteenth round: a longer reading in an allocated range wins over a shorter one
        # that is merely possible, so the last group is no BSN
        ("De koppelbaas belt vanaf +40 745 222 618 naar de meiden.", "+40 745 222 618"),
        ("Her cousin answers on +48 512 345 678 most evenings.", "+48 512 345 678"),
    ],
)
def test_international_numbers_are_read_whole(text, phone):
    found = _found(text)
    assert (T.PHONE, phone) in found
    assert all(kind is not T.BSN for kind, _ in found)


@pytest.mark.parametrize(
    ("text", "url"),
    [
        # thirteenth round: a user folder after a section, a freelancer's page, a fundraiser
        (
            "Zijn profiel: https://forum.example.nl/forum/profiel/OomKees58 daar chat hij.",
            "https://forum.example.nl/forum/profiel/OomKees58",
        ),
        (
            "Sprzedawca: https://www.olx.pl/oferty/uzytkownik/9aBcD/ verkoopt rijbewijzen.",
            "https://www.olx.pl/oferty/uzytkownik/9aBcD",
        ),
        ("She sells essays on fiverr.com/essaypro_lena now.", "fiverr.com/essaypro_lena"),
        (
            "Het geld gaat naar gofundme.com/f/help-voor-sam-en-luna maar Sam bestaat niet.",
            "gofundme.com/f/help-voor-sam-en-luna",
        ),
    ],
)
def test_more_profile_pages_are_found(text, url):
    assert (T.PROFILE_URL, url) in _found(text)


def test_a_user_named_by_a_naming_phrase_is_a_handle():
    text = "Op dat forum zit een gebruiker met de naam OomKees58 die kinderen benadert."
    assert (T.SOCIAL_HANDLE, "OomKees58") in _found(text)


@pytest.mark.parametrize(
    ("text", "plate"),
    [
        # thirteenth round: Polish, Lithuanian and Ukrainian plates with a cue
        ("Er staan elke nacht Poolse busjes, onder andere KRA 7731C, voor de deur.", "KRA 7731C"),
        ("They arrive in a minibus GD 88412 (Polish plate) every Monday.", "GD 88412"),
        ("Hij rijdt in een grijze Opel WX 5582A en parkeert op de stoep.", "WX 5582A"),
        ("A Ukrainian-plated car, BC 1234 HK, waits at the school gate.", "BC 1234 HK"),
    ],
)
def test_eastern_european_plates_with_a_cue_are_found(text, plate):
    assert (T.LICENCE_PLATE, plate) in _found(text)


@pytest.mark.parametrize(
    "text",
    # without a cue such a shape is a code
    ["Het pakket met code ABC 12345 is nooit aangekomen.", "Room WB 2041 was double booked."],
)
def test_letter_and_digit_codes_without_a_cue_are_no_plates(text):
    assert all(kind is not T.LICENCE_PLATE for kind, _ in _found(text))


@pytest.mark.parametrize(
    "text",
    [
        # thirteenth round: what a naming word names after a charity, a fund or a salon
        "Ze collecteren voor een goed doel, het goede doel heet Zon voor Iedereen.",
        "The charity is called Bright Futures Abroad and has no registration.",
        "De nagelstudio heet Glamour Nails Deluxe en zit naast de bakker.",
    ],
)
def test_names_of_charities_and_salons_are_no_person(text):
    assert _names(text) == []


def test_a_person_named_after_an_event_is_still_found():
    text = "The man who shouted at the school fundraiser event is called Gareth Moss."
    assert "Gareth Moss" in _names(text)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        # thirteenth round: a name ends at a closing quote
        ("Op de bel staat 'Kevin Smit' maar hij woont er niet.", "Kevin Smit"),
        ("The dealer everyone calls 'Big Kev' op de hoek sells there.", "Big Kev"),
    ],
)
def test_a_name_ends_at_its_closing_quote(text, name):
    assert name in _names(text)


@pytest.mark.parametrize(
    "text",
    [
        # a placeholder name, and a quoted name after a compound ending in "naam"
        "Op het formulier stond 'Jane Doe' als naam, dus verzonnen.",
        "Bedrijfsnaam: 'Kremer Koeriers' staat op de bus.",
        "Het account 'Stem Van Het Volk' op X deelt nepnieuws.",
    ],
)
def test_placeholders_and_quoted_thing_names_are_no_person(text):
    assert _names(text) == []


@pytest.mark.parametrize(
    "text",
    [
        # thirteenth round: streets named after someone, without a house number, and a
        # street ending after "on" or "op" that is also a surname
        "Gisteren was er een vechtpartij in de Willem van Hillegaersbergstraat.",
        "The bakery at their Laan van Nieuw Oost-Indië branch pays cash.",
        "Stolen bikes are kept in a shed on Zuidweg behind the school.",
    ],
)
def test_streets_named_after_people_are_no_person(text):
    assert _names(text) == []


@pytest.mark.parametrize(
    ("text", "name"),
    [
        # "van de" and a street: the person living there
        ("Ik zag Kees van de Dorpsstraat met een kofferbak vol dozen.", "Kees"),
        ("Volgens de buren rijdt Harm Zuidweg zonder rijbewijs.", "Harm Zuidweg"),
    ],
)
def test_people_near_street_words_are_still_found(text, name):
    assert name in _names(text)
