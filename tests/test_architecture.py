"""The house rules, checked on the sources: the import contracts of pyproject.toml
(import-linter), FastAPI only in the HTTP layer, and no product logic in the HTTP layer."""

from __future__ import annotations

import ast
import importlib.util
import tomllib
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

from wsis_rag.core.settings import PROJECT_ROOT

PACKAGE_DIRS: dict[str, str] = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
    "setuptools"
]["package-dir"]
HTTP_LAYER = PROJECT_ROOT / "service"
WEB_FRAMEWORKS = frozenset({"fastapi", "starlette"})
# Text matching, scoring and rule data are what products and retrieval do; the HTTP layer
# validates, delegates and shapes responses.
PRODUCT_LOGIC_MODULES = frozenset({"re", "numpy", "tomllib", "math", "statistics"})


def _load_script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, PROJECT_ROOT / "scripts" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _sources() -> Iterator[Path]:
    for folder in sorted(set(PACKAGE_DIRS.values())):
        yield from sorted((PROJECT_ROOT / folder).rglob("*.py"))


def _imported_modules(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """(line, top-level module) of every absolute import, at any depth (lazy ones too)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name.split(".")[0]) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module.split(".")[0]


def _parsed(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _where(path: Path, line: int) -> str:
    return f"{path.relative_to(PROJECT_ROOT)}:{line}"


def test_import_contracts_are_kept(tmp_path: Path) -> None:
    lint = _load_script("lint_imports")
    result = lint.lint_imports(lint.assemble_package(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_an_import_against_the_direction_breaks_a_contract(tmp_path: Path) -> None:
    lint = _load_script("lint_imports")
    layout = lint.assemble_package(tmp_path)
    (layout / "wsis_rag" / "core" / "upstairs.py").write_text("from ..service import app\n", encoding="utf-8")
    result = lint.lint_imports(layout)
    assert result.returncode != 0
    assert "wsis_rag.core.upstairs -> wsis_rag.service.app" in result.stdout


def test_only_the_http_layer_imports_the_web_framework() -> None:
    found = [
        f"{_where(path, line)} imports {module}"
        for path in _sources()
        if HTTP_LAYER not in path.parents
        for line, module in _imported_modules(_parsed(path))
        if module in WEB_FRAMEWORKS
    ]
    assert found == []


def product_logic(path: Path, tree: ast.Module) -> list[str]:
    """What in one HTTP-layer module is product logic: importing text-matching or scoring
    tools, looping over passages, defining a request/response model outside schemas.py."""
    found = [
        f"{_where(path, line)} imports {module}"
        for line, module in _imported_modules(tree)
        if module in PRODUCT_LOGIC_MODULES
    ]
    for node in ast.walk(tree):
        loops = [node.iter] if isinstance(node, ast.For) else []
        if isinstance(node, ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp):
            loops = [g.iter for g in node.generators]
        found += [
            f"{_where(path, node.lineno)} loops over passages"
            for it in loops
            if isinstance(it, ast.Attribute) and it.attr == "passages"
        ]
        if path.name != "schemas.py" and isinstance(node, ast.ClassDef):
            bases = {b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in node.bases}
            if "BaseModel" in bases:
                found.append(f"{_where(path, node.lineno)} defines the model {node.name} outside schemas.py")
    return found


def test_the_http_layer_holds_no_product_logic() -> None:
    assert [f for path in sorted(HTTP_LAYER.rglob("*.py")) for f in product_logic(path, _parsed(path))] == []


def test_product_logic_in_a_router_is_found() -> None:
    router = ast.parse(
        "import re\n"
        "from pydantic import BaseModel\n"
        "class Scored(BaseModel):\n    score: float\n"
        "def top(retriever):\n    return [p for p in retriever.passages if re.search('ITU', p.text)]\n"
    )
    assert product_logic(HTTP_LAYER / "routers" / "scores.py", router) == [
        "service/routers/scores.py:1 imports re",
        "service/routers/scores.py:3 defines the model Scored outside schemas.py",
        "service/routers/scores.py:6 loops over passages",
    ]
