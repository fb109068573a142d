"""Issue 11, item 6: each warning fits the question and says what was found."""

import pytest
from django.utils import translation

from meldpunt.privacy.detection import FindingType as T
from meldpunt.privacy.detection import answer_review, reporter_warnings


def _shown(text: str, **options) -> list[tuple[T, str, str]]:
    with translation.override("en"):
        return [
            (w.finding.type, w.finding.text, str(w.explanation))
            for w in reporter_warnings(text, **options)
        ]


@pytest.mark.parametrize(
    ("text", "language", "kind", "passage", "says"),
    [
        ("Mijn nummer is 06-38217645.", "nl", T.PHONE, "06-38217645", "your phone number"),
        ("My number is 06-38217645.", "en", T.PHONE, "06-38217645", "your phone number"),
        ("Mijn naam is Ingrid Bos.", "nl", T.PERSON_NAME, "Ingrid Bos", "your own name"),
        ("My name is Ingrid Bos.", "en", T.PERSON_NAME, "Ingrid Bos", "your own name"),
        ("Mijn e-mail is ib@example.nl.", "nl", T.EMAIL, "ib@example.nl", "your e-mail"),
        ("My address is Kerkstraat 12.", "en", T.STREET_ADDRESS, "Kerkstraat 12", "your own"),
        ("Mijn kenteken is 45-KJX-7.", "nl", T.LICENCE_PLATE, "45-KJX-7", "your own vehicle"),
    ],
)
def test_own_details_are_explained_as_what_they_are(text, language, kind, passage, says):
    """'Mijn nummer' and 'My name' were explained as 'how you know the people involved'."""
    shown = _shown(text, language=language)
    assert [(k, p) for k, p, _ in shown] == [(kind, passage)]
    assert says in shown[0][2]
    assert "how you know" not in shown[0][2]


@pytest.mark.parametrize(
    ("text", "passage", "says"),
    [
        ("Mijn buurman dealt.", "Mijn buurman", "how you know the people involved"),
        ("I'm his landlord.", "I'm his landlord", "how you know the people involved"),
        ("Ik woon naast het pand.", "Ik woon naast", "where you live, work or watch from"),
        ("From my window I see it.", "From my window", "where you live, work or watch from"),
        ("Ik werk bij de garage.", "Ik werk bij de garage", "where you live, work or watch from"),
    ],
)
def test_self_references_say_whether_they_reveal_a_relation_or_a_place(text, passage, says):
    shown = _shown(text)
    assert [(k, p) for k, p, _ in shown] == [(T.SELF_REFERENCE, passage)]
    assert says in shown[0][2]


def test_an_address_is_not_the_reporters_own_because_they_saw_something_there():
    (shown,) = _shown("Ik zag het gebeuren op de Kerkstraat 12.", language="nl")
    assert shown[0] == T.STREET_ADDRESS
    assert "If it is where you live or work" in shown[2]


def test_the_address_a_location_question_asks_for_is_asked_about_once_not_flagged():
    """The crime scene address the form asks for was flagged as 'this may identify you'."""
    answer = "Kerkstraat 12, 8011 PK Zwolle, in de kelder"
    assert [kind for kind, _, _ in _shown(answer)] == [T.STREET_ADDRESS, T.POSTCODE_ADDRESS]

    review = answer_review(answer, language="nl", is_location_answer=True)
    assert review.warnings == []
    assert "".join(segment.text for segment in review.segments) == answer
    with translation.override("en"):
        assert "Do you live or work at this place?" in str(review.note)
    # Only a location question asks it.
    assert answer_review(answer, language="nl").note is None


@pytest.mark.usefixtures("self_reference_rules_alone")
def test_a_location_answer_still_warns_about_everything_else_and_the_reporters_own_address():
    answer = "Bij mijn adres, Kerkstraat 12. Bel 06-38217645."
    shown = _shown(answer, language="nl", is_location_answer=True)
    assert [(kind, passage) for kind, passage, _ in shown] == [
        (T.STREET_ADDRESS, "Kerkstraat 12"),
        (T.PHONE, "06-38217645"),
    ]
    assert "your own address" in shown[0][2]


@pytest.mark.parametrize(
    "text",
    [
        "Ik heb daar twee jaar gewerkt.",
        "Ik huur een kamer bij hem.",
        "I live upstairs from the dealer.",
        "We share a driveway with them.",
    ],
)
def test_a_self_reference_to_a_place_is_explained_as_a_place(text):
    (warning,) = reporter_warnings(text)
    with translation.override("en"):
        assert "where you live, work or watch from" in str(warning.explanation)


@pytest.mark.parametrize(
    ("text", "language", "says"),
    [
        ("Hij heeft mij vorige week bedreigd.", "nl", "did to you or with you"),
        ("She keeps texting me at night.", "en", "did to you or with you"),
        ("Ik heb vorig jaar een scooter van hem gekocht.", "nl", "what you did with or for"),
        ("I lent her 300 pounds in March.", "en", "what you did with or for"),
    ],
)
def test_an_acted_on_or_dealings_self_reference_says_what_happened_between_them(
    text, language, says
):
    """Thirteenth round: "hij heeft mij bedreigd" is no relation and no place."""
    (warning,) = reporter_warnings(text, language=language)
    assert warning.finding.type == T.SELF_REFERENCE
    with translation.override("en"):
        assert says in str(warning.explanation)
        english = str(warning.explanation)
    with translation.override("nl"):
        assert str(warning.explanation) != english  # translated
