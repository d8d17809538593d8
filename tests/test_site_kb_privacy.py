"""The KB and privacy: articles from private and unlisted tickets, slugs, customer text as text.

Each test closes tickets through the real CLI and builds the real site, then reads every file of it.
"""

from __future__ import annotations

import json
import re

import pytest

from test_site_privacy import every_file

KEY = "kb-privacy-test-key-0123456789abcdefghijkl"
HR_TITLE = "HR laptop of Dana Whitfield stolen at 12 Elm Street"
PASSWORD = "Tr0ub4dor-and-3"


def _resolved(cli_invoke, title: str, visibility: str, solution: str, *extra: str) -> str:
    out = cli_invoke(
        "new",
        title,
        "--requester",
        "Dana Whitfield <dana.whitfield@corp.example>",
        "--location",
        "12 Elm Street",
        "--visibility",
        visibility,
        "--json",
        *extra,
    )
    ticket = json.loads(out.stdout)["id"]
    cli_invoke("prioritise", ticket, "P3")
    cli_invoke("assign", ticket, "--to", "grace", "--queue", "hardware")
    cli_invoke("start", ticket)
    cli_invoke("propose", ticket, "--solution", solution)
    cli_invoke("review", ticket, "--approve", "--by", "carol")
    return ticket


def _build(desk_root, tmp_path, monkeypatch):
    from gitdesk.site.run import build

    monkeypatch.setenv("GITDESK_SITE_KEY", KEY)
    out = tmp_path / "out"
    build(desk_root, out)
    return out


def _article(desk_root, slug: str) -> tuple[dict, str]:
    from gitdesk.core.kb import parse_article

    return parse_article((desk_root / "kb" / f"{slug}.md").read_text(encoding="utf-8"), slug)


@pytest.mark.parametrize("visibility", ["private", "unlisted"])
def test_a_private_or_unlisted_tickets_lesson_is_recorded_but_not_published(
    cli_invoke, desk_root, tmp_path, monkeypatch, visibility
):
    ticket = _resolved(cli_invoke, HR_TITLE, visibility, f"Reset the account; temporary password {PASSWORD}")
    result = cli_invoke("close", ticket, "--lesson", "Revoke the VPN certificate of a stolen laptop first")
    assert "internal: not on the site" in result.output
    slug = json.loads(cli_invoke("show", ticket, "--json").stdout)["history"][-1]["kb"]
    assert "dana" not in slug and "whitfield" not in slug and "elm" not in slug  # the slug is scrubbed too
    meta, body = _article(desk_root, slug)
    assert meta["published"] is False and "Revoke the VPN certificate" in body  # the lesson is kept
    assert ticket not in body and "Whitfield" not in body and PASSWORD in body  # only the ID and personal data go
    out = _build(desk_root, tmp_path, monkeypatch)
    assert not (out / "kb" / slug).exists()
    for path, text in every_file(out):
        low = text.lower()
        assert slug not in low and "revoke the vpn certificate" not in low, path
        assert "whitfield" not in low and "elm street" not in low, path
        if not path.is_relative_to(out / "t"):  # the solution is on the customer's own page, nowhere else
            assert PASSWORD.lower() not in low, path


def test_kb_public_publishes_the_lesson_through_the_privacy_filter(cli_invoke, desk_root, tmp_path, monkeypatch):
    ticket = _resolved(cli_invoke, HR_TITLE, "private", "Wipe it remotely from the Whitfield device list")
    result = cli_invoke(
        "close",
        ticket,
        "--lesson",
        "Dana Whitfield's case: wipe before anything else",
        "--cause",
        "Left at 12 Elm Street",
        "--kb-public",
    )
    assert "published on the site" in result.output
    slug = json.loads(cli_invoke("show", ticket, "--json").stdout)["history"][-1]["kb"]
    assert slug == "hr-laptop-of-stolen-at"
    meta, body = _article(desk_root, slug)
    assert meta["published"] is True and meta["title"] == "HR laptop of [removed] stolen at [removed]"
    assert "wipe before anything else" in body and "Whitfield" not in body and "Elm" not in body
    out = _build(desk_root, tmp_path, monkeypatch)
    page = (out / "kb" / slug / "index.html").read_text(encoding="utf-8")
    assert "wipe before anything else" in page and "Learned from a request" in page
    for path, text in every_file(out):
        assert ticket not in text, path
        low = text.lower()
        assert "whitfield" not in low and "elm street" not in low, path


