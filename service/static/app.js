"use strict";
// The search page: runs /search and /ask for the query, renders the answer and clause cards.

const STOPWORDS = new Set(("a about above after all also an and any are as at be been by can could did do does for " +
  "from had has have how in into is it its more most not of on or other our should so such than that the their them " +
  "then there these they this those to under upon was we were what when where which while who whom why will with " +
  "would you your according").split(" "));

const form = document.getElementById("search-form");
const input = document.getElementById("q");
const docSelect = document.getElementById("doc");
const answerBox = document.getElementById("answer");
const answerText = document.getElementById("answer-text");
const resultsBox = document.getElementById("results");
const resultsTitle = document.getElementById("results-title");
const cards = document.getElementById("cards");
const template = document.getElementById("card-template");

let currentRun = 0;

/** Query words worth highlighting: content words and symbols, and two-character runs of Chinese. */
function highlightTerms(query) {
  const terms = new Set();
  for (const word of query.match(/[A-Za-z][A-Za-z0-9/&+'-]*[A-Za-z0-9]|\d+(?:\/\d+)+/g) || []) {
    if (word.length > 2 && !STOPWORDS.has(word.toLowerCase())) terms.add(word.toLowerCase());
  }
  for (const run of query.match(/[\u4e00-\u9fff]+/g) || []) {
    for (let i = 0; i + 1 < run.length; i++) terms.add(run.slice(i, i + 2));
  }
  return [...terms].sort((a, b) => b.length - a.length);
}

/** Fill `node` with `text`, wrapping each occurrence of a term in <mark>. */
function renderHighlighted(node, text, terms) {
  node.replaceChildren();
  if (!terms.length) { node.textContent = text; return; }
  const escaped = terms.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  // Latin terms match at a word start (so "assign" also marks "assigned").
  const pattern = new RegExp(escaped.map((t) => (/^[a-z0-9]/i.test(t) ? `(?<![\\p{L}\\p{N}])${t}` : t)).join("|"), "giu");
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    node.append(text.slice(last, match.index), el("mark", match[0]));
    last = match.index + match[0].length;
  }
  node.append(text.slice(last));
}

function cardId(passageId) {
  return "card-" + passageId.replace(/[^A-Za-z0-9_-]/g, "_");
}

async function copyCitation(result, button) {
  const quote = `${result.citation.label}: “${result.text}”`;
  try {
    await navigator.clipboard.writeText(quote);
    button.textContent = "Copied";
  } catch (err) {
    button.textContent = "Copy failed";
  }
  setTimeout(() => { button.textContent = "Copy citation"; }, 1800);
}

function renderCard(result, terms) {
  const item = template.content.firstElementChild.cloneNode(true);
  const c = result.citation;
  item.id = cardId(result.id);
  item.dataset.id = result.id;
  item.querySelector(".rank").textContent = result.rank;
  item.querySelector(".label").textContent = c.label;
  item.querySelector(".lang").textContent = result.lang;
  const where = item.querySelector(".where");
  where.textContent = [result.heading, c.page ? `p. ${c.page}` : ""].filter(Boolean).join(" · ");
  where.lang = langOf(where.textContent);
  where.title = c.title;
  const quote = item.querySelector(".text");
  quote.lang = result.lang;
  renderHighlighted(quote, result.text, terms);
  item.querySelector(".copy").addEventListener("click", (event) => copyCitation(result, event.currentTarget));
  const anchor = result.id.slice(result.id.indexOf(":") + 1).replace(/~\d+$/, "");
  item.querySelector(".outline").href = outlineHref(c.doc_id, anchor);
  const source = item.querySelector(".source");
  if (c.url) source.href = c.url; else source.remove();
  return item;
}

function renderResults(response, terms) {
  cards.replaceChildren(...response.results.map((r) => renderCard(r, terms)));
  const n = response.results.length;
  resultsTitle.textContent = n ? `${n} clause${n === 1 ? "" : "s"} (${Math.round(response.took_ms)} ms)` : "No matching clauses";
  resultsBox.hidden = false;
}

function renderAnswer(ask) {
  answerText.replaceChildren();
  answerBox.classList.toggle("not-found", !ask.found);
  if (!ask.found) {
    answerText.append(el("li", ask.answer));
  } else {
    const byMarker = new Map(ask.citations.map((c) => [c.n, c]));
    // The answer is "sentence [n] sentence [m] ...": one quoted sentence per line, its
    // marker a link to the clause card (or to the clause in its document).
    for (const [, sentence, n] of ask.answer.matchAll(/(.+?) \[(\d+)\](?: |$)/gs)) {
      const cited = byMarker.get(Number(n));
      const onPage = document.getElementById(cardId(cited.id));
      const anchor = cited.id.slice(cited.id.indexOf(":") + 1).replace(/~\d+$/, "");
      const item = el("li", sentence + " ", { lang: langOf(sentence) });
      item.append(el("a", `[${n}]`, {
        class: "marker",
        href: onPage ? `#${cardId(cited.id)}` : outlineHref(cited.citation.doc_id, anchor),
        title: cited.label,
      }));
      answerText.append(item);
    }
  }
  answerBox.hidden = false;
}

async function run(query, doc) {
  const runId = ++currentRun;
  const filters = doc ? { doc: [doc] } : {};
  const params = new URLSearchParams({ q: query });
  if (doc) params.append("doc", doc);
  setStatus("loading", "Searching the corpus…");
  answerBox.hidden = true;
  resultsBox.hidden = true;
  form.setAttribute("aria-busy", "true");
  try {
    const [search, ask] = await Promise.all([
      fetchJson(`/search?${params}`),
      fetchJson("/ask", { question: query, filters }),
    ]);
    if (runId !== currentRun) return;  // a newer search replaced this one
    const terms = highlightTerms(query);
    renderResults(search, terms);
    renderAnswer(ask);
    setStatus("", "");
  } catch (err) {
    if (runId === currentRun) setStatus("error", err.message);
  } finally {
    if (runId === currentRun) form.removeAttribute("aria-busy");
  }
}

async function loadDocuments() {
  try {
    const data = await fetchJson("/documents");
    for (const { meta, clauses } of data.documents) {
      docSelect.append(el("option", `${meta.short} — ${clauses} clauses`, { value: meta.id }));
    }
  } catch (err) {
    setStatus("error", `Documents could not be loaded: ${err.message}`);
  }
}

let shownSearch = null;  // the location.search the page shows results for

function searchFromUrl() {
  // A marker or card link changes only the hash: keep the results on the page.
  if (location.search === shownSearch) return;
  shownSearch = location.search;
  const params = new URLSearchParams(location.search);
  const query = params.get("q") || "";
  input.value = query;
  docSelect.value = params.get("doc") || "";
  if (query.trim()) run(query.trim(), docSelect.value);
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const query = input.value.trim();
  if (!query) { input.focus(); return; }
  const params = new URLSearchParams({ q: query });
  if (docSelect.value) params.set("doc", docSelect.value);
  history.pushState(null, "", `/?${params}`);
  shownSearch = location.search;
  run(query, docSelect.value);
});

docSelect.addEventListener("change", () => { if (input.value.trim()) form.requestSubmit(); });

document.addEventListener("keydown", (event) => {
  if (event.key === "/" && document.activeElement !== input && !event.ctrlKey && !event.metaKey) {
    event.preventDefault();
    input.focus();
    input.select();
  }
});

window.addEventListener("popstate", searchFromUrl);
loadDocuments().then(searchFromUrl);
input.focus();
