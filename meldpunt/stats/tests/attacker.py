"""An attacker who tries to work out hidden counts from published totals.

Everything a reader of one or more exports knows becomes a linear system:
each table's rows add up to their totals, its columns to theirs, the totals
to the grand total, and a cell published in one export (or table) has the
same value wherever else it appears under the same name. Hidden counts are
unknowns of at least 1 (zeros are shown) and, where the page says "< 5",
at most 4. For every unknown the attacker computes the smallest and largest
value the system allows, by linear programming (an exact simplex over
fractions, since scipy is not a dependency); a count is recovered when only
one whole number lies between them. This is the audit tau-argus runs on a
suppression pattern, and it is sound: the true table always fits.
"""

import csv
import io
import math
from dataclasses import dataclass, field
from fractions import Fraction

Key = tuple[str, ...]


@dataclass
class Grid:
    """One published table: interior cells, totals; None where the value is hidden."""

    name: str
    cells: dict[tuple[str, str], int | None]
    row_totals: dict[str, int | None] = field(default_factory=dict)
    column_totals: dict[str, int | None] = field(default_factory=dict)
    total: int | None = None
    most: int | None = None  # what a reader knows a hidden count is at most

    def equations(self) -> list[list[tuple[Key, int | None]]]:
        """Terms (name, published value or None): the parts add up to the last term."""
        rows = {r for r, _c in self.cells} | set(self.row_totals)
        columns = {c for _r, c in self.cells} | set(self.column_totals)
        result = []

        def term(kind: str, *key: str, value) -> tuple[Key, int | None]:
            return ((self.name, kind, *key), value)

        def cell(r: str, c: str):
            return term("cell", r, c, value=self.cells.get((r, c), 0))

        for r, total in self.row_totals.items():
            result.append([*(cell(r, c) for c in sorted(columns)), term("row", r, value=total)])
        for c, total in self.column_totals.items():
            result.append([*(cell(r, c) for r in sorted(rows)), term("column", c, value=total)])
        if self.total is not None:
            grand = term("total", value=self.total)
            if self.row_totals:
                result.append(
                    [*(term("row", r, value=v) for r, v in self.row_totals.items()), grand]
                )
            if self.column_totals:
                result.append(
                    [*(term("column", c, value=v) for c, v in self.column_totals.items()), grand]
                )
        return result


def grids_from_csv(text: str, total: str = "Total") -> list[Grid]:
    """The tables of a phenomenon export as a recipient reads them from its CSV."""
    grids: dict[str, Grid] = {}
    for record in csv.DictReader(io.StringIO(text)):
        name = f"{record['line']}/{record['year']}/{record['table']}"
        grid = grids.setdefault(name, Grid(name=name, cells={}))
        value = None if record["reports"] == "x" else int(record["reports"])
        row, column = record["row"], record["column"]
        if row == total and column == total:
            grid.total = value
        elif column == total:
            grid.row_totals[row] = value
        elif row == total:
            grid.column_totals[column] = value
        else:
            grid.cells[(row, column)] = value
    return list(grids.values())


def _simplex(tableau: list[list[Fraction]], basis: list[int], cost: list[Fraction], allowed):
    """Minimise ``cost`` from a feasible basis (Bland's rule); None if unbounded."""
    width = len(cost)
    while True:
        reduced = [
            cost[j] - sum(cost[b] * row[j] for b, row in zip(basis, tableau, strict=True))
            for j in range(width)
        ]
        entering = next((j for j in range(width) if allowed(j) and reduced[j] < 0), None)
        if entering is None:
            return sum(cost[b] * row[-1] for b, row in zip(basis, tableau, strict=True))
        ratios = [
            (row[-1] / row[entering], basis[i], i)
            for i, row in enumerate(tableau)
            if row[entering] > 0
        ]
        if not ratios:
            return None
        _pivot(tableau, basis, min(ratios)[2], entering)


def _pivot(tableau: list[list[Fraction]], basis: list[int], r: int, col: int) -> None:
    pivot = tableau[r][col]
    tableau[r] = [v / pivot for v in tableau[r]]
    for i, row in enumerate(tableau):
        if i != r and row[col]:
            factor = row[col]
            tableau[i] = [a - factor * b for a, b in zip(row, tableau[r], strict=True)]
    basis[r] = col


