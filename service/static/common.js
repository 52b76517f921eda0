"use strict";
// Helpers shared by the search page and the document page.

/** GET/POST JSON; on an error response, throw the problem detail's message. */
async function fetchJson(url, body) {
  const init = body === undefined ? {} : {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  };
  let response;
  try {
    response = await fetch(url, init);
  } catch (err) {
    throw new Error("The server cannot be reached. Is `wsis serve` running?");
  }
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    const detail = data && (data.detail || data.title);
    throw new Error(detail ? `${detail} (HTTP ${response.status})` : `HTTP ${response.status}`);
  }
  return data;
}

/** Show a loading or error message in a live region; "" clears it. */
function setStatus(kind, message) {
  const status = document.getElementById("status");
  status.className = kind ? `status ${kind}` : "";
  status.setAttribute("role", kind === "error" ? "alert" : "status");
  status.replaceChildren();
  if (kind === "loading") {
    const spinner = document.createElement("span");
    spinner.className = "spinner";
    spinner.setAttribute("aria-hidden", "true");
    status.append(spinner);
  }
  if (message) status.append(message);
}

/** Element with text content and attributes. */
function el(tag, text, attrs = {}) {
  const node = document.createElement(tag);
  if (text) node.textContent = text;
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  return node;
}

const HAN = /[\u4e00-\u9fff]/;

/** Language tag for a text: zh when it holds Han characters, so fonts and line breaking fit. */
function langOf(text) {
  return HAN.test(text) ? "zh" : "en";
}

/** Link to a clause in its document's outline page. */
function outlineHref(docId, anchor) {
  return `/documents/${encodeURIComponent(docId)}/view#${encodeURIComponent(anchor)}`;
}

const SITE_LINKS = [["/", "Search"], ["/mandates", "Mandates"], ["/compare", "Compare"], ["/docs", "API"]];

/** The site header (brand and navigation), shared by every page: <header class="site" data-current="/">. */
function renderSiteHeader() {
  const header = document.querySelector("header.site");
  if (!header) return;
  const wrap = el("div", "", { class: "wrap" });
  const brand = el("a", "WSIS ", { class: "brand", href: "/" });
  brand.append(el("span", "corpus search"));
  const nav = el("nav", "", { "aria-label": "Main" });
  for (const [href, text] of SITE_LINKS) {
    const link = el("a", text, { href });
    if (href === header.dataset.current) link.setAttribute("aria-current", "page");
    nav.append(link);
  }
  wrap.append(brand, nav);
  header.replaceChildren(wrap);
}

renderSiteHeader();
