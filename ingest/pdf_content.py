"""A page's content stream -> the glyphs it paints, each with its position and size.

pypdf reads the file, the fonts (encodings, ToUnicode maps, glyph widths) and the
streams; this module interprets the text operators itself. pypdf's own interpreter
(`extract_text` and its visitors) parses every operand into Python objects and takes
about a second a page of an official UN PDF, which justifies every line by kerning each
glyph (`[(A)8(/)-7(R)...] TJ`): a regular-expression tokenizer reads the same page in a
tenth of that. And the glyph-by-glyph positions it yields are what decides where a word
ends: from the gap between two glyphs relative to the font size, not from the spaces (or
their absence) that a producer emits.

Marked content tagged `/Artifact` (running headers, footers, page numbers, as Word writes
them) is flagged so that the layout step can drop it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger(__name__)

Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
_MAX_FORM_DEPTH = 8  # forms drawing forms: deeper nesting is a malformed or hostile file

_TOKEN = re.compile(
    rb"\s*(?:%[^\r\n]*"  # comment
    # literal string, with escapes and one level of nested parentheses
    rb"|\((?P<str>(?:[^()\\]|\\.|\((?:[^()\\]|\\.)*\))*)\)"
    rb"|<(?P<hex>[0-9A-Fa-f\s]*)>"
    rb"|(?P<dict><<|>>)"
    rb"|(?P<arr>[\[\]])"
    rb"|/(?P<name>[^\s/\[\]()<>{}%]*)"
    rb"|(?P<num>[+-]?(?:\d+\.?\d*|\.\d+))"
    rb"|(?P<op>[A-Za-z'\"*][A-Za-z0-9'\"*]*)"
    rb"|[{}()<>])",  # a stray delimiter: skipped, as viewers do
    re.DOTALL,
)
_INLINE_IMAGE = re.compile(rb"(?<![A-Za-z])BI(?![A-Za-z]).*?(?<![A-Za-z])ID\s.*?\sEI(?![A-Za-z])", re.DOTALL)
_ESCAPE = re.compile(rb"\\(?:([0-7]{1,3})|(\r\n|[\r\n])|(.))", re.DOTALL)
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


@dataclass(frozen=True)
class Glyph:
    """One painted character: its text, the left end of its baseline and its advance on
    the page (points), the font size as rendered, the font's name, and whether it was
    drawn as an artifact (header, footer, page number)."""

    text: str
    x: float
    y: float
    width: float
    size: float
    font: str
    artifact: bool


def _multiply(m: Matrix, n: Matrix) -> Matrix:
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (
        a * a2 + b * c2,
        a * b2 + b * d2,
        c * a2 + d * c2,
        c * b2 + d * d2,
        e * a2 + f * c2 + e2,
        e * b2 + f * d2 + f2,
    )


def _unescape(match: re.Match[bytes]) -> bytes:
    octal, line_end, char = match.groups()
    if octal:
        return bytes([int(octal, 8) & 0xFF])
    if line_end:
        return b""  # an escaped line end continues the string
    return _ESCAPES.get(char, char)


def tokens(data: bytes) -> Iterator[tuple[str, Any]]:
    """The content stream as (kind, value) tokens: "num", "str", "name", "op", "[", "]",
    "<<", ">>". Inline images (BI ... ID <binary> EI) are skipped whole."""
    if b"ID" in data:
        data = _INLINE_IMAGE.sub(b" ", data)
    for m in _TOKEN.finditer(data):
        kind = m.lastgroup
        if kind == "num":
            yield "num", float(m.group("num"))
        elif kind == "op":
            yield "op", m.group("op").decode("latin-1")
        elif kind == "str":
            raw = m.group("str")
            yield "str", _ESCAPE.sub(_unescape, raw) if b"\\" in raw else raw
        elif kind == "hex":
            digits = m.group("hex")
            if not digits.isalnum():
                digits = re.sub(rb"\s", b"", digits)
            yield "str", bytes.fromhex((digits + b"0" * (len(digits) % 2)).decode("ascii"))
        elif kind == "name":
            yield "name", m.group("name").decode("latin-1")
        elif kind in ("arr", "dict"):
            yield m.group(kind).decode("ascii"), None


class _FontInfo:
    """What the interpreter needs of a font: bytes -> (text, width in text-space units)."""

    def __init__(self, resource: Any) -> None:
        from pypdf.generic._font import Font

        self.font = Font.from_font_resource(resource)
        self.name = str(resource.get("/BaseFont", ""))
        self.two_byte = isinstance(self.font.encoding, str)
        self._cache: dict[int, tuple[str, float]] = {}

    def glyphs(self, raw: bytes) -> list[tuple[str, float, bool]]:
        """(unicode text, width / 1000 em, is the single-byte space) for each code of `raw`."""
        font = self.font
        if self.two_byte:
            encoding = font.encoding
            assert isinstance(encoding, str)
            chars = list(raw.decode(encoding, "surrogatepass" if encoding.startswith("utf-16") else "replace"))
            codes = [ord(c) for c in chars]
        else:
            codes = list(raw)
        out = []
        for code in codes:
            cached = self._cache.get(code)
            if cached is None:
                if self.two_byte:
                    raw_char = chr(code)
                    text = font.character_map.get(raw_char, raw_char)
                else:
                    mapped = font.encoding.get(code, chr(code)) if isinstance(font.encoding, dict) else chr(code)
                    text = font.character_map.get(mapped, mapped)
                    raw_char = chr(code)
                cached = (str(text), font.get_text_width(raw_char) / 1000.0)
                self._cache[code] = cached
            out.append((cached[0], cached[1], not self.two_byte and code == 32))
        return out


@dataclass
class _State:
    ctm: Matrix = IDENTITY
    font: _FontInfo | None = None
    size: float = 0.0
    char_spacing: float = 0.0
    word_spacing: float = 0.0
    scale: float = 1.0
    leading: float = 0.0
    rise: float = 0.0

    def copy(self) -> _State:
        return _State(**self.__dict__)


def page_glyphs(page: Any) -> list[Glyph]:
    """Every glyph the page paints, in content-stream order."""
    contents = page.get_contents()
    if contents is None:
        return []
    glyphs: list[Glyph] = []
    _run(contents.get_data(), page.get("/Resources"), _State(), glyphs, {}, 0)
    return glyphs


def _resource(resources: Any, kind: str, name: str) -> Any:
    if resources is None:
        return None
    table = resources.get_object().get(kind)
    if table is None:
        return None
    found = table.get_object().get("/" + name)
    return found.get_object() if found is not None else None


def _run(  # noqa: C901, PLR0912, PLR0915 -- one dispatch over the text operators reads best as one loop
    data: bytes, resources: Any, state: _State, glyphs: list[Glyph], fonts: dict[int, _FontInfo], depth: int
) -> None:
    stack: list[_State] = []
    tm: Matrix = IDENTITY
    tlm: Matrix = IDENTITY
    operands: list[Any] = []
    array: list[Any] | None = None
    marked: list[bool] = []  # one entry per open marked-content sequence: inside an artifact?
    dict_depth = 0

    def show(raw: bytes) -> None:
        nonlocal tm
        font = state.font
        if font is None:
            return
        size, scale, rise = state.size, state.scale, state.rise
        artifact = any(marked)
        # Text space -> page: every glyph of the string lies on the line through `tm`,
        # `offset` text-space units along it.
        a, b, c, d, e, f = _multiply(tm, state.ctm)
        rendered = abs(size * d) or abs(size * c) or size
        x_scale = abs(size * scale * a) or abs(size * scale * b)
        offset = 0.0
        for text, width, is_space in font.glyphs(raw):
            glyphs.append(
                Glyph(
                    text,
                    offset * a + rise * c + e,
                    offset * b + rise * d + f,
                    width * x_scale,
                    rendered,
                    font.name,
                    artifact,
                )
            )
            offset += (width * size + state.char_spacing + (state.word_spacing if is_space else 0.0)) * scale
        tm = _multiply((1.0, 0.0, 0.0, 1.0, offset, 0.0), tm)

    def next_line(tx: float, ty: float) -> None:
        nonlocal tm, tlm
        tlm = _multiply((1.0, 0.0, 0.0, 1.0, tx, ty), tlm)
        tm = tlm

    for kind, value in tokens(data):
        if kind == "<<":
            dict_depth += 1
            continue
        if kind == ">>":
            dict_depth -= 1
            continue
        if dict_depth > 0:
            continue  # property lists of marked content: not needed
        if kind == "[":
            array = []
            continue
        if kind == "]":
            operands.append(array or [])
            array = None
            continue
        if kind != "op":
            (array if array is not None else operands).append(value)
            continue
        op = value
        nums = [v for v in operands if isinstance(v, float)]
        try:
            if op == "TJ" and operands and isinstance(operands[-1], list):
                for item in operands[-1]:
                    if isinstance(item, bytes):
                        show(item)
                    elif isinstance(item, float):
                        tm = _multiply((1.0, 0.0, 0.0, 1.0, -item / 1000.0 * state.size * state.scale, 0.0), tm)
            elif op == "Tj" and operands and isinstance(operands[-1], bytes):
                show(operands[-1])
            elif op == "Td" and len(nums) >= 2:
                next_line(nums[-2], nums[-1])
            elif op == "TD" and len(nums) >= 2:
                state.leading = -nums[-1]
                next_line(nums[-2], nums[-1])
            elif op == "Tm" and len(nums) >= 6:
                tm = tlm = (nums[-6], nums[-5], nums[-4], nums[-3], nums[-2], nums[-1])
            elif op == "T*":
                next_line(0.0, -state.leading)
            elif op == "'" and operands and isinstance(operands[-1], bytes):
                next_line(0.0, -state.leading)
                show(operands[-1])
            elif op == '"' and len(nums) >= 2 and isinstance(operands[-1], bytes):
                state.word_spacing, state.char_spacing = nums[0], nums[1]
                next_line(0.0, -state.leading)
                show(operands[-1])
            elif op == "BT":
                tm = tlm = IDENTITY
            elif op == "Tf" and operands and nums:
                name = next((v for v in operands if isinstance(v, str)), "")
                resource = _resource(resources, "/Font", name)
                state.size = nums[-1]
                if resource is None:
                    state.font = None
                else:
                    key = id(resource)
                    if key not in fonts:
                        fonts[key] = _FontInfo(resource)
                    state.font = fonts[key]
            elif op == "Tc" and nums:
                state.char_spacing = nums[-1]
            elif op == "Tw" and nums:
                state.word_spacing = nums[-1]
            elif op == "Tz" and nums:
                state.scale = nums[-1] / 100.0
            elif op == "TL" and nums:
                state.leading = nums[-1]
            elif op == "Ts" and nums:
                state.rise = nums[-1]
            elif op == "cm" and len(nums) >= 6:
                state.ctm = _multiply(tuple(nums[-6:]), state.ctm)  # type: ignore[arg-type]
            elif op == "q":
                stack.append(state.copy())
            elif op == "Q" and stack:
                state = stack.pop()
            elif op in ("BMC", "BDC"):
                tag = next((v for v in operands if isinstance(v, str)), "")
                marked.append(tag == "Artifact")
            elif op == "EMC" and marked:
                marked.pop()
            elif op == "Do" and operands and depth < _MAX_FORM_DEPTH:
                _draw_form(_resource(resources, "/XObject", str(operands[-1])), resources, state, glyphs, fonts, depth)
        except (ValueError, ZeroDivisionError, KeyError, TypeError) as exc:
            logger.debug("skipping malformed %s operator: %s", op, exc)
        operands = []


def _draw_form(
    xobject: Any, outer: Any, state: _State, glyphs: list[Glyph], fonts: dict[int, _FontInfo], depth: int
) -> None:
    if xobject is None or xobject.get("/Subtype") != "/Form":
        return
    inner = state.copy()
    matrix = xobject.get("/Matrix")
    if matrix is not None and len(matrix) == 6:
        inner.ctm = _multiply(tuple(float(v) for v in matrix), inner.ctm)  # type: ignore[arg-type]
    _run(xobject.get_data(), xobject.get("/Resources") or outer, inner, glyphs, fonts, depth + 1)
