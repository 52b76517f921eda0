"""A briefing note as Markdown (for pasting), printable HTML and DOCX (python-docx).

The renderers write only the note's data (questions, quoted passage texts, citation labels,
manifest references) and the fixed strings below; `TEMPLATE_LINES` lists every line
shape they can produce around the data, so that tests can prove nothing is invented.
"""

from __future__ import annotations

import io
import re
from typing import Literal

from ...core.text import map_strings
from ..rendering import NOT_XML, docx_hyperlink, escape, html_link, md_link
from .briefing import BriefNote, QuestionSection
from .changes import DocumentChanges, VersionRole

BriefFormat = Literal["md", "html", "docx"]

NOTE_TITLE = "Briefing note"
TITLE_WITH_SUBJECT = "Briefing note: {subject}"
QUESTIONS_HEADING = "Questions"
DOCUMENT_HEADING = "{symbol}: {title}"
NO_CLAUSE = "No relevant clause found."
REFERENCES_HEADING = "References"
REFERENCE_COLUMNS = ("Symbol", "Title", "Date", "Link")
SCOPE_HEADING = "Scope of the search"
CHANGES_HEADING = "Changes since the earlier version"
CHANGES_LINE = "{symbol} against {earlier} ({relation}): {counts}"
MORE_CHANGES = "... and {more} more changed clauses (`wsis compare {earlier} {symbol}`)."
SCOPE_SEARCHED = "Searched {count} documents: {symbols}."
SCOPE_LANGUAGES = "Languages: {languages}."
SCOPE_QUERIES = "Queries: {count}."
SCOPE_NOT_FOUND = "No relevant clause for: {questions}."
SCOPE_ALL_FOUND = "Every question has at least one relevant clause."
SCOPE_MISSING = "In the manifest but not held locally: {symbols}."
SCOPE_NONE_MISSING = "Every manifest document is held locally."

TEMPLATE_LINES = (
    NOTE_TITLE, TITLE_WITH_SUBJECT, QUESTIONS_HEADING, DOCUMENT_HEADING, NO_CLAUSE,
    REFERENCES_HEADING, *REFERENCE_COLUMNS, SCOPE_HEADING, SCOPE_SEARCHED, SCOPE_LANGUAGES,
    SCOPE_QUERIES, SCOPE_NOT_FOUND, SCOPE_ALL_FOUND, SCOPE_MISSING, SCOPE_NONE_MISSING,
)  # fmt: skip


def template_regex(template: str) -> re.Pattern[str]:
    """A template line as a regex whose placeholders match any text."""
    parts = re.split(r"\{\w+\}", template)
    return re.compile("^" + "(.+)".join(re.escape(p) for p in parts) + "$")


def _title(note: BriefNote) -> str:
    return TITLE_WITH_SUBJECT.format(subject=note.subject) if note.subject else NOTE_TITLE


def _scope_lines(note: BriefNote) -> list[str]:
    s = note.scope
    return [
        SCOPE_SEARCHED.format(count=len(s.documents), symbols="; ".join(s.documents)),
        SCOPE_LANGUAGES.format(languages=", ".join(s.languages)),
        SCOPE_QUERIES.format(count=s.queries),
        SCOPE_NOT_FOUND.format(questions=" | ".join(s.not_found)) if s.not_found else SCOPE_ALL_FOUND,
        SCOPE_MISSING.format(symbols="; ".join(s.missing_documents)) if s.missing_documents else SCOPE_NONE_MISSING,
    ]


def _section_heading(note: BriefNote, section: QuestionSection) -> str | None:
    # With one question the title already states it.
    return None if note.subject else section.question


# --- Markdown ----------------------------------------------------------------------------


def _changes_line(changes: DocumentChanges) -> str:
    counts = ", ".join(f"{n} {status}" for status, n in changes.counts.items())
    relation = "last session's text" if changes.relation == VersionRole.PREVIOUS else "its draft"
    return CHANGES_LINE.format(symbol=changes.symbol, earlier=changes.earlier_symbol, relation=relation, counts=counts)


def _more_line(changes: DocumentChanges) -> str:
    return MORE_CHANGES.format(more=changes.more, earlier=changes.earlier_symbol, symbol=changes.symbol)


