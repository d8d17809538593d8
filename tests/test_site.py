"""The sample desk's site: build it (as `gitdesk site build` and `mkdocs build --strict` do) and read it."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from unittest import mock

import feedparser
import jsonschema
import pytest

from gitdesk.core.lifecycle import MOVES, STATUS_TEXT, move_name
from gitdesk.core.ticket import parse
from gitdesk.site.privacy import unlisted_token

REPO = Path(__file__).resolve().parent.parent
SCHEMAS = REPO / "src" / "gitdesk" / "site" / "theme" / "schema"
KEY = "test-site-key-0123456789-abcdefghijklmnop"
DESK_PARTS = ("tickets", "kb", "surveys", "docs_site", "gitdesk.yml", "mkdocs.yml")


def copy_sample_desk(dest: Path) -> Path:
    """A private copy: other people edit the repo's sample desk while tests run."""
    dest.mkdir()
    for part in DESK_PARTS:
        src = REPO / part
        if src.is_dir():
            shutil.copytree(src, dest / part, ignore=shutil.ignore_patterns("__pycache__"))
        elif src.exists():
            shutil.copy2(src, dest / part)
    (dest / "docs_site").mkdir(exist_ok=True)
    return dest


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """(desk, site dir, tickets by id) for the sample desk built with a site key."""
    from gitdesk.site.run import build

    desk = copy_sample_desk(tmp_path_factory.mktemp("sample") / "desk")
    out = desk.parent / "out"
    env = {"GITDESK_SITE_KEY": KEY, "GITDESK_NOW": "2026-03-16T12:00:00Z"}
    with mock.patch.dict(os.environ, env):
        result = build(desk, out)
    tickets = {p.stem: parse(p.read_text(encoding="utf-8"), str(p)) for p in (desk / "tickets").glob("*.md")}
    assert result.unpublished_unlisted == 0
    return desk, out, tickets


def pick(tickets, **want):
    want.setdefault("language", None)  # the English pages these tests read (Lucía's and Jordi's are not)
    for t in sorted(tickets.values(), key=lambda t: t.id):
        if all(t.meta.get(k) == v for k, v in want.items()):
            return t
    pytest.skip(f"the sample desk has no ticket with {want}")


def read(out: Path, rel: str) -> str:
    return (out / rel).read_text(encoding="utf-8")


def test_home_is_a_status_board(sample):
    desk, out, tickets = sample
    home = read(out, "index.html")
    open_count = sum(t.status in ("new", "triaged", "in_progress", "waiting", "proposed") for t in tickets.values())
    assert re.search(rf'Open requests</div><div class="gd-tile-value">{open_count}<', home)
    assert "Median time to resolution" in home and re.search(r"\d+\.\d hours", home)
    assert re.search(r"Satisfaction</div><div class=\"gd-tile-value\">\d\.\d / 5", home)
    assert "By status" in home and "By priority" in home and "By team" in home
    recent = pick(tickets, visibility="public", status="in_progress")
    assert "Recently updated" in home and recent.id in home
    resolved = pick(tickets, visibility="public", status="closed")
    assert "Recently resolved" in home and resolved.id in home


def test_ticket_page_speaks_to_the_customer(sample):
    desk, out, tickets = sample
    t = pick(tickets, visibility="public", status="closed")
    page = read(out, f"tickets/{t.id}/index.html")
    assert html.escape(STATUS_TEXT["closed"]) in page
    assert f"<strong>{t.priority}</strong>" in page and "First response within" in page
    assert f"Tier {t.tier}" in page
    visible = [MOVES[move_name(ev)].summary for ev in t.history if MOVES[move_name(ev)].summary]
    for summary in visible:
        assert html.escape(summary) in page
    solution = next(ev["solution"] for ev in reversed(t.history) if ev["action"] == "propose")
    assert html.escape(solution.split("(")[0].strip()) in page
    for ev in t.history:  # internal notes and reviewer comments never reach the page
        for field in ("text", "comment", "feedback", "lesson"):
            if ev.get(field):
                assert html.escape(str(ev[field])) not in page, field
    assert "what we learned" in page


