"""Contact details: phone numbers, e-mail addresses, social media handles and profile links."""

import functools
import itertools
import re
from collections.abc import Iterator

import phonenumbers
from phonenumbers import PhoneNumber, PhoneNumberType

from .findings import FindingType, Hit
from .names import (
    GENERIC_CUES,
    INNER_CAPITAL,
    NAMED_THINGS,
    chat_speakers,
    is_common_word,
    is_known_first_name,
    looks_like_username,
    not_name_words,
)

# Phone numbers are assembled from digit groups rather than matched by one large
# pattern: a single pass finds the groups, and the chaining below only looks at a
# bounded number of them, so no input can make matching super-linear.
DIGIT_GROUP = re.compile(r"[0-9]+")
# What may stand between two groups of one number: "06-123", "020 123", "(020) 123",
# "+31 (0)6", "06.123", "06/123", " - ".
GROUP_GAP = re.compile(r"[ \-./()]{1,4}")
MAX_PHONE_DIGITS = 15  # E.164 maximum
# National numbers are read as Dutch (10 digits, every Dutch subscriber number with its
# leading 0) or British (11: reporters from or writing about the UK use its national
# format, "07911 123456"), and as a neighbour's
# mobile number where that has the same length and its own prefix: Belgian mobiles
# "0478 12 34 56" (10 digits), German ones "0151 2345 6789" (11 or 12 digits).
NATIONAL_READINGS = {
    10: ((31, ("0",)), (32, ("04",))),
    11: ((44, ("0",)), (49, ("015", "016", "017"))),
    12: ((49, ("015", "016", "017")),),
}
LONGEST_NATIONAL_DIGITS = max(NATIONAL_READINGS)
# Numbers of organisations rather than people: free, premium-rate and shared-cost lines,
# and company-wide numbers ("universal access": Dutch 088, British 03). The tip line's own
# 0800 number is one of them.
SERVICE_NUMBER_TYPES = frozenset(
    {
        PhoneNumberType.TOLL_FREE,
        PhoneNumberType.PREMIUM_RATE,
        PhoneNumberType.SHARED_COST,
        PhoneNumberType.UAN,
    }
)


@functools.lru_cache(maxsize=4096)
def _phone_confidence(digits: str, international: bool) -> float | None:
    """How likely a digit string is a personal phone number; None if it is not one.

    Builds the PhoneNumber directly instead of calling ``phonenumbers.parse``: the
    caller already knows where the country code is, and parsing free text is the
    slow part of the library. Numbers in allocated ranges score high; numbers of the
    right length outside them (a typo, a range allocated after this library version,
    a Dutch "06" number) still count, lower, because missing a reporter's own number
    costs more than a needless warning.
    """
    if international:
        for length in (1, 2, 3):
            if int(digits[:length]) in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
                country_code, national = int(digits[:length]), digits[length:]
                break
        else:
            return None
        # "+31 06 ..." is a common way of writing a Dutch mobile number; try without the 0
        # first and with it (Italian-style numbers keep it) second.
        options = [national[1:], national] if national.startswith("0") else [national]
        return _confidence_in(country_code, options, international=True)
    for country_code, prefixes in NATIONAL_READINGS.get(len(digits), ()):
        if digits.startswith(prefixes):
            confidence = _confidence_in(country_code, [digits[1:]], international=False)
            if confidence is not None:
                return confidence
    return None


def _confidence_in(country_code: int, options: list[str], *, international: bool) -> float | None:
    """``_phone_confidence`` for national digits of a known country."""
    possible = False
    for national_digits in options:
        if len(national_digits) < 4:
            continue
        number = PhoneNumber(
            country_code=country_code,
            national_number=int(national_digits),
            italian_leading_zero=national_digits.startswith("0") or None,
        )
        number_type = phonenumbers.number_type(number)
        if number_type in SERVICE_NUMBER_TYPES:
            return None
        if number_type == PhoneNumberType.MOBILE:
            return 0.95
        if number_type != PhoneNumberType.UNKNOWN:
            return 0.9
        # Mobile ranges are allocated after this library's data was made: a Dutch "06" or a
        # British "07" number of the right length is a phone, just less certainly.
        possible = possible or (
            phonenumbers.is_possible_number(number)
            and (
                international
                or (country_code == 31 and national_digits.startswith("6"))
                or (country_code == 44 and national_digits.startswith("7"))
            )
        )
    return 0.6 if possible else None


# The confidence of a number in an allocated range (below it: merely possible).
ALLOCATED_CONFIDENCE = 0.9


def _is_word_character(text: str, index: int) -> bool:
    return 0 <= index < len(text) and text[index].isalnum()


# North American numbers are written in their own groups, "(312) 555-0187",
# "312-555-0187", "1-888-555-0143": an area code and exchange that do not start with 0
# or 1, then four digits. No Dutch or British number is grouped 3-3-4 without a 0.
NORTH_AMERICAN_PHONE = re.compile(
    r"(?<![\w+\-.])(?:1[-. ])?(?:\([2-9][0-9]{2}\) ?|[2-9][0-9]{2}[-.])[2-9][0-9]{2}[-.][0-9]{4}"
    r"(?![\w\-]|\.[0-9])"
)


