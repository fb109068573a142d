"""Counts per line and ended month (``stats.MonthFigures``), and the triggers that forget them.

A kept month is only right while none of the rows it was counted from
changes. Signals would miss ``QuerySet.update`` (the case workflow writes
outcomes that way) and plain SQL, so the database itself deletes the months
of a report whenever a row the statistics read is written: the report, its
case and classification, its messages, its forwards and their feedback, the
known-material matches of its files, and a partner's kind; only the passes
that read the written table (a staff message forgets the pilot's month, not
the report pass's). The triggers are written out here rather than imported,
so the migration stays as it was applied; a figure that reads another column,
or a pass that reads another table, needs a migration that watches it
(docs/statistics.md, *Months kept*).
"""

import django.db.models.deletion
from django.db import migrations, models

FIGURES = "stats_monthfigures"

# (table, the columns the statistics read, how a row names its report: None for
# the report itself, else SQL with ROW for the written row, and the passes that read
# the table: the part of MonthFigures.name before "/"; None for all of them)
WATCHED = (
    (
        "intake_report",
        ("line_id", "category_id", "status", "channel", "municipality_code")
        + ("received_at", "closed_at", "destroyed_at", "follows_id"),
        None,
        None,
    ),
    (
        "cases_case",
        ("report_id", "triage_outcome", "close_outcome"),
        "ROW.report_id",
        ("cube", "pilot", "classifications"),
    ),
    (
        "cases_caseclassification",
        ("case_id", "option_id"),
        "(SELECT report_id FROM cases_case WHERE id = ROW.case_id)",
        ("classifications",),
    ),
    ("intake_message", ("report_id", "author", "created_at"), "ROW.report_id", ("pilot",)),
    (
        "network_forward",
        ("report_id", "partner_id", "first_read_at", "redacted"),
        "ROW.report_id",
        ("pilot", "partner_kinds"),
    ),
    (
        "network_forwardfeedback",
        ("forward_id", "outcome"),
        "(SELECT report_id FROM network_forward WHERE id = ROW.forward_id)",
        ("pilot",),
    ),
    (
        "evidence_evidencematch",
        ("evidence_id", "list_name"),
        "(SELECT r.id FROM intake_report r JOIN evidence_evidencefile f"
        " ON f.data_key_id = r.data_key_id WHERE f.id = ROW.evidence_id)",
        ("known_material",),
    ),
)
# Forwards are counted per partner kind: a partner changing kind changes every month.
PARTNER = ("network_partner", ("kind",), "partner_kinds")


def _changed(columns: tuple[str, ...], distinct: str) -> str:
    return " OR ".join(f"OLD.{column} {distinct} NEW.{column}" for column in columns)


def _names(passes: tuple[str, ...]) -> str:
    return ", ".join(f"'{name}'" for name in passes)


def _sqlite_forget(report: str | None, row: str, passes: tuple[str, ...] | None) -> str:
    if report is None:
        line, at = f"{row}.line_id", f"{row}.received_at"
    else:
        report = report.replace("ROW", row)
        line = f"(SELECT line_id FROM intake_report WHERE id = {report})"
        at = f"(SELECT received_at FROM intake_report WHERE id = {report})"
    which = f" AND {SQLITE_PASS} IN ({_names(passes)})" if passes else ""
    return (
        f"DELETE FROM {FIGURES} WHERE line_id = {line} AND starts_at <= {at}"
        f" AND ends_at > {at}{which};"
    )


SQLITE_PASS = "substr(name, 1, instr(name, '/') - 1)"


def _sqlite() -> tuple[list[str], list[str]]:
    create, drop = [], []
    for table, columns, report, passes in WATCHED:
        name = f"stats_forget_{table}"
        create += [
            f"CREATE TRIGGER {name}_insert AFTER INSERT ON {table} "
            f"BEGIN {_sqlite_forget(report, 'NEW', passes)} END",
            f"CREATE TRIGGER {name}_delete AFTER DELETE ON {table} "
            f"BEGIN {_sqlite_forget(report, 'OLD', passes)} END",
            f"CREATE TRIGGER {name}_update AFTER UPDATE OF {', '.join(columns)} ON {table} "
            f"WHEN {_changed(columns, 'IS NOT')} BEGIN {_sqlite_forget(report, 'OLD', passes)}"
            f" {_sqlite_forget(report, 'NEW', passes)} END",
        ]
        drop += [f"DROP TRIGGER {name}_{when}" for when in ("insert", "delete", "update")]
    table, columns, kinds = PARTNER
    create.append(
        f"CREATE TRIGGER stats_forget_{table}_update AFTER UPDATE OF {', '.join(columns)} "
        f"ON {table} WHEN {_changed(columns, 'IS NOT')} "
        f"BEGIN DELETE FROM {FIGURES} WHERE {SQLITE_PASS} = '{kinds}'; END"
    )
    drop.append(f"DROP TRIGGER stats_forget_{table}_update")
    return create, drop


