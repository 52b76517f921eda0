"use strict";
// The mandate view: ask GET /mandates for an actor, list the clauses grouped by document.

const form = document.getElementById("mandate-form");
const actorInput = document.getElementById("actor");
const docSelect = document.getElementById("doc");

async function fillChoices() {
  const [actors, documents] = await Promise.all([
    fetchJson("/mandates/actors"),
    fetchJson("/documents").catch(() => ({ documents: [] })),
  ]);
  const names = document.getElementById("actor-names");
  for (const actor of actors) {
    names.append(el("option", null, { value: actor.aliases[0], label: actor.name }));
  }
  for (const doc of documents.documents) {
    docSelect.append(el("option", `${doc.meta.symbol}`, { value: doc.meta.id }));
  }
}

/** The clause text with the words that matched the construction marked. */
function quote(text, evidence) {
  const block = el("blockquote", null, { lang: langOf(text) });
  const at = evidence ? text.indexOf(evidence) : -1;
  if (at < 0) {
    block.textContent = text;
    return block;
  }
  block.append(text.slice(0, at), el("mark", evidence), text.slice(at + evidence.length));
  return block;
}

function card(m) {
  const item = el("li", null, { class: "mandate", id: m.id });
  const article = el("article");
  const header = el("header");
  header.append(el("h3", m.label, { class: "label" }), el("span", m.category, { class: "category", title: `pattern: ${m.pattern}` }));
  const footer = el("footer");
  const anchor = m.id.split(":")[1];
  footer.append(el("a", "In the document", { href: outlineHref(m.doc_id, anchor) }));
  if (m.url) footer.append(el("a", "Official source", { href: m.url, rel: "noopener" }));
  article.append(header, quote(m.text, m.evidence), footer);
  item.append(article);
  return item;
}

function show(data) {
  const list = document.getElementById("mandate-list");
  list.replaceChildren();
  let currentDoc = null;
  for (const m of data.mandates) {
    if (m.doc_id !== currentDoc) {
      currentDoc = m.doc_id;
      list.append(el("li", m.symbol, { class: "doc-group" }));
    }
    list.append(card(m));
  }
  const n = data.mandates.length;
  document.getElementById("mandates-title").textContent =
    `${n} clause${n === 1 ? "" : "s"} assigning ${data.actor_name} a task, role or request`;
  document.getElementById("aliases").textContent = data.matched_aliases.length
    ? `Named as: ${data.matched_aliases.join(" · ")} — searched ${data.documents.length} document(s).`
    : `No clause found in ${data.documents.length} document(s) searched.`;
  document.getElementById("mandates").hidden = false;
}

async function run() {
  const actor = actorInput.value.trim();
  if (!actor) return;
  const params = new URLSearchParams({ actor });
  if (docSelect.value) params.set("doc", docSelect.value);
  history.replaceState(null, "", `/mandates?${params}`);
  setStatus("loading", "Reading the clauses…");
  try {
    show(await fetchJson(`/mandates?${params}`));
    setStatus("", "");
  } catch (err) {
    document.getElementById("mandates").hidden = true;
    setStatus("error", err.message);
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  run();
});

(async () => {
  try {
    await fillChoices();
  } catch (err) {
    setStatus("error", err.message);
  }
  const params = new URLSearchParams(location.search);
  if (params.get("doc")) docSelect.value = params.get("doc");
  if (params.get("actor")) {
    actorInput.value = params.get("actor");
    run();
  }
})();
