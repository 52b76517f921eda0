"""The mandate page in headless Chromium against a real server on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def page(chromium, live_server: str) -> Iterator:
    context = chromium.new_context(viewport={"width": 1200, "height": 900}, base_url=live_server)
    page = context.new_page()
    page.set_default_timeout(60_000)
    yield page
    context.close()


def test_mandates_page_lists_itu_clauses_of_a_document(page, artifacts_dir: Path) -> None:
    page.goto("/mandates")
    assert page.locator("nav a[aria-current=page]").inner_text() == "Mandates"
    page.wait_for_function("document.querySelectorAll('#doc option').length > 1")
    page.fill("#actor", "ITU")
    page.select_option("#doc", "a-res-80-173")
    page.click("button[type=submit]")
    page.wait_for_selector("#mandates:not([hidden])")
    labels = page.locator("li.mandate h3.label").all_inner_texts()
    for n in (67, 107, 110, 121):
        assert f"A/RES/80/173, para. {n}" in labels
    card = page.locator("li.mandate", has=page.locator("h3", has_text="A/RES/80/173, para. 121"))
    assert card.locator("mark").inner_text() == "secretariat provided by the International Telecommunication Union"
    assert card.locator("blockquote").inner_text().startswith("121. We call for the continuation")
    assert card.locator("a", has_text="Official source").get_attribute("href") == "https://docs.un.org/en/A/RES/80/173"
    assert (
        card.locator("a", has_text="In the document").get_attribute("href") == "/documents/a-res-80-173/view#para-121"
    )
    assert "actor=ITU" in page.url and "doc=a-res-80-173" in page.url
    page.screenshot(path=str(artifacts_dir / "mandates-itu.png"), full_page=True)


def test_mandates_page_from_a_link_in_chinese_and_an_error(page) -> None:
    page.goto("/mandates?actor=国际电联")
    page.wait_for_selector("#mandates:not([hidden])")
    report = page.locator("li.mandate[id='council-report-2026:s7-p3']")
    assert report.locator("blockquote").get_attribute("lang") == "zh"
    assert "职责" in report.locator("mark").inner_text()
    page.fill("#actor", "Nobody")
    page.click("button[type=submit]")
    page.wait_for_selector("#status.error")
    assert "unknown actor 'Nobody'" in page.locator("#status").inner_text()
    assert page.locator("#mandates").is_hidden()
