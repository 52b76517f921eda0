"""What the service accepts, checked at the boundary the same way by every endpoint.

- Text: a lone surrogate (U+D800..U+DFFF, which no UTF-8 can carry) is a 422; control
  characters other than tab and newline become spaces, so no renderer (DOCX is XML) and no
  encoder ever sees them. A query needs at least one letter or digit (the schema states it
  as the pattern `[^\\W_]`), else it would "match" arbitrary passages.
- Integers in the query string are plain decimal digits: `+5`, `1_0` and ` 1`, which
  Python's `int()` accepts, are a 422. JSON bodies take JSON integers only (no "5", no true).
- Sizes (`q` length, `k` range) come from Settings; the OpenAPI schema states them
  (app.py fills the `x-wsis-limit` markers in from the same Settings).
- Cost: /ask and /brief read at most `max_passages_per_request` passages (questions x k
  for a brief: a larger k is lowered, and the note says so) and run at most
  `heavy_concurrency` at once; beyond that, 503 with Retry-After.
- A body must be JSON (`application/json` or `+json`), else 415.
"""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from fastapi import Depends, Request
from pydantic import AfterValidator, BeforeValidator, Field

from ..core.errors import InvalidRequestError, WsisError
from ..core.settings import Settings
from ..core.text import CONTROL_CHARACTERS as _CONTROL
from ..core.text import DECIMAL, SEARCHABLE, map_strings
from ..core.text import SURROGATES as _SURROGATE


class UnsupportedMediaTypeError(WsisError):
    """A request body that is not JSON (415)."""


class ServiceBusyError(WsisError):
    """Every slot for expensive requests is taken (503 with Retry-After)."""

    def __init__(self, message: str, retry_after_s: int) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


def clean_text(value: str) -> str:
    """The text with control characters as spaces; ValueError for a lone surrogate."""
    surrogate = _SURROGATE.search(value)
    if surrogate:
        raise ValueError(
            f"contains a lone surrogate U+{ord(surrogate.group()):04X} at offset {surrogate.start()}, "
            "which is not a character"
        )
    return _CONTROL.sub(" ", value)


def clean_strings(value: Any) -> Any:
    """`clean_text` applied to every string of a decoded JSON value (for model validators)."""
    return map_strings(value, clean_text)


def plain_decimal(value: object) -> object:
    """A query-string integer as digits only; anything else goes on to the int validator."""
    if isinstance(value, str):
        if not DECIMAL.fullmatch(value):
            raise ValueError("must be written as decimal digits only (no plus sign, space or underscore)")
        return int(value)
    return value


def json_integer(value: object) -> object:
    """A JSON body's integer: a JSON number with no fractional part (JSON Schema counts 5.0
    as an integer), never a string or a boolean, which lax parsing would turn into one."""
    if isinstance(value, bool) or isinstance(value, str):
        raise ValueError("must be a JSON integer, not a string or a boolean")
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


CleanText = Annotated[str, AfterValidator(clean_text)]
QueryInt = Annotated[int, BeforeValidator(plain_decimal)]
BodyInt = Annotated[int, BeforeValidator(json_integer)]
# `k` in a JSON body; its range is stated in the schema from Settings and checked by `checked_k`.
BodyK = Annotated[BodyInt, Field(json_schema_extra={"minimum": 1, "x-wsis-limit": "k_max"})]
QUERY_SCHEMA: dict[str, Any] = {"minLength": 1, "pattern": SEARCHABLE.pattern, "x-wsis-limit": "max_query_chars"}


def checked_query(text: str, settings: Settings, field: str = "q") -> str:
    if len(text) > settings.max_query_chars:
        raise InvalidRequestError(f"{field}: {len(text)} characters; at most {settings.max_query_chars} are allowed.")
    query = clean_text(text).strip()
    if not SEARCHABLE.search(query):
        raise InvalidRequestError(f"{field}: has no letter or digit to search for.")
    # NFC so that a decomposed accent searches like the composed one.
    return unicodedata.normalize("NFC", query)


def checked_k(k: int | None, settings: Settings) -> int:
    if k is None:
        return settings.k_default
    if not 1 <= k <= settings.k_max:
        raise InvalidRequestError(f"k: {k} is out of range; it must be between 1 and {settings.k_max}.")
    return k


def budgeted_k(k: int, questions: int, settings: Settings) -> int:
    """`k` lowered so that questions x k stays within the per-request passage budget."""
    return max(1, min(k, settings.max_passages_per_request // questions))


class HeavyRequestSlots:
    """At most `size` expensive requests (/ask, /brief, the corpus-wide /mandates) at once; the others are refused at
    once with 503 rather than queued behind minutes of CPU."""

    def __init__(self, size: int, retry_after_s: int) -> None:
        self._slots = threading.BoundedSemaphore(size)
        self.size = size
        self.retry_after_s = retry_after_s

    @contextmanager
    def held(self) -> Iterator[None]:
        """`hold` as a context manager, for a route that is expensive only sometimes."""
        yield from self.hold()

    def hold(self) -> Iterator[None]:
        if not self._slots.acquire(blocking=False):
            raise ServiceBusyError(
                f"{self.size} expensive requests are already running; retry in {self.retry_after_s} s.",
                self.retry_after_s,
            )
        try:
            yield
        finally:
            self._slots.release()


def _heavy_slot(request: Request) -> Iterator[None]:
    yield from request.app.state.heavy_slots.hold()


def require_json(request: Request) -> None:
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "application/json" and not media_type.endswith("+json"):
        shown = media_type or "no Content-Type"
        raise UnsupportedMediaTypeError(f"the body must be JSON (Content-Type: application/json), not {shown}.")


HeavySlot = Depends(_heavy_slot)
JsonBody = Depends(require_json)
