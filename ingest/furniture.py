"""Page furniture of UN documents: what a page carries besides its text.

Shared by the PDF parser and the collection reader, so a job number or a page label is
dropped by the same rule whatever the text came from.
"""

from __future__ import annotations

import re

# The job number ("25-20736 (E)", on page 1 followed by the date of processing: "24-05969
# (E) 050424") and the barcode ("*2520736*") of a UN document, on a line of their own; with
# bare page numbers and page labels ("2/18") in the margins, alone or together on one line.
JOB_MARKS = r"\d{2}-\d{5}(?:\s*\([A-Z]\))?(?:\s+\d{6})?|\*\d{5,}\*"
JOB_LINE = re.compile(rf"^(?:(?:{JOB_MARKS})\s*)+$")
PAGE_FURNITURE = re.compile(rf"^(?:(?:{JOB_MARKS}|\d{{1,4}}\s*/\s*\d{{1,4}}|\d{{1,4}})\s*)+$")
PAGE_LABEL = re.compile(r"^\d{1,4}\s*/\s*\d{1,4}$")
FOOTNOTE_RULE = re.compile(r"^_{5,}$")


def is_page_furniture(line: str) -> bool:
    return bool(PAGE_FURNITURE.match(line.strip()))


# Marks that are furniture wherever they stand on a page. Documents before 2003 print the
# job number with a space ("01 49183"); "Please recycle" stands under the barcode of page 1.
OLD_JOB_NUMBER = re.compile(r"^\d{2} \d{5}$")
RECYCLE_NOTE = re.compile(r"^Please recycle$")
# The date of processing ("271222") when it did not stay on the job number's line.
PROCESSING_DATE = re.compile(r"^\d{6}$")


def is_job_furniture(line: str) -> bool:
    """A job number, a barcode or the recycling note: never text, on whichever line."""
    line = line.strip()
    return bool(JOB_LINE.match(line) or OLD_JOB_NUMBER.match(line) or RECYCLE_NOTE.match(line))


def is_page_label(line: str, page: int, pages: int) -> bool:
    """Whether `line` is the label of page `page` of `pages` ("3/14" on page 3 of 14). A
    symbol such as "78/330" alone on a line has the label's shape but not its numbers."""
    if not PAGE_LABEL.match(line.strip()):
        return False
    number, total = (int(part) for part in line.split("/"))
    return number == page and total == pages
