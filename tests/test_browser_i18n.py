"""The sample desk in Spanish and in Catalan, in a real browser: Debian chromium via Playwright, on 127.0.0.1.

Each desk language gets its own build of the sample desk (`language:` in gitdesk.yml): the board,
the KB, the metrics and the surveys page are in the desk's language, Lucía's ticket is always in
Spanish and Jordi's always in Catalan (their tickets' `language`). Every page must say its
language in `<html lang>` and show no English message of the catalog in its visible text; the
screenshots go to test-artifacts/.
"""

from __future__ import annotations

import functools
import http.server
import os
import threading
from unittest import mock

import pytest

from conftest import chromium_path
from gitdesk.core.ticket import parse
from test_browser import ARTIFACTS, _Quiet, assert_local_only
from test_browser import browser as browser  # noqa: PLC0414 - the module's chromium fixture
from test_i18n_customer import english_left, english_lines
from test_site import KEY, copy_sample_desk

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        chromium_path() is None,
        reason="no chromium on this machine (apt-get install chromium); CI installs it, so CI runs these tests",
    ),
]
# The site's words in the desk's language (Material's own and gitdesk's), to show a page is not English.
# A desk writes its KB in its own language; the search must join a word's singular and plural.
ARTICLE = {
    "es": "---\ntitle: Atascos en la bandeja 2\ntags: [hardware]\npublished: true\n---\n\n"
    "Si la impresora se atasca con la bandeja 2, cambie la almohadilla de separación.\n",
    "ca": "---\ntitle: Embussos a la safata 2\ntags: [hardware]\npublished: true\n---\n\n"
    "Si la impressora s'encalla amb la safata 2, canviï el coixinet de separació.\n",
}
PREFIX = {"es": "impresor", "ca": "impressor"}  # the stem, typed: finds impresora(s) / impressora(es)
ARTICLE_WORD = {"es": "bandeja", "ca": "safata"}
THEIR_WORDS = {
    "es": {"search": "Búsqueda", "board": "Solicitudes", "requester": "Solicitud"},
    "ca": {"search": "Cerca", "board": "Sol·licituds", "requester": "Sol·licitud"},
}


def _customer(desk, email: str) -> str:
    for path in sorted((desk / "tickets").glob("*.md")):
        t = parse(path.read_text(encoding="utf-8"), str(path))
        if t.requester.get("email") == email:
            return t.id
    raise AssertionError(f"the sample desk has no ticket of {email}: run scripts/sample_desk.py --into .")


@pytest.fixture(scope="module", params=["es", "ca"])
def served(request, tmp_path_factory):
    """(language, base URL, desk) for the sample desk built with `language: <lang>`, served on 127.0.0.1."""
    from gitdesk.site.run import build

    language = request.param
    desk = copy_sample_desk(tmp_path_factory.mktemp(f"browser-{language}") / "desk")
    config = desk / "gitdesk.yml"
    config.write_text(f"language: {language}\n" + config.read_text(encoding="utf-8"), encoding="utf-8")
    (desk / "kb" / "safata-2.md").write_text(ARTICLE[language], encoding="utf-8")  # a KB article in its language
    with mock.patch.dict(os.environ, {"GITDESK_SITE_KEY": KEY, "GITDESK_NOW": "2026-03-23T12:00:00Z"}):
        build(desk, desk.parent / "out")
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(desk.parent / "out"))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield language, f"http://127.0.0.1:{server.server_address[1]}/", desk
    server.shutdown()
    server.server_close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1100, "height": 900}, bypass_csp=True)  # axe is injected
    pg = context.new_page()
    pg.problems, pg.requests = [], []
    pg.on("console", lambda msg: pg.problems.append(msg.text) if msg.type == "error" else None)
    pg.on("pageerror", lambda exc: pg.problems.append(str(exc)))
    pg.on("request", lambda req: pg.requests.append(req.url))
    pg.on("response", lambda res: pg.problems.append(f"{res.status} {res.url}") if res.status >= 400 else None)
    yield pg
    context.close()


