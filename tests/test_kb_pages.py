"""site/kb_pages.py: which articles the site publishes, and what of them reaches a page: the tickets'
personal data and the IDs of tickets it may not name are scrubbed, customer text stays text, and an
unpublished article is on no page at all."""

from __future__ import annotations

import pytest

from conftest import START
from gitdesk.errors import MalformedTicket
from gitdesk.site.builder import SiteBuilder
from gitdesk.site.kb_pages import Article, is_published, kb_pages, load_articles, published_slugs

DANA = {"name": "Dana Whitfield", "email": "dana.whitfield@corp.example"}


def write_article(root, slug: str, body: str = "Body.\n", **meta) -> None:
    lines = [f"{key}: {value}" for key, value in meta.items()]
    (root / "kb" / f"{slug}.md").write_text("---\n" + "\n".join(lines) + "\n---\n\n" + body, encoding="utf-8")


def site(desk, tmp_path, page_size: int = 50) -> tuple[SiteBuilder, dict[str, str]]:
    """The KB pages as assemble.build_site makes them (published slugs, the ticket pass, then the KB),
    without MkDocs: src_uri -> HTML."""
    b = SiteBuilder(desk.root, desk.config, "Acme IT", None, START, page_size=page_size)
    b.kb_slugs = published_slugs(b)
    b.build_tickets(tmp_path / "out")
    return b, {p.src_uri: p.html for p in kb_pages(b)}


def article(**fields) -> Article:
    base = dict(slug="a", title="A", tags=[], tickets=[], created="", updated="", body="")
    return Article(**{**base, **fields})


# -- loading ----------------------------------------------------------------------------------
def test_load_articles_reads_the_front_matter_with_its_fallbacks(desk_root):
    write_article(
        desk_root,
        "full",
        title="Printer rollers",
        tags="[hardware]",
        tickets="[HD-aaaaaaaa]",
        created="'2026-03-01T09:00:00Z'",
        updated="'2026-03-05T09:00:00Z'",
        published="true",
    )
    write_article(desk_root, "bare", created="'2026-03-01T09:00:00Z'")
    write_article(desk_root, "hidden", title="Hidden", published="false")
    write_article(desk_root, "quoted", title="Quoted", published="'false'")  # a hand edit validate refuses
    write_article(desk_root, "unset", title="Unset", published="null")
    articles = load_articles(desk_root)
    assert [a.slug for a in articles] == ["bare", "full", "hidden", "quoted", "unset"]  # in file-name order
    bare, full, hidden, quoted, unset = articles
    assert quoted.published is False and unset.published is False  # only `true` publishes
    assert (full.title, full.tags, full.tickets, full.updated, full.published) == (
        "Printer rollers",
        ["hardware"],
        ["HD-aaaaaaaa"],
        "2026-03-05T09:00:00Z",
        True,
    )
    assert full.body.strip() == "Body."
    assert bare.title == "bare" and bare.tags == [] and bare.tickets == []  # the file name, empty lists
    assert bare.updated == "2026-03-01T09:00:00Z"  # never updated: updated when created
    assert bare.published is None  # written before the flag existed
    assert hidden.published is False
    assert full.url == "kb/full/"


@pytest.mark.parametrize(
    "text,problem",
    [
        ("---\ntitle: x\ntags: hardware\n---\nbody\n", "tags and tickets must be lists"),
        ("---\ntitle: x\ntickets: HD-aaaaaaaa\n---\nbody\n", "tags and tickets must be lists"),
        ("---\n- a list\n---\nbody\n", "front matter must be a mapping"),
    ],
)
def test_an_article_that_does_not_read_is_refused_naming_its_file(desk_root, text, problem):
    (desk_root / "kb" / "odd.md").write_text(text, encoding="utf-8")
    with pytest.raises(MalformedTicket) as info:
        load_articles(desk_root)
    assert "kb/odd.md" in str(info.value) and problem in str(info.value)


def test_an_article_that_is_not_utf8_is_refused_not_crashed_on(desk_root):
    (desk_root / "kb" / "latin1.md").write_bytes("---\ntitle: Caf\xe9\n---\n".encode("latin-1"))
    with pytest.raises(MalformedTicket, match="kb/latin1.md.*not UTF-8"):
        load_articles(desk_root)


# -- which are published ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "flag,tickets,visibility,expected",
    [
        (True, [], {}, True),  # the flag decides, whatever the tickets
        (False, ["HD-1"], {"HD-1": "public"}, False),
        (None, ["HD-1", "HD-2"], {"HD-1": "public", "HD-2": "public"}, True),
        (None, ["HD-1", "HD-2"], {"HD-1": "public", "HD-2": "unlisted"}, False),  # one non-public source
        (None, [], {}, False),  # learned from nothing: no proof it is public
    ],
)
def test_is_published_follows_the_flag_else_every_source_must_be_public(flag, tickets, visibility, expected):
    a = article(tickets=tickets, published=flag)
    assert is_published(a, lambda t: visibility.get(t, "private")) is expected


