"""Names of people, from small name lists plus the words around them.

A full Dutch de-identification library (``deduce``) was evaluated and rejected: it
needs over ten seconds to start, grows super-linearly (nine seconds for 10 kB) and
builds its lookup cache inside site-packages on first use. Names here come from three
kinds of evidence, strongest first: a cue before the name ("meneer", "heet", "my
neighbour", "called"), a known first name, and a known surname with a tussenvoegsel
or capitalised word before it.
"""

import bisect
import functools
import re
from collections.abc import Iterator
from importlib import resources

from .findings import FindingType, Hit

# A word: letters, inner apostrophes and hyphens ("O'Brien", "Jan-Willem", "El-Amrani").
NAME_TOKEN = re.compile(r"(?<!\w)[^\W\d_][\w'’\-]{0,40}")
SPACES = re.compile(r"[ \t]{1,3}")
MAX_NAME_WORDS = 5
# Listed non-name phrases ("Van Gogh Museum", "Van Gend & Loos") have at most this many words.
MAX_PHRASE_WORDS = 4
SENTENCE_ENDS = frozenset(".!?:;\n\"'“”(")

PARTICLES = frozenset(
    {"van", "de", "der", "den", "ter", "ten", "te", "het", "in", "op", "el", "al", "von", "da",
     "di", "du", "la", "le", "del", "dos", "bin", "ibn", "'t"}
)  # fmt: skip
# Words after which a capitalised word is a name: forms of address, "called", and the
# relations reporters describe people by.
NAME_CUES = {
    "nl": frozenset(
        {
            "meneer",
            "mevrouw",
            "mevr",
            "dhr",
            "heer",
            "mw",
            "juf",
            "juffrouw",
            "genaamd",
            "heet",
            "heten",
            "ene",
            "alias",
            "bijnaam",
            "broer",
            "zus",
            "zuster",
            "vader",
            "moeder",
            "oom",
            "tante",
            "neef",
            "nicht",
            "opa",
            "oma",
            "vriend",
            "vriendin",
            "vriendje",
            "buurman",
            "buurvrouw",
            "buurjongen",
            "buurmeisje",
            "collega",
            "baas",
            "chef",
            "ex",
            "partner",
            "echtgenoot",
            "echtgenote",
            "vrouw",
            "stiefvader",
            "stiefmoeder",
            "zwager",
            "schoonzus",
            "dochter",
            "zoon",
            "klasgenoot",
            "leraar",
            "lerares",
            "docent",
            "huisbaas",
            "eigenaar",
            "vriendinnetje",
            "familie",
            "fam",
            "meester",
            "agent",
            "wijkagent",
            "dominee",
            "pastoor",
            "imam",
            "dj",
            "mc",
            "mijnheer",
            "jongen",
            "meisje",
            "dealer",
            "leidinggevende",
            "manager",
            "huisgenoot",
            "kamergenoot",
            "noemt",
            "maat",
            "gozer",
            "gast",
            "kerel",
            "vent",
        }
    ),
    "en": frozenset(
        {
            "mr",
            "mrs",
            "ms",
            "miss",
            "dr",
            "called",
            "named",
            "nicknamed",
            "alias",
            "aka",
            "brother",
            "sister",
            "father",
            "mother",
            "dad",
            "mum",
            "mom",
            "uncle",
            "aunt",
            "cousin",
            "coach",
            "officer",
            "sergeant",
            "pastor",
            "imam",
            "dj",
            "mc",
            "aunty",
            "auntie",
            "nan",
            "nana",
            "granny",
            "grandma",
            "grandpa",
            "grandad",
            "granddad",
            "nephew",
            "niece",
            "grandfather",
            "grandmother",
            "friend",
            "boyfriend",
            "girlfriend",
            "neighbour",
            "neighbor",
            "colleague",
            "boss",
            "ex",
            "husband",
            "wife",
            "partner",
            "son",
            "daughter",
            "landlord",
            "landlady",
            "teacher",
            "classmate",
            "flatmate",
            "roommate",
            "owner",
            "manager",
            "stepfather",
            "stepmother",
            "guy",
            "bloke",
            "dealer",
            "supervisor",
            "mate",
            "pal",
            "kid",
            "boy",
            "girl",
            "woman",
            "man",
        }
    ),
}
# "mijn naam is X", "her name is X", "naam: X", "the name X" and "heet hij X" are
# handled by looking one or two words back.
NAME_IS_CUES = frozenset({"naam", "name"})
NAME_VERB_CUES = frozenset({"heet", "heette", "noemt", "noemde"})
PRONOUNS = frozenset({"hij", "zij", "ze", "he", "she"})
# "ze noemen hem X", "they call him X", "noemt zichzelf X", "goes by X".
CALLING_VERBS = frozenset({"noemen", "noemt", "noemde", "noemden", "call", "calls", "called"})
CALLED_OBJECTS = frozenset(
    {"hem", "haar", "zichzelf", "him", "her", "himself", "herself", "them", "me"}
)
# "Dikke Dennis", "Kleine Mo", "Big Tony": nicknames of a word and a name.
NICKNAME_WORDS = frozenset(
    {"Dikke", "Kleine", "Grote", "Lange", "Gekke", "Rooie", "Zwarte", "Slimme", "Stille",
     "Mooie", "Ome", "Big", "Little", "Fat", "Mad", "Crazy", "Skinny", "Lil"}
)  # fmt: skip
# Words after a name that make it a business ("Jansen Transport", "Hendriks Bouw BV",
# "Johnson Cleaning") and words before one ("Autobedrijf Jansen").
COMPANY_WORDS = frozenset(
    {"BV", "B.V.", "NV", "N.V.", "VOF", "Holding", "Transport", "Transporten", "Bouw",
     "Bouwbedrijf", "Installatietechniek", "Installaties", "Techniek", "Groep", "Group",
     "Ltd", "Inc", "Logistiek", "Logistics", "Beheer", "Vastgoed", "Makelaardij",
     "Schoonmaak", "Cleaning", "Services", "Service", "Autos", "Auto's", "Autobedrijf",
     "Bakkerij", "Slagerij", "Kapsalon", "Garage", "Verhuur", "Uitzendbureau", "Recruitment",
     "Motors", "Trading", "Handel", "Import", "Export", "Catering", "Security", "Beveiliging",
     "Consultancy", "Advocaten", "Notarissen", "Accountants", "Media", "Fashion", "Foods",
     # English trades ("Pearson Plumbing", "Marsh Builders", "Dalton Roofing")
     "Plumbing", "Plumbers", "Builders", "Building", "Roofing", "Roofers", "Electrical",
     "Electrics", "Electricians", "Removals", "Scaffolding", "Landscaping", "Landscapes",
     "Carpentry", "Joinery", "Decorating", "Decorators", "Construction", "Haulage", "Couriers",
     "Lettings", "Estates", "Properties", "Homes", "Solicitors", "Tyres", "Glazing", "Paving",
     "Fencing", "Flooring", "Kitchens", "Bathrooms", "Heating", "Gas", "Recovery", "Towing",
     # Dutch trades written apart ("Jansen Verhuizingen", "Bakker Hoveniers")
     "Verhuizingen", "Koeriers", "Loodgieters", "Schilders", "Stukadoors", "Dakdekkers",
     "Hoveniers", "Tuinen", "Installatie", "Elektro", "Keukens", "Badkamers", "Tegels",
     "Bestrating", "Kozijnen", "Reiniging", "Onderhoud", "Montage", "Makelaars", "Taxi"}
)  # fmt: skip
# Dutch business names are compounds ending in a trade ("Transportbedrijf Mulderij",
# "Schilderwerken Dijkhuizen", "Autoservice Brinkman", "Bouwmarkt Hornbach"): such a word
# is no name, and before a name it makes the name a business.
BUSINESS_COMPOUND_ENDINGS = (
    "bedrijf", "bedrijven", "werken", "service", "services", "markt", "handel", "winkel",
    "bureau", "diensten", "centrum", "techniek", "verhuur", "makelaardij", "bouw", "zaak",
)  # fmt: skip


def is_business_compound(word: str) -> bool:
    """ "Klussenbedrijf", "Schilderwerken": a compound (not the bare word) ending in a trade."""
    lowered = word.lower()
    return any(
        lowered.endswith(ending) and len(lowered) > len(ending) + 2
        for ending in BUSINESS_COMPOUND_ENDINGS
    )


# Tussenvoegsels that mark a surname even when the surname is in no list ("van der
# Meulen", "ter Horst"); a single "van" or "de" does so only capitalised mid-sentence
# ("ik zag Van Houten"), because "van Amsterdam" and "de Bijenkorf" are no names.
SURNAME_PARTICLES = frozenset({"van der", "van den", "van 't", "ter", "ten", "vd", "v.d."})
# "J. Jansen", "R.J. van Vliet": initials before a surname.
# "J. R. Calloway" has spaces between initials; "VF-662-B. Wit" is a plate and a word.
INITIALS = re.compile(r"(?<![\w.\-])[A-Z]\.(?: ?[A-Z]\.){0,2}(?= ?[A-Za-z'])")
# "Smith & Nephew", "De Vries & Zonen", "Hendriks B.V.": a business, not a person.
COMPANY_AFTER = re.compile(r" ?& ?| (?:B\.V\.|N\.V\.|BV|NV|VOF)(?!\w)")
COMPANY_BEFORE = re.compile(r"& ?$")
NUMBER_AFTER = re.compile(r" ?[0-9]")
# "an older man. I'm her aunt": a cue does not reach into the next sentence.
SENTENCE_BREAK = re.compile(r"[.!?]")
ABBREVIATED_CUES = frozenset(
    {"mr", "mrs", "ms", "dr", "dhr", "mevr", "mw", "fam", "st", "prof", "ir", "ing", "drs"}
)
ACRONYM = re.compile(r"[A-Z]{2,}s|[A-Z]{2,}-\w+")
ACRONYM_WORD = re.compile(r"[A-Z]{2,5}")
# Adjectives of nationality and language ("Poolse", "Belgische", "Belgian", "English").
ADJECTIVE_ENDINGS = ("se", "sche", "ian", "ese", "ish")
# "ik ben Syrisch", "zelf ook Koerdisch": the predicative Dutch form, for the rules only
# (the model's features keep ADJECTIVE_ENDINGS); "Frisch" is too short to be one.
PREDICATIVE_ADJECTIVE = re.compile(r"(?i)\w{3,}isch")


def is_nationality_adjective(word: str) -> bool:
    """ "Poolse", "Belgian", "Syrisch": an adjective of nationality or language, no name."""
    return (
        word.lower().endswith(ADJECTIVE_ENDINGS)
        or PREDICATIVE_ADJECTIVE.fullmatch(word) is not None
    )


