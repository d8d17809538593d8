"""site/markup.py: escaping, relative links, tables, the pager, badges, safe Markdown and the standalone page."""

from __future__ import annotations

import re

import pytest

from gitdesk.i18n import translator
from gitdesk.site.markup import NAV, badge, document, e, link, pager, rel, safe_markdown, table, text_block

EN, ES = translator("en"), translator("es")


def test_e_escapes_markup_and_both_quotes_and_reads_none_as_empty():
    assert e('<a href="x">\'&') == "&lt;a href=&quot;x&quot;&gt;&#x27;&amp;"
    assert e(None) == ""
    assert e(3) == "3"


def test_text_block_keeps_paragraphs_and_line_breaks_and_never_makes_a_link():
    out = text_block("Hi <b>there</b>\nsecond line\n\n\n   see http://x.example/a?b=1&c=2   \n\n  ")
    assert out == ("<p>Hi &lt;b&gt;there&lt;/b&gt;<br>second line</p><p>see http://x.example/a?b=1&amp;c=2</p>")
    assert text_block("") == text_block(None) == ""  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("from_url", "to_url", "want"),
    [
        ("", "", "./"),  # home to home
        ("", "requests/", "requests/"),
        ("tickets/HD-1/", "", "../../"),  # a ticket page back to the board
        ("queues/", "queues/hw/", "hw/"),
        ("kb/printers/", "tags/paper/", "../../tags/paper/"),
        ("requests/page_2/", "requests/", "../"),
        ("metrics/", "metrics/", "./"),
        ("t/abc/", "api/status.json", "../../api/status.json"),  # a file keeps no trailing slash
        ("feed.xml", "tickets/HD-1/", "tickets/HD-1/"),  # from a file: relative to its directory
    ],
)
def test_rel_links_between_site_urls(from_url, to_url, want):
    assert rel(from_url, to_url) == want


def test_link_escapes_the_label_and_the_href():
    assert link("", 'kb/"x"/', "<b>Fix</b>") == '<a href="kb/&quot;x&quot;/">&lt;b&gt;Fix&lt;/b&gt;</a>'


def test_table_escapes_cells_unless_raw():
    rows = [["<i>a</i>", "b&c"]]
    assert "<td>&lt;i&gt;a&lt;/i&gt;</td><td>b&amp;c</td>" in table(["<h>", "2"], rows)
    assert "<th>&lt;h&gt;</th>" in table(["<h>", "2"], rows)
    assert "<td><i>a</i></td>" in table(["h"], rows, raw=True)
    assert table(["h"], []) == "<table><thead><tr><th>h</th></tr></thead><tbody></tbody></table>"


def test_pager_links_previous_and_next_only_where_there_are_pages():
    urls = ["requests/", "requests/page_2/", "requests/page_3/"]
    assert pager(urls[:1], 0, urls[0], EN) == ""
    first, middle, last = (pager(urls, i, urls[i], EN) for i in range(3))
    assert 'rel="prev"' not in first and 'rel="next" href="page_2/"' in first and "Page 1 of 3" in first
    assert 'rel="prev" href="../"' in middle and 'rel="next" href="../page_3/"' in middle and "Page 2 of 3" in middle
    assert 'rel="next"' not in last and 'rel="prev" href="../page_2/"' in last
    assert "Página 2 de 3" in pager(urls, 1, urls[1], ES)


def test_badge_names_the_status_in_the_readers_language_and_escapes_an_unknown_one():
    assert badge("in_progress", EN) == '<span class="gd-status gd-in_progress">in progress</span>'
    assert badge("in_progress", ES) == '<span class="gd-status gd-in_progress">en curso</span>'  # the class kept
    assert badge('x"><script>', EN) == (
        '<span class="gd-status gd-x&quot;&gt;&lt;script&gt;">x&quot;&gt;&lt;script&gt;</span>'
    )


@pytest.mark.parametrize(
    "source",
    [
        "[x](javascript:alert(1))",
        "[x](JaVa&#x09;script:alert(1))",  # an entity and a tab inside the scheme
        "[x](<javascript:alert(1)>)",
        "[x](  vbscript:msgbox)",
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
        "[x][1]\n\n[1]: javascript:alert(1)",  # a reference link
    ],
)
def test_safe_markdown_turns_a_link_with_an_unsafe_scheme_into_text(source):
    out = safe_markdown(source)
    assert "<a" not in out and "href" not in out and "<span>x</span>" in out


def test_safe_markdown_keeps_http_mailto_and_relative_links():
    out = safe_markdown("[a](https://vendor.example/kb) [b](mailto:help@desk.example) [c](../printers/) [d](#fix)")
    for href in ("https://vendor.example/kb", "mailto:help@desk.example", "../printers/", "#fix"):
        assert f'href="{href}"' in out


def test_safe_markdown_shows_raw_html_as_text_in_blocks_inline_code_and_tables():
    out = safe_markdown(
        '<script>alert(1)</script>\n\nSay <b onclick="x()">hi</b>\n\n'
        "```\n<img src=x>\n```\n\n| a |\n|---|\n| <i>b</i> |"
    )
    assert "<script" not in out and "<b" not in out and "<img" not in out and "<i>" not in out
    assert "&lt;script&gt;" in out and "&lt;b onclick" in out and "&lt;i&gt;b&lt;/i&gt;" in out


@pytest.mark.parametrize(
    "src",
    [
        "http://evil.example/p.png",
        "https://evil.example/p.png",
        "//evil.example/p.png",
        "data:image/png;base64,AAAA",
        r"/\evil.example/p.png",  # a browser reads a backslash as a slash: //evil.example
        r"\/evil.example/p.png",
    ],
)
def test_safe_markdown_never_keeps_an_image_from_another_host(src):
    out = safe_markdown(f"![the tray]({src})")
    assert "<img" not in out and "evil" not in out and "AAAA" not in out
    assert "<span>the tray</span>" in out  # the alt text stays, as text


def test_safe_markdown_keeps_a_same_site_image():
    assert '<img alt="tray" src="../assets/tray.png"' in safe_markdown("![tray](../assets/tray.png)")


def test_safe_markdown_makes_a_section_heading_plain_text():
    """A section heading is a ticket's title (customer text): no emphasis or link survives in it."""
    out = safe_markdown("## Printer *jams* [click](https://evil.example/)\n\nbody")
    assert "<h2>Printer jams click</h2>" in out
    assert "evil" not in out


def test_document_is_a_standalone_page_with_no_script_and_the_sites_nav():
    page = document("<Printer> jams", "<p>body</p>", 'Acme "IT"', "../../", noindex=True, tr=ES)
    assert page.startswith('<!doctype html><html lang="es">')
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)
    assert policy is not None and "script-src 'none'" in policy.group(1) and "default-src 'self'" in policy.group(1)
    assert "<script" not in page
    assert '<meta name="robots" content="noindex, nofollow">' in page
    assert "<title>&lt;Printer&gt; jams · Acme &quot;IT&quot;</title>" in page
    assert '<link rel="stylesheet" href="../../assets/gitdesk.css">' in page
    nav = re.search(r'<nav class="gd-nav"[^>]*>(.*?)</nav>', page)
    assert nav is not None
    hrefs = re.findall(r'href="([^"]+)"', nav.group(1))
    assert hrefs == ["../../", "../../requests/", "../../queues/", "../../kb/", "../../metrics/", "../../surveys/"]
    assert len(hrefs) == len(NAV)
    assert "<main" in page and "<p>body</p>" in page


def test_document_without_noindex_lets_search_engines_in():
    assert "robots" not in document("T", "", "Desk", "../../", noindex=False, tr=EN)
