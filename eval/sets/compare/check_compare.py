#!/usr/bin/env python3
"""Validate the version-comparison ground truth in eval/sets/compare/*.json (stdlib only).

Checks, for every file: statuses and pair shapes; preamble never paired with operative; and that
every preambular and operative paragraph of both documents appears in exactly one pair. Paragraph
ids are recomputed from the PyMuPDF text in the collection with the same splitter that was used to
label (page headers, running titles, footnote blocks, headings and '* * *' separators removed).

    python3 eval/sets/compare/check_compare.py [--corpus ../shared/un-corpus/un-documents-78-80.jsonl.gz]
Exit 1 on any violation.
"""

import argparse
import collections
import contextlib
import glob
import gzip
import io
import json
import os
import pathlib
import re
import sys

docs = {}


# ../shared beside the checkout (the checkout is three folders above this file).
SHARED = pathlib.Path(__file__).resolve().parents[4] / "shared"


def short_title(d):
    return re.sub(r"^\d+/\d+\.\s*", "", d["title"]).strip()


OPSTART = re.compile(r"^(\d{1,3})\.\s*(.*)$", re.S)
SUBSTART = re.compile(r"^\(([a-z]{1,4})\)\s")


def clean_lines(sym, text, title=None):
    lines = [line.rstrip() for line in text.split("\n")]
    # start after "The General Assembly,"
    start = None
    for i, line in enumerate(lines):
        if re.match(r"^\s*The General Assembly\s*[,.]?\s*$", line):
            start = i + 1
            break
    if start is None:
        raise SystemExit("no GA start in " + sym)
    title = title or short_title(docs[sym]) if sym in docs else title
    out = []
    i = start
    n = len(lines)
    infoot = False

    def is_header(line):
        s = line.strip()
        if s == sym:
            return True
        if re.match(r"^\d{2}-\d{5}(\s.*)?$", s):
            return True
        if re.match(r"^\d{1,3}/\d{1,3}$", s):
            return True
        return False

    def is_title(line):
        s = line.strip()
        return bool(title) and len(s) > 8 and s in title and not s.endswith((",", ";", "."))

    while i < n:
        line = lines[i]
        s = line.strip()
        if re.match(r"^_{5,}\s*$", s):
            infoot = True
            i += 1
            continue
        if infoot:
            # footnote block ends at next page header (symbol line or running title next to symbol)
            if s == sym or (is_title(line) and any(lines[j].strip() == sym for j in range(i + 1, min(n, i + 5)))):
                infoot = False
            else:
                i += 1
                continue
        if is_header(line):
            i += 1
            continue
        if is_title(line) and any(lines[j].strip() == sym for j in range(max(0, i - 4), min(n, i + 5))):
            i += 1
            continue
        if re.match(r"^\d+(st|nd|rd|th) plenary meeting\s*$", s):
            break
        out.append(s)
        i += 1
    return out


PRE_WORDS = {
    "Reiterates",
    "Mindful",
    "Aware",
    "Deeply",
    "Bearing",
    "Conscious",
    "Cognizant",
    "Also",
    "Further",
    "Gravely",
    "Seriously",
    "Strongly",
    "Emphasizing",
    "Underlining",
    "Alarmed",
    "Concerned",
    "Convinced",
    "Determined",
    "Guided",
    "Taking",
    "Having",
    "Acknowledging",
    "Noting",
    "Welcoming",
    "Recalling",
    "Reaffirming",
    "Recognizing",
    "Stressing",
    "Expressing",
    "Highlighting",
    "Affirming",
    "Reiterating",
    "Considering",
    "Appreciating",
    "Encouraged",
    "Desirous",
    "Committed",
    "Keen",
    "Fully",
    "Nothing",
    "Acting",
    "Pursuant",
    "Reaffirms",
    "Urging",
    "Calling",
    "Believing",
    "Resolved",
    "Sharing",
    "Regretting",
    "Inspired",
    "Persuaded",
    "Observing",
    "Realizing",
    "Re-emphasizing",
    "Commending",
    "Underscoring",
    "Looking",
    "Viewing",
    "Wishing",
    "In",
    "At",
    "Condemning",
    "Deploring",
}


def chunks(lines):
    cur = []
    res = []
    for s in lines:
        if s == "":
            if cur:
                res.append(cur)
                cur = []
        else:
            cur.append(s)
    if cur:
        res.append(cur)

    def j(c):
        out = ""
        for s in c:
            if out.endswith("-") and len(out) > 1 and out[-2].isalpha():
                out += s
            else:
                out = (out + " " + s) if out else s
        return out

    return [j(c) for c in res]


def join_text(a, b):
    return a + " " + b