def _postgresql_forget(report: str | None, row: str, passes: tuple[str, ...] | None) -> str:
    which = f"ARRAY[{_names(passes)}]" if passes else "NULL"
    if report is None:
        return f"PERFORM stats_forget_month({row}.line_id, {row}.received_at, {which});"
    return f"PERFORM stats_forget_report({report.replace('ROW', row)}, {which});"


POSTGRESQL_PASS = "split_part(name, '/', 1)"


def _postgresql() -> tuple[list[str], list[str]]:
    which = f"(p_passes IS NULL OR {POSTGRESQL_PASS} = ANY (p_passes))"
    create = [
        "CREATE FUNCTION stats_forget_month(p_line bigint, p_at timestamptz, p_passes text[])"
        f" RETURNS void LANGUAGE sql AS $$ DELETE FROM {FIGURES}"
        f" WHERE line_id = p_line AND starts_at <= p_at AND ends_at > p_at AND {which} $$",
        "CREATE FUNCTION stats_forget_report(p_report bigint, p_passes text[]) RETURNS void"
        f" LANGUAGE sql AS $$ DELETE FROM {FIGURES} m USING intake_report r"
        " WHERE r.id = p_report AND m.line_id = r.line_id"
        f" AND m.starts_at <= r.received_at AND m.ends_at > r.received_at AND {which} $$",
    ]
    drop = []
    for table, columns, report, passes in WATCHED:
        name = f"stats_forget_{table}"
        create += [
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
            f" IF TG_OP <> 'INSERT' THEN {_postgresql_forget(report, 'OLD', passes)} END IF;"
            f" IF TG_OP <> 'DELETE' THEN {_postgresql_forget(report, 'NEW', passes)} END IF;"
            " RETURN NULL; END $$",
            f"CREATE TRIGGER {name}_write AFTER INSERT OR DELETE ON {table}"
            f" FOR EACH ROW EXECUTE FUNCTION {name}()",
            f"CREATE TRIGGER {name}_update AFTER UPDATE OF {', '.join(columns)} ON {table}"
            f" FOR EACH ROW WHEN ({_changed(columns, 'IS DISTINCT FROM')})"
            f" EXECUTE FUNCTION {name}()",
        ]
        drop += [
            f"DROP TRIGGER {name}_write ON {table}",
            f"DROP TRIGGER {name}_update ON {table}",
            f"DROP FUNCTION {name}()",
        ]
    table, columns, kinds = PARTNER
    create += [
        f"CREATE FUNCTION stats_forget_{table}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        f" DELETE FROM {FIGURES} WHERE {POSTGRESQL_PASS} = '{kinds}'; RETURN NULL; END $$",
        f"CREATE TRIGGER stats_forget_{table}_update AFTER UPDATE OF {', '.join(columns)}"
        f" ON {table} FOR EACH ROW WHEN ({_changed(columns, 'IS DISTINCT FROM')})"
        f" EXECUTE FUNCTION stats_forget_{table}()",
    ]
    drop += [
        f"DROP TRIGGER stats_forget_{table}_update ON {table}",
        f"DROP FUNCTION stats_forget_{table}()",
        "DROP FUNCTION stats_forget_report(bigint, text[])",
        "DROP FUNCTION stats_forget_month(bigint, timestamptz, text[])",
    ]
    return create, drop


def _run(schema_editor, statements: list[str]) -> None:
    for statement in statements:
        schema_editor.execute(statement, params=None)


def _statements(schema_editor) -> tuple[list[str], list[str]]:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        return _postgresql()
    if vendor == "sqlite":
        return _sqlite()
    raise NotImplementedError(f"no statistics triggers for {vendor}")


def triggers_create(apps, schema_editor) -> None:
    _run(schema_editor, _statements(schema_editor)[0])


def triggers_drop(apps, schema_editor) -> None:
    _run(schema_editor, _statements(schema_editor)[1])


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
