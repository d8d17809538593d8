"""site/outputs.py: the Atom feed, api/status.json and api/requests.json: they follow their schemas,
count every request, and name public ones only."""

from __future__ import annotations

import json

import feedparser
import jsonschema
import pytest

from gitdesk.site.builder import SiteBuilder
from gitdesk.site.outputs import SCHEMAS, atom_feed, generated_files, public_requests, status_json, theme_file

BOB = {"name": "Bob Smith", "email": "bob@example.com"}
KEY = "k" * 40


@pytest.fixture
def site(desk, clock, tmp_path):
    """A public, an unlisted and a private ticket, the public one prioritised a minute later."""
    ids = {v: desk.open(f"{v.title()} request of Bob", BOB, visibility=v).id for v in ("public", "unlisted", "private")}
    clock.advance(minutes=1)
    desk.prioritise(ids["public"], "P3")
    b = SiteBuilder(desk.root, desk.config, "Acme IT", KEY, clock.now, site_url="https://help.acme.example/")
    b.build_tickets(tmp_path / "out")
    return b, ids


def test_the_find_boxs_index_lists_public_requests_only(site):
    b, ids = site
    assert json.loads(public_requests(b)) == {"requests": {ids["public"]: f"tickets/{ids['public']}/"}}


def test_status_json_follows_its_schema_counts_every_open_request_and_names_public_ones(site):
    b, ids = site
    text = status_json(b)
    data = json.loads(text)
    jsonschema.validate(data, json.loads(theme_file("schema/status.schema.json")))
    assert data["open"]["total"] == 3 and data["published_tickets"] == 1
    assert data["open"]["by_priority"] == {"P3": 1, "none": 2}
    assert [r["id"] for r in data["recently_updated"]] == [ids["public"]]
    assert data["recently_updated"][0]["json"] == f"api/tickets/{ids['public']}.json"
    assert data["recently_resolved"] == [] and data["kb_articles"] == 0
    assert ids["unlisted"] not in text and ids["private"] not in text and "Bob" not in text


def test_the_feed_is_atom_of_public_updates_newest_first(site):
    b, ids = site
    text = atom_feed(b)
    feed = feedparser.parse(text)
    assert not feed.bozo, feed.bozo_exception
    assert feed.feed.title == "Acme IT: updates"
    assert [e.id for e in feed.entries] == [f"urn:gitdesk:ticket:{ids['public']}:event:{n}" for n in (1, 0)]
    assert feed.entries[0].title == f"{ids['public']}: Public request of [removed]: Priority set"
    assert feed.entries[0].link == f"https://help.acme.example/tickets/{ids['public']}/"  # xml:base makes it whole
    assert ids["unlisted"] not in text and ids["private"] not in text


def test_the_feed_of_a_desk_with_nothing_public_is_dated_now_and_has_no_base_without_a_site_url(desk, clock, tmp_path):
    desk.open("Private one", BOB, visibility="private")
    b = SiteBuilder(desk.root, desk.config, "Acme IT", None, clock.now)
    b.build_tickets(tmp_path / "out")
    feed = feedparser.parse(atom_feed(b))
    assert not feed.bozo and feed.entries == []
    assert feed.feed.updated == clock.now.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert "xml:base" not in atom_feed(b)


def test_generated_files_are_every_site_file_but_the_per_ticket_ones(site):
    b, ids = site
    files = generated_files(b)
    assert {"assets/gitdesk.css", "assets/find.js", "feed.xml", "incidents.xml"} <= set(files)
    assert {"api/status.json", "api/requests.json", *(f"api/schema/{name}" for name in SCHEMAS)} <= set(files)
    assert sum(name.startswith("assets/charts/") for name in files) == 4
    assert not any(ids["public"] in name for name in files)
    for name in SCHEMAS:
        json.loads(files[f"api/schema/{name}"])
