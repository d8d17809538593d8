"""site/assemble.py: the whole site as data: the pages (front matter MkDocs reads, and the HTML swapped in)
and the other files, with the published articles known before the ticket pages that link them."""

from __future__ import annotations

import pytest
import yaml

from conftest import START
from gitdesk.site.assemble import PLACEHOLDER, build_site, page_html, page_source
from gitdesk.site.builder import Page, SiteBuilder


def front_matter(source: str) -> dict:
    assert source.startswith("---\n")
    head, _, rest = source[4:].partition("\n---\n")
    assert rest == f"\n{PLACEHOLDER}\n"  # the body is only the marker the plugin swaps for the HTML
    return yaml.safe_load(head)


@pytest.mark.parametrize(
    "title", ['Printer "jams"', "a: b # c", "---\nstatus: evil", "Impresora atascada – ñ", "{{ config }}", "- [x]"]
)
def test_the_title_in_the_front_matter_reads_back_as_written(title):
    assert front_matter(page_source(Page("requests/index.md", title, "<p>x</p>")))["title"] == title


def test_a_page_out_of_search_is_excluded_and_only_kb_pages_keep_their_table_of_contents():
    assert front_matter(page_source(Page("metrics.md", "M", ""))) == {
        "title": "M",
        "search": {"exclude": True},
        "hide": ["toc"],
    }
    assert front_matter(page_source(Page("kb/rollers.md", "R", "", search=True))) == {"title": "R"}


def test_the_html_is_wrapped_as_it_is():
    assert page_html(Page("index.md", "T", "<h1>Board</h1>")) == '<div class="gd-page"><h1>Board</h1></div>'


def test_build_site_writes_the_ticket_pages_and_returns_every_other_page_and_file(desk, tmp_path):
    t = desk.open("Printer jams", {"name": "Bob", "email": "bob@example.com"}, visibility="public")
    desk.prioritise(t.id, "P3")
    desk.start(t.id)
    desk.propose(t.id, "New rollers")
    desk.review(t.id, True, "lead")
    desk.close(t.id, "Rollers wear out", kb_slug="printer-rollers")
    b = SiteBuilder(desk.root, desk.config, "Acme IT", None, START)
    out = tmp_path / "out"
    pages, files = build_site(b, out)
    uris = {p.src_uri for p in pages}
    assert {"index.md", "requests/index.md", "queues/index.md", "kb/index.md", "metrics.md", "surveys.md"} <= uris
    assert "kb/printer-rollers.md" in uris and "tags/index.md" in uris
    assert b.kb_slugs == {"printer-rollers"}
    ticket_page = (out / "tickets" / t.id / "index.html").read_text(encoding="utf-8")
    assert 'href="../../kb/printer-rollers/"' in ticket_page  # the article was known before the ticket pass
    assert {"feed.xml", "api/status.json", "api/requests.json"} <= set(files)
    assert not any(name.endswith(".md") for name in files)
