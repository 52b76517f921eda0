#!/usr/bin/env python3
"""Validate a held-out question set against the texts in ../shared (stdlib only).

    python3 eval/sets/check_set.py eval/sets/heldout.jsonl
    python3 eval/sets/check_set.py eval/sets/heldout.jsonl --write-wsis eval/sets/heldout-wsis.jsonl
    python3 eval/sets/check_set.py eval/sets/heldout.jsonl [--shared ../shared]
    python3 eval/sets/check_set.py eval/sets/unanswerable.jsonl
    python3 eval/sets/check_set.py eval/sets/answerable-mix.jsonl

Checks, for every question: the fields and their values (id, query, lang, kind,
relevant, answer), the number of relevant items per kind, and for every relevant item:
  * the snippet has no line break and is 30-120 characters (English) or 15-60 (Chinese);
  * after whitespace collapsing it occurs exactly once in the corpus set it is scored
    against: the three WSIS files for items on those documents; the whole UN collection
    (un-documents-78-80.jsonl.gz) plus the three WSIS files for items on a UN symbol;
  * it lies inside one paragraph (block) of its document, never across two paragraphs or a
    paragraph and its heading, and that paragraph is the one the locator names;
  * for UN-collection items: no footnote marker, hyphenated line break, page header or job
    number inside the snippet, and the document is in the collection.
Prints counts per kind, lang, document group and cross-lingual direction; exits 1 on any
violation.  Further sets (unanswerable.jsonl, answerable-mix.jsonl) may add the optional
fields split (dev|test), parts and why, the kinds near-miss and off-topic (empty relevant,
empty answer, near-miss needs a why) and multi-part (2-4 items, parts = two sub-questions),
and items on A/RES/70/125 and the six other WSIS-process resolutions (read from
<shared>/wsis-docs, checked like UN-collection items).
--write-wsis PATH regenerates the WSIS-only subset (questions whose every
relevant item is on one of the three WSIS documents).
"""

import argparse
import collections
import gzip
import json
import re
import sys
from pathlib import Path

WS = re.compile(r"\s+")
HAN = re.compile(r"[\u3400-\u9fff]")


def ws(s):
    return WS.sub(" ", s).strip()


WSIS_FILES = {
    "A/RES/80/173": "corpus/A_RES_80_173_en.md",
    "A/RES/79/1 annex I": "corpus/A_RES_79_1_annexI_Global_Digital_Compact_en.md",
    "council-report": "corpus/ITU_Council_2026_CWG-WSIS-SDG_chair_report_zh.txt",
}
# Documents read from <shared>/wsis-docs: checked like UN-collection items (raw pdftotext
# text, unique across the UN collection + the WSIS files + these files).
OTHER_FILES = {
    "A/RES/70/125": "wsis-docs/WSIS10_outcome_A-RES-70-125_en.txt",
    "A/RES/56/183": "wsis-docs/GA_A-RES-56-183_WSIS_en.txt",
    "A/RES/57/238": "wsis-docs/GA_A-RES-57-238_WSIS_en.txt",
    "A/RES/59/220": "wsis-docs/GA_A-RES-59-220_WSIS_en.txt",
    "A/RES/60/252": "wsis-docs/GA_A-RES-60-252_WSIS_en.txt",
    "A/RES/68/302": "wsis-docs/GA_A-RES-68-302_WSIS-review-modalities_en.txt",
    "A/RES/77/150": "wsis-docs/GA_A-RES-77-150_ICT4SD_en.txt",
}
KINDS = {"factoid", "multi", "symbol", "paraphrase", "keyword", "briefing", "multi-part", "near-miss", "off-topic"}
UNANSWERABLE = {"near-miss", "off-topic"}
LANGS = {"en", "zh"}
FIELDS = ["id", "query", "lang", "kind", "relevant", "answer"]
OPTIONAL = ["split", "parts", "why"]  # allowed after FIELDS, in this order
MIN_BY_PREFIX = {"u": 130, "a": 60}  # other prefixes: 220


# ---------------------------------------------------------------- WSIS documents
def _blocks(text):
    """Blank-line separated blocks of a Markdown file, front matter dropped."""
    if text.startswith("---"):
        text = text[text.index("---", 3) + 3 :]
    return [b.strip() for b in re.split(r"\n\s*\n", text) if b.strip()]