# Brands are written with a capital inside ("LinkedIn", "PlayStation"); "McDonald" is a name.
INNER_CAPITAL = re.compile(r"^(?!Mc|Mac|O'|D')..*[a-z][A-Z]")
# After these an unknown capitalised word is most often a place or a venue ("uit
# Capelle", "at Starbucks"); a known name after them is still found.
PLACE_PREPOSITIONS = frozenset(
    {"uit", "in", "naar", "te", "richting", "via", "from", "to", "at", "near", "into"}
)
# What stands before a listed town named as a place: a place word, an article, a postcode.
PLACE_CONTEXT_BEFORE = re.compile(
    r"(?:\b(?:bij|nabij|rond|omgeving|buiten|uit|in|naar|te|richting|via|near|around|outside|"
    r"from|to|at|of|the|het)|[0-9]{4} ?[A-Z]{2}),? $"
)
# Words after capitalised words that make them a venue, an event or a service ("Notting
# Hill Carnival", "Cafe Hoek", "Mercure Hotel", "Uber Eats", "Radio Veronica").
VENUE_WORDS = frozenset(
    {"Festival", "Fest", "Carnival", "Carnaval", "Parade", "Pride", "Marathon", "Inn", "Hotel",
     "Hostel", "Bar", "Pub", "Lounge", "Club", "Arena", "Stadium", "Stadion", "Island", "Beach",
     "Strand", "Mall", "Plaza", "Centrum", "Casino", "Gym", "Fitness", "Records", "Studios",
     "Radio", "FM", "Live", "Show", "Awards", "Cup", "League", "Pay", "Express", "Eats",
     "Airlines", "Airways", "Mosque", "Moskee", "Academy", "Academie", "Clinic", "Kliniek",
     "Zoo", "Theater", "Theatre", "Cinema", "Bioscoop", "Pizzeria", "Grill", "Snackbar",
     "Coffeeshop", "Barbershop", "Nails", "Beauty", "Wellness", "Tattoo", "Shop", "Store",
     "Supermarkt", "Supermarket", "Toko", "Apotheek", "Pharmacy", "Tours", "Travel", "Reizen",
     # places named after people ("Victoria Station", "Hyde Park", "St Thomas' Hospital")
     "Station", "Airport", "Hospital", "Ziekenhuis", "Park", "Square", "Bridge", "Market",
     "Centre", "Center", "Discount", "Outlet", "Warehouse", "College", "School", "Lyceum",
     "University", "Universiteit", "Goods", "Group"}
)  # fmt: skip
# "Autobedrijf Jansen", "Snackbar Ali", "Hotel Okura", "Eetcafé De Hoek": a business.
NOT_PERSON_BEFORE = COMPANY_WORDS | VENUE_WORDS | {
    "Cafe", "Café", "Eetcafe", "Eetcafé", "Restaurant",
    # "St Mary's", "Sint Jozef", "San Marco": churches, schools and places
    "St", "Sint", "Saint", "San", "Santa",
    # "Vakantiepark De Berg", "Industrieterrein De Hoek" (tenth round)
    "Vakantiepark", "Bungalowpark", "Recreatiepark", "Industrieterrein", "Bedrijventerrein",
    "Knooppunt", "Jachthaven", "Chaletpark",
    # "Salon Yasmina", "Cafetaria 't Hoekje", "VvE Parkzicht", "Woningcorporatie De Linie"
    # (fourteenth round)
    "Salon", "Cafetaria", "VvE", "Woningcorporatie", "Stichting", "Vereniging",
}  # fmt: skip
# "een Instagrampagina", "een Telegramgroep": compounds of an app's name.
PLATFORM_COMPOUNDS = (
    "instagram", "telegram", "whatsapp", "snapchat", "facebook", "tiktok", "marktplaats",
    "discord", "youtube", "linkedin",
)  # fmt: skip
# "Albert Cuypmarkt", "Johan de Wittlaan", "Wilhelminapark": a name before such a word
# is the street, square or park named after someone.
STREETS_NAMED_AFTER_PEOPLE = (
    "straat", "laan", "weg", "plein", "markt", "gracht", "kade", "singel", "dreef", "steeg",
    "park", "plantsoen", "boulevard",
)  # fmt: skip
# Endings of Dutch street names and English street words (also used by places.py).
DUTCH_STREET_SUFFIXES = (
    "straat", "laan", "weg", "plein", "gracht", "kade", "singel", "dijk", "dreef", "hof",
    "pad", "steeg", "markt", "plantsoen", "haven", "burgwal", "wal", "baan", "dam", "ring",
    "boulevard", "allee", "erf", "kamp", "park", "straatje", "pleintje", "hofje", "polder",
    "veld", "kwartier", "hoven", "zijde", "vaart", "wetering", "poort", "dwarsstraat",
    # "Dorpsakker 12", "Rozengaard 4", "Hillevliet 120", "Weteringschans 96", Frisian
    # "Tsjerkestrjitte 8" and "Tsjerkebuorren 15" (thirteenth round)
    "akker", "akkeren", "gaard", "vliet", "schans", "wijk", "strjitte", "buorren",
)  # fmt: skip
ENGLISH_STREET_SUFFIXES = frozenset(
    {
        "Street", "St", "Road", "Rd", "Avenue", "Ave", "Lane", "Drive", "Close", "Way", "Court",
        "Crescent", "Place", "Square", "Terrace", "Gardens", "Grove", "Row", "Mews", "Hill",
        "View", "Rise", "Walk", "Parade", "Vale", "Quay", "Wharf", "Heights",
    }
)  # fmt: skip
# English street words that are no surnames: a word before them names a street.
STREET_WORDS_NO_SURNAME = frozenset(
    {"Street", "Road", "Rd", "Avenue", "Ave", "Drive", "Crescent", "Terrace", "Gardens",
     "Grove", "Mews", "Boulevard", "Square"}
)  # fmt: skip
STREET_PREFIX_WORDS = frozenset({"Laan", "Plein", "Kade", "Singel", "Dreef", "Weg", "Pad"})
# " van de Leidsevaart 300", " op Steenbakkerij 10": a street and a house number after a
# particle; counts and ages after the number are no house numbers.
ADDRESS_AFTER = re.compile(
    r" (?:de |het |den )?((?:[A-Z][\w'’\-]{1,30} ){0,2}[A-Z][\w'’\-]{1,30}) [0-9]{1,5}[a-zA-Z]?"
    r"(?![0-9]|[.,:][0-9])"
    r"(?! ?(?:keer|maal|times|x|euro|jaar|jarige|weken|dagen|maanden|years?|weeks?|days?)\b)"
)
STREET_WORD_ENDINGS = ("laan", "weg", "kade", "dreef", "markt")
# Streets are no people; surnames end in these rarely ("Lange Nieuwstraat", "Oudegracht").
STREET_ENDINGS = ("straat", "gracht", "plein", "steeg", "singel", "plantsoen", "boulevard")
# Cues that are ordinary nouns; capitalised they start a proper noun ("Man United").
GENERIC_CUES = frozenset(
    {"man", "woman", "boy", "girl", "guy", "kid", "bloke", "mate", "pal", "jongen", "meisje",
     "gast", "kerel", "vent", "dealer", "maat", "gozer"}
)  # fmt: skip
# Lower-case prepositions that are also particles: "op de Brink" is a place.
PREPOSITIONS_BEFORE_ARTICLE = frozenset({"op", "in", "te"})
# "give the bag to Gaz", "stuur het naar Sjors": after these, "to"/"naar" leads to a person.
TRANSFER_VERBS = frozenset(
    {"give", "gave", "given", "hand", "handed", "sell", "sold", "send", "sent", "pass",
     "passed", "pay", "paid", "lend", "lent", "owe", "owes", "owed", "talk", "talked", "speak",
     "spoke", "deliver", "delivered", "bring", "brought", "show", "showed", "text", "texted",
     "write", "wrote", "stuur", "stuurt", "stuurde", "gestuurd", "breng", "brengt", "bracht",
     "gebracht", "app", "appt", "appte", "geappt", "belongs", "belong", "belonged", "behoort",
     "hoort", "married", "engaged", "related"}
)  # fmt: skip
TRANSFER_WINDOW = 4
# A lone unknown word that receives or sends something (above the name model's veto).
CUED_LONE_WORD_CONFIDENCE = 0.55
# "heard from Shaz", "gekocht van Sjors": a person is the source.
SOURCE_VERBS = frozenset(
    {"heard", "hear", "hears", "got", "received", "learned", "learnt", "bought", "borrowed",
     "gehoord", "hoorde", "gekregen", "kreeg", "gekocht", "kocht", "geleend", "leende",
     "hoor", "weet", "wist", "begrepen"}
)  # fmt: skip
# After these a capitalised word is a product ("drinking Jägermeister", "rookt Marlboro").
CONSUMING_VERBS = frozenset(
    {"drink", "drinks", "drinking", "drank", "drinkt", "dronk", "drinken", "eat", "eats",
     "eating", "eet", "smoke", "smokes", "smoking", "rookt", "rookte", "roken", "wear", "wears",
     "wearing", "wore", "draagt", "droeg", "dragen", "play", "plays", "playing", "speelt",
     "speelde", "watch", "watches", "watching", "kijkt", "keek", "use", "uses", "using",
     "gebruikt", "snuift", "sniffing", "snorting", "order", "ordered", "bestelt", "bestelde"}
)  # fmt: skip
# Cues after which a listed first name in lower case is a name ("mijn buurman kevin"):
# relations and naming words, not "man", "jongen" or "guy", which precede ordinary words.
LOWER_CASE_NAME_CUES = frozenset(
    {"buurman", "buurvrouw", "broer", "zus", "neef", "nicht", "oom", "tante", "vriend",
     "vriendin", "collega", "baas", "zoon", "dochter", "meneer", "mevrouw", "juf", "heet",
     "genaamd", "ene", "alias", "called", "named", "neighbour", "neighbor", "brother",
     "sister", "uncle", "aunt", "friend", "boyfriend", "girlfriend", "colleague", "boss",
     "son", "daughter", "cousin", "mr", "mrs", "landlord", "ex"}
)  # fmt: skip
# "de zoon van Meijerink": family and neighbours are someone's, employers are not ("de
# baas van Picnic").
RELATIVES = frozenset(
    {"zoon", "dochter", "broer", "zus", "vader", "moeder", "vrouw", "vriend", "vriendin",
     "neef", "nicht", "oom", "tante", "opa", "oma", "zwager", "schoonzus", "schoonzoon",
     "schoondochter", "kinderen", "kind", "ex", "buurman", "buurvrouw", "stiefvader",
     "stiefmoeder", "stiefzoon", "stiefdochter", "vriendje", "vriendinnetje"}
)  # fmt: skip
# "ik heb het van Sjors", "een appje van Sjors": what people pass on or send.
FROM_SOMEONE_BEFORE = frozenset(
    {"het", "dat", "dit", "alles", "iets", "niks", "niets", "veel", "bericht", "berichtje",
     "berichten", "appje", "appjes", "brief", "briefje", "sms", "sms'je", "mail", "mailtje",
     "telefoontje", "foto", "foto's", "filmpje", "filmpjes", "spullen", "sleutel", "sleutels"}
)  # fmt: skip
# "Bonfire Night", "Christmas Eve", "Boxing Day" are holidays.
NOT_PERSON_AFTER = COMPANY_WORDS | VENUE_WORDS | {"Day", "Eve", "Night", "MC", "UMC"}
# Holidays ("Koningsdag", "Hemelvaartsdag", "Oudjaarsavond", "Suikerfeest") are no names.
HOLIDAY_ENDINGS = ("dag", "avond", "feest", "nacht")
# Events and organisations written as one compound ("Damloop", "Bevrijdingspop",
# "Zomercarnaval", "Rijkswaterstaat", "Belastingdienst", "Jeugdzorg") are no names.
COMPOUND_ENDINGS = HOLIDAY_ENDINGS + (
    "loop", "festival", "fest", "pop", "carnaval", "kermis", "braderie", "dienst", "waterstaat",
    "ministerie", "instituut", "vereniging", "stichting", "zorg", "fonds", "partij", "kliniek",
)  # fmt: skip
# Verbs that follow a person as the subject of a tip ("Jorrit brengt", "Gazza takes").
SUBJECT_VERBS = frozenset(
    {"is", "was", "heeft", "had", "verkoopt", "verkocht", "brengt", "bracht", "haalt", "haalde",
     "laat", "liet", "betaalt", "betaalde", "regelt", "regelde", "rijdt", "reed", "woont",
     "werkt", "komt", "kwam", "zit", "zat", "staat", "stond", "loopt", "liep", "doet", "deed",
     "geeft", "gaf", "dealt", "neemt", "nam", "slaat", "sloeg", "bedreigt", "bedreigde", "dwingt",
     "dwong", "houdt", "hield", "kent", "weet", "zegt", "zei", "belt", "belde", "stuurt",
     "stuurde", "gebruikt", "bewaart", "opent", "breekt", "brak", "steelt", "stal", "koopt",
     "kocht", "moet", "wil", "gaat", "ging", "sells", "sold", "takes", "took", "came",
     "comes", "brings", "brought", "keeps", "kept", "lives", "lived", "works", "worked", "drives",
     "drove", "gives", "gave", "told", "tells", "said", "says", "goes", "went", "collects",
     "collected", "pays", "paid", "shouted", "threatened", "threatens", "deals", "runs",
     "ran", "owns", "hits", "beat", "beats", "makes", "made", "uses", "used", "knows", "knew",
     "stores", "hides", "hid", "calls", "sends", "sent", "gets", "got", "picks", "picked",
     "moved", "moves", "leaves", "buys", "bought", "steals", "stole", "has", "hangs", "handed",
     "handles", "forces", "forced", "grabbed", "attacked", "texted", "messaged", "phoned",
     "rang", "appt", "appte", "dreigt", "dreigde"}
)  # fmt: skip
# "wordt Prof genoemd": a nickname before "genoemd"; "Haddou, de oudere broer": a word
# before a relation in apposition.
GENOEMD_AFTER = re.compile(r" (?:genoemd|genaamd|gebeld)\b")
APPOSITION_AFTER = re.compile(
    r", (?:de|het|een|the|a|an|mijn|my|zijn|his|haar|her|onze|our|hun|their)"
    r"(?: [a-z]{2,20})? ([a-z]{2,20})\b"
)
# "Olusegun, who owns the phone shop", "Ikechukwu, born in 1984", "Hussain — that's the
# landlord's surname": a relative clause about a person, a birth or a remark on the name
# ("Brexit — that's the cause" is no name).
PERSON_REMARK_AFTER = re.compile(
    r"(?:, (?:who|whose|born|aged|geboren)\b"
    r"| ?[—–-] (?:that's|that is|dat is)(?: [\w'’]+){1,4}? (?:name|surname|naam|achternaam)\b)"
)
DATE_AFTER_COMMA = re.compile(r", ?\(?[0-9]{1,2}[-/. ]")
# "de man heet ferdi", "a lad called jonno": a rare lower-case word after these is a name.
NAMING_VERBS = frozenset({"heet", "heette", "genaamd", "called", "named", "nicknamed"})
FROM_THE_PLACE_AFTER = re.compile(r" (?:de|het|the) [a-z]{3,20}\b")
# After an imperative that opens a sentence, the next capitalised word is the person
# addressed: "Ask Ffion, she saw it", "Vraag Wieke maar".
IMPERATIVES = frozenset(
    {"Ask", "Tell", "Call", "Text", "Message", "Ring", "Phone", "Vraag", "Bel", "App", "Zeg"}
)  # fmt: skip
# Seventh round (issue 11, item 7), for phrasings of another writer:
# "een witte Mercedes Vito", "Skoda Octavia": the word after a car make is its model.
CAR_MAKES = frozenset(
    {"Mercedes", "Mercedes-Benz", "Skoda", "Škoda", "Seat", "Honda", "Toyota", "Volkswagen", "VW",
     "Audi", "BMW", "Opel", "Ford", "Peugeot", "Renault", "Citroën", "Citroen", "Fiat", "Kia",
     "Hyundai", "Nissan", "Mazda", "Volvo", "Tesla", "Mini", "Suzuki", "Dacia", "Porsche",
     "Lexus", "Jeep", "Mitsubishi", "Subaru", "Vauxhall", "Chevrolet", "Land", "Range", "Cupra",
     "Alfa", "Jaguar", "Ferrari", "Lamborghini", "Maserati", "Smart", "Dodge", "Chrysler"}
)  # fmt: skip
# "Victoria station", "Hollis garden centre": places after a name in lower case.
LOWER_CASE_PLACES_AFTER = frozenset(
    {"station", "airport", "hospital", "ziekenhuis", "stadion", "stadium", "square", "bridge",
     "market", "centre", "center", "mall", "campus", "app", "server", "website", "site",
     "groep", "group", "community", "forum"}
)  # fmt: skip
# "restaurant Da Mario", "camping De Zeven Linden", "café De Gouden Leeuw": a venue named
# in lower case before the name.
LOWER_CASE_VENUES = frozenset(
    {"restaurant", "café", "cafe", "eetcafé", "eetcafe", "camping", "hotel", "bar", "club",
     "snackbar", "pizzeria", "kapsalon", "salon", "winkel", "webshop", "firma", "garage",
     "sportschool", "discotheek", "cafetaria", "shoarmazaak", "toko", "restaurantje", "hostel",
     "pub", "bakkerij", "supermarkt", "nagelstudio",
     # "bij de halte Vredenburg", "in de wijk Kanaleneiland": places named after the noun
     "halte", "bushalte", "tramhalte", "metrostation", "station", "wijk", "buurt", "dorp",
     "gemeente", "winkelcentrum", "village", "estate",
     # holiday parks, business parks and motorway junctions (tenth round)
     "vakantiepark", "vakantiehuisje", "vakantiehuis", "bungalowpark", "recreatiepark",
     "industrieterrein", "bedrijventerrein", "knooppunt", "jachthaven", "chaletpark",
     # shops, nurseries, homes and pools named after the noun (twelfth round)
     "coffeeshop", "kwekerij", "boomkwekerij", "kraam", "zwembad", "complex", "verzorgingshuis",
     "verpleeghuis", "hotelletje", "pension"}
)  # fmt: skip
# "basisschool De Regenboog", "tennisclub De Kei", "seniorencomplex De Linde": a lower-case
# compound ending in these names a school, club or home before its name (twelfth round).
LOWER_CASE_VENUE_ENDINGS = ("school", "club", "vereniging", "complex", "shop")
# How such a venue's name opens ("De Regenboog", "Het Baken", "Van Gend", "LTV De Kei").
VENUE_NAME_OPENINGS = frozenset({"De", "Het", "'t", "Van"})
# "a webshop called Bargain Bikes", "een groepje met de naam 'Eerlijke Verkiezingen'", "a
# boat in the harbour called Mary Rose": what is named is a thing, not a person.
NAMED_THINGS = frozenset(
    {"webshop", "shop", "store", "company", "firm", "agency", "business", "group", "groep",
     "groepje", "groepsapp", "band", "boat", "boot", "ship", "schip", "club", "restaurant", "bar",
     "café", "cafe", "app", "website", "site", "kanaal", "channel", "page", "pagina", "bedrijf",
     "bedrijfje", "firma", "stichting", "organisatie", "organisation", "organization",
     "chat", "server", "brand", "merk", "label", "product", "dog", "hond", "horse", "paard",
     # "de sportschool heet …", "the pool is called …", "kraam heet …" (twelfth round)
     "sportschool", "school", "kraam", "zaak", "winkel", "pool", "zwembad", "hotel", "camping",
     "coffeeshop", "salon", "lounge",
     # "het goede doel heet …", "the fund is called …" (thirteenth round; not an event,
     # whose people are named after it: "the man at the consulate event is called …")
     "doel", "charity", "foundation", "fonds", "fund", "campagne", "campaign", "studio",
     "nagelstudio", "kapsalon", "garage", "bakkerij", "bakery", "pub"}
)  # fmt: skip
NAMED_THING_WINDOW = 5
THING_ARTICLES = frozenset(
    {"de", "het", "the", "a", "een", "his", "her", "zijn", "haar", "my", "mijn", "our", "onze"}
)
# "real name Bram", "echte naam Kees": such a naming word names a person, never a thing.
PERSON_NAMING_ADJECTIVES = frozenset({"real", "echte", "full", "volledige", "legal"})
# Words that name a thing when a cue names it ("called", "genaamd", "met de naam").
THING_NAMING_CUES = frozenset({"called", "named", "genaamd", "naam", "name", "heet", "heten"})
# "Mark said he'd burn it", "Mo en Ilias verkopen", "Jo from the post office said": a first
# name that is also a word opens a sentence as a person before these.
AMBIGUOUS_NAME_VERBS = frozenset(
    {"said", "says", "told", "tells", "zei", "zegt", "vertelde", "verkoopt", "verkocht", "sells",
     "sold", "dealt", "deals", "threatened", "threatens", "bedreigt", "bedreigde", "dreigt",
     "dreigde", "sloeg", "slaat", "hits", "texted", "messaged", "phoned", "appte", "belde",
     "stole", "steals", "steelt", "stal", "shouted", "attacked", "grabbed", "forced", "dwingt",
     "dwong", "runs", "runt", "woont", "lives", "werkt", "works"}
)  # fmt: skip
# "T-Bone (real name Terrence Boateng)": a nickname before its owner's real name.
REAL_NAME_AFTER = re.compile(r" ?\((?i:real name|echte naam|aka|a\.k\.a\.|alias)\b")
# "Dear Sir/Madam," and "Geachte heer/mevrouw,": a salutation, not a cue for what follows.
SALUTATIONS = frozenset({"geachte", "beste", "dear", "hallo", "hello", "hi", "hoi"})


