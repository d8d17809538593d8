"""site/pages.py: the status board, the request lists and the team pages: public tickets listed, open ones
first, cut into pages; private and unlisted ones only ever counted."""

from __future__ import annotations

import re

import pytest

from conftest import START
from gitdesk.i18n import translator
from gitdesk.site.builder import SiteBuilder
from gitdesk.site.customer import Card
from gitdesk.site.pages import find_box, home, page_uris, queue_pages, request_pages, ticket_rows, uri_to_url

EN = translator("en")
BOB = {"name": "Bob Smith", "email": "bob@example.com"}
KEY = "k" * 40


@pytest.fixture
def board(desk, clock, tmp_path):
    """Three public tickets (one resolved), one unlisted and one private, each updated a minute apart."""
    ids = {}
    for name, visibility in [("old", "public"), ("mid", "public"), ("new", "public")]:
        clock.advance(minutes=1)
        ids[name] = desk.open(f"Public {name}", BOB, visibility=visibility).id
    clock.advance(minutes=1)
    ids["unlisted"] = desk.open("Secret laptop for Bob", BOB, visibility="unlisted").id
    ids["private"] = desk.open("Payroll of the board", BOB, visibility="private").id
    desk.prioritise(ids["old"], "P3")
    desk.start(ids["old"])
    desk.propose(ids["old"], "Restarted the spooler")
    desk.review(ids["old"], True, "lead")
    b = SiteBuilder(desk.root, desk.config, "Acme <IT>", KEY, clock.now, page_size=2, recent=10)
    b.build_tickets(tmp_path / "out")
    return b, ids


def listed(html: str) -> list[str]:
    return re.findall(r'<a href="[^"]*tickets/(HD-[0-9a-z]+)/">', html)


def test_page_uris_keep_the_short_url_for_page_one():
    assert page_uris("requests/", 3) == ["requests/index.md", "requests/page_2.md", "requests/page_3.md"]
    assert page_uris("kb/", 0) == ["kb/index.md"]  # an empty list still has its page
    assert [uri_to_url(u) for u in page_uris("queues/hw/", 2)] == ["queues/hw/", "queues/hw/page_2/"]


def test_ticket_rows_link_a_known_team_and_escape_the_title():
    stamp, url = "2026-03-02T09:00:00Z", "tickets/HD-abcd2345/"
    card = Card("HD-abcd2345", "<b>Jams</b>", "in_progress", "", "hardware", 1, stamp, stamp, "", "public", url)
    [row] = ticket_rows([card], "requests/", {"hardware": "Hardware <team>"}, EN)
    assert row[0] == '<a href="../tickets/HD-abcd2345/">HD-abcd2345: &lt;b&gt;Jams&lt;/b&gt;</a>'
    assert row[2] == "-"  # no priority yet
    assert row[3] == '<a href="../queues/hardware/">Hardware &lt;team&gt;</a>'
    [gone] = ticket_rows([card._replace(queue="old-queue")], "requests/", {}, EN)
    assert gone[3] == "old-queue"  # a queue the config no longer has: named, not linked


def test_the_board_lists_public_requests_and_only_counts_the_others(board):
    b, ids = board
    page = home(b)
    assert page.src_uri == "index.md"
    assert "<h1>Acme &lt;IT&gt;: status board</h1>" in page.html
    recent, resolved = page.html.split("Recently resolved", 1)
    assert listed(recent.split("Recently updated", 1)[1]) == [ids["new"], ids["mid"]]  # newest first, open only
    assert listed(resolved) == [ids["old"]]
    assert ids["unlisted"] not in page.html and ids["private"] not in page.html
    assert "Secret" not in page.html and "Payroll" not in page.html
    tiles = re.search(r'Open requests</div><div class="gd-tile-value">(\d+)<', page.html)
    assert tiles is not None and tiles.group(1) == "4"  # two public, the unlisted and the private one


def test_the_board_has_a_find_box_for_the_desks_prefix():
    box = find_box(EN, "IT")
    assert 'data-index="api/requests.json"' in box and 'placeholder="IT-…"' in box and "IT-4f7k2m9q" in box
    assert '<script src="assets/find.js"></script>' in box  # from the site itself: the CSP allows 'self'
    assert 'action="requests/"' in box  # without scripts, the list of published requests


def test_request_pages_list_every_public_request_open_ones_first_in_pages(board):
    b, ids = board
    pages = request_pages(b)
    assert [p.src_uri for p in pages] == ["requests/index.md", "requests/page_2.md"]
    assert [listed(p.html) for p in pages] == [[ids["new"], ids["mid"]], [ids["old"]]]
    assert 'rel="next" href="page_2/"' in pages[0].html and 'rel="prev" href="../"' in pages[1].html
    assert pages[1].title == "All published requests (page 2)"
    assert all(ids["unlisted"] not in p.html and ids["private"] not in p.html for p in pages)


def test_queue_pages_count_every_open_request_and_list_the_public_ones(board):
    b, ids = board
    pages = {p.src_uri: p for p in queue_pages(b)}
    queue = b.config.default_queue  # where every request of the board went
    others = [q.name for q in b.config.queues if q.name != queue]
    assert others  # the desk `gitdesk init` writes has more teams than one
    want = {"queues/index.md", f"queues/{queue}/index.md", f"queues/{queue}/page_2.md"}
    assert set(pages) == want | {f"queues/{q}/index.md" for q in others}  # an empty team still has its page
    assert re.search(rf"<td>{queue}</td><td>4</td>", pages["queues/index.md"].html)
    assert all(re.search(rf"<td>{q}</td><td>0</td>", pages["queues/index.md"].html) for q in others)
    first = pages[f"queues/{queue}/index.md"]
    assert "4 open requests in this team&#x27;s queue." in first.html
    assert listed(first.html) == [ids["new"], ids["mid"]]
    assert ids["private"] not in first.html and ids["unlisted"] not in first.html


def test_an_empty_desk_has_a_board_and_one_empty_list_page(desk, tmp_path):
    b = SiteBuilder(desk.root, desk.config, "Acme", None, START)
    b.build_tickets(tmp_path / "out")
    assert "None at the moment." in home(b).html
    [only] = request_pages(b)
    assert only.src_uri == "requests/index.md" and "None at the moment." in only.html and "gd-pager" not in only.html