def render_markdown(note: BriefNote) -> str:
    out = [f"# {_title(note)}", ""]
    if not note.subject:
        out += [f"## {QUESTIONS_HEADING}", ""]
        out += [f"{i}. {q}" for i, q in enumerate(note.questions, 1)] + [""]
    for section in note.sections:
        heading = _section_heading(note, section)
        if heading:
            out += [f"## {heading}", ""]
        if not section.found:
            out += [NO_CLAUSE, ""]
        for doc in section.documents:
            out += [f"### {DOCUMENT_HEADING.format(symbol=doc.symbol, title=doc.title)}", ""]
            for clause in doc.clauses:
                out += [f"> {line}" if line else ">" for line in clause.text.split("\n")]
                out += [">", f"> — {md_link(clause.label, clause.url)}", ""]
    if note.changes:
        out += [f"## {CHANGES_HEADING}", ""]
    for changes in note.changes:
        out += [f"### {_changes_line(changes)}", ""]
        for change in changes.clauses:
            out += [f"- **{change.status}**, {change.label}: {change.text}"]
            if change.earlier_text:
                out += [f"  (before: {change.earlier_text})"]
        out += [_more_line(changes), ""] if changes.more else [""]
    out += [f"## {REFERENCES_HEADING}", ""]
    out += ["| " + " | ".join(REFERENCE_COLUMNS) + " |", "|" + "---|" * len(REFERENCE_COLUMNS)]
    for ref in note.references:
        cells = [ref.symbol, ref.title, ref.date or "", md_link(ref.url, ref.url) if ref.url else ""]
        out.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    out += ["", f"## {SCOPE_HEADING}", ""]
    out += [f"{line}  " for line in _scope_lines(note)]
    return "\n".join(out).rstrip() + "\n"


# --- HTML --------------------------------------------------------------------------------

_CSS = """
body { font: 11pt/1.5 Georgia, 'Times New Roman', 'Noto Serif CJK SC', 'AR PL UMing CN', serif;
       max-width: 46em; margin: 2em auto; padding: 0 1em; color: #111; }
h1 { font-size: 1.6em; border-bottom: 2px solid #1a4d8f; padding-bottom: .3em; }
h2 { font-size: 1.3em; color: #1a4d8f; margin-top: 1.6em; }
h3 { font-size: 1.05em; margin-top: 1.2em; }
blockquote { margin: .6em 0 .2em; padding: .4em .9em; border-left: 4px solid #1a4d8f; background: #f4f6fa; }
blockquote p { margin: 0; white-space: pre-line; }
.cite { margin: 0 0 1em 1.2em; font-size: .92em; }
table { border-collapse: collapse; width: 100%; font-size: .9em; }
th, td { border: 1px solid #999; padding: .3em .5em; text-align: left; vertical-align: top; }
th { background: #e8edf5; }
td:nth-child(3) { white-space: nowrap; }
.scope p { margin: .2em 0; }
a { color: #1a4d8f; word-break: break-word; }
@page { size: A4; margin: 2cm; }
@media print {
  body { margin: 0; max-width: none; }
  blockquote { background: none; break-inside: avoid; }
  h2, h3 { break-after: avoid; }
  a { color: inherit; text-decoration: none; }
}
"""