def test_open_ticket_says_when_the_next_update_is_due(sample):
    desk, out, tickets = sample
    t = pick(tickets, visibility="public", status="in_progress")
    view = json.loads(read(out, f"api/tickets/{t.id}.json"))
    assert view["next_update_due"] and "Next update due" in read(out, f"tickets/{t.id}/index.html")


def test_split_request_shows_each_child(sample):
    desk, out, tickets = sample
    parent = pick(tickets, status="split", visibility="public")
    page = read(out, f"tickets/{parent.id}/index.html")
    done = sum(tickets[c].status in ("resolved", "closed", "cancelled") for c in parent.meta["children"])
    assert f"{done} of {len(parent.meta['children'])} done" in page
    for child in parent.meta["children"]:
        assert html.escape(tickets[child].title.split(":")[0]) in page
        assert html.escape(STATUS_TEXT[tickets[child].status]) in page


def test_a_childs_page_does_not_read_as_if_the_child_was_split(sample):
    desk, out, tickets = sample
    parent = pick(tickets, status="split", visibility="public")
    child = tickets[parent.meta["children"][0]]
    page = read(out, f"tickets/{child.id}/index.html")
    assert parent.id in page and "this is one of them" in page
    assert html.escape(STATUS_TEXT["split"]) not in page  # the parent's own sentence stays on the parent's page
    assert html.escape(STATUS_TEXT["split"]) in read(out, f"tickets/{parent.id}/index.html")


def test_unlisted_ticket_has_only_its_secret_url(sample):
    desk, out, tickets = sample
    t = pick(tickets, visibility="unlisted")
    token = unlisted_token(KEY, t.id)
    page = read(out, f"t/{token}/index.html")
    assert html.escape(STATUS_TEXT[t.status]) in page and 'name="robots" content="noindex' in page
    assert not (out / "tickets" / t.id).exists() and not (out / "api" / "tickets" / f"{t.id}.json").exists()
    for path in out.rglob("*"):
        if path.is_file() and not str(path).startswith(str(out / "t")):
            text = path.read_text(encoding="utf-8", errors="replace")
            assert t.id not in text and token not in text, path


def test_private_ticket_is_only_counted(sample):
    desk, out, tickets = sample
    t = pick(tickets, visibility="private")
    for path in out.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            assert t.id not in text and html.escape(t.title) not in text and t.title not in text, path
    status = json.loads(read(out, "api/status.json"))
    assert status["open"]["total"] == sum(
        x.status in ("new", "triaged", "in_progress", "waiting", "proposed") for x in tickets.values()
    )


def test_queue_pages_list_public_tickets(sample):
    desk, out, tickets = sample
    t = pick(tickets, visibility="public", status="in_progress")
    page = read(out, f"queues/{t.meta['queue']}/index.html")
    assert t.id in page and f"../../tickets/{t.id}/" in page


def test_kb_articles_tags_sources_and_search(sample):
    desk, out, tickets = sample
    article = sorted((desk / "kb").glob("*.md"))[0]
    page = read(out, f"kb/{article.stem}/index.html")
    text = article.read_text(encoding="utf-8")
    assert "Lesson learned" in page and "../../tags/" in page
    source = re.search(r"^- (HD-\w+)", text, re.M).group(1)
    if tickets[source].visibility == "public":
        assert f"../../tickets/{source}/" in page
    index = read(out, "kb/index.html")
    assert f'href="{article.stem}/"' in index
    search = json.loads(read(out, "search/search_index.json"))
    locations = {doc["location"] for doc in search["docs"]}
    assert any(loc.startswith(f"kb/{article.stem}/") for loc in locations)
    assert not any(loc.startswith(("tickets/", "t/", "requests/", "queues/")) for loc in locations)
    assert "tickets/" not in read(out, "sitemap.xml") and "/t/" not in read(out, "sitemap.xml")


def test_product_data_never_becomes_a_tag(sample):
    desk, out, tickets = sample
    for path in (out / "tags").iterdir():
        for t in tickets.values():
            model = (t.meta.get("product") or {}).get("model")
            if model:
                assert path.name != re.sub(r"[^a-z0-9]+", "-", model.lower()).strip("-")


