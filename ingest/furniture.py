"""Page furniture of UN documents: what a page carries besides its text.

Shared by the PDF parser and the collection reader, so a job number or a page label is
dropped by the same rule whatever the text came from.
"""

from __future__ import annotations

import re

# The job number ("25-20736 (E)", on page 1 followed by the dates of processing and of any
# revised translation: "24-05969 (E) 050424", "25-16788 (E) 281025 031125") and the barcode ("*2520736*") of a UN document, on a line of their own; with
# bare page numbers and page labels ("2/18") in the margins, alone or together on one line.
JOB_MARKS = r"\d{2}-\d{5}(?:\s*\([A-Z]\))?(?:\s+\d{6})*|\*\d{5,}\*"
JOB_LINE = re.compile(rf"^(?:(?:{JOB_MARKS})\s*)+$")
PAGE_FURNITURE = re.compile(rf"^(?:(?:{JOB_MARKS}|\d{{1,4}}\s*/\s*\d{{1,4}}|\d{{1,4}})\s*)+$")
FOOTNOTE_RULE = re.compile(r"^_{5,}$")
RECYCLE = re.compile(r"^Please recycle\W*$", re.IGNORECASE)
_PAGE_NUMBER = re.compile(r"^(?P<page>\d{1,4})(?:\s*/\s*\d{1,4})?$")


def is_page_furniture(line: str) -> bool:
    """A line of positioned PDF text that only a margin holds (the PDF reader knows where
    its lines stand; a text reader does not, and asks `is_page_number` instead)."""
    return bool(PAGE_FURNITURE.match(line.strip()))


def is_job_line(line: str) -> bool:
    """A job number, barcode or "Please recycle": furniture wherever it stands."""
    line = line.strip()
    return bool(JOB_LINE.match(line) or RECYCLE.match(line))


def is_page_number(line: str, page: int) -> bool:
    """The label of page `page` ("2/18") or its bare number. In extracted text a year
    ("2024") or a symbol ("78/330") can stand alone on a line wherever a justified line
    was split into words, so a number is furniture only when it is this page's own."""
    match = _PAGE_NUMBER.match(line.strip())
    return match is not None and int(match.group("page")) == page
