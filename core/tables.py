"""The command line's tables: a rich table on a terminal, tab-separated values anywhere else.

Piped into `less`, `cut` or a file, a rich table is drawn at a guessed width of 80 columns
and folds every cell into a narrow box; a script cannot read it back either. So when stdout
is not a terminal a table is printed as TSV: one header line, one line per row, every cell
whole. Its title, caption and the notes a command prints around it become `# ` comment
lines: a command may print several tables into one stream (`wsis ingest`, `wsis eval`) and
the title is what tells them apart, while TSV readers skip such lines (`grep -v '^#'`,
pandas' `read_csv(comment="#")`, R's `read.delim(comment.char="#")`).

It lives on the ground floor because every step's commands print tables and each step may
import only what lies below it."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from rich.console import Console
from rich.table import Table as RichTable
from rich.text import Text

# A cell is plain text, a count, or rich `Text` where the terminal should show it in colour.
# A string is never read as markup, so a title with brackets prints as written. A count
# stays a number in JSON and TSV and gets thousands separators on a terminal only.
Cell = str | int | Text

# TSV has no quoting: a tab or line break inside a cell would split it.
_BREAKS = re.compile(r"\s*[\t\r\n]\s*")


@dataclass(frozen=True)
class Column:
    """A column's name (the TSV header and the JSON key) and how a terminal shows it."""

    name: str
    justify: Literal["left", "right"] = "left"
    max_width: int | None = None
    no_wrap: bool = False
    style: str | None = None


@dataclass(frozen=True)
class Table:
    """What a command prints: a title, columns, rows of cells and an optional caption."""

    title: str
    columns: Sequence[Column]
    rows: Sequence[Sequence[Cell]]
    caption: str = ""
    show_lines: bool = False  # rules between rows, for cells of several lines


def render(table: Table, *, terminal: bool) -> RichTable | str:
    """The table as rich draws it on a terminal, or as TSV text (with `# ` title and caption
    lines and no final newline) for anything else."""
    if terminal:
        return _rich(table)
    lines = [f"# {table.title}"] if table.title else []
    lines.append("\t".join(_tsv_cell(column.name) for column in table.columns))
    lines.extend("\t".join(_tsv_cell(cell) for cell in row) for row in table.rows)
    if table.caption:
        lines.append(f"# {_tsv_cell(table.caption)}")
    return "\n".join(lines)


def print_table(console: Console, table: Table) -> None:
    """Print `table` on `console`: drawn on a terminal, TSV when piped."""
    rendered = render(table, terminal=console.is_terminal)
    if isinstance(rendered, str):
        _write(console, rendered)
    else:
        console.print(rendered)


def print_note(console: Console, message: str) -> None:
    """Print a line of rich markup that goes with a table: as it is on a terminal, as a
    plain `# ` comment line when piped, so that the TSV around it stays readable."""
    if console.is_terminal:
        console.print(message)
    else:
        plain = Text.from_markup(message).plain
        _write(console, "\n".join(f"# {line}" for line in plain.splitlines()))


def table_rows(table: Table) -> list[dict[str, str | int]]:
    """The rows as JSON objects keyed by column name (for `--json`)."""
    names = [column.name for column in table.columns]
    return [
        dict(zip(names, (cell.plain if isinstance(cell, Text) else cell for cell in row), strict=True))
        for row in table.rows
    ]


def tables_json(tables: Iterable[Table]) -> dict[str, list[dict[str, str | int]]]:
    """Several tables' rows, each list named by its table's title (for `--json`)."""
    return {table.title: table_rows(table) for table in tables}


def _write(console: Console, text: str) -> None:
    # Past rich, which would wrap lines at the console's width and expand tabs to spaces.
    console.file.write(text + "\n")


def _rich(table: Table) -> RichTable:
    drawn = RichTable(title=table.title or None, caption=table.caption or None, show_lines=table.show_lines)
    for column in table.columns:
        drawn.add_column(
            column.name,
            justify=column.justify,
            max_width=column.max_width,
            no_wrap=column.no_wrap,
            style=column.style,
            overflow="ellipsis" if column.no_wrap else "fold",
        )
    for row in table.rows:
        drawn.add_row(*(_rich_cell(cell) for cell in row))
    return drawn


def _rich_cell(cell: Cell) -> Text:
    if isinstance(cell, Text):
        return cell
    return Text(f"{cell:,}" if isinstance(cell, int) else cell)


def _tsv_cell(cell: Cell) -> str:
    plain = cell.plain if isinstance(cell, Text) else str(cell)
    return _BREAKS.sub(" ", plain)
