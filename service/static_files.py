"""Where the web page's files are (served at /static, and as pages by the routers), and
when a route that is also a page serves it."""

from pathlib import Path

from fastapi import Request

STATIC_DIR = Path(__file__).resolve().parent / "static"


def wants_page(request: Request) -> bool:
    """A browser navigating to the URL asks for text/html first; API clients (and the page's
    own fetch) ask for JSON."""
    accept = request.headers.get("accept", "")
    return "text/html" in accept.split(",")[0]
