"""Regenerate meldpunt/privacy/data/public_first_names.txt and public_surnames.txt.

The hand-compiled lists in that folder are small. These two add first names and
surnames from the person providers of Faker (MIT licence, pypi.org/project/faker),
which list common names per country (nl_NL, nl_BE, en_GB, en_US, en_IE, de_DE, tr_TR,
pl_PL). Faker is not a dependency: download its wheel once and point this script at
the unpacked folder. Names that are also ordinary lower-case words in the Dutch or
English word lists of Debian's wdutch, wamerican and wbritish packages ("Winter",
"Savage", "Bakker") are left out, because alone they are no evidence of a name.

    pip download --no-deps -d /tmp/faker faker==40.54.0 && cd /tmp/faker && unzip -q *.whl
    apt-get install wdutch wamerican wbritish
    python scripts/privacy_name_lists.py /tmp/faker
"""

import importlib
import re
import sys
from pathlib import Path

LOCALES = ("nl_NL", "nl_BE", "en_GB", "en_US", "en_IE", "en", "de_DE", "tr_TR", "pl_PL")
WORD_LISTS = ("dutch", "american-english", "british-english")
PARTICLES = {"van", "de", "der", "den", "ter", "ten", "te", "het", "'t", "in", "op", "'s"}
NAME = re.compile(r"[A-ZÀ-ÝŞĞİÇÖÜ][a-zà-ÿşğıçöüł'’\-]{1,30}")
DATA = Path(__file__).resolve().parents[1] / "meldpunt" / "privacy" / "data"
HEADER = (
    "# {what} from the person providers of Faker {version} (MIT licence), locales {locales};\n"
    "# ordinary lower-case Dutch or English words left out. Made by\n"
    "# scripts/privacy_name_lists.py; do not edit by hand, add to {hand} instead.\n"
)


def main(faker_folder: str) -> None:
    sys.path.insert(0, faker_folder)
    version = importlib.import_module("faker").VERSION
    words = set()
    for name in WORD_LISTS:
        for line in Path("/usr/share/dict", name).read_text("utf-8").splitlines():
            if line and line[0].islower():
                words.add(line.strip())
    first_names: set[str] = set()
    surnames: set[str] = set()
    for locale in LOCALES:
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        first_names.update(getattr(provider, "first_names", ()))
        for surname in getattr(provider, "last_names", ()):
            parts = [part for part in surname.split() if part.lower() not in PARTICLES]
            if len(parts) == 1:
                surnames.add(parts[0])
    for path, names, what, hand in (
        (DATA / "public_first_names.txt", first_names, "First names", "first_names.txt"),
        (DATA / "public_surnames.txt", surnames, "Surnames", "surnames.txt"),
    ):
        kept = sorted(n for n in names if NAME.fullmatch(n) and n.lower() not in words)
        header = HEADER.format(what=what, version=version, locales=", ".join(LOCALES), hand=hand)
        path.write_text(header + "\n".join(kept) + "\n", encoding="utf-8")
        print(f"{path.name}: {len(kept)} of {len(names)}")


if __name__ == "__main__":
    main(sys.argv[1])