def paras_resolution(text):
    """(locator, text) for A/RES/80/173: preamble, para N, footnote N; others = None."""
    out, state = [], "head"
    blocks = _blocks(text)
    for b in blocks:
        m = re.match(r"(\d{1,3})\. ", b)
        if b.startswith("We, the Ministers"):
            state = "preamble"
        if "Footnotes (moved" in b:
            state = "foot"
            continue
        if state == "foot":
            for line in b.splitlines():
                fm = re.match(r"(\d+) ", line)
                out.append((f"footnote {fm.group(1)}" if fm else None, line))
            continue
        if m:
            state = "body"
            out.append(("para " + m.group(1), b))
        elif state == "preamble" and not b == "Introduction":
            out.append(("preamble", b))
        else:
            out.append((None, b))  # title block, headings, signature line
    return out


def paras_gdc(text):
    out, cur, in_obj = [], None, False
    state = "head"
    for b in _blocks(text):
        if "Footnotes (moved" in b:
            state = "foot"
            continue
        if state == "foot":
            for line in b.splitlines():
                fm = re.match(r"(\d+) ", line)
                out.append((f"footnote {fm.group(1)}" if fm else None, line))
            continue
        m = re.match(r"(\d{1,3})\. ", b)
        s = re.match(r"\(([a-z])\) ", b)
        if m and in_obj and int(m.group(1)) <= 5 and cur == 7:
            out.append(("para 7", b))
            continue
        if m:
            cur = int(m.group(1))
            in_obj = cur == 7
            out.append(("para %d" % cur, b))
        elif s and cur:
            out.append(("para %d(%s)" % (cur, s.group(1)), b))
        else:
            in_obj = False if b == "Principles" else in_obj
            out.append((None, b))
    return out


def paras_council(text):
    """Council report: front:<heading> for the front part, §N ¶M for the sections.

    ¶M is the M-th non-empty line after the section heading; a heading wrapped onto a
    short second line ("...最新" / "情况", section 4) is part of the heading."""
    out, loc_head, sec, n, prev_head = [], None, None, 0, False
    front_heads = {"目的", "理事会需采取的行动", "与《战略规划》的关联", "财务影响", "参考文件"}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or set(line) == {"_"}:
            continue
        m = re.match(r"(\d+)\t", raw)
        if m:
            sec, n, prev_head = int(m.group(1)), 0, True
            out.append((None, line))
            continue
        if prev_head and len(line) <= 4 and not re.search(r"[。：；]$", line):
            out.append((None, line))
            continue
        prev_head = False
        if sec is None:
            if line in front_heads:
                loc_head = "front:" + line
                out.append((None, line))
            else:
                out.append((loc_head, line))
        else:
            n += 1
            out.append(("§%d ¶%d" % (sec, n), line))
    return out


PARSERS = {"A/RES/80/173": paras_resolution, "A/RES/79/1 annex I": paras_gdc, "council-report": paras_council}


# ---------------------------------------------------------------- UN collection
JOB = re.compile(r"\d{2}-\d{5}|\*\d{7}\*|\b\d{1,3}/\d{1,3}\b")
FOOT = re.compile(r"(?<!\d)[A-Za-z\u201d\u2019)\],;.:]\d{1,3}(\s|$)")


