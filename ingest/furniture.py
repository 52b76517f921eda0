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