def find_phone_numbers(text: str) -> Iterator[Hit]:
    for match in NORTH_AMERICAN_PHONE.finditer(text):
        yield Hit(FindingType.PHONE, match.start(), match.end(), 0.7)
    groups = [(match.start(), match.end()) for match in DIGIT_GROUP.finditer(text)]
    # joins[i]: group i+1 continues the number group i is in ("06-1234", "(020) 123").
    joins = [
        bool(GROUP_GAP.fullmatch(text, groups[index][1], groups[index + 1][0]))
        for index in range(len(groups) - 1)
    ] + [False]
    index = 0
    while index < len(groups):
        hit, used = _phone_number_from(text, groups, joins, index)
        if hit is None:
            index += 1
        else:
            yield hit
            index += used


def _phone_number_from(
    text: str, groups: list[tuple[int, int]], joins: list[bool], first: int
) -> tuple[Hit | None, int]:
    """Try to read one phone number starting at digit group ``first``.

    Returns the hit and the number of groups it used. A number starts with "+", "00"
    or a national "0" group of at least two digits ("06", "020"), which keeps the
    work per group small even for text made of nothing but digits and spaces.
    """
    start, end = groups[first]
    plus = start > 0 and text[start - 1] == "+"
    span_start = start - 1 if plus else start
    if span_start > 0 and text[span_start - 1] == "(":
        span_start -= 1
    # "badoo.com/profile/0489213377": digits right after a slash are part of a link
    if _is_word_character(text, span_start - 1) or text[span_start - 1 : span_start] == "/":
        return None, 0
    digits = text[start:end]
    international = plus or (digits.startswith("00") and len(digits) >= 3)
    if not international and (not digits.startswith("0") or len(digits) < 2):
        return None, 0
    needed = MAX_PHONE_DIGITS if international else LONGEST_NATIONAL_DIGITS
    collected = digits if plus else digits[2:] if international else digits
    last = first
    # "+40 744 123 987": "+40 744 123" is merely possible; a longer reading in an allocated
    # range wins over it (thirteenth round)
    possible: tuple[Hit | None, int] = (None, 0)
    while True:
        if len(collected) > needed:
            return possible
        end = groups[last][1]
        plausible = len(collected) >= 8 if international else len(collected) in NATIONAL_READINGS
        if plausible and not _is_word_character(text, end):
            confidence = _phone_confidence(collected, international)
            if confidence is not None:
                hit = Hit(FindingType.PHONE, span_start, end, confidence)
                # national readings have fixed lengths: the first one stands
                if confidence >= ALLOCATED_CONFIDENCE or not international:
                    return hit, last - first + 1
                if possible[0] is None:
                    possible = (hit, last - first + 1)
        # one group past a merely possible reading is looked at, no more
        if not joins[last] or (possible[0] is not None and last - first + 1 > possible[1]):
            return possible
        last += 1
        group_start, group_end = groups[last]
        # "+31 (0)6 ...": the bracketed trunk prefix is not part of the number.
        is_trunk_prefix = (
            international
            and group_end - group_start == 1
            and text[group_start] == "0"
            and text[group_start - 1] == "("
            and text[group_end : group_end + 1] == ")"
        )
        if not is_trunk_prefix:
            collected += text[group_start:group_end]


# Flat character classes only: the local part starts where no local-part character
# precedes it, so a long run of letters is tried once, not at every position.
EMAIL = re.compile(r"(?<![\w.%+\-])[\w.%+\-]{1,64}@[A-Za-z0-9][A-Za-z0-9.\-]{0,252}")
EMAIL_DOMAIN_END = re.compile(r"\.[A-Za-z]{2,24}")
# "jan.devries (at) gmail (dot) com" and "[at]" / "{dot}" variants.
OBFUSCATED_EMAIL = re.compile(
    r"(?<![\w.%+\-])[\w.%+\-]{1,64} ?[\[({] ?(?:at|AT|apenstaartje) ?[\])}] ?"
    r"[A-Za-z0-9\-]{1,63} ?(?:[\[({] ?(?:dot|DOT|punt) ?[\])}]|\.) ?[A-Za-z]{2,24}\b"
)


def find_email_addresses(text: str) -> Iterator[Hit]:
    for match in EMAIL.finditer(text):
        local, _, domain = match.group().partition("@")
        domain = domain.rstrip(".-")
        last_dot = domain.rfind(".")
        if last_dot < 1 or not EMAIL_DOMAIN_END.fullmatch(domain, last_dot):
            continue
        local_start = match.start() + len(local) - len(local.lstrip("."))
        yield Hit(
            FindingType.EMAIL, local_start, match.start() + len(local) + 1 + len(domain), 0.95
        )
    for match in OBFUSCATED_EMAIL.finditer(text):
        yield Hit(FindingType.EMAIL, match.start(), match.end(), 0.85)


