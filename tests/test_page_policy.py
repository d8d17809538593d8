"""site/page_policy.py: each MkDocs page's Content-Security-Policy allows exactly its own inline scripts."""

from __future__ import annotations

import base64
import hashlib
import html
import re

from gitdesk.site.page_policy import PLACEHOLDER, finish_page, policy


def sha(body: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"


def rules(page: str) -> dict[str, str]:
    found = re.findall(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', page)
    assert len(found) == 1, page
    return dict(r.strip().split(" ", 1) for r in html.unescape(found[0]).split(";") if r.strip())


def test_policy_fetches_nothing_from_another_host_and_runs_no_inline_code_without_its_hash():
    got = dict(r.strip().split(" ", 1) for r in policy([]).split(";"))
    assert got["default-src"] == "'self'"
    assert got["script-src"] == "'self'"  # no trailing space, no 'unsafe-inline'
    assert got["object-src"] == "'none'"
    assert got["img-src"] == "'self' data:"
    for directive in ("style-src", "font-src", "connect-src", "worker-src", "base-uri", "form-action"):
        assert got[directive] == "'self'", directive
    assert "unsafe" not in policy(["a()"])


def test_finish_page_hashes_each_inline_script_and_no_other():
    page = (
        f"<html><head>{PLACEHOLDER}</head><body>"
        "<script>var theme = 1;</script>"
        '<script type="module">import("./x.js")</script>'
        '<script src="assets/find.js"></script>'  # loaded from the site: 'self' covers it
        '<script id="__config" type="application/json">{"search": "x"}</script>'  # data, not code
        "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"  # customer text, escaped: never a script
        "</body></html>"
    )
    script_src = rules(finish_page(page))["script-src"].split()
    assert script_src == ["'self'", sha("var theme = 1;"), sha('import("./x.js")')]
    assert PLACEHOLDER not in finish_page(page)


def test_a_page_without_the_placeholder_is_left_alone():
    page = "<html><head></head><body><script>x()</script></body></html>"
    assert finish_page(page) == page


def test_the_search_dialog_is_named_after_its_input():
    page = (
        '<div data-md-component="search" role="dialog">'
        '<input type="text" class="md-search__input" name="query" aria-label="Buscar" placeholder="Buscar"></div>'
    )
    assert '<div data-md-component="search" role="dialog" aria-label="Buscar">' in finish_page(page)


def test_a_search_dialog_with_no_labelled_input_is_called_search():
    page = '<div data-md-component="search" role="dialog"><input class="md-search__input"></div>'
    assert 'role="dialog" aria-label="Search">' in finish_page(page)
