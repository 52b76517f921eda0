"""Where the web page's files are (served at /static, and as pages by the routers)."""

from pathlib import Path

STATIC_DIR = Path(__file__).resolve().parent / "static"
