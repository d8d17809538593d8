"""site/incidents.py: the board as a status page, built by `mkdocs build` from a real git desk.

Public P1 tickets and tickets marked `incident: true` show as incidents with their affected
service and a Statuspage timeline; "All services normal" when none is open; incidents.xml;
the find box's index lists public requests only.
"""

from __future__ import annotations

import html
import json
import re

import feedparser
import pytest

from gitdesk.core.lifecycle import INCIDENT_PHASE, STATUSES
from gitdesk.desk.facade import Desk
from gitdesk.site.privacy import ticket_url

KEY = "incidents-test-site-key-of-32-bytes-or-more"
WHO = {"name": "Ana Ruiz", "email": "ana@adatum.example"}
# Statuspage's phases as the issue states them, written out here rather than read from the table.
STATUSPAGE = {
    "new": "investigating",
    "triaged": "investigating",
    "waiting": "investigating",
    "in_progress": "identified",
    "proposed": "monitoring",
    "resolved": "resolved",
    "closed": "resolved",
    "cancelled": "resolved",
}


def build(root, monkeypatch):
    from gitdesk.site.run import build as site_build

    monkeypatch.setenv("GITDESK_SITE_KEY", KEY)
    out = root.parent / "out"
    site_build(root, out)
    board = (out / "index.html").read_text(encoding="utf-8")
    return out, board


def banner(board: str) -> str:
    match = re.search(r'<section class="gd-incidents.*?</section>', board, re.S)
    assert match, "no incident banner on the board"
    return match.group(0)


@pytest.fixture
def desk(customer_desk_root, clock):
    return Desk(customer_desk_root, clock=clock)


def _open(desk, clock, title, priority="P1", visibility="public", queue="network"):
    clock.advance(minutes=15)
    return desk.open(title, dict(WHO), priority=priority, visibility=visibility, queue=queue).id


def test_the_phase_of_every_status_follows_statuspage():
    assert INCIDENT_PHASE == STATUSPAGE
    assert set(STATUSES) - set(INCIDENT_PHASE) == {"split"}  # a split ticket's children are the incidents


def test_no_incident_reads_all_services_normal(desk, clock, customer_desk_root, monkeypatch):
    _open(desk, clock, "Printer jams", priority="P3")  # an ordinary request is no incident
    unlisted = _open(desk, clock, "Payroll is down", visibility="unlisted")  # never named on the board
    out, board = build(customer_desk_root, monkeypatch)
    assert "All services normal" in banner(board) and "open incident" not in board
    assert unlisted not in board and unlisted not in (out / "incidents.xml").read_text(encoding="utf-8")
    assert feedparser.parse((out / "incidents.xml").read_text(encoding="utf-8")).entries == []


def test_incidents_show_their_service_phase_and_timeline(desk, clock, customer_desk_root, monkeypatch):
    mail = _open(desk, clock, "Nobody can send email")
    clock.advance(minutes=10)
    desk.start(mail)
    vpn = _open(desk, clock, "VPN drops every hour", priority="P3")
    desk.edit(vpn, {"incident": True, "service": "Remote access"})
    clock.advance(minutes=5)
    desk.start(vpn)
    clock.advance(minutes=20)
    desk.propose(vpn, "Roll the VPN client back to 6.0.")
    old = _open(desk, clock, "Wi-Fi down on floor 2")
    desk.start(old)
    desk.propose(old, "Restarted the access point.")
    desk.customer_review(old, True)
    hidden = _open(desk, clock, "Payroll server down", visibility="unlisted")
    out, board = build(customer_desk_root, monkeypatch)
    top = banner(board)
    assert "2 open incidents" in top and "All services normal" not in top
    mail_part = top[top.index(mail) : top.index(vpn)] if top.index(mail) < top.index(vpn) else top[top.index(mail) :]
    assert "Affected service: Network and VPN" in mail_part  # no service named: the team
    assert re.findall(r"gd-phase-(\w+)", mail_part)[:3] == ["identified", "identified", "investigating"]
    vpn_part = top[top.index(vpn) :].split("</article>")[0]
    assert "Affected service: Remote access" in vpn_part, vpn_part[:400]
    # newest first: monitoring (proposed), identified (started), investigating (opened)
    assert re.findall(r"gd-phase-(\w+)", vpn_part) == ["monitoring", "monitoring", "identified", "investigating"]
    assert "A solution has been proposed" in vpn_part and "Work started" in vpn_part
    assert old not in top  # resolved: no longer open ...
    past = board[board.index("Past incidents") :]
    assert old in past and "gd-phase-resolved" in past  # ... but listed among the past ones
    assert hidden not in board

    feed = feedparser.parse((out / "incidents.xml").read_text(encoding="utf-8"))
    titles = [entry.title for entry in feed.entries]
    assert "Remote access: VPN drops every hour: Monitoring" in titles
    assert titles[0] == "Network and VPN: Wi-Fi down on floor 2: Resolved"  # newest first
    assert len(titles) == 2 + 3 + 4 and not any(hidden in entry.link for entry in feed.entries)
    assert 'href="incidents.xml"' in board


def test_find_by_id_index_lists_public_requests_only(desk, clock, customer_desk_root, monkeypatch):
    public = _open(desk, clock, "Printer jams", priority="P3")
    unlisted = _open(desk, clock, "My laptop is slow", priority="P3", visibility="unlisted")
    private = _open(desk, clock, "HR matter", priority="P3", visibility="private")
    out, board = build(customer_desk_root, monkeypatch)
    index = json.loads((out / "api" / "requests.json").read_text(encoding="utf-8"))["requests"]
    assert index == {public: f"tickets/{public}/"}
    assert (out / index[public] / "index.html").exists()
    secret = ticket_url(unlisted, "unlisted", KEY)
    assert secret and (out / secret / "index.html").exists()  # the unlisted page exists, at its own link only
    for name in (unlisted, private, secret.strip("/").split("/")[-1]):
        assert name not in board and name not in json.dumps(index)
    form = re.search(r'<form class="gd-find".*?</form>', board, re.S)
    assert form and 'data-index="api/requests.json"' in form.group(0)
    assert html.escape("An unlisted request opens only from its own link.") in form.group(0)
