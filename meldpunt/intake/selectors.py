"""Reads of the intake that views and other apps need."""

from django.db.models import QuerySet

from meldpunt.lines.models import Category, Line

from .models import Message, Report


def open_lines() -> QuerySet[Line]:
    return Line.objects.filter(is_active=True, categories__is_public=True).distinct()


def open_categories(line: Line) -> QuerySet[Category]:
    return line.categories.filter(is_public=True)


def report_messages(report: Report) -> QuerySet[Message]:
    return report.messages.prefetch_related("attachments__file").order_by("pk")
