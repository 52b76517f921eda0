"""The house rules, checked on the sources: the import contracts of pyproject.toml
(import-linter), FastAPI only in the HTTP layer, products and the HTTP layer reaching the
index through its API only, and no product logic in the HTTP layer."""

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
PRODUCTS = PROJECT_ROOT / "products"
# What products and the HTTP layer may import of the index; the rest of it is internal.
INDEX = "wsis_rag.index"
INDEX_API = "wsis_rag.index.api"
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


def module_name(path: Path) -> str:
    """The installed name of a source file (`products/answers/answer.py` ->
    `wsis_rag.products.answers.answer`), from pyproject's package-dir mapping."""
    relative = path.relative_to(PROJECT_ROOT)
    folder = {f: package for package, f in PACKAGE_DIRS.items()}[relative.parts[0]]
    parts = [*folder.split("."), *relative.with_suffix("").parts[1:]]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _full_imports(path: Path, tree: ast.AST) -> Iterator[tuple[int, str]]:
    """(line, full module name) of every import, relative ones resolved, at any depth; for
    `from package import name` each `package.name` (the name may be a module)."""
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *(node.module.split(".") if node.module else [])])
            yield from ((node.lineno, f"{module}.{alias.name}") for alias in node.names)


def index_internals(path: Path, tree: ast.AST) -> list[str]:
    """The imports of one module that reach into the index past its API."""
    return [
        f"{_where(path, line)} imports {name}"
        for line, name in sorted(_full_imports(path, tree))
        if name.startswith(INDEX + ".") and not (name == INDEX_API or name.startswith(INDEX_API + "."))
    ]


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


def test_products_and_the_http_layer_use_the_index_through_its_api() -> None:
    sources = [*sorted(PRODUCTS.rglob("*.py")), *sorted(HTTP_LAYER.rglob("*.py"))]
    assert [found for path in sources for found in index_internals(path, _parsed(path))] == []


def test_an_import_past_the_index_api_is_found() -> None:
    product = ast.parse(
        "from ...index.api import HybridRetriever\n"
        "from ...index.analysis import HAN\n"
        "def embed():\n    from ...index import encoders\n"
        "import wsis_rag.index.store.versions\n"
    )
    assert index_internals(PRODUCTS / "answers" / "answer.py", product) == [
        "products/answers/answer.py:2 imports wsis_rag.index.analysis.HAN",
        "products/answers/answer.py:4 imports wsis_rag.index.encoders",
        "products/answers/answer.py:5 imports wsis_rag.index.store.versions",
    ]


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
