"""The search page end to end in headless Chromium (Playwright) against a real uvicorn."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

QUESTION = "What does A/RES/80/173 assign to ITU?"


@pytest.fixture()
def page(chromium, live_server: str):
    context = chromium.new_context(viewport={"width": 1200, "height": 900}, base_url=live_server)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    page = context.new_page()
    page.set_default_timeout(90_000)
    yield page
    context.close()


def test_search_answer_filter_copy_and_outline(page, artifacts_dir: Path) -> None:
    page.goto("/")
    assert page.locator("header.site nav a", has_text="Mandates").get_attribute("href") == "/mandates"
    page.wait_for_function("document.querySelectorAll('#doc option').length > 1")
    page.locator("#doc").focus()
    page.keyboard.press("/")  # the search shortcut, from anywhere on the page
    assert page.evaluate("document.activeElement.id") == "q"
    page.keyboard.type(QUESTION)
    page.keyboard.press("Enter")

    cards = page.locator("#cards .card")
    cards.first.wait_for()
    assert cards.count() == 10
    labels = page.locator("#cards .label").all_text_contents()
    assert "A/RES/80/173, para. 121" in labels or "A/RES/80/173, para. 107" in labels, labels
    assert any(label.startswith("Council report, section 7") for label in labels), labels
    # The page marks exactly the words the API says matched (it keeps no word list of its
    # own): here ITU's expansions, in English and in the Chinese report.
    marks = {m.lower() for m in page.locator("#cards mark").all_text_contents()}
    api = page.request.get("/search", params={"q": QUESTION, "k": 10}).json()
    matched = {term.lower() for result in api["results"] for term in result["matched_terms"]}
    assert marks == matched and {"international", "国际电联"} <= marks, (marks, matched)

    markers = page.locator("#answer a.marker")
    assert page.locator("#answer").is_visible() and markers.count() >= 1
    # The page shows the support the API gives, with a warning when it is weak.
    ask = page.request.post("/ask", data={"question": QUESTION}).json()
    assert page.locator("#answer").get_attribute("data-support") == ask["support"]
    assert page.locator("#answer-warning").is_visible() == (ask["support"] == "weak")
    assert markers.count() == len(ask["sentences"])
    # Further clauses (`lead` false) are shown apart from the answer proper, under their heading.
    further = [s["lead"] is False for s in ask["sentences"]]
    assert (
        page.locator("#answer li.sentence").evaluate_all("els => els.map(e => e.classList.contains('further'))")
        == further
    )
    assert (page.locator("#answer li.answer-group", has_text="Further clauses").count() > 0) == any(further)
    target = markers.first.get_attribute("href")
    assert target.startswith("#card-") and page.locator(target).count() == 1
    markers.first.click()
    assert page.evaluate("location.hash") == target
    assert page.locator("#status").text_content() == "" and cards.count() == 10  # no new search
    page.screenshot(path=str(artifacts_dir / "web_search.png"), full_page=True)

    # Restrict to the Global Digital Compact: every card is now a GDC clause.
    page.select_option("#doc", "gdc")
    page.wait_for_function(
        "[...document.querySelectorAll('#cards .label')].every(l => l.textContent.startsWith('GDC'))"
    )
    assert "doc=gdc" in page.url

    first = cards.first
    label = first.locator(".label").text_content()
    text = first.locator(".text").text_content()
    first.locator("button.copy").click()
    page.wait_for_function("document.querySelector('#cards .copy').textContent === 'Copied'")
    assert page.evaluate("navigator.clipboard.readText()") == f"{label}: “{text}”"

    first.locator("a.outline").click()
    page.wait_for_url(re.compile(r"/documents/gdc/view#"))
    targeted = page.locator(".clause.targeted")
    targeted.wait_for()
    assert targeted.locator("p").text_content().startswith(text[:40])
    assert page.locator(".doc-head .symbol").text_content() == "A/RES/79/1, annex I"
    page.screenshot(path=str(artifacts_dir / "web_document_outline.png"))


def test_a_document_the_corpus_lacks_is_named_and_not_answered(page, artifacts_dir: Path) -> None:
    page.goto("/?q=" + "What does resolution 80/118 ask of ITU?".replace(" ", "+"))
    page.locator("#answer.not-found").wait_for()
    assert "does not hold 80/118" in page.locator("#answer-text").text_content()
    assert page.locator("#answer a.marker").count() == 0
    page.wait_for_function("document.querySelector('#results-title').textContent.includes('not in the corpus')")
    assert page.locator("#results-title").text_content().endswith("not in the corpus: 80/118")
    page.screenshot(path=str(artifacts_dir / "web_missing_document.png"))


def test_a_paragraph_its_document_lacks_is_named(page, artifacts_dir: Path) -> None:
    page.goto("/?q=" + "What does paragraph 140 of A/RES/80/173 say?".replace(" ", "+"))
    page.locator("#answer.not-found").wait_for()
    assert page.locator("#answer-text").text_content().endswith("A/RES/80/173 has no para. 140.")
    page.wait_for_function("document.querySelector('#results-title').textContent.includes('has no')")
    assert page.locator("#results-title").text_content().endswith("A/RES/80/173 has no para. 140")
    page.screenshot(path=str(artifacts_dir / "web_missing_clause.png"))


def test_error_state_is_shown(page) -> None:
    page.route("**/search?*", lambda route: route.abort())
    page.goto("/?q=ITU")
    alert = page.locator("#status.error")
    alert.wait_for()
    assert "cannot be reached" in alert.text_content()


def test_the_lineage_panel_lists_what_a_document_cites_and_links_to_the_clause(page, artifacts_dir: Path) -> None:
    page.goto("/documents/a-res-80-173/view")
    panel = page.locator("#lineage")
    panel.wait_for()
    cites = page.locator("#cites")
    assert cites.locator("h3").text_content().startswith("Cites (")
    gdc = cites.locator("a", has_text="A/RES/79/1, annex I").first
    assert gdc.get_attribute("href") == "/documents/gdc/view"
    assert gdc.locator("xpath=..").locator("a.clause-link").text_content().startswith("A/RES/80/173, ")
    page.screenshot(path=str(artifacts_dir / "web_document_lineage.png"))
    page.locator("#cites details[open] a.clause-link").first.click()
    page.wait_for_url(re.compile(r"/documents/a-res-80-173/view#"))
    page.locator(".clause:target").wait_for()  # the same page: the browser scrolls to the clause