# Two or more capitalised words in a row that are in no list are taken as a name
# ("Sietse Wolthuis"), unless the passage is written in title case.
TITLE_CASE_WINDOW = 3
# First names that are also everyday words; alone they are not evidence of a name.
AMBIGUOUS_FIRST_NAMES = frozenset(
    {"Mark", "Frank", "Rose", "Roos", "Ben", "Bill", "Grace", "Said", "Can", "Ed", "Co", "Jo",
     "Mo", "Lee", "Dean", "Floor", "Max", "Jay", "Ken", "Job", "Iris", "Amber", "Hope", "Sky",
     "Bob", "Will", "Guy", "Ad", "Jean", "Ann", "Hind", "Kim", "Ted", "Daisy", "Jade", "Ruby",
     "Sterre", "Lieve", "Joy", "Bo", "Rich", "Sunny", "Tim"}
)  # fmt: skip
# Surnames that are also everyday words or places ("Brand", "Post", "Koning", "Green"), and
# English ones, because English capitalises so much more: these need a first name or a
# tussenvoegsel. Other surnames may stand alone ("Ik denk dat Jansen dealt").
AMBIGUOUS_SURNAMES = frozenset(
    {"Brand", "Post", "Prins", "Koning", "Groen", "Wit", "Zwart", "Bos", "Dam", "Laan", "Berg",
     "Meer", "Hoek", "Wood", "Green", "White", "Young", "Brown", "Hall", "Lee", "Roos", "Vos",
     "Kok", "Wal", "Veen", "Brink", "Blok", "Maas", "Rijn", "Dijk", "Scott", "Martin", "Thomas",
     "Turner", "Morris", "Baker", "Carter", "Cooper", "Campbell", "Stevens", "Peters", "Evans",
     "Jacobs", "Richards", "Allen", "Bosch", "Beek", "Bruin", "Haan", "Graaf",
     "Groot", "Jong", "Vries", "Linden", "Heijden", "Leeuwen", "Vliet", "Wijk", "Meijer",
     "Meyer", "Fischer", "Smith", "Taylor", "Wright", "Walker", "Lewis", "Harris", "Clark",
     "Jackson", "Moore", "Wilson", "Patel", "Singh", "Kumar", "Nguyen", "Hughes", "Murphy",
     "Davis", "Adams", "Johnson", "Jones", "Williams", "Anderson", "Thompson", "Robinson",
     "Roberts", "Edwards", "Davies", "Bennett", "Hartman", "Hofman"}
)  # fmt: skip
# Capitalised words that start sentences or titles and are never names.
FUNCTION_WORDS = frozenset(
    {"De", "Het", "Een", "Ik", "Jij", "Je", "Hij", "Zij", "Ze", "Wij", "We", "Jullie",
     "Die", "Dat", "Dit", "Deze", "Er", "Daar", "Hier", "Toen", "Nu", "En", "Of", "Maar", "Want",
     "Als", "Omdat", "Ook", "Gisteren", "Vandaag", "Morgen", "Vorige", "Vorig", "Elke", "Iedere",
     "In", "Op", "Aan", "Bij", "Naar", "Met", "Van", "Voor", "Na", "Over", "Onder", "Sinds",
     "Mijn", "Zijn", "Haar", "Hun", "Onze", "Ons", "Wat", "Wie", "Waar", "Wanneer", "Hoe",
     "Meneer", "Mevrouw", "The", "A", "An", "I", "He", "She", "They", "It", "This", "That",
     "These", "Those", "There", "Here", "Then", "Now", "And", "Or", "But", "Because", "If",
     "When", "Yesterday", "Today", "Tomorrow", "Last", "Every", "At", "On", "To", "From", "With",
     "My", "His", "Her", "Their", "Our", "What", "Who", "Where", "How", "Mr", "Mrs", "Ms", "Dr",
     "Please", "Graag", "Dus", "Verder", "Also", "Hallo", "Hello", "Hi", "Beste", "Dear",
     "Sorry", "Niet", "Not", "No", "Nee", "Ja", "Yes", "Zo", "So", "Alle", "All", "Iemand",
     "Someone", "Somebody", "Niemand", "Nobody", "Alleen", "Only", "Misschien", "Maybe",
     "Perhaps", "Volgens", "According", "Sindsdien", "Since", "After", "Before", "During",
     "Tijdens", "Later", "Eerst", "First", "Both", "Beide", "Iedereen", "Everyone",
     "Alles", "Niets", "Iets", "Veel", "Weinig", "Soms", "Vaak", "Altijd", "Nooit", "Meestal",
     "Daarna", "Dan", "Ineens", "Opeens", "Everything", "Nothing", "Something", "Everybody",
     "Anybody", "Anyone", "Sometimes", "Often", "Usually", "Never", "Always",
     "Suddenly", "Politie", "Police", "Geld", "Money", "Mensen", "People", "Men", "Mannen",
     "Vrouwen", "Women", "Kinderen", "Children", "Kids", "Elk", "Each", "Some",
     "Sommige", "Many", "Most", "Meeste", "Which", "Welke",
     # people by their part in a tip and words that open a letter ("Caller said", "Meer
     # weet ik niet", "Hierbij meld ik")
     "Meer", "More", "Hierbij", "Betreft", "Caller", "Driver", "Seller", "Buyer", "Victim",
     "Suspect", "Witness", "Worker", "Beller", "Verkoper", "Koper", "Slachtoffer", "Verdachte",
     "Getuige", "Bestuurder", "Beheerder", "Klant", "Customer", "Staff", "Personeel",
     # titles written short, like "Mr" ("calls himself Col. James Hartley")
     "Col", "Capt", "Sgt", "Lt", "Gen", "Maj", "Insp", "Rev", "Ing", "Drs", "One", "Kentekens",
     "Plates"}
)  # fmt: skip


