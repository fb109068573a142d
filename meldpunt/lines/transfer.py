"""Import and export of line configuration as plain data (YAML or JSON).

The format mirrors the models: lines with their categories and questions, and
municipalities. Import updates existing rows by slug/key, so the same file can
be applied again after edits; export followed by import changes nothing.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from .models import Category, Line, Municipality, Question, QuestionKind

LINE_FIELDS = [
    "kind",
    "name",
    "name_en",
    "description",
    "description_en",
    "is_active",
    "order",
    "max_files",
    "max_file_mb",
    "allowed_file_formats",
    "keep_uncleaned_files",
    "tracked_changes",
    "file_names",
    "retention_days_after_close",
    "retention_days_open",
    "acknowledge_days",
    "feedback_days",
]
CATEGORY_FIELDS = ["name", "name_en", "description", "description_en", "is_public", "order"]
QUESTION_FIELDS = [
    "kind",
    "label",
    "label_en",
    "help_text",
    "help_text_en",
    "is_required",
    "choices",
    "max_length",
    "order",
]


def _pick(source: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    return {name: source[name] for name in fields if name in source}


def _saved(instance: Any) -> Any:
    instance.full_clean(validate_unique=False, validate_constraints=False)
    instance.save()
    return instance


def _import_questions(category: Category, questions: list[dict[str, Any]]) -> None:
    by_key: dict[str, Question] = {}
    for position, data in enumerate(questions):
        if data.get("kind") not in QuestionKind.values:
            raise ValidationError(
                f"question {data.get('key')!r}: unknown kind {data.get('kind')!r}"
            )
        question = Question.objects.filter(category=category, key=data["key"]).first() or Question(
            category=category, key=data["key"]
        )
        for name, value in _pick({"order": position, **data}, QUESTION_FIELDS).items():
            setattr(question, name, value)
        condition = data.get("shown_if")
        question.shown_if_question = by_key[condition["question"]] if condition else None
        question.shown_if_value = condition["value"] if condition else ""
        by_key[question.key] = _saved(question)


@transaction.atomic
def lines_import(data: dict[str, Any]) -> dict[str, int]:
    """Create or update lines, categories, questions and municipalities; all or nothing."""
    counts = {"lines": 0, "categories": 0, "questions": 0, "municipalities": 0}
    for item in data.get("municipalities", []):
        Municipality.objects.update_or_create(
            code=item["code"],
            defaults=_pick(item, ["name", "province"]),
        )
        counts["municipalities"] += 1
    for line_position, line_data in enumerate(data.get("lines", [])):
        line = Line.objects.filter(slug=line_data["slug"]).first() or Line(slug=line_data["slug"])
        for name, value in _pick({"order": line_position, **line_data}, LINE_FIELDS).items():
            setattr(line, name, value)
        _saved(line)
        counts["lines"] += 1
        for position, category_data in enumerate(line_data.get("categories", [])):
            category = Category.objects.filter(line=line, slug=category_data["slug"]).first() or (
                Category(line=line, slug=category_data["slug"])
            )
            for name, value in _pick({"order": position, **category_data}, CATEGORY_FIELDS).items():
                setattr(category, name, value)
            _saved(category)
            counts["categories"] += 1
            _import_questions(category, category_data.get("questions", []))
            counts["questions"] += len(category_data.get("questions", []))
    return counts


def lines_export() -> dict[str, Any]:
    lines = []
    for line in Line.objects.prefetch_related("categories__questions__shown_if_question"):
        categories = []
        for category in line.categories.all():
            questions = []
            for question in category.questions.all():
                item = {"key": question.key, **{f: getattr(question, f) for f in QUESTION_FIELDS}}
                if question.shown_if_question:
                    item["shown_if"] = {
                        "question": question.shown_if_question.key,
                        "value": question.shown_if_value,
                    }
                questions.append(item)
            categories.append(
                {
                    "slug": category.slug,
                    **{f: getattr(category, f) for f in CATEGORY_FIELDS},
                    "questions": questions,
                }
            )
        lines.append(
            {
                "slug": line.slug,
                **{f: getattr(line, f) for f in LINE_FIELDS},
                "categories": categories,
            }
        )
    municipalities = [
        {"code": m.code, "name": m.name, "province": m.province} for m in Municipality.objects.all()
    ]
    return {"lines": lines, "municipalities": municipalities}
