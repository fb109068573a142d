"""Ready-made classification schemes, installed per line on request.

They are starting points an administrator edits in the admin afterwards; nothing
reads these lists at run time. The content hotline's scheme follows seed 003 and
the INHOPE classification (assessment, age group, gender, media).
"""

from meldpunt.lines.models import LineKind

# preset -> [(scheme slug, name, English name, allows multiple, [(slug, label, English)])]
PRESETS: dict[str, list[tuple[str, str, str, bool, list[tuple[str, str, str]]]]] = {
    LineKind.CONTENT_HOTLINE: [
        (
            "assessment",
            "Beoordeling",
            "Assessment",
            False,
            [
                ("csam", "Kinderpornografie", "Child sexual abuse material"),
                ("child-erotica", "Kindererotica", "Child erotica"),
                ("child-nudity", "Kindernudisme", "Child nudity"),
                ("adult-pornography", "Volwassenenpornografie", "Adult pornography"),
                ("not-found", "Niet gevonden / niet bereikbaar", "Not found / not accessible"),
                ("other", "Overig", "Other"),
            ],
        ),
        (
            "age-group",
            "Leeftijdsgroep",
            "Age group",
            True,
            [
                ("toddler", "Peuter", "Toddler"),
                ("pre-pubescent", "Pre-puberaal", "Pre-pubescent"),
                ("pubescent", "Puberaal", "Pubescent"),
                ("unknown", "Onbekend", "Unknown"),
            ],
        ),
        (
            "gender",
            "Geslacht",
            "Gender",
            True,
            [
                ("girl", "Meisje", "Girl"),
                ("boy", "Jongen", "Boy"),
                ("unknown", "Onbekend", "Unknown"),
            ],
        ),
        (
            "media",
            "Soort materiaal",
            "Media",
            True,
            [("image", "Afbeelding", "Image"), ("video", "Video", "Video")],
        ),
    ],
}
