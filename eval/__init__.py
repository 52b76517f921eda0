"""Evaluation harness: score retrieval on question sets (../shared/eval/dev.jsonl format).

- `questions`: load/write question sets; `runs`: `Run` and TREC run/qrels files.
- `relevance`: gold-snippet containment -> qrels and a ranx run; the snippet guard.
- `metrics`: ranx Recall@5/@10, MRR@10, nDCG@10, slices, paired significance tests.
- `systems`: configurations of a `HybridRetriever`, in-process and `GET /search` runs.
- `harness`: `evaluate_retriever`, `evaluate_service`; `report`: Markdown, JSON, PNG.
- `gate`: the floors the dev-set evaluation of the default configuration must keep.
- `bench/`: the speed benchmarks, apart from quality (`wsis bench PART`).

CLI: `wsis eval [--set FILE] [--configs bm25,e5,hybrid,...] [--url URL] [--out DIR]`.
"""
