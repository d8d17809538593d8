"""Small hostile ticket files cannot stall or crash the desk: each is refused with one line naming the file."""

from __future__ import annotations

import pytest

from gitdesk.core.ticket import MAX_TICKET_BYTES, parse
from gitdesk.errors import ExitCode, MalformedTicket

LAUGHS = (
    "---\nid: HD-1\na: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
    + "".join(f"{k}: &{k} [{', '.join([f'*{p}'] * 9)}]\n" for p, k in zip("abcdefgh", "bcdefghi", strict=True))
    + "---\n"
)


@pytest.mark.parametrize(
    "text, problem",
    [
        (LAUGHS, "tickets/HD-1.md:3: YAML anchors and aliases"),
        ("---\nid: HD-1\ntier: " + "9" * 5000 + "\n---\n", "tickets/HD-1.md: invalid value: a number too long"),
        ("---\nid: HD-1\ncreated: 9999-12-31T23:59:59-05:00\n---\n", "tickets/HD-1.md:2: a timestamp is out of range"),
        ("---\nid: HD-1\ncreated: 2026-02-30\n---\n", "tickets/HD-1.md: invalid value: day is out of range"),
        ("---\nid: HD-1\ntitle: " + "x" * (MAX_TICKET_BYTES + 1) + "\n---\n", "tickets/HD-1.md: front matter larger"),
    ],
)
def test_refused_with_one_line(text, problem):
    with pytest.raises(MalformedTicket) as err:
        parse(text, "tickets/HD-1.md")
    assert str(err.value).startswith(problem) and "\n" not in str(err.value)


def test_ampersands_and_stars_in_values_are_not_anchors():
    t = parse("---\nid: HD-1\ntitle: Fish & chips, *urgent*\nnote: 'a &b *c'\n---\nR&D *bold*\n", "t.md")
    assert t.title == "Fish & chips, *urgent*" and t.meta["note"] == "a &b *c"


def test_validate_names_the_file_for_a_billion_laughs(cli_invoke, desk_root):
    (desk_root / "tickets" / "HD-aaaa1111.md").write_text(LAUGHS.replace("HD-1", "HD-aaaa1111"))
    result = cli_invoke("validate", ok=False)
    assert result.exit_code == 1 and "tickets/HD-aaaa1111.md:3: YAML anchors and aliases" in result.output


def _git(root, *args):
    import subprocess

    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True).stdout


def test_symlink_directory_and_fifo_named_like_tickets(cli_invoke, desk, desk_root):
    import os

    real = desk.open("Printer jams", {"name": "Bob", "email": "bob@example.com"}).id
    base = _git(desk_root, "rev-parse", "HEAD").strip()
    tickets = desk_root / "tickets"
    os.symlink("/etc/passwd", tickets / "HD-link0001.md")
    (tickets / "HD-dir00001.md").mkdir()
    (tickets / "HD-dir00001.md" / "x").write_text("x")
    os.mkfifo(tickets / "HD-fifo0001.md")
    whole = cli_invoke("validate", ok=False).output  # never blocks on the FIFO
    assert "tickets/HD-link0001.md:1: a symlink named like a desk file" in whole
    assert "tickets/HD-dir00001.md:1: a directory named like a desk file" in whole
    assert "tickets/HD-fifo0001.md:1: a FIFO, socket or device named like a desk file" in whole
    assert "root:" not in whole  # the symlink's target was never read
    listed = cli_invoke("list", ok=False)  # readers skip them with a warning each (and do not hang)
    assert listed.exit_code == ExitCode.DATAERR
    assert real in listed.output and "link0001" not in listed.output.split("gitdesk: warning")[0]
    assert "gitdesk: warning: skipped tickets/HD-link0001.md: a symlink" in listed.output
    assert "gitdesk: warning: skipped tickets/HD-dir00001.md: a directory" in listed.output
    assert "gitdesk: warning: skipped tickets/HD-fifo0001.md: a FIFO, socket or device" in listed.output
    os.unlink(tickets / "HD-fifo0001.md")  # git cannot hold a FIFO
    _git(desk_root, "add", "-A")
    staged = cli_invoke("validate", "--staged", ok=False)
    assert staged.exit_code == ExitCode.FAILED
    assert "tickets/HD-link0001.md:1: a symlink named like a desk file" in staged.output
    assert "tickets/HD-dir00001.md:1: a directory named like a desk file" in staged.output
    _git(desk_root, "commit", "-qm", "smuggle")
    since = cli_invoke("validate", "--base", base, ok=False).output
    assert "tickets/HD-link0001.md:1: a symlink named like a desk file" in since
    assert "tickets/HD-dir00001.md:1: a directory named like a desk file" in since


