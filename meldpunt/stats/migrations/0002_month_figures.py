"""Counts per line and ended month (``stats.MonthFigures``), and the triggers that forget them.

The triggers are made by ``stats.triggers`` (here, and again after every
``migrate``: on SQLite a later migration that rebuilds a watched table drops
them with it).
"""


import django.db.models.deletion
from django.db import migrations, models

from meldpunt.stats.triggers import triggers_install, triggers_remove

def triggers_create(apps, schema_editor) -> None:
    triggers_install(schema_editor.connection)


def triggers_drop(apps, schema_editor) -> None:
    triggers_remove(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0003_staff_notifications"),
        ("intake", "0006_report_channel"),
        ("lines", "0009_line_tracked_changes"),
        ("network", "0010_forward_redacted"),
        ("evidence", "0007_preview_kinds_of_documents"),
        ("stats", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="MonthFigures",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=40)),
                ("starts_at", models.DateTimeField()),
                ("ends_at", models.DateTimeField()),
                ("rows", models.JSONField(null=True)),
                (
                    "line",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="lines.line",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(fields=["line", "starts_at"], name="stats_month_line_starts")
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("name", "line", "starts_at"), name="one_month_figures_per_pass"
                    )
                ],
            },
        ),
        migrations.RunPython(triggers_create, triggers_drop),
    ]