def bounds(grids: list[Grid]) -> dict[Key, tuple[Fraction, Fraction | None]]:
    """The least and greatest value of every hidden count that fits all published figures."""
    known: dict[Key, int] = {}
    for grid in grids:
        for equation in grid.equations():
            for name, value in equation:
                if value is not None:
                    known[name] = value
    most = {}
    for grid in grids:
        for equation in grid.equations():
            for name, value in equation:
                if value is None and name not in known:
                    most[name] = grid.most
    unknowns = sorted(most)
    index = {name: n for n, name in enumerate(unknowns)}
    # Rows over y = x - 1 >= 0: sum(sign * y) = -sum(sign * constants) - sum(sign) over unknowns.
    rows: list[list[Fraction]] = []
    for grid in grids:
        for equation in grid.equations():
            coefficients = [Fraction(0)] * len(unknowns)
            constant = Fraction(0)
            for position, (name, _value) in enumerate(equation):
                sign = -1 if position == len(equation) - 1 else 1
                if name in index:
                    coefficients[index[name]] += sign
                    constant -= sign  # the 1 that y leaves out
                else:
                    constant -= sign * known.get(name, 0)
            if any(coefficients):
                rows.append([*coefficients, constant])
    # Upper bounds as rows with a slack each: y + s = most - 1.
    slacks = [name for name in unknowns if most[name] is not None]
    width = len(unknowns) + len(slacks)
    full = [row[:-1] + [Fraction(0)] * len(slacks) + [row[-1]] for row in rows]
    for n, name in enumerate(slacks):
        row = [Fraction(0)] * (width + 1)
        row[index[name]] = Fraction(1)
        row[len(unknowns) + n] = Fraction(1)
        row[-1] = Fraction(most[name] - 1)
        full.append(row)
    tableau, basis = _feasible(full, width)
    result = {}
    for name in unknowns:
        j = index[name]
        low = _simplex([r[:] for r in tableau], basis[:], _unit(width, j, 1), lambda c: c < width)
        high = _simplex([r[:] for r in tableau], basis[:], _unit(width, j, -1), lambda c: c < width)
        result[name] = (low + 1, None if high is None else -high + 1)
    return result


def _unit(width: int, j: int, sign: int) -> list[Fraction]:
    return [Fraction(sign if n == j else 0) for n in range(width)]


def _feasible(rows: list[list[Fraction]], width: int):
    """Phase one: a feasible basis of the original columns (the true table is feasible)."""
    tableau = []
    for row in rows:
        row = [-v for v in row] if row[-1] < 0 else row[:]
        tableau.append(row)
    m = len(tableau)
    tableau = [
        row[:-1] + [Fraction(int(i == j)) for j in range(m)] + [row[-1]]
        for i, row in enumerate(tableau)
    ]
    basis = [width + i for i in range(m)]
    cost = [Fraction(0)] * width + [Fraction(1)] * m
    assert _simplex(tableau, basis, cost, lambda c: True) == 0, "the published figures disagree"
    # Drive artificial columns out of the basis; a row with nothing else is redundant.
    for i in reversed(range(m)):
        if basis[i] >= width:
            col = next((j for j in range(width) if tableau[i][j] != 0), None)
            if col is None:
                del tableau[i], basis[i]
            else:
                _pivot(tableau, basis, i, col)
    return [row[:width] + row[-1:] for row in tableau], basis


def recovered(grids: list[Grid], of: list[Grid] | None = None) -> dict[Key, int]:
    """Counts hidden in ``of`` (default: any grid) that only one whole number fits.

    A count hidden in one export and published in another is recovered too.
    """
    published = {
        name: value
        for grid in grids
        for equation in grid.equations()
        for name, value in equation
        if value is not None
    }
    targets = {
        name
        for grid in (grids if of is None else of)
        for equation in grid.equations()
        for name, value in equation
        if value is None
    }
    found = {name: published[name] for name in targets if name in published}
    for name, (low, high) in bounds(grids).items():
        if name in targets and high is not None and math.floor(high) == math.ceil(low):
            found[name] = math.ceil(low)
    return found
