"""A desk full of personal data and hostile text: none of it may reach any file of the built site."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from gitdesk.site.privacy import unlisted_token
from site_audit import check_machine_outputs

KEY = "privacy-test-key-0123456789abcdefghijklmnop"
# Values that must never appear anywhere in the output, in any letter case.
SENTINELS = {
    "name": "Zelda Quixotica",
    "email": "zelda.q@sentinel.example",
    "phone": "+44 20 7946 0958",
    "org": "Quixotic Sentinel Holdings",
    "location": "Room Sentinel-42, Leeds",
    "model": "SentinelPrinter 9000",
    "account": "ACCT-SENTINEL-77",
    "note": "NOTE-SENTINEL internal only",
    "feedback": "FEEDBACK-SENTINEL redo this",
    "comment": "REVIEWCOMMENT-SENTINEL",
    "contact": "CONTACT-SENTINEL said the code is 1234",
    "question": "QUESTION-SENTINEL what is your password",
    "reason": "REASON-SENTINEL escalate",
}
SCRIPT = "<script>alert('pwned')</script>"
JS_LINK = "[click me](javascript:alert('pwned'))"


def run(cli_invoke, *args):
    return cli_invoke(*args)


def open_sentinel(cli_invoke, title, visibility, body=""):
    out = cli_invoke(
        "new",
        title,
        "--requester",
        f"{SENTINELS['name']} <{SENTINELS['email']}>",
        "--phone",
        SENTINELS["phone"],
        "--org",
        SENTINELS["org"],
        "--location",
        SENTINELS["location"],
        "--product",
        f"model={SENTINELS['model']}",
        "--product",
        f"account={SENTINELS['account']}",
        "--visibility",
        visibility,
        "--body",
        body,
        "--json",
    )
    return json.loads(out.stdout)["id"]


def full_life(cli_invoke, clock, ticket_id, solution, *kb_options):
    for args in (
        ("prioritise", ticket_id, "P2"),
        ("assign", ticket_id, "--to", "grace", "--queue", "hardware"),
        ("start", ticket_id),
        ("note", ticket_id, SENTINELS["note"]),
        ("contact", ticket_id, "--via", "phone", "--summary", SENTINELS["contact"]),
        ("escalate", ticket_id, "--reason", SENTINELS["reason"]),
        ("propose", ticket_id, "--solution", solution),
        ("review", ticket_id, "--request-changes", "--by", "carol", "--comment", SENTINELS["feedback"]),
        ("propose", ticket_id, "--solution", solution),
        ("review", ticket_id, "--approve", "--by", "carol", "--comment", SENTINELS["comment"]),
        (
            "close",
            ticket_id,
            "--lesson",
            f"Lesson for {SENTINELS['name']}: {SCRIPT} {JS_LINK}",
            "--cause",
            f"Cause at {SENTINELS['location']}",
            *kb_options,
        ),
        (
            "survey",
            ticket_id,
            "--score",
            "4",
            "--right-questions",
            "yes",
            "--time",
            "adequate",
            "--comment",
            f"Thanks, {SENTINELS['name']} here, mail me at {SENTINELS['email']}",
            "--improve",
            f"Call {SENTINELS['phone']} before visiting {SENTINELS['org']}",
        ),
    ):
        clock.advance(hours=1)
        run(cli_invoke, *args)


@pytest.fixture
def hostile_site(desk_root, cli_invoke, clock, monkeypatch, tmp_path):
    from gitdesk.site.run import build

    hostile = f"{SCRIPT} for {SENTINELS['name']} {JS_LINK}"
    body = (
        f"Hello, I am {SENTINELS['name']}, call {SENTINELS['phone']}. {SCRIPT} {JS_LINK} <img src=x onerror=alert(1)>"
    )
    public = open_sentinel(cli_invoke, f"Printer broken {SCRIPT}", "public", body)
    full_life(cli_invoke, clock, public, f"Replace part; {hostile}")
    unlisted = open_sentinel(cli_invoke, "Unlisted: scanner for Zelda Quixotica", "unlisted", body)
    clock.advance(hours=1)
    run(cli_invoke, "prioritise", unlisted, "P3")
    run(cli_invoke, "wait", unlisted, "--question", SENTINELS["question"])
    private = open_sentinel(cli_invoke, "PRIVATE-TITLE-SENTINEL", "private", body)
    run(cli_invoke, "note", private, SENTINELS["note"])
    # KB articles learned from a private ticket (kept internal) and an unlisted one (published, scrubbed)
    private_closed = open_sentinel(cli_invoke, f"Laptop of {SENTINELS['name']} stolen PRIVATE-KB", "private", body)
    full_life(cli_invoke, clock, private_closed, f"Password for {SENTINELS['account']} is PRIVATE-KB-SOLUTION")
    unlisted_closed = open_sentinel(cli_invoke, f"Scanner of {SENTINELS['name']} at Sentinel", "unlisted", body)
    full_life(cli_invoke, clock, unlisted_closed, f"Re-paired it for {SENTINELS['org']}; {hostile}", "--kb-public")
    monkeypatch.setenv("GITDESK_SITE_KEY", KEY)
    out = tmp_path / "out"
    build(desk_root, out)
    ids = {"public": public, "unlisted": unlisted, "private": private}
    return out, {**ids, "private_closed": private_closed, "unlisted_closed": unlisted_closed}


def every_file(out: Path):
    for path in sorted(out.rglob("*")):
        if path.is_file() and path.suffix in (".html", ".json", ".xml", ".svg", ".txt", ".js", ".css", ""):
            yield path, path.read_text(encoding="utf-8", errors="replace")


def test_no_personal_data_in_any_output_file(hostile_site):
    out, ids = hostile_site
    checked = {p.relative_to(out).as_posix() for p, _ in every_file(out)}
    assert {
        "sitemap.xml",
        "search/search_index.json",
        "feed.xml",
        "api/status.json",
        f"api/tickets/{ids['public']}.json",
    } <= checked
    # The question we asked is the customer's to answer: their page shows it (scrubbed, issue 14:
    # "Sentinel" is a word of the requester's org, so the scrubber takes it out of the question too).
    asked = SENTINELS["question"].split(" ", 1)[1]  # "what is your password"
    assert any(p.name == "index.html" and "/t/" in p.as_posix() and asked in t.lower() for p, t in every_file(out))
    needles = [v.lower() for k, v in SENTINELS.items() if k != "question"] + [
        "private-title-sentinel",
        "sentinelprinter-9000",
        "zelda",
        "quixotic",
        "7946",
        "private-kb",
    ]
    for path, text in every_file(out):
        low = text.lower()
        for needle in needles:
            assert needle not in low, f"{needle!r} leaked into {path.relative_to(out)}"
        assert ids["private"] not in text and ids["private_closed"] not in text, path
        if not path.is_relative_to(out / "t"):
            assert ids["unlisted_closed"] not in text, path


def test_kb_articles_of_private_and_unlisted_tickets(hostile_site, desk_root):
    """The private ticket's lesson stays internal; the unlisted one's is published, scrubbed, without its ID."""
    out, ids = hostile_site
    published = sorted(p.parent.name for p in (out / "kb").glob("*/index.html"))
    assert len(published) == 2 and len(list((desk_root / "kb").glob("*.md"))) == 3
    unlisted_slug = next(s for s in published if s.startswith("scanner-of"))
    page = (out / "kb" / unlisted_slug / "index.html").read_text(encoding="utf-8")
    assert "Learned from a request" in page and "Re-paired it for" in page
    index = json.loads((out / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert {d["location"].split("/")[1] for d in index["docs"] if d["location"].startswith("kb/")} - {""} <= set(
        published
    )


def test_json_and_feed_of_the_injection_desk(hostile_site):
    out, ids = hostile_site
    assert check_machine_outputs(out) >= 4


def test_unlisted_page_exists_only_at_its_token(hostile_site):
    out, ids = hostile_site
    token = unlisted_token(KEY, ids["unlisted"])
    assert (out / "t" / token / "index.html").exists()
    for path, text in every_file(out):
        if not path.is_relative_to(out / "t"):
            assert token not in text and ids["unlisted"] not in text, path


def test_customer_text_is_escaped_everywhere(hostile_site):
    out, ids = hostile_site
    for path, text in every_file(out):
        if path.suffix != ".html":
            continue
        assert "<script>alert" not in text, path
        assert not re.search(r'href="\s*javascript:', text, re.I), path
        assert "<img src=x" not in text, path
    page = (out / "tickets" / ids["public"] / "index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&#x27;pwned&#x27;)&lt;/script&gt;" in page
    assert "[click me](javascript:alert(&#x27;pwned&#x27;))" in page  # shown as text, not a link


def test_ticket_json_carries_only_customer_fields(hostile_site):
    out, ids = hostile_site
    view = json.loads((out / "api" / "tickets" / f"{ids['public']}.json").read_text())
    assert set(view) == {
        "id",
        "url",
        "title",
        "language",
        "status",
        "status_text",
        "priority",
        "tier",
        "queue",
        "created",
        "updated",
        "resolved",
        "description",
        "timeline",
        "solution",
        "children",
        "parent",
        "duplicate_of",
        "next_update_due",
        "next_update_overdue",
        "survey",
        # the customer's journey (issue 14): what we asked, what they asked us to change, their verdict
        "solution_heading",
        "last_update",
        "timezone",
        "as_of",
        "question",
        "answer_mailto",
        "answer_address",
        "feedback",
        "review",
        "next_step",
        "reason",
        # when the next step is due (issue 14 part 3)
        "first_response_due",
        "resolution_due",
        "resolution_paused",
        "next_step_due",
        "next_step_overdue",
    }
    assert "[removed]" in view["description"]


def test_without_a_key_unlisted_tickets_are_not_published(desk_root, cli_invoke, tmp_path):
    from gitdesk.site.run import build

    ticket = open_sentinel(cli_invoke, "Quiet request", "unlisted")
    result = build(desk_root, tmp_path / "out")
    assert result.unpublished_unlisted == 1
    assert not (tmp_path / "out" / "t").exists()
    assert all(ticket not in text for _, text in every_file(tmp_path / "out"))
    assert os.environ.get("GITDESK_SITE_KEY") is None


def test_names_in_any_form_old_names_other_spacing_and_hidden_ids_never_reach_the_site(
    desk_root, cli_invoke, clock, monkeypatch, tmp_path
):
    """The red-team audit's leaks, end to end: the requester's name in NFD, without accents and after
    Turkish dotted capitals, their name before `edit --requester`, their phone spaced otherwise, the
    domain of their address, and the IDs of private and unlisted tickets in published text."""
    import unicodedata

    from gitdesk.site.run import build

    monkeypatch.setenv("GITDESK_SITE_KEY", KEY)
    new = ("new", "--json", "--requester")
    private = json.loads(cli_invoke(*new, "Pat <pat@example.com>", "Hidden one", "--visibility", "private").stdout)
    unlisted = json.loads(cli_invoke(*new, "Pat <pat@example.com>", "Quiet one", "--visibility", "unlisted").stdout)
    hidden = [private["id"], unlisted["id"]]
    nfd = unicodedata.normalize("NFD", "José Núñez")
    body = (
        f"İİİİİİİİ Please call José Núñez at Secretcorp. Signed {nfd}, aka Jose Nunez (was Quentin Zorblax). "
        f"Ring 12-34-56-78 or +45 12.34.56.78. Same as {hidden[0]} and {hidden[1].upper()}."
    )
    out = cli_invoke(*new, "Quentin Zorblax <quentin@zorbhouse.example>", "Printer jams", "--body", body)
    public = json.loads(out.stdout)["id"]
    cli_invoke("edit", public, "--requester", "José Núñez <jose@secretcorp.example>", "--phone", "1234 5678")
    cli_invoke("edit", public, "--visibility", "public")
    full_life(cli_invoke, clock, public, f"Told JOSE NUNEZ at 1234-5678; see {hidden[0]}")
    cli_invoke(
        "survey",
        public,
        "--score",
        "3",
        "--right-questions",
        "yes",
        "--time",
        "adequate",
        "--replace",
        "--improve",
        f"İİ Quentin Zorblax says {hidden[0]} and {hidden[1]} took long; ring 12 34 5678",
    )
    site = tmp_path / "site"
    build(desk_root, site)
    page = (site / "tickets" / public / "index.html").read_text(encoding="utf-8")
    assert "İİİİİİİİ Please call" in page  # the page and its text are there: the checks below can fail
    assert "Printer jams" in (site / "search" / "search_index.json").read_text(encoding="utf-8")
    assert "took long; ring [removed]" in (site / "surveys" / "index.html").read_text(encoding="utf-8")
    leaks = [
        "José",
        "Jose",
        "Núñez",
        "Nunez",
        "Nun\u0303ez",
        "Quentin",
        "Zorblax",
        "Zorbhouse",
        "Secretcorp",
        "12-34-56-78",
        "12.34.56.78",
        "1234-5678",
        "12 34 5678",
        "1234 5678",
        *hidden,
        hidden[1].upper(),
    ]
    unlisted_page = f"t/{unlisted_token(KEY, unlisted['id'])}/"
    for path, text in every_file(site):
        if path.relative_to(site).as_posix().startswith(unlisted_page):
            continue  # the unlisted ticket's own page names itself
        folded = unicodedata.normalize("NFC", text).casefold()
        found = [leak for leak in leaks if unicodedata.normalize("NFC", leak).casefold() in folded]
        assert not found, (path.relative_to(site), found)