def test_a_ticket_without_id_is_refused_by_verbs(cli_invoke, desk, desk_root):
    t = desk.open("Printer jams", {"name": "Bob", "email": "bob@example.com"})
    path = desk_root / "tickets" / f"{t.id}.md"
    path.write_text(path.read_text().replace(f"id: {t.id}\n", ""))
    result = cli_invoke("note", t.id, "hello", ok=False)
    assert result.exit_code != 0 and f"tickets/{t.id}.md:2: no 'id:' field" in result.output
    assert not (desk_root / "tickets" / ".md").exists()


HAND_EDITS = {  # committed by hand, so the verbs meet them as the desk's truth
    "no id": (r"^id: .*\n", "", "no 'id:' field; add one equal to the file name"),
    "5,000-digit tier": (r"^tier: .*$", "tier: " + "9" * 5000, "a number too long to read"),
    "product: [a, b]": (r"^product: .*$", "product: [a, b]", "product must be a mapping"),
    "created past 9999": (r"^created: .*$", "created: 9999-12-31T23:59:59-05:00", "out of range"),
    "created in year 10000": (r"^created: .*$", "created: '10000-01-01T00:00:00Z'", "created"),
    "children: 123": (r"^history:", "children: 123\nhistory:", "children must be"),
}
VERBS = [
    ("note", "{id}", "hello"),
    ("assign", "{id}", "--to", "alice"),
    ("prioritise", "{id}", "P3"),
    ("edit", "{id}", "--title", "New title"),
    ("contact", "{id}", "--via", "phone", "--summary", "called"),
    ("escalate", "{id}", "--reason", "needs tier 2"),
    ("split", "{id}", "--into", "a", "--into", "b"),
    ("cancel", "{id}", "--reason", "not needed"),
]


@pytest.mark.parametrize("edit", sorted(HAND_EDITS))
def test_every_verb_refuses_a_hostile_hand_edit_with_one_line_and_commits_nothing(edit, cli_invoke, desk, desk_root):
    import re

    t = desk.open("Printer jams", {"name": "Bob", "email": "bob@example.com"})
    pattern, replacement, problem = HAND_EDITS[edit]
    path = desk_root / "tickets" / f"{t.id}.md"
    path.write_text(re.sub(pattern, replacement.replace("\\", "\\\\"), path.read_text(), count=1, flags=re.M))
    _git(desk_root, "commit", "-qam", f"hand edit: {edit}")
    head = _git(desk_root, "rev-parse", "HEAD")
    for verb in VERBS:
        if edit == "children: 123" and verb[0] == "split":
            continue  # split writes the children list anew: a repair, judged by the gate like any write
        result = cli_invoke(*[a.replace("{id}", t.id) for a in verb], ok=False)
        assert result.exit_code == ExitCode.FAILED, (verb, result.output)
        assert "internal error" not in result.output and result.output.strip().count("\n") == 0, (verb, result.output)
        assert f"tickets/{t.id}.md" in result.output and problem in result.output, (verb, result.output)
        assert _git(desk_root, "rev-parse", "HEAD") == head and not (desk_root / "tickets" / ".md").exists()
    shown = cli_invoke("show", t.id, ok=False)  # shows the ticket, or refuses it with its one line
    assert "internal error" not in shown.output and shown.exit_code in (0, ExitCode.FAILED), shown.output
    for reader in (("list", "--all"), ("report",), ("sla",), ("due",), ("site", "build", "--out", "site")):
        result = cli_invoke(*reader, ok=False)
        assert result.exit_code in (0, ExitCode.DATAERR) and "internal error" not in result.output, (
            reader,
            result.output,
        )
    validated = cli_invoke("validate", ok=False)
    assert validated.exit_code == ExitCode.FAILED and f"tickets/{t.id}.md:" in validated.output


def test_control_characters_in_a_hand_edited_title_never_reach_the_terminal(cli_invoke, desk, desk_root):
    t = desk.open("Printer jams", {"name": "Bob", "email": "bob@example.com"})
    path = desk_root / "tickets" / f"{t.id}.md"
    evil = '"Printer \\e[2J\\e]0;pwned\\a jams\\u2028now\\x85 \\u202eevil"'
    path.write_text(path.read_text().replace("title: Printer jams", f"title: {evil}"))
    _git(desk_root, "commit", "-qam", "a title typed with escapes")
    for args in (("list",), ("list", "--all"), ("show", t.id)):
        for _ in range(2):  # the second time from the read index's rendered lines
            out = cli_invoke(*args).output
            assert t.id in out and "\ufffd[2J" in out, args
            assert not any(c in out for c in "\x1b\x07\u2028\x85\u202e"), (args, out)
    refused = cli_invoke("validate", ok=False)
    assert f"tickets/{t.id}.md:3: title holds a control character (U+001B" in refused.output
    typed = cli_invoke("new", "Evil \x1b[2J title", "--requester", "Bob <bob@example.com>", ok=False)
    assert typed.exit_code == ExitCode.FAILED and "title holds a control character (U+001B" in typed.output