HANDLE = re.compile(r"(?<![\w@.])@[A-Za-z0-9_][A-Za-z0-9_.]{1,29}")
# "insta: jan_devries", "snapchat naam = mo.2004", "telegram account: @..." (the last is
# also found by HANDLE; overlap resolution keeps one).
PLATFORM_WORDS = frozenset(
    {"insta", "instagram", "snap", "snapchat", "tiktok", "telegram", "twitter", "signal"}
)
LABELLED_HANDLE = re.compile(
    r"\b(?:[Ii]nsta(?:gram)?|IG|ig|[Ss]nap(?:chat)?|[Tt]ik[Tt]ok|[Tt]elegram|[Tt]witter|"
    r"[Ss]ignal|[Dd]iscord|[Kk]ik|[Tt]hreads|[Gg]amertag|PSN|psn|[Xx]box|[Ss]team|[Rr]oblox|"
    r"[Tt]witch)"
    r"(?: ?-?(?:naam|name|account|handle|id|ID|username|gebruikersnaam|tag))?"
    # "op tiktok heet hij x": the pronoun is skipped
    r"(?: ?[:=] ?| (?:als|as|onder|under) ['‘\"“]?"
    r"| (?:is|heet|heette|=)(?: (?:hij|zij|ze|called|named|genaamd))? ['‘\"“]?"
    # "op insta de naam bossman_030", "on snap the name kev_b"
    r"| (?:de |the )?(?:naam|name) ['‘\"“]?)"
    # the whole token: "privé" is no handle "priv"
    r"@?([A-Za-z0-9_][A-Za-z0-9_.]{2,29})(?!\w)"
)
# "zijn snapchat is gehackt": words that say something about the account, not its name.
NOT_HANDLES = frozenset(
    {"gehackt", "kapot", "verwijderd", "geblokkeerd", "privé", "prive", "private", "hacked",
     "deleted", "blocked", "gone", "down", "weg", "leeg", "niet", "not", "nog", "ook", "also",
     "the", "een", "het", "banned", "suspended", "offline", "online", "openbaar", "public",
     "anoniem", "anonymous", "nieuw", "new", "fake", "nep", "van", "from", "his", "her",
     "zijn", "haar", "mijn", "my", "hetzelfde", "same", "actief", "active", "dezelfde"}
)  # fmt: skip


# Consoles and game services are also things ("his Xbox is broken"): after them a handle
# must look like a username (a digit, "_", "." or an inner capital: "xSniperKing99").
DEVICE_PLATFORMS = frozenset({"xbox", "steam", "roblox", "twitch", "psn"})
USERNAME_SHAPE = re.compile(r"[0-9_.]|[a-z][A-Z]")


def _is_plain_word_after_device(labelled: str, handle: str) -> bool:
    platform = re.match(r"[A-Za-z]+", labelled)
    return (
        platform is not None
        and platform.group().lower() in DEVICE_PLATFORMS
        and USERNAME_SHAPE.search(handle) is None
    )


def _is_everyday_word(labelled: str, handle: str, rest: str) -> bool:
    """ "his insta is full of guns", "op Instagram is hij heel actief", "on Instagram is
    recruiting drivers": after "is" an everyday word in lower case, or one a clause goes
    on from, describes the account; a username-shaped word, or one after a naming verb
    ("op tiktok heet hij mocro"), names it."""
    if not handle.islower() or USERNAME_TOKEN_SHAPE.search(handle):
        return False
    if re.search(r"(?i:\b(?:heet|heette|genaamd|called|named|naam|name)\b)", labelled):
        return False
    # "on Instagram is impersonating Anna": a verb's -ing form (fourteenth round)
    progressive = handle.endswith("ing") and len(handle) > 6 and " is" in labelled.lower()
    return is_common_word(handle) or _clause_goes_on(rest) or progressive


# A username near a platform word without a label between them: "op snap lisa.v2008",
# "op TikTok noemt hij zich mocro_maffia_010", "goes by xXshadowXx on Discord". Only
# tokens shaped like usernames count (an underscore, letters and digits mixed, a dot
# between letters, an inner capital), so "op insta 2 foto's" gives nothing.
# Services where people have a username, and words that label one.
_PLATFORMS = (
    r"insta(?:gram)?|ig|snap(?:chat)?|tik ?tok|telegram|twitter|discord|kik|threads|threema|"
    r"wickr|skype|youtube|reddit|twitch|steam|roblox|xbox|psn|playstation|fortnite|minecraft|"
    r"habbo|bereal|pinterest|tumblr|wechat|we chat|line id|grindr|tinder|bumble|badoo|hinge|"
    r"facebook|fb|marktplaats|vinted|ebay|depop|gumtree|2dehands|cash ?app|venmo|onlyfans"
)
_ACCOUNT_LABELS = (
    r"gebruikersnaam|accountnaam|profielnaam|verkopersnaam|username|user name|account name|"
    r"profile name|seller name|display name|screen ?name|gamertag|nepaccount|gebruiker|user|"
    r"account(?! ?(?:number|nummer|no|nr))"
)
PLATFORM_WORD = re.compile(
    rf"(?i:(?<![\w@./])(?:{_PLATFORMS}|{_ACCOUNT_LABELS})"
    r"(?:-?(?:naam|name|account|kanaal|channel|id|tag|username|gebruikersnaam|pagina|page|"
    r"profiel|profile|groep|group))?)"
    r"(?![\w@/]|\.\w)"
)
NEAR_TOKEN = re.compile(r"(?<![\w@./:\-])[A-Za-z0-9_][A-Za-z0-9_.]{1,29}(?![\w@/:\-])")
USERNAME_TOKEN_SHAPE = re.compile(
    r"_|[A-Za-z][0-9]|[0-9][A-Za-z]|[A-Za-z]\.[A-Za-z0-9]|[0-9]\.[A-Za-z]|[a-z][A-Z]"
)
NEAR_PLATFORM_WORDS = 5
CLAUSE_END = re.compile(r"[,;!?()\n]|\.(?:\s|$)")
# "goes by shadow on Discord", "noemt zich kleine_k op snap"
NAMING_BEFORE = re.compile(
    r"(?i:\b(?:goes by|went by|calls (?:himself|herself|themselves)|noemt (?:hij |zij |ze )?"
    r"zich(?:zelf)?|known as|bekend als|heet (?:hij |zij |ze )?) $)"
)
# "... xXshadowXx on Discord", "kevvie2007 op snap"
ON_PLATFORM = re.compile(r" (?:on|op|via) (?:(?:his|her|their|zijn|haar|hun) )?$")