def render_html(note: BriefNote) -> str:
    out = [
        "<!doctype html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{escape(_title(note))}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        f"<h1>{escape(_title(note))}</h1>",
    ]
    if not note.subject:
        out.append(f"<h2>{QUESTIONS_HEADING}</h2>")
        out.append("<ol>" + "".join(f"<li>{escape(q)}</li>" for q in note.questions) + "</ol>")
    for section in note.sections:
        out.append('<section class="question">')
        heading = _section_heading(note, section)
        if heading:
            out.append(f"<h2>{escape(heading)}</h2>")
        if not section.found:
            out.append(f"<p>{NO_CLAUSE}</p>")
        for doc in section.documents:
            out.append(f"<h3>{escape(DOCUMENT_HEADING.format(symbol=doc.symbol, title=doc.title))}</h3>")
            for clause in doc.clauses:
                out.append(
                    f'<blockquote lang="{escape(clause.lang)}" id="{escape(clause.id)}"><p>{escape(clause.text)}</p></blockquote>'
                )
                out.append(f'<p class="cite">— {html_link(clause.label, clause.url)}</p>')
        out.append("</section>")
    if note.changes:
        out.append(f"<h2>{CHANGES_HEADING}</h2>")
    for changes in note.changes:
        out.append(f"<h3>{escape(_changes_line(changes))}</h3><ul>")
        for change in changes.clauses:
            before = f"<br><del>{escape(change.earlier_text)}</del>" if change.earlier_text else ""
            out.append(
                f"<li><strong>{escape(change.status)}</strong>, {escape(change.label)}: {escape(change.text)}{before}</li>"
            )
        out.append("</ul>" + (f"<p>{escape(_more_line(changes))}</p>" if changes.more else ""))
    out.append(f"<h2>{REFERENCES_HEADING}</h2>")
    out.append("<table><thead><tr>" + "".join(f"<th>{c}</th>" for c in REFERENCE_COLUMNS) + "</tr></thead><tbody>")
    for ref in note.references:
        cells = [
            escape(ref.symbol),
            escape(ref.title),
            escape(ref.date or ""),
            html_link(ref.url, ref.url) if ref.url else "",
        ]
        out.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    out.append("</tbody></table>")
    out.append(f'<section class="scope"><h2>{SCOPE_HEADING}</h2>')
    out += [f"<p>{escape(line)}</p>" for line in _scope_lines(note)]
    out += ["</section>", "</body>", "</html>"]
    return "\n".join(out) + "\n"


# --- DOCX --------------------------------------------------------------------------------


def render_docx(note: BriefNote) -> bytes:
    from docx import Document
    from docx.shared import Pt

    note = BriefNote.model_validate(map_strings(note.model_dump(), lambda text: NOT_XML.sub("", text)))
    doc = Document()
    doc.core_properties.title = _title(note)
    doc.add_heading(_title(note), level=0)
    if not note.subject:
        doc.add_heading(QUESTIONS_HEADING, level=1)
        for question in note.questions:
            doc.add_paragraph(question, style="List Number")
    for section in note.sections:
        heading = _section_heading(note, section)
        if heading:
            doc.add_heading(heading, level=1)
        if not section.found:
            doc.add_paragraph(NO_CLAUSE)
        for group in section.documents:
            doc.add_heading(DOCUMENT_HEADING.format(symbol=group.symbol, title=group.title), level=2)
            for clause in group.clauses:
                doc.add_paragraph(clause.text, style="Quote")
                cite = doc.add_paragraph()
                cite.paragraph_format.space_after = Pt(10)
                if clause.url:
                    docx_hyperlink(cite, clause.label, clause.url)
                else:
                    cite.add_run(clause.label)
    if note.changes:
        doc.add_heading(CHANGES_HEADING, level=1)
    for changes in note.changes:
        doc.add_heading(_changes_line(changes), level=2)
        for change in changes.clauses:
            item = doc.add_paragraph(style="List Bullet")
            item.add_run(change.status).bold = True
            item.add_run(f", {change.label}: {change.text}")
            if change.earlier_text:
                item.add_run(f" (before: {change.earlier_text})").font.strike = True
        if changes.more:
            doc.add_paragraph(_more_line(changes))
    doc.add_heading(REFERENCES_HEADING, level=1)
    table = doc.add_table(rows=1, cols=len(REFERENCE_COLUMNS))
    table.style = "Table Grid"
    for cell, name in zip(table.rows[0].cells, REFERENCE_COLUMNS, strict=True):
        cell.text = name
    for ref in note.references:
        cells = table.add_row().cells
        cells[0].text, cells[1].text, cells[2].text = ref.symbol, ref.title, ref.date or ""
        if ref.url:
            docx_hyperlink(cells[3].paragraphs[0], ref.url, ref.url)
    doc.add_heading(SCOPE_HEADING, level=1)
    for line in _scope_lines(note):
        doc.add_paragraph(line)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def render(note: BriefNote, fmt: BriefFormat) -> bytes:
    """The note in `fmt`, as bytes ready to write or send."""
    if fmt == "md":
        return render_markdown(note).encode("utf-8")
    if fmt == "html":
        return render_html(note).encode("utf-8")
    return render_docx(note)
