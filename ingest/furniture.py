"""Page furniture of UN documents: what a page carries besides its text.

Shared by the PDF parser and the text readers (PyMuPDF and pdftotext layouts), so a job number or a page label is
dropped by the same rule whatever the text came from.
"""

from __future__ import annotations

import re

# The job number ("25-20736 (E)", on page 1 followed by the dates of processing and of any
# revised translation: "24-05969 (E) 050424", "25-16788 (E) 281025 031125") and the barcode
# ("*2520736*") of a UN document, on a line of their own; with bare page numbers and page
# labels ("2/18") in the margins of a PDF, alone or together on one line.
JOB_MARKS = r"\d{2}-\d{5}(?:\s*\([A-Z]\))?(?:\s+\d{6})*|\*\d{5,}\*"
JOB_LINE = re.compile(rf"^(?:(?:{JOB_MARKS})\s*)+$")
PAGE_FURNITURE = re.compile(rf"^(?:(?:{JOB_MARKS}|\d{{1,4}}\s*/\s*\d{{1,4}}|\d{{1,4}})\s*)+$")
FOOTNOTE_RULE = re.compile(r"^_{5,}$")
# Marks that are furniture wherever they stand on a page. Documents before 2003 print the
# job number with a space ("01 49183"); "Please recycle" stands under the barcode of page 1.
OLD_JOB_NUMBER = re.compile(r"^\d{2} \d{5}$")
RECYCLE_NOTE = re.compile(r"^Please recycle\W*$", re.IGNORECASE)
# The date of processing ("271222") when it did not stay on the job number's line.
PROCESSING_DATE = re.compile(r"^\d{6}$")
_PAGE_LABEL = re.compile(r"^(?P<page>\d{1,4})\s*/\s*(?P<pages>\d{1,4})$")


def is_page_furniture(line: str) -> bool:
    """A line of positioned PDF text that only a margin holds (the PDF reader knows where
    its lines stand; a text reader does not, and asks `is_page_label` instead)."""
    return bool(PAGE_FURNITURE.match(line.strip()))


def is_job_furniture(line: str) -> bool:
    """A job number, a barcode or the recycling note: never text, on whichever line."""
    line = line.strip()
    return bool(JOB_LINE.match(line) or OLD_JOB_NUMBER.match(line) or RECYCLE_NOTE.match(line))


def is_page_label(line: str, page: int, pages: int | None = None) -> bool:
    """Whether `line` is the label of page `page` ("3/14", of `pages` when known). In
    extracted text a symbol ("78/330") can stand alone on a line wherever a justified line
    was split into words: it has a label's shape but not this page's numbers. A bare
    number is never taken for a page's: a year ("2024") or a footnote's number stands so."""
    match = _PAGE_LABEL.match(line.strip())
    if match is None or int(match.group("page")) != page:
        return False
    return pages is None or int(match.group("pages")) == pages


def squeezed(text: str) -> str:
    """`text` without white space: a running header repeats the masthead's symbol and title
    however the extraction broke and spaced their lines."""
    return re.sub(r"\s+", "", text)
