"""The built site in a real browser: Debian chromium driven by Playwright, served on 127.0.0.1."""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import threading
from unittest import mock
from urllib.parse import unquote, urlparse

import pytest

from conftest import chromium_path
from test_site import KEY, REPO, copy_sample_desk

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        chromium_path() is None,
        reason="no chromium on this machine (apt-get install chromium); CI installs it, so CI runs these tests",
    ),
]
ARTIFACTS = REPO / "test-artifacts"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The sample desk's site, served by a plain http.server on a free loopback port."""
    from gitdesk.site.run import build

    desk = copy_sample_desk(tmp_path_factory.mktemp("browser") / "desk")
    with mock.patch.dict(os.environ, {"GITDESK_SITE_KEY": KEY, "GITDESK_NOW": "2026-03-16T12:00:00Z"}):
        build(desk, desk.parent / "out")
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(desk.parent / "out"))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", desk
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=chromium_path(), args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A page that records console errors, page errors, dialogs and every request it makes."""
    context = browser.new_context()
    pg = context.new_page()
    pg.problems, pg.requests, pg.dialogs = [], [], []
    pg.on("console", lambda msg: pg.problems.append(msg.text) if msg.type == "error" else None)
    pg.on("pageerror", lambda exc: pg.problems.append(str(exc)))
    pg.on("request", lambda req: pg.requests.append(req.url))
    pg.on("response", lambda res: pg.problems.append(f"{res.status} {res.url}") if res.status >= 400 else None)
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
    yield pg
    context.close()


def assert_local_only(pg):
    for url in pg.requests:
        parsed = urlparse(url)
        assert parsed.scheme in ("http", "data", "blob") and (parsed.hostname in ("127.0.0.1", None)), url


def test_home_to_ticket_page(served, page):
    base, desk = served
    page.goto(base)
    assert "status board" in page.locator("h1").first.inner_text()
    link = page.locator(".gd-page table a[href*='tickets/']").first
    ticket_id = link.inner_text().split(":")[0]
    link.click()
    page.wait_for_url(re.compile(rf".*/tickets/{ticket_id}/$"))
    status = page.locator(".gd-status-text").inner_text()
    view = json.loads((desk.parent / "out" / "api" / "tickets" / f"{ticket_id}.json").read_text())
    assert status == view["status_text"] and status
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "site-ticket-page.png"), full_page=True)
    page.goto(base)
    page.screenshot(path=str(ARTIFACTS / "site-home.png"), full_page=True)
    assert page.problems == []
    assert_local_only(page)


def test_search_finds_a_kb_article(served, page):
    base, desk = served
    article = sorted((desk / "kb").glob("*.md"))[0]
    word = article.stem.split("-")[0]
    page.goto(base + "kb/")
    page.locator("label.md-search__icon, .md-search__input").first.click()
    page.locator("input.md-search__input").press_sequentially(word, delay=30)  # material listens to keys
    result = page.locator(".md-search-result__item a").first
    result.wait_for(timeout=15000)
    hrefs = page.locator(".md-search-result__item a").evaluate_all("els => els.map(e => e.href)")
    assert any(f"/kb/{article.stem}/" in h for h in hrefs), hrefs
    assert not any("/tickets/" in h or "/t/" in h for h in hrefs)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "site-kb-search.png"))
    assert page.problems == []
    assert_local_only(page)


def test_closed_ticket_invites_to_the_survey(served, page):
    """A closed, unanswered public ticket shows the invitation; an answered one thanks instead."""
    base, desk = served
    views = [json.loads(p.read_text()) for p in (desk.parent / "out" / "api" / "tickets").glob("*.json")]
    closed = [v for v in views if v["status"] == "closed" and v["language"] == "en"]  # the English pages
    unanswered = next(v for v in closed if not (desk / "surveys" / f"{v['id']}.yml").exists())
    answered = next(v for v in closed if (desk / "surveys" / f"{v['id']}.yml").exists())
    page.goto(f"{base}tickets/{unanswered['id']}/")
    invitation = page.locator(".gd-survey")
    assert invitation.locator("h2").inner_text() == "How did we do?" and invitation.is_visible()
    href = invitation.locator("a.gd-button").first.get_attribute("href")
    assert href == unanswered["survey"]["mailto"] and href.startswith("mailto:")
    assert f"[{unanswered['id']}]" in unquote(href)
    page.goto(f"{base}tickets/{answered['id']}/")
    assert "Thank you" in page.locator(".gd-survey").inner_text()
    assert page.locator(".gd-survey a").count() == 0
    assert page.problems == []
    assert_local_only(page)


def test_hostile_ticket_text_does_not_run(desk, tmp_path, browser, monkeypatch):
    from gitdesk.site.run import build

    hostile = "<script>alert('title')</script><img src=x onerror=alert('img')>"
    t = desk.open(
        f"Broken {hostile}",
        {"name": "Eve", "email": "eve@example.com"},
        visibility="public",
        body="[click](javascript:alert('link')) <script>alert('body')</script>",
    )
    out = tmp_path / "out"
    build(desk.root, out)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(out)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    context = browser.new_context()
    pg = context.new_page()
    dialogs = []
    pg.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        for url in (base, f"{base}tickets/{t.id}/", f"{base}requests/"):
            pg.goto(url)
            pg.wait_for_load_state("load")
            assert pg.locator("a[href^='javascript']").count() == 0
            assert pg.locator("script:has-text('alert')").count() == 0
        pg.goto(f"{base}tickets/{t.id}/")
        assert "<script>alert('title')</script>" in pg.locator("h1").inner_text()
        assert dialogs == []
    finally:
        context.close()
        server.shutdown()
        server.server_close()