def _visit(page, url: str, lang: str, shot: str) -> str:
    """Open a page: its lang, no English catalog message, no serious axe-core violation, a screenshot."""
    from site_audit import axe

    page.goto(url)
    assert page.evaluate("document.documentElement.lang") == lang, url
    text = page.locator("body").inner_text()
    assert english_left(text) == [], (url, english_left(text))
    serious = [f"{v['id']}: {v['help']}" for v in axe(page) if v["impact"] in ("critical", "serious")]
    assert serious == [], (url, serious)  # longer words (Sol·licituds, actualització) must still fit and contrast
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / shot), full_page=True)
    return text


def test_the_desks_own_pages_are_in_its_language(served, page):
    language, base, desk = served
    words = THEIR_WORDS[language]
    board = _visit(page, base, language, f"site-{language}-home.png")
    assert words["board"] in board
    assert page.locator("input.md-search__input").get_attribute("placeholder") == words["search"]
    for rel, name in (("kb/", "kb"), ("metrics/", "metrics"), ("surveys/", "surveys"), ("requests/", "requests")):
        _visit(page, base + rel, language, f"site-{language}-{name}.png")
    article = sorted((desk / "kb").glob("*.md"))[0].stem
    _visit(page, f"{base}kb/{article}/", language, f"site-{language}-kb-article.png")
    assert page.problems == []
    assert_local_only(page)


@pytest.mark.parametrize(
    ("email", "own"),
    [("lucia.martin@tailspin.example", "es"), ("jordi.puig@wideworld.example", "ca")],
)
def test_a_customers_page_is_in_their_language_whatever_the_desks(served, page, email, own):
    language, base, desk = served
    tid = _customer(desk, email)
    text = _visit(page, f"{base}tickets/{tid}/", own, f"site-{language}-desk-ticket-{own}.png")
    assert THEIR_WORDS[own]["requester"] in text
    assert english_lines(page.content()) == []  # all Lucía and Jordi wrote is theirs: no English line at all
    assert page.problems == []
    assert_local_only(page)


def test_jordis_page_offers_both_choices_in_catalan(served, page):
    language, base, desk = served
    tid = _customer(desk, "jordi.puig@wideworld.example")
    page.goto(f"{base}tickets/{tid}/")
    buttons = page.locator("a.gd-button").all_inner_texts()
    assert len(buttons) >= 2, buttons
    assert buttons[:2] == ["Acceptar la solució", "No està resolt: digui'ns què cal canviar"], buttons
    hrefs = page.locator("a.gd-button").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert all(h.startswith("mailto:") for h in hrefs[:2]), hrefs
    assert "Veredicte%3A%20accepto" in hrefs[0] and "Veredicte%3A%20canviar" in hrefs[1], hrefs


def test_search_uses_the_language_chosen_for_the_desk(served, page):
    """Catalan has no lunr language in Material: the Spanish one is chosen (docs/i18n.md). Material
    indexes without a stemmer and searches prefixes as you type: a word's stem finds its forms."""
    import json

    language, base, desk = served
    index = json.loads((desk.parent / "out" / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert index["config"]["lang"] == ["es"]  # Spanish for both es and ca (English would be lunr's default)
    assert "stemmer" not in index["config"]["pipeline"]  # Material's own pipeline, left as it is
    for query in (PREFIX[language], ARTICLE_WORD[language]):
        page.goto(base + "kb/")
        page.locator("label.md-search__icon, .md-search__input").first.click()
        page.locator("input.md-search__input").press_sequentially(query, delay=30)
        page.locator(".md-search-result__item a").first.wait_for(timeout=15000)
        hrefs = page.locator(".md-search-result__item a").evaluate_all("els => els.map(e => e.href)")
        assert any("/kb/safata-2/" in h for h in hrefs), (query, hrefs)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"site-{language}-kb-search.png"))
    assert page.problems == []