# A line of a forwarded chat: "Marja: heeft iemand die bus gezien?", "jaylen.x: who got it"
CHAT_LINE = re.compile(r"^[ \t]*(\w[\w.\-]{0,30}):[ \t]+\S", re.MULTILINE)
# Words that open lines with a colon in e-mail headers, forms and notes, and speakers by
# their role or pronoun ("Me: …", "Buurvrouw: …").
CHAT_LABELS = frozenset(
    {"from", "to", "cc", "bcc", "subject", "date", "sent", "re", "fw", "fwd", "van", "aan",
     "onderwerp", "datum", "verzonden", "naam", "name", "adres", "address", "tel", "telefoon",
     "phone", "mobile", "mobiel", "email", "e-mail", "mail", "bsn", "iban", "kenteken", "plate",
     "geboren", "dob", "note", "nb", "ps", "update", "edit", "tijd", "time", "plaats", "place",
     "locatie", "location", "link", "url", "website", "insta", "snap", "ig", "me", "ik", "mij",
     "i", "him", "her", "hij", "zij", "ze", "you", "jij", "u", "wij", "we", "mama", "mam", "mum",
     "mom", "dad", "papa", "pap", "vraag", "antwoord", "question", "answer", "bericht",
     "message", "tekst", "text", "status", "reden", "reason", "bedrag", "amount"}
)  # fmt: skip


def chat_speakers(text: str) -> list[tuple[int, int]]:
    """Speakers of a chat pasted into the text: the words opening lines with a colon, when
    at least one of them opens two lines (a form or e-mail header has each label once)."""
    lines = [
        match for match in CHAT_LINE.finditer(text) if match.group(1).lower() not in CHAT_LABELS
    ]
    speakers = [match.group(1) for match in lines]
    if not any(speakers.count(speaker) > 1 for speaker in speakers):
        return []
    return [(match.start(1), match.end(1)) for match in lines]


def looks_like_username(word: str) -> bool:
    """ "K1ng_Zay", "jaylen.x", "nomad.cash.eu": digits, underscores or inner dots."""
    return any(character.isdigit() or character == "_" for character in word) or (
        "." in word.strip(".")
    )


def read_list(name: str) -> frozenset[str]:
    """A word list shipped in ``meldpunt/privacy/data``, without comments and blank lines."""
    lines = resources.files("meldpunt.privacy").joinpath("data", name).read_text("utf-8")
    return frozenset(
        line.strip() for line in lines.splitlines() if line.strip() and not line.startswith("#")
    )


@functools.cache
def _lists() -> tuple[frozenset[str], frozenset[str], frozenset[str], frozenset[str]]:
    """First names, surnames, single-word non-names and two-word non-name phrases.

    The hand-compiled lists are joined by larger public ones (``public_*.txt``, made by
    scripts/privacy_name_lists.py), which know names such as "Jurre" or "Reilly".
    """
    not_names = read_list("not_names.txt")
    return (
        read_list("first_names.txt") | read_list("public_first_names.txt"),
        read_list("surnames.txt") | read_list("public_surnames.txt"),
        frozenset(item for item in not_names if " " not in item) | FUNCTION_WORDS,
        frozenset(item for item in not_names | read_list("places.txt") if " " in item),
    )


@functools.cache
def place_names() -> frozenset[str]:
    """Towns and cities of one word (``places.txt``, from GeoNames by
    scripts/privacy_place_names.py): no name, unless a name stands before them."""
    return frozenset(item for item in read_list("places.txt") if " " not in item)


@functools.cache
def common_words() -> frozenset[str]:
    """Frequent lower-case Dutch and English words (``common_words.txt``, from wordfreq).

    Only the weakest rules use it: a capitalised word that is in no name list and is an
    everyday word ("Love Island", "watching Match of the Day") is a title or a brand
    far more often than a person.
    """
    return read_list("common_words.txt")


def is_common_word(word: str) -> bool:
    """Whether ``word`` in lower case is a frequent Dutch or English word."""
    return word.lower() in common_words()


def not_name_words() -> frozenset[str]:
    """Single capitalised words that are places, brands, days, months or holidays."""
    return _lists()[2]


def is_known_first_name(word: str) -> bool:
    """Whether ``word`` is a listed first name that is not also an everyday word."""
    return word not in AMBIGUOUS_FIRST_NAMES and word in _lists()[0]


@functools.cache
def lower_case_name_lists() -> tuple[frozenset[str], frozenset[str]]:
    """First names (not the ambiguous ones) and surnames, in lower case."""
    first_names, surnames, _, _ = _lists()
    return (
        frozenset(name.lower() for name in first_names if name not in AMBIGUOUS_FIRST_NAMES),
        frozenset(name.lower() for name in surnames),
    )


@functools.cache
def _lower_case_hand_listed_first_names() -> frozenset[str]:
    """``first_names.txt`` in lower case, without first names that are everyday words."""
    return frozenset(
        name.lower() for name in read_list("first_names.txt") if name not in AMBIGUOUS_FIRST_NAMES
    )


@functools.cache
def _cue_ending(cues: frozenset[str]) -> re.Pattern:
    """A pattern for a cue of five letters or more at the end of a word ("filiaalmanager")."""
    return re.compile("(?:" + "|".join(sorted(c for c in cues if len(c) >= 5)) + ")$")


def without_possessive(word: str) -> str:
    """The word without an English possessive ("Kevin's" -> "Kevin")."""
    return word[:-2] if word.endswith(("'s", "’s")) else word


def _is_capitalised(word: str) -> bool:
    return word[0].isupper() and (len(word) == 1 or not word[1:].isupper() or len(word) <= 2)