def un_locator_ok(raw, start_raw, locator):
    """Check a UN-collection locator against the raw PyMuPDF text before the snippet.

    locator grammar: preamble | [annex[ I|II], ][art. K[, ]]para[.] N[ (x)] | annex, art. K
    """
    before = raw[:start_raw]
    lines = before.splitlines()
    loc = locator.strip()
    annex = None
    m = re.match(r"annex( [IVX]+)?, ", loc)
    if m:
        annex = "Annex" + (m.group(1) or "")
        loc = loc[m.end() :]
    annex_lines = [l.strip() for l in lines if re.fullmatch(r"\s*Annex( [IVX]+)?\s*", l)]
    if annex:
        if not annex_lines or annex_lines[-1] != annex:
            return "snippet is not in {} (last annex heading before it: {})".format(
                annex, annex_lines[-1] if annex_lines else "none"
            )
        # restrict to the text after that annex heading
        idx = max(i for i, l in enumerate(lines) if l.strip() == annex)
        lines = lines[idx + 1 :]
    elif annex_lines:
        return f"snippet is inside {annex_lines[-1]} but the locator names no annex"
    art = None
    m = re.match(r"art\. (\d+)(, |$| )", loc)
    if m:
        art = m.group(1)
        loc = loc[m.end() :].strip()
        arts = [re.match(r"\s*Article (\d+)", l).group(1) for l in lines if re.match(r"\s*Article \d+\.?\s*$", l)]
        if not arts or arts[-1] != art:
            return f"nearest article heading is {arts[-1] if arts else None}, not {art}"
        idx = max(i for i, l in enumerate(lines) if re.match(rf"\s*Article {art}\.?\s*$", l))
        lines = lines[idx + 1 :]
    if loc == "preamble":
        nums = [l for l in lines if re.match(r"\s*1\.(\s|$)", l)]
        return None if not nums else "snippet comes after operative para 1, not in the preamble"
    if art and loc == "":
        return None
    sub = None
    m = re.fullmatch(r"(?:para\.? (\d+))?\s*(?:\(([a-z]{1,4})\))?", loc)
    if not m or not (m.group(1) or m.group(2)):
        return f"unparsed locator {locator!r}"
    num, sub = m.group(1), m.group(2)
    marks = [
        (i, re.match(r"\s*(\d{1,3})\.(\s|$)", l).group(1))
        for i, l in enumerate(lines)
        if re.match(r"\s*(\d{1,3})\.(\s|$)", l)
    ]
    if num:
        if not marks or marks[-1][1] != num:
            return f"nearest paragraph number before the snippet is {marks[-1][1] if marks else None}, not {num}"
        lines = lines[marks[-1][0] :]
    if sub:
        subs = [
            re.match(r"\s*\(([a-z]{1,4})\)", l).group(1) for l in lines if re.match(r"\s*\(([a-z]{1,4})\)(\s|$)", l)
        ]
        if not subs or subs[-1] != sub:
            return f"nearest subparagraph before the snippet is {subs[-1] if subs else None}, not {sub}"
    elif num:
        subs = [l for l in lines[1:] if re.match(r"\s*\(([a-z]{1,4})\)(\s|$)", l)]
        if subs:
            return f"snippet is inside a lettered subparagraph of para {num}; name it"
    return None


def raw_span(raw, snippet):
    """Start offset in raw of the (only) whitespace-tolerant match of snippet."""
    pat = r"\s+".join(re.escape(w) for w in snippet.split())
    ms = list(re.finditer(pat, raw))
    return ms


