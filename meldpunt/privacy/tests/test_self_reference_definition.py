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


def _assert_found(passage: str, text: str, language: str) -> None:
    """A self-reference overlapping ``passage`` (either holds the other) is reported."""
    found = _self_references(text, language)
    assert any(passage in hit or hit in passage for hit in found), found


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
    _assert_found(passage, text, language)


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
    _assert_found(passage, text, language)


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
    _assert_found(passage, text, language)


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


@pytest.mark.parametrize(
    ("text", "language", "passage"),
    [
        # fourteenth round (batches h13 and h14): the reporter's home by number or floor,
        # behind or beneath the scene, and a home close to the person's
        ("Het gaat om de buurman op 14, ik woon op 16.", "nl", "ik woon op 16"),
        ("Wij wonen op 2e verdieping, zij eronder.", "nl", "Wij wonen op 2e verdieping"),
        ("Ik woon erachter en hoor het elke nacht.", "nl", "Ik woon erachter"),
        ("We wonen allebei op de Kastanjelaan.", "nl", "We wonen allebei op"),
        ("Hij woont niet bij ons maar krijgt hier post.", "nl", "woont niet bij ons"),
        ("I live directly underneath and hear the dogs.", "en", "I live directly underneath"),
        ("The flat below mine is rented out by the night.", "en", "flat below mine"),
        (
            "Kevin Marsh, who lives two doors from me, keeps pit bulls.",
            "en",
            "lives two doors from me",
        ),
        # roles and relations in other shapes
        ("Onze penningmeester boekt het geld naar zichzelf.", "nl", "Onze penningmeester"),
        ("Dit gaat over mijn voormalige werkgever.", "nl", "mijn voormalige werkgever"),
        ("Gary Holt, formerly my accountant, moved the money abroad.", "en", "my accountant"),
        ("Omdat ik zijn mentor ben weet ik dat hij daar slaapt.", "nl", "ik zijn mentor ben"),
        ("Ik was vroeger haar oppas.", "nl", "Ik was vroeger haar oppas"),
        ("Verslag van mijn kant als wijkverpleegkundige: ze krijgt geen eten.", "nl", "als wijk"),
        ("We have a neighbour who breeds puppies in his shed.", "en", "We have a neighbour"),
        ("Wij waren vroeger vrienden.", "nl", "Wij waren vroeger vrienden"),
        ("Hij bedreigt een meisje dat ik ken op school.", "nl", "een meisje dat ik ken"),
        ("I'm in that WhatsApp group and saw the pictures.", "en", "I'm in that WhatsApp group"),
        ("Hallo, ik ben een Engelse student. My landlord houdt de borg.", "nl", "My landlord"),
        # places the reporter stays at, visited or studies at
        ("Op het park waar ik elke zomer sta verkoopt hij pillen.", "nl", "waar ik elke zomer sta"),
        ("Ik was er vorige maand nog voor een verjaardag.", "nl", "Ik was er vorige maand"),
        ("Ik zit daar in 3 vwo en zie het in de pauze.", "nl", "Ik zit daar in 3"),
        # places the reporter runs, works at or passes
        ("Ik beheer de appgroep van onze straat.", "nl", "Ik beheer de appgroep"),
        ("Ik sta er elke dag achter de balie.", "nl", "Ik sta er elke dag achter de balie"),
        ("Ik doe de boekhouding voor zijn zaak.", "nl", "Ik doe de boekhouding"),
        ("Het huis ligt op mijn bezorgroute.", "nl", "mijn bezorgroute"),
        ("I pass it every day on my way to work.", "en", "my way to work"),
        ("A van blocks our drive every night.", "en", "our drive"),
        # dealings: money, goods or a contract between the reporter and the person
        ("Ik heb 300 euro betaald aan de man van de advertentie.", "nl", "Ik heb 300 euro"),
        ("Ik heb een huurcontract met Bas de Wit.", "nl", "Ik heb een huurcontract met"),
        ("I bought a puppy there last spring.", "en", "I bought a puppy there"),
        ("I deliver to 4 Mill Road twice a week.", "en", "I deliver to"),
        ("I rent a paddock next to her farm.", "en", "I rent a paddock next to her"),
        # acted on, told in other shapes
        ("Ik word al weken gestalkt door mijn ex.", "nl", "Ik word al weken gestalkt door"),
        ("Gisteren werd ik aangevallen door twee jongens.", "nl", "werd ik aangevallen door"),
        ("Ik ben door hem opgelicht met een nepauto.", "nl", "Ik ben door hem opgelicht"),
        ("Ik krijg steeds dm's van een nepaccount.", "nl", "Ik krijg steeds dm's van"),
        ("Mijn baas houdt mijn paspoort in zijn kluis.", "nl", "houdt mijn paspoort"),
        ("Hij heeft met mijn DigiD een lening aangevraagd.", "nl", "met mijn DigiD"),
        ("De chef houdt elke week geld in van ons loon.", "nl", "van ons loon"),
        ("Dat is zijn nummer, hij heeft mij gisteren bedreigd.", "nl", "heeft mij"),
        ("Ze heeft ons een zieke pup verkocht.", "nl", "heeft ons"),
        ("+31 6 12345678 belde mij drie keer.", "nl", "belde mij"),
        ("+44 7700 900456 texted me a fake parking fine.", "en", "texted me"),
        ("This man sold me a fake ticket.", "en", "sold me"),
        ("Someone took out a phone contract with my name.", "en", "with my name"),
    ],
)
def test_self_references_of_batches_h13_and_h14(text, language, passage):
    """General shapes found missing in batches h13 and h14 (fourteenth round)."""
    _assert_found(passage, text, language)


