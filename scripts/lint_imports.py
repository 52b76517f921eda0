"""Check the import contracts of pyproject.toml ([tool.importlinter]) with `lint-imports`.

    .venv/bin/python scripts/lint_imports.py

import-linter finds a package's modules by walking its directory, but `wsis_rag`'s
subpackages are the top-level folders mapped into it (pyproject's package-dir). So the
installed layout is assembled in a temporary directory first (a copy of the sources,
~100 small files) and `lint-imports` reads that. Exit status: lint-imports' own.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def assemble_package(target: Path) -> Path:
    """`target`/wsis_rag laid out as installed, from pyproject's package-dir mapping."""
    mapping: dict[str, str] = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
        "setuptools"
    ]["package-dir"]
    for package, folder in sorted(mapping.items()):
        destination = target.joinpath(*package.split("."))
        shutil.copytree(ROOT / folder, destination, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return target


def lint_imports(layout: Path) -> subprocess.CompletedProcess[str]:
    """`lint-imports` over an assembled layout, with the checkout's contracts."""
    executable = Path(sys.executable).with_name("lint-imports")
    # Run from the copy: lint-imports puts its working directory first on sys.path, and
    # the checkout's own wsis_rag/ folder holds none of the subpackages.
    command = [str(executable), "--no-cache", str(ROOT / "pyproject.toml")]
    env = {**os.environ, "PYTHONPATH": str(layout)}
    return subprocess.run(command, cwd=layout, env=env, check=False, capture_output=True, text=True)


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="wsis-imports-") as tmp:
        result = lint_imports(assemble_package(Path(tmp)))
    sys.stdout.write(result.stdout)
    sys.stderr.write(result.stderr)
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