class NameScanner:
    """One pass over the words of a text; see ``find_person_names``."""

    def __init__(self, text: str, language: str | None) -> None:
        self.text = text
        self.words = list(NAME_TOKEN.finditer(text))
        self.starts = [word.start() for word in self.words]
        self.first_names, self.surnames, self.not_names, self.not_name_phrases = _lists()
        self.places = place_names()
        languages = [language] if language in NAME_CUES else list(NAME_CUES)
        self.cues = frozenset().union(*(NAME_CUES[code] for code in languages))
        self.job_title_ending = _cue_ending(self.cues)
        self.name_words: dict[int, bool] = {}
        self.blocked = self._not_name_phrase_words()
        long_words = [word.group() for word in self.words if len(word.group()) > 1]
        # A text in capitals gives no evidence by capitals; one without a capital at the
        # start of any sentence gives none by lower case.
        self.shouted = len(long_words) > 3 and 2 * sum(w.isupper() for w in long_words) > len(
            long_words
        )
        openers = [
            self.words[index].group()[0].isupper()
            for index in range(len(self.words))
            if self._is_sentence_start(index)
        ]
        # "hey het gaat om dimitri, ... Snap: dimi.nw": most sentences start in lower case
        self.lower_case = bool(openers) and not openers[0] and 2 * sum(openers) < len(openers)

    def _not_name_phrase_words(self) -> set[int]:
        """Words of listed phrases of two to four words ("Albert Heijn", "Van der Valk")."""
        blocked = set()
        for index in range(len(self.words) - 1):
            phrase = self.words[index].group()
            for last in range(index + 1, min(index + MAX_PHRASE_WORDS, len(self.words))):
                if not self._adjacent_or_ampersand(last - 1, last):
                    break
                # "Albert Heijn-filiaal" is still the shop
                joiner = " & " if "&" in self._between(last - 1, last) else " "
                phrase += joiner + self.words[last].group().split("-")[0]
                if phrase.rstrip("'’") in self.not_name_phrases:  # "'John Doe'"
                    blocked.update(range(index, last + 1))
        return blocked

    def _between(self, left: int, right: int) -> str:
        return self.text[self.words[left].end() : self.words[right].start()]

    def _adjacent_or_ampersand(self, left: int, right: int) -> bool:
        return self._adjacent(left, right) or self._between(left, right).strip() == "&"

    def _adjacent(self, left: int, right: int) -> bool:
        return bool(SPACES.fullmatch(self.text, self.words[left].end(), self.words[right].start()))

    def _word(self, index: int) -> str:
        """The word without a possessive or a closing quote ("'Uncle Jay'", "'Nederland
        Waakt' op X": a name ends at the quote, thirteenth round)."""
        return without_possessive(self.words[index].group()).rstrip("'’")

    def _is_sentence_start(self, index: int) -> bool:
        start = self.words[index].start()
        window_start = max(0, start - 4)
        before = self.text[window_start:start].rstrip(" \t")
        if not before:
            return window_start == 0  # only spaces since the start of the text
        return before[-1] in SENTENCE_ENDS

    def _is_first_name(self, word: str) -> bool:
        return word in self.first_names or word.split("-")[0] in self.first_names

    def _is_surname(self, word: str) -> bool:
        return word in self.surnames or word.split("-")[-1] in self.surnames

    def _is_name_word(self, index: int) -> bool:
        """Whether the word at ``index`` may be part of a name (asked many times per word,
        so the answer is kept)."""
        known = self.name_words.get(index)
        if known is None:
            known = self.name_words[index] = self._may_be_name(index)
        return known

    def _may_be_name(self, index: int) -> bool:
        word = self._word(index)
        return (
            _is_capitalised(word)
            # "McDonald's" is listed as a restaurant; "McDonald" stays a surname
            and self.words[index].group() not in self.not_names
            and not any(character.isdigit() for character in word)  # "Kees1975" is a username
            and "_" not in word  # "Daantje_Dood" too (fourteenth round)
            and word not in self.not_names
            and index not in self.blocked
            and word.lower() not in self.cues
            and not word.lower().endswith(COMPOUND_ENDINGS)
            and not word.lower().endswith(STREET_ENDINGS)  # "Lange Nieuwstraat"
            and word not in {"Day", "Night"}
            and word not in COMPANY_WORDS
            and word not in VENUE_WORDS
            and not is_business_compound(word)
            and not ACRONYM.fullmatch(word)  # "VINs", "QR-code", "SIM-kaart"
            # "de BSN's van", "the DVLA's letter": an acronym's plural or possessive
            and not (word != self.words[index].group() and ACRONYM_WORD.fullmatch(word))
            and not (len(word) == 2 and word.isupper())  # "HH LK 902", "IK"
            and not word.lower().startswith(PLATFORM_COMPOUNDS)  # "Instagrampagina"
            and word.split("-")[0] not in self.not_names  # "German-plated"
            and not self._is_place(index)
            # "Lindelaan 88": a street, unless the word is a listed surname ("Verlaan") not
            # after "on" or "op" ("the car wash on Zuidweg", thirteenth round)
            and (
                not word.lower().endswith(STREET_WORD_ENDINGS)
                or (self._is_surname(word) and not self._follows_street_preposition(index))
            )
            and not self._is_job_title(word)  # "Filiaalmanager weet het"
            and not self._is_before_street_word(index)
            and not self._opens_street_name(index)
        )

    def _follows_street_preposition(self, index: int) -> bool:
        return (
            index > 0
            and self._adjacent(index - 1, index)
            and self.words[index - 1].group() in {"on", "op", "along", "langs", "off"}
        )

    def _opens_street_name(self, index: int) -> bool:
        """ "Laan van Meerdervoort", "Plein van de Verenigde Naties": a street word and
        "van" or "der" open a street's name (thirteenth round)."""
        return (
            self.words[index].group() in STREET_PREFIX_WORDS
            and index + 1 < len(self.words)
            and self._adjacent(index, index + 1)
            and self.words[index + 1].group() in {"van", "der", "naar"}
        )

    def _is_before_street_word(self, index: int) -> bool:
        """ "on Harlow Road", "Sutton Avenue", "somewhere on Elm Grove": a word before an
        English street word is the street's name (thirteenth round). Street words that are
        also surnames ("Hill", "Lane", "Way") count only after a place word."""
        following = index + 1
        if following >= len(self.words) or not self._adjacent(index, following):
            return False
        street_word = self.words[following].group()
        if street_word in STREET_WORDS_NO_SURNAME:
            return True
        if street_word not in ENGLISH_STREET_SUFFIXES or index == 0:
            return False
        before = self.words[index - 1].group()
        if _is_capitalised(before) and self._adjacent(index - 1, index):  # "on Elm Grove"
            before = self.words[index - 2].group() if index > 1 else ""
        return before in {"on", "in", "at", "near", "off", "along", "from", "down", "up"}

    def chat_speaker_names(self) -> Iterator[Hit]:
        """ "Marja: heeft iemand … Ton: ja … Marja: …": the speakers of a pasted chat are
        people (usernames among them are handles, found in contact.py)."""
        for start, end in chat_speakers(self.text):
            word = self.text[start:end]
            if (
                not looks_like_username(word)
                and word[0].isupper()
                and word not in self.not_names
                and word not in FUNCTION_WORDS
            ):
                yield Hit(FindingType.PERSON_NAME, start, end, 0.7)

    def _is_place(self, index: int) -> bool:
        """ "bij Ommen", "in Heerenveen where", "8442 BE Heerenveen", "at the Moerdijk
        terminal": a listed town after a place word, an article or a postcode is no name;
        elsewhere it may be a surname ("kwam Stein met", "Van Dongen", "Mrs Achterberg")."""
        if index == 0 or self._word(index) not in self.places:
            return False
        before = self.text[max(0, self.words[index].start() - 12) : self.words[index].start()]
        return PLACE_CONTEXT_BEFORE.search(before) is not None

    def _is_job_title(self, word: str) -> bool:
        """ "Filiaalmanager", "Bedrijfsleider"? A compound ending in a cue of five letters
        or more ("manager", "eigenaar", "collega") names a job; listed surnames that
        end so ("Hofmeester") stay names."""
        ending = self.job_title_ending.search(word.lower())
        return ending is not None and ending.start() >= 3 and not self._is_surname(word)

    def _is_particle(self, index: int) -> bool:
        return self._word(index).lower() in PARTICLES and index not in self.blocked

    def _is_cue(self, index: int) -> bool:
        if index < 0:
            return False
        word = self.words[index].group().lower()
        if word in self.cues:
            if self._is_salutation(index):
                return False
            # "a Man United shirt": a generic noun is a cue only in lower case
            return word not in GENERIC_CUES or self.words[index].group().islower()
        # "naam is Kevin", "name is Kevin", "naam: Kevin"
        if word == "is" and index > 0:
            return self.words[index - 1].group().lower() in NAME_IS_CUES
        # "heet hij Gino", "is she called"
        if word in PRONOUNS and index > 0:
            return self.words[index - 1].group().lower() in NAME_VERB_CUES
        # "ze noemen hem Sjonnie", "they call him Skinny"
        if word in CALLED_OBJECTS and index > 0:
            return self.words[index - 1].group().lower() in CALLING_VERBS
        # "the one they call Spider", "die ze Bolle noemen" is handled by the verb after
        if word in CALLING_VERBS and index > 0:
            return self.words[index - 1].group().lower() in {"they", "ze", "people", "we"}
        # "known as Ziggy", "bekend als Skip", "goes by Tez"
        if word in {"as", "als", "by"} and index > 0:
            return (word, self.words[index - 1].group().lower()) in {
                ("as", "known"),
                ("als", "bekend"),
                ("by", "goes"),
                ("by", "went"),
            }
        # "volgens mij is het Teuntje die ...": "het" here points at a person
        if word == "het" and index > 0:
            return self.words[index - 1].group().lower() in {"is", "was"}
        # "Name's Daisy": "name is" written short
        return word in NAME_IS_CUES or word in {"name's", "name’s"}

    def _is_sentence_between(self, cue: int, name: int) -> bool:
        """ "an older man. I'm her aunt": a full stop after a cue ends its sentence, unless
        the cue is written short ("Mrs. Patel", "dhr. Aliyev", "fam. Özdemir")."""
        return (
            SENTENCE_BREAK.search(self._between(cue, name)) is not None
            and self.words[cue].group().lower() not in ABBREVIATED_CUES
        )

    def _is_salutation(self, index: int) -> bool:
        """ "Geachte heer/mevrouw, Hierbij ...": a cue that ends a salutation."""
        if not self.text.startswith(",", self.words[index].end()):
            return False
        return any(
            self.words[before].group().lower() in SALUTATIONS
            for before in range(max(0, index - 3), index)
        )

    def _is_thing_name(self, first: int) -> bool:
        """Whether the passage from word ``first`` on is what a cue names after a thing
        ("de sportschool heet Iron Temple", "met de naam 'Eerlijke Verkiezingen'")."""
        cue = first - 1
        if cue >= 0 and self.words[cue].group() in {"de", "het", "the"} and cue > 0:
            cue -= 1  # "met de naam 'Eerlijke Verkiezingen'"
        return self._is_cue(cue) and self._names_a_thing(cue)

    def names_a_thing_at(self, start: int) -> bool:
        """``_is_thing_name`` for a passage starting at ``start``, for the name model: a
        name it finds there is the thing's (twelfth round)."""
        index = bisect.bisect_left(self.starts, start)
        return index < len(self.words) and self._is_thing_name(index)

    def _names_a_thing(self, cue: int) -> bool:
        """ "a webshop called Bargain Bikes": the cue names a thing mentioned just before."""
        if self.words[cue].group().lower() == "is" and cue > 0:
            cue -= 1  # "the company name is Nexa"
        if self.words[cue].group().lower() not in THING_NAMING_CUES or (
            cue > 0 and self.words[cue - 1].group().lower() in PERSON_NAMING_ADJECTIVES
        ):
            return False
        for before in range(max(0, cue - NAMED_THING_WINDOW), cue):
            if self.words[before].group().lower() not in NAMED_THINGS:
                continue
            # "a hotel in town. A man named Valentin", "the agency boss is a man called
            # Viktor": the cue names someone after the thing (twelfth round)
            if any(
                self.words[word].group().lower() in GENERIC_CUES for word in range(before + 1, cue)
            ):
                continue
            # "De leider van de groep heet Mo", "de man met de hond heet Ferry": the
            # thing only describes the person named
            article = before >= 2 and self.words[before - 1].group() in THING_ARTICLES
            modifier = before - 2 if article else before - 1
            # "a kid at my school named Nathan": nor does a place the person is at
            if modifier < 0 or self.words[modifier].group().lower() not in {
                "van",
                "of",
                "met",
                "with",
                "at",
                "bij",
            }:
                return True
        return False

    def names(self) -> Iterator[Hit]:
        index = 0
        count = len(self.words)
        while index < count:
            if not (self._is_name_word(index) or self._is_particle(index)):
                index += 1
                continue
            last = index
            while (
                last + 1 < count
                and last - index < MAX_NAME_WORDS
                and self.words[last].group() == self._word(last)  # a possessive ends a name
                and self._adjacent(last, last + 1)
                and (self._is_name_word(last + 1) or self._is_particle(last + 1))
            ):
                last += 1
            last = self._before_an_address(index, last)
            while last >= index and not self._is_name_word(last):
                last -= 1  # a name ends in a capitalised word, not in "van" or "de"
            if last >= index:
                hit = self._judge(index, last)
                if hit is not None:
                    yield hit
                index = last + 1
            else:
                index += 1

    def _before_an_address(self, first: int, last: int) -> int:
        """The last word of a run of name words that stops before an address in it:
        "Maaike Hoogendoorn van de Leidsevaart 300", "Danielle op Steenbakkerij 10", "Joke
        van der Linden van Oude Dijk 3" (thirteenth round). After "op" or "aan" any
        capitalised words and a house number are a street; after "van" only a street word
        makes them one ("Laura van Leeuwen 3 keer" stays whole)."""
        for index in range(first + 1, last + 1):
            word = self.words[index].group()
            if word not in {"van", "op", "aan"}:
                continue
            street = ADDRESS_AFTER.match(self.text, self.words[index].end())
            if street is None:
                continue
            street_words = street.group(1).split()
            if word != "van" or street_words[-1].lower().endswith(DUTCH_STREET_SUFFIXES):
                return index - 1
        return last

    def _judge(self, first: int, last: int) -> Hit | None:
        """Decide whether words ``first..last`` (or a tail of them) are a person's name."""
        span_end = self.words[last].start() + len(self._word(last))
        if first < last and self._word(first) == "het" and self._is_cue(first):
            first += 1  # "is het Teuntje die": a cue, not a particle
        if first < last and self._word(first) in IMPERATIVES and self._is_sentence_start(first):
            first += 1  # "Ask Ffion, she saw it": the verb is no part of the name
        first_name_word = next(i for i in range(first, last + 1) if self._is_name_word(i))
        if first > 0 and self._adjacent(first - 1, first):
            if self.words[first - 1].group() in CAR_MAKES:
                return None  # "een witte Mercedes Vito": a model
        if self._is_thing_name(first):
            return None
        # "ze noemen hem de Kapper", "noemt zichzelf de Turk": a nickname with its article
        if (
            first < last
            and self._word(first) in {"de", "het", "the"}
            and first_name_word == first + 1
            and self._is_cue(first - 1)
            and self.words[first - 1].group().lower() in CALLED_OBJECTS
        ):
            return self._hit(first, span_end, 0.9)
        if (
            self._is_cue(first - 1)
            and not self._is_sentence_between(first - 1, first)
            and (
                self._is_name_word(first)
                # "my landlord, van Houten": after a cue and a comma, particles start a surname
                # (without the comma, "buurman van Kevin" is a neighbour of Kevin)
                or (
                    "," in self._between(first - 1, first)
                    and self._has_surname_particles(first, first_name_word, after_cue=True)
                )
            )
        ):
            return self._hit(first, span_end, 0.9)
        for index in range(first, last + 1):
            word = self._word(index)
            if not self._is_name_word(index):
                continue
            if self._is_first_name(word):
                if index < last:
                    return self._hit(index, span_end, 0.9)
                if self._is_month_in_date(index):
                    return None
                if (
                    word in AMBIGUOUS_FIRST_NAMES or word.split("-")[0] in AMBIGUOUS_FIRST_NAMES
                ) and not self._acts_as_person(index):  # "Co-op", "Mark said"
                    return None
                return self._hit(index, span_end, 0.75)
            if self._is_surname(word):
                start = index
                while start > first and (
                    self._is_particle(start - 1) or self._is_name_word(start - 1)
                ):
                    start -= 1
                # "op de Brink", "in de Berg": a preposition and an article, not "Op de Beeck"
                if start < index and self.words[start].group() in PREPOSITIONS_BEFORE_ARTICLE:
                    start = index
                if start < index:
                    return self._hit(start, span_end, 0.85)
                if word not in AMBIGUOUS_SURNAMES and not self._is_sentence_start(index):
                    return self._hit(index, span_end, 0.65)
        if first_name_word == last and self._is_named_after(last):
            return self._hit(last, span_end, 0.7)
        if first == last and self._is_apposition_acting(first):
            return self._hit(first, span_end, 0.6)
        if first == last and (
            self._is_lone_proper_noun(first) or self._is_subject_at_sentence_start(first)
        ):
            return self._hit(first, span_end, self._lone_word_confidence(first))
        if self._is_surname_opening_sentence(first, first_name_word, last):
            return self._hit(first, span_end, 0.6)
        # "ik heb het van Sjors gehoord": a lower-case "van" before one unknown word is
        # "from" someone (or the start of a surname such as "van Boekel")
        # "in Jonno's van", "give it to Gaz": lower-case particles before one unknown word
        # that is a possessor, or receives or sends something
        if (
            first_name_word == last
            and last > first
            and all(self.words[index].group().islower() for index in range(first, last))
            and (
                self._is_from_someone(last - 1)
                or self._is_possessive(last)
                or self._follows_transfer_verb(last - 1)
            )
            and self._is_lone_proper_noun(last)
        ):
            start = last - 1 if self._is_surname(self._word(last)) else last
            return self._hit(start, span_end, self._lone_word_confidence(last))
        if first_name_word > first and self._has_surname_particles(first, first_name_word):
            return self._hit(first, span_end, 0.7)
        # "Big Kev", "Lange Joost": a nickname word before one unknown word
        if (
            last == first_name_word + 1
            and self._word(first_name_word) in NICKNAME_WORDS
            and not self._has_common_word(last, last)
        ):
            return self._hit(last, span_end, 0.7)
        if (
            last > first_name_word
            and not self._is_title_case(first_name_word)
            and not self._has_common_word(first_name_word, last)
            and not self._is_after_place_word(first_name_word, last)
        ):
            return self._hit(first_name_word, span_end, 0.55)
        return None

    def _is_apposition_acting(self, index: int) -> bool:
        """ "The woman at the nail bar on High Street, Linh, told me": one unknown word set
        off by commas and followed by a verb people do things with is who it was."""
        word = self._word(index)
        if len(word) < 3 or is_common_word(word) or index + 1 >= len(self.words):
            return False
        start, end = self.words[index].start(), self.words[index].end()
        if self.text[max(0, start - 2) : start] != ", " or not self.text.startswith(", ", end):
            return False
        return self.words[index + 1].group() in SUBJECT_VERBS

    def lower_case_possessors(self) -> Iterator[Hit]:
        """ "screenshots van mees zijn snapchat": in a text in lower case, a rare word
        before "zijn"/"z'n"/"haar" and a noun is someone who owns it."""
        for index in range(1, len(self.words) - 2):
            word = self.words[index].group()
            if (
                word.islower()
                and word.isalpha()
                and len(word) >= 3
                and not is_common_word(word)
                and word not in PARTICLES
                and self.words[index - 1].group() in {"van", "met", "bij", "om", "over", "voor"}
                and self.words[index + 1].group() in {"zijn", "z'n", "zn", "haar", "d'r"}
                and self.words[index + 2].group().islower()
                and self._adjacent(index, index + 1)
            ):
                yield Hit(
                    FindingType.PERSON_NAME,
                    self.words[index].start(),
                    self.words[index].end(),
                    0.55,
                )

    def _acts_as_person(self, index: int) -> bool:
        """ "Mark said he'd burn it", "Mo en Ilias verkopen", "Jo from the post office":
        a first name that is also a word, opening a sentence, before a verb of speech or
        crime, another first name, or where the person is from."""
        if not self._is_sentence_start(index) or index + 1 >= len(self.words):
            return False
        if not self._adjacent(index, index + 1):
            return False
        after = self.words[index + 1].group()
        if after in AMBIGUOUS_NAME_VERBS:
            return True
        if after in {"from", "van"} and FROM_THE_PLACE_AFTER.match(
            self.text, self.words[index + 1].end()
        ):
            return True
        return (
            after in {"en", "and"}
            and index + 2 < len(self.words)
            and is_known_first_name(self._word(index + 2))
        )

    def _is_named_after(self, index: int) -> bool:
        """A word named by what follows it: "wordt Prof genoemd", "van Haddou, de oudere
        broer", "Pronk, the owner", "Olusegun, who owns": a nickname verb, a relation in
        apposition or a clause about a person."""
        end = self.words[index].end()
        if (
            GENOEMD_AFTER.match(self.text, end)
            or REAL_NAME_AFTER.match(self.text, end)
            or PERSON_REMARK_AFTER.match(self.text, end)
        ):
            return True
        apposition = APPOSITION_AFTER.match(self.text, end)
        return apposition is not None and apposition.group(1).lower() in self.cues

    def _is_surname_opening_sentence(self, first: int, name_word: int, last: int) -> bool:
        """ "Van Dongen heeft de kluis", "De Ridder, 04-11-1979, woont ...": at the start of
        a sentence a capitalised "Van"/"De" before an unknown capitalised word that acts
        (a verb, or a date after a comma) is a surname: a noun after "De" is lower case."""
        if not (first < name_word == last and self._is_sentence_start(first)):
            return False
        particles = " ".join(self._word(index) for index in range(first, name_word))
        if particles not in {"Van", "De", "Van der", "Van den", "Van de", "Van 't", "Ten", "Ter"}:
            return False
        word = self._word(last)
        if is_common_word(word) or self._is_first_name(word):
            return False
        end = self.words[last].end()
        following = bisect.bisect_left(self.starts, end)
        acts = (
            following < len(self.words)
            and self._adjacent(last, following)
            and self.words[following].group() in SUBJECT_VERBS
        )
        return acts or DATE_AFTER_COMMA.match(self.text, end) is not None

    def _is_after_place_word(self, first: int, last: int) -> bool:
        """ "They went to Ayia Napa": unknown words after "to"/"naar"/"in" are a place,
        unless they own something or receive something ("gave it to Sietse Wolthuis")."""
        if first == 0:
            return False
        before = self.words[first - 1].group()
        return (
            before in PLACE_PREPOSITIONS
            and not self._is_possessive(last)
            and not self._follows_transfer_verb(first - 1)
        )

    def _has_common_word(self, first: int, last: int) -> bool:
        """Whether a capitalised word among ``first..last`` is an everyday word.

        Names that no list knows ("Sietse Wolthuis", "Tomasz Nowak") are made of rare
        words; titles, bands and brands ("Love Island", "Western Union", "Premier Inn",
        "Arctic Monkeys") contain ordinary ones.
        """
        common = common_words()
        return any(
            self._word(index).lower() in common
            for index in range(first, last + 1)
            if self._is_name_word(index)
            and not self._is_particle(index)  # "Ter Steege"
            and self._word(index) not in NICKNAME_WORDS  # "Big Kev"
        )

    def _is_lone_proper_noun(self, index: int) -> bool:
        """A capitalised word in the middle of an ordinary sentence ("kwam Stein met").

        Mid-sentence, Dutch and English capitalise only proper nouns: people, places,
        brands, holidays and nationalities. The lists remove the known places, brands
        and holidays, so what is left is most often someone's name.
        """
        word = self._word(index)
        if index == 0 or self._is_sentence_start(index) or len(word) < 3:
            return False
        if is_nationality_adjective(word) or INNER_CAPITAL.search(word):
            return False  # "Poolse", "Belgian", "English"; "LinkedIn", "WhatsApp"
        if word.split("-")[0] in self.not_names:
            return False  # "WhatsApp-berichten"
        if word.lower() in common_words() or all(
            part.lower() in common_words() for part in word.split("-")
        ):
            return False  # "watching Match of the Day", "through Revolut and Wise", "Basic-Fit"
        if self.words[index - 1].group().lower() in CONSUMING_VERBS:
            return False  # "drinking Jägermeister", "rookt Marlboro": a product
        if NUMBER_AFTER.match(self.text, self.words[index].end()):
            return False  # "Highway 1", "Weena 70": a road or a model, not a person
        before = self.words[index - 1].group()
        after = self.words[index + 1].group() if index + 1 < len(self.words) else ""
        if before in IMPERATIVES and self._is_sentence_start(index - 1):
            before = before.lower()  # "Ask Ffion, she saw it": the person addressed
        return (
            before.islower()
            and (
                before not in PLACE_PREPOSITIONS
                or self._is_possessive(index)
                or self._follows_transfer_verb(index - 1)
            )
            and (not after or not after[0].isupper())
        )

    def _is_possessive(self, index: int) -> bool:
        """ "in Jonno's van": a place or a shop rarely owns things, a person does."""
        word = self.words[index].group()
        return word != self._word(index) and (
            index + 1 < len(self.words) and self.words[index + 1].group().islower()
        )

    def _lone_word_confidence(self, index: int) -> float:
        """A lone unknown word is a weak name (0.5), but a surer one after someone who gives
        or tells something ("I heard it from Tezza", "ik heb het van Sjors"): the name
        model has no feature for that cue, so it must not veto such a name."""
        if index > 0 and (
            self._follows_transfer_verb(index - 1) or self._is_from_someone(index - 1)
        ):
            return CUED_LONE_WORD_CONFIDENCE
        return 0.5

    def _follows_transfer_verb(self, preposition: int) -> bool:
        """ "give the bag to Gaz", "stuur het naar Sjors": a person receives things."""
        window = range(max(0, preposition - TRANSFER_WINDOW), preposition)
        preposition_word = self.words[preposition].group()
        if preposition_word == "from":  # "I heard from Shaz"
            return any(self.words[index].group().lower() in SOURCE_VERBS for index in window)
        return preposition_word in {"to", "naar"} and any(
            self.words[index].group().lower() in TRANSFER_VERBS for index in window
        )

    def _is_from_someone(self, index: int) -> bool:
        """Whether the word at ``index`` is a "van" that means "from a person".

        "ik heb het van Sjors", "een bericht van Sjors": after a pronoun or a thing people
        send; "een jas van Moncler", "de baas van Picnic" are brands and employers.
        """
        if self.words[index].group() != "van" or index == 0:
            return False
        before = self.words[index - 1].group().lower()
        # "ik hoorde van Bertus", "de zoon van Meijerink": a source or a relative
        return before in FROM_SOMEONE_BEFORE or before in SOURCE_VERBS or before in RELATIVES

    def _is_subject_at_sentence_start(self, index: int) -> bool:
        """An unknown word that opens a sentence and acts ("Jorrit brengt", "Gazza takes").

        A sentence starts with a capital whatever its first word, so that alone says
        nothing; followed by a verb that people do things with, or by "en"/"and" and
        another name ("Gijsje en Ruudje"), it is most often someone's name. Words that
        commonly start sentences ("Alles", "Politie", "Nobody") are in FUNCTION_WORDS.
        """
        word = self._word(index)
        opens_sentence = self._is_sentence_start(index) or (
            # "Then Robbo came", "Yesterday Nwosu shouted"
            index > 0
            and self._is_sentence_start(index - 1)
            and self._word(index - 1) in FUNCTION_WORDS
            and self._adjacent(index - 1, index)
        )
        if not opens_sentence or len(word) < 3 or index + 1 >= len(self.words):
            return False
        if is_nationality_adjective(word) or INNER_CAPITAL.search(word):
            return False
        if len(word.split("-")[0]) > 1 and word.split("-")[0].isupper():
            return False  # "BSN-nummer", "ING-rekening"
        if not self._adjacent(index, index + 1):
            return False
        after = self.words[index + 1].group()
        # "Dom and Reece go round": beside a listed first name even an everyday word is one
        if (
            after in {"en", "and"}
            and index + 2 < len(self.words)
            and self._adjacent(index + 1, index + 2)
            and is_known_first_name(self._word(index + 2))
        ):
            return True
        if word.lower() in common_words():
            return False  # "Niemand weet", "Security came": everyday words open sentences
        # "Henkie van de overkant brengt", "Kez from the chippy said": a person by where
        # they live or work
        if after in {"van", "from"} and FROM_THE_PLACE_AFTER.match(
            self.text, self.words[index + 1].end()
        ):
            return True
        if self._is_possessive(index):
            return True  # "Harrington's garage is where ...": a person owns things
        if after in SUBJECT_VERBS:
            return True
        # "Navid en zijn neef verkopen ...", "Kai and his brother came"
        if (
            after in {"en", "and"}
            and index + 2 < len(self.words)
            and self.words[index + 2].group() in {"zijn", "z'n", "haar", "his", "her"}
        ):
            return True
        return (
            after in {"en", "and"}
            and index + 2 < len(self.words)
            and self._adjacent(index + 1, index + 2)
            and self._is_name_word(index + 2)
        )

    def _has_surname_particles(self, first: int, name_word: int, after_cue: bool = False) -> bool:
        """Whether the words before a name are a tussenvoegsel ("van der", "Van"); after a
        cue even a lower-case one is ("my landlord, van Houten")."""
        particles = [self._word(index) for index in range(first, name_word)]
        if not particles:
            return False
        if " ".join(particles).lower() in SURNAME_PARTICLES:
            return True
        if after_cue:
            return len(particles) <= 3 and all(p.lower() in PARTICLES for p in particles)
        return (
            len(particles) <= 2
            and particles[0][0].isupper()
            and not self._is_sentence_start(first)
            and not self._is_title_case(first)
        )

    def initial_names(self) -> Iterator[Hit]:
        """ "J. Jansen", "R.J. van Vliet", "K. Murphy": initials, particles, a surname."""
        for match in INITIALS.finditer(self.text):
            index = bisect.bisect_left(self.starts, match.end())
            first = index
            while index < len(self.words) and index - first < 3 and self._is_particle(index):
                index += 1
            if index >= len(self.words) or not self._is_name_word(index):
                continue
            if self.words[index].start() - match.end() > 1 + 4 * (index - first):
                continue
            # A capital and a full stop before a capitalised word that is no place,
            # brand or sentence opener ("signed by P. Adeyemi") is an initial.
            end = self.words[index].start() + len(self._word(index))
            if not self._is_company(match.start(), end):
                yield Hit(FindingType.PERSON_NAME, match.start(), end, 0.9)

    def _is_title_case(self, index: int) -> bool:
        """Whether the words around are nearly all capitalised, as in a heading."""
        around = self.words[max(0, index - TITLE_CASE_WINDOW) : index + TITLE_CASE_WINDOW + 1]
        capitalised = sum(1 for word in around if word.group()[0].isupper())
        return capitalised >= len(around) - 1 and len(around) > 3

    def family_names(self) -> Iterator[Hit]:
        """ "the Hendersons", "de Bouzidi's": a family by its surname in the plural."""
        for index in range(1, len(self.words)):
            article = self.words[index - 1].group().lower()
            if article not in {"the", "de"} or not self._adjacent(index - 1, index):
                continue
            word = self.words[index].group()
            if not _is_capitalised(word) or word.split("-")[0] in self.not_names:
                continue
            if article == "the" and word.endswith("s") and word[:-1] in self.surnames:
                stem = word[:-1]
            elif (
                article == "de"
                and word.endswith(("'s", "’s"))
                and len(word) > 4
                and not is_common_word(word[:-2])
                and word[:-2] not in self.not_names
                and not ACRONYM_WORD.fullmatch(word[:-2])  # "de BSN's" is a plural
            ):
                stem = word[:-2]
            else:
                continue
            start = self.words[index].start()
            if not self._is_company(start, start + len(word)):
                yield Hit(FindingType.PERSON_NAME, start, start + len(stem), 0.7)

    def lower_case_names(self) -> Iterator[Hit]:
        """ "ik zag jan de vries": a known first name and a known surname, both in lower case."""
        first_names, surnames = lower_case_name_lists()
        count = len(self.words)
        for index, word in enumerate(self.words):
            if word.group() not in first_names:
                continue
            # "mijn buurman kevin": a hand-listed first name right after a relation or a
            # naming word ("heet", "called")
            if (
                index > 0
                and self._adjacent(index - 1, index)
                and self.words[index - 1].group().lower() in LOWER_CASE_NAME_CUES
                and word.group() in _lower_case_hand_listed_first_names()
            ):
                yield Hit(FindingType.PERSON_NAME, word.start(), word.end(), 0.6)
            following = index + 1
            while (
                following < count
                and following - index <= 3
                and self.words[following].group() in PARTICLES
                and self._adjacent(following - 1, following)
            ):
                following += 1
            if (
                following < count
                and self._adjacent(following - 1, following)
                and self.words[following].group() in surnames
            ):
                end = self.words[following].end()
                yield Hit(FindingType.PERSON_NAME, word.start(), end, 0.6)

    def _is_plain_first_name(self, word: str) -> bool:
        """A listed first name that is no everyday word, in any case ("JOHAN", "jayden")."""
        title = word.title()
        return (
            len(word) >= 3
            and is_known_first_name(title)
            and not is_common_word(word)
            and title not in self.not_names
            and word.lower() not in PARTICLES
        )

    def shouted_names(self) -> Iterator[Hit]:
        """In a text written in capitals, the listed first names that are no words."""
        for word in self.words:
            if word.group().isupper() and self._is_plain_first_name(word.group()):
                yield Hit(FindingType.PERSON_NAME, word.start(), word.end(), 0.6)

    def lower_case_text_names(self) -> Iterator[Hit]:
        """ "hoi ik wil iets zeggen over jayden uit mijn klas": in a text that starts no
        sentence with a capital, a listed first name that is no word is a name."""
        for index, word in enumerate(self.words):
            text = word.group()
            if (
                text.islower()
                and self._is_plain_first_name(text)
                and not self._is_month_in_date(index)  # "op 12 jan"
                # "theres", "ids": an everyday word without its apostrophe, or a plural
                and not (text.endswith("s") and len(text) > 4 and is_common_word(text[:-1]))
            ):
                yield Hit(FindingType.PERSON_NAME, word.start(), word.end(), 0.55)

    def repeated_mentions(self, names: list[Hit]) -> Iterator[Hit]:
        """ "Kim is een man trouwens. Kim Nguyen runt ...", "door Ricky ... ricky zit op
        insta": a word of a name found elsewhere in the text names the same person,
        also an everyday first name or one written in lower case (not an everyday word)."""
        name_words: set[str] = set()
        covered: list[tuple[int, int]] = sorted((hit.start, hit.end) for hit in names)
        for hit in names:
            words = [
                without_possessive(word)
                for word in NAME_TOKEN.findall(self.text, hit.start, hit.end)
            ]
            for bare in words:
                if not _is_capitalised(bare) or bare.lower() in PARTICLES or len(bare) < 3:
                    continue
                # "Mark said nothing. Mark my words": an everyday first name alone is
                # evidence only where it acts, not wherever the word recurs
                if len(words) > 1 or bare not in AMBIGUOUS_FIRST_NAMES:
                    name_words.add(bare.lower())
        if not name_words:
            return
        starts = [start for start, _ in covered]
        for index, match in enumerate(self.words):
            word = self._word(index)
            if word.lower() not in name_words:
                continue
            position = bisect.bisect_right(starts, match.start()) - 1
            if position >= 0 and covered[position][1] > match.start():
                continue  # part of a name already found
            if word.islower() and (
                is_common_word(word)
                or not (self._is_first_name(word.title()) or self._is_surname(word.title()))
            ):
                continue  # "de Kapper ... vroeger kapper": the word, not the nickname
            if not (word.islower() or _is_capitalised(word)):
                continue
            end = match.start() + len(word)
            if not self._is_company(match.start(), end):  # "Dalton Roofing" and "Greg Dalton"
                yield Hit(FindingType.PERSON_NAME, match.start(), end, 0.6)

    def capitals_names(self) -> Iterator[Hit]:
        """ "die gast heet KEVIN": a hand-listed first name in capitals, in text that is not
        written in capitals, is shouted, not an acronym; a capitalised surname may follow."""
        hand_listed = _lower_case_hand_listed_first_names()
        shouted = [index for index, word in enumerate(self.words) if word.group().isupper()]
        if len(shouted) > 3 and len(shouted) * 2 > len(self.words):
            return  # a heading or a text in capitals: its words are no evidence
        for index in shouted:
            word = self.words[index].group()
            if len(word) < 3 or word.lower() not in hand_listed or word.title() in self.not_names:
                continue
            end = self.words[index].end()
            following = index + 1
            if (
                following < len(self.words)
                and self._adjacent(index, following)
                and self.words[following].group().isupper()
                and self.words[following].group().title() in self.surnames
            ):
                end = self.words[following].end()
            yield Hit(FindingType.PERSON_NAME, self.words[index].start(), end, 0.6)

    def lower_case_named(self) -> Iterator[Hit]:
        """ "de man heet ferdi": after a naming verb a rare lower-case word is the name."""
        for index in range(1, len(self.words)):
            word = self.words[index].group()
            if (
                # "de man heet ferdi", "hij heet ELVIS (echt)"
                (word.islower() or (word.isupper() and not self.shouted))
                and len(word) >= 3
                and not self._names_a_thing(index - 1)  # "de site heet kinky-nl"
                and self.words[index - 1].group().lower() in NAMING_VERBS
                and self._adjacent(index - 1, index)
                and word.lower() not in PARTICLES
                and not is_common_word(word)
            ):
                yield Hit(
                    FindingType.PERSON_NAME, self.words[index].start(), self.words[index].end(), 0.6
                )

    def place_surnames(self) -> Iterator[Hit]:
        """ "volgens mij Van Venlo van de bakkerij": mid-sentence, "van" is written with a
        capital only in a surname without a first name, also when the rest is a place."""
        for index in range(1, len(self.words) - 1):
            if self.words[index].group() != "Van" or index in self.blocked:
                continue
            if not self.words[index - 1].group().islower() or self._is_sentence_start(index):
                continue
            last = index + 1
            while last < len(self.words) - 1 and self.words[last].group() in {"der", "den", "de"}:
                last += 1
            word = self._word(last)
            if (
                all(self._adjacent(position, position + 1) for position in range(index, last))
                and _is_capitalised(word)
                and word in self.not_names
                and word not in FUNCTION_WORDS
                and last not in self.blocked
            ):
                start = self.words[index].start()
                end = self.words[last].start() + len(word)
                yield Hit(FindingType.PERSON_NAME, start, end, 0.6)

    def conjoined_names(self, names: list[Hit]) -> Iterator[Hit]:
        """ "Kez and Rio swapped bags": a capitalised word joined to a name by "and"/"en"
        is a name too, even an everyday word, unless it is listed as no name."""
        found = {hit.start for hit in names}
        for hit in names:
            index = bisect.bisect_left(self.starts, hit.end)
            if index + 1 >= len(self.words) or self.words[index].group() not in {"and", "en"}:
                continue
            following = index + 1
            word = self._word(following)
            if (
                self.words[following].start() not in found
                and SPACES.fullmatch(self.text, hit.end, self.words[index].start())
                and self._adjacent(index, following)
                and self._is_name_word(following)
                and (
                    following + 1 >= len(self.words) or self.words[following + 1].group().islower()
                )
            ):
                start = self.words[following].start()
                yield Hit(FindingType.PERSON_NAME, start, start + len(word), 0.6)

    def _is_named_street_after_particles(self, following: int) -> bool:
        """ "in de Jacob van Lennepkade", "at their Laan van Meerdervoort branch": particles
        and a street's word after a name, with no house number (then the name is of
        someone living there: "Remco Baas van Lijsterweg 14") (thirteenth round)."""
        index = following
        while (
            index < following + 2
            and index + 1 < len(self.words)
            and self.words[index].group() in {"van", "de", "der", "den", "ter", "ten"}
            and self._adjacent(index, index + 1)
        ):
            index += 1
        particles = " ".join(self.words[i].group() for i in range(following, index))
        # "Kees van de Dorpsstraat" is Kees from that street
        if index == following or particles == "van de":
            return False
        word = self.words[index].group()
        return (
            word[0].isupper()
            and word.lower().endswith(STREETS_NAMED_AFTER_PEOPLE)
            and NUMBER_AFTER.match(self.text, self.words[index].end()) is None
        )

    def _is_month_in_date(self, index: int) -> bool:
        """ "12 Jan" is a date; "Jan" alone after a number is not a name."""
        before = self.text[max(0, self.words[index].start() - 4) : self.words[index].start()]
        return bool(re.search(r"[0-9] ?$", before))

    def _is_company(self, start: int, end: int) -> bool:
        """Whether the passage is part of a business name ("Jansen Transport")."""
        if COMPANY_AFTER.match(self.text, end) or COMPANY_BEFORE.search(
            self.text, max(0, start - 2), start
        ):
            return True
        following = bisect.bisect_left(self.starts, end)
        # "Harry's Discount": a possessive before a business word
        gap_end = end + 2 if self.text.startswith(("'s", "’s"), end) else end
        if following < len(self.words) and SPACES.fullmatch(
            self.text, gap_end, self.words[following].start()
        ):
            if self.words[following].group() in NOT_PERSON_AFTER:
                return True
            if self.words[following].group() in LOWER_CASE_PLACES_AFTER:
                return True  # "Victoria station"
            if self.words[following].group()[0].isupper() and self.words[
                following
            ].group().lower().endswith(STREETS_NAMED_AFTER_PEOPLE):
                return True  # "de Albert Cuypmarkt", "Johan de Wittlaan"
            if self._is_named_street_after_particles(following):
                return True
        previous = bisect.bisect_left(self.starts, start) - 1
        # "restaurant Da Mario", "camping De Zeven Linden": a venue word in lower case
        # ("de kapsalon van Said" is Said's: "van" and "of" name the owner)
        before = previous
        if previous >= 1 and self._is_particle(previous):
            before = -1 if self.words[previous].group() in {"van", "of"} else previous - 1
        # "tennisclub LTV De Kei": an acronym between the venue word and the name
        opening = before + 1  # the first word after the venue word
        if before >= 1 and ACRONYM_WORD.fullmatch(self.words[before].group()):
            before -= 1
        if (
            before >= 0
            and all(
                SPACES.fullmatch(self.text, self.words[word].end(), self.words[word + 1].start())
                for word in range(before, previous + 1)
            )
            and (
                self.words[before].group() in LOWER_CASE_VENUES
                # "basisschool De Regenboog", "transportbedrijf Van Gend"; but "de trainer
                # van de voetbalclub Jan" is a person
                or (
                    self._is_venue_compound(self.words[before].group())
                    and self.words[min(opening, previous + 1)].group() in VENUE_NAME_OPENINGS
                )
                # "Hotel De Sterre", "Camping De Wit": a capitalised venue word too
                or self.words[before].group() in NOT_PERSON_BEFORE
            )
        ):
            return True
        return (
            previous >= 0
            and SPACES.fullmatch(self.text, self.words[previous].end(), start) is not None
            and (
                self.words[previous].group() in NOT_PERSON_BEFORE
                or (
                    self.words[previous].group()[0].isupper()
                    and is_business_compound(self.words[previous].group())
                )
            )
        )

    @staticmethod
    def _is_venue_compound(word: str) -> bool:
        """ "garagebedrijf", "basisschool", "tennisclub": a lower-case compound naming a
        business, school or club, whose own name may follow it."""
        return word.islower() and (
            is_business_compound(word) or word.endswith(LOWER_CASE_VENUE_ENDINGS)
        )

    def _hit(self, index: int, end: int, confidence: float) -> Hit | None:
        start = self.words[index].start()
        if self._is_company(start, end):
            return None
        # "Dikke Dennis", "Big Tony": the nickname includes the word before the name.
        if index > 0 and self._adjacent(index - 1, index):
            if self.words[index - 1].group() in NICKNAME_WORDS:
                start = self.words[index - 1].start()
        return Hit(FindingType.PERSON_NAME, start, end, confidence)


