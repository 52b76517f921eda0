"use strict";
// The compare view: ask GET /compare for two documents, show their paragraphs side by side
// with deleted words struck through on the left and inserted words underlined on the right.

const form = document.getElementById("compare-form");
const selectA = document.getElementById("doc-a");
const selectB = document.getElementById("doc-b");

async function fillChoices() {
  const { documents } = await fetchJson("/documents");
  for (const doc of documents) {
    for (const select of [selectA, selectB]) {
      select.append(el("option", `${doc.meta.symbol} — ${doc.meta.title}`, { value: doc.meta.id }));
    }
  }
}

/** One side of a pair: its citation, and its text with the runs that side shows. */
function side(pair, which, docId) {
  const labels = pair[`${which}_labels`];
  const text = pair[`${which}_text`];
  const box = el("div", "", { class: text === null ? "side empty" : "side" });
  const head = el("div", "", { class: "label" });
  const ids = pair[`${which}_ids`];
  labels.forEach((label, i) => head.append(el("a", label, { href: outlineHref(docId, ids[i].split(":")[1]) })));
  if (which === "b") head.append(el("span", pair.status + (pair.renumbered ? " · renumbered" : ""), { class: "badge" }));
  box.append(head);
  if (text === null) {
    box.append(el("p", which === "a" ? "(not in the first text)" : "(not in the second text)"));
    return box;
  }
  const body = el("div", "", { lang: langOf(text) });
  if (pair.changes.length) {
    const hidden = which === "a" ? "insert" : "delete";
    for (const change of pair.changes) {
      if (change.op === hidden) continue;
      const tag = { equal: "span", delete: "del", insert: "ins" }[change.op];
      body.append(el(tag, change.text));
    }
  } else {
    body.textContent = text;
  }
  box.append(body);
  return box;
}

function render(data) {
  document.getElementById("comparison-title").textContent = `${data.a.symbol} → ${data.b.symbol}`;
  const s = data.summary;
  const counts = ["unchanged", "changed", "added", "deleted", "moved", "split", "merged"]
    .filter((k) => s[k])
    .map((k) => `${s[k]} ${k}`);
  if (s.renumbered) counts.push(`${s.renumbered} renumbered`);
  document.getElementById("summary").textContent =
    `${counts.join(" · ") || "no paragraph pairs"} — similarity ${data.similarity.toFixed(2)}`;
  const warnings = document.getElementById("warnings");
  warnings.replaceChildren(...data.warnings.map((w) => el("p", w, { class: "warning", role: "alert" })));
  const pairs = document.getElementById("pairs");
  pairs.replaceChildren();
  let part = "";
  for (const pair of data.pairs) {
    if (pair.part !== part) {
      pairs.append(el("h3", pair.part, { class: "part-heading" }));
      part = pair.part;
    }
    const row = el("div", "", { class: `pair status-${pair.status}`, id: pair.b || pair.a });
    row.append(side(pair, "a", data.a.id), side(pair, "b", data.b.id));
    pairs.append(row);
  }
  document.getElementById("comparison").hidden = false;
}

async function run(a, b) {
  setStatus("loading", "Comparing…");
  document.getElementById("comparison").hidden = true;
  try {
    const data = await fetchJson(`/compare?a=${encodeURIComponent(a)}&b=${encodeURIComponent(b)}`);
    render(data);
    setStatus("", "");
  } catch (err) {
    setStatus("error", err.message);
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const params = new URLSearchParams({ a: selectA.value, b: selectB.value });
  history.pushState(null, "", `/compare?${params}`);
  run(selectA.value, selectB.value);
});

async function start() {
  await fillChoices().catch((err) => setStatus("error", err.message));
  const params = new URLSearchParams(location.search);
  const a = params.get("a");
  const b = params.get("b");
  if (a) selectA.value = a;
  if (b) selectB.value = b;
  if (a && b) run(a, b);
}

start();
