"""`wsis search` and `wsis index info` as a user runs them, against the session's index."""

from __future__ import annotations

import json
import os
import subprocess

from wsis_rag.core.settings import PROJECT_ROOT, Settings
from wsis_rag.index.results import SearchResponse
from wsis_rag.index.retriever import FusionConfig
from wsis_rag.index.store.builder import index_encoders

WSIS = str(PROJECT_ROOT / ".venv" / "bin" / "wsis")


def _run(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "WSIS_INDEX_DIR": str(settings.index_dir),
        "WSIS_CORPUS_DIRS": json.dumps([str(d) for d in settings.corpus_dirs]),
        "WSIS_ENCODERS": json.dumps(settings.encoders),
    }
    return subprocess.run([WSIS, *args], env=env, capture_output=True, text=True, timeout=300)


def test_search_json_is_the_search_response_body(built_index: Settings) -> None:
    done = _run(built_index, "search", "GDC para 71", "-k", "3", "--doc", "GDC", "--json")
    assert done.returncode == 0, done.stderr
    body = SearchResponse.model_validate_json(done.stdout)
    assert body.query == "GDC para 71"
    assert [r.rank for r in body.results] == [1, 2, 3]
    assert body.results[0].id == "gdc:para-71" and body.results[0].citation.label.startswith("GDC")
    assert all(r.citation.doc_id == "gdc" for r in body.results)


def test_search_prints_citations(built_index: Settings) -> None:
    done = _run(built_index, "search", "国际电联 WSIS+20 路线图", "-k", "2", "--lang", "zh")
    assert done.returncode == 0, done.stderr
    assert "1." in done.stdout and "section" in done.stdout


def test_cite_prints_the_clauses_a_citation_names(built_index: Settings) -> None:
    done = _run(built_index, "cite", "A/RES/80/173, para. 121")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("A/RES/80/173, para. 121") and "secretariat provided by" in done.stdout
    done = _run(built_index, "cite", "paragraph 140 of A/RES/80/173", "--json")
    assert done.returncode == 1 and json.loads(done.stdout)["missing_clauses"][0]["locator"] == "para. 140"
    done = _run(built_index, "search", "paragraph 140 of A/RES/80/173", "-k", "1")
    assert done.returncode == 0 and "A/RES/80/173 has no para. 140" in done.stdout


def test_bad_filter_and_missing_index_fail_clearly(built_index: Settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    done = _run(built_index, "search", "ITU", "--doc", "A/RES/99/999")
    assert done.returncode == 1 and "unknown document" in done.stderr
    missing = built_index.model_copy(update={"index_dir": tmp_path / "none"})
    done = _run(missing, "search", "ITU")
    assert done.returncode == 1 and "wsis index build" in done.stderr


def test_index_info_reports_encoders_counts_and_freshness(built_index: Settings) -> None:
    done = _run(built_index, "index", "info", "--json")
    assert done.returncode == 0, done.stderr
    info = json.loads(done.stdout)
    # The session index names no encoders: it holds exactly the default search's dense ones.
    dense = {name for name in FusionConfig().default_signals if name != "bm25"}
    assert set(info["encoders"]) == set(index_encoders(built_index)) == dense == {"e5", "use"}
    assert info["documents"] == 3 and info["passages"] > 300
    assert info["stale"] == []