def test_kb_internal_keeps_a_public_tickets_article_off_the_site(cli_invoke, desk_root, tmp_path, monkeypatch):
    ticket = _resolved(cli_invoke, "Badge reader at the back door", "public", "Replaced the reader")
    cli_invoke("close", ticket, "--lesson", "Badge readers: check the log first", "--kb-internal")
    slug = json.loads(cli_invoke("show", ticket, "--json").stdout)["history"][-1]["kb"]
    assert _article(desk_root, slug)[0]["published"] is False
    out = _build(desk_root, tmp_path, monkeypatch)
    assert not (out / "kb" / slug).exists()
    page = (out / "tickets" / ticket / "index.html").read_text(encoding="utf-8")
    view = json.loads((out / "api" / "tickets" / f"{ticket}.json").read_text())
    assert "what we learned" not in page and all("kb" not in entry for entry in view["timeline"])


def test_a_private_lesson_never_joins_a_published_article_silently(cli_invoke, desk_root, tmp_path, monkeypatch):
    public = _resolved(cli_invoke, "Printer tray jams", "public", "New rollers")
    cli_invoke("close", public, "--lesson", "Rollers wear out", "--kb", "printer-tray-jams")
    private = _resolved(cli_invoke, "Printer jams again", "private", "New rollers again")
    before = (desk_root / "kb" / "printer-tray-jams.md").read_text()
    refused = cli_invoke("close", private, "--lesson", "Same again", "--kb", "printer-tray-jams", ok=False)
    assert refused.exit_code != 0 and "--kb-public" in refused.output and "Traceback" not in refused.output
    assert len(refused.output.strip().splitlines()) == 1
    assert (desk_root / "kb" / "printer-tray-jams.md").read_text() == before
    assert json.loads(cli_invoke("show", private, "--json").stdout)["status"] == "resolved"
    cli_invoke("close", private, "--lesson", "Same again", "--kb", "printer-tray-jams", "--kb-public")
    out = _build(desk_root, tmp_path, monkeypatch)
    page = (out / "kb" / "printer-tray-jams" / "index.html").read_text(encoding="utf-8")
    assert "Same again" in page and private not in page and public in page


def test_an_explicit_slug_with_personal_data_is_refused(cli_invoke, desk_root):
    ticket = _resolved(cli_invoke, "Laptop stolen", "private", "Wiped")
    refused = cli_invoke("close", ticket, "--lesson", "Wipe first", "--kb", "whitfield-laptop", ok=False)
    assert refused.exit_code != 0 and "--kb" in refused.output and "personal data" in refused.output
    assert not (desk_root / "kb" / "whitfield-laptop.md").exists()


def test_an_article_written_before_the_flag_is_published_only_when_every_source_is_public(
    cli_invoke, desk_root, tmp_path, monkeypatch
):
    hidden = _resolved(cli_invoke, "Quiet request", "unlisted", "Done")
    shown = _resolved(cli_invoke, "Loud request", "public", "Done")
    for slug, ticket in (("old-hidden", hidden), ("old-shown", shown)):
        (desk_root / "kb" / f"{slug}.md").write_text(
            f"---\ntitle: {slug}\ntags: []\ntickets: [{ticket}]\ncreated: '2026-03-02T09:00:00Z'\n---\n\n"
            f"## {slug}\n\n*Learned from {ticket} on 2026-03-02.*\n\nBody of {slug}\n"
        )
    out = _build(desk_root, tmp_path, monkeypatch)
    assert (out / "kb" / "old-shown" / "index.html").exists() and not (out / "kb" / "old-hidden").exists()
    assert all("old-hidden" not in text for _, text in every_file(out))


INJECTED = "Mouse broken ![t](https://tracker.example/x.png) [phish](https://evil.example/login)"


def test_customer_text_in_an_article_stays_text(cli_invoke, desk_root, tmp_path, monkeypatch):
    ticket = _resolved(cli_invoke, INJECTED, "public", "New mouse")
    cli_invoke("close", ticket, "--lesson", "Keep spare mice", "--kb", "mouse-broken")
    (desk_root / "kb" / "legacy.md").write_text(  # an article from before titles were escaped
        f"---\ntitle: Legacy\ntags: []\ntickets: [{ticket}]\n---\n\n## {INJECTED}\n\nSee ![x](https://img.example/a.png)\n"
    )
    out = _build(desk_root, tmp_path, monkeypatch)
    for slug in ("mouse-broken", "legacy"):
        page = (out / "kb" / slug / "index.html").read_text(encoding="utf-8")
        content = page.split('<div class="gd-article">', 1)[1]
        assert "<img" not in content and 'href="https://evil.example' not in content
        assert "tracker.example/x.png" in content  # shown, as text
    for path, text in every_file(out):
        if path.suffix == ".html":
            assert not re.search(r'<img[^>]+src="(https?:)?//', text), path
            assert 'href="https://evil.example' not in text, path