# "The group 'Patriots of Kent' on Facebook", "the Amazon store 'BrightHome Direct'", "een
# WhatsApp-groep 'Beleggen met Henk'": words in quotes after a thing that is named are
# that thing's name, not a person's ("Account name 'K Lewis'" is a person's).
QUOTED_THING_NAME = re.compile(
    r"(?i:\b(?:" + "|".join(sorted(NAMED_THINGS | {"account"})) + r")s?"
    # "Stichtingsnaam: 'Köprü Gençlik'", "bedrijfsnaam 'X'" (thirteenth round)
    r"(?:naam|name)?\b"
    # "Account name 'K Lewis'" is the holder's name
    r"(?! (?:name|naam|holder|houder)\b)"
    r"(?:[ -][\w-]+){0,4}?:? ['\"‘“]([^'\"’”\n]{2,60})['\"’”])"
)


# "'Kennel Fryslân'", "'Parfumhuis Amsterdam'", "'Tuinmeubelen Outlet'": two to five words in
# single quotes (an opening quote after no letter, so no apostrophe) (twelfth round).
QUOTED_WORDS = re.compile(r"(?<![\w'’])['‘]([^\W\d_][\w\-]{0,30}(?: [\w\-]{1,30}){1,4})['’](?!\w)")


def _is_thing_word(word: str) -> bool:
    """A capitalised word in quotes that makes them a thing's name: a town or country, a
    trade or venue word, a brand written with an inner capital, or an everyday word that is
    no listed name (but "Kleine" of "'Kleine Mo'" is a nickname's)."""
    first_names, surnames, not_names, _ = _lists()
    return (
        word in place_names()
        or word in not_names
        or word in COMPANY_WORDS
        or word in VENUE_WORDS
        or INNER_CAPITAL.search(word) is not None
        or (
            is_common_word(word)
            and word not in NICKNAME_WORDS
            and word not in first_names
            and word not in surnames
        )
    )


