#!/usr/bin/env python3
"""Stdlib-only validator for eval/sets/lineage/references.jsonl.

Checks: every line parses; fields exactly doc, clause, clause_text_start, references; clause ids
`preamble-N`, `para-N`, `para-N-x`, `annex-para-N`; (doc, clause) unique; every reference has exactly
target, verb, paragraph, as_written, a verb from the fixed list, and no duplicate (target, paragraph)
within a clause; clause_text_start is 30-80 characters and occurs in the document's text after
collapsing whitespace and joining hyphenated line breaks. Prints counts; exits 1 on any violation.

    python3 eval/sets/lineage/check_lineage.py [references.jsonl]
"""

import collections
import glob
import gzip
import json
import pathlib
import re
import sys

VERBS = {
    "recalls",
    "reaffirms",
    "takes note of",
    "welcomes",
    "endorses",
    "notes",
    "acknowledges",
    "recognizes",
    "requests",
    "decides",
    "invites",
    "encourages",
    "calls upon",
    "emphasizes",
    "stresses",
    "bearing in mind",
    "guided by",
    "in accordance with",
    "pursuant to",
    "other",
}
CLAUSE = re.compile(r"preamble-\d+|para-\d+(-[a-z]+)?|annex-para-\d+(-[a-z]+)?")
# ../shared beside the checkout (the checkout is three folders above this file).
SHARED = pathlib.Path(__file__).resolve().parents[4] / "shared"
COLLECTION = str(SHARED / "un-corpus" / "un-documents-78-80.jsonl.gz")
WSIS_MD = {"A/RES/80/173": str(SHARED / "corpus" / "A_RES_80_173_en.md")}
WSIS_TXT = str(SHARED / "wsis-docs" / "*.txt")


def norm(text):
    text = re.sub(r"(\w)-\s*\n\s*(\w)", r"\1\2", text)
    return re.sub(r"\s+", " ", text).strip()


def texts():
    out = collections.defaultdict(list)
    with gzip.open(COLLECTION, "rt") as f:
        for line in f:
            d = json.loads(line)
            out[d["symbol"]].append(norm(d["text"]))
    for sym, path in WSIS_MD.items():
        out[sym].append(norm(pathlib.Path(path).read_text()))
    for path in glob.glob(WSIS_TXT):
        m = re.search(r"A-RES-(\d+)-(\d+)", path)
        if m:
            out[f"A/RES/{m.group(1)}/{m.group(2)}"].append(norm(pathlib.Path(path).read_text()))
    return out


def main(path):
    docs = texts()
    errors, rows, seen = [], [], set()
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        try:
            r = json.loads(line)
        except ValueError as e:
            errors.append(f"line {n}: not JSON ({e})")
            continue
        rows.append(r)
        where = f"line {n} {r.get('doc')} {r.get('clause')}"
        if set(r) != {"doc", "clause", "clause_text_start", "references"}:
            errors.append(f"{where}: fields {sorted(r)}")
            continue
        if (r["doc"], r["clause"]) in seen:
            errors.append(f"{where}: duplicate clause")
        seen.add((r["doc"], r["clause"]))
        if not CLAUSE.fullmatch(r["clause"]):
            errors.append(f"{where}: clause id")
        start = r["clause_text_start"]
        if not 30 <= len(start) <= 80 or start != norm(start):
            errors.append(f"{where}: clause_text_start length/whitespace")
        if r["doc"] not in docs:
            errors.append(f"{where}: unknown document")
        elif not any(start in t for t in docs[r["doc"]]):
            errors.append(f"{where}: clause_text_start not in text")
        keys = set()
        for x in r["references"]:
            if set(x) != {"target", "verb", "paragraph", "as_written"}:
                errors.append(f"{where}: reference fields {sorted(x)}")
                continue
            if x["verb"] not in VERBS:
                errors.append(f"{where}: verb {x['verb']!r}")
            if not x["target"] or not x["as_written"]:
                errors.append(f"{where}: empty target/as_written")
            if (x["target"], x["paragraph"]) in keys:
                errors.append(f"{where}: duplicate reference {x['target']}")
            keys.add((x["target"], x["paragraph"]))
    refs = [x for r in rows for x in r["references"]]
    print(
        f"clauses {len(rows)} (with no reference: {sum(1 for r in rows if not r['references'])}), "
        f"references {len(refs)}, documents {len(set(r['doc'] for r in rows))}, "
        f"with paragraph {sum(1 for x in refs if x['paragraph'])}, "
        f"from footnotes {sum(1 for x in refs if 'footnote' in x['as_written'])}"
    )
    print("by verb:", ", ".join(f"{v} {c}" for v, c in collections.Counter(x["verb"] for x in refs).most_common()))
    print(
        "by document:",
        ", ".join(
            f"{d} {c}" for d, c in collections.Counter(r["doc"] for r in rows for _ in r["references"]).most_common()
        ),
    )
    for e in errors:
        print("ERROR", e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else str(pathlib.Path(__file__).with_name("references.jsonl"))))