def test_surveys_summary(sample):
    desk, out, tickets = sample
    page = read(out, "surveys/index.html")
    assert "Score distribution" in page and "Did we ask the right questions?" in page
    assert "What we should improve" in page
    improve = [parse_yaml(p).get("improve") for p in (desk / "surveys").glob("*.yml")]
    assert any(i and html.escape(i) in page for i in improve)


def parse_yaml(path):
    import yaml

    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_metrics_charts_are_static_svg(sample):
    desk, out, tickets = sample
    page = read(out, "metrics/index.html")
    for name in ("volume", "resolution", "rates"):
        assert f"assets/charts/{name}.svg" in page
        svg = ET.parse(out / "assets" / "charts" / f"{name}.svg").getroot()
        assert svg.tag == "{http://www.w3.org/2000/svg}svg" and svg.find("{http://www.w3.org/2000/svg}rect") is not None
    assert "<script" not in read(out, "assets/charts/volume.svg")
    assert "Escalation rate" in page


def test_feed_parses_and_lists_public_updates_and_articles(sample):
    desk, out, tickets = sample
    feed = feedparser.parse(read(out, "feed.xml"))
    assert not feed.bozo, feed.bozo_exception
    links = [entry.link for entry in feed.entries]
    assert any(link.startswith("tickets/") for link in links)
    assert any(link.startswith("kb/") for link in links)
    assert not any(link.startswith("t/") for link in links)
    public = {t.id for t in tickets.values() if t.visibility == "public"}
    assert all(link.split("/")[1] in public for link in links if link.startswith("tickets/"))


def test_json_matches_the_schemas(sample):
    desk, out, tickets = sample
    status_schema = json.loads((SCHEMAS / "status.schema.json").read_text())
    ticket_schema = json.loads((SCHEMAS / "ticket.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(ticket_schema)
    jsonschema.validate(json.loads(read(out, "api/status.json")), status_schema)
    files = list((out / "api" / "tickets").glob("*.json")) + list((out / "t").glob("*/ticket.json"))
    assert len(files) == sum(t.visibility != "private" for t in tickets.values())
    for path in files:
        jsonschema.validate(json.loads(path.read_text()), ticket_schema)
    assert json.loads(read(out, "api/schema/ticket.schema.json")) == ticket_schema


def test_no_request_leaves_the_site(sample):
    """No CDN, no web font: everything a page loads (src, <link href>) is on the site itself."""
    desk, out, tickets = sample
    for path in out.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for url in re.findall(r'\ssrc="([^"]*)"', text) + re.findall(r'<link[^>]*\shref="([^"]*)"', text):
            assert not re.match(r"^(https?:)?//", url), (path, url)


def test_mkdocs_build_strict_at_the_desk_root(sample, tmp_path):
    desk, out, tickets = sample
    env = {**os.environ, "GITDESK_SITE_KEY": KEY, "NO_MKDOCS_2_WARNING": "1"}
    mkdocs = [sys.executable, "-m", "mkdocs"]
    done = subprocess.run(
        [*mkdocs, "build", "--strict", "-d", str(tmp_path / "s")],
        cwd=desk,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "s" / "index.html").exists()
    assert not any((desk / "docs_site").rglob("*.md")), "no generated Markdown is written into the desk"


def test_every_page_has_a_content_security_policy_that_allows_only_its_own_scripts(sample):
    """MkDocs pages (theme override) and standalone ticket pages alike: nothing from another host,
    and no inline script but the theme's own, each allowed by its hash."""
    import base64
    import hashlib

    desk, out, tickets = sample
    pages = sorted(out.rglob("*.html"))
    assert len(pages) > 20
    for path in pages:
        text = path.read_text(encoding="utf-8")
        policy = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', text)
        assert policy, path
        rules = dict(r.strip().split(" ", 1) for r in html.unescape(policy.group(1)).split(";") if r.strip())
        assert rules["default-src"] == "'self'" and "'unsafe-inline'" not in rules["script-src"], path
        for body in re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>(.*?)</script>", text, re.S):
            digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
            assert f"'sha256-{digest}'" in rules["script-src"], path
