"""The command line's tables: TSV when piped, a rich table on a terminal, rows for --json."""

from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table as RichTable
from rich.text import Text

from wsis_rag.core.tables import Column, Table, print_note, print_table, render, table_rows, tables_json

LONG_TITLE = "Outcome document of the high-level meeting of the General Assembly on the overall review " * 2

TABLE = Table(
    "WSIS corpus",
    [Column("id"), Column("title", max_width=20), Column("passages", justify="right")],
    [
        ["a-res-80-173", LONG_TITLE, 1234],
        ["gdc", Text("Global Digital Compact", style="red"), 7],
        ["note", "a cell\twith a tab\nand a line break [red]not markup[/]", 0],
    ],
    caption="looked in: /tmp/corpus",
)


def console(*, terminal: bool, width: int = 60) -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, force_terminal=terminal, width=width, color_system=None), out


def test_piped_a_table_is_tsv_with_one_line_per_row_and_every_cell_whole() -> None:
    tsv = render(TABLE, terminal=False)

    assert isinstance(tsv, str)
    assert tsv.splitlines() == [
        "# WSIS corpus",
        "id\ttitle\tpassages",
        f"a-res-80-173\t{LONG_TITLE.strip()} \t1234",
        "gdc\tGlobal Digital Compact\t7",
        "note\ta cell with a tab and a line break [red]not markup[/]\t0",
        "# looked in: /tmp/corpus",
    ]


def test_print_table_writes_tsv_past_the_console_width_when_not_a_terminal() -> None:
    piped, out = console(terminal=False, width=40)

    print_table(piped, TABLE)

    lines = out.getvalue().splitlines()
    assert lines[2].startswith("a-res-80-173\t") and len(lines[2]) > 40
    assert [len(line.split("\t")) for line in lines[1:-1]] == [3, 3, 3, 3]


def test_on_a_terminal_the_table_is_drawn_by_rich() -> None:
    assert isinstance(render(TABLE, terminal=True), RichTable)
    terminal, out = console(terminal=True)

    print_table(terminal, TABLE)

    drawn = out.getvalue()
    assert "┏" in drawn and "\t" not in drawn
    assert "1,234" in drawn  # counts get thousands separators on a terminal only
    assert all(len(line) <= 60 for line in drawn.splitlines())


def test_a_cell_is_never_read_as_markup() -> None:
    terminal, out = console(terminal=True)

    print_table(terminal, Table("t", [Column("symbol")], [["[draft] A/79/L.2"]]))

    assert "[draft] A/79/L.2" in out.getvalue()


def test_notes_are_comment_lines_when_piped_and_markup_on_a_terminal() -> None:
    piped, piped_out = console(terminal=False)
    terminal, terminal_out = console(terminal=True)

    for target in (piped, terminal):
        print_note(target, "[red]error:[/] two\nlines")

    assert piped_out.getvalue() == "# error: two\n# lines\n"
    assert terminal_out.getvalue() == "error: two\nlines\n"


def test_json_rows_are_keyed_by_column_with_counts_as_numbers() -> None:
    rows = table_rows(TABLE)

    assert rows[1] == {"id": "gdc", "title": "Global Digital Compact", "passages": 7}
    assert rows[2]["title"] == "a cell\twith a tab\nand a line break [red]not markup[/]"
    assert list(tables_json([TABLE, Table("Other", [Column("x")], [])])) == ["WSIS corpus", "Other"]