def load(shared):
    shared = Path(shared)
    wsis = {d: (shared / p).read_text(encoding="utf-8") for d, p in WSIS_FILES.items()}
    un = {}
    with gzip.open(shared / "un-corpus/un-documents-78-80.jsonl.gz", "rt", encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            un[d["symbol"]] = d["text"]
    for d, p in OTHER_FILES.items():
        un[d] = (shared / p).read_text(encoding="utf-8")
    return wsis, un


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("path")
    ap.add_argument("--shared", default=str(Path(__file__).resolve().parents[3] / "shared"))
    ap.add_argument("--write-wsis", metavar="PATH")
    ap.add_argument(
        "--min", type=int, default=None, help="minimum number of questions (default 220; u-sets 130, a-sets 60)"
    )
    a = ap.parse_args(argv)

    wsis, un = load(a.shared)
    wsis_ws = {d: ws(t) for d, t in wsis.items()}
    wsis_all = "\n".join(wsis_ws.values())
    un_ws = {s: ws(t) for s, t in un.items()}
    un_all = "\n".join(un_ws.values()) + "\n" + wsis_all
    parsed = {d: [(loc, ws(t)) for loc, t in PARSERS[d](wsis[d])] for d in wsis}

    errors, qs = [], []
    seen_ids, seen_q = set(), set()
    for ln, line in enumerate(Path(a.path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            errors.append("line %d: empty line" % ln)
            continue
        try:
            q = json.loads(line)
        except ValueError as e:
            errors.append("line %d: bad JSON (%s)" % (ln, e))
            continue
        qs.append(q)
        qid = q.get("id", "line %d" % ln)

        def err(msg):
            errors.append(f"{qid}: {msg}")

        extra = list(q)[len(FIELDS) :]
        if list(q)[: len(FIELDS)] != FIELDS or extra != [f for f in OPTIONAL if f in extra]:
            err(f"fields {list(q)}, expected {FIELDS} (+ optional {OPTIONAL}, in that order)")
        if "split" in q and q["split"] not in ("dev", "test"):
            err("split {!r}, expected dev or test".format(q["split"]))
        if not re.fullmatch(r"[hcua]\d{3}", str(q.get("id"))):
            err("id must be hNNN, cNNN, uNNN or aNNN")
        if qid in seen_ids:
            err("duplicate id")
        seen_ids.add(qid)
        if ws(q.get("query", "")).lower() in seen_q:
            err("duplicate query")
        seen_q.add(ws(q.get("query", "")).lower())
        if q.get("lang") not in LANGS:
            err("lang {!r}".format(q.get("lang")))
        if q.get("kind") not in KINDS:
            err("kind {!r}".format(q.get("kind")))
        query = q.get("query", "")
        has_han = bool(HAN.search(query))
        if q.get("lang") == "zh" and not has_han:
            err("lang zh but the query has no Chinese characters")
        if q.get("lang") == "en" and has_han:
            err("lang en but the query has Chinese characters")
        ans = q.get("answer", "")
        kind = q.get("kind")
        if kind in UNANSWERABLE:
            if q.get("relevant") != [] or ans != "":
                err(f'{kind} needs relevant [] and answer ""')
            if kind == "near-miss" and not (isinstance(q.get("why"), str) and q["why"].strip()):
                err("near-miss needs a why")
            if "parts" in q:
                err("parts only for multi-part")
            continue
        if "why" in q:
            err("why only for near-miss/off-topic")
        if kind == "multi-part":
            parts = q.get("parts")
            if not (
                isinstance(parts, list) and len(parts) == 2 and all(isinstance(x, str) and x.strip() for x in parts)
            ):
                err("multi-part needs parts = two sub-questions")
        elif "parts" in q:
            err("parts only for multi-part")
        if not isinstance(ans, str) or not ans.strip() or HAN.search(ans) and len(HAN.findall(ans)) > 12:
            err("answer must be one English sentence")
        elif not ans.rstrip().endswith((".", "?", ")", "\u201d")) or "\n" in ans:
            err("answer should be one sentence ending with a full stop")
        rel = q.get("relevant")
        if not isinstance(rel, list) or not rel:
            err("relevant must be a non-empty list")
            continue
        n = len(rel)
        if kind in ("multi", "multi-part") and not 2 <= n <= 4:
            err("%s needs 2-4 relevant items, has %d" % (kind, n))
        if kind == "briefing" and n < 2:
            err("briefing needs several relevant items, has %d" % n)
        if kind in ("factoid", "paraphrase", "symbol", "keyword") and n > 4:
            err("%s with %d items" % (kind, n))
        seen_snip = set()
        for r in rel:
            if sorted(r) != ["doc", "locator", "snippet"]:
                err(f"relevant item fields {sorted(r)}")
                continue
            doc, locator, snip = r["doc"], r["locator"], r["snippet"]
            if "\n" in snip or "\r" in snip:
                err(f"snippet has a line break: {snip!r}")
            s = ws(snip)
            if s != snip:
                err(f"snippet is not whitespace-normalised: {snip!r}")
            if s in seen_snip:
                err("same snippet twice in one question")
            seen_snip.add(s)
            zh = bool(HAN.search(s))
            lo, hi = (15, 60) if zh else (30, 120)
            if not lo <= len(s) <= hi:
                err("snippet length %d not in %d-%d: %r" % (len(s), lo, hi, s))
            if doc in wsis:
                if (doc == "council-report") != zh:
                    err(f"snippet language does not fit {doc}: {s!r}")
                c = wsis_all.count(s)
                if c != 1:
                    err("snippet occurs %d times across the three WSIS files: %r" % (c, s))
                    continue
                hits = [loc for loc, t in parsed[doc] if s in t]
                if len(hits) != 1:
                    err(f"snippet is not inside one paragraph of {doc} (crosses blocks?): {s!r}")
                    continue
                if hits[0] is None:
                    err(f"snippet is in a heading/title block, not a paragraph: {s!r}")
                elif hits[0] != locator:
                    err(f"locator {locator!r} but the snippet is in {hits[0]!r}: {s!r}")
            elif doc in un:
                c = un_all.count(s)
                if c != 1:
                    err("snippet occurs %d times across the UN collection + WSIS files: %r" % (c, s))
                    continue
                if s not in un_ws[doc]:
                    err(f"snippet not in {doc}: {s!r}")
                    continue
                if FOOT.search(s):
                    err(f"snippet seems to hold a footnote marker: {s!r}")
                if re.search(r"[a-z]- [a-z]", s):
                    err(f"snippet seems to cross a hyphenated line break: {s!r}")
                if JOB.search(s) or doc in s:
                    err(f"snippet seems to hold a job number / page label / header: {s!r}")
                ms = raw_span(un[doc], s)
                if len(ms) != 1:
                    err("raw match count %d in %s" % (len(ms), doc))
                    continue
                span = un[doc][ms[0].start() : ms[0].end()]
                if re.search(r"\n[ \t]*\n", span):
                    err(f"snippet crosses a blank line (two blocks) in the raw text: {s!r}")
                why = un_locator_ok(un[doc], ms[0].start(), locator)
                if why:
                    err(f"locator {locator!r}: {why}")
            else:
                err(f"unknown doc {doc!r}")

    # ---- counts
    def group(q):
        docs = {r["doc"] for r in q["relevant"]}
        g = []
        if docs & set(WSIS_FILES):
            g.append("wsis")
        if docs & set(OTHER_FILES):
            g.append("wsis-docs")
        if docs - set(WSIS_FILES) - set(OTHER_FILES):
            g.append("un-collection")
        return "+".join(g) or "none"

    def direction(q):
        if not q["relevant"]:
            return "none"
        zh_ev = any(r["doc"] == "council-report" for r in q["relevant"])
        en_ev = any(r["doc"] != "council-report" for r in q["relevant"])
        if q["lang"] == "en":
            return "en->zh" if zh_ev and not en_ev else ("en->zh+en" if zh_ev else "en->en")
        return "zh->en" if en_ev and not zh_ev else ("zh->zh+en" if en_ev else "zh->zh")

    valid = [
        q
        for q in qs
        if isinstance(q.get("relevant"), list) and all(isinstance(r, dict) and "doc" in r for r in q["relevant"])
    ]
    print("questions: %d" % len(qs))
    for name, fn in [
        ("kind", lambda q: q.get("kind")),
        ("lang", lambda q: q.get("lang")),
        ("document group", group),
        ("direction", direction),
        ("split", lambda q: q.get("split", "-")),
    ]:
        c = collections.Counter(fn(q) for q in valid)
        print("%-15s %s" % (name + ":", ", ".join("%s %d" % kv for kv in sorted(c.items()))))
    docc = collections.Counter(r["doc"] for q in valid for r in q["relevant"])
    qdoc = collections.Counter(d for q in valid for d in {r["doc"] for r in q["relevant"]})
    print("items per doc:  " + ", ".join("%s %d (%d q)" % (d, n, qdoc[d]) for d, n in docc.most_common()))
    print("relevant items: %d" % sum(docc.values()))
    if a.min is None:
        a.min = MIN_BY_PREFIX.get(str(qs[0].get("id", "h"))[:1] if qs else "h", 220)
    if len(qs) < a.min:
        errors.append("only %d questions, need at least %d" % (len(qs), a.min))

    if a.write_wsis and not errors:
        sub = [q for q in valid if all(r["doc"] in WSIS_FILES for r in q["relevant"])]
        Path(a.write_wsis).write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in sub), encoding="utf-8")
        print("wrote %s (%d questions)" % (a.write_wsis, len(sub)))

    for e in errors:
        print("ERROR " + e, file=sys.stderr)
    print("%d errors" % len(errors))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