def test_published_slugs_counts_a_ticket_that_cannot_be_read_as_private(desk, tmp_path):
    shown = desk.open("Printer jams", DANA, visibility="public")
    write_article(desk.root, "legacy-shown", tickets=f"[{shown.id}]")
    write_article(desk.root, "legacy-gone", tickets=f"[{shown.id}, HD-zzzzzzzz]")  # no such ticket
    write_article(desk.root, "flagged", published="true")
    b = SiteBuilder(desk.root, desk.config, "Acme IT", None, START)
    assert published_slugs(b) == {"legacy-shown", "flagged"}


# -- what reaches the pages -------------------------------------------------------------------
def test_an_article_page_carries_no_private_data_and_names_only_public_tickets(desk, tmp_path):
    private = desk.open("Stolen laptop", {**DANA, "location": "12 Elm Street"}, visibility="private")
    public = desk.open("Printer jams", {"name": "Bob Smith", "email": "bob@example.com"}, visibility="public")
    write_article(
        desk.root,
        "laptops",
        "## Laptop of Dana Whitfield\n\nDana Whitfield (dana.whitfield@corp.example) left it at 12 Elm Street; "
        f"see {private.id} and {public.id}.\n",
        title="Laptop of Dana Whitfield",
        tags="[hardware, dana-whitfield, Bob Smith, article, Hardware]",
        tickets=f"[{private.id}, {public.id}]",
        published="true",
    )
    b, pages = site(desk, tmp_path)
    page = pages["kb/laptops.md"]
    for value in ("Whitfield", "dana.whitfield", "corp.example", "Elm Street", private.id, "Bob Smith"):
        assert value not in page, value
    assert "[removed]" in page and "see a request and" in page
    assert f'href="../../tickets/{public.id}/"' in page  # the public source is linked, the private one not
    assert b.articles[0].tags == ["hardware"]  # folded, deduplicated; a person's name and "article" dropped
    assert "tags/dana-whitfield.md" not in pages and "tags/bob-smith.md" not in pages
    listed = pages["kb/index.md"] + pages["tags/index.md"] + pages["tags/hardware.md"]
    assert "Whitfield" not in listed and "Laptop of [removed]" in pages["kb/index.md"]


def test_article_markup_cannot_inject_html_scripts_or_images_from_elsewhere(desk, tmp_path):
    write_article(
        desk.root,
        "markup",
        "## [Click me](https://evil.example/) <b>now</b>\n\n"
        "<script>alert(1)</script>\n\n"
        "[run](javascript:alert(2)) and ![pixel](https://tracker.example/p.png) and [docs](https://docs.example/)\n",
        title="<img src=x onerror=alert(3)>",
        published="true",
    )
    _, pages = site(desk, tmp_path)
    page = pages["kb/markup.md"]
    assert "<script" not in page and "&lt;script&gt;" in page  # raw HTML is shown as text
    assert "<img" not in page and "javascript:" not in page and "tracker.example" not in page
    assert 'href="https://evil.example/' not in page  # a heading is a ticket's title: plain text
    assert 'href="https://docs.example/"' in page  # an ordinary link in the body survives
    assert "<h1>&lt;img src=x onerror=alert(3)&gt;</h1>" in page


def test_unpublished_or_unsafely_named_articles_are_on_no_page(desk, tmp_path):
    write_article(desk.root, "shown", title="Shown", tags="[printers]", published="true")
    write_article(desk.root, "internal-only", title="Internal", tags="[secret-tag]", published="false")
    write_article(desk.root, "Bad_Name", title="Bad", tags="[printers]", published="true")  # not a URL-safe slug
    _, pages = site(desk, tmp_path)
    assert "kb/shown.md" in pages
    assert not any(uri.startswith(("kb/internal", "kb/Bad", "tags/secret")) for uri in pages)
    every = "".join(pages.values())
    assert "Internal" not in every and "internal-only" not in every and "secret-tag" not in every
    assert "Bad_Name" not in every and ">Bad<" not in every
    assert pages["tags/printers.md"].count('href="../../kb/') == 1


def test_the_index_lists_newest_first_in_pages_of_twice_the_page_size(desk, tmp_path):
    for n in range(5):
        write_article(
            desk.root, f"a{n}", title=f"Article {n}", updated=f"'2026-03-0{n + 1}T09:00:00Z'", published="true"
        )
    b, pages = site(desk, tmp_path, page_size=1)  # two articles a listing page
    assert [a.slug for a in b.articles] == ["a4", "a3", "a2", "a1", "a0"]
    assert {"kb/index.md", "kb/page_2.md", "kb/page_3.md"} <= set(pages) and "kb/page_4.md" not in pages
    first, last = pages["kb/index.md"], pages["kb/page_3.md"]
    assert first.index("Article 4") < first.index("Article 3") and "Article 2" not in first
    assert "Article 0" in last and "Article 1" not in last and 'rel="next"' not in last


def test_a_desk_without_articles_still_has_a_kb_page_and_a_tags_page(desk, tmp_path):
    b, pages = site(desk, tmp_path)
    assert set(pages) == {"kb/index.md", "tags/index.md"} and b.articles == []
    assert "No articles yet." in pages["kb/index.md"]