# Shaped like usernames but none (thirteenth round): products written "iPhones", "eBay";
# an advert's or an order's code ("m2011384420"); an account number's opening ("NL14",
# "NL00RABO1234567890"); an abbreviation.
NOT_USERNAME_SHAPES = re.compile(
    r"[ie][A-Z][a-z]+|[A-Za-z]{1,2}[0-9]{5,}|[A-Z]{2}[0-9]{2}(?:[A-Z]{4}[0-9]*)?"
    r"|(?:[A-Za-z]\.)+[A-Za-z]"  # "t.n.v", "m.b.t": an abbreviation
)


def _username_shaped(token: str) -> bool:
    """An underscore, letters and digits mixed, an inner dot or capital; not an app's
    name ("via Telegram en WhatsApp") or a word about the account."""
    return (
        any(character.isalpha() for character in token)
        and USERNAME_TOKEN_SHAPE.search(token) is not None
        and NOT_USERNAME_SHAPES.fullmatch(token) is None
        and token.lower() not in NOT_HANDLES
        and token not in not_name_words()
    )


# Games and the people in them (fourteenth round): "in Warzone met JonkieJoost", "this
# streamer DutchDaddyTV", "a gamer, MrKarelTV,". Only a username-shaped word after them, or
# a lower-case word set off by commas, is taken for a handle: they are no account words
# after which any name counts ("a player called Henderson" may be a surname).
GAME_WORD = re.compile(
    r"(?i:(?<![\w@./])(?:streamers?|gamers?|players?|spelers?|viewers?|kijkers?|clan|lobby|"
    r"valorant|apex(?: legends)?|warzone|overwatch|rocket league|brawl stars|call of duty|"
    r"league of legends|counter-strike|cs ?go|gta(?: online)?|clash of clans|among us|"
    r"pubg|rainbow six|fifa|ea fc)(?![\w@/]|\.\w))"
)
# "op Twitch, sniperdaan, heeft": a lower-case word between commas right after the word.
SET_OFF_TOKEN = re.compile(r", ?([a-z][a-z0-9_.]{3,29}),")


def _is_set_off_username(token: str) -> bool:
    """A lower-case word set off by commas after a platform or game word names the
    account ("a viewer, vortexvince, has"), unless it is an everyday word or a first name."""
    return (
        not is_common_word(token)
        and not is_known_first_name(token.title())
        and token not in NOT_HANDLES
        and token not in NOT_ACCOUNT_NAMES
        and token not in CLAUSE_GOES_ON
    )


def _handles_near_platform_words(text: str) -> Iterator[Hit]:
    words = sorted(
        itertools.chain(PLATFORM_WORD.finditer(text), GAME_WORD.finditer(text)),
        key=lambda match: match.start(),
    )
    for platform in words:
        set_off = SET_OFF_TOKEN.match(text, platform.end())
        if set_off and _is_set_off_username(set_off.group(1).rstrip(".")):
            start = set_off.start(1)
            yield Hit(FindingType.SOCIAL_HANDLE, start, start + len(set_off.group(1)), 0.75)
            continue
        after = text[platform.end() : platform.end() + 80]
        # "on Twitch, GrimReaperLive, who ...", "zijn snapchat (meesie_2k9)": set off
        after = re.sub(r"^ ?[,(] ?", lambda opening: " " * len(opening.group()), after)
        clause = CLAUSE_END.search(after)
        after = after[: clause.start()] if clause else after
        for number, token in enumerate(NEAR_TOKEN.finditer(after)):
            if number >= NEAR_PLATFORM_WORDS:
                break
            name = token.group().rstrip(".")
            if _username_shaped(name) and len(name) > 3:  # "een PS5 op Marktplaats"
                start = platform.end() + token.start()
                # "my account to a company called FitLife": a business's name
                if not _names_a_thing(text, start, BUSINESS_THINGS):
                    yield Hit(FindingType.SOCIAL_HANDLE, start, start + len(name), 0.75)
                break
        before = text[max(0, platform.start() - 40) : platform.start()]
        on = ON_PLATFORM.search(before)
        if on is None:
            continue
        tokens = list(NEAR_TOKEN.finditer(before, 0, on.start()))
        last = tokens[-1] if tokens else None
        if (
            last is not None
            and last.end() == on.start()
            and last.group().lower() not in NOT_ACCOUNT_NAMES | NOT_HANDLES
            and len(last.group()) > 3  # "een PS5 op Marktplaats"
            and (
                _username_shaped(last.group())
                # "he goes by shadow on discord": named by a naming verb, any word but a
                # first name ("noemt zich Vinnie op Instagram" is a nickname)
                or (
                    NAMING_BEFORE.search(before, 0, last.start()) is not None
                    and not is_known_first_name(last.group())
                )
            )
        ):
            start = platform.start() - len(before) + last.start()
            yield Hit(FindingType.SOCIAL_HANDLE, start, start + len(last.group()), 0.75)


