"""Page furniture of UN documents: what a page carries besides its text.

Shared by the PDF parser and the collection reader, so a job number or a page label is
dropped by the same rule whatever the text came from.
"""

from __future__ import annotations

import re

# A bare page number, a page label "3/18", a job number "25-20736 (E)" (on page 1 followed
# by the date of processing, "25-20736 (E)    100925"), a barcode "*2520736*".
PAGE_FURNITURE = re.compile(r"^(\d{1,4}|\d{1,4}\s*/\s*\d{1,4}|\d{2}-\d{5}(\s*\([A-Z]\))?(\s+\d{6})?|\*\d{5,}\*)$")
PAGE_LABEL = re.compile(r"^\d{1,4}\s*/\s*\d{1,4}$")
FOOTNOTE_RULE = re.compile(r"^_{5,}$")


def is_page_furniture(line: str) -> bool:
    return bool(PAGE_FURNITURE.match(line.strip()))
