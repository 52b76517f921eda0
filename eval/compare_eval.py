"""The comparison scored against the hand-made ground truth (eval/sets/compare/*.json, issue
26): alignment precision and recall of paragraph pairs, and status accuracy, with 95 %
bootstrap intervals over the pairs (`metrics.bootstrap_interval`). The two documents of each
labelled pair are ingested from the UN collection; no index and no embedding is involved.

    python -m wsis_rag.eval.compare_eval [--sets eval/sets/compare] [--collection FILE] [--out scores.json]

A pair is an item `(paragraphs of a, paragraphs of b)`: a 1-1 pair, a split or a merge, or a
paragraph on one side alone (added, deleted). It is aligned correctly when the comparison
has exactly that item, or one of the labelled alternatives (`alt`; taking one releases the
paragraphs it takes from the other labelled pairs). Status accuracy is counted on the
correctly aligned pairs; a labelled `changed` pair marked `"moved": true` accepts `moved`.
The labels number paragraphs as the checker beside them reads the text (`check_compare.parse`);
each labelled paragraph is matched to the comparison's paragraph with the most similar text in
the same part (preamble or operative), so a paragraph the ingest numbers otherwise (unnumbered
text in a preamble) is still scored as the same paragraph. The comparison's paragraphs that no
labelled one matches (formulas, headings) are left out of its pairs before scoring.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import io
import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from ..core.settings import PROJECT_ROOT, get_settings
from ..ingest.collection import CollectionRecord, read_collection
from ..ingest.pipeline import IngestedDocument, ingest_record
from ..products.compare.comparison import ClausePair, Comparison, compare_passages
from ..products.compare.units import PREAMBLE, paragraphs
from ..products.compare.words import Words
from .bench_timing import load_average
from .metrics import Interval, bootstrap_interval

SETS = PROJECT_ROOT / "eval" / "sets" / "compare"
COLLECTION = Path("un-corpus") / "un-documents-78-80.jsonl.gz"

Item = tuple[tuple[str, ...], tuple[str, ...]]
# A labelled paragraph and the comparison's are the same when this similar (footnote marks and
# line-end hyphens are all that tell the checker's text from the ingested one).
MAPPED = 0.8


def _ids(value: str | list[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    return tuple(value) if isinstance(value, list) else (value,)


def _item(pair: dict[str, Any]) -> Item:
    return _ids(pair["a"]), _ids(pair["b"])


def _statuses(pair: dict[str, Any]) -> set[str]:
    if pair["status"] == "changed" and pair.get("moved"):
        return {"changed", "moved"}
    return {pair["status"]}


@dataclass
class PairScore:
    """One labelled pair of documents: the items labelled and predicted, and which agree."""

    name: str
    relation: str
    gold: dict[Item, set[str]]
    predicted: dict[Item, str]
    seconds: float
    correct: list[Item] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.correct = [item for item in self.predicted if item in self.gold]

    @property
    def precision_hits(self) -> list[float]:
        return [float(item in self.gold) for item in self.predicted]

    @property
    def recall_hits(self) -> list[float]:
        return [float(item in self.predicted) for item in self.gold]

    @property
    def status_hits(self) -> list[float]:
        return [float(self.predicted[item] in self.gold[item]) for item in self.correct]

    def errors(self) -> list[str]:
        lines = [f"missed {_show(item)} {sorted(self.gold[item])}" for item in self.gold if item not in self.predicted]
        lines += [f"extra  {_show(item)} {self.predicted[item]}" for item in self.predicted if item not in self.gold]
        lines += [
            f"status {_show(item)} {self.predicted[item]} (labelled {sorted(self.gold[item])})"
            for item in self.correct
            if self.predicted[item] not in self.gold[item]
        ]
        return lines


def _show(item: Item) -> str:
    return f"{','.join(item[0]) or '-'} -> {','.join(item[1]) or '-'}"


def predicted_items(comparison: Comparison, labelled_a: dict[str, str], labelled_b: dict[str, str]) -> dict[Item, str]:
    """The comparison's pairs as items over the labelled paragraph ids (`labelled_*`: the
    comparison's paragraph id -> the labels' id)."""
    items: dict[Item, str] = {}
    for pair in comparison.pairs:
        item = (_labelled(pair.a_ids, labelled_a), _labelled(pair.b_ids, labelled_b))
        if item[0] or item[1]:
            items[item] = _one_sided(pair, item)
    return items


def _labelled(ids: Iterable[str], labelled: dict[str, str]) -> tuple[str, ...]:
    return tuple(labelled[i] for i in ids if i in labelled)


def _checker(sets: Path) -> ModuleType:
    """check_compare.py beside the labels: how they number paragraphs."""
    spec = importlib.util.spec_from_file_location("check_compare", sets / "check_compare.py")
    if spec is None or spec.loader is None:
        raise SystemExit(f"no check_compare.py in {sets}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def labelled_ids(checker: ModuleType, record: CollectionRecord, document: IngestedDocument) -> dict[str, str]:
    """The document's paragraph ids (as the comparison gives them) -> the labels' ids."""
    checker.docs[record.symbol] = {"symbol": record.symbol, "title": record.title, "text": record.text}
    with contextlib.redirect_stderr(io.StringIO()):
        labelled = checker.parse(record.symbol)
    units = paragraphs(document.passages)
    mapping: dict[str, str] = {}
    for paragraph in labelled:
        side = [u for u in units if (u.part == PREAMBLE) == (paragraph["part"] == "pre")]
        words = Words(paragraph["text"])
        best = max(side, key=lambda u: Words(u.text).keys == words.keys or _similar(u.text, words))
        if _similar(best.text, words) < MAPPED:
            print(f"warning: {record.symbol} {paragraph['id']} has no paragraph of like text in the comparison")
            continue
        mapping[best.id] = paragraph["id"]
    return mapping


def _similar(text: str, words: Words) -> float:
    from rapidfuzz.distance import Indel

    return float(Indel.normalized_similarity(Words(text).keys, words.keys))


def _one_sided(pair: ClausePair, item: Item) -> str:
    # A pair whose other side is an unlabelled paragraph reads, on the labelled side, as a
    # deletion or an addition.
    if not item[1]:
        return "deleted"
    if not item[0]:
        return "added"
    return pair.status.value


def gold_items(labels: dict[str, Any], predicted: dict[Item, str]) -> dict[Item, set[str]]:
    """The labelled items, with an alternative taken where the comparison chose it."""
    gold = {_item(p): _statuses(p) for p in labels["pairs"]}
    for pair in labels["pairs"]:
        main = _item(pair)
        for alt in pair.get("alt", []):
            chosen = _item(alt)
            if main in predicted or chosen not in predicted or main not in gold:
                continue
            del gold[main]
            for item in [i for i in gold if set(i[0]) & set(chosen[0]) or set(i[1]) & set(chosen[1])]:
                del gold[item]
                gold |= {((a,), ()): {"deleted"} for a in item[0] if a not in chosen[0]}
                gold |= {((), (b,)): {"added"} for b in item[1] if b not in chosen[1]}
            gold[chosen] = _statuses(alt)
            break
    return gold


def read_documents(collection: Path, symbols: set[str]) -> dict[str, tuple[CollectionRecord, IngestedDocument]]:
    documents: dict[str, tuple[CollectionRecord, IngestedDocument]] = {}
    for record in read_collection(collection):
        if isinstance(record, CollectionRecord) and record.symbol in symbols:
            documents[record.symbol] = (record, ingest_record(record))
    missing = symbols - set(documents)
    if missing:
        raise SystemExit(f"not in {collection}: {', '.join(sorted(missing))}")
    return documents


def score_set(sets: Path, collection: Path) -> list[PairScore]:
    labelled = {path.stem: json.loads(path.read_text(encoding="utf-8")) for path in sorted(sets.glob("*.json"))}
    documents = read_documents(collection, {s for labels in labelled.values() for s in (labels["a"], labels["b"])})
    checker = _checker(sets)
    ids = {symbol: labelled_ids(checker, record, document) for symbol, (record, document) in documents.items()}
    scores = []
    for name, labels in labelled.items():
        (_, a), (_, b) = documents[labels["a"]], documents[labels["b"]]
        started = time.perf_counter()
        comparison = compare_passages(a.meta, a.passages, b.meta, b.passages)
        seconds = time.perf_counter() - started
        predicted = predicted_items(comparison, ids[labels["a"]], ids[labels["b"]])
        scores.append(PairScore(name, labels["relation"], gold_items(labels, predicted), predicted, seconds))
    return scores


def _pooled(scores: Sequence[PairScore]) -> dict[str, Interval]:
    return {
        "pair precision": bootstrap_interval([h for s in scores for h in s.precision_hits]),
        "pair recall": bootstrap_interval([h for s in scores for h in s.recall_hits]),
        "status accuracy": bootstrap_interval([h for s in scores for h in s.status_hits]),
    }


def report(scores: Sequence[PairScore]) -> list[str]:
    slices = {"all": list(scores)}
    for relation in sorted({s.relation for s in scores}):
        slices[relation] = [s for s in scores if s.relation == relation]
    lines = [
        "| pairs of documents | labelled pairs | pair precision | pair recall | status accuracy |",
        "|---|---|---|---|---|",
    ]
    for name, chosen in slices.items():
        cells = [f"{i.value:.3f} [{i.low:.3f}, {i.high:.3f}]" for i in _pooled(chosen).values()]
        lines.append(f"| {name} ({len(chosen)}) | {sum(len(s.gold) for s in chosen)} | " + " | ".join(cells) + " |")
    return lines


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sets", type=Path, default=SETS, help="Folder of the labelled pairs (*.json).")
    parser.add_argument("--collection", type=Path, help=f"The UN collection (default: <shared_dir>/{COLLECTION}).")
    parser.add_argument("--errors", action="store_true", help="List every disagreement with the labels.")
    parser.add_argument("--out", type=Path, help="Write the scores as JSON here.")
    args = parser.parse_args(argv)
    collection = args.collection or get_settings().shared_dir / COLLECTION
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {load_average()}")
    scores = score_set(args.sets, collection)
    print("\n".join(report(scores)))
    slowest = max(scores, key=lambda s: s.seconds)
    print(f"\ncomparison time: at most {slowest.seconds * 1000:.0f} ms ({slowest.name})")
    if args.errors:
        for score in scores:
            for line in score.errors():
                print(f"{score.name}: {line}")
    if args.out:
        output = {
            "pooled": {k: v.as_json() for k, v in _pooled(scores).items()},
            "pairs": {s.name: {"errors": s.errors(), "seconds": round(s.seconds, 4)} for s in scores},
        }
        args.out.write_text(json.dumps(output, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