# A platform or account word, and further on in the same sentence a phrase that names
# the account: "zoek hem op insta, hij heet daar kevinb", "his Twitch username is
# gamerboy", "op Telegram onder de naam bigmike", "In Roblox he calls himself coolkid".
ACCOUNT_WORD = PLATFORM_WORD
# After these naming phrases any word is the account's name ("op Discord heet hij
# Shadow"); after "is", "als", ":" only a word that is no everyday word ("his insta is
# full of guns" names nothing), unless it is quoted or shaped like a username.
_STRONG_NAMING = (
    r"heet|heette|genaamd|called|named|noemt (?:hij |zij |ze )?zich(?:zelf)?|"
    r"calls (?:himself|herself|themselves)|goes by|went by|onder de naam|under the name|"
    r"bekend als|known as|gebruikersnaam|username|met de naam|with the name|by the name"
)
ACCOUNT_NAMING = re.compile(
    rf"(?i:(?:(?<![\w'’])(?P<strong>{_STRONG_NAMING})|(?<![\w'’])(?:is|was|als|as|onder|under)"
    r"|[:=])(?:(?<=[:=])|\b) ?"
    r"(?:(?:hij|zij|ze|he|she|daar|er|there|nu|now|zich|zichzelf|himself|herself|literally|"
    r"just|simply|gewoon|echt|really) ){0,2}"
    r"(?P<quote>['‘\"“])?(?P<handle>@?[A-Za-z0-9_][A-Za-z0-9_.\-]{2,29})(?![\w@]))"
)
ACCOUNT_WINDOW = 70
SENTENCE_END = re.compile(r"[!?\n]|\.(?:\s|$)")
# Words a naming phrase may be followed by that name nothing.
NOT_ACCOUNT_NAMES = frozenset(
    {"hij", "zij", "ze", "he", "she", "they", "it", "het", "de", "een", "the", "a", "an",
     "well", "ook", "dat", "die", "this", "that", "er", "daar", "there", "niet", "not"}
)  # fmt: skip


# Words after a name that go on with it ("his insta is kevinb and he posts ...").
CLAUSE_GOES_ON = frozenset(
    {"and", "en", "but", "maar", "or", "of", "on", "op", "in", "where", "waar", "daar",
     "there", "who", "die", "dat", "that", "met", "with", "though", "too", "ook", "lol",
     "haha", "lmao", "btw", "idk", "xd"}
)  # fmt: skip


def _describes_the_account(handle: str, naming: re.Match, rest: str) -> bool:
    """After "is", "als" or "as" (not after "heet" or "called"), a lower-case word that a
    clause goes on from ("on Facebook is organising something", "op Tinder voor als
    alleenstaande moeder") or a quoted everyday word ("werk als 'koerier'") says what
    the account or person does, not what the account is called (thirteenth round)."""
    if not handle.islower() or _username_shaped(handle):
        return False
    if naming.group("quote"):
        return is_common_word(handle)
    return _clause_goes_on(rest)


def _clause_goes_on(rest: str) -> bool:
    """Whether the text after a word goes on with a lower-case word that continues the
    clause ("is organising something"), not one that follows a name ("and", "lol")."""
    following = re.match(r" ([a-z]+)\b", rest)
    return following is not None and following.group(1) not in CLAUSE_GOES_ON


def _handles_after_naming(text: str) -> Iterator[Hit]:
    for account in ACCOUNT_WORD.finditer(text):
        after = text[account.end() : account.end() + ACCOUNT_WINDOW]
        end = SENTENCE_END.search(after)
        after = after[: end.start()] if end else after
        naming = ACCOUNT_NAMING.search(after)
        if naming is None:
            continue
        handle = naming.group("handle").rstrip(".-")
        lowered = handle.lower().lstrip("@")
        if lowered in NOT_HANDLES or lowered in NOT_ACCOUNT_NAMES or handle in not_name_words():
            continue
        plain = not (naming.group("quote") or handle.startswith("@") or _username_shaped(handle))
        # "heet eigenlijk Vincent": a lower-case everyday word is no name even after
        # "heet"; a capitalised one is ("op Discord heet hij Shadow")
        if (
            plain
            and is_common_word(handle)
            and (naming.group("strong") is None or handle.islower())
        ):
            continue
        if not any(character.isalpha() for character in handle):
            continue  # "his account is 12345"
        rest = text[account.end() + naming.end("handle") :]
        if plain and re.match(r"\.? [A-Z]", rest):
            continue  # "calls himself Col. James Hartley": a title and a name
        if naming.group("strong") is None and _describes_the_account(handle, naming, rest):
            continue
        if naming.group("quote") and re.match(r"[ \w]", rest):
            continue  # "a page called 'Philips Outlet NL'": a name of words, no username
        if plain and handle[0].isupper() and is_known_first_name(handle.title()):
            continue  # "op Facebook heet hij Kevin": a person's name
        # "my account pays a company called FitLife Gyms": a business's name
        if _names_a_thing(text, account.end() + naming.start(), BUSINESS_THINGS):
            continue
        start = account.end() + naming.start("handle")
        yield Hit(FindingType.SOCIAL_HANDLE, start, start + len(handle), 0.9)


