#!/usr/bin/env bash
# The static checks CI runs before the tests; any finding fails it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
.venv/bin/python scripts/lint_imports.py
