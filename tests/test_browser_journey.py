"""The customer's side of the status page in chromium: a screenshot of each status, and the
accept / change buttons of a proposed ticket producing replies that intake records."""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import pytest
from click.testing import CliRunner

from conftest import chromium_path
from test_browser import ARGS, ARTIFACTS, _Quiet

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(chromium_path() is None, reason="no chromium on this machine (apt-get install chromium)"),
]
KEY = "journey-test-site-key-of-32-bytes-or-more"  # shorter site keys are refused
WHO = {"name": "Lena Fischer", "email": "lena@adatum.example"}


def _desk_with_every_status(root: Path, clock) -> dict[str, str]:
    from gitdesk.desk.facade import Desk

    desk = Desk(root, clock=clock)

    def ticket(title: str) -> str:
        clock.advance(minutes=10)
        return desk.open(title, dict(WHO), visibility="unlisted").id

    ids = {"new": ticket("Badge reader at the side door")}
    ids["triaged"] = ticket("New monitor for the reception desk")
    desk.prioritise(ids["triaged"], "P3")
    for status in ("in_progress", "waiting", "proposed", "changes", "resolved", "closed", "cancelled", "accept"):
        tid = ticket(f"Printer on floor {len(ids)} jams")
        ids[status] = tid
        if status == "cancelled":
            desk.cancel(tid, "You told us the printer was replaced anyway.")
            continue
        desk.prioritise(tid, "P3")
        desk.start(tid)
        if status == "waiting":
            desk.wait(tid, "Does it jam with paper from tray 1 too?")
        if status in ("proposed", "changes", "resolved", "closed", "accept"):
            desk.propose(tid, "Replace the tray 2 separation pad.")
        if status == "changes":
            desk.customer_review(tid, False, "It still jams on thick envelopes.")
        if status in ("resolved", "closed"):
            desk.customer_review(tid, True)
        if status == "closed":
            desk.close(tid, "Separation pads wear out before the rollers")
    return ids


@pytest.fixture
def site(customer_desk_root, clock, monkeypatch):
    from gitdesk.site.run import build

    monkeypatch.setenv("GITDESK_SITE_KEY", KEY)
    monkeypatch.setenv("GITDESK_MAIL_FROM", "Service desk <help@desk.example>")
    ids = _desk_with_every_status(customer_desk_root, clock)
    out = customer_desk_root.parent / "out"
    build(customer_desk_root, out)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(out)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", ids
    server.shutdown()
    server.server_close()


@pytest.fixture
def page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=chromium_path(), args=ARGS)
        pg = chromium.new_page()
        yield pg
        chromium.close()


def _url(base: str, tid: str) -> str:
    from gitdesk.site.privacy import ticket_url

    return base + str(ticket_url(tid, "unlisted", KEY))


def test_screenshot_of_each_status(site, page):
    base, ids = site
    ARTIFACTS.mkdir(exist_ok=True)
    expect = {
        "waiting": "Does it jam with paper from tray 1 too?",
        "proposed": "Does this solve your problem?",
        "changes": "You asked us to change the solution",
        "closed": "How did we do?",
        "cancelled": "You told us the printer was replaced anyway.",
    }
    for status, tid in ids.items():
        if status == "accept":
            continue
        page.goto(_url(base, tid))
        text = page.inner_text("main")
        assert "What happens next:" in text and "As of " in text and "2026" in text and "UTC" in text
        if status in expect:
            assert expect[status] in text, status
        heading = "Solution" if status in ("resolved", "closed") else "Proposed solution"
        if status in ("proposed", "resolved", "closed"):
            assert page.locator("h2", has_text=heading).first.inner_text() == heading
        page.screenshot(path=str(ARTIFACTS / f"journey-status-{status}.png"), full_page=True)
    assert page.locator("a.gd-accept").count() == 0  # the last page shown is cancelled: nothing to judge


def _reply_from_link(href: str, sender: str, fill: str = "") -> bytes:
    link = urlparse(href)
    assert link.scheme == "mailto" and link.path == "help@desk.example"
    query = {k: unquote(v[0]) for k, v in parse_qs(link.query, keep_blank_values=True).items()}
    body = query["body"].replace("What is still wrong: ", f"What is still wrong: {fill}") if fill else query["body"]
    return (
        f"From: {sender}\r\nTo: help@desk.example\r\nSubject: {query['subject']}\r\n"
        f"Message-ID: <{abs(hash(href + fill))}@home.example>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        + body.replace("\n", "\r\n")
    ).encode()


def test_accept_and_change_buttons_produce_replies_intake_records(site, page, customer_desk_root, clock):
    from gitdesk.cli.main import cli
    from gitdesk.desk.facade import Desk

    base, ids = site
    desk = Desk(customer_desk_root, clock=clock)
    page.goto(_url(base, ids["accept"]))
    accept = page.get_attribute("a.gd-accept", "href")
    page.goto(_url(base, ids["proposed"]))
    change = page.get_attribute("a.gd-change", "href")
    assert accept and change and "Review%20token" in accept
    runner = CliRunner()
    # sent from the customer's home address: the token in their page's link makes it theirs
    Path("accept.eml").write_bytes(_reply_from_link(accept, "Lena <lena.f@home.example>"))
    result = runner.invoke(cli, ["intake", "email", "accept.eml", "--no-ack"])
    assert result.exit_code == 0 and "customer's verdict recorded" in result.output, result.output
    assert desk.get(ids["accept"]).status == "resolved"
    Path("change.eml").write_bytes(_reply_from_link(change, "Lena <lena.f@home.example>", "Thick paper still jams"))
    result = runner.invoke(cli, ["intake", "email", "change.eml", "--no-ack"])
    assert result.exit_code == 0, result.output
    t = desk.get(ids["proposed"])
    review = next(e for e in reversed(t.history) if e["action"] == "review")
    assert (t.status, review["role"], review["feedback"]) == ("in_progress", "requester", "Thick paper still jams")
