"use strict";
// The search page: runs /search and /ask for the query, renders the answer and clause cards.

const form = document.getElementById("search-form");
const input = document.getElementById("q");
const docSelect = document.getElementById("doc");
const answerBox = document.getElementById("answer");
const answerText = document.getElementById("answer-text");
const answerWarning = document.getElementById("answer-warning");
const resultsBox = document.getElementById("results");
const resultsTitle = document.getElementById("results-title");
const cards = document.getElementById("cards");
const template = document.getElementById("card-template");

let currentRun = 0;

/** Fill `node` with `text`, wrapping each occurrence of a term in <mark>. The terms are the
 * search's `matched_terms`: the words of this text that matched the query, as written here. */
function renderHighlighted(node, text, terms) {
  node.replaceChildren();
  if (!terms.length) { node.textContent = text; return; }
  // Longest first, so "国际电联" wins over a shorter term inside it.
  const escaped = [...terms].sort((a, b) => b.length - a.length).map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  // Latin terms match as whole words (so "role" does not mark inside "control"); a word's
  // edge is against Latin letters and digits only, since Chinese text runs a symbol straight
  // into Han characters ("A/RES/80/173号决议").
  const edge = "[\\p{Script=Latin}\\p{N}]";
  const pattern = new RegExp(escaped.map((t) => (/^[a-z0-9]/i.test(t) ? `(?<!${edge})${t}(?!${edge})` : t)).join("|"), "gu");
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

function renderCard(result) {
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
  renderHighlighted(quote, result.text, result.matched_terms || []);
  renderAlsoIn(item.querySelector(".also-in"), result);
  item.querySelector(".copy").addEventListener("click", (event) => copyCitation(result, event.currentTarget));
  const anchor = result.id.slice(result.id.indexOf(":") + 1).replace(/~\d+$/, "");
  item.querySelector(".outline").href = outlineHref(c.doc_id, anchor);
  const source = item.querySelector(".source");
  if (c.url) source.href = c.url; else source.remove();
  return item;
}

/** "Same text also in: A/RES/79/194, para. 5 (2024); …": the near-identical clauses the
 * search folded into this result, each a link to its place in its document. */
function renderAlsoIn(node, result) {
  const others = result.also_in || [];
  if (!others.length) return;
  node.append("Same text also in: ");
  others.forEach((other, i) => {
    if (i) node.append("; ");
    const docId = other.id.slice(0, other.id.indexOf(":"));
    const anchor = other.id.slice(other.id.indexOf(":") + 1).replace(/~\d+$/, "");
    node.append(el("a", other.label + (other.year ? ` (${other.year})` : ""), { href: outlineHref(docId, anchor) }));
  });
  const more = result.also_in_total - others.length;
  if (more > 0) node.append(` and ${more} more`);
  node.hidden = false;
}

function renderResults(response) {
  cards.replaceChildren(...response.results.map((r) => renderCard(r)));
  const n = response.results.length;
  const missing = (response.missing_documents || []).map((m) => m.symbol);
  const lacking = (response.missing_clauses || []).map((m) => m.statement);
  resultsTitle.textContent = (n ? `${n} clause${n === 1 ? "" : "s"} (${Math.round(response.took_ms)} ms)` : "No matching clauses")
    + (missing.length ? ` · not in the corpus: ${missing.join(", ")}` : "")
    + (lacking.length ? ` · ${lacking.join("; ")}` : "");
  resultsBox.hidden = false;
}

const LANGUAGES = { en: "English", zh: "Chinese (中文)" };
const SUPPORT_NOTES = {
  strong: "",
  weak: "Weakly supported: the corpus may not answer this question. Read the cited clauses before relying on it.",
  none: "",
};

/** One quoted sentence: its text, then its marker, a link to the clause card (or to the
 * clause in its document). */
function renderSentence(sentence, cited) {
  const onPage = document.getElementById(cardId(cited.id));
  const anchor = cited.id.slice(cited.id.indexOf(":") + 1).replace(/~\d+$/, "");
  const further = sentence.lead === false;
  const item = el("li", sentence.text + " ", { lang: sentence.lang, class: further ? "sentence further" : "sentence" });
  item.append(el("a", `[${sentence.n}]`, {
    class: "marker",
    href: onPage ? `#${cardId(cited.id)}` : outlineHref(cited.citation.doc_id, anchor),
    title: cited.label,
  }));
  return item;
}

/** The sentences of one answer (or part) as the API orders them: a heading wherever the
 * role (answer, or context from other documents), the language or the lead (the answer
 * proper, then further clauses retrieval ranked high) changes, naming the language and,
 * for context or another language than the question's, the document. */
function renderSentences(list, sentences, byMarker, questionLang) {
  let group = "";
  for (const sentence of sentences) {
    const cited = byMarker.get(sentence.n);
    const further = sentence.lead === false;
    const key = `${sentence.role}/${sentence.lang}/${sentence.role === "context" ? cited.citation.doc_id : ""}/${further}`;
    if (key !== group) {
      group = key;
      const names = [];
      if (further) names.push("Further clauses");
      if (sentence.role === "context") names.push("Context from another document");
      if (sentence.lang !== questionLang || sentence.role === "context") {
        names.push(LANGUAGES[sentence.lang] || sentence.lang, cited.citation.title);
      }
      if (names.length) list.append(el("li", names.join(" · "), { class: "answer-group" }));
    }
    list.append(renderSentence(sentence, cited));
  }
}

function renderAnswer(ask) {
  answerText.replaceChildren();
  answerBox.classList.toggle("not-found", !ask.found);
  answerBox.classList.toggle("weak", ask.support === "weak");
  answerBox.dataset.support = ask.support;
  answerWarning.textContent = SUPPORT_NOTES[ask.support] || "";
  answerWarning.hidden = !answerWarning.textContent;
  if (!ask.found) {
    answerText.append(el("li", ask.answer));
  } else {
    const byMarker = new Map(ask.citations.map((c) => [c.n, c]));
    const questionLang = langOf(ask.question);
    // A question that asks several things is answered part by part, each under its question.
    const parts = ask.parts.length ? ask.parts : [{ ...ask, question: "" }];
    for (const part of parts) {
      if (part.question) {
        const heading = el("li", part.question, { class: "part-question", lang: langOf(part.question) });
        if (part.support !== "strong") heading.append(el("span", part.found ? "weak support" : "not answered", { class: "part-support" }));
        answerText.append(heading);
      }
      if (!part.found) answerText.append(el("li", part.answer, { class: "part-none" }));
      else renderSentences(answerText, part.sentences, byMarker, questionLang);
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
    renderResults(search);
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
