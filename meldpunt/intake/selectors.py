"""Reads of the intake that views and other apps need."""

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from meldpunt.lines.models import Category, Line, Municipality, Question, QuestionKind

from .models import Message, Report

# How a yes/no answer (stored as "yes" or "no") reads on a page.
YES_NO_LABELS = {"yes": _("Yes"), "no": _("No")}


def open_lines() -> QuerySet[Line]:
    return Line.objects.filter(is_active=True, categories__is_public=True).distinct()


def open_categories(line: Line) -> QuerySet[Category]:
    return line.categories.filter(is_public=True)


def report_messages(report: Report) -> QuerySet[Message]:
    return report.messages.prefetch_related("attachments__file").order_by("pk")


def answers_shown(*, report: Report, content: dict) -> list[tuple[str, str]]:
    """(question, answer) pairs of a report as a person reads them, in the page language.

    The sealed content keeps answers as the form cleaned them: a choice's value
    ("coke"), "yes"/"no", a municipality's code ("GM0363"). Those are codes for
    exports and the API; people read the choice's label, Ja/Nee and the
    municipality's name. The labels come from the questionnaire the report was
    made with (its category slug in the content); an answer whose question or
    choice no longer exists is shown as stored, because that is all we know.
    The question is shown in the page language while it still reads as the
    reporter saw it (see question_text).
    """
    questions = _questions_of(report=report, slug=content.get("category", ""))
    stored = content.get("questions", {})
    return [
        (
            question_text(questions.get(key), stored.get(key, key)),
            answer_label(questions.get(key), str(answer)),
        )
        for key, answer in content.get("answers", {}).items()
    ]


def question_text(question: Question | None, seen: str) -> str:
    """The question in the page language, if it still reads as the reporter saw it.

    A question reworded since keeps the words the reporter answered, whatever
    the page language: its meaning is what the answer belongs to.
    """
    if question is not None and seen in {question.label, question.label_en}:
        return question.text
    return seen


def answer_label(question: Question | None, answer: str) -> str:
    """One stored answer in words: the label of a choice, yes/no, a municipality's name."""
    if question is None:
        return answer
    match question.kind:
        case QuestionKind.CHOICE:
            return dict(question.localized_choices()).get(answer, answer)
        case QuestionKind.YES_NO:
            return str(YES_NO_LABELS.get(answer, answer))
        case QuestionKind.MUNICIPALITY:
            return municipality_name(answer) or answer
    return answer


def municipality_name(code: str) -> str:
    """The name of a municipality by its code, or "" when the code is not known."""
    if not code:
        return ""
    return Municipality.objects.filter(code=code).values_list("name", flat=True).first() or ""


def _questions_of(*, report: Report, slug: str) -> dict[str, Question]:
    """The questions of the category the report was made in, by key.

    The category may have been corrected since; the answers follow the
    questionnaire the reporter filled in, so that one is looked up first.
    """
    category = Category.objects.filter(line_id=report.line_id, slug=slug).first() if slug else None
    category = category or report.category
    return {question.key: question for question in category.questions.all()}