@pytest.mark.usefixtures("self_reference_rules_alone")
@pytest.mark.parametrize(
    ("text", "language"),
    [
        # fourteenth round: offices, banks and platforms are no person in the report
        ("De gemeente zei me dat ik het hier moest melden.", "nl"),
        ("The council told me to fill in this form.", "en"),
        ("I got a letter from Barclays about the account.", "en"),
        ("PayPal refunded me after a week.", "en"),
        # a role denied, or someone else's
        ("Ik ben haar huisbaas niet, dat is de eigenaar.", "nl"),
        ("She sells fillers without being a nurse.", "en"),
        # a capital postcode ending is no "mn" (mijn)
        ("Het pand staat op 2671 MN Naaldwijk.", "nl"),
        # a noun phrase or a preposition before "me" is no verb
        ("The real me would never write that.", "en"),
        ("Nothing about me in this message please.", "en"),
        ("No names known to me, only the car.", "en"),
        # seeing with the verb before the subject
        ("Vanaf het balkon zie ik hem elke avond dealen.", "nl"),
    ],
)
def test_what_the_fourteenth_round_no_longer_reports(text, language):
    assert _self_references(text, language) == []


@pytest.mark.parametrize(
    ("text", "language", "passage"),
    [
        # branch selfrules-definition: acted on, as the definition has it, in shapes the
        # older development batches left unlabelled ("us", a name between commas or
        # brackets, the reporter's relation as subject, the reporter's things used)
        ("The man who rented it to us kept the money.", "en", "to us"),
        ("He sold us a car with a fake logbook.", "en", "sold us"),
        ("Een buurjongen, Timo Vos, heeft mij gisteren geslagen.", "nl", "heeft mij"),
        ("One parent, Kerry Lane, shouted at me in the playground.", "en", "at me"),
        ("Mijn ex Daan (geb. 2-2-1990) stuurt me elke nacht berichten.", "nl", "stuurt me"),
        ("My brother told me where the guns are kept.", "en", "told me"),
        ("Mijn collega heeft foto's van mij gedeeld.", "nl", "van mij"),
        ("She keeps posting my address online.", "en", "keeps posting my address"),
        ("Someone made a fake profile of me on Tinder.", "en", "profile of me"),
        ("The caller took £80 from my account.", "en", "took £80 from my account"),
    ],
)
def test_acted_on_shapes_the_older_batches_left_unlabelled(text, language, passage):
    found = _self_references(text, language)
    assert any(passage in hit or hit in passage for hit in found), found


@pytest.mark.usefixtures("self_reference_rules_alone")
@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Mijn adres is Dorpsweg 3, 1234 AB Ergens, bel mij gerust.", "nl"),
        ("Some of us think it is a scam.", "en"),
        ("The US embassy knows about it.", "en"),
        # a possession taken is no self-reference (the definition's `mijn telefoon`)
        ("The boy on the scooter took my phone outside the station.", "en"),
        ("Somebody stole my laptop from the train.", "en"),
    ],
)
def test_requests_and_other_uses_of_us_are_no_acted_on(text, language):
    assert _self_references(text, language) == []