# Reddit users are written "u/name" (a subreddit, "r/name", is no person).
REDDIT_USER = re.compile(r"(?<![\w/.])/?u/[A-Za-z0-9_\-]{3,20}(?![\w/])")


# An underscore between letters or digits occurs in usernames, not in prose
# ("KillaBee_2010", "justice4kids_uk", "zwarte_panter#7720" with Discord's number);
# file names ("IMG_2034.jpg") and addresses are no handles.
UNDERSCORED = re.compile(
    r"(?<![\w@./:\-#])[A-Za-z0-9][A-Za-z0-9.]*_[A-Za-z0-9_.]*[A-Za-z0-9](?:#[0-9]{4})?"
    r"(?![\w@/:\-{(\[])"
)
FILE_EXTENSION = re.compile(r"(?i:\.(?:jpe?g|png|gif|pdf|docx?|xlsx?|mp4|mov|zip|txt|heic))$")
# Cash App's "$cashtag" is a username; "$100" and "$USD" are money.
CASHTAG = re.compile(r"(?<![\w$])\$[A-Za-z][A-Za-z0-9_]{2,19}(?!\w)")
# A Discord tag: "vortex#0666" (not a code: "order#1234")
DISCORD_TAG = re.compile(r"(?<![\w@./:#-])([A-Za-z][\w.]{1,31})#[0-9]{4}(?![\w#])")
NOT_DISCORD_NAMES = frozenset(
    {"order", "ordernr", "bestelling", "ticket", "invoice", "factuur", "case", "ref", "nr", "no",
     "issue", "room", "kamer", "unit", "pin", "code", "id"}
)  # fmt: skip


# "samsnails.rdam", "omar.b.010", "fleur.xoxo.2011": lower-case words joined by dots, as
# usernames on Instagram and Snapchat are written, with no domain ending and not only
# everyday words ("huis.daarna" is a missing space) (thirteenth round).
DOTTED_USERNAME = re.compile(r"(?<![\w@./:\-#+])[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+")
DOMAIN_ENDINGS = frozenset(
    {"com", "org", "net", "info", "biz", "app", "shop", "online", "site", "xyz", "io", "dev",
     "store", "club", "live", "email", "pro", "top", "vip", "link", "page"}
)  # fmt: skip


def _dotted_usernames(text: str) -> Iterator[Hit]:
    for match in DOTTED_USERNAME.finditer(text):
        following = text[match.end() : match.end() + 2]
        if following[:1] in {"@", "/", ":", "-"} or re.match(r"\.\w", following):
            continue  # part of an e-mail address, a link or a longer token
        parts = match.group().split(".")
        ending = parts[-1]
        if (len(ending) == 2 and ending.isalpha()) or ending in DOMAIN_ENDINGS:
            continue  # "xavi.nl", "bol.com": a domain
        if not any(len(part) >= 3 and part.isalpha() for part in parts):
            continue  # "o.a", "m.b.t", "nr.5"
        if all(is_common_word(part) for part in parts) or FILE_EXTENSION.search(match.group()):
            continue
        yield Hit(FindingType.SOCIAL_HANDLE, match.start(), match.end(), 0.7)


# A naming phrase and a username-shaped word (fourteenth round): "a player called
# Kraken_NL", "die zich BigBroBram noemt", "met de naam ToxicTijn", "he uses the name
# wouterk87", "came back as CreeperKing2012". Found without a platform word, and more
# confident than the person's name the cue would otherwise make of the word.
NAMED_USERNAME = re.compile(
    r"(?i:\b(?:called|named|genaamd|heet|heette|(?:the|de|die|that|a|een) (?:user)?(?:name|naam)|"
    r"noemt (?:hij |zij |ze )?zich(?:zelf)?|calls (?:himself|herself|themselves)|goes by|"
    r"went by|known as|bekend als|back as|terug als) ['‘\"“]?"
    r"|\bzich (?=[A-Za-z0-9_.]{4,30} noem(?:t|de|en)\b))"
    r"(?P<handle>[A-Za-z0-9_][A-Za-z0-9_.]{3,29})(?![\w@/:\-#])"
)
# Letters written as digits inside a word ("K1ngKobus", "L1ttleH4mmer") and the
# "xX…Xx" frame ("xXgodmodeXx") are usernames' spelling, not prose (fourteenth round).
LEET_WORD = re.compile(
    r"(?<![\w@./:\-#+])(?:(?=[A-Za-z0-9_]*[A-Za-z][0-9][a-z])[A-Za-z0-9_]{5,30}"
    r"|x[xX][A-Za-z0-9_]{2,26}[xX]x)(?![\w@/:\-#]|\.\w)"
)


