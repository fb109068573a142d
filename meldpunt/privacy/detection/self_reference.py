"""Passages in which reporters reveal who they are relative to the people they report.

"Mijn buurman", "ik, als zijn collega", "I live next door": the suspect knows only a
few people in that position, so such a phrase can point straight back at the reporter.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass

from .findings import FindingType, Hit
from .self_reference_acts import find_dealings

_DUTCH_RELATIONS = (
    "buurman|buurvrouw|buren|bovenburen|onderburen|buurjongen|buurmeisje|collega|collega's|"
    "baas|chef|leidinggevende|werkgever|ex|ex-man|ex-vrouw|ex-vriend|ex-vriendin|broer|zus|"
    "zusje|broertje|vader|moeder|stiefvader|stiefmoeder|stiefbroer|stiefzus|man|vrouw|vriend|vriendin|zoon|dochter|"
    "neef|nicht|oom|tante|opa|oma|schoonvader|schoonmoeder|schoonzus|zwager|huisbaas|"
    "verhuurder|klasgenoot|klasgenoten|huisgenoot|huisgenoten|kamergenoot|leraar|lerares|"
    "docent|mentor|trainer|partner|echtgenoot|echtgenote|kind|kinderen|werk|school|klas|"
    "afdeling|team|straat|flat|portiek|galerij|woning|huis|bedrijf|zaak|winkel|"
    # diminutives and grandchildren ("mijn zoontje", "mijn kleinzoon")
    "zoontje|dochtertje|kindje|neefje|nichtje|vriendje|vriendinnetje|kleinzoon|kleindochter|"
    "kleinkind|kleinkinderen|zoons|dochters|broers|zussen|pleegkind|pleegkinderen|"
    "huurder|huurders|oppas|kantoor|werkplek|praktijk|bureau|"
    # windows and gardens that look out on the scene ("onze ramen", "mijn tuin")
    "raam|ramen|slaapkamer|slaapkamerraam|balkon|tuin|achtertuin|keuken|voordeur|oprit|"
    "deurbel|camera|deurbelcamera|schutting|zolder|zolderraam|dakkapel|"
    # parents and the institutions the reporter belongs to ("mijn ouders", "onze kliniek")
    "ouders|grootouders|schoonouders|universiteit|hogeschool|ziekenhuis|kliniek|hotel|"
    "restaurant|sportschool|vereniging|club|kerk|moskee|"
    # where the reporter lives or keeps things ("ons dorp", "mijn loods"), second batch-7
    # writer
    "dorp|wijk|buurt|camping|manege|loods|boerderij|pand|bedrijfspand|juf|meester|cliënt|"
    "klant|familie|gezin|achterneef|achternicht|voetbalteam|vereniging|bestuur|studentenhuis|"
    # people and groups the reporter leads or belongs to (tenth round)
    "leerling|leerlingen|student|studenten|promotor|huisgenote|kamergenote|groep|partij|"
    "stichting|gemeenschap|parochie|koor|woningcorporatie|woonvereniging"
    # people the reporter works with or treats, and compounds of a relation (eleventh
    # round, part b: "mijn begeleider", "mijn patiënt", "ons cultureel centrum")
    "|assistent|begeleider|patiënt|patiënten|leverancier|vrienden|vriendinnen|complex|"
    "centrum|spreekkamer|klanten|cliënten"
    # the reporter's daily round and acquaintances (fourteenth round: "op mijn route")
    "|route|bezorgroute|looproute|wijkroute|ronde"
)
# "mijn stiefdochter", "mijn schoonzoon", "mijn pleegzoon": a relation with a prefix.
_DUTCH_RELATION_PREFIXES = "stief|schoon|pleeg"
_ENGLISH_RELATIONS = (
    "neighbou?r|neighbou?rs|colleague|colleagues|boss|manager|supervisor|employer|ex|"
    "ex-husband|ex-wife|ex-boyfriend|ex-girlfriend|brother|sister|father|mother|dad|mum|mom|"
    "stepfather|stepmother|stepdad|stepmum|stepmom|stepbrother|stepsister|husband|wife|boyfriend|girlfriend|friend|son|daughter|nephew|niece|"
    "uncle|aunt|cousin|grandfather|grandmother|landlord|landlady|classmate|classmates|"
    "flatmate|roommate|housemate|teacher|coach|partner|child|children|work|workplace|school|"
    "class|team|street|building|flat|apartment|house|company|shop|"
    # grandparents, grandchildren, in-laws ("my granddad", "my grandson")
    "granddad|grandad|grandpa|grandma|gran|nan|nana|grandson|granddaughter|grandchild|"
    "grandchildren|grandkids|stepson|stepdaughter|kids|kid|fiance|fiancé|fiancee|fiancée|"
    "tenant|tenants|lodger|carer|babysitter|nanny|office|desk|workplace|practice|"
    "window|windows|bedroom|balcony|garden|back garden|kitchen|front door|driveway|doorbell|"
    "attic|loft|"
    "camera|fence|mate|mates|pal|bestie|"
    "(?:mother|father|brother|sister|son|daughter)-in-law|coworker|co-worker|parents|"
    "grandparents|in-laws|clinic|university|uni|college|hospital|surgery|ward|store|"
    "restaurant|hotel|gym|club|church|mosque|[0-9]{1,2}[- ]year[- ]old|"
    # where the reporter lives or keeps things ("our village", "my workshop")
    # "my year" at school, not "our Year 10s"; "my client", not a charity's "our clients"
    "village|estate|neighbourhood|neighborhood|hometown|cul-de-sac|halls|(?-i:year)|form|"
    "workshop|farm|family|chairman|chair|client|patient|auntie|aunty|boy|lad|"
    "youngest|eldest|unit|yard|allotment|mums|mum's|dads|dad's|"
    # people and groups the reporter leads or belongs to (tenth round)
    "student|students|pupil|pupils|lab partner|source|group|party|association|foundation|"
    "community|congregation|parish|charity|choir|road|housing association"
    # people the reporter works with, plurals and places of study or work (eleventh round,
    # part b: "my supplier", "my friends", "our sons", "my shift leader", "our lab")
    "|supplier|suppliers|friends|sons|daughters|housemates|flatmates|roommates|players|"
    "customers|clients|patients|cleaner|leader|lab|department|host mother|host family"
    # the reporter's daily round and home (fourteenth round: "on my way to work")
    "|route|round|delivery route|way to work|way to school|drive"
)
_ENGLISH_RELATION_PREFIXES = "step-?|foster "
# "mijn naam", "mijn nummer", "my e-mail" are not here: they say nothing by themselves,
# the name or number after them is the detail, and it is marked as the reporter's own.
# "mijn oudere broer", "my late father"
_DUTCH_QUALIFIERS = (
    "oudere|jongere|kleine|grote|overleden|eigen|vorige|nieuwe|oude|beste|vaste|bejaarde|"
    "hoogbejaarde|dementerende|gehandicapte|jongste|oudste|[0-9]{1,2}-jarige"
)
_ENGLISH_QUALIFIERS = (
    "late|older|younger|little|big|own|former|old|new|best|elder|elderly|disabled|youngest|"
    "eldest|oldest|teenage|[0-9]{1,2}[- ]year[- ]old"
)
_ROLES_NL = (
    "buurman|buurvrouw|buren|collega|baas|werkgever|ex|broer|zus|vader|moeder|vriend|vriendin|"
    "zoon|dochter|neef|nicht|oom|tante|huisbaas|klasgenoot|huisgenoot|leraar|docent|partner|"
    "werknemer|medewerker|huurder|onderbuurman|bovenbuurman|bovenbuurvrouw|onderbuurvrouw|"
    "schoonmaker|schoonmaakster|conciërge|huismeester|oppas|verpleegkundige|chauffeur|"
    "bezorger|postbode|kassamedewerker|ouder|stiefbroer|stiefzus|"
    # care and teaching professions ("ik ben zijn huisarts")
    "huisarts|arts|dokter|tandarts|fysiotherapeut|therapeut|psycholoog|wijkverpleegkundige|"
    "begeleider|maatschappelijk werker|jeugdwerker|juf|meester|coach|kapper|bijlesdocent|"
    "stagiair|stagiaire|vrijwilliger|leerling|student|voogd|gezinsvoogd|pleegouder|"
    "pleegmoeder|pleegvader|reclasseringswerker|hulpverlener|mentor|trainer|manager|"
    "leidinggevende|chef|begeleidster|assistent|secretaresse|boekhouder|accountant|"
    "schoonmaakster|huisbaas|verhuurder|buurjongen|buurmeisje|klant|stamgast|bewoner|"
    "medebewoner|"
    # jobs behind a counter, on the street or in a building ("ik ben kassière bij")
    "kassière|caissière|verkoper|verkoopster|barman|barvrouw|barkeeper|serveerster|ober|kok|"
    "afwasser|beveiliger|portier|receptioniste|receptionist|monteur|elektricien|loodgieter|"
    "timmerman|koerier|pakketbezorger|maaltijdbezorger|taxichauffeur|buschauffeur|"
    "vrachtwagenchauffeur|conducteur|vakkenvuller|magazijnmedewerker|apotheker|"
    "apothekersassistente|doktersassistente|tandartsassistente|kapster|schoonheidsspecialiste|"
    "nagelstyliste|makelaar|beheerder|uitbater|gastouder|au pair|jongerenwerker|"
    "buurtwerker|wijkagent|buurtagent|politieagent|agent|handhaver|boa|onderwijsassistent|"
    "pedagogisch medewerker|verzorgende|"
    "verpleger|thuiszorgmedewerker|huishoudster|glazenwasser|vuilnisman|zzp'er|uitzendkracht|"
    "leerkracht|maatje|taalmaatje|buddy|cliënt|client|patiënt|lid|slotenmaker|ouders|"
    "grootouders|consulent|adviseur|belastingadviseur|vertegenwoordiger|ondersteuner|"
    "secretaris|penningmeester|voorzitter|bestuurslid|slachtoffer|hulpverlener|teamleider|"
    "invalkracht|opa en oma|klerk|"
    # professions that say where the reporter works or what they see ("ik ben advocaat")
    "journalist|verslaggever|advocaat|notaris|jurist|ingenieur|onderzoeker|promovendus|"
    "hoogleraar|wetenschapper|vertaler|vertaalster|tolk|programmeur|ontwikkelaar|"
    "systeembeheerder|brandweerman|militair|soldaat|piloot|tuinman|hovenier|stukadoor|"
    "metselaar|dakdekker|bouwvakker|instructeur|rijinstructeur|ambtenaar|analist|technicus|"
    "chirurg|dierenarts|opticien|psychiater|taxateur|deurwaarder|fotograaf|kunstenaar|"
    "muzikant|marktkoopman|ondernemer|winkelier|inspecteur|controleur|bewaker|"
    "bedrijfsleider|onderwijzer|onderwijzeres|verloskundige|kraamverzorgster|imam|dominee|"
    "pastoor|predikant|"
    # roles in a church, a project or a group (tenth round)
    "ouderling|diaken|koster|kerkelijk werker|kleuterjuf|projectleider|coördinator|"
    "coordinator|organisator|bestuurder|moderator"
    # statuses, grandparents and office jobs (eleventh round, part b: "ik ben zelf
    # vluchteling", "ik ben opa van", "ik ben planner bij", "ik ben de koper")
    "|vluchteling|asielzoeker|statushouder|opa|oma|kleinzoon|kleindochter|peetoom|"
    "peettante|boer|boerin|tuinder|kweker|visser|administrateur|planner|controller|"
    "inkoper|griffier|verzamelaar|voorman|opzichter|uitvoerder|koper|erfgenaam|"
    "mede-erfgenaam|eigenaar|eigenaresse|passagier|reiziger"
)
_ROLES_EN = (
    "neighbou?r|colleague|boss|employer|employee|ex|brother|sister|father|mother|friend|son|"
    "daughter|nephew|niece|uncle|aunt|cousin|landlord|landlady|tenant|classmate|flatmate|"
    "roommate|housemate|teacher|partner|coworker|co-worker|cleaner|caretaker|janitor|"
    "concierge|receptionist|nurse|carer|babysitter|nanny|tutor|coach|driver|cashier|"
    "parent|manager|supervisor|line manager|mentor|assistant|secretary|"
    "step-?(?:mum|mom|dad|mother|father|son|daughter|brother|sister)|"
    # care and teaching professions ("I'm her GP")
    "GP|doctor|dentist|physio|therapist|counsellor|counselor|social worker|support worker|"
    "youth worker|hairdresser|barber|pupil|student|trainee|apprentice|volunteer|lodger|"
    "guardian|foster parent|foster mum|foster dad|probation officer|caseworker|key worker|"
    # jobs behind a counter, on the street or in a building ("I'm a barman at")
    "barman|barmaid|bartender|waiter|waitress|chef|cook|porter|security guard|bouncer|"
    "doorman|delivery driver|postman|postwoman|postie|courier|bus driver|taxi driver|"
    "mechanic|plumber|electrician|builder|pharmacist|teaching assistant|dinner lady|"
    "lollipop lady|warden|estate agent|shop assistant|sales assistant|shelf stacker|"
    "warehouse worker|manageress|housekeeper|childminder|au pair|window cleaner|"
    "bin man|binman|care worker|healthcare assistant|paramedic|locksmith|customer|client|"
    "patient|team leader|headteacher|head teacher|headmaster|headmistress|principal|vicar|"
    "priest|midwife|health visitor|member|resident|guest|parents|grandparents|pastor|"
    "treasurer|chairman|chair|trustee|governor|power of attorney|consultant|advisor|adviser|"
    "caseworker|case worker|victim|safeguarding lead|lead|landlady|team leader|aunt|"
    # professions that say where the reporter works or what they see ("I'm a journalist")
    "journalist|lawyer|solicitor|barrister|attorney|paralegal|notary|bookkeeper|"
    "accountant|auditor|engineer|researcher|lecturer|professor|scientist|PhD student|"
    "PhD candidate|postdoc|translator|interpreter|programmer|developer|technician|"
    "firefighter|police officer|officer|soldier|pilot|farmer|gardener|decorator|carpenter|"
    "joiner|roofer|labourer|laborer|attendant|parking attendant|flight attendant|steward|"
    "stewardess|personal trainer|trainer|instructor|driving instructor|civil servant|clerk|"
    "analyst|surgeon|vet|optician|psychologist|psychiatrist|baker|butcher|beautician|"
    "photographer|bailiff|debt collector|inspector|surveyor|valuer|letting agent|"
    "property manager|security officer|guard|dispatcher|lorry driver|truck driver|"
    "van driver|cab driver|delivery rider|care assistant|nursery nurse|personal assistant|"
    "bank clerk|teller|imam|rabbi|chaplain|business owner|shop owner|"
    # roles in a group, a project or a movement (tenth round)
    "activist|regular|monk|nun|admin|moderator|coordinator|organiser|organizer|"
    "project lead|project leader|project manager"
    # statuses, buyers and sellers, office jobs (eleventh round, part b: "I'm a Syrian
    # refugee", "I'm a witness", "I'm a buyer", "I'm the CFO", "as a Muslim convert")
    "|refugee|asylum seeker|migrant|immigrant|convert|worker|postal worker|witness|"
    "buyer|seller|job seeker|recruiter|goldsmith|ticket holder|season ticket holder|CFO|"
    "CEO|CTO|COO|director|bursar|planner|controller|administrator|pensioner|passenger|commuter"
)

# "ik werk daar ook", "omdat ik daar schoonmaak", "ik heb daar twee jaar gewerkt", "I used
# to work there": the reporter works, lives or studies at the place the tip is about, which
# narrows them down to its staff or residents.
# "er" only before an adverb or the end of the clause: "ik werk er hard aan" is no place.
_DUTCH_THERE = (
    r"(?:(?:daar|hier)(?! (?:aan|mee|over|naar|om|van|niet)\b)"
    r"|er(?= (?:ook|al|zelf|nog|sinds|vroeger|[0-9])\b|[,.;:!?)]|$))"
)
_DUTCH_ADVERBS = r"(?:al jaren|sinds kort|ook|al|zelf|nog|vroeger)"
_DUTCH_PLACE_VERBS = (
    "werk|werkte|werken|werkten|woon|woonde|wonen|woonden|sport|sportte|sporten|studeer|"
    "studeerde|train|trainde|trainen"
)
_DUTCH_PLACE_VERBS_LAST = (
    "werk|werkte|werken|werkten|woon|woonde|wonen|woonden|schoonmaak|schoonmaakte|schoonmaken|"
    "sport|studeer|studeerde|stage loop|stage liep|in de klas zit|op school zit|vrijwilliger ben"
)
_DUTCH_PARTICIPLES = (
    "gewerkt|gewoond|schoongemaakt|gesport|gestudeerd|stage gelopen|gezeten|"
    "vrijwilligerswerk gedaan|samengewerkt|gevoetbald|gediend"
)
_ENGLISH_PLACE_VERBS = (
    "work|worked|working|live|lived|living|clean|cleaned|cleaning|study|studied|studying|"
    "volunteer|volunteered|volunteering|train|trained|training|stay|stayed|staying"
)
_ENGLISH_AUXILIARIES = (
    r"(?:(?:used to|also|still|have|'ve|’ve|had|'d|’d|have been|'ve been|’ve been|am|'m|’m) )"
)

# What the reporter shares with the person ("wij hebben dezelfde werkgever", "we have
# the same GP"), not "we have the same problem".
_SHARED_NL = (
    "werkgever|baas|school|klas|sportschool|huisarts|trainer|club|vereniging|kantoor|afdeling|"
    "team|leraar|docent|juf|meester|flat|portiek|galerij|straat|buurt|bedrijf|gebouw|huis|"
    "mentor|tandarts|werk|opleiding|kerk|moskee"
)
_SHARED_EN = (
    "employer|boss|manager|landlord|teacher|school|class|gym|doctor|GP|dentist|office|team|"
    "club|building|tutor|coach|church|mosque|workplace|course"
)
# A home, plot or store room next to someone else's (eleventh round).
_OWN_PLOTS_NL = (
    "caravan|stacaravan|tent|chalet|kelderbox|berging|box|volkstuin|erf|schuur|perceel|"
    "garagebox|caravans|kelderboxen|bergingen|boxen|garageboxen|volkstuinen|schuren"
)
_OWN_PLOTS_EN = "caravan|tent|chalet|storage unit|allotment|garden|shed|plot"
_SHARED_PLACES_NL = "huis|tussenmuur|muur|tuin|kantoor|kamer|keuken|flat|woning|schutting"
# The reporter's own association, party or community ("onze Syrische vereniging").
_ASSOCIATIONS_NL = "stichting|vereniging|partij|gemeenschap"
_ASSOCIATIONS_EN = "foundation|party|cemevi|community|association"
# "havenmedewerker", "politie-vrijwilliger": a role as the end of a compound (at least four
# letters of it, so "complex" is no "ex")
_COMPOUND_PREFIX = "(?:[a-zà-ÿ]{2,20}-?(?=[a-zà-ÿ]{4}))?"

# "onze Eritrese kerk", "my Polish neighbour", "our Russian-speaking parents' group": up to
# two capitalised words (nationalities, peoples, faiths) before a relation (tenth round)
_PROPER_ADJECTIVES = r"(?:(?-i:[A-Z][a-zà-ÿ]+(?:-[a-z]+)?) ){0,2}"

# "wij zijn zijn directe buren", "I'm his next-door neighbour"
_DUTCH_ROLE_ADJECTIVES = "directe|naaste|nieuwe|vaste|oude|vorige|eigen|enige"
_ENGLISH_ROLE_ADJECTIVES = (
    "next-door|next door|new|old|former|only|regular|upstairs|downstairs|live-in"
)

# "ik woon op de derde", "I live in Leiden", but not "ik woon op Lindelaan 4" or "we live in
# 3512 JK": the reporter's own address after it is marked as such, and a self-reference
# over it would hide it (eleventh round, part b).
_NO_ADDRESS_AFTER_NL = (
    r" (?:de|het|een) [0-9]{1,2}e\b"
    r"| (?:(?:de|het|een) )?(?!de\b|het\b|een\b|[0-9])[\w'’-]+\b(?! [0-9])"
)
_NO_ADDRESS_AFTER_EN = (
    r" (?:the|a|an) [0-9]{1,2}(?:st|nd|rd|th)\b"
    r"| (?:(?:the|a|an) )?(?!the\b|an?\b|[0-9])[\w'’-]+\b(?! [0-9])"
)

SELF_REFERENCE_PATTERNS = {
    "nl": (
        # "mijn buurman", "m'n collega", "onze buren"
        re.compile(
            rf"(?i:\b(?:mijn|m'n|m(?-i:n)|onze|ons) (?:(?:{_DUTCH_QUALIFIERS}) )?"
            rf"{_PROPER_ADJECTIVES}"
            # "mijn moeders thuiszorg": the relation's own, with the genitive s
            rf"(?:{_DUTCH_RELATION_PREFIXES})?(?:{_DUTCH_RELATIONS})(?:s|'s)?\b)"
        ),
        # "ik, als buurman van", "als zijn collega", "als haar ex"
        re.compile(
            rf"(?i:\b(?:ik,? |(?:wij|we),? )?als (?:zijn |haar |hun |de |een )?"
            rf"(?:(?:{_DUTCH_ROLE_ADJECTIVES}) )?(?:stief|schoon|oud-|ex-)?"
            # "dat ik als baliemedewerker binnenkreeg": a role as the end of a compound
            rf"{_COMPOUND_PREFIX}(?:{_ROLES_NL})(?: van)?\b)"
        ),
        # "ik ben zijn buurman", "wij zijn zijn directe buren", "ik ben de enige die"
        re.compile(
            rf"(?i:\b(?:ik ben|wij zijn|we zijn) (?:zijn|z'n|zn|haar|hun|de|een|"
            r"(?:die|dat|de|het) [\w'’-]{2,20} (?:zijn|z'n|zn|haar)) "
            rf"(?:(?:{_DUTCH_ROLE_ADJECTIVES}) )?"
            rf"(?:(?:stief|schoon)?(?:{_ROLES_NL})|enige(?: die)?)\b)"
        ),
        # "ik ben havenmedewerker", "ik ben zelf politie-vrijwilliger", "ik ben
        # leerkracht": a job or role without an article ("ik ben ouder dan hij" compares)
        re.compile(
            r"(?i:\b(?:ik ben|ik was|wij zijn|we zijn) (?:(?:zelf|ook|al jaren|sinds kort) ){0,2}"
            # "ik ben administratief medewerker", "ik ben zelfstandig boekhouder"
            r"(?:[a-zà-ÿ]+(?:ief|ig|isch|aal|eel) )?"
            rf"{_COMPOUND_PREFIX}(?:{_ROLES_NL})\b(?! dan\b))"
        ),
        # "ik ben werkzaam bij de sociale dienst", "ik ben werkzaam als boekhouder"
        re.compile(r"(?i:\b(?:ik ben|ik was|wij zijn|we zijn) werkzaam (?:als|bij|in|op|voor)\b)"),
        # "ik ken de eigenaar": few people know the owner
        re.compile(
            r"(?i:\b(?:ik ken|wij kennen|we kennen|ik kende) (?:de|het) (?:eigenaar|eigenaresse|"
            r"baas|bazin|uitbater|bewoners|bewoner|huurders|verhuurder|beheerder|familie)\b)"
        ),
        # "Buurtbewoner hier.", "Docent hier:": a reporter introducing themselves
        re.compile(rf"(?i:(?:^|(?<=[.!?]\s)){_COMPOUND_PREFIX}(?:{_ROLES_NL}) hier\b)"),
        # "ik ben een van de huurders", "wij zijn een van de gezinnen"
        re.compile(
            r"(?i:\b(?:ik ben|ik was|wij zijn|we zijn) (?:zelf |ook )?(?:een|één) van "
            r"(?:de|die|deze|zijn|haar|hun) "
            r"(?!(?:weinigen|enigen|weinige|enige)\b)[\w'’-]{3,30})"
        ),
        # "ik studeer zelf aan de TU", "ik zit op de opleiding"
        re.compile(
            r"(?i:\b(?:ik|wij|we) (?:studeer|studeerde|studeren) (?:(?:zelf|ook|nog) )?"
            r"(?:aan|op|bij|in) (?:de|het|dezelfde|hetzelfde|die|dat)\b)"
        ),
        # "ik schrijf namens de bewonerscommissie", "ik meld dit als leerkracht"
        re.compile(
            r"(?i:\b(?:ik schrijf|ik meld dit|ik meld|wij schrijven|we schrijven|wij melden dit) "
            r"(?:namens|als) (?:(?:de|het|een|onze|ons|mijn) )?"
            r"(?!(?:ik|hij|zij|ze|het|anoniem|anonieme|je|jullie)\b)[\w'’-]{3,30})"
        ),
        # "het bedrijf waar ik werk", "de school waar ik op zit"
        re.compile(
            r"(?i:\b(?:de|het|die|dat) [\w'’-]{3,30} waar (?:ik|wij|we) "
            r"(?:werk|werkte|werken|woon|woonde|wonen|studeer|sport|op school zit|"
            r"vrijwilliger ben)\b)"
        ),
        # "ik ben degene die", "ik ben de enige persoon/getuige"
        re.compile(
            r"(?i:\bik ben (?:degene (?:die|bij wie|aan wie|met wie|van wie|voor wie|wie)|"
            r"de enige (?:persoon|getuige|vrouw|man)\b))"
        ),
        # "ik ben het meisje dat hij benaderde", "ik ken hem al sinds de basisschool"
        re.compile(
            r"(?i:\bik ben (?:het meisje|de jongen|de vrouw|de man|de persoon|het kind) "
            r"(?:dat|die)\b)"
        ),
        re.compile(
            r"(?i:\b(?:ik ken|wij kennen|we kennen|ik kende) (?:hem|haar|ze|hen)(?: al)? "
            r"(?:sinds|van|vanaf|uit|al jaren|jaren)\b)"
        ),
        # "hij heeft het alleen aan mij verteld": only the reporter knows
        re.compile(
            r"(?i:\balleen (?:aan |tegen )?(?:mij|ons)(?: (?:dat|het|dit))? "
            r"(?:verteld|gezegd|laten zien|getoond|gestuurd|geappt|gegeven)\b)"
        ),
        # "ik zit in zijn klas", "ik ga naar dezelfde sportschool", "ik zit op dezelfde school"
        re.compile(
            r"(?i:\b(?:ik zit|ik zat|wij zitten|we zitten) (?:in|bij) (?:zijn|haar|hun) "
            r"(?:klas|team|groep|afdeling|ploeg|jaar|band)\b)"
        ),
        re.compile(
            r"(?i:\b(?:ik|wij|we) (?:ga|ging|gaan|gingen|sport|sporten|train|trainen|kom|komen) "
            r"(?:naar|op|bij|in) (?:dezelfde|hetzelfde) [\w'’-]{2,30})"
        ),
        # "ik woon naast/boven/onder/tegenover", "ik werk bij/samen met"
        re.compile(
            r"(?i:\b(?:ik (?:woon|werk|zit|sta)|(?:wij|we) (?:wonen|werken|zitten)) "
            r"(?:naast|boven|onder|tegenover|bij|samen met|voor|in dezelfde|op dezelfde|"
            r"in hetzelfde|op hetzelfde|ook bij|al jaren bij)\b)"
        ),
        # "ik sta elke zaterdag naast hem", "ik woon al jaren tegenover": a few words between
        re.compile(
            r"(?i:\b(?:ik (?:woon|werk|zit|sta|woonde|werkte|zat|stond)|"
            r"(?:wij|we) (?:wonen|werken|zitten|staan|woonden|werkten|zaten|stonden))"
            r"(?: (?!niet\b|geen\b|nooit\b)[\w'’]+){1,3}? "
            r"(?:naast|boven|onder|tegenover) (?:hem|haar|hen|ze|(?:het|dat|de|die) "
            r"(?:pand|huis|woning|winkel|zaak|familie|dealer|man|vrouw|jongen|jongens))\b)"
        ),
        # "ik huur een kamer bij hem", "ik pas op hun kinderen", "ik bezorg hun post":
        # lodgers, babysitters and deliverers are few
        re.compile(
            r"(?i:\b(?:ik|wij|we) (?:huur|huurde|huren|huurden) (?:een |de |het )?"
            r"(?:kamer|woning|huis|appartement|studio|flat|garage|box|ruimte|plek|bovenwoning|"
            r"benedenwoning)(?: (?:bij|van|boven|onder|naast) (?:hem|haar|hen|hun|ze|die|dat))?"
            r"\b)"
        ),
        re.compile(
            r"(?i:\b(?:ik|wij|we) (?:pas|paste|passen)(?: [\w'’]+){0,2}? op (?:hun|zijn|haar|de) "
            r"(?:kinderen|kind|zoon|dochter|zoontje|dochtertje|hond|kleinkinderen|baby)\b)"
        ),
        re.compile(
            r"(?i:\b(?:ik|wij|we) (?:bezorg|bezorgde|bezorgen) "
            r"(?:hun|zijn|haar|daar|er|bij (?:hem|haar|hen))"
            r"(?: (?:post|pakketten|pakketjes|kranten|boodschappen|maaltijden))?\b)"
        ),
        # "ik ben haar jeugdhulpverlener", "ik ben al vijf jaar zijn secretaresse", "ik ben
        # de belastingadviseur van": a possessive and a person noun after "ik ben"
        re.compile(
            r"(?i:\b(?:ik ben|ik was|wij zijn|we zijn|wij waren|we waren) "
            r"(?:al [\w]+ jaar |al jaren |zelf |vroeger |ooit |toen |jarenlang )?"
            r"(?:zijn|haar|hun|z'n|zn) (?:(?:oudere|jongere|grote|kleine|beste|vaste|eigen|"
            r"wettelijk|wettelijke|oude|vroegere) )?"
            r"(?!(?:naam|nummer|adres|telefoon|mobiel|telefoonnummer|auto|fiets|geld|spullen|"
            r"kwijt|zat|beu)\b)"
            # not a participle: "ik ben haar kwijtgeraakt", "ik ben zijn naam vergeten"
            r"(?![\w'’-]*ge[\w'’-]*(?:t|d|en)\b)[a-zà-ÿ][\w'’-]{2,30})"
        ),
        # "ik beheer de Facebook-groep van ons dorp", "ik beheer een groepsaccommodatie": a
        # place or group the reporter runs (fourteenth round)
        re.compile(
            r"(?i:\b(?:ik|wij|we) (?:beheer|beheren|beheerde|beheerden) (?:de|het|een|ons|onze) "
            r"[\w'’-]{3,30})"
        ),
        # "wij hebben een buurman die", "we were friends", "een jongen die ik ken", "ik sta daar
        # zelf achter de kassa", "ik doe de salarisadministratie", "hij woont niet bij ons"
        # (fourteenth round)
        re.compile(
            rf"(?i:\b(?:ik|wij|we) (?:heb|hebben|had|hadden) een (?:nieuwe )?(?:{_DUTCH_RELATIONS})"
            r"\b(?= (?:die|dat|op|aan|in|met|van)\b)"
            rf"|\b(?:wij|we) (?:zijn|waren) (?:(?:vroeger|ooit|al jaren|toen|samen) )?"
            r"(?:vrienden|vriendinnen|buren|collega's|klasgenoten|huisgenoten|kamergenoten|"
            r"buurvrouwen|zakenpartners|teamgenoten)\b"
            r"|\b(?:een|de) [\w'’-]{3,20} (?:die|dat) ik (?:ken|kende|goed ken)\b"
            r"|\bik (?:sta|stond) (?:daar|er|hier) (?:(?:zelf|ook|vaak|elke dag) )?(?:achter|aan) "
            r"de (?:kassa|bar|balie|toonbank|tap|deur)\b"
            r"|\bik doe (?:de|zijn|haar|hun) (?:[\w-]*administratie|boekhouding|salarissen)\b"
            r"|\b(?:woont|woonde|wonen|woonden|staat ingeschreven|stond ingeschreven) "
            # (not before the address, which is then marked as the reporter's own)
            r"(?:(?:niet|nooit|al jaren|nog|ook) )?bij (?:mij|ons)\b(?! (?:op|aan|in)\b))"
        ),
        # "de camping waar ik elk weekend sta", "ik was daar vorige week", "ik zit daar in 4
        # havo": a place the reporter stays at, visited or studies at (fourteenth round)
        re.compile(
            r"(?i:\b(?:de|het|die|dat) [\w'’-]{3,30} waar (?:ik|wij|we) (?:[\w'’]+ ){1,3}?"
            r"(?:sta|stond|staan|stonden|kampeer|kampeerde|logeer|logeerde|kom|kwam|zit|zat)\b"
            r"|\b(?:ik|wij|we) (?:was|waren) (?:daar|er) (?:(?:zelf|ook) )?(?:vorige|afgelopen|"
            r"gisteren|laatst|vaak|regelmatig|elke|iedere)\b"
            r"|\b(?:ik|wij|we) (?:zit|zat|zitten|zaten) (?:daar|er|hier) (?:(?:ook|zelf) )?"
            r"(?:in|op) (?:[0-9]|de klas|school|groep|dezelfde)\w*)"
        ),
        # "omdat ik zijn taalcoach ben": the role in a subordinate clause (fourteenth round)
        re.compile(
            rf"(?i:\b(?:ik|wij|we) (?:zijn|haar|hun|z'n|zn) {_COMPOUND_PREFIX}(?:{_ROLES_NL}) "
            r"(?:ben|was|zijn|waren)\b)"
        ),
        re.compile(
            r"(?i:\b(?:ik ben|wij zijn|we zijn) (?:(?:zelf|ook) )?de [\w'’-]{3,30}"
            r"(?: en [\w'’-]{3,30})? van\b)"
        ),
        # "ik woon er pal boven", "ik woon op nummer 16", "ik zat naast ze in de bus"
        re.compile(
            r"(?i:\b(?:ik|wij|we) (?:woon|wonen|woonde|woonden) (?:er|hier|daar) "
            r"(?:(?:pal|direct|recht|schuin) )?(?:boven|onder|naast|tegenover|achter)\b"
            r"|\b(?:ik|wij|we) (?:woon|wonen) op nummer [0-9]{1,4}\b"
            # "ik woon op 103.", "wij wonen op 3e verdieping" (fourteenth round)
            r"|\b(?:ik|wij|we) (?:woon|wonen|woonde|woonden) (?:zelf |ook |beiden |allebei )?op "
            r"(?:de |het )?(?:[0-9]{1,2}e (?:verdieping|etage)|[0-9]{1,4}[a-z]?(?=[.,;!?]|$))"
            r"|\b(?:ik|wij|we) (?:zat|zaten|stond|stonden|zit|sta) (?:naast|tegenover|achter) "
            r"(?:hem|haar|ze|hen)\b)"
        ),
        # "wij hebben dezelfde werkgever", "ik sta met hem op dezelfde bouwplaats"
        re.compile(
            r"(?i:\b(?:ik|wij|we) (?:heb|hebben|had|hadden) (?:dezelfde|hetzelfde) "
            rf"(?:{_SHARED_NL})\b"
            r"|\b(?:ik|wij|we) (?:sta|stond|zit|zat|werk|werkte|zitten|zaten) (?:samen )?"
            r"(?:met (?:hem|haar|hen|ze) )?(?:op|in|bij) (?:dezelfde|hetzelfde|het bestuur|"
            r"de commissie|de raad) ?[\w'’-]{0,30})"
        ),
        # "ik verhuur de kamer aan hem", "toen ik bij hem thuis was", "we horen het door de
        # muur", "ik bezorg post in die wijk"
        re.compile(
            r"(?i:\b(?:ik|wij|we) (?:verhuur|verhuren|verhuurde|verhuurden) (?:de|een|het|mijn|"
            r"onze|ons) [\w'’-]{3,30}(?: aan (?:hem|haar|hen|ze))?"
            r"|\bik (?:bij|met) (?:hem|haar|hen) thuis (?:was|kwam|ben|kom)\b"
            r"|\b(?:ik|wij|we) (?:hoor|horen|hoorde|hoorden) (?:het|hem|haar|ze|alles)"
            r"(?: [\w'’]+)? door de (?:muur|muren|vloer|plafond)"
            r"|\b(?:ik|wij|we) (?:bezorg|bezorgde|bezorgen) (?:de )?(?:post|pakketten|kranten|"
            r"pakketjes) in (?:die|deze|de|dat|hun|zijn|haar) [\w'’-]{3,30})"
        ),
        # "ik werk achter de bar", "ik woon in een studentenhuis", "ik zit zelf in die
        # groep", "ik heb een relatie gehad met"
        re.compile(
            r"(?i:\b(?:ik|wij|we) (?:werk|werkte|werken|sta|stond) achter de (?:bar|balie|kassa|"
            r"toonbank|receptie)\b"
            r"|\b(?:ik|wij|we) (?:woon|woonde|wonen|woonden) in (?:een|de|het|dat|die) "
            r"(?!(?:buurt|stad|regio|omgeving|buurt van)\b)[\w'’-]{3,30}"
            r"|\b(?:ik|wij|we) (?:zit|zat|zitten|zaten) (?:zelf |ook )?in (?:die|deze|dat|dit) "
            r"[\w'’-]{3,30}"
            r"|\bik (?:heb|had) (?:een relatie|verkering|iets) (?:gehad )?met\b"
            r"|\b(?:inclusief|waaronder|onder wie) (?:mij|mijzelf|ikzelf)\b)"
        ),
        # "ik werk in de snackbar op de hoek", "ik werk op het bureau": the reporter's
        # workplace, named by an article or a demonstrative (not "ik werk in de zorg")
        re.compile(
            r"(?i:\b(?:ik|wij|we) (?:werk|werkte|werken|werkten) (?:(?:al jaren|sinds kort|zelf|"
            r"ook|nog|parttime|fulltime|elke dag|'s avonds|'s nachts) )?(?:in|op|bij) "
            r"(?:de|het|dat|die|deze|dit|zijn|haar|hun) "
            r"(?!(?:zorg|bouw|horeca|nacht|ochtend|avond|middag|weekend|weekenden|buurt|stad|"
            r"regio|omgeving|schoonmaak|thuiszorg|detailhandel|beveiliging|ict|it|logistiek)\b)"
            r"[\w'’-]{3,30})"
        ),
        # "ik woon drie deuren verder", "wij wonen een paar huizen verderop"
        re.compile(
            r"(?i:\b(?:ik (?:woon|woonde)|(?:wij|we) (?:wonen|woonden))(?: [\w'’]+){0,2}? "
            r"(?:deuren|huizen|portieken|flats) (?:verder|verderop|naast|ervandaan)\b)"
        ),
        # "ik doe de administratie voor zijn bedrijf", "ik doe haar boekhouding"
        re.compile(
            r"(?i:\b(?:ik|wij|we) (?:doe|deed|doen|deden) (?:de|zijn|haar|hun) "
            r"(?:administratie|boekhouding|belastingaangifte|aangifte|loonadministratie|"
            r"schoonmaak|was|boodschappen|tuin|haren|nagels)"
            r"(?: (?:voor|van|bij) (?:hem|haar|hen|ze|zijn|haar|hun|het|de|die|dat)\b)?)"
        ),
        # "ik zat met hem op school", "ik zit bij haar op voetbal"
        re.compile(
            r"(?i:\b(?:ik|wij|we) (?:zit|zat|zitten|zaten) (?:met|bij) (?:hem|haar|hen|ze) "
            r"(?:op|in|bij) (?:school|de klas|voetbal|hockey|de club|de sportschool|"
            r"dezelfde|hetzelfde|de opleiding|stage|les|training|het werk)\b)"
        ),
        # "ik werk als beveiliger", "ik ben vrijwilliger bij", "ik ben een van de weinigen die"
        re.compile(r"(?i:\b(?:ik|wij|we) (?:werk|werkte|werken|werkten) als [\w'’-]{3,30})"),
        re.compile(rf"(?i:\bik (?:ben|was) (?:{_ROLES_NL}) (?:bij|op|in|van)\b)"),
        re.compile(
            r"(?i:\b(?:ik ben|ik was|wij zijn|we zijn) (?:een|één) van de "
            r"(?:weinigen|enigen|weinige|enige|twee|drie|vier|vijf)(?: mensen| personen)? die\b)"
        ),
        # "ik sta zelf ingeschreven op dat adres", "wij delen een muur", "ik heb een
        # contactverbod": registered at the address, a wall or a court order only the
        # reporter has
        re.compile(
            r"(?i:\b(?:ik|wij|we) (?:sta|stond|staan|stonden) (?:(?:zelf|ook|nog) )?"
            r"ingeschreven (?:op|bij|in|aan)\b"
            r"|\b(?:ik|wij|we) (?:deel|delen|deelde|deelden) (?:een|de|het) (?:muur|tuin|"
            r"trappenhuis|portiek|oprit|galerij|hal|ingang|voordeur|schutting|badkamer|keuken)\b"
            r"|\b(?:ik|wij|we) (?:heb|hebben|had|hadden) (?:een )?(?:contactverbod|straatverbod|"
            r"gebiedsverbod|beschermingsbevel)\b)"
        ),
        # "dat weet ik omdat ik bij de gemeente werk", "ik ben getrouwd met zijn neef", "wij
        # hebben een zorgboerderij", "ik ben daar zelf geweest": a workplace in a subordinate
        # clause, a marriage, a business or a visit (not "ik ben 81": earlier writers do not
        # label the reporter's age)
        re.compile(
            r"(?i:\b(?:ik|wij|we) (?:(?:zelf|ook) )?(?:bij|op) (?:de|het|een|die|dat) "
            r"(?!(?:zorg|bouw|horeca|thuiszorg|schoonmaak)\b)[\w'’-]{3,30} "
            r"(?:werk|werkte|werken|werkten)\b"
            r"|\b(?:ik ben|ik was|wij zijn|we zijn) (?:getrouwd|verloofd|bevriend) met\b"
            r"|\b(?:ik|wij|we) (?:heb|hebben|had|hadden|run|runnen|runde) een (?:eigen )?"
            r"[\w-]{0,20}(?:boerderij|winkel|zaak|bedrijf|salon|praktijk|kwekerij|restaurant|café|"
            r"snackbar|bakkerij|camping|manege|garage)\b"
            r"|\b(?:ik ben|wij zijn|we zijn) (?:daar|er) (?:zelf |ook |zelf ook )geweest\b)"
        ),
        # "ik breng zijn kinderen naar school", "ik haal haar dochter op"
        re.compile(
            r"(?i:\b(?:ik|wij|we) (?:breng|bracht|brengen|haal|haalde|halen) (?:zijn|haar|hun) "
            r"(?:kinderen|kind|zoon|dochter|zoontje|dochtertje|kleinkinderen|moeder|vader)\b)"
        ),
        # "ik woon twee huizen verderop", "ik woon schuin tegenover"
        re.compile(
            r"(?i:\b(?:ik (?:woon|woonde)|(?:wij|we) (?:wonen|woonden))"
            r"(?: [\w'’]+){0,2}? (?:verderop|ernaast|erboven|eronder|hiernaast|hierboven|"
            r"hieronder|schuin tegenover|recht tegenover|om de hoek|erachter|hierachter|"
            r"ertegenover|hiertegenover)\b)"
        ),
        # "wij wonen in de flat boven hem", "ik heb de winkel naast zijn zaak": the home or
        # business next to the scene
        re.compile(
            r"(?i:\b(?:ik|wij|we) (?:woon|woonde|wonen|woonden|heb|had|hebben|hadden|huur|huren) "
            r"(?:in )?(?:de|het|een) (?:flat|woning|huis|appartement|kamer|winkel|zaak|"
            r"bovenwoning|benedenwoning|studio|bakkerij|kapsalon|kapperszaak|snackbar|garage|"
            r"werkplaats|praktijk|kantoor|restaurant|café|cafe|salon|toko|supermarkt) "
            r"(?:boven|onder|naast|tegenover|ernaast|erboven|"
            r"eronder)\b)"
        ),
        # "ik was degene die", "wij delen een trappenhuis met", "ik speel in hetzelfde team"
        re.compile(r"(?i:\bik was (?:degene die|de enige die)\b)"),
        re.compile(
            r"(?i:\b(?:ik|wij|we) (?:deel|delen|deelden) (?:een|de|het) "
            r"[\w'’-]{3,30} met\b)"
        ),
        re.compile(
            r"(?i:\b(?:ik|wij|we) (?:speel|speelde|spelen|speelden|zit|zat|zitten|zaten|sta|"
            r"stond|staan) (?:in|op|bij) (?:dezelfde|hetzelfde) [\w'’-]{2,30})"
        ),
        # "ik geef les op de school van zijn dochter", "ik geef hem bijles"
        re.compile(
            r"(?i:\b(?:ik|wij|we) (?:geef|gaf|geven|gaven) (?:(?:hem|haar|hun|ze) )?"
            r"(?:les|bijles|training|huiswerkbegeleiding)(?: (?:op|aan|bij|in) "
            r"(?:zijn|haar|hun|de|die|dat|het)(?: [\w'’-]{2,30})?)?\b)"
        ),
        # "vanuit mijn raam", "bij ons in de straat", "ik heet", "mijn naam is"
        re.compile(
            r"(?i:\b(?:vanuit|vanaf|uit) (?:mijn|m'n|ons|onze) "
            r"(?:raam|huis|woning|keuken|slaapkamer|balkon|tuin|woonkamer|auto|werkplek|kantoor|"
            r"bureau|werk|winkel|zaak|werkplaats|praktijk|salon|kapsalon|kiosk|bedrijf|garage|"
            r"loods|schuur|stal|kraam)\b)"
        ),
        re.compile(r"(?i:\bbij ons (?:in de|op de|in het|op het) [\w'’-]{3,30})"),
        re.compile(r"(?i:\bik heet\b)"),
        # "ik werk daar ook", "wij wonen er al jaren"
        re.compile(
            rf"(?i:\b(?:ik|wij|we) (?:{_DUTCH_PLACE_VERBS}) (?:{_DUTCH_ADVERBS} )?{_DUTCH_THERE}"
            rf"(?: (?:{_DUTCH_ADVERBS})\b)?)"
        ),
        # "omdat ik daar schoonmaak", "dat wij er ook wonen"
        re.compile(
            rf"(?i:\b(?:ik|wij|we) (?:{_DUTCH_ADVERBS} )?(?:daar|er|hier) (?:{_DUTCH_ADVERBS} )?"
            rf"(?:{_DUTCH_PLACE_VERBS_LAST})\b)"
        ),
        # "ik heb daar twee jaar gewerkt", "wij hebben samen in de klas gezeten"
        re.compile(
            r"(?i:\b(?:ik|wij|we) (?:heb|hebben|had|hadden) (?:(?:zelf|ook|vroeger|jaren) )?"
            r"(?:daar|er|hier|samen|(?:bij|met|voor) (?:hem|haar|hen|hun|ze|"
            r"(?:die|dat|deze|dit|de|het) [\w'’-]{2,20}))"
            rf"(?: (?!niet\b|nooit\b|geen\b)[\w'’]+){{0,4}}? (?:{_DUTCH_PARTICIPLES})\b)"
        ),
        # "ik maak daar 's avonds schoon"
        re.compile(
            r"(?i:\b(?:ik|wij|we) (?:maak|maken|maakte|maakten) "
            r"(?:daar|er|hier|bij (?:hem|haar|hen|ze)|"
            r"het (?:kantoor|pand|huis|gebouw)|de (?:kantoren|woning|flat|winkel|zaak))"
            r"(?: [\w'’]+){0,3}? schoon\b)"
        ),
        # Ninth round. What the reporter bought, rented or paid at the place or from the
        # person ("ik heb er twee gekocht", "ik heb bij hem een auto gekocht", "die ik van
        # hem kocht", "waar ik een winkel huur"): one of few customers or tenants.
        re.compile(
            r"(?i:\b(?:ik|wij|we) (?:heb|had|hebben|hadden) (?:(?:zelf|ook|toen|daar|er) ){0,2}"
            r"(?:(?:er|daar|bij (?:hem|haar|hen|ze)|van (?:hem|haar|hen)) )"
            r"(?:(?!niet\b|nooit\b|geen\b|niets\b|niks\b)[\w'’€,.-]+ ){0,4}?"
            r"(?:gekocht|besteld|gehuurd|betaald|overgemaakt|verstuurd|gestort)\b"
            r"|\b(?:ik|wij|we) (?:van|bij) (?:hem|haar|hen) (?:kocht|kochten|huur|huurde|huren|"
            r"huurden|bestelde|bestelden)\b"
            r"|\b(?:ik|wij|we) (?:een|de|het) [\w'’-]{3,20} (?:huur|huurde|huren|huurden)\b"
            r"|\bik huur (?:zelf |ook |al jaren )*(?:bij|van) (?:hem|haar|hen)\b)"
        ),
        # Where the reporter comes regularly ("ik kom daar wekelijks", "wij lopen daar ook
        # vaak", "ik stal er mijn boot", "ik ben er klant geweest"): a regular at the place.
        re.compile(
            r"(?i:\b(?:ik|wij|we) (?:kom|kwam|komen|kwamen|ga|ging|gaan|gingen|rij|reed|rijden|"
            r"reden|loop|liep|lopen|liepen|wandel|wandelde|wandelen|fiets|fietste|fietsen|stal|"
            r"stalde|lever|leverde|leveren|sta|stond|staan|stonden) "
            r"(?:(?:zelf|ook|nog|vaak|soms) ){0,2}(?:daar|er)(?= (?:elke|iedere|vaak|soms|ook|"
            r"wekelijks|dagelijks|regelmatig|geregeld|met|mijn|m'n|onze|ons)\b)"
            r"|\b(?:ik|wij|we) (?:ben|was|zijn|waren) (?:er|daar) (?:zelf |ook |vaak )*"
            r"(?:klant|gast|lid|vaste klant)(?: geweest)?\b)"
        ),
        # A life shared with the person ("we zijn sinds juni gescheiden", "wij waren twee
        # jaar samen", "wij staan samen op de markt", "onze tuinen grenzen aan elkaar",
        # "hij zit in dezelfde klas als ik").
        re.compile(
            r"(?i:\b(?:wij|we) (?:zijn|waren) (?:(?!niet\b|nooit\b|geen\b)[\w'’]+ ){0,3}?"
            r"(?:gescheiden|uit elkaar|samen|getrouwd|collega's)\b"
            r"|\b(?:wij|we) (?:woonden|werkten|wonen|werken|staan|stonden|zitten|zaten) samen\b"
            r"|\bonze (?:tuinen|huizen|balkons|woningen|percelen|erven) grenzen\b"
            r"|\b(?:dezelfde|hetzelfde) [\w'’-]{3,30} als (?:ik|wij|mij)\b)"
        ),
        # Who lives against the reporter's home, and how the reporter knows the person
        # ("zijn tuin grenst aan de mijne", "hij woont boven ons", "een van mijn cliënten",
        # "een cursist van mij", "ik ken hem van de kerk").
        re.compile(
            r"(?i:\b(?:grenst|grenzen|grensde) aan (?:de|het) (?:mijne|onze|ons)\b"
            r"|\b(?:naast|boven|onder|tegenover) (?:de|het) (?:mijne|onze)\b"
            r"|\b(?:hij|zij|ze) (?:woont|wonen|woonde|woonden) (?:(?:pal|direct|recht|vlak) )?"
            r"(?:naast|boven|onder|tegenover|achter|bij) (?:mij|ons)\b"
            r"|\b(?:een|twee|drie|enkele|sommige) van (?:mijn|m'n|onze) [\w'’-]{3,30}"
            r"|\b(?:een|de) [\w'’-]{3,30} van (?:mij|ons)(?= *[,.;:!?)]|$)"
            r"|\b(?:ik ken|wij kennen|we kennen|ik kende) (?:hem|haar|ze|hen|die man|die vrouw) "
            r"(?:van|uit|via) (?:de|het|mijn|m'n|onze|ons)\b)"
        ),
        # Tenth round. Where the reporter sits, what they run or share with the person
        # ("ik zit zelf in het bestuur", "ik studeer met hem", "ik organiseer die avonden",
        # "als enige vrouw in de ploeg", "ik ben de projectleider", "ik ben een Eritrese
        # vrouw uit Assen", "ik sta zelf ook op de lijst").
        re.compile(
            r"(?i:\b(?:ik|wij|we) (?:zit|zat|zitten|zaten) (?:(?:zelf|ook|nog) ){0,2}in (?:het|de) "
            r"[\w-]{0,20}(?:bestuur|raad|commissie|redactie|directie|fractie)\b"
            r"|\bik (?:zit|zat|studeer|studeerde|werk|werkte|speel|speelde|sport|sportte|train|"
            r"trainde|zing|zong)(?: (?:zelf|ook|samen))? met (?:hem|haar|hen|ze)\b"
            r"|\b(?:ik|wij|we) (?:organiseer|organiseerde|organiseren|leid|leidde|leiden) "
            r"(?:die|deze|dat|dit|de|het) [\w'’-]{3,30}"
            r"|(?:^|(?<=[.!?]\s))als (?:de )?enige [\w'’-]{3,30}(?=[^.!?]{0,60}\bik\b)"
            rf"|\bik ben (?:zelf |ook )?de (?:{_ROLES_NL})\b"
            r"|\bik ben (?:gewoon |zelf |ook )?een (?:(?-i:[A-Z][a-zà-ÿ]+e) )?"
            rf"(?:vrouw|man|moeder|vader|meisje|jongen|{_ROLES_NL}) (?:in|uit|bij|op|van)\b"
            r"|\b(?:ik|wij|we) (?:sta|stond|staan|stonden) (?:(?:zelf|ook|er) ){0,2}(?:op|in) "
            r"(?:de|die|deze|dat|dit|het) (?:lijst|foto|video|filmpje|groep|chat)\b)"
        ),
        # Eleventh round, part b. A job, status or relation after "ik ben" in more shapes
        # ("ik ben zelfstandig boekhouder", "ik ben daar vrijwilliger", "ik ben de
        # locatiemanager", "wij zijn de overburen", "ik ben uw klant"), the reporter in
        # apposition ("ik, haar dochter,"), a compound relation or the reporter's own thing
        # after a possessive ("mijn oud-collega", "onze tuinvereniging", "mijn eigen fiets"),
        # someone "bij mij op school", "een studiegenoot van ons", whom the reporter knows
        # ("ik ken zijn moeder").
        re.compile(
            r"(?i:\b(?:ik ben|ik was|wij zijn|we zijn) (?:(?:zelf|ook|zelfstandig|gepensioneerd|"
            r"gepensioneerde|freelance|parttime|fulltime|daar|er|hier|al jaren|sinds kort) ){1,2}"
            rf"{_COMPOUND_PREFIX}(?:{_ROLES_NL})\b(?! dan\b)"
            r"|\b(?:ik ben|ik was|wij zijn|we zijn) (?:(?:zelf|ook) )?(?:de|een|uw|jullie) "
            rf"{_COMPOUND_PREFIX}(?:{_ROLES_NL})\b(?! dan\b)"
            r"|\bik, (?:zijn|haar|hun|z'n|de|een) "
            rf"(?:(?:{_DUTCH_ROLE_ADJECTIVES}) )?{_COMPOUND_PREFIX}(?:{_ROLES_NL})\b"
            r"|\b(?:mijn|m'n|m(?-i:n)|onze|ons) (?!burgemeester\b)"
            rf"[a-zà-ÿ]{{2,20}}-?(?=[a-zà-ÿ]{{4}})(?:{_DUTCH_RELATIONS})\b"
            r"|\b(?:mijn|m'n|m(?-i:n)|onze|ons) (?:eigen|gestolen) "
            r"(?!(?:ogen|oren|mening|schuld|ervaring|gevoel|naam|nummer|adres|veiligheid)\b)"
            # a stolen identity document is the reporter's identity, marked by its number
            r"(?!(?:identiteitskaart|id-kaart|paspoort|rijbewijs|bankpas|pinpas)\b)"
            r"[\w'’-]{3,25}"
            r"|\b(?:zit|zat|zitten|zaten|werkt|werkte|werken|werkten|woont|woonde|sport|sportte|"
            r"traint|trainde|speelt|speelde|studeert|studeerde|komt|kwam) bij (?:mij|ons) "
            r"(?:op|in|aan|thuis)\b"
            r"|\b(?:een|de) "
            rf"{_COMPOUND_PREFIX}(?:{_ROLES_NL}|genoot|genote|genoten) van (?:ons|mij|me)\b"
            r"|\b(?:ik ken|ik kende|wij kennen|we kennen) (?:zijn|haar|hun|z'n) "
            rf"(?:{_DUTCH_RELATIONS})\b)"
        ),
        # Where the reporter lives, sits, works or comes, and what they see from there ("ik
        # woon op de eerste", "ik zit in 4havo", "ik zit in de groepsapp van", "ik werk in de
        # thuiszorg", "ik tap daar op vrijdag", "ik was erbij", "ik zie ze elke dag", "ik
        # speel in zijn team", "ik heb in de klas gezeten met", "ik heb les van hem gehad").
        re.compile(
            r"(?i:\b(?:ik|wij|we) (?:woon|woonde|wonen|woonden) (?:(?:zelf|ook|nu|sinds [\w]+|"
            rf"al [\w]+ jaar|al jaren|beiden|allebei) ){{0,2}}(?:in|op|aan)"
            rf"(?={_NO_ADDRESS_AFTER_NL})"
            # "ik woon in de buurt van Utrecht" says little
            r"(?! (?:de )?(?:buurt|omgeving|regio)\b)"
            r"|\b(?:ik|wij|we) (?:zit|zat|zitten|zaten) (?:(?:zelf|ook|nog|samen|alle [\w]+) ){0,2}"
            r"(?:in|op|bij) (?:de |het |een |die |dat )?(?:groepsapp|groepschat|app|chat|server|"
            r"klas|"
            r"groep|mr|gmr|medezeggenschapsraad|ouderraad|leerlingenraad|ploeg|team|koor|band|"
            r"[0-9](?:e|de)? ?(?:klas|jaar)|[0-9][a-z]{1,4}|[a-z]{0,15}(?:les|club|vereniging|"
            r"school|"
            r"training|boksen|ballet|voetbal|hockey|judo|karate))\b"
            r"|\b(?:ik|wij|we) (?:werk|werkte|werken|werkten) (?:(?:zelf|ook|nu|al jaren|"
            r"sinds [\w]+|"
            # a workplace, not a sector or a time ("ik werk in de zorg", "in het weekend")
            r"parttime|fulltime) ){0,2}(?:in|op) (?:de |het |een |die |dat )?[\w'’-]{0,20}"
            r"(?:fabriek|kassen|kas|ziekenhuis|winkel|magazijn|haven|keuken|bediening|thuiszorg|"
            r"kantoor|hotel|restaurant|bakkerij|supermarkt|distributiecentrum|kwekerij|garage|"
            r"werkplaats|salon|apotheek|bibliotheek|gevangenis|azc|opvang|kliniek|verpleeghuis)\b"
            r"|\bik (?:tap|tapte|tank|tankte|slaap|sliep|kampeer|kampeerde|kom|kwam|eet|at|zwem|"
            r"zwom|help|hielp|kook|kookte|bid|shop|poets|vis|viste|zing|zong|speel|speelde) "
            r"(?:daar|er)(?: (?:al jaren|elke|iedere|vaak|regelmatig|wekelijks|dagelijks|als|sinds|"
            r"ook|zelf|altijd|soms|op [a-z]*dag|op [a-z]*dagen)\b|(?=[,.;!?])|$)"
            r"|\b(?:ik|wij|we) (?:was|waren) (?:erbij|er (?:(?:zelf|ook|gewoon) ){0,2}bij)\b"
            r"|\b(?:ik|wij|we) (?:zie|zag|zien|zagen) (?:hem|haar|ze|hen|alles) "
            r"(?:(?:elke|iedere) (?:dag|week|ochtend|middag|avond|nacht)|vanuit (?:mijn|m'n|ons|"
            r"onze))\b"
            r"|\b(?:ik|wij|we) (?:speel|speelde|spelen|voetbal|voetbalde|hockey|train|trainde|zing|"
            r"zong|dans|danste|roei|zeil) (?:(?:ook|zelf|samen) )?(?:in|bij) (?:zijn|haar|hun|het|"
            r"de|"
            r"een|dat|die) [\w'’-]{0,20}(?:team|elftal|club|band|koor|vereniging|ploeg|orkest|"
            r"selectie)\b"
            r"|\b(?:ik|wij|we) (?:heb|hebben) (?:(?:samen|ook|zelf|jaren) )?(?:in|op|bij) "
            r"(?:de |het |dezelfde |hetzelfde )?[\w'’-]{2,20} (?:gezeten|gewerkt|gewoond|gespeeld|"
            r"getraind|gestudeerd) (?:met|bij|naast)\b"
            r"|\b(?:ik|wij|we) (?:heb|hebben|had|hadden) (?:les|bijles|training|college|therapie|"
            r"rijles) (?:van|bij|gehad van) (?:hem|haar)\b"
            # "ik vang haar kinderen op", "ik help hem met de administratie", "de school waar
            # ik invalkracht ben"
            r"|\bik (?:vang|ving) (?:zijn|haar|hun) (?:kinderen|kind|zoon|dochter|kleinkinderen)\b"
            r"|\bik (?:help|hielp) (?:hem|haar|hen) (?:(?:soms|vaak|altijd|wel eens) )?met\b"
            rf"|\bwaar ik {_COMPOUND_PREFIX}(?:{_ROLES_NL}) (?:ben|was)\b)"
        ),
        # What the reporter bought, paid or lost, owns or runs, and a plot or home against
        # the person's ("ik heb zelf 2 tassen gekocht", "ik ben 1500 euro kwijt", "wij
        # hebben samen een dochter", "wij hebben een stal", "ik heb het tuintje naast hem",
        # "ons erf grenst aan het hunne", "ik beheer zijn financiën").
        re.compile(
            r"(?i:\b(?:ik|wij|we) (?:heb|hebben|had|hadden) (?!(?:niet|niets|niks|nooit|geen)\b)"
            r"(?:(?:zelf|ook|bijna|al|er|samen|toen|daar|hem|haar|ze) ){0,3}"
            r"(?:(?:een|twee|drie|[0-9]+|de|het|die|dat) )?(?!(?:niet|niets|niks|nooit|geen)\b)"
            r"(?:[\w'’-]{2,25} )?(?:gekocht|betaald|overgemaakt|besteld|gehuurd|geboekt)\b"
            r"|\bik ben (?:zelf |ook )?(?:€ ?)?[0-9][0-9.,]* (?:euro )?(?:kwijt|verloren)\b"
            r"|\b(?:ik|wij|we) (?:heb|hebben|had|hadden) (?:samen (?:een|twee|drie|[0-9]) "
            r"(?:kind|kinderen|zoon|zoons|dochter|dochters|zoontje|dochtertje)|(?:een|twee|drie|"
            r"[0-9]) (?:kind|kinderen|zoon|zoons|dochter|dochters|zoontje|dochtertje) "
            r"(?:samen|met (?:hem|haar)))\b"
            r"|\b(?:ik|wij|we) (?:heb|hebben|had|hadden|run|runnen|beheer|beheren|bezit|bezitten) "
            r"(?:een|de|het) (?:[\w'’&-]+ ){0,2}?(?:winkel|webshop|zaak|bedrijf|bed and breakfast|"
            r"b&b|bnb|hotel|hostel|pension|stal|manege|camping|kapsalon|salon|boerderij|restaurant|"
            r"café|kroeg|snackbar|bakkerij|praktijk|kwekerij|eethuis|toko|supermarkt|slagerij)\b"
            r"|\bik (?:beheer|beheerde|doe|deed) (?:de|zijn|haar|hun) (?:administratie|financiën|"
            r"boekhouding|planning|kas|sleutels)\b"
            r"|\b(?:ik|wij|we) (?:heb|hebben|had|hadden|huur|huren) (?:het|een|de) [\w'’-]{3,25} "
            r"(?:naast|tegenover|boven|onder|achter) (?:hem|haar|hen|ze|hun|die|dat|de|het)\b"
            # not a relation ("onze tuin grenst aan die van hem" is found as "onze tuin")
            r"|\b(?:mijn|m'n|onze|ons) "
            rf"(?!(?:{_DUTCH_RELATIONS})\b)[\w'’-]{{3,25}} (?:is|ligt|staat|grenst) "
            r"(?:naast|tegenover|"
            r"boven|onder|aan) (?:de zijne|de hare|het zijne|het hare|de hunne|het hunne|hem|"
            r"haar|die van)\b)"
        ),
        # Eleventh round. "ik werk nu op de afdeling", "ik woon sinds 2019 in de flat",
        # "wij wonen op de 2e": where the reporter works or lives, with the adverbs that
        # may stand between ("ik woon niet in" is no self-reference)
        re.compile(
            # ("ik werk in de zorg" names a sector, "ik woon in de buurt" a vague area)
            r"(?i:\bik werk (?:zelf |ook |al jaren |nu )?(?:op|in(?! (?:de|het)\b))\b"
            r"|\b(?:ik woon|wij wonen|we wonen)(?: (?:zelf|ook|al|nog|sinds \w+))* "
            # (not before a street and number: that address is the reporter's own, found as such)
            r"(?:op nummer|(?:op (?:de|het)|in(?! de (?:buurt|regio|omgeving)\b)|aan de|aan het)"
            rf"(?={_NO_ADDRESS_AFTER_NL}))\b)"
        ),
        # "wij delen een tussenmuur", "mijn kelderbox is naast de zijne", "ons erf grenst
        # aan het hunne": what the reporter shares with or has next to the person
        re.compile(
            rf"(?i:\b(?:wij|we) delen (?:een|de|het) (?:{_SHARED_PLACES_NL})\b"
            rf"|\b(?:mijn|m'n|m(?-i:n)|onze|ons) (?:{_OWN_PLOTS_NL}) "
            r"(?:is|ligt|liggen|staat|staan|grenst|grenzen) "
            r"(?:naast|tegenover|aan)\b)"
        ),
        # "ik tank daar al jaren", "ik kom daar als klant": a regular of the place; "ik heb zelf
        # betaald", "ik ben zelf verzamelaar": what the reporter did or is (not "ik heb zelf
        # niets gezien"); "ik help hem met de administratie"; "onze onderzoeksgroep"
        re.compile(
            r"(?i:\b(?:ik|wij|we) (?:kom|kwam|komen|tank|tankte|kampeer|kampeerde|kamperen|"
            r"winkel|eet|zwem|sport) (?:daar|hier)\b"
            r"|\bik (?:sta|was) zelf\b"
            r"(?! (?:ook )?(?:niks|niets|geen|niemand|nooit|niet)\b)"
            r"|\bik help (?:hem|haar|hen|ze)\b"
            r"|\b(?:mijn|m'n|m(?-i:n)|onze|ons) (?:[\w-]+ )?[\w-]*(?:klas|groep|team)\b)"
        ),
        # "ik beheer zijn financiën", "ik ben de koper", "ik zing in het koor", "onze
        # Syrische vereniging": a task for the person, a part in the deal, the reporter's
        # choir or association
        re.compile(
            r"(?i:\bik (?:beheer|beheerde|doe|deed) (?:zijn|haar|hun|de) "
            r"(?:administratie|financiën|boekhouding|post|website|planning)\b"
            r"|\bik ben de (?:koper|verkoper|huurder|verhuurder)\b"
            r"|\b(?:ik|wij|we) (?:zing|zingen|speel|spelen|zit|zitten) in (?:het|een|de) "
            r"(?:koor|orkest|band|bestuur)\b"
            rf"|\b(?:onze|ons) (?:[\w-]+ ){{0,2}}(?:{_ASSOCIATIONS_NL})\b)"
        ),
        # "ik zie hem vanuit mijn keukenraam", "ik heb jarenlang als secretaresse gewerkt",
        # "ik ben gepensioneerd onderwijzeres": the reporter's window, past job, or a job
        # after a word for its kind
        re.compile(
            r"(?i:\bvanuit (?:mijn|m'n|ons|onze) "
            r"[\w-]*(?:raam|keuken|huis|woning|kamer|tuin|balkon|flat|kantoor|winkel)\b"
            r"|\bik heb (?:jarenlang |lang |jaren |ook |zelf )?als [\w-]+ gewerkt\b"
            r"|\bik ben (?:gepensioneerd|zelfstandig|voormalig|freelance|parttime|fulltime) "
            r"(?!(?:sinds|maar|en|dus|van|bij|in|op|of)\b)[\w-]{4,30})"
        ),
        # Twelfth round. Membership, presence and function told in passing: "ik zit in een
        # appgroep van", "toen ik bij de drogist stond", "ik zie ze achter het raam", "bij
        # mij in de portiek", "ik verhuur kamers", "ik studeer in", "ik zit op de administratie",
        # "ik ga naar die kerk", "ik heb er achter de kassa gestaan", "ik woon zelf beneden",
        # "als pleeggezin", "ik heb hem 300 euro betaald", "ik kom er vaak", "ik verkoop zelf",
        # "we zeilen samen", "ik ken haar van de kerk" (a sector, "ik werk in de zorg", stays
        # unflagged)
        re.compile(
            r"(?i:\bik zit (?:in|op) (?:een|de|het) (?:[\w'’-]+ ){0,3}?"
            r"(?:[\w-]*groep|groepsapp|discord|server|chat|kanaal)\b"
            r"|\btoen ik (?:bij|in|op|voor|achter|naast) (?:de|het|een) (?:[\w'’-]+ ){1,2}?"
            r"(?:stond|zat|was|liep|kwam|werkte)\b"
            r"|\bik zie (?:ze|hem|haar|hen) (?:[\w'’]+ ){0,2}?(?:achter|door|vanuit|vanaf) "
            r"(?:het|de|mijn|ons|onze)\b"
            r"|\bbij mij (?:(?:in|op|aan|voor) (?:de |het )?(?:hal|portiek|galerij|deur|straat|"
            r"flat|huis|werk|kantoor|school|klas)|heeft|kwam|werd)\b"
            r"|\bbij ons (?:op|in) (?:de |het )?(?:school|werk|kantoor|klas|afdeling|club|"
            r"vereniging|team)\b"
            r"|\bik verhuur (?:[\w'’-]+ ){0,2}?(?:kamers?|woningen|woning|appartementen|"
            r"appartement|studio's|huis|panden)\b"
            r"|\bik studeer (?:in|aan|op|bij)\b"
            r"|\bik zit op de [\w-]*(?:administratie|afdeling|receptie|balie|kassa|planning)\b"
            r"|\bik (?:ga|ging|kom|kwam) (?:naar|in) (?:die|dezelfde|deze) "
            r"(?:kerk|moskee|sportschool|school|club|winkel|supermarkt|vereniging|tempel|kapper|"
            r"salon)\b"
            r"|\bik heb (?:er|daar) (?!(?:nog )?(?:nooit|niet)\b)(?:[\w'’]+ ){0,3}?"
            r"(?:gestaan|gewerkt|gezeten|gewoond)\b"
            r"|\bik woon (?:zelf |ook )?(?:beneden|boven|ernaast|ertegenover|onder|naast|"
            r"tegenover)\b"
            r"|\bals (?:pleeggezin|pleegouders?|gastgezin|gastouders?)\b"
            r"|\bik heb (?:hem|haar|hun|ze) (?:€ ?)?[0-9][0-9.,]*(?: euro)?"
            r"|\bik (?:kom|kwam|ben) (?:er|daar) (?:vaak|elke|iedere|regelmatig|wekelijks|soms)\b"
            r"|\bik (?:verkoop|verkocht) zelf\b"
            r"|\b(?:wij|we) (?:zeilen|zeilden|spelen|speelden|sporten|sportten|trainen|trainden|"
            r"reden|rijden|werkten|studeerden|zaten|voetbalden|voetballen|zingen|zongen|liepen) "
            r"(?:[\w'’]+ )?samen\b"
            r"|\b(?:ik|wij|we) (?:ken|kennen) (?:hem|haar|hen|ze) (?:van|uit) (?:de |het )?"
            r"(?:kerk|school|werk|sportschool|moskee|club|vereniging|regio|buurt|koor)\b)"
        ),
        # "onze koster", "mijn voormalige werkgever", "onze manager": a possessive before any
        # role, as before a relation (fourteenth round)
        re.compile(
            # (not "onze wijkagent": an officer serves the whole district, as a mayor does)
            rf"(?i:\b(?:mijn|m'n|m(?-i:n)|onze) (?:(?:{_DUTCH_QUALIFIERS}|voormalige|huidige|"
            rf"toenmalige) )?(?!(?:wijkagent|buurtagent|agent|politieagent|handhaver|boa)\b)"
            rf"(?:{_ROLES_NL})\b(?!-))"
        ),
    ),
    "en": (
        re.compile(
            rf"(?i:\b(?:my|our) (?:(?:{_ENGLISH_QUALIFIERS}) )?{_PROPER_ADJECTIVES}"
            rf"(?:{_ENGLISH_RELATION_PREFIXES})?(?:{_ENGLISH_RELATIONS})\b)"
        ),
        re.compile(
            rf"(?i:\b(?:I am|I'm|I’m|I was|as|being(?<!without being)|we are|we're|we’re|we were|"
            rf"I've been|I’ve been|I have been) (?:his|her|their|the|a|an) "
            rf"(?:(?:{_ENGLISH_ROLE_ADJECTIVES}) )?(?:{_ROLES_EN}|only one)s?\b)"
        ),
        # "I'm her form tutor", "I'm the night manager", "I'm a regular customer there",
        # "I'm the victim's cousin": one more word before the role
        re.compile(
            rf"(?i:\b(?:I am|I'm|I’m|I was|we are|we're|we’re|we were) "
            r"(?:his|her|their|the|a|an) (?:[\w-]{2,20}(?:'s|’s)? )"
            rf"(?:{_ROLES_EN})s?\b)"
        ),
        # "I am one of the cleaners", "we're one of the families"
        re.compile(
            r"(?i:\b(?:I'm|I’m|I am|I was|we're|we’re|we are|we were) one of the "
            r"(?!(?:few|only)\b)[\w'’-]{3,30})"
        ),
        # "a customer of mine", "a colleague of ours"
        re.compile(
            rf"(?i:\b(?:a|an|one) (?:(?:{_ENGLISH_ROLE_ADJECTIVES}) )?(?:{_ROLES_EN}) "
            r"of (?:mine|ours)\b)"
        ),
        # "I write as the headteacher", "I'm writing on behalf of the residents"
        re.compile(
            r"(?i:\b(?:I write|I'm writing|I’m writing|I am writing|we write|we're writing|"
            r"I'm reporting this|I am reporting this) (?:as|on behalf of) "
            r"(?:(?:the|a|an|our|my) )?"
            r"(?!(?:I|I'm|I’m|he|she|it|we|they|you|if|though|well|anonymous)\b)[\w'’-]{3,30})"
        ),
        # "the shop where I work", "the school where we study"
        re.compile(
            r"(?i:\b(?:the|that|this) [\w'’-]{3,30} (?:where|that) (?:I|we) "
            r"(?:work|worked|live|lived|study|studied|volunteer|train)\b)"
        ),
        # "I study at the same uni", "I'm employed at the hospital"
        re.compile(
            r"(?i:\b(?:I|we) (?:study|studied|am studying|'m studying) (?:at|in) "
            r"(?:the|that|this)\b"
            r"|\b(?:I am|I'm|I’m|I was) employed (?:as|at|by|in)\b)"
        ),
        # "Neighbour here.", "Teacher here:": a reporter introducing themselves
        re.compile(rf"(?i:(?:^|(?<=[.!?]\s))(?:{_ROLES_EN}) here\b)"),
        # "I'm the only person with a key", "I'm the one who found it"
        re.compile(
            r"(?i:\b(?:I am|I'm|I’m) the (?:only (?:other )?(?:person|witness|employee|woman|man|"
            r"girl|boy|tenant|resident|customer|parent|neighbou?r|one)|one who)\b)"
        ),
        # "I'm in his class", "I go to the same gym as him"
        re.compile(
            r"(?i:\b(?:I am|I'm|I’m|we are|we're|we’re|I was|we were) in (?:his|her|their) "
            r"(?:class|year|team|group|form|unit|department|squad|band|tutor group)\b)"
        ),
        re.compile(
            r"(?i:\b(?:I|we) (?:go to|went to|attend|attended|train at|trained at|use|used) "
            r"the same [\w'’-]{2,30})"
        ),
        # "We have a neighbour at …", "we were friends", "I'm in that group chat" (fourteenth
        # round)
        re.compile(
            rf"(?i:\b(?:I|we) (?:have|had|'ve got|’ve got|have got) an? (?:new )?"
            rf"(?:{_ENGLISH_RELATIONS})\b(?= (?:who|that|at|on|in|with|called|named)\b)"
            r"|\b(?:we|we're|we’re) (?:are|were|used to be) (?:(?:old|best|once) )?(?:friends|"
            r"neighbours|neighbors|colleagues|classmates|housemates|flatmates|roommates|"
            r"teammates)\b"
            r"|\bI(?:'m| am|’m| was) in (?:that|the|this|their|his|her) (?:group chat|"
            r"group|chat|WhatsApp group|class|team)\b)"
        ),
        re.compile(
            r"(?i:\b(?:I|we) (?:live|work|sit|stay) (?:(?:directly|right|just|immediately) )?"
            r"(?:next door(?: to)?|next to|above|below|under|underneath|beneath|upstairs from|"
            r"downstairs from|opposite|across from|"
            r"across the street from|with|at|for|in the same|on the same|together with)\b)"
        ),
        re.compile(
            r"(?i:\bfrom (?:my|our) (?:window|house|flat|apartment|kitchen|bedroom|balcony|garden|"
            r"car|office|desk|workplace|shop)\b)"
        ),
        re.compile(r"(?i:\bI am called\b|\bI'm called\b)"),
        # "I rent the room above his shop", "I babysit for them", "I deliver their post"
        re.compile(
            r"(?i:\b(?:I|we) (?:rent|rented|lodge|lodged) (?:(?:a|the) (?:room|flat|house|"
            r"apartment|studio|garage|space|place|unit)(?: (?:from|above|below|in|at|next to|"
            r"behind))?|from (?:him|her|them))\b)"
        ),
        re.compile(
            r"(?i:\b(?:I|we) (?:babysit|babysat|look after|looked after|care for|cared for|"
            r"deliver|delivered|clean|cleaned|clean for|cleaned for|tutor|tutored|nanny for) "
            r"(?:for )?(?:them|him|her|their|his)\b(?: (?:post|mail|parcels|packages|kids|"
            r"children|son|daughter|house|flat|home|papers|groceries|mother|father)\b)?)"
        ),
        # "I work as a cleaner", "one of the few who", "only three of us"
        re.compile(r"(?i:\b(?:I|we) (?:work|worked|working) as an? [\w'’-]{3,30})"),
        re.compile(
            r"(?i:\b(?:I'm|I’m|I am|I was|we're|we’re|we are|we were) one of "
            r"(?:the few|the only|only (?:two|three|four|five|a few)|(?:two|three|four|five))"
            r"(?: people| persons)? (?:who|that|with)\b)"
        ),
        re.compile(r"(?i:\bonly (?:two|three|four|five|six|a few|a handful) of us\b)"),
        # "I drive him to work", "I take her kids to school"
        re.compile(
            r"(?i:\b(?:I|we) (?:drive|drove|take|took|pick up|picked up|walk|walked|bring|brought)"
            r" (?:him|her|them|(?:his|her|their) (?:kids|children|son|daughter|mum|mother|dad|"
            r"father)) (?:to|from|home from) (?:work|school|college|training|the station|"
            r"nursery)\b)"
        ),
        # "I live two doors down", "I live upstairs from him"
        re.compile(
            r"(?i:\b(?:I|we) (?:(?:used to|also|still) )?(?:live|lived|stay|stayed) "
            r"(?:(?:two|three|four|a few|some|[0-9]{1,2}) (?:doors|houses) (?:down|up|along|away)|"
            r"upstairs|downstairs|round the corner|around the corner|a few doors)\b)"
        ),
        # "we live in the flat below theirs", "I run the shop next door to his garage"
        re.compile(
            r"(?i:\b(?:I|we) (?:live|lived|stay|stayed|run|ran|own|owned|have|had|rent|rented) "
            r"(?:(?:in|at) )?(?:the|a) (?:flat|house|apartment|room|unit|shop|cafe|café|business|"
            r"stall|salon|garage|office|studio|bakery|takeaway|pub|restaurant|practice|surgery) "
            r"(?:below|above|upstairs|downstairs|beneath|"
            r"next door(?: to)?|next to|opposite|across from|across the street from)\b)"
        ),
        # "I do his books", "I did her hair for years": a service only a few people give
        re.compile(
            r"(?i:\b(?:I|we) (?:do|did|keep|kept|handle|handled|manage|managed|sort|sorted) "
            r"(?:his|her|their) (?:books|accounts|taxes|tax return|admin|paperwork|payroll|hair|"
            r"nails|garden|shopping|cleaning|laundry|ironing|invoices|bookkeeping)\b)"
        ),
        # "I'm the girl he's been messaging", "I've known him since school"
        re.compile(
            r"(?i:\b(?:I'm|I’m|I am) the (?:girl|boy|woman|man|person|kid|one) "
            r"(?:he|she|they)(?:'s|’s|'d|’d| has| had| is| was)?(?: been)? [\w'’]+)"
        ),
        re.compile(
            r"(?i:\b(?:I've|I’ve|I have|we've|we’ve|we have) known (?:him|her|them) "
            r"(?:since|for)\b)"
        ),
        # "he only told me", "she told only us"
        re.compile(
            r"(?i:\b(?:only (?:told|showed|sent|messaged|texted|gave) (?:me|us)|"
            r"(?:told|showed|sent|messaged|texted) only (?:me|us))\b)"
        ),
        # "we share a wall", "I have a non-molestation order against him", "I'm registered
        # at that address": a wall, a court order or a registration only the reporter has
        re.compile(
            r"(?i:\b(?:I|we) (?:share|shared) (?:a|an|the) (?:wall|driveway|drive|landing|hallway|"
            r"stairwell|staircase|garden|fence|entrance|front door|bathroom|kitchen)\b"
            r"|\b(?:I|we) (?:have|had|got|'ve got|’ve got) (?:a|an) (?:non-molestation|restraining|"
            r"protection|protective|occupation) order\b"
            r"|\b(?:I'm|I’m|I am|I was|we're|we’re|we are) (?:(?:still|also) )?registered at\b)"
        ),
        # "I'm the head of year", "I'm the dad of the boy", "I'm married to his cousin": a
        # role of something or a marriage
        re.compile(
            r"(?i:\b(?:I am|I'm|I’m|I was|we are|we're|we’re) the "
            r"(?!(?:kind|type|sort|last|first|worst|best|least|most|one|rest|same|end|victim)\b)"
            r"[a-z][\w'’-]{2,30} of\b"
            r"|\b(?:I am|I'm|I’m|I was|we are|we're|we’re) (?:married|engaged|related) to\b)"
        ),
        # "I was the one who", "we share a driveway with", "I'm on the same team"
        re.compile(r"(?i:\b(?:I was|we were) the (?:one|ones|only one|only person) who\b)"),
        re.compile(r"(?i:\b(?:I|we) (?:share|shared) (?:a|an|the) [\w'’-]{3,30} with\b)"),
        re.compile(
            r"(?i:\b(?:I'm|I’m|I am|we're|we’re|we are|I was|we were|I play|I played|we play|"
            r"(?:me and (?:him|her)|(?:him|her) and me|(?:he|she) and I) (?:are|were)) "
            r"(?:on|in) the same(?: [\w'’-]{2,30}){1,2})"
        ),
        # "I teach at her school", "I coach his son's team"
        re.compile(
            r"(?i:\b(?:I|we) (?:teach|taught|coach|coached|tutor|tutored) "
            r"(?:at|in) (?:his|her|their|the) [\w'’-]{2,30})"
        ),
        # "I work in the chippy on the corner", "I work at that garage": the reporter's
        # workplace, named by an article, a demonstrative or a possessive
        re.compile(
            r"(?i:\b(?:I|we) (?:(?:also|still|used to) )?(?:work|worked|working) (?:in|at|on) "
            r"(?:the|that|this|his|her|their) "
            r"(?!(?:same|area|evenings?|mornings?|nights?|weekends?|city|town|moment|end|"
            r"meantime|past)\b)[\w'’-]{3,30})"
        ),
        # "I was at school with him", "I went to college with his brother"
        re.compile(
            r"(?i:\b(?:I|we) (?:was|were|went|go|am|are|'m) (?:at|to) (?:school|college|uni|"
            r"university|primary school|secondary school|sixth form|nursery|the gym|training|"
            r"church|the mosque) with (?:him|her|them|his|her|their)\b)"
        ),
        # "I coach the under-12s", "I referee their matches", "I run the youth club"
        re.compile(
            r"(?i:\b(?:I|we) (?:coach|coached|referee|refereed|manage|managed|run|ran|"
            r"organise|organised|organize|organized) (?:the|his|her|their) (?:(?:local|little|"
            r"small|corner|family|night|youth|village|new|old) )?"
            r"(?:under-?[0-9]{1,2}s?|team|squad|club|youth club|matches|games|league|shop|bar|pub|"
            r"cafe|café|gym|chippy|takeaway|salon|garage|office|site|warehouse|building|"
            r"residents'? association|choir|group)\b)"
        ),
        # "I'm her power of attorney", "I'm his aunt": a possessive and a noun after "I'm"
        re.compile(
            r"(?i:\b(?:I am|I'm|I’m|im|I was|we are|we're|we’re|we were) (?:his|her|their) "
            r"(?:(?:older|younger|big|little|best|only|former|legal|new|old) )?"
            r"(?!(?:name|number|address|phone|car|only|first|last|problem|business|fault|"
            r"type|friend's|worst|biggest)\b)(?![\w'’-]*est\b)[a-z][\w'’-]{2,30})"
        ),
        # "I work behind the bar", "I'm the only family member she talks to", "I was at the
        # party", "the family next door to us", "we both work for", "including me", "I
        # dated him"
        re.compile(
            r"(?i:\b(?:I|we) (?:work|worked|working) behind the (?:bar|counter|desk|till)\b"
            r"|\b(?:I am|I'm|I’m|I was) the only [\w'’-]{3,30}"
            r"|\b(?:I|we) (?:was|were) at the (?:party|meeting|event|match|game|wedding|"
            r"funeral|gathering|barbecue|bbq|sleepover)\b"
            r"|\bnext door to (?:us|me)\b"
            r"|\bwe both (?:work|worked|live|lived|study|studied|go|went)\b"
            r"|\bincluding (?:me|myself|us)\b"
            r"|\b(?:I|we) (?:dated|used to date|was seeing|went out with) (?:him|her)\b)"
        ),
        # "I'm next door at 29", "I volunteer at the centre", "I run a Facebook group"
        re.compile(
            r"(?i:\b(?:I am|I'm|I’m|im|we are|we're) next door\b"
            r"|\b(?:I|we) (?:volunteer|volunteered) (?:at|on|with|for|in)\b"
            r"|\b(?:I|we) (?:run|ran|manage|admin|moderate) an? [\w'’-]{3,30}(?: [\w'’-]{3,30})?"
            r" (?:group|page|club|team|forum|server|chat)\b"
            r"|\b(?:I'm|I’m|I am|I was) in the (?:server|group|chat|team|club|band|class)\b"
            r"|\bI was working (?:the|at|in)\b)"
        ),
        # "I'm one of his tenants", "I am one of at least twelve buyers"
        re.compile(
            r"(?i:\b(?:I'm|I’m|I am|I was|we're|we are|we were) (?:also )?one of (?:his|her|their|"
            r"those|these|the(?! (?:few|only|best|worst|first|last|most|least)\b)|at least "
            r"[\w]+|the [0-9]+|[0-9]+) [\w'’-]{3,30})"
        ),
        # "As the building manager I noticed", "as the school's safeguarding lead"
        re.compile(
            rf"(?i:(?:^|(?<=[.!?,]\s))as (?:the|a|an|his|her|their) (?:[\w'’-]{{2,20}} ){{1,2}}"
            rf"(?:{_ROLES_EN})\b)"
        ),
        # "we share a flat", "we have the same employer", "I deliver groceries to the house"
        re.compile(
            rf"(?i:\b(?:I|we) (?:have|had) the same (?:{_SHARED_EN})\b"
            r"|\b(?:I|we) (?:deliver|delivered) [\w'’-]{3,20} to (?:the|that|his|her|their) "
            r"(?:house|flat|home|address|door|shop)\b"
            r"|\b(?:we|I) (?:shared|share) (?:a|the) (?:flat|house|room|office|apartment)\b"
            r"|\bI recogni[sz]ed (?:him|her|them) from (?:my|our)\b"
            r"|\bnear where I (?:work|live)\b)"
        ),
        # "I work there too", "I used to work there", "we have lived here for years"
        re.compile(
            rf"(?i:\b(?:I|we) {_ENGLISH_AUXILIARIES}?(?:{_ENGLISH_PLACE_VERBS}) (?:there|here)\b)"
        ),
        # "I used to work at", "I worked for", "we lived next door to"
        re.compile(
            rf"(?i:\b(?:I|we) {_ENGLISH_AUXILIARIES}?(?:worked|lived|stayed|working|living|"
            r"used to (?:live|work|stay)) "
            r"(?:next door(?: to)?|above|below|under|opposite|across from|"
            r"across the street from|with|at|for|in the same|on the same|together with)\b)"
        ),
        # Ninth round. What the reporter bought, rented or paid from the person ("I bought
        # one", "I paid him 900", "he sold me a ticket", "I rent the attic room", "I met
        # her at a party"): one of few customers, tenants or contacts.
        re.compile(
            r"(?i:\b(?:I|we) (?:bought|ordered|rented) (?:one|two|some|a few|it|them|"
            r"(?:a|an|the|my|our) [\w'’-]{3,20} (?:from|off) (?:him|her|them))\b"
            r"|\b(?:I|we) (?:paid|hired|employed) (?:him|her|them)\b"
            r"|\b(?:I|we) (?:met|chatted with|texted with|dated) (?:him|her) (?:at|on|in|for|"
            r"through|via)\b"
            r"|\b(?:he|she|they) (?:sold|rented|offered|lent) (?:me|us)\b"
            r"|\b(?:I|we) (?:rent|rented|let) (?:the|a|an) [\w'’-]{3,20}(?: [\w'’-]{3,20})? "
            r"(?:room|floor|flat|studio|unit|space|house|apartment|shop|garage|caravan)\b)"
        ),
        # Where the reporter was or comes ("I was at that seminar", "I was in that server",
        # "I stayed in one of them", "I go there every week"); a life shared with the person
        # ("we broke up in March", "we lived together", "we share a corridor", "he lives in
        # the same block as me").
        re.compile(
            r"(?i:\b(?:I|we) (?:was|were|have been|'ve been|’ve been|stayed) (?:at|in) "
            r"(?:that|this|the same|one of them|one of those)\b"
            r"|\b(?:I|we) (?:go|went|walk|drive|cycle|come|shop) there (?:every|often|"
            r"regularly|daily|weekly|most|a lot|twice|once a)\b"
            r"|\bwe (?:broke up|split up|separated|divorced|lived together|worked together|"
            r"were together|were married|were colleagues|share (?:a|the|one) [\w'’-]{3,20})\b"
            r"|\bthe same [\w'’-]{3,20}(?: [\w'’-]{3,20})? as (?:me|us|I do)\b)"
        ),
        # Who lives against the reporter's home, and how the reporter knows the person
        # ("he lives right above me", "our gardens share a fence", "one of my clients",
        # "I know her from the choir").
        re.compile(
            r"(?i:\b(?:he|she|they) (?:lives|live|lived) (?:(?:right|directly|just) )?"
            r"(?:above|below|under|beneath|next to|next door to|opposite|across from|with) "
            r"(?:me|us)\b"
            # "…, lives 3 doors from me", "while living with me", "the flat above mine"
            # (fourteenth round)
            r"|\b(?:lives|living) (?:(?:right|directly|just|[0-9a-z]+ doors?) )?"
            r"(?:above|below|under|beneath|next to|next door to|opposite|across from|with|from|"
            r"down from|up from) (?:me|us)\b"
            r"|\b(?:flat|house|apartment|unit|room|home|garden) (?:directly |right |just )?"
            r"(?:above|below|under|beneath|next to|opposite|across from) (?:mine|ours)\b"
            r"|\bour (?:gardens|houses|flats|homes|balconies|yards|properties|driveways) "
            r"(?:share|border|back onto|adjoin)\b"
            # not a school year or a team by its name ("one of our Year 10s")
            r"|\b(?:one|two|three|some|several|a few|many) of (?:my|our) "
            r"(?!(?:own|friends'|friend's)\b)(?=(?-i:[a-z]))[\w'’-]{3,30}"
            r"|\bI (?:know|knew) (?:him|her|them|the \w+) from (?:the|my|our|school|work|church|"
            r"uni|college)\b)"
        ),
        # Tenth round. The reporter's seat, role or group ("I'm on the board of", "I am a
        # member of that club", "I'm the treasurer", "I'm a Kurdish activist in", "as the only
        # woman on the crew", "I organised that event", "I'm in one of the photos").
        re.compile(
            r"(?i:\b(?:I am|I'm|I’m|I was|we are|we're|we’re|I sit|I sat) (?:(?:also|still) )?"
            r"(?:on the (?:board|committee|council)|an? (?:member|admin|administrator|moderator|"
            r"trustee) (?:of|in|at)|in one of (?:the|those|these|his|her|their) "
            r"(?:photos|pictures|videos|clips|screenshots|lists)|on (?:the|that|this|his|her|"
            r"their) list)\b"
            rf"|\b(?:I am|I'm|I’m) the (?:(?-i:[A-Z]{{2,5}}) )?(?!victim\b)(?:{_ROLES_EN})\b"
            r"|\b(?:I am|I'm|I’m) (?:just )?an? (?:(?-i:[A-Z][\w-]+) ){1,2}"
            rf"(?:{_ROLES_EN}|woman|man|mother|father|girl|boy)\b"
            r"|(?:^|(?<=[.!?]\s))as the only [\w'’-]{3,30}(?=[^.!?]{0,60}\bI\b)"
            r"|\b(?:I|we) (?:organised|organized|organise|organize|host|hosted|run|ran|lead|led) "
            r"(?:that|this|those|these) [\w'’-]{3,30})"
        ),
        # Eleventh round, part b. A word before a relation after a possessive ("my study
        # group", "my shift leader", "our finance team", "my fellow coach"), plurals ("my
        # friends", "our sons"), the reporter's own or stolen thing ("my own car"), the
        # reporter in apposition ("me, a regular customer"), a job or status by its ending
        # ("I'm a recruiter", "I'm a postal worker", "I'm a Syrian refugee"), boards and
        # shared memberships ("I'm on the school board", "we are both members of").
        re.compile(
            # not a relation itself ("my kitchen window" is found as "my kitchen")
            r"(?i:\b(?:my|our) (?!(?:own|old|new|late|former|best|only)\b)"
            rf"(?!(?:{_ENGLISH_RELATIONS})\b)[a-z]{{3,15}} "
            rf"(?:{_ENGLISH_RELATIONS})\b"
            rf"|\b(?:my|our) (?:{_ENGLISH_RELATIONS})s\b"
            r"|\b(?:my|our) (?:own )?stolen [\w'’-]{3,25}"
            r"|\b(?:my|our) own (?:car|bike|bicycle|van|phone|laptop|house|flat|shop|drill|tools)\b"
            r"|\b(?:I|me), (?:his|her|their|a|an|the) "
            rf"(?:(?:{_ENGLISH_ROLE_ADJECTIVES}) )?(?:[\w'’-]+ )?(?:{_ROLES_EN})\b"
            r"|\b(?:I am|I'm|I’m|I was) (?:a|an) (?!(?:lot|bit|little|few)\b)(?:[a-z-]+ ){0,2}?"
            r"(?!(?:older|younger|bigger|smaller|better|worse|taller|shorter|faster|slower|later|"
            r"earlier|other|number|matter|quarter|member|restaurant)\b)"
            r"[a-z-]{2,25}(?:er|or|ist|ant|ent|eer|ee|smith|holder)\b"
            r"|\b(?:I am|I'm|I’m|I sit|I was) on the [\w'’-]{2,20} (?:board|committee|council)\b"
            r"|\b(?:I am|I'm|I’m) (?:from|part of) (?:the|our|this|"
            r"that) (?:(?-i:[A-Z][\w-]+) ){0,2}"
            r"(?:community|congregation|mosque|church|group|village|neighbourhood|club|team)\b"
            r"|\b(?:we are|we're|we’re|we were) both (?:members|volunteers|parents|students|"
            r"tenants|"
            r"residents|teachers|players|customers|patients|in)\b)"
        ),
        # Where the reporter lives, works, goes or was, and a life or activity shared with
        # the person ("I live in Arnhem", "I work in HR", "I work the night shift", "I attend
        # the mosque", "I teach Dutch to newcomers", "I walk my dog there", "I was there",
        # "we used to play football together", "we dated", "I can hear them through the wall").
        re.compile(
            r"(?i:\b(?:I|we) (?:live|lived|am living|'m living|have lived|'ve lived) "
            rf"(?:(?:also|still|now) )?(?:in|on|at)(?={_NO_ADDRESS_AFTER_EN})"
            # "we live in a big city" says little
            r"(?! (?:a|the) (?:big |small |large )?(?:city|country|world)\b)"
            # a workplace or a department of one, not a sector or a time ("I work in the
            # evenings")
            r"|\b(?:I|we) (?:work|worked|am working|'m working) (?:(?:also|still|now) )?in "
            r"(?:(?:a|an|the) (?:[\w'’-]+ )?(?:hospital|factory|warehouse|shop|store|kitchen|hotel|"
            r"restaurant|bakery|supermarket|school|care home|nursing home|prison|pharmacy|library|"
            r"office|garage|salon|greenhouse|distribution cent(?:re|er))|(?-i:HR|IT) (?:at|for)|"
            r"accounts|payroll)\b"
            r"|\bI (?:work|worked|do|did) (?:the )?(?:night|day|late|early|evening|morning|weekend|"
            r"graveyard) shifts?\b"
            r"|\bI (?:clean|cleaned) (?:the )?(?:offices|office|houses|house|rooms|building|"
            r"toilets|"
            r"flats)\b"
            r"|\bI (?:attend|attended|visit|visited) (?:the|that|this|his|her|their|every|each|"
            r"most) [\w'’-]{3,25}"
            r"|\bI (?:teach|taught) (?:[\w'’-]+ )?(?:to|at|in)\b"
            r"|\bI (?:walk|walked) (?:my|the|our) dogs? (?:there|past|along|in|through|by|around)\b"
            r"|\bI (?:drive|cycle|walk|take) (?:that|this|the same) (?:route|road|way|bus|train)\b"
            r"|\b(?:I|we) (?:was|were) (?:also |actually |right )?there\b(?! (?:is|are|was|were)\b)"
            r"|\bwe (?:used to |still )?(?:play|played|went|go|train|trained|studied|study|grew up|"
            r"sail|sailed|sing|sang|hang out|hung out)\b[^.!?\n]{0,40}?\btogether\b"
            r"|\bwe (?:dated|were dating|used to date|went out)\b"
            r"|\bI (?:used to date|dated|was dating|used to be (?:his|her|their))\b"
            r"|\b(?:I|we) (?:can |could )?hear (?:him|her|them|it|everything)(?: [\w'’]+)? "
            r"through (?:the|our|my) (?:wall|walls|floor|ceiling)\b"
            r"|\bI sit [\w]+ (?:desks|seats|rows) (?:away|from|behind)\b"
            # "I'm on the third (floor)", "I train with them", "I know the family", "I'm
            # Ukrainian myself"
            r"|\b(?:I am|I'm|I’m|we are|we're|we’re) on the (?:first|second|third|fourth|fifth|"
            r"sixth|top|ground|[0-9]{1,2}(?:st|nd|rd|th))\b"
            r"|\bI (?:train|trained|play|played|study|studied|sing|sang|dance|danced|row|rowed|"
            r"sail|sailed) (?:together )?with (?:him|her|them)\b"
            r"|\bI (?:know|knew) (?:the|his|her|their) (?:family|parents|mum|mom|dad|mother|father|"
            r"wife|husband|brother|sister|kids|children)\b"
            r"|\b(?:I am|I'm|I’m) (?-i:[A-Z][a-z]+) myself\b"
            # "the library where I work", "I used to buy from him", "I supervised his internship"
            r"|\bwhere (?:I|we) (?:work|worked|live|lived|study|studied|volunteer|volunteered)\b"
            r"|\b(?:I|we) (?:used to )?(?:buy|bought|order|ordered) (?:from|off) (?:him|her|them)\b"
            r"|\bI (?:supervised|supervise|mentor|mentored|tutor|tutored) (?:his|her|their|him|"
            r"them)\b)"
        ),
        # What the reporter paid or lost, owns or runs ("I paid 180 euros", "I lost 75 euro",
        # "I sent her the money", "I run a small webshop", "we own the building").
        re.compile(
            r"(?i:\b(?:I|we) (?:paid|transferred|sent|wired) "
            r"(?:[€£$] ?[0-9][0-9.,]*|[0-9][0-9.,]*|the money|money|a deposit)"
            r"|\b(?:I|we) (?:sent|wired|transferred) (?:him|her|them) (?:the )?money\b"
            r"|\b(?:I|we) (?:run|own|manage|ran|owned|managed|have|had) (?:a|an|the|my|our) "
            r"(?:[\w'’&-]+ ){0,2}?(?:shop|webshop|business|company|firm|bed and breakfast|B&B|BnB|"
            r"hostel|hotel|guesthouse|restaurant|cafe|café|bar|pub|salon|garage|farm|stable|"
            r"stables|"
            r"store|building|bakery|takeaway|practice|clinic|workshop|nursery|kennel)\b)"
        ),
        # Eleventh round. "I teach English at", "I coach under-12s at", "I handle our
        # payments", "I clean the offices of", "I work night shifts",
        # "I live across the street": a job, a task or a home that few people share
        re.compile(
            r"(?i:\bI (?:also |still )?(?:teach|coach) [\w'’-]+(?: [\w'’-]+)? at\b"
            r"|\bI (?:also |still )?(?:manage|deliver|handle|supervise|supervised|braid|clean) "
            r"(?:the|a|an|our|his|her|their|offices)\b"
            # (a shift says where only with the place: "I work nights" alone is no place)
            r"|\bI (?:also |still )?work (?:night shifts?|nights|late shifts?) (?:at|in|for)\b"
            r"|\bI (?:also |still )?live (?:right )?(?:across|opposite|above|below)\b"
            # "I'm in the flat below", "I live in flat 5": the home next to the person's
            r"|\b(?:I'm|I’m|I am|I live|we're|we’re|we are|we live) in the (?:flat|apartment|"
            r"house|room|unit) (?:below|above|upstairs|downstairs|opposite|next door|across)\b"
            r"|\b(?:I|we) live in (?:flat|apartment|unit|room) [0-9]{1,3}[a-z]?\b)"
        ),
        # "my caravan is next to theirs", "our garden borders"
        re.compile(
            rf"(?i:\b(?:my|our) (?:{_OWN_PLOTS_EN}) (?:is|stands|sits|borders) "
            r"(?:next to|opposite|on)\b|\b(?:my|our) (?:garden|plot|land) borders\b)"
        ),
        # "I get my car washed there", "I used to buy from him": a regular customer; "I help
        # with the Sunday school", "I sit two desks away", "my tutorial group", "our lab"
        re.compile(
            r"(?i:\bI (?:used to )?(?:get|buy|shop|eat) (?:[\w'’]+ ){0,3}there\b"
            r"|\bI (?:used to )?(?:buy|bought) from (?:him|her|them)\b"
            # ("Can I help with …" offers help)
            r"|\bI help(?<!can I help)(?<!could I help)(?<!may I help) "
            r"(?:him|her|them|with|at|out)\b"
            r"|\bI sit (?:[\w'’-]+ ){1,3}(?:away|from|next|behind|opposite)\b"
            r"|\b(?:my|our) (?:[\w-]+ )?(?:class|group|lab|department|team)\b)"
        ),
        # "I used to drive for him", "I'm the seller", "our cultural foundation"
        re.compile(
            r"(?i:\bI (?:used to |also |still )?(?:drive|drove|clean|cleaned|cook|cooked|"
            r"babysit|babysat) for (?:him|her|them|his|her|their)\b"
            r"|\b(?:I'm|I’m|I am) the (?:seller|buyer|tenant|landlord)\b"
            rf"|\bour (?:[\w-]+ ){{0,2}}(?:{_ASSOCIATIONS_EN})\b)"
        ),
        # "the café where I work", "I'm with the festival security"
        re.compile(
            r"(?i:\bwhere I (?:work|worked|live|lived|study|studied|volunteer|volunteered|"
            r"teach|taught)\b"
            r"|\b(?:I'm|I’m|I am) (?:with|in) (?:the )?[\w-]+ (?:security|team|department)\b)"
        ),
        # Twelfth round. Presence, membership and function told in passing: "I wash my car
        # there", "I'm in a WhatsApp group for", "I play in the second team", "while I wait
        # for the bus", "I see them from my balcony", "I hear her crying", "I'm one of them",
        # "I go to that mosque", "as the owner of the flat", "I used to deliver", "I have
        # been the cleaner at", "I had my hair cut there", "I gave her 50 euros", "I know her
        # from church"
        re.compile(
            r"(?i:\bI (?:also |still |used to )?(?:walk|wash|deliver|park|jog|cycle|work|drop|"
            r"pick|go|come|had|have|got)[a-z]{0,3} (?:[\w'’]+ ){0,3}there\b"
            r"|\b(?:I|we) (?:gave|sent|handed) (?:him|her|them) (?:[€£$] ?)?[0-9][0-9.,]*"
            r"(?: euros?)?"
            r"|\b(?:I'm|I’m|I am|we're|we’re|we are) (?:in|on) (?:a|an|the) (?:[\w'’-]+ ){0,3}?"
            r"(?:group|group chat|groupchat|server|channel|chat)\b"
            r"|\bI (?:also |still )?(?:coach|play in|play for|swim for|train) (?:a|an|the|our) "
            r"(?:[\w-]+ ){0,3}?(?:team|squad|club|side)\b"
            r"|\bwhile I (?:wait|waited|was waiting|walk|walked|was walking|work|worked|"
            r"was working|cycle|drive|drove)\b"
            r"|\bI (?:see|saw|hear|heard|watch|watched) (?:him|her|them|it) (?:[\w'’]+ ){0,2}?"
            r"(?:from|through|out of) (?:my|our|the)\b"
            r"|\b(?:I'm|I’m|I am) one of them\b"
            r"|\b(?:I|we) (?:go|went|come|came) to (?:that|this|the same) "
            r"(?:church|mosque|gym|club|school|temple|shop)\b"
            r"|\bas (?:the )?(?:owner|landlord|tenant|resident) of (?:the|a|an|this|that) "
            r"(?:[\w'’-]+ ){0,2}?(?:flat|apartment|house|building|shop|business|company|restaurant|"
            r"cafe|café|bar|farm|unit|garage|property|home)\b"
            r"|\bI used to (?:deliver|clean|serve|cook|work)\b"
            r"|\bI (?:have been|'ve been|’ve been|was) the (?:cleaner|driver|cook|caretaker|nanny|"
            r"babysitter) (?:at|for|of)\b"
            r"|\b(?:I|we) know (?:him |her |them )?from (?:the )?(?:church|school|work|gym|mosque|"
            r"club|college|university|uni|choir)\b)"
        ),
        # "our CFO", "formerly my solicitor", "our treasurer": a possessive before any role
        # (fourteenth round)
        re.compile(
            rf"(?i:\b(?:my|our) (?:(?:{_ENGLISH_QUALIFIERS}|current|then) )?(?:{_ROLES_EN})\b(?!-))"
        ),
    ),
}


# "in hetzelfde team als zijn zoon", "the same age as his son": "als"/"as" compares here,
# it does not give the reporter's role.
COMPARISON_BEFORE = re.compile(r"(?i:\b(?:same|dezelfde|hetzelfde|zelfde|zo|so|even)\b)")
COMPARISON_WINDOW = 40


def _is_comparison(text: str, start: int) -> bool:
    if not re.match(r"(?i:als|as)\b", text[start : start + 3]):
        return False
    before = text[max(0, start - COMPARISON_WINDOW) : start]
    clause = re.split(r"[.!?;,\n]", before)[-1]
    return COMPARISON_BEFORE.search(clause) is not None


# "Hij werkt als chauffeur", "H. Smit staat als huurder op het contract": a role after a
# third person's verb is theirs, not the reporter's.
THIRD_PERSON_VERB_BEFORE = re.compile(
    r"(?i:\b(?:werkt|werkte|staat|stond|is|was|wordt|werd|works|worked|is listed|acts|acted) $)"
)


# A bare "als schoonmaker" mid-clause describes someone's job ("werkt daar als
# chauffeur"); the reporter's role opens a clause ("Als buurman zie ik ...") or names whose
# role it is ("als zijn huisbaas").
BARE_ROLE = re.compile(r"(?i:(?:als|as) (?!(?:zijn|haar|hun|his|her|their)\b))")
CLAUSE_START_BEFORE = re.compile(r"(?:^|[.!?;:,\n(]) *$")
MINE_BEFORE = re.compile(r"(?i:\b(?:mijn|m'n|my|our|onze) ([\w'’-]+) $)")
RELATION_WORD = re.compile(rf"(?i:{_DUTCH_RELATIONS}|{_ENGLISH_RELATIONS}|{_ROLES_NL}|{_ROLES_EN})")


def _is_someone_elses_role(text: str, start: int) -> bool:
    if not re.match(r"(?i:als|as)\b", text[start : start + 3]):
        return False
    if THIRD_PERSON_VERB_BEFORE.search(text, max(0, start - 12), start) is not None:
        return True
    if not BARE_ROLE.match(text, start) or CLAUSE_START_BEFORE.search(
        text, max(0, start - 3), start
    ):
        return False
    # "Melding van mijn kant als huisarts", "uit mijn administratie als penningmeester": the
    # reporter's own side or work just before makes it the reporter's role (fourteenth
    # round); "mijn zoon als chauffeur" stays the son's
    mine = MINE_BEFORE.search(text, max(0, start - 40), start)
    return mine is None or RELATION_WORD.fullmatch(mine.group(1)) is not None


def _structure(source: str, start: int = 0) -> Iterator[tuple[int, str, int]]:
    """(index, character, group depth after it) for each character outside escapes and classes."""
    depth, index, in_class = 0, start, False
    while index < len(source):
        character = source[index]
        if character == "\\":
            index += 2
            continue
        if in_class:
            in_class = character != "]"
        elif character == "[":
            in_class = True
        else:
            depth += {"(": 1, ")": -1}.get(character, 0)
            yield index, character, depth
        index += 1


def _group_end(source: str, start: int) -> int:
    """Index after the group that opens at ``source[start]`` (escapes and classes skipped)."""
    for index, character, depth in _structure(source, start):
        if character == ")" and depth == 0:
            return index + 1
    raise ValueError(f"unbalanced group in {source!r}")


def _top_level_alternatives(body: str) -> list[str]:
    alternatives, start = [], 0
    for index, character, depth in _structure(body):
        if character == "|" and depth == 0:
            alternatives.append(body[start:index])
            start = index + 1
    return [*alternatives, body[start:]]


_LETTERS = re.compile(r"[A-Za-z]+")


def _leading_word(alternative: str) -> str | None:
    """The start of ``alternative`` up to its first word or group of words, or None.

    ``\\b(?:ik|wij|we) (?:woon|...)`` gives ``\\b(?:ik|wij|we)``; an optional first group
    keeps the word after it (``\\b(?:ik,? )?als``). Every match of the alternative begins
    with a match of this prefix, so a place where no prefix matches needs no full try.
    """
    if not alternative.startswith("\\b"):
        return None
    index = 2
    while True:
        if alternative.startswith("(?:", index):
            index = _group_end(alternative, index)
            if alternative.startswith("?", index):
                index += 1
                continue
            if alternative[index : index + 1] in {"*", "{"}:
                return None  # the group may be absent
        else:
            letters = _LETTERS.match(alternative, index)
            if letters is None:
                return None
            index = letters.end()
            if alternative[index : index + 1] in {"?", "*", "{"}:
                index -= 1  # "words?": the last letter may be absent
        if index == 2:
            return None
        # the space after the word: "a " and "de " are rarer than "a" and "de"
        if alternative.startswith(" ", index) and alternative[index + 1 : index + 2] not in {
            "?",
            "*",
            "{",
        }:
            index += 1
        return alternative[:index]


def _first_letters(fragment: str) -> set[str]:
    """The letters a match of ``fragment`` (words, groups and alternations of them) starts with."""
    letters: set[str] = set()
    for alternative in _top_level_alternatives(fragment):
        alternative = alternative.removeprefix("\\b")
        if alternative.startswith("(?:"):
            end = _group_end(alternative, 0)
            letters |= _first_letters(alternative[3 : end - 1])
            if alternative.startswith("?", end):
                letters |= _first_letters(alternative[end + 1 :])
        elif (
            alternative[:1].isalpha()
            and alternative[:1].isascii()
            and alternative[1:2] not in {"?", "*", "{"}
        ):
            letters.add(alternative[0])
        else:
            raise ValueError(f"no first letter in {fragment!r}")
    return letters


def _prefix(pattern: re.Pattern[str]) -> str | None:
    """A regex every match of ``pattern`` starts with, or None when there is none to find."""
    source = pattern.pattern
    if not (source.startswith("(?i:") and _group_end(source, 0) == len(source)):
        return None
    prefixes = [_leading_word(part) for part in _top_level_alternatives(source[4:-1])]
    # each prefix once: many alternatives of one pattern share their first words
    # (``\b(?:ik|wij|we) ``), and the scan tries every copy at every candidate place
    return None if None in prefixes else "|".join(dict.fromkeys(prefixes))


@dataclass(frozen=True)
class _Scanner:
    """The self-reference patterns of one language and one scan that finds where they may start.

    Some ninety patterns, each scanned over the whole text, cost about 0.02 s per 100 kB
    each. Most begin with a few words (``ik|wij|we``, ``I am|I'm``); one scan for all those
    beginnings (each in an optional lookahead group, so one match tells which beginnings
    hold there) gives the places each pattern can start, and the pattern is only tried
    there, with ``re.finditer``'s leftmost, non-overlapping order.
    """

    patterns: tuple[re.Pattern[str], ...]
    # for each pattern, the index of its prefix in ``starts``' groups, or None (full scan)
    prefix_of: tuple[int | None, ...]
    starts: re.Pattern[str] | None

    @classmethod
    def build(cls, patterns: tuple[re.Pattern[str], ...]) -> "_Scanner":
        prefixes: list[str] = []
        prefix_of: list[int | None] = []
        for pattern in patterns:
            prefix = _prefix(pattern)
            if prefix is not None and prefix not in prefixes:
                prefixes.append(prefix)
            prefix_of.append(None if prefix is None else prefixes.index(prefix))
        if not prefixes:
            return cls(patterns, tuple(prefix_of), None)
        any_prefix = "|".join(prefixes)
        groups = "".join(f"(?=({prefix}))?" for prefix in prefixes)
        # the first letters of all prefixes, a cheap test before the alternation (left out
        # when a prefix's first letter cannot be read off)
        try:
            first = "".join(sorted(set().union(*(_first_letters(p) for p in prefixes))))
            letter_test = f"\\b(?=[{first}])"
        except ValueError:
            letter_test = ""
        # The match takes the first character so that it is never empty: after an empty
        # match ``finditer`` must advance at the same place, and the engine then tries every
        # way to take or skip the optional groups, which doubles with each prefix.
        starts = re.compile(f"(?i:{letter_test}(?=(?:{any_prefix})){groups}(?s:.))")
        return cls(patterns, tuple(prefix_of), starts)

    def matches(self, text: str) -> Iterator[re.Match[str]]:
        candidates: list[list[int]] = []
        if self.starts is not None:
            candidates = [[] for _ in range(self.starts.groups)]
            for start in self.starts.finditer(text):
                for index, group in enumerate(start.groups()):
                    if group is not None:
                        candidates[index].append(start.start())
        for pattern, prefix in zip(self.patterns, self.prefix_of, strict=True):
            if prefix is None:
                yield from pattern.finditer(text)
                continue
            end = 0
            for position in candidates[prefix]:
                if position < end:
                    continue
                match = pattern.match(text, position)
                if match is not None:
                    yield match
                    end = max(match.end(), position + 1)


_SCANNERS = {code: _Scanner.build(patterns) for code, patterns in SELF_REFERENCE_PATTERNS.items()}

# "Ik ben zijn verhuurder niet, maar …", "wij zijn zijn buren niet": the role denied
# (fourteenth round). "niet alleen" and "niet meer" still say it was or is so.
_SELF_AS = re.compile(r"(?i:(?:ik|wij|we) (?:ben|was|zijn|waren)\b)")
_DENIED_AFTER = re.compile(r"(?i: niet\b(?! (?:alleen|meer|de enige)\b))")


def _is_denied(text: str, start: int, end: int) -> bool:
    return bool(_SELF_AS.match(text, start)) and bool(_DENIED_AFTER.match(text, end))


def find_self_references(text: str, language: str | None = None) -> Iterator[Hit]:
    languages = [language] if language in SELF_REFERENCE_PATTERNS else list(SELF_REFERENCE_PATTERNS)
    for code in languages:
        for match in _SCANNERS[code].matches(text):
            if _is_comparison(text, match.start()) or _is_someone_elses_role(text, match.start()):
                continue
            if _is_denied(text, match.start(), match.end()):
                continue
            yield Hit(FindingType.SELF_REFERENCE, match.start(), match.end(), 0.8)
    # "Ik ben een Britse expat … My neighbour, meneer Dijkstra, …": a relation in the other
    # language, as expats write (fourteenth round); only this pattern, whose possessive
    # ("mijn", "my") belongs to one language alone
    for code in SELF_REFERENCE_PATTERNS:
        if code not in languages:
            for match in SELF_REFERENCE_PATTERNS[code][0].finditer(text):
                yield Hit(FindingType.SELF_REFERENCE, match.start(), match.end(), 0.8)
    yield from find_dealings(text, language)
