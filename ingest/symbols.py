"""The grammar of UN document symbols, in one place: how a symbol is written in full
("A/RES/78/132", "A/79/62-E/2024/3", "E/CN.16/2018/CRP.3", "GC(68)/RES/11 A"), and how a
resolution or decision is named without its series ("its resolution 78/132", "Economic and
Social Council resolution 2024/13", "resolution 217 A (III)", "decision 78/560").

Read by the masthead (`metadata.py`: a document's own symbol and the short names
delegates give it) and by reference extraction (`document_references.py`: the documents a
clause names). Query understanding (`index/references.py`) resolves names through the
aliases made here.
"""

from __future__ import annotations

import re

# One part of a symbol after a slash: a session or number ("79", "2024"), a series word
# with its number ("RES", "C.2", "AC.292", "CONF.157", "L.41", "ES-10"), a document part
# ("Add.1", "Rev.1", "Corr.1").
_PART = r"(?:(?:Add|Rev|Corr)\.\d{1,3}|[A-Z]{1,8}(?:\.\d{1,4})?|\d{1,4}|ES-\d{1,2})"
# Series that open a symbol: the principal organs, subsidiary series, treaty bodies'
# meetings (TPNW/MSP/...), and the IAEA General Conference ("GC(68)/RES/8").
_SERIES = r"(?:A|E|S|ST|TPNW|UNEP|DP|GC\(\d{1,3}\))"
FULL_SYMBOL = re.compile(
    rf"(?<![\w/.-])(?P<symbol>{_SERIES}(?:/{_PART})+)"
    # A resolution's letter ("57/270 B", "GC(68)/RES/11 A") or a Security Council year.
    r"(?P<suffix>\s[A-C](?![\w’'])|\s\(\d{4}\))?"
)
_SYMBOL_IN_MASTHEAD = re.compile(
    r"\b(?:[A-Z]{1,3}(?:/(?:[A-Z]{1,5}[.-]?\d*|\d{1,4}))*/(?:[A-Z]\.)?\d{1,4}(?:/(?:Add|Rev|Corr)\.\d+)*)"
)
# "United Nations  A/RES/79/194" (official masthead) or the symbol alone on its line.
MASTHEAD = re.compile(rf"^(?:United\s*Nations\s*)?(?P<symbol>{_SYMBOL_IN_MASTHEAD.pattern})\*?$")
RESOLUTION_SYMBOL = re.compile(r"A/(?P<kind>RES|DEC)/(?P<session>\d{1,3})/(?P<number>\d{1,4})")

# Names of resolutions and decisions without their series. The kind word sets what the
# numbers after it are, until another kind word: "resolutions 75/239 and 77/248 and
# decisions 74/543 and 75/570".
KIND_WORD = re.compile(
    r"(?P<body>\b(?:General\s+)?Assembly\s+|\bHuman\s+Rights\s+Council\s+|\bSecurity\s+Council\s+|"
    r"\bEconomic\s+and\s+Social\s+Council\s+|\bCouncil\s+)?\b(?P<kind>[Rr]esolutions?|[Dd]ecisions?)\b"
)
# A number a kind word governs: session/number ("78/132", "ES-10/25"), year/number of the
# Economic and Social Council ("2024/13"), with a letter ("57/270 B"), or an early number
# with its session in roman figures ("302 (IV)", "217 A (III)").
SHORT_NUMBER = re.compile(
    r"(?<![\w/.])(?:(?P<session>\d{1,2}|ES-\d{1,2})/(?P<number>\d{1,4})(?:\s(?P<letter>[A-C])(?![\w’']))?"
    r"|(?P<year>(?:19|20)\d{2})/(?P<ecosoc>\d{1,3})"
    r"|(?P<early>\d{1,4})(?:\s(?P<early_letter>[A-C]))?\s\((?P<roman>[IVXL]{1,6})\))(?![\w/])"
)


def canonical_symbol(symbol: str, suffix: str = "") -> str:
    """A symbol as a reference target: its first part when joint ("A/79/62-E/2024/3" is
    read as "A/79/62" by the caller's grammar), a corrigendum folded into the document it
    corrects ("A/67/65/Corr.1" -> "A/67/65"), spaces squeezed, a letter or year kept."""
    base = re.sub(r"/Corr\.\d+$", "", symbol.strip())
    return f"{base} {suffix.strip()}" if suffix and suffix.strip() else base


def short_symbol(match: re.Match[str], kind: str, body: str) -> str | None:
    """The full symbol a governed number names. `kind`: "resolution" or "decision";
    `body`: the words before the kind word ("Economic and Social Council", "Human Rights
    Council", "Security Council", "" for the General Assembly)."""
    word = "RES" if kind.lower().startswith("resolution") else "DEC"
    if match.group("year"):  # the Economic and Social Council numbers by year
        return f"E/{word}/{match.group('year')}/{match.group('ecosoc')}"
    if match.group("roman"):
        letter = f" {match.group('early_letter')}" if match.group("early_letter") else ""
        return f"A/{word}/{match.group('early')}{letter} ({match.group('roman')})"
    number = f"{match.group('session')}/{match.group('number')}"
    letter = f" {match.group('letter')}" if match.group("letter") else ""
    if "Human Rights" in body:
        return f"A/HRC/{word}/{number}{letter}"
    return f"A/{word}/{number}{letter}"


# An ITU resolution as its conferences number it: "Resolution 140 (Rev. Dubai, 2018)".
ITU_RESOLUTION_SYMBOL = re.compile(r"Resolution (?P<number>\d{1,4})(?: \((?:Rev\. )?[^()]+\))?")


def symbol_aliases(symbol: str) -> list[str]:
    """The short forms delegates give a resolution's symbol: "A/RES/79/194" is also
    "79/194", "resolution 79/194" and "第79/194号决议" (decisions likewise); ITU's
    "Resolution 140 (Rev. Dubai, 2018)" is "Resolution 140" (also in "PP Resolution 140"),
    "Res. 140" and "第140号决议"."""
    itu = ITU_RESOLUTION_SYMBOL.fullmatch(symbol.strip())
    if itu is not None:
        number = itu.group("number")
        return [f"Resolution {number}", f"Res. {number}", f"第{number}号决议"]
    match = RESOLUTION_SYMBOL.fullmatch(symbol.strip())
    if match is None:
        return []
    number = f"{match.group('session')}/{match.group('number')}"
    if match.group("kind") == "DEC":
        return [number, f"decision {number}", f"第{number}号决定"]
    return [number, f"resolution {number}", f"第{number}号决议"]