# Things that are given names too ("a webshop called PharmaPlus24", "de app heet
# '3havo chill'", "a platform called NexaTrade"); people between them and the naming
# phrase are what it names ("on our server a player called CreeperKing2011").
NAMED_USERNAME_THINGS = NAMED_THINGS | {"platform", "platforms", "shops", "sites", "apps"}
NAMED_USERNAME_PEOPLE = GENERIC_CUES | {
    "player", "speler", "user", "gebruiker", "streamer", "gamer", "account", "someone",
    "iemand", "person", "persoon", "viewer", "kijker", "he", "she", "hij", "zij", "ze",
}  # fmt: skip
THING_WINDOW = 5


# Of those, the ones that have no account of their own on a platform.
BUSINESS_THINGS = NAMED_USERNAME_THINGS - {
    "page", "pagina", "kanaal", "channel", "group", "groep", "groepje", "groepsapp", "chat",
    "server", "app", "apps", "band", "club", "dog", "hond", "horse", "paard", "label",
}  # fmt: skip


def _names_a_thing(
    text: str, naming_start: int, things: frozenset[str] = NAMED_USERNAME_THINGS
) -> bool:
    """Whether a thing word stands among the few words before a naming phrase with no
    person word after it: then the name is the thing's, not an account's."""
    before = re.findall(r"[^\W\d_]+", text[max(0, naming_start - 60) : naming_start].lower())
    for word in reversed(before[-THING_WINDOW:]):
        if word in NAMED_USERNAME_PEOPLE:
            return False
        if word in things:
            return True
    return False


def _named_usernames(text: str) -> Iterator[Hit]:
    for match in NAMED_USERNAME.finditer(text):
        handle = match.group("handle").rstrip(".")
        ending = handle.rsplit(".", 1)[-1] if "." in handle else ""
        if (
            ending.lower() not in DOMAIN_ENDINGS  # "a site called leaks.net"
            and handle[0].isalpha()
            and not _names_a_thing(text, match.start())
            and sum(character.isalpha() for character in handle) >= 4
            and _username_shaped(handle)
            # a capital inside: "ShadowMaxx", not "McGrath" nor "iPhone"
            and (USERNAME_SHAPE.search(handle.replace("_", "0")) is not None)
            and not (handle.isalpha() and INNER_CAPITAL.search(handle) is None)
            and handle.lower() not in PLATFORM_WORDS
        ):
            start = match.start("handle")
            yield Hit(FindingType.SOCIAL_HANDLE, start, start + len(handle), 0.95)
    for match in LEET_WORD.finditer(text):
        if sum(character.isalpha() for character in match.group()) >= 4:
            yield Hit(FindingType.SOCIAL_HANDLE, match.start(), match.end(), 0.7)


def find_social_handles(text: str) -> Iterator[Hit]:
    # "t.me/+Xk2pQrstLmNvY2E0", "detail.pl?flatshare_id=17384920": a word inside a link's
    # path or query is no handle (a profile link is found as a whole)
    for hit in _social_handles(text):
        if text[hit.start - 1 : hit.start] not in {"/", "+", "?", "=", "&"}:
            yield hit


def _social_handles(text: str) -> Iterator[Hit]:
    for match in UNDERSCORED.finditer(text):
        if any(c.isalpha() for c in match.group()) and not FILE_EXTENSION.search(match.group()):
            yield Hit(FindingType.SOCIAL_HANDLE, match.start(), match.end(), 0.7)
    for match in CASHTAG.finditer(text):
        if any(character.islower() for character in match.group()):
            yield Hit(FindingType.SOCIAL_HANDLE, match.start(), match.end(), 0.85)
    for match in DISCORD_TAG.finditer(text):
        if match.group(1).lower() not in NOT_DISCORD_NAMES:
            yield Hit(FindingType.SOCIAL_HANDLE, match.start(), match.end(), 0.85)
    # the usernames among the speakers of a pasted chat ("K1ng_Zay: u got it?")
    for start, end in chat_speakers(text):
        if looks_like_username(text[start:end]):
            yield Hit(FindingType.SOCIAL_HANDLE, start, end, 0.8)
    yield from _handles_near_platform_words(text)
    yield from _handles_after_naming(text)
    yield from _dotted_usernames(text)
    yield from _named_usernames(text)
    for match in REDDIT_USER.finditer(text):
        yield Hit(FindingType.SOCIAL_HANDLE, match.start(), match.end(), 0.85)
    for match in HANDLE.finditer(text):
        handle = match.group().rstrip(".")
        end = match.start() + len(handle)
        if text[end : end + 1] == "." and _is_word_character(text, end + 1):
            continue  # "@gmail.com" after a stray space: part of an address, not a handle
        if len(handle) > 2:
            yield Hit(FindingType.SOCIAL_HANDLE, match.start(), end, 0.85)
    position = 0
    while match := LABELLED_HANDLE.search(text, position):
        handle = match.group(1).rstrip(".")
        if handle.lower() in NOT_HANDLES:
            position = match.end()
            continue
        if _is_plain_word_after_device(match.group(0), handle) or _is_everyday_word(
            match.group(0), handle, text[match.start(1) + len(handle) :]
        ):
            position = match.end()
            continue
        if handle.lower() in PLATFORM_WORDS:
            # "op Snapchat als snap: dikkeb0y" - the handle is further on
            position = match.start(1)
            continue
        start = match.start(1)
        if text[start - 1 : start] == "@":
            start -= 1
        yield Hit(FindingType.SOCIAL_HANDLE, start, match.start(1) + len(handle), 0.8)
        position = match.end()