def quoted_thing_names(text: str) -> list[tuple[int, int]]:
    """The passages in quotes that name a group, shop, channel or brand (no person): after a
    thing named, or holding a word no person's name holds."""
    spans = [match.span(1) for match in QUOTED_THING_NAME.finditer(text)]
    for match in QUOTED_WORDS.finditer(text):
        # "'Uncle Jay'", "'Sanne Bloem'", "'de Marokkaan'": a first name, or an article
        # opening a nickname, makes them a person's
        words = [word for word in match.group(1).split() if word[0].isupper()]
        if (
            match.group(1)[0].isupper()
            and not any(word in _lists()[0] for word in words)
            and any(_is_thing_word(word) for word in words)
        ):
            spans.append(match.span(1))
    return sorted(spans)


# "2061 HA Bloemendaal", "Dorpsakker 8 in Berkel": one word after a postcode, or after a
# street, a number and "in", is the town, even when it is also a surname (twelfth round).
TOWN_CONTEXT_BEFORE = re.compile(
    r"(?:\b[0-9]{4} ?[A-Z]{2},? ?|\b[A-Z][\w'-]{1,30} [0-9]{1,4}[a-zA-Z]?,? (?:in|te) )$"
)
TOWN_CONTEXT_REACH = 45


def is_town_after_address(text: str, start: int, end: int) -> bool:
    """Whether the passage is one word naming the town of an address just before it."""
    return " " not in text[start:end] and (
        TOWN_CONTEXT_BEFORE.search(text, max(0, start - TOWN_CONTEXT_REACH), start) is not None
    )


