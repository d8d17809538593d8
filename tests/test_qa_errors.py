"""Bad input across commands, as a support team would meet it: one line on stderr, naming the
file or field, a non-zero exit and an untouched repository; never a traceback."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import git
from gitdesk.cli.main import cli

MAIL = Path(__file__).parent / "fixtures" / "mail"


def snapshot(root: Path) -> tuple[str, dict[str, str]]:
    """HEAD and every file outside .git with its hash: equal snapshots mean an untouched repo."""
    head = subprocess.run(
        ["git", "rev-parse", "-q", "--verify", "HEAD"], cwd=root, capture_output=True, text=True
    ).stdout.strip()
    files = {
        str(p.relative_to(root)): hashlib.sha1(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }
    dirs = {
        str(p.relative_to(root)): "dir"
        for p in root.rglob("*")
        if p.is_dir() and ".git" not in p.relative_to(root).parts
    }
    return head, {**files, **dirs}


def refused(result, *words: str, code: int | None = None) -> str:
    """The contract for bad input: exactly one plain line on stderr, a non-zero exit."""
    err = result.stderr
    assert result.exit_code != 0, result.output
    if code is not None:
        assert result.exit_code == code, (result.exit_code, err)
    assert len(err.strip().splitlines()) == 1, err
    assert err.startswith("gitdesk: ") and "Traceback" not in err and "internal error" not in err, err
    for word in words:
        assert word in err, (word, err)
    return err


def run(root: Path, *args: str, input: bytes | str | None = None):
    return CliRunner().invoke(cli, ["--desk", str(root), *args], input=input)


# -- where there is no desk ----------------------------------------------------------------
@pytest.mark.parametrize(
    "args",
    [
        ("list",),
        ("show", "x"),
        ("new", "T", "--requester", "a@b.example"),
        ("due",),
        ("sla",),
        ("report",),
        ("kb", "search", "vpn"),
        ("intake", "retry"),
    ],
)
def test_outside_git_one_line(tmp_path, args):
    before = snapshot(tmp_path)
    refused(run(tmp_path, *args), "not inside a git repository")
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize(
    "args", [("new", "T", "--requester", "a@b.example"), ("list",), ("note", "x", "hi"), ("install",)]
)
def test_git_repo_that_is_no_desk_is_left_alone(tmp_path, args):
    """An empty repository (no commits, no gitdesk.yml): nothing may be committed into it."""
    git(tmp_path, "init", "-q")
    before = snapshot(tmp_path)
    refused(run(tmp_path, *args), "not a desk", "gitdesk init")
    assert snapshot(tmp_path) == before and not (tmp_path / "tickets").exists()
    assert "merge.gitdesk" not in (tmp_path / ".git" / "config").read_text()


def test_mail_to_a_repo_that_is_no_desk_is_not_taken(tmp_path):
    git(tmp_path, "init", "-q")
    result = run(tmp_path, "intake", "email", str(MAIL / "plain.eml"))
    refused(result, "not a desk", "sender will retry", code=75)
    assert git(tmp_path, "status", "--porcelain") == ""


# -- environment and arguments ---------------------------------------------------------------
def test_bad_gitdesk_now_is_named(desk_root, open_ticket, monkeypatch):
    tid = open_ticket()
    before = snapshot(desk_root)
    monkeypatch.setenv("GITDESK_NOW", "yesterday")
    refused(run(desk_root, "note", tid, "hello"), "GITDESK_NOW", "'yesterday'", code=2)
    assert snapshot(desk_root) == before


def test_escalating_past_the_last_tier_does_not_list_escalate_as_allowed(desk_root, open_ticket):
    tid = open_ticket()
    before = snapshot(desk_root)
    err = refused(run(desk_root, "escalate", tid, "--tier", "7", "--reason", "vendor"), "3 tiers", "tier 7")
    assert "allowed" not in err
    assert snapshot(desk_root) == before


@pytest.mark.parametrize(
    "args, words",
    [
        (("intake", "email", "missing.eml"), ["missing.eml", "No such file"]),
        (("intake", "github-issue", "missing.json"), ["missing.json"]),
        (("intake", "mbox", "missing.mbox"), ["missing.mbox"]),
        (("intake", "slack"), ["FILE|-"]),
        (("kb", "search"), ["TEXT"]),
        (("show",), ["ID"]),
    ],
)
def test_missing_file_or_argument(desk_root, args, words):
    before = snapshot(desk_root)
    refused(run(desk_root, *args), *words, code=2)
    assert snapshot(desk_root) == before


def test_a_single_message_is_not_an_mbox(desk_root):
    before = snapshot(desk_root)
    refused(run(desk_root, "intake", "mbox", str(MAIL / "plain.eml")), "plain.eml", "not an mbox", code=2)
    assert snapshot(desk_root) == before


@pytest.mark.parametrize("raw", [b"", b"\n\n  \n"])
def test_empty_mail_is_refused_not_spooled(desk_root, raw):
    before = snapshot(desk_root)
    refused(run(desk_root, "intake", "email", "-", input=raw), "empty input", code=2)
    assert snapshot(desk_root) == before
    assert not (desk_root / ".git" / "gitdesk" / "spool").exists()


def test_garbage_mail_is_held_with_its_reason(desk_root):
    """It can never succeed: held for a person (exit 0, see docs/intake.md), not retried forever."""
    raw = b"\x00\xff\xfe this is not an email"
    before = snapshot(desk_root)
    result = run(desk_root, "intake", "email", "-", input=raw)
    assert result.exit_code == 0 and "held for a person" in result.output and "From:" in result.output
    assert snapshot(desk_root) == before
    [kept] = (desk_root / ".git" / "gitdesk" / "spool" / "held").glob("*.eml")
    assert kept.read_bytes() == raw


# -- a malformed ticket somewhere in the desk ---------------------------------------------
BROKEN = "---\nid: HD-broken01\ntitle: [unclosed\nstatus: new\n---\nbody\n"


@pytest.mark.parametrize(
    "args",
    [
        ("list",),
        ("list", "--all", "--json"),
        ("show", "broken"),
        ("due",),
        ("sla",),
        ("report",),
        ("new", "T", "--requester", "a@b.example"),
    ],
)
def test_malformed_ticket_is_named_with_its_line(desk_root, open_ticket, args):
    open_ticket()
    (desk_root / "tickets" / "HD-broken01.md").write_text(BROKEN)
    before = snapshot(desk_root)
    result = run(desk_root, *args)
    if args[0] == "new":  # opening a ticket needs no other ticket: it works and commits only its own file
        assert result.exit_code == 0, result.output
        assert "tickets/HD-broken01.md" not in git(desk_root, "show", "--name-only", "--format=", "HEAD")
        return
    if args[0] in ("list", "due", "sla", "report"):  # whole-desk reads leave it out, name it once, exit 65
        assert result.exit_code == 65, result.output
        (warning,) = result.stderr.splitlines()
        assert "tickets/HD-broken01.md:4: invalid YAML" in warning and "HD-broken01" not in result.stdout
        assert snapshot(desk_root) == before
        return
    if "--json" in args:  # the same error as one JSON object (tests/test_json_errors.py)
        error = json.loads(result.stderr)
        assert (error["file"], error["line"], error["code"]) == ("tickets/HD-broken01.md", 4, result.exit_code)
        assert "invalid YAML" in error["error"] and result.exit_code == 1
    else:
        refused(result, "tickets/HD-broken01.md:4", "invalid YAML")
    assert snapshot(desk_root) == before


def test_a_malformed_ticket_does_not_stop_intake_of_a_new_request(desk_root, open_ticket):
    """One bad ticket does not take down the desk (issue 12): the new mail becomes a ticket; the bad file stays."""
    open_ticket()
    broken = desk_root / "tickets" / "HD-broken01.md"
    broken.write_text(BROKEN)
    before = set((desk_root / "tickets").glob("*.md"))
    result = run(desk_root, "intake", "email", str(MAIL / "plain.eml"))
    assert result.exit_code == 0, result.output
    opened = set((desk_root / "tickets").glob("*.md")) - before
    assert len(opened) == 1 and broken.read_text() == BROKEN
    assert not list((desk_root / ".git" / "gitdesk" / "spool").glob("*.eml"))  # nothing left to retry


def test_kb_search_does_not_need_the_tickets(desk_root, open_ticket):
    (desk_root / "tickets" / "HD-broken01.md").write_text(BROKEN)
    assert run(desk_root, "kb", "search", "printer").exit_code == 0


# -- a malformed gitdesk.yml, section by section ---------------------------------------------
CONFIG_CASES = [
    ("priorities:\n  P1: {criteria: x}\n", ("due",), "priorities.P1.response", 1),
    (
        "priorities: {P1: {criteria: x, response: soon, resolution: 1d, checkin: 1d}}\n",
        ("sla",),
        "priorities.P1.response",
        1,
    ),
    ("queues: 5\n", ("new", "T", "--requester", "a@b.example"), "queues", 1),
    ("queues: {Bad Name: x}\n", ("list", "--json"), None, 0),  # list needs no config
    ("queues: {Bad Name: x}\n", ("list", "--queue", "netwrok"), "queues.Bad Name", 1),
    ("calendar: {timezone: Mars/Olympus}\n", ("sla",), "calendar.timezone", 1),
    ("calendar: {hours: '25:00-17:00'}\n", ("report",), "calendar.hours", 1),
    (
        "intake: {routes: [{keyword: vpn, queue: nowhere}]}\n",
        ("intake", "email", str(MAIL / "plain.eml")),
        "intake.routes[0].queue",
        75,
    ),
    ("intake: {max_attachment: lots}\n", ("intake", "email", str(MAIL / "plain.eml")), "intake.max_attachment", 75),
    ("mail: {from: 12}\n", ("notify", "{tid}"), "mail.from", 1),
    (
        "mail: {from: 'Desk <help@desk.example>', smtp: {host: localhost, port: abc}}\n",
        ("notify", "{tid}"),
        "mail.smtp.port",
        1,
    ),
    ("matrix: 3\n", ("priorities",), "matrix", 1),
    ("prefix: [a\n", ("due",), "gitdesk.yml: line", 1),
    ("- a list\n", ("new", "T", "--requester", "a@b.example"), "(top level)", 1),
]


@pytest.mark.parametrize("extra, args, key, code", CONFIG_CASES)
def test_malformed_config_names_the_key(desk_root, open_ticket, extra, args, key, code):
    tid = open_ticket()
    config = desk_root / "gitdesk.yml"
    config.write_text(extra if extra.startswith(("- ", "prefix")) else config.read_text() + "\n" + extra)
    before = snapshot(desk_root)
    result = run(desk_root, *[a.replace("{tid}", tid) for a in args])
    if key is None:
        assert result.exit_code == code, result.output
    else:
        refused(result, key, code=code)
    assert snapshot(desk_root) == before


def test_list_names_a_mistyped_queue_and_shows_single_events_in_the_singular(desk_root, open_ticket):
    tid = open_ticket()
    refused(run(desk_root, "list", "--queue", "netwrok"), "'netwrok' is not one of the queues", "service-desk", code=2)
    assert run(desk_root, "list", "--queue", "service-desk").stdout.count(tid) == 1
    assert "History (1 event)" in run(desk_root, "show", tid).stdout


def test_hand_edited_unknown_status(desk_root, open_ticket):
    """show still shows the ticket; a verb names the file and the field, not 'allowed from foo: none'."""
    tid = open_ticket()
    path = desk_root / "tickets" / f"{tid}.md"
    path.write_text(path.read_text().replace("status: new", "status: foo", 1))
    git(desk_root, "commit", "-qam", "hand edit")
    before = snapshot(desk_root)
    shown = run(desk_root, "show", tid)
    assert shown.exit_code == 0, shown.output
    assert "not a gitdesk status" in shown.stdout and "clocks      unavailable: status 'foo'" in shown.stdout
    refused(run(desk_root, "note", tid, "hi"), f"tickets/{tid}.md", "status: 'foo' is not one of")
    refused(
        run(
            desk_root,
            "intake",
            "email",
            "-",
            input=f"From: bob@example.com\nSubject: Re: [{tid}] x\nMessage-ID: <r1@example.com>\n\nthanks\n",
        ),
        "status: 'foo'",
        code=75,
    )
    assert snapshot(desk_root) == before


def test_mail_settings_blame_the_environment_when_it_is_the_culprit(desk_root, open_ticket, monkeypatch):
    tid = open_ticket()
    monkeypatch.setenv("GITDESK_MAIL_FROM", "Desk <help@desk.example>")
    monkeypatch.setenv("GITDESK_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("GITDESK_SMTP_PORT", "smtp")
    err = refused(run(desk_root, "notify", tid), "environment: GITDESK_SMTP_PORT: 'smtp' is not a port number")
    assert "gitdesk.yml" not in err
    monkeypatch.delenv("GITDESK_SMTP_PORT")
    config = desk_root / "gitdesk.yml"
    config.write_text(config.read_text() + "\nmail: {smtp: {timeout: soon}}\n")
    refused(run(desk_root, "notify", tid), "gitdesk.yml: mail.smtp.timeout: 'soon'")


def test_closing_again_after_a_reopen_extends_the_same_article(desk_root, open_ticket):
    from gitdesk.desk.facade import Desk

    tid = open_ticket()
    desk = Desk(desk_root)
    desk.prioritise(tid, "P3")
    for lesson in ("Rollers wear out", "Check the counter first"):
        desk.start(tid) if desk.get(tid).status == "triaged" else desk.reopen(tid, "jams again")
        desk.propose(tid, "Replace the rollers")
        desk.review(tid, True, "carol")
        desk.close(tid, lesson, kb_slug="printer-rollers" if lesson.startswith("Rollers") else None)
    articles = sorted(p.name for p in (desk_root / "kb").glob("*.md"))
    assert articles == ["printer-rollers.md"], articles
    text = (desk_root / "kb" / "printer-rollers.md").read_text()
    assert "Rollers wear out" in text and "Check the counter first" in text


def test_a_tab_completed_ticket_path_names_the_ticket(desk_root, open_ticket):
    tid = open_ticket()
    for ref in (f"tickets/{tid}.md", f"./tickets/{tid}.md", f"{tid}.md"):
        shown = run(desk_root, "show", ref)
        assert shown.exit_code == 0 and shown.stdout.startswith(tid), (ref, shown.output)
    refused(run(desk_root, "note", "tickets/HD-zzzzzzzz.md", "x"), "no ticket matches 'HD-zzzzzzzz'")


def test_a_readme_in_tickets_is_not_a_ticket(cli_invoke, open_ticket, desk_root):
    """Readers skip files that are not PREFIX-id.md; validate still tells the desk it is there."""
    tid = open_ticket("Printer jams")
    (desk_root / "tickets" / "README.md").write_text("# Our tickets\n\nOne file per request.\n")
    for args in (("list", "--all"), ("due",), ("report",), ("show", tid)):
        result = cli_invoke(*args)
        assert "README" not in result.output
    assert tid in cli_invoke("list", "--all").output
    checked = cli_invoke("validate", ok=False)
    assert checked.exit_code == 1 and "tickets/README.md" in checked.output
