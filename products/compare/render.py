"""A comparison as a redline: Markdown, printable HTML and DOCX (python-docx).

Every paragraph of both documents appears once, in the order of the second, under its part;
deleted words are struck through and inserted words underlined (in Markdown: ~~deleted~~ and
**inserted**; in HTML: <del> and <ins>), and each paragraph carries both citations and its status.
"""

from __future__ import annotations

import io
from typing import Literal

from ...core.text import map_strings
from ..rendering import NOT_XML, escape
from .comparison import ClausePair, Comparison, PairStatus, StatusCounts
from .words import Op

CompareFormat = Literal["md", "html", "docx"]

TITLE = "Comparison: {a} and {b}"
SUBTITLE = "{a_symbol} ({a_title}) → {b_symbol} ({b_title})"
LEGEND = "Deleted words are struck through, inserted words underlined. Similarity {similarity:.2f}."
SUMMARY_HEADING = "Summary"
PARTS = "Part"
STATUSES = tuple(s.value for s in PairStatus)
RENUMBERED = "renumbered"
WARNINGS_HEADING = "Warnings"
NOT_IN = "(not in {symbol})"


def _title(comparison: Comparison) -> str:
    return TITLE.format(a=comparison.a.symbol, b=comparison.b.symbol)


def _subtitle(comparison: Comparison) -> str:
    a, b = comparison.a, comparison.b
    return SUBTITLE.format(a_symbol=a.symbol, a_title=a.title, b_symbol=b.symbol, b_title=b.title)


def citation_line(pair: ClausePair, comparison: Comparison) -> str:
    """'A/C.2/80/L.10, para. 7 → A/RES/80/120, para. 7 · changed, renumbered'."""
    a = "; ".join(pair.a_labels) or NOT_IN.format(symbol=comparison.a.symbol)
    b = "; ".join(pair.b_labels) or NOT_IN.format(symbol=comparison.b.symbol)
    notes = [pair.status.value] + ([RENUMBERED] if pair.renumbered else [])
    return f"{a} → {b} · {', '.join(notes)}"


def runs(pair: ClausePair) -> list[tuple[Op, str]]:
    """The paragraph as runs to print: its changes, or its one text kept, added or deleted."""
    if pair.changes:
        return [(c.op, c.text) for c in pair.changes]
    if pair.a_text is None:
        return [(Op.INSERT, pair.b_text or "")]
    if pair.b_text is None:
        return [(Op.DELETE, pair.a_text)]
    return [(Op.EQUAL, pair.b_text)]


def _count_rows(comparison: Comparison) -> list[tuple[str, StatusCounts]]:
    return [*comparison.summary.by_part.items(), ("all", comparison.summary)]


def _count_cells(counts: StatusCounts) -> list[str]:
    return [str(getattr(counts, status)) for status in (*STATUSES, RENUMBERED)]


def _parts(comparison: Comparison) -> dict[str, list[ClausePair]]:
    parts: dict[str, list[ClausePair]] = {}
    for pair in comparison.pairs:
        parts.setdefault(pair.part, []).append(pair)
    return parts


# --- Markdown ----------------------------------------------------------------------------


def _md_run(op: Op, text: str) -> str:
    # The marks go around the words, not the spaces before them, or Markdown ignores them.
    stripped = text.lstrip()
    space = text[: len(text) - len(stripped)]
    if not stripped or op == Op.EQUAL:
        return text
    return f"{space}~~{stripped}~~" if op == Op.DELETE else f"{space}**{stripped}**"


def render_markdown(comparison: Comparison) -> str:
    out = [f"# {_title(comparison)}", "", _subtitle(comparison), "", LEGEND.format(similarity=comparison.similarity)]
    if comparison.warnings:
        out += ["", f"## {WARNINGS_HEADING}", ""] + [f"- {w}" for w in comparison.warnings]
    out += ["", f"## {SUMMARY_HEADING}", ""]
    header = [PARTS, *STATUSES, RENUMBERED]
    out += ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join([part, *_count_cells(counts)]) + " |" for part, counts in _count_rows(comparison)]
    for part, pairs in _parts(comparison).items():
        out += ["", f"## {part.capitalize()}", ""]
        for pair in pairs:
            text = "".join(_md_run(op, text) for op, text in runs(pair))
            out += [text.replace("\n", "  \n"), "", f"*{citation_line(pair, comparison)}*", ""]
    return "\n".join(out).rstrip() + "\n"


# --- HTML --------------------------------------------------------------------------------

