"""The benchmarks' one command line: every part the package names is a command of
`wsis bench`, and a bad choice is refused before any cluster or index is touched."""

from __future__ import annotations

import re

import pytest
import typer
from typer.testing import CliRunner

from wsis_rag.cli.main import app
from wsis_rag.core.settings import Settings
from wsis_rag.eval import bench
from wsis_rag.eval.bench.cli import bench_app
from wsis_rag.eval.bench.variants import bench_variants


def test_every_part_the_package_names_is_a_command() -> None:
    named = re.findall(r"^- ([a-z-]+):", bench.__doc__ or "", flags=re.MULTILINE)
    group = typer.main.get_group(bench_app)
    commands = [name for name, command in group.commands.items() if not command.hidden]
    assert len(named) >= 10 and sorted(named) == sorted(commands)


def test_an_unknown_ray_part_is_refused_with_the_known_ones() -> None:
    result = CliRunner().invoke(app, ["bench", "ray", "--parts", "serve,everything"], env={"COLUMNS": "200"})
    assert result.exit_code == 2
    assert "everything" in result.output and "build, synthetic, serve" in result.output


def test_variants_need_a_baseline_and_another_and_known_fields() -> None:
    runner = CliRunner()
    alone = runner.invoke(app, ["bench", "variants", "--variant", "only="], env={"COLUMNS": "200"})
    assert alone.exit_code == 2 and "at least two variants" in alone.output
    unknown = runner.invoke(app, ["bench", "variants", "--variant", "a=", "--variant", "b=nosuch:1"])
    assert unknown.exit_code == 2 and "nosuch" in unknown.output
    twice = runner.invoke(app, ["bench", "variants", "--variant", "a=", "--variant", "a=rerank:0"])
    assert twice.exit_code == 2 and "a name of its own" in twice.output


def test_variants_print_each_variant_against_the_first(
    built_index: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    questions = ["What does A/RES/80/173 assign to ITU?", "《全球数字契约》对人工智能治理有何承诺？"]
    bench_variants(built_index.index_dir, questions, [("default", {}), ("unranked", {"rerank": False})], rounds=1)
    printed = capsys.readouterr().out
    rows = {line.split("|")[1].strip(): line for line in printed.splitlines() if line.startswith("| ")}
    assert rows["default"].endswith("| - |")
    assert re.search(r"\| [+-]\d+\.\d\d \[[+-]\d+\.\d\d, [+-]\d+\.\d\d\] ms \|$", rows["unranked"])
    assert re.search(
        r"The first ten, in their order, the same for every variant: [0-2] of 2 questions searched", printed
    )
