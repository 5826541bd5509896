"""The chat page at `/`, in a real browser: Debian's Chromium driven headless by Playwright."""

from __future__ import annotations

import os
import shutil

import pytest
from conftest import Server
from playwright.sync_api import expect, sync_playwright

# Written when INF_WASI_SCREENSHOT names a file: the README's picture of the page.
SCREENSHOT = os.environ.get("INF_WASI_SCREENSHOT")


def test_the_page_streams_an_answer_and_stops(server: Server, chat_model: str) -> None:
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.fail("Debian's chromium is missing: ci/setup.sh installs it")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 900, "height": 560})
        requests_elsewhere: list[str] = []
        page.on("request", lambda r: None if r.url.startswith(server.url) else requests_elsewhere.append(r.url))
        page.goto(server.url + "/")
        expect(page.locator("#model option")).to_have_text([chat_model])
        page.fill("#input", "Why is the sky blue?")
        page.press("#input", "Enter")
        answer = page.locator(".turn").nth(1).locator("span")
        expect(answer).not_to_be_empty(timeout=60_000)
        expect(page.locator(".stats").first).to_contain_text("tokens/s", timeout=120_000)
        assert len(answer.inner_text().split()) >= 3
        if SCREENSHOT:
            page.screenshot(path=SCREENSHOT)
        # A second question, stopped while it streams: the stop button ends it.
        page.fill("#input", "Write a long story about a lighthouse.")
        page.press("#input", "Enter")
        expect(page.locator(".turn").nth(3).locator("span")).not_to_be_empty(timeout=60_000)
        page.click("#stop")
        expect(page.locator(".stats").nth(1)).to_have_text("(stopped)")
        browser.close()
    # No fonts, scripts or anything else from another origin.
    assert requests_elsewhere == []
