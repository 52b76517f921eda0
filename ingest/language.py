"""Document language detection (py3langid), on the body text only."""

from __future__ import annotations

_SAMPLE_CHARS = 20_000


def detect_language(text: str) -> str:
    """ISO 639-1 code of the dominant language of `text`, e.g. 'en', 'zh'."""
    import py3langid

    code, _score = py3langid.classify(text[:_SAMPLE_CHARS])
    return str(code)
