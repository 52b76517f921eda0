"use strict";
// The document outline page: every clause of one document, each with an anchor to link to.

const docId = decodeURIComponent(location.pathname.split("/")[2]);

function renderHead(meta, clauses) {
  const head = document.getElementById("doc-head");
  head.querySelector(".symbol").textContent = meta.symbol;
  const title = head.querySelector("h1");
  title.textContent = meta.title;
  title.lang = langOf(meta.title);
  const meta_line = head.querySelector(".meta");
  meta_line.append([meta.body, meta.date, `${clauses} clauses`].filter(Boolean).join(" · "));
  if (meta.urls.length) {
    meta_line.append(" · ", el("a", "Official text", { href: meta.urls[0], target: "_blank", rel: "noopener" }));
  }
  meta_line.append(" · ", el("a", "Compare with another document", { href: `/compare?a=${encodeURIComponent(meta.id)}`, class: "compare-link" }));
  document.title = `${meta.short} · WSIS corpus search`;
  head.hidden = false;
}

function renderOutline(entries) {
  const outline = document.getElementById("outline");
  let heading = "";
  for (const entry of entries) {
    const path = entry.heading_path.join(" › ");
    if (path && path !== heading) {
      outline.append(el("h2", path, { class: "outline-heading", lang: langOf(path) }));
      heading = path;
    }
    const id = entry.piece > 1 ? `${entry.anchor}~${entry.piece}` : entry.anchor;
    const clause = el("section", "", { id, class: `clause kind-${entry.kind}` });
    const label = el("a", entry.locator, { class: "locator", href: `#${encodeURIComponent(id)}`, title: entry.label });
    clause.append(label, el("p", entry.text, { lang: langOf(entry.text) }));
    outline.append(clause);
  }
}

async function load() {
  setStatus("loading", "Loading the document…");
  try {
    const doc = await fetchJson(`/documents/${encodeURIComponent(docId)}?text=true`);
    renderHead(doc.meta, doc.clauses);
    renderOutline(doc.outline);
    setStatus("", "");
    // The clauses exist only now: jump to (and mark) the clause the link asked for.
    const target = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (target) {
      target.classList.add("targeted");
      target.scrollIntoView({ block: "center" });
    }
  } catch (err) {
    setStatus("error", err.message);
  }
}

load();
