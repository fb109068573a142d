"""Tables written as CSV or JSON, with small counts hidden exactly as on the page."""

import csv
import io
import json

from .figures import Kind, Table, display_rows

# A cell starting with one of these is run as a formula by spreadsheet programs;
# names of categories and municipalities come from configuration and are quoted.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_START) else text


def table_csv(table: Table, threshold: int) -> str:
    """One table: a header of its column titles, then the rows as printed on the page."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*table.columns, *(measure.title for measure in table.measures)])
    for row in display_rows(table, threshold):
        writer.writerow(
            [_cell(cell) if index < len(table.columns) else cell for index, cell in enumerate(row)]
        )
    return buffer.getvalue()


def tables_csv(tables: list[Table], threshold: int) -> str:
    """All tables in long form: table, labels, measure, value, one value per line."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    width = max(len(table.columns) for table in tables)
    writer.writerow(["table", *(f"label_{n + 1}" for n in range(width)), "measure", "value"])
    for table in tables:
        for labels, cells in zip(
            (labels for labels, _values in table.rows),
            display_rows(table, threshold),
            strict=True,
        ):
            padded = [_cell(label) for label in labels] + [""] * (width - len(labels))
            for measure, cell in zip(table.measures, cells[len(labels) :], strict=True):
                writer.writerow([table.slug, *padded, measure.key, cell])
    return buffer.getvalue()


def tables_json(tables: list[Table], threshold: int, **header) -> str:
    """Machine-readable: a hidden count is null, its key listed in ``hidden``."""
    result = {**header, "min_count": threshold, "tables": []}
    for table in tables:
        rows = []
        for labels, values in table.rows:
            row = {"labels": list(labels)}
            for measure, value in zip(table.measures, values, strict=True):
                if table.is_hidden(value, measure, threshold):
                    row[measure.key] = None
                    row.setdefault("hidden", []).append(measure.key)
                elif measure.kind != Kind.COUNT and value is not None:
                    row[measure.key] = round(value, 1)
                else:
                    row[measure.key] = value
            rows.append(row)
        result["tables"].append(
            {
                "table": table.slug,
                "title": table.title,
                "columns": list(table.columns),
                "measures": {m.key: m.title for m in table.measures},
                "hides_small_counts": table.is_sensitive,
                "rows": rows,
            }
        )
    return json.dumps(result, indent=2, ensure_ascii=False)
