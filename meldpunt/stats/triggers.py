"""The triggers that forget kept months (``stats.MonthFigures``) when their rows change.

A kept month is only right while none of the rows it was counted from
changes. Signals would miss ``QuerySet.update`` (the case workflow writes
outcomes that way) and plain SQL, so the database itself deletes the months
of a report whenever a row the statistics read is written: the report, its
case and classification, its messages, its forwards and their feedback, the
known-material matches of its files, and a partner's kind; only the passes
that read the written table (a staff message forgets the pilot's month, not
the report pass's). A figure that reads another column, or a pass that reads
another table, must be added to ``WATCHED``; the next ``migrate`` makes the
triggers anew (``triggers_after_migrate``). The imports point down: ``stats``
owns the table and the triggers, the apps whose tables they watch know
nothing of them.
"""

from django.db import connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

# ruff: noqa: S608 - the SQL below is built from the table and column names written here

FIGURES = "stats_monthfigures"
# A pass's name without its version ("pilot/1" -> "pilot"), in each dialect.
SQLITE_BASE_NAME = "substr(name, 1, instr(name, '/') - 1)"
POSTGRESQL_BASE_NAME = "split_part(name, '/', 1)"

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
    which = f" AND {SQLITE_BASE_NAME} IN ({_names(passes)})" if passes else ""
    return (
        f"DELETE FROM {FIGURES} WHERE line_id = {line} AND starts_at <= {at}"
        f" AND ends_at > {at}{which};"
    )


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
        drop += [f"DROP TRIGGER IF EXISTS {name}_{when}" for when in ("insert", "delete", "update")]
    table, columns, kinds = PARTNER
    create.append(
        f"CREATE TRIGGER stats_forget_{table}_update AFTER UPDATE OF {', '.join(columns)} "
        f"ON {table} WHEN {_changed(columns, 'IS NOT')} "
        f"BEGIN DELETE FROM {FIGURES} WHERE {SQLITE_BASE_NAME} = '{kinds}'; END"
    )
    drop.append(f"DROP TRIGGER IF EXISTS stats_forget_{table}_update")
    return create, drop


def _postgresql_forget(report: str | None, row: str, passes: tuple[str, ...] | None) -> str:
    which = f"ARRAY[{_names(passes)}]" if passes else "NULL"
    if report is None:
        return f"PERFORM stats_forget_month({row}.line_id, {row}.received_at, {which});"
    return f"PERFORM stats_forget_report({report.replace('ROW', row)}, {which});"


def _postgresql() -> tuple[list[str], list[str]]:
    which = f"(p_passes IS NULL OR {POSTGRESQL_BASE_NAME} = ANY (p_passes))"
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
            f"DROP TRIGGER IF EXISTS {name}_write ON {table}",
            f"DROP TRIGGER IF EXISTS {name}_update ON {table}",
            f"DROP FUNCTION IF EXISTS {name}()",
        ]
    table, columns, kinds = PARTNER
    create += [
        f"CREATE FUNCTION stats_forget_{table}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        f" DELETE FROM {FIGURES} WHERE {POSTGRESQL_BASE_NAME} = '{kinds}'; RETURN NULL; END $$",
        f"CREATE TRIGGER stats_forget_{table}_update AFTER UPDATE OF {', '.join(columns)}"
        f" ON {table} FOR EACH ROW WHEN ({_changed(columns, 'IS DISTINCT FROM')})"
        f" EXECUTE FUNCTION stats_forget_{table}()",
    ]
    drop += [
        f"DROP TRIGGER IF EXISTS stats_forget_{table}_update ON {table}",
        f"DROP FUNCTION IF EXISTS stats_forget_{table}()",
        "DROP FUNCTION IF EXISTS stats_forget_report(bigint, text[])",
        "DROP FUNCTION IF EXISTS stats_forget_month(bigint, timestamptz, text[])",
    ]
    return create, drop


def _statements(connection: BaseDatabaseWrapper) -> tuple[list[str], list[str]]:
    if connection.vendor == "postgresql":
        return _postgresql()
    if connection.vendor == "sqlite":
        return _sqlite()
    raise NotImplementedError(f"no statistics triggers for {connection.vendor}")


def triggers_install(connection: BaseDatabaseWrapper) -> None:
    """Make the triggers as they are written here, whatever was there before."""
    create, drop = _statements(connection)
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        for statement in [*drop, *create]:
            cursor.execute(statement)


def triggers_remove(connection: BaseDatabaseWrapper) -> None:
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        for statement in _statements(connection)[1]:
            cursor.execute(statement)


def triggers_after_migrate(sender, using: str, **kwargs) -> None:
    """``post_migrate``: make the triggers again after every ``migrate`` (and flush).

    On SQLite, Django alters a table by making a new one and dropping the old,
    and the old table's triggers go with it: a later migration of
    ``intake_report`` would silently stop kept months from being forgotten.
    Making them again after every ``migrate`` undoes that. Not before the
    table they fill exists (``migrate stats 0001`` removes it).
    """
    connection = connections[using]
    if FIGURES in connection.introspection.table_names():
        triggers_install(connection)
