"""site/customer.py's due times on a request's status page: what comes next and by when (first
response, resolution, next update) in the desk's zone, and a "Last update" that counts only
what the customer could see. Built by `mkdocs build` from a real git desk."""

from __future__ import annotations

import json
import re
import subprocess

import pytest

from gitdesk.desk.facade import Desk

KEY = "next-step-test-site-key-of-32-bytes-or-more"
WHO = {"name": "Ana Ruiz", "email": "ana@adatum.example"}


@pytest.fixture
def desk(customer_desk_root, clock, monkeypatch):
    """A desk in Madrid (CET in March, UTC+1), so the page's times are not UTC's."""
    cfg = customer_desk_root / "gitdesk.yml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("timezone: UTC", "timezone: Europe/Madrid"), "utf-8")
    subprocess.run(["git", "commit", "-qam", "tests: a desk in Madrid"], cwd=customer_desk_root, check=True)
    monkeypatch.setenv("GITDESK_SITE_KEY", KEY)
    return Desk(customer_desk_root, clock=clock)


def page_of(root, tid: str) -> tuple[dict, str]:
    from gitdesk.site.run import build

    out = root.parent / "out"
    build(root, out)
    view = json.loads((out / "api" / "tickets" / f"{tid}.json").read_text(encoding="utf-8"))
    text = re.sub(r"<[^>]+>", " ", (out / "tickets" / tid / "index.html").read_text(encoding="utf-8"))
    return view, re.sub(r"\s+", " ", text)


def test_a_new_p1_says_when_our_first_response_and_the_resolution_are_due(desk, clock, customer_desk_root):
    tid = desk.open("Nobody can send email", dict(WHO), priority="P1", visibility="public").id  # 09:00 UTC
    clock.advance(minutes=20)
    view, text = page_of(customer_desk_root, tid)
    # P1 runs around the clock: a response within 1 hour, a resolution within 8
    assert (view["first_response_due"], view["resolution_due"]) == ("2026-03-02T10:00:00Z", "2026-03-02T17:00:00Z")
    assert view["next_step_due"] == "2026-03-02T10:00:00Z" and view["next_step_overdue"] is False
    assert "First response due Monday, March 2, 2026, 11:00 CET" in text  # the desk's zone, named
    assert "Resolution due Monday, March 2, 2026, 18:00 CET" in text
    assert re.search(r"What happens next: .*? By Monday, March 2, 2026, 11:00 CET\.", text)

    clock.advance(minutes=60)  # 10:20 UTC and still no answer from us
    view, text = page_of(customer_desk_root, tid)
    assert view["next_step_overdue"] is True and "Overdue since Monday, March 2, 2026, 11:00 CET." in text


def test_once_answered_the_next_step_is_the_next_update_and_waiting_pauses_the_resolution(
    desk, clock, customer_desk_root
):
    tid = desk.open("VPN drops every hour", dict(WHO), priority="P2", visibility="public").id
    clock.advance(minutes=30)
    desk.start(tid)  # started is not answered: the first response is still what we owe first
    view, _ = page_of(customer_desk_root, tid)
    assert view["first_response_due"] and view["next_step_due"] == view["first_response_due"]
    assert view["first_response_due"] < view["next_update_due"]
    desk.contact(tid, "phone", "Called back: we are on it")  # the first response
    view, text = page_of(customer_desk_root, tid)
    assert view["first_response_due"] is None and "First response due" not in text
    assert view["resolution_due"] and view["next_step_due"] == view["next_update_due"]
    assert "Next update due" in text

    desk.wait(tid, "Which VPN client version do you run?")
    view, text = page_of(customer_desk_root, tid)
    assert view["resolution_due"] is None and view["resolution_paused"] is True
    assert "The clock is paused while we wait for your answer." in text
    assert view["next_step_due"] is None  # the ball is in the customer's court


def test_last_update_counts_only_what_the_customer_could_see(desk, clock, customer_desk_root):
    tid = desk.open("Printer on floor 3 jams", dict(WHO), priority="P3", visibility="public").id
    clock.advance(hours=1)
    desk.start(tid)  # 10:00 UTC: "Work started" is on the customer's timeline
    clock.advance(hours=2)
    desk.note(tid, "Internal: the vendor's engineer is slow to answer")  # 12:00 UTC: internal
    view, text = page_of(customer_desk_root, tid)
    assert view["last_update"] == view["updated"] == "2026-03-02T10:00:00Z"
    assert "Last update Monday, March 2, 2026, 11:00 CET" in text
    board = (customer_desk_root.parent / "out" / "index.html").read_text(encoding="utf-8")
    row = re.search(rf"{tid}.*?</tr>", board, re.S)
    assert row and "11:00 CET" in row.group(0) and "13:00 CET" not in row.group(0)  # the board's list agrees