PROFILE_URL = re.compile(
    r"(?<![\w/.])(?:https?://)?(?:(?:www|m|mobile|web|nl|de|en|vm|vt)\.)?"
    r"(?:facebook\.com|fb\.com|instagram\.com|linkedin\.com/in|tiktok\.com/@|x\.com|"
    # TikTok's short links to an account or a video: "https://vm.tiktok.com/ZMh7Kq2pB/"
    r"(?<=vm\.)tiktok\.com|(?<=vt\.)tiktok\.com|"
    r"twitter\.com|snapchat\.com/add|t\.me|telegram\.me|youtube\.com/@|threads\.net/@|"
    r"reddit\.com/u(?:ser)?|vk\.com|onlyfans\.com|steamcommunity\.com/(?:id|profiles)|"
    r"twitch\.tv|youtube\.com/(?:channel|c|user)|pinterest\.(?:com|nl|co\.uk|de)|"
    r"ticketswap\.(?:nl|com|be)/user|"
    # Marketplaces and second-hand sites: the seller's page (issue 11).
    r"marktplaats\.(?:nl|be)/u|2dehands\.(?:be|nl)/u|2ememain\.be/u|"
    r"vinted\.(?:nl|be|fr|de|es|it|pl|at|lu|com|co\.uk)/member|"
    r"ebay\.(?:com|nl|de|be|fr|it|es|at|ch|ie|pl|co\.uk)/(?:usr|str)|depop\.com|"
    r"tweedehands\.net/profiel|speurders\.nl/profiel|gumtree\.com/profile|"
    r"wallapop\.com/user|kleinanzeigen\.de/s-bestandsliste|leboncoin\.fr/profil|"
    r"etsy\.com/(?:shop|people)|"
    # creator and link pages, whose first path segment is the user ("fansly.com/…")
    r"fansly\.com|patreon\.com|linktr\.ee|ko-fi\.com|buymeacoffee\.com|cash\.app/\$|"
    # a freelancer's page and a fundraiser (thirteenth round)
    r"fiverr\.com|gofundme\.com/f|"
    # an invitation to someone's own Discord server (fourteenth round)
    r"discord\.gg|discord\.com/invite)"
    r"/?([A-Za-z0-9_.%@?=&/\-]{2,200})",
    re.IGNORECASE,
)
# First path segments that are site pages, not someone's profile.
NON_PROFILE_PATHS = frozenset(
    {
        "hashtag",
        "search",
        "explore",
        "home",
        "login",
        "share",
        "sharer",
        "sharer.php",
        "help",
        "products",
        "category",
        # events, videos and posts are no one's profile (a group may be a seller's page)
        "events",
        "watch",
        "p",
        "reel",
        "reels",
    }
)


# Any other site's page of one user: "https://tinder.com/@sophiee_91", "tweedehands.be/u/
# bram-de-groot/", "forum.example.org/members/kees": a path that starts with "@" or a user
# folder names a person wherever the site is.
USER_PAGE_URL = re.compile(
    r"(?<![\w/.@-])(?:https?://)?(?:[a-z0-9-]+\.)+[a-z]{2,12}/"
    # "bumble.com/en/profile/luke-38": a language folder may come first, or a section
    # ("ouders.nl/forum/profiel/…", "olx.pl/oferty/uzytkownik/…", thirteenth round)
    r"(?:[a-z]{2}(?:-[a-z]{2})?/|(?:forum|forums|community|oferty|nl|en)/)?"
    r"(?:@|\$|(?:u|user|users|profile|profiel|profil|profiles|uzytkownik|benutzer|utilisateur|"
    # a seller's, landlord's or creator's page: "kamernet.nl/huurders/…", "…/verkoper/…"
    r"member|members|people|seller|sellers|verkoper|verkopers|vendor|vendors|verhuurder|"
    r"verhuurders|huurder|huurders|creator|creators|author|"
    # a dealer's or tradesman's page, a personal fundraiser: "autotrader.co.uk/dealers/…",
    # "checkatrade.com/trades/…", "justgiving.com/crowdfunding/…" (fourteenth round)
    r"dealer|dealers|trader|traders|trades|tradesman|crowdfunding|fundraising)/)"
    r"([A-Za-z0-9_.%\-]{2,100})",
    re.IGNORECASE,
)


def find_profile_urls(text: str) -> Iterator[Hit]:
    for match in USER_PAGE_URL.finditer(text):
        user = match.group(1).rstrip(".,;:!?)-")
        if len(user) >= 2 and user.lower() not in NON_PROFILE_PATHS:
            yield Hit(FindingType.PROFILE_URL, match.start(), match.start(1) + len(user), 0.9)
    for match in PROFILE_URL.finditer(text):
        path = match.group(1).rstrip(".,;:!?)/&=")
        first_segment = path.lstrip("@/").split("/")[0].split("?")[0].lower()
        if not first_segment or first_segment in NON_PROFILE_PATHS:
            continue
        yield Hit(FindingType.PROFILE_URL, match.start(), match.start(1) + len(path), 0.9)
