"""What the products' renderings share: the media types of the formats, HTML escaping and
links, Markdown links, for DOCX (python-docx) clickable links and the characters XML
cannot hold, and the command line's format check and output. Briefing notes and
comparisons are rendered with these."""

from __future__ import annotations

import html
import re
import sys
from pathlib import Path
from typing import Any

from ..core.errors import InvalidRequestError

MEDIA_TYPES: dict[str, str] = {
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "json": "application/json",
}
FORMATS = tuple(MEDIA_TYPES)

# Characters XML 1.0 cannot hold (C0 controls but tab, newline, carriage return); lxml
# refuses them, so they are dropped from a DOCX rather than failing the whole document.
NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def escape(text: str) -> str:
    return html.escape(text, quote=True)


def html_link(text: str, url: str | None) -> str:
    return f'<a href="{escape(url)}">{escape(text)}</a>' if url else escape(text)


def md_link(text: str, url: str | None) -> str:
    return f"[{text}]({url})" if url else text


def docx_hyperlink(paragraph: Any, text: str, url: str) -> None:
    """Append a clickable link run (python-docx has no public API for hyperlinks)."""
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    rel_id = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rel_id)
    run = OxmlElement("w:r")
    props = OxmlElement("w:rPr")
    color = OxmlElement("w:color")
    color.set(qn("w:val"), "1A4D8F")
    underline = OxmlElement("w:u")
    underline.set(qn("w:val"), "single")
    props.extend([color, underline])
    run.append(props)
    text_el = OxmlElement("w:t")
    text_el.text = text
    text_el.set(qn("xml:space"), "preserve")
    run.append(text_el)
    link.append(run)
    paragraph._p.append(link)


def check_output(fmt: str, out: Path | None, what: str) -> None:
    """Refuse, before any work, a format that is not one of FORMATS, and a DOCX without
    a file to write it to (`what` names the document in the message, e.g. "redline")."""
    if fmt not in FORMATS:
        raise InvalidRequestError(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if fmt == "docx" and out is None:
        raise InvalidRequestError(f"a DOCX {what} is binary: name the file with --out {what}.docx")


def write_output(data: bytes, out: Path | None) -> None:
    """A rendering to standard output (text formats), or to the file `out`, said on stderr."""
    if out is None:
        sys.stdout.write(data.decode("utf-8"))
        return
    out.write_bytes(data)
    sys.stderr.write(f"wrote {out} ({len(data):,} bytes)\n")
