"""The built site audited in Debian's chromium: axe-core on every page type, the Nu HTML checker on
gitdesk's markup, long words that must not widen a page, and no request to any other host."""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import subprocess
import threading
from pathlib import Path
from unittest import mock
from urllib.parse import urlparse

import pytest

from site_audit import CHROMIUM_ARGS, axe, check_machine_outputs, chromium, require, vnu_messages
from test_site import KEY, REPO, copy_sample_desk

pytestmark = pytest.mark.browser
LONG_WORD = "Supercalifragilistic" * 30  # 600 characters, no break opportunity
TITLE_WORD = LONG_WORD[:180]  # within limits.title (200), still some 1,500 px wide: wider than any screen
NOW = "2026-03-16T12:00:00Z"
ARTIFACTS = REPO / "test-artifacts"


def _record(name: str, data) -> None:
    """The audit's figures, kept for whoever reads the run (and the issue's closing note)."""
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / name).write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


def _audit_desk(root: Path) -> dict[str, str]:
    """The sample desk plus a resolved ticket and one whose title and text hold a 600-character word."""
    from gitdesk.desk.facade import Desk

    config = root / "gitdesk.yml"  # a desk that allows long titles (limits.title), so the page must cope
    config.write_text(config.read_text(encoding="utf-8") + "\nlimits:\n  title: 1000\n", encoding="utf-8")
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "sample desk")
    desk = Desk(root)
    long = desk.open(f"Title {TITLE_WORD}", {"name": "Lou Long", "email": "lou@example.com"}, visibility="public")
    desk.edit(long.id, {"title": f"Crash {TITLE_WORD}"})
    resolved = desk.open("Keyboard keys stick", {"name": "Kim Key", "email": "kim@example.com"}, visibility="public")
    desk.prioritise(resolved.id, "P3")
    desk.assign(resolved.id, to="grace", queue="hardware")
    desk.start(resolved.id)
    desk.propose(resolved.id, f"Replace the keyboard. {LONG_WORD}")
    desk.review(resolved.id, True, "carol")
    return {"long": long.id, "resolved": resolved.id}


@pytest.fixture(scope="module")
def audited(tmp_path_factory):
    """(base URL, site dir, page paths by page type) for the audit desk's site, served on 127.0.0.1."""
    from gitdesk.core.ticket import parse
    from gitdesk.site.privacy import ticket_url
    from gitdesk.site.run import build

    root = copy_sample_desk(tmp_path_factory.mktemp("audit") / "desk")
    out = root.parent / "out"
    with mock.patch.dict(os.environ, {"GITDESK_SITE_KEY": KEY, "GITDESK_NOW": NOW}):
        extra = _audit_desk(root)
        build(root, out)
    tickets = [parse(p.read_text(encoding="utf-8"), str(p)) for p in sorted((root / "tickets").glob("*.md"))]
    pages = {"board": "", "requests": "requests/", "teams": "queues/", "team": "queues/hardware/"}
    for t in tickets:
        url = ticket_url(t.id, t.visibility, KEY)
        if url:
            pages.setdefault(f"ticket {t.status} {t.visibility}", url)
    pages["ticket long word"] = f"tickets/{extra['long']}/"
    article = sorted(p.parent.name for p in (out / "kb").glob("*/index.html"))[0]
    pages.update({"kb": "kb/", "article": f"kb/{article}/", "tags": "tags/", "metrics": "metrics/"})
    pages.update({"surveys": "surveys/", "not found": "404.html"})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(out)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", out, pages
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    require(chromium() is not None, "chromium", "apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)
        yield b
        b.close()


def _open(browser, base: str, path: str, width: int = 1366):
    context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.requests = []
    page.on("request", lambda r: page.requests.append(r.url))
    page.goto(base + path)
    page.wait_for_load_state("load")
    return context, page


def _serious(violations: list[dict]) -> list[str]:
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in violations
        if v["impact"] in ("critical", "serious")
    ]


def test_axe_finds_no_serious_violation_on_any_page_type(audited, browser):
    base, out, pages = audited
    assert {"ticket new public", "ticket closed public", "ticket split public"} <= set(pages), sorted(pages)
    found = {}
    for kind, path in pages.items():
        context, page = _open(browser, base, path)
        try:
            problems = _serious(axe(page))
            if kind == "kb":  # the search dialog, open
                page.locator("label.md-search__icon, .md-search__input").first.click()
                page.locator("input.md-search__input").press_sequentially("printer", delay=20)
                page.locator(".md-search-result__item").first.wait_for(timeout=15000)
                problems += [f"search: {p}" for p in _serious(axe(page))]
        finally:
            context.close()
        if problems:
            found[kind] = problems
    _record("axe.json", {"pages": pages, "serious_or_critical": found, "count": sum(map(len, found.values()))})
    assert found == {}


@pytest.mark.parametrize("width", [1366, 390])
def test_a_long_word_does_not_widen_any_page(audited, browser, width):
    base, out, pages = audited
    wide = {}
    for kind, path in pages.items():
        context, page = _open(browser, base, path, width)
        try:
            scroll = page.evaluate("document.documentElement.scrollWidth")
            inner = page.evaluate("window.innerWidth")
        finally:
            context.close()
        if scroll > inner:
            wide[kind] = (scroll, inner)
    assert wide == {}


def test_no_page_requests_another_host(audited, browser):
    base, out, pages = audited
    host = urlparse(base).netloc
    for kind, path in pages.items():
        context, page = _open(browser, base, path)
        context.close()
        foreign = [u for u in page.requests if urlparse(u).scheme in ("http", "https") and urlparse(u).netloc != host]
        assert foreign == [], kind


def test_json_and_feed_of_the_audit_desk(audited):
    base, out, pages = audited
    assert check_machine_outputs(out) >= 10


def _material(message: dict) -> bool:
    """Material's own drawer and search toggles (checkboxes with autocomplete="off"): its markup, not ours."""
    return 'class="md-toggle"' in message.get("extract", "") and "autocomplete" in message["message"]


def test_the_nu_html_checker_finds_no_error_in_our_markup(audited):
    base, out, pages = audited
    files = []
    for path in pages.values():
        f = out / path / "index.html" if not path.endswith(".html") else out / path
        files.append(f)
    errors = [
        f"{Path(urlparse(m['url']).path).relative_to(out)}:{m.get('lastLine')}: {m['message']}"
        for m in vnu_messages(files)
        if not _material(m)
    ]
    _record("vnu.json", {"files": len(files), "errors": errors})
    assert errors == []


def test_every_page_starts_with_a_skip_link_and_says_its_language(audited, browser):
    base, out, pages = audited
    for kind, path in pages.items():
        context, page = _open(browser, base, path)
        try:
            page.keyboard.press("Tab")
            first = page.evaluate(
                "() => { const a = document.activeElement; return [a.tagName, a.getAttribute('href'), a.innerText] }"
            )
            target = page.evaluate("() => !!document.getElementById('gd-content')")
            lang = page.evaluate("() => document.documentElement.lang")
        finally:
            context.close()
        assert first[0] == "A" and first[1].endswith("#gd-content") and first[2].strip(), (kind, first)
        assert target, kind
        ticket = re.match(r"tickets/([^/]+)/", path)
        view = out / "api" / "tickets" / f"{ticket.group(1)}.json" if ticket else None
        want = json.loads(view.read_text(encoding="utf-8"))["language"] if view and view.exists() else "en"
        assert lang == want, kind  # the desk's (en), or a ticket page's own: Lucía's closed request is Spanish
