"""BM25 KB search: ranking, title boost, tokenisation, the cache, and the CLI."""

from __future__ import annotations

import json

import pytest

from gitdesk.desk.facade import Desk
from gitdesk.store import kbsearch

ARTICLES = {
    "printer-tray-jams": ("Printer tray jams", "Worn rollers on tray 2 jam thick paper. Replace the rollers."),
    "vpn-drops": ("VPN drops on wifi", "The VPN client drops when the laptop roams between access points."),
    "password-reset": ("Resetting a password", "Use the self-service portal. The printer is not involved."),
    "toner": ("Replacing toner", "Open the front cover of the printer and pull the cartridge."),
}


@pytest.fixture
def kb_root(desk_root):
    for slug, (title, body) in ARTICLES.items():
        (desk_root / "kb" / f"{slug}.md").write_text(f"---\ntitle: {title}\ntags: []\n---\n\n{body}\n")
    return desk_root


@pytest.fixture
def kb(kb_root):
    """The desk's read index, which the search reads its articles from."""
    return Desk(kb_root).index


@pytest.mark.parametrize(
    ("query", "best"),
    [
        ("printer jammed in the tray", "printer-tray-jams"),
        ("vpn keeps dropping", "vpn-drops"),
        ("forgot my password", "password-reset"),
        ("toner cartridge empty", "toner"),
    ],
)
def test_ranking(kb, query, best):
    assert kbsearch.search(kb, query)[0].slug == best


def test_title_words_outrank_body_mentions(kb):
    slugs = [h.slug for h in kbsearch.search(kb, "printer")]
    assert slugs[0] == "printer-tray-jams" and "password-reset" in slugs
    assert slugs.index("printer-tray-jams") < slugs.index("password-reset")


def test_no_match_and_stopwords_only(kb):
    assert kbsearch.search(kb, "zebra") == []
    assert kbsearch.search(kb, "the and of") == []


def test_tokens_fold_accents_and_stem():
    assert kbsearch.tokens("Printers JAMMED, café") == ["printer", "jam", "cafe"]


def test_index_is_cached_and_follows_edits(kb_root, kb):
    kbsearch.search(kb, "printer")
    assert (kb_root / ".git" / "gitdesk" / "index.sqlite").exists()
    (kb_root / "kb" / "scanner.md").write_text("---\ntitle: Scanner offline\n---\nRestart the scanner.\n")
    assert kbsearch.suggest(Desk(kb_root).index, "scanner offline") == [("scanner", "Scanner offline")]
    (kb_root / "kb" / "scanner.md").write_text("---\ntitle: Scanner fixed\n---\nRestart the scanner.\n")
    assert kbsearch.suggest(Desk(kb_root).index, "scanner") == [("scanner", "Scanner fixed")]


def test_cli_and_suggestions_on_new(kb_root, cli_invoke):
    out = json.loads(cli_invoke("kb", "search", "vpn", "wifi", "--json").stdout)
    assert out[0]["slug"] == "vpn-drops" and out[0]["score"] > 0
    new = cli_invoke("new", "Printer tray 2 jams", "--requester", "bob@example.com")
    assert "related: kb/printer-tray-jams.md" in new.output