_CSS = """
body { font: 11pt/1.5 Georgia, 'Times New Roman', serif; max-width: 46em; margin: 2em auto; padding: 0 1em; color: #111; }
h1 { font-size: 1.5em; border-bottom: 2px solid #1a4d8f; padding-bottom: .3em; }
h2 { font-size: 1.2em; color: #1a4d8f; margin-top: 1.6em; }
p.text { margin: .8em 0 .1em; white-space: pre-line; }
p.cite { margin: 0 0 .8em; font-size: .88em; color: #444; }
del { color: #a40000; text-decoration: line-through; }
ins { color: #005a1f; text-decoration: underline; }
table { border-collapse: collapse; font-size: .9em; }
th, td { border: 1px solid #999; padding: .2em .5em; text-align: right; }
th:first-child, td:first-child { text-align: left; }
.warning { border-left: 4px solid #a40000; padding: .4em .9em; background: #fbeeee; }
@page { size: A4; margin: 2cm; }
"""


def _html_run(op: Op, text: str) -> str:
    tag = {Op.EQUAL: "", Op.DELETE: "del", Op.INSERT: "ins"}[op]
    return f"<{tag}>{escape(text)}</{tag}>" if tag else escape(text)


def render_html(comparison: Comparison) -> str:
    title = escape(_title(comparison))
    out = [
        "<!doctype html>",
        '<html lang="en">',
        f'<head><meta charset="utf-8"><title>{title}</title><style>{_CSS}</style></head>',
        "<body>",
        f"<h1>{title}</h1>",
        f"<p>{escape(_subtitle(comparison))}</p>",
        f"<p>{escape(LEGEND.format(similarity=comparison.similarity))}</p>",
    ]
    out += [f'<p class="warning">{escape(w)}</p>' for w in comparison.warnings]
    out.append(f"<h2>{SUMMARY_HEADING}</h2>")
    header = "".join(f"<th>{escape(c)}</th>" for c in (PARTS, *STATUSES, RENUMBERED))
    rows = [
        "<tr>" + "".join(f"<td>{escape(c)}</td>" for c in [part, *_count_cells(counts)]) + "</tr>"
        for part, counts in _count_rows(comparison)
    ]
    out.append(f"<table><thead><tr>{header}</tr></thead><tbody>{''.join(rows)}</tbody></table>")
    for part, pairs in _parts(comparison).items():
        out.append(f"<h2>{escape(part.capitalize())}</h2>")
        for pair in pairs:
            text = "".join(_html_run(op, text) for op, text in runs(pair))
            out.append(f'<p class="text status-{pair.status.value}">{text}</p>')
            out.append(f'<p class="cite">{escape(citation_line(pair, comparison))}</p>')
    out += ["</body>", "</html>"]
    return "\n".join(out) + "\n"


# --- DOCX --------------------------------------------------------------------------------


def render_docx(comparison: Comparison) -> bytes:
    from docx import Document
    from docx.shared import Pt, RGBColor

    comparison = Comparison.model_validate(map_strings(comparison.model_dump(), lambda text: NOT_XML.sub("", text)))
    doc = Document()
    doc.core_properties.title = _title(comparison)
    doc.add_heading(_title(comparison), level=0)
    doc.add_paragraph(_subtitle(comparison))
    doc.add_paragraph(LEGEND.format(similarity=comparison.similarity))
    for warning in comparison.warnings:
        doc.add_paragraph(warning, style="Intense Quote")
    doc.add_heading(SUMMARY_HEADING, level=1)
    header = (PARTS, *STATUSES, RENUMBERED)
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, name in zip(table.rows[0].cells, header, strict=True):
        cell.text = name
    for part, counts in _count_rows(comparison):
        for cell, value in zip(table.add_row().cells, [part, *_count_cells(counts)], strict=True):
            cell.text = value
    for part, pairs in _parts(comparison).items():
        doc.add_heading(part.capitalize(), level=1)
        for pair in pairs:
            paragraph = doc.add_paragraph()
            for op, text in runs(pair):
                run = paragraph.add_run(text)
                run.font.strike = op == Op.DELETE
                run.font.underline = op == Op.INSERT
                if op != Op.EQUAL:
                    run.font.color.rgb = RGBColor(0xA4, 0, 0) if op == Op.DELETE else RGBColor(0, 0x5A, 0x1F)
            cite = doc.add_paragraph()
            cite.paragraph_format.space_after = Pt(10)
            label = cite.add_run(citation_line(pair, comparison))
            label.italic = True
            label.font.size = Pt(9)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def render(comparison: Comparison, fmt: CompareFormat) -> bytes:
    """The comparison in `fmt`, as bytes ready to write or send."""
    if fmt == "md":
        return render_markdown(comparison).encode("utf-8")
    if fmt == "html":
        return render_html(comparison).encode("utf-8")
    return render_docx(comparison)
