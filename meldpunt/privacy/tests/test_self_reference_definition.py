"""Issue 11 item 7, thirteenth round: self-references as docs/privacy.md defines them.

The written definition has four kinds (relation, place, role or dealings, acted on) and
names what is not one (age alone, possessions, "mijn naam is", seeing or hearing without
a place, the reporter's acts on nobody in the report). These sentences were written for
the tests; none comes from the evaluation set.
"""

import pytest

from meldpunt.privacy.detection import FindingType, find_identifying_details


def _self_references(text: str, language: str) -> list[str]:
    return [
        finding.text
        for finding in find_identifying_details(text, language=language)
        if finding.type == FindingType.SELF_REFERENCE
    ]


@pytest.mark.parametrize(
    ("text", "language", "passage"),
    [
        # a third person, named or not, does something to the reporter
        ("Ze heeft mij vorige maand twee keer uitgescholden.", "nl", "heeft mij"),
        ("Die jongen stuurde me steeds filmpjes via Snapchat.", "nl", "stuurde me"),
        ("De verhuurder verhuurt zolders en heeft mij eruit gegooid.", "nl", "heeft mij"),
        ("He threatened me outside the chip shop.", "en", "threatened me"),
        ("She asked me for my bank details on the phone.", "en", "asked me"),
        ("The man at the door pushed me against the wall.", "en", "pushed me"),
        # told from the reporter's side
        ("Ik werd vorige week gebeld door iemand van de bank.", "nl", "Ik werd vorige week"),
        ("Ik kreeg gisteren een appje van een onbekend nummer.", "nl", "Ik kreeg"),
        ("I was approached by a recruiter at the station.", "en", "I was approached by"),
        ("I've been getting messages from that account for weeks.", "en", "I've been"),
        # through the reporter's name or things
        ("Hij heeft een abonnement op mijn naam afgesloten.", "nl", "op mijn naam"),
        ("Someone opened a credit card in my name.", "en", "in my name"),
        ("The landlord kept my deposit when I left.", "en", "kept my deposit"),
        ("He took mine and never gave it back.", "en", "took mine"),
    ],
)
def test_a_person_acting_on_the_reporter_is_a_self_reference(text, language, passage):
    found = _self_references(text, language)
    assert any(passage in hit or hit in passage for hit in found), found


@pytest.mark.parametrize(
    ("text", "language", "passage"),
    [
        ("Ik heb een brommer van hem gekocht voor 400 euro.", "nl", "van hem gekocht"),
        ("Wij hebben haar vorig jaar geld geleend.", "nl", "haar vorig jaar geld geleend"),
        ("Ik heb vorig jaar voor hem gewerkt als bijrijder.", "nl", "voor hem gewerkt"),
        ("Ik tank daar elke week.", "nl", "Ik tank daar"),
        ("Ik heb er ooit een kat gekocht die ziek bleek.", "nl", "Ik heb er ooit een kat gekocht"),
        ("Ik heb zijn belastingaangifte ingevuld.", "nl", "zijn belastingaangifte ingevuld"),
        ("Ik sport in dezelfde sportschool.", "nl", "Ik sport in dezelfde"),
        ("I bought a phone from him last month.", "en", "from him"),
        ("I lent him 200 pounds in May.", "en", "I lent him"),
        ("I coach his son on Saturdays.", "en", "I coach his son"),
        ("We played rugby together at school.", "en", "together"),
    ],
)
def test_a_dealing_with_a_person_in_the_report_is_a_self_reference(text, language, passage):
    found = _self_references(text, language)
    assert any(passage in hit or hit in passage for hit in found), found


@pytest.mark.parametrize(
    ("text", "language", "passage"),
    [
        ("Mijn vaders huisarts schrijft valse briefjes.", "nl", "Mijn vaders"),
        ("I'm in the flat below and hear it all.", "en", "I'm in the flat below"),
        ("I live in flat 9 of that block.", "en", "I live in flat 9"),
        ("Onze schuren staan naast elkaar.", "nl", "Onze schuren staan naast"),
        ("I've been a member of that gym for years.", "en", "I've been a member"),
        ("Ik ben zelfstandig boekhouder bij een installatiebedrijf.", "nl", "boekhouder"),
        ("Ik ben een passagier op die lijn.", "nl", "Ik ben een passagier"),
        ("Bij het koor waar ik zing gebeurt het.", "nl", "waar ik zing"),
        ("Ik ga naar hetzelfde zwembad.", "nl", "Ik ga naar hetzelfde"),
        ("Vanaf mijn zolder kijk ik zo hun tuin in.", "nl", "mijn zolder"),
        ("From our loft you can see the yard.", "en", "our loft"),
    ],
)
def test_relations_places_and_roles_the_definition_names(text, language, passage):
    found = _self_references(text, language)
    assert any(passage in hit or hit in passage for hit in found), found


@pytest.mark.usefixtures("self_reference_rules_alone")
@pytest.mark.parametrize(
    ("text", "language"),
    [
        # contact requests, imperatives and "it"-clauses: nobody in the report acts
        ("Bel me gerust op dat nummer als er vragen zijn.", "nl"),
        ("U kunt mij bereiken via het formulier.", "nl"),
        ("Neem contact met mij op als het nodig is.", "nl"),
        ("Het lijkt me verstandig dat iemand gaat kijken.", "nl"),
        ("Volgens mij woont hij daar al jaren.", "nl"),
        ("Het is een situatie die mij al weken zorgen baart.", "nl"),
        ("Please call me back on this number.", "en"),
        ("Let me know if you need more.", "en"),
        ("It seems to me that he is lying.", "en"),
        ("If they saw this they would know it was me.", "en"),
        # the reporter's own feelings, reflexives and perceptions
        ("Ik schaam me ervoor dat ik het niet eerder meldde.", "nl"),
        ("Ik zag hem gisteren weer bij de schuur.", "nl"),
        ("Ik heb hem nooit gesproken.", "nl"),
        ("I saw him again near the garage yesterday.", "en"),
        ("I reported him to the council last year.", "en"),
        ("Ik heb hem doorgestuurd naar de bank.", "nl"),
        # acts of the reporter on nobody in the report; a letter the reporter only has
        ("Ik heb de politie gebeld maar die deden niets.", "nl"),
        ("I lost 60 pounds on a fake raffle.", "en"),
        ("Ik heb een brief van de gemeente over de overlast.", "nl"),
        ("Ik kreeg er geen mail van.", "nl"),
        # age, possessions and hearing alone
        ("Ik ben 72 en woon alleen.", "nl"),
        ("Mijn fiets is vorige week gestolen.", "nl"),
        ("Ik heb zelf drie honden.", "nl"),
        ("I can hear him shouting about it.", "en"),
        ("I work nights and saw a van there.", "en"),
        # "hen" inside a word is no object
        ("Ik zag een kamer vol hennepplanten.", "nl"),
    ],
)
def test_what_the_definition_excludes_is_not_reported(text, language):
    assert _self_references(text, language) == []


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Vanmorgen belde Marieke me in paniek op.", "Marieke"),
        ("Dat heeft Sven aan mij verteld.", "Sven"),
    ],
)
def test_an_acted_on_passage_leaves_the_name_before_it_to_the_name_type(text, name):
    """The passage runs from the verb, never over the person's name."""
    findings = find_identifying_details(text, language="nl")
    assert (FindingType.PERSON_NAME, name) in [(f.type, f.text) for f in findings]
    assert FindingType.SELF_REFERENCE in [f.type for f in findings]