def parse(sym, text=None, title=None):
    text = text or docs[sym]["text"]
    ch = chunks(clean_lines(sym, text, title))
    paras = []  # dicts: part, num, text
    for c in ch:
        c = re.sub(r"\s+", " ", c).strip()
        m = OPSTART.match(c)
        if m and (not paras or paras[-1]["part"] == "pre" or int(m.group(1)) == paras[-1]["num"] + 1):
            paras.append({"part": "op", "num": int(m.group(1)), "text": m.group(2)})
            continue
        if re.fullmatch(r"\*( \*)+", c):
            continue
        c = re.sub(r"\s*\*\s\*\s\*\s*$", "", c)
        prev_done = (not paras) or re.search(r"[,;:.][”’]?\s?\d{0,3}$", paras[-1]["text"])
        if (
            prev_done
            and len(c) < 100
            and not re.search(r"[,;:.]\s?\d{0,3}$", c)
            and not c[0].islower()
            and not OPSTART.match(c)
            and not SUBSTART.match(c)
        ):
            print("HEADING skipped:", sym, c, file=sys.stderr)
            continue
        if SUBSTART.match(c) and paras:
            paras[-1]["text"] += " " + c
            continue
        if paras and (c[0].islower() or not re.search(r"[,;:.][”’]?\s?\d{0,3}$", paras[-1]["text"])):
            paras[-1]["text"] = join_text(paras[-1]["text"], c)
            continue
        if paras and paras[-1]["part"] == "op":
            # text after an operative paragraph that is not a new number: heading or continuation
            print("WARN op continuation joined:", sym, c[:60], file=sys.stderr)
            paras[-1]["text"] = join_text(paras[-1]["text"], c)
            continue
        fw = c.split()[0].strip(",")
        if paras and not (fw.endswith(("ing", "ed")) or fw in PRE_WORDS):
            print("WARN join non-participle chunk:", sym, c[:60], file=sys.stderr)
            paras[-1]["text"] = join_text(paras[-1]["text"], c)
            continue
        paras.append({"part": "pre", "num": None, "text": c})
    k = 0
    for p in paras:
        if p["part"] == "pre":
            k += 1
            p["id"] = f"preamble-{k}"
        else:
            p["id"] = f"para-{p['num']}"
    return paras


def norm(t):
    t = t.replace("\u2011", "-").replace("\u00ad", "").replace("\u00a0", " ")
    t = re.sub(r"\s+", " ", t).strip()
    return t


def loose(t):
    t = norm(t)
    # drop footnote marks: a 1-3 digit number right after a letter/punct, optionally spaced, followed by space/punct/end
    t = re.sub(r"(?<=[A-Za-z\)\]”’.,;:])\s?\d{1,3}(?=[\s,;:.]|$)", "", t)
    t = re.sub(r"\s+([,;:.])", r"\1", t)
    t = re.sub(r"\s+", " ", t)
    return t.strip()


STAT = {"unchanged", "changed", "added", "deleted", "moved", "split", "merged"}


def ids(P):
    return [p["id"] for p in P]


def validate(obj, A, B):
    errs = []
    seen = {"a": [], "b": []}
    for pr in obj["pairs"]:
        st = pr["status"]
        if st not in STAT:
            errs.append(f"bad status {pr}")
        for side in "ab":
            v = pr[side]
            vs = v if isinstance(v, list) else ([] if v is None else [v])
            seen[side] += vs
        parts = {
            ("pre" if x.startswith("preamble") else "op")
            for side in "ab"
            for x in (pr[side] if isinstance(pr[side], list) else [pr[side]] if pr[side] else [])
        }
        if len(parts) > 1:
            errs.append(f"cross-part {pr}")
        if st == "added" and (pr["a"] is not None or pr["b"] is None):
            errs.append(f"bad added {pr}")
        if st == "deleted" and (pr["b"] is not None or pr["a"] is None):
            errs.append(f"bad deleted {pr}")
        if st == "split" and not (isinstance(pr["b"], list) and isinstance(pr["a"], str)):
            errs.append(f"bad split {pr}")
        if st == "merged" and not (isinstance(pr["a"], list) and isinstance(pr["b"], str)):
            errs.append(f"bad merged {pr}")
        if st in ("unchanged", "moved", "changed") and not (isinstance(pr["a"], str) and isinstance(pr["b"], str)):
            errs.append(f"bad 1-1 {pr}")
        if st == "changed" and not pr.get("what"):
            errs.append(f"changed without what {pr}")
    for side, P in (("a", A), ("b", B)):
        want = ids(P)
        got = seen[side]
        if sorted(got) != sorted(want) or len(set(got)) != len(got):
            from collections import Counter

            c = Counter(got)
            errs.append(
                f"{side}: missing {[x for x in want if x not in c]} dup {[x for x, n in c.items() if n > 1]} extra {[x for x in c if x not in want]}"
            )
    return errs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=str(SHARED / "un-corpus" / "un-documents-78-80.jsonl.gz"))
    args = ap.parse_args()
    for line in gzip.open(args.corpus, "rt"):
        d = json.loads(line)
        docs[d["symbol"]] = d
    here = os.path.dirname(os.path.abspath(__file__))
    bad = 0
    tot = collections.Counter()
    for fn in sorted(glob.glob(os.path.join(here, "*.json"))):
        d = json.load(open(fn))
        with contextlib.redirect_stderr(io.StringIO()):
            A = parse(d["a"])
            B = parse(d["b"])
        errs = validate(d, A, B)
        if d.get("relation") not in ("draft-adopted", "yearly-successor"):
            errs.append("bad relation")
        for p in d["pairs"]:
            for alt in p.get("alt", []):
                if alt.get("status") not in STAT:
                    errs.append(f"bad alt {alt}")
        c = collections.Counter(p["status"] for p in d["pairs"])
        tot += c
        print(
            os.path.basename(fn), d["relation"], f"{len(A)}/{len(B)} paragraphs", dict(c), "ok" if not errs else "FAIL"
        )
        for e in errs:
            print("  ", e)
        bad += bool(errs)
    print("total", dict(tot), sum(tot.values()), "pairs")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
