"""site/builder.py: the one pass over the desk: each published ticket's page, feed and JSON written where its
visibility puts them, private ones only counted, a ticket that does not read left out and noted."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from conftest import START, git
from gitdesk.site.builder import FEED_EVENTS, Page, SiteBuilder, write_files
from gitdesk.site.privacy import unlisted_token

KEY = "k" * 40
BOB = {"name": "Bob Smith", "email": "bob@example.com"}


def builder(desk, key: str | None = KEY, **kw) -> SiteBuilder:
    return SiteBuilder(desk.root, desk.config, "Acme IT", key, START, **kw)


@pytest.fixture
def three(desk):
    """A public, an unlisted and a private ticket; the public one names the other two."""
    unlisted = desk.open("Laptop for the new starter", BOB, visibility="unlisted").id
    private = desk.open("Payroll export fails", BOB, visibility="private").id
    public = desk.open(
        "Printer jams", BOB, visibility="public", body=f"Maybe like {unlisted} and {private}, ask bob@example.com"
    ).id
    return public, unlisted, private


def test_each_tickets_page_feed_and_json_go_where_its_visibility_puts_them(desk, three, tmp_path):
    public, unlisted, private = three
    out = tmp_path / "out"
    data = builder(desk).build_tickets(out)
    token = unlisted_token(KEY, unlisted)
    assert (out / "tickets" / public / "index.html").is_file()
    assert (out / "tickets" / public / "feed.xml").is_file()
    assert json.loads((out / "api" / "tickets" / f"{public}.json").read_text())["id"] == public
    assert (out / "t" / token / "index.html").is_file()
    assert json.loads((out / "t" / token / "ticket.json").read_text())["id"] == unlisted
    assert not (out / "api" / "tickets" / f"{unlisted}.json").exists()  # the JSON of a secret page is as secret
    written = " ".join(str(p.relative_to(out)) for p in out.rglob("*"))
    assert private not in written and unlisted not in written  # a secret page's path is its token
    assert set(data.cards) == {public, unlisted, private}  # the private one still counts
    assert data.cards[private].url == "" and data.hidden == frozenset({unlisted, private})


def test_a_published_page_names_no_hidden_ticket_and_no_personal_value(desk, three, tmp_path):
    public, unlisted, private = three
    out = tmp_path / "out"
    builder(desk).build_tickets(out)
    page = (out / "tickets" / public / "index.html").read_text()
    view = (out / "api" / "tickets" / f"{public}.json").read_text()
    for text in (page, view):
        assert unlisted not in text and private not in text
        assert "bob@example.com" not in text and "Bob Smith" not in text
        assert "Maybe like [removed] and [removed]" in text


def test_without_a_key_unlisted_tickets_have_no_page_and_are_counted(desk, three, tmp_path):
    out = tmp_path / "out"
    data = builder(desk, key=None).build_tickets(out)
    assert data.unpublished_unlisted == 1
    assert not (out / "t").exists()
    assert builder(desk).build_tickets(tmp_path / "keyed").unpublished_unlisted == 0


def test_public_cards_are_the_public_tickets_only(desk, three, tmp_path):
    b = builder(desk)
    b.build_tickets(tmp_path / "out")
    assert [c.id for c in b.public_cards()] == [three[0]]


def test_a_ticket_whose_fields_do_not_read_is_left_out_and_noted_and_the_rest_is_built(desk, three, tmp_path):
    public = three[0]
    path = desk.root / "tickets" / f"{public}.md"
    path.write_text(path.read_text().replace(f"created: '{START:%Y-%m-%dT%H:%M:%SZ}'", "created: soon"))
    git(desk.root, "commit", "-qam", "a hand edit")
    b = builder(desk)
    data = b.build_tickets(tmp_path / "out")
    assert public not in data.cards and len(data.cards) == 2
    assert [str(x.path) for x in b.desk.skipped()] == [f"tickets/{public}.md"]
    assert "created: 'soon' is not a UTC time" in str(b.desk.skipped()[0])
    assert not (tmp_path / "out" / "tickets" / public).exists()
    assert len(data.facts) == 2  # its SLA facts went with it


def test_progress_is_told_every_ticket_once(desk, tmp_path):
    for n in range(3):
        desk.open(f"Request {n}", BOB, visibility="public")
    told: list[int] = []
    builder(desk).build_tickets(tmp_path / "out", told.append)
    assert sum(told) == 3


def test_the_feed_keeps_the_newest_public_events_only(desk, clock, tmp_path, monkeypatch):
    from gitdesk.site import builder as module

    assert FEED_EVENTS == 50
    monkeypatch.setattr(module, "FEED_EVENTS", 3)  # the bound, made small enough to pass with a few events
    private = desk.open("Private one", BOB, visibility="private").id
    ticket = desk.open("Printer jams", BOB, visibility="public").id
    for _ in range(3):  # with the opening, one more public event than the feed keeps
        clock.advance(minutes=1)
        desk.contact(ticket, "phone", "Rang back")
    clock.advance(minutes=1)
    desk.contact(private, "phone", "Rang back")  # the newest event of all
    feed = builder(desk).build_tickets(tmp_path / "out").feed
    assert len(feed) == 3
    assert {item[1] for item in feed} == {ticket}  # never the private ticket's event
    assert sorted(item[2] for item in feed) == [1, 2, 3]  # the oldest (the opening, event 0) fell out


def test_page_urls_are_directory_urls():
    assert Page("index.md", "", "").url == ""
    assert Page("requests/index.md", "", "").url == "requests/"
    assert Page("requests/page_2.md", "", "").url == "requests/page_2/"
    assert Page("kb/printer-rollers.md", "", "").url == "kb/printer-rollers/"


def test_write_files_writes_text_and_bytes_readable_by_the_web_server(tmp_path: Path):
    write_files(tmp_path, {"api/status.json": '{"é": 1}\n', "assets/charts/x.svg": b"<svg/>"})
    assert (tmp_path / "api" / "status.json").read_bytes() == '{"é": 1}\n'.encode()
    assert (tmp_path / "assets" / "charts" / "x.svg").read_bytes() == b"<svg/>"
    assert stat.S_IMODE((tmp_path / "api" / "status.json").stat().st_mode) == 0o644
