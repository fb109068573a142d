"""Small-cell suppression with complementary (secondary) suppression for 2-D count tables.

The hypercube method (Repsilber; GHMITER in tau-argus, ``method="HYPERCUBE"``
in sdcTable), reduced to two dimensions where a hypercube is a rectangle.
A table has interior cells ``cells[r][c]``, published row totals (never
hidden: small rows are merged before, see ``phenomenon.merge_small_rows``),
column totals and a grand total (published). A count from 1 to ``k - 1`` in
an interior cell or a column total is hidden (primary suppression). Each
hidden cell is then made part of a rectangle of four hidden cells: rows
``r, r2`` (``r2`` may be the column-total row) and interior columns ``c, c2``.
Adding ``+t`` to two opposite corners and ``-t`` to the other two keeps every
published total the same, so whoever knows all published figures cannot tell
the true table from the shifted one: each hidden cell has at least two values
that fit. A rectangle is only used when the shift by one (``t = 1`` or
``t = -1``) keeps all four corners at 1 or more, because a reader knows that a
hidden count is never 0 (zeros are shown). Row totals and the grand total are
never in a rectangle, so the argument holds for several tables that share them.

Complementary cells are chosen by the least total count hidden (the
information lost), as the hypercube method does. If a hidden cell has no such
rectangle the table cannot be published safely and ``None`` is returned.
"""

from collections.abc import Sequence

Cell = tuple[int, int]


def _column_totals(cells: Sequence[Sequence[int]], width: int) -> list[int]:
    return [sum(row[c] for row in cells) for c in range(width)]


def _value(cells: Sequence[Sequence[int]], totals: list[int], cell: Cell) -> int:
    r, c = cell
    return totals[c] if r == len(cells) else cells[r][c]


def _rectangle(r: int, c: int, r2: int, c2: int, total_row: int) -> tuple[list[Cell], list[Cell]]:
    """The corners that move by +t and by -t when (r, c) moves by +t (``r < r2``).

    Every row keeps its sum; a column total moves with the interior cell above it.
    """
    if r2 == total_row:  # a column total moves with its interior cell
        return [(r, c), (r2, c)], [(r, c2), (r2, c2)]
    return [(r, c), (r2, c2)], [(r, c2), (r2, c)]


def _shiftable(values: dict[Cell, int], plus: list[Cell], minus: list[Cell]) -> bool:
    """Whether a shift by +1 or -1 keeps every corner at least 1 (all corners above 0)."""
    if any(values[cell] < 1 for cell in plus + minus):
        return False
    return all(values[cell] >= 2 for cell in minus) or all(values[cell] >= 2 for cell in plus)


def suppress(cells: Sequence[Sequence[int]], k: int) -> set[Cell] | None:
    """The cells to hide: (row, column), row ``len(cells)`` being the column totals.

    None when some small count cannot be protected (the table must not be shown).
    """
    height, width = len(cells), len(cells[0]) if cells else 0
    totals = _column_totals(cells, width)
    values = {
        (r, c): _value(cells, totals, (r, c)) for r in range(height + 1) for c in range(width)
    }
    hidden = {cell for cell, n in values.items() if 0 < n < k}

    def rectangles(cell: Cell):
        r, c = cell
        for r2 in range(height + 1):
            for c2 in range(width):
                if r2 == r or c2 == c or (r == height and r2 == height):
                    continue
                plus, minus = _rectangle(min(r, r2), c, max(r, r2), c2, height)
                if _shiftable(values, plus, minus):
                    yield plus + minus

    for cell in sorted(hidden):
        if any(all(corner in hidden for corner in corners) for corners in rectangles(cell)):
            continue
        candidates = [
            (sum(values[corner] for corner in corners if corner not in hidden), corners)
            for corners in rectangles(cell)
        ]
        if not candidates:
            return None
        hidden.update(min(candidates)[1])
    return hidden
