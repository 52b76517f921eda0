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

const ROLES = {
  draft: "Draft", adopted: "Adopted as", revised: "Revises", revision: "Revised as",
  previous: "Previous session", next: "Next session",
};

/** A document named in the lineage: a link to its page when the index holds it. */
function docLink(doc, anchor) {
  const text = doc.symbol + (doc.title && doc.title !== doc.symbol ? ` — ${doc.title}` : "");
  if (!doc.doc_id) return el("span", text, { class: "unindexed", lang: langOf(text) });
  const href = anchor ? outlineHref(doc.doc_id, anchor) : `/documents/${encodeURIComponent(doc.doc_id)}/view`;
  return el("a", text, { href, lang: langOf(text) });
}

/** The clause a reference stands in: its label, linking to it in its document. */
function clauseLink(clause) {
  const [docId, anchor] = clause.id.split(":");
  return el("a", clause.label, { class: "clause-link", href: outlineHref(docId, anchor), title: clause.text });
}

function renderVerbGroups(target, title, groups, total, side) {
  target.append(el("h3", `${title} (${total})`));
  if (!groups.length) {
    target.append(el("p", "None found.", { class: "none" }));
    return;
  }
  for (const [index, group] of groups.entries()) {
    const details = el("details", "", { class: "verb-group" });
    details.open = index === 0 || groups.length <= 3; // the largest group open, the rest on demand
    details.append(el("summary", `${group.verb} · ${group.edges.length}`));
    const list = el("ul", "");
    for (const edge of group.edges) {
      const item = el("li", "");
      if (side === "cites") {
        item.append(docLink(edge.document));
        if (edge.paragraph) item.append(` (para. ${edge.paragraph})`);
        item.append(" — in ", clauseLink(edge.clause));
      } else {
        item.append(clauseLink(edge.clause));
        if (edge.paragraph) item.append(` (para. ${edge.paragraph})`);
      }
      list.append(item);
    }
    details.append(list);
    target.append(details);
  }
}

function renderVersions(lineage) {
  const box = document.getElementById("versions");
  if (lineage.versions.length) {
    box.append(el("h3", "Versions"));
    const list = el("ul", "", { class: "versions" });
    for (const version of lineage.versions) {
      const item = el("li", `${ROLES[version.role] || version.role}: `);
      item.append(docLink(version.document), el("span", ` (${version.evidence.join("; ")})`, { class: "evidence" }));
      list.append(item);
    }
    box.append(list);
  }
  if (lineage.series.length > 1) {
    box.append(el("h3", "Series"));
    const timeline = el("ol", "", { class: "timeline" });
    for (const doc of lineage.series) {
      const item = el("li", "");
      const current = doc.doc_id === lineage.document.doc_id;
      item.append(current ? el("strong", doc.symbol) : docLink({ ...doc, title: null }));
      if (doc.date) item.append(el("span", ` ${doc.date.slice(0, 4)}`, { class: "year" }));
      timeline.append(item);
    }
    box.append(timeline);
  }
}

/** The lineage panel: versions and series, what the document cites and what cites it. */
async function loadLineage(id) {
  try {
    const lineage = await fetchJson(`/documents/${encodeURIComponent(id)}/lineage`);
    renderVersions(lineage);
    renderVerbGroups(document.getElementById("cites"), "Cites", lineage.cites, lineage.cites_total, "cites");
    renderVerbGroups(document.getElementById("cited-by"), "Cited by", lineage.cited_by, lineage.cited_by_total, "cited_by");
    document.getElementById("lineage").hidden = false;
  } catch (err) {
    // An index without lineage still shows the document; the panel says why it is empty.
    const panel = document.getElementById("lineage");
    panel.append(el("p", err.message, { class: "none" }));
    panel.hidden = false;
  }
}

async function load() {
  setStatus("loading", "Loading the document…");
  try {
    const doc = await fetchJson(`/documents/${encodeURIComponent(docId)}?text=true`);
    renderHead(doc.meta, doc.clauses);
    renderOutline(doc.outline);
    setStatus("", "");
    loadLineage(doc.meta.id);
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
