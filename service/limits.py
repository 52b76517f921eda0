"""Request limits taken from Settings, checked the same way by every endpoint.

A query over `max_query_chars` is answered 422 (the request is well-formed, one field is
out of range), like a `k` outside 1..`k_max`; only a body over `max_body_bytes` is 413.
"""

from __future__ import annotations

from ..core.errors import InvalidRequestError
from ..core.settings import Settings


def checked_query(text: str, settings: Settings, field: str = "q") -> str:
    query = text.strip()
    if not query:
        raise InvalidRequestError(f"{field}: must not be empty.")
    if len(query) > settings.max_query_chars:
        raise InvalidRequestError(f"{field}: {len(query)} characters; at most {settings.max_query_chars} are allowed.")
    return query


def checked_k(k: int | None, settings: Settings) -> int:
    if k is None:
        return settings.k_default
    if not 1 <= k <= settings.k_max:
        raise InvalidRequestError(f"k: {k} is out of range; it must be between 1 and {settings.k_max}.")
    return k
