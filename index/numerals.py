"""Numbers written in words or other numerals, as questions write them: English ordinals
("third", "seventy-ninth"), Chinese numerals ("七十九"), Roman numerals (read by ingest,
which numbers sections and annexes with them). The query's sessions (times.py) and clause
locators (locators.py) read them here."""

from __future__ import annotations

from ..ingest.un_resolution import roman_value

_UNITS = ["", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth"]
_TEENS = ["tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth"]
_TEENS += ["eighteenth", "nineteenth"]
_TENS = ["", "ten", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_HAN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def _ordinal_words() -> dict[str, int]:
    """English ordinals 1-99 as UN documents write them: "third", "seventy-ninth", "eightieth"."""
    words = {word: n for n, word in enumerate(_UNITS) if word}
    words |= {word: 10 + n for n, word in enumerate(_TEENS)}
    for tens in range(2, 10):
        stem = _TENS[tens]
        words[stem[:-1] + "ieth"] = tens * 10
        for unit in range(1, 10):
            words[f"{stem}-{_UNITS[unit]}"] = tens * 10 + unit
    return words


ORDINAL_WORDS = _ordinal_words()


def han_number(text: str) -> int | None:
    """A Chinese numeral up to 99 (七十九 -> 79, 八十 -> 80, 十二 -> 12), or digits."""
    if text.isdigit():
        return int(text)
    tens, _, units = text.partition("十")
    if "十" not in text:
        return _HAN_DIGITS.get(text)
    value = (_HAN_DIGITS.get(tens, 0) if tens else 1) * 10
    return value + (_HAN_DIGITS.get(units, 0) if units else 0)


def numeral_value(value: str) -> int:
    """A number written in Arabic, Roman ("XVII"), Chinese ("二") numerals or as an English
    ordinal ("third"); 0 for none of them."""
    if value.isdigit():
        return int(value)
    if value.lower() in ORDINAL_WORDS:
        return ORDINAL_WORDS[value.lower()]
    return han_number(value) or roman_value(value.lower()) or 0
