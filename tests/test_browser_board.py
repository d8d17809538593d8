"""The board as a status page in chromium: the incident banner, the find-by-ID box, and the way
from a request's page to the board and the KB and back. Screenshots go to test-artifacts/."""

from __future__ import annotations

import functools
import http.server
import re
import threading

import pytest

from conftest import chromium_path
from test_browser import ARGS, ARTIFACTS, _Quiet

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(chromium_path() is None, reason="no chromium on this machine (apt-get install chromium)"),
]
KEY = "board-test-site-key-of-32-bytes-or-more!!"
WHO = {"name": "Ana Ruiz", "email": "ana@adatum.example"}


def _serve(out):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(out)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def site(customer_desk_root, clock, monkeypatch):
    """A desk with an open P1 incident, a public request, an unlisted one; built and served."""
    from gitdesk.desk.facade import Desk
    from gitdesk.site.run import build

    monkeypatch.setenv("GITDESK_SITE_KEY", KEY)
    desk = Desk(customer_desk_root, clock=clock)
    ids = {}
    ids["incident"] = desk.open("Nobody can send email", dict(WHO), priority="P1", visibility="public").id
    clock.advance(minutes=12)
    desk.assign(ids["incident"], queue="network")
    desk.start(ids["incident"])
    clock.advance(minutes=30)
    ids["public"] = desk.open("Printer on floor 3 jams", dict(WHO), priority="P3", visibility="public").id
    ids["unlisted"] = desk.open("My laptop is slow", dict(WHO), priority="P3", visibility="unlisted").id
    out = customer_desk_root.parent / "out"
    build(customer_desk_root, out)
    server = _serve(out)
    yield f"http://127.0.0.1:{server.server_address[1]}/", ids
    server.shutdown()
    server.server_close()


@pytest.fixture
def page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=chromium_path(), args=ARGS)
        pg = chromium.new_page(viewport={"width": 1280, "height": 900})
        pg.problems = []
        pg.on("pageerror", lambda exc: pg.problems.append(str(exc)))
        pg.on("console", lambda msg: pg.problems.append(msg.text) if msg.type == "error" else None)
        yield pg
        chromium.close()


def test_the_board_shows_the_incident_and_finds_requests_by_id(site, page):
    base, ids = site
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(base)
    banner = page.locator(".gd-incidents")
    text = banner.inner_text()
    assert "1 open incident" in text and "Nobody can send email" in text
    assert "Affected service: Network and VPN" in text and "Identified" in text and "Investigating" in text
    page.screenshot(path=str(ARTIFACTS / "board-incident.png"), full_page=True)

    # an unlisted request is not found from the board: only its own link opens it
    page.fill("#gd-find-id", ids["unlisted"])
    page.click(".gd-find button")
    page.wait_for_function("document.getElementById('gd-find-result').textContent.length > 0")
    assert "No published request has that ID" in page.inner_text("#gd-find-result")
    assert page.url == base
    # a public one is, typed in lower case as people do
    page.fill("#gd-find-id", ids["public"].lower())
    page.click(".gd-find button")
    page.wait_for_url(re.compile(rf".*/tickets/{ids['public']}/$"))
    assert "Printer on floor 3 jams" in page.inner_text("h1")
    assert page.problems == []


def test_from_a_request_to_the_board_and_the_kb_and_back(site, page):
    base, ids = site
    page.goto(f"{base}tickets/{ids['public']}/")
    nav = page.locator(".gd-header .gd-nav a")
    assert nav.all_inner_texts() == ["Status board", "Requests", "Teams", "Knowledge base", "Metrics", "Surveys"]
    page.screenshot(path=str(ARTIFACTS / "journey-page-navigation.png"), full_page=True)
    page.click(".gd-nav >> text=Knowledge base")
    page.wait_for_url(re.compile(r".*/kb/$"))
    # the KB is a MkDocs page: the same entries in Material's navigation lead back to the board
    page.click(".md-sidebar--primary .md-nav__link >> text=Status board")
    page.wait_for_url(base)
    assert "status board" in page.locator("h1").first.inner_text()
    # and back to the request: from the list of published requests, as MkDocs renders it
    page.click(f"a[href*='tickets/{ids['public']}/']")
    page.wait_for_url(re.compile(rf".*/tickets/{ids['public']}/$"))
    assert page.problems == []


def test_all_services_normal_when_no_incident_is_open(customer_desk_root, clock, monkeypatch, page):
    from gitdesk.desk.facade import Desk
    from gitdesk.site.run import build

    monkeypatch.setenv("GITDESK_SITE_KEY", KEY)
    Desk(customer_desk_root, clock=clock).open("Printer jams", dict(WHO), priority="P3", visibility="public")
    out = customer_desk_root.parent / "out"
    build(customer_desk_root, out)
    server = _serve(out)
    try:
        page.goto(f"http://127.0.0.1:{server.server_address[1]}/")
        assert page.locator(".gd-all-normal").inner_text().startswith("All services normal")
        page.screenshot(path=str(ARTIFACTS / "board-all-normal.png"))
    finally:
        server.shutdown()
        server.server_close()