# "Camping De Wit", "de Jachthaven Visser", "Postcode Loterij": a passage that opens with a
# venue or trade word, or ends in one, names that venue (twelfth round). "Park", "Day" and
# "Eve" end people's names too ("Jimin Park", "Doris Day").
VENUE_LAST_WORDS = (COMPANY_WORDS | VENUE_WORDS | {"Loterij", "Lottery"}) - {"Park"}


def is_venue_name(text: str, start: int, end: int) -> bool:
    """Whether the passage of two words or more is a venue's or firm's whole name."""
    words = text[start:end].split()
    while words and words[0] in PARTICLES:
        words.pop(0)
    return len(words) > 1 and (
        words[0] in NOT_PERSON_BEFORE
        or words[0].lower() in LOWER_CASE_VENUES  # "Camping De Wit"
        or words[-1] in VENUE_LAST_WORDS
    )


# "in De Hoef", "sportpark De Vliert", "wooncentrum De Vlasakker", "in het Antonius": a
# capitalised article mid-sentence after a place preposition or a noun of a place or a
# business, or any capitalised word after a lower-case "het", names a place, a building or
# an organisation, not a person ("mevrouw De Wit", "zag De Jong" stay names) (fourteenth
# round).
PREPOSITIONS_BEFORE_A_CAPITAL_ARTICLE = frozenset(
    {"in", "op", "naar", "uit", "vanuit", "richting", "nabij", "tegenover", "te"}
)
PLACE_NOUN_ENDINGS = (
    "park", "terrein", "centrum", "complex", "school", "huis", "huisje", "bedrijf",
    "vereniging", "corporatie", "opvang", "camping", "bar", "hotel", "shop", "restaurant",
    "firma", "kliniek", "ziekenhuis", "zaal", "wijk", "buurt", "fokkerij", "kerk", "moskee",
)  # fmt: skip
CAPITAL_ARTICLES = frozenset({"De", "Het", "Den"})
PREPOSITIONS_BEFORE_HET = frozenset({"in", "bij", "op", "naar", "uit", "vanuit", "aan"})


def names_a_place_by_its_article(scanner: "NameScanner", start: int) -> bool:
    """Whether a name found at ``start`` is a place's or an organisation's name that opens
    with an article, by the word before it (see PLACE_NOUN_ENDINGS)."""
    index = bisect.bisect_left(scanner.starts, start)
    if index == 0 or index >= len(scanner.words) or scanner.starts[index] != start:
        return False
    previous = scanner.words[index - 1].group()
    if not scanner._adjacent(index - 1, index) or scanner._is_cue(index - 1):
        return False
    if previous == "het":
        # "in het Antonius", "bij het Rode Kruis"; not the pronoun: "dat het Ruud is"
        return index > 1 and scanner.words[index - 2].group() in PREPOSITIONS_BEFORE_HET
    if scanner.words[index].group() not in CAPITAL_ARTICLES or not previous.islower():
        return False
    return previous in PREPOSITIONS_BEFORE_A_CAPITAL_ARTICLE or (
        previous.endswith(PLACE_NOUN_ENDINGS) or previous in NAMED_THINGS
    )


# "my flat in Beaumont Lodge", "Mercer House": words that end a building's name, not a
# person's (fourteenth round; "Hall" and "Court" are also surnames and stay out).
BUILDING_NAME_ENDINGS = frozenset(
    {"Lodge", "House", "Tower", "Towers", "Mansions", "Apartments", "Flats", "Residence"}
)


def is_building_name(text: str, start: int, end: int) -> bool:
    """Whether the passage is two or more words ending in a building word."""
    words = text[start:end].split()
    return len(words) > 1 and words[-1] in BUILDING_NAME_ENDINGS


def find_person_names(
    text: str, language: str | None = None, scanner: NameScanner | None = None
) -> Iterator[Hit]:
    """Person names in ``text``; ``scanner``, from ``name_scanner`` on the same text and
    language, saves building it again."""
    quoted = quoted_thing_names(text)
    for hit in _find_person_names(text, language, scanner):
        if not any(start <= hit.start and hit.end <= end + 1 for start, end in quoted) and not (
            is_town_after_address(text, hit.start, hit.end)
            or is_venue_name(text, hit.start, hit.end)
        ):
            yield hit


def name_scanner(text: str, language: str | None) -> NameScanner:
    """The words of ``text`` with what the lists say about them, for the rules and the name
    model to share (building it is a third of the name work on a long text)."""
    return NameScanner(text, language)


def _find_person_names(
    text: str, language: str | None, scanner: NameScanner | None
) -> Iterator[Hit]:
    scanner = scanner or NameScanner(text, language)
    if scanner.shouted:
        # "GEACHTE POLITIE, JOHAN VAN DE OVERKANT SLAAT ZIJN HOND": only first names
        yield from scanner.shouted_names()
        return
    names = list(scanner.names()) + list(scanner.chat_speaker_names())
    if scanner.lower_case:
        names.extend(scanner.lower_case_text_names())
        names.extend(scanner.lower_case_possessors())
    names.extend(scanner.repeated_mentions(names))
    yield from names
    yield from scanner.conjoined_names(names)
    yield from scanner.place_surnames()
    yield from scanner.lower_case_named()
    yield from scanner.capitals_names()
    yield from scanner.family_names()
    yield from scanner.lower_case_names()
    yield from scanner.initial_names()
