"""Regenerate meldpunt/privacy/data/common_words.txt: frequent Dutch and English words.

A capitalised word that no name list knows is taken for a name by the weakest rules of
meldpunt.privacy.detection.names (two such words in a row, or one mid-sentence). Titles,
bands and brands are written that way too ("Love Island", "Western Union", "Rolling
Stones", "Match of the Day"), and they are made of everyday words, while the names
these rules exist for ("Sietse Wolthuis", "Tomasz Nowak", "kwam Stein met") are not.
This list holds the lower-case words with a Zipf frequency of at least 4.0 (about once
per 100,000 words) in Dutch or English according to wordfreq (Robyn Speer; code Apache
2.0, frequency data CC BY-SA 4.0, pypi.org/project/wordfreq), without words that are in
the first-name or surname lists. wordfreq is not a dependency: install it in a scratch
virtualenv and run this script with that interpreter from the repository root:

    python3 -m venv /tmp/wf && /tmp/wf/bin/pip install wordfreq==3.1.1
    /tmp/wf/bin/python scripts/privacy_common_words.py
"""

import re
from importlib.metadata import version
from pathlib import Path

from wordfreq import top_n_list, zipf_frequency

LANGUAGES = ("nl", "en")
MIN_ZIPF = 4.0
CANDIDATES = 60_000
WORD = re.compile(r"[a-zà-ÿ][a-zà-ÿ'\-]{1,30}")
DATA = Path(__file__).resolve().parents[1] / "meldpunt" / "privacy" / "data"
NAME_LISTS = ("first_names.txt", "surnames.txt", "public_first_names.txt", "public_surnames.txt")
HEADER = (
    "# Lower-case words with a Zipf frequency of at least {zipf} in Dutch or English, from\n"
    "# wordfreq {version} (Robyn Speer; frequency data CC BY-SA 4.0), without listed names.\n"
    "# Made by scripts/privacy_common_words.py; do not edit by hand.\n"
)


def main() -> None:
    names = set()
    for list_name in NAME_LISTS:
        for line in (DATA / list_name).read_text("utf-8").splitlines():
            if line and not line.startswith("#"):
                names.add(line.strip().lower())
    words = set()
    for language in LANGUAGES:
        for word in top_n_list(language, CANDIDATES):
            if WORD.fullmatch(word) and zipf_frequency(word, language) >= MIN_ZIPF:
                words.add(word)
    words -= names
    header = HEADER.format(zipf=MIN_ZIPF, version=version("wordfreq"))
    (DATA / "common_words.txt").write_text(header + "\n".join(sorted(words)) + "\n", "utf-8")
    print(f"{len(words)} common words")


if __name__ == "__main__":
    main()
