"""The ticket merge driver: pure field-by-field cases, then through real `git merge` in real repos."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from gitdesk.core.merge import merge_ticket
from gitdesk.core.ticket import dump, parse
from gitdesk.git.repo import GitRepo

REQ = {"name": "Bob Smith", "email": "bob@example.com"}
BASE = """---
id: HD-aaaaaaaa
title: Printer jams
status: in_progress
priority: P3
queue: hardware
assignee: null
requester:
  name: Bob
  email: bob@example.com
created: '2026-03-02T09:00:00Z'
updated: '2026-03-02T09:10:00Z'
history:
- at: '2026-03-02T09:00:00Z'
  by: ada
  action: open
  from: null
  to: new
- at: '2026-03-02T09:05:00Z'
  by: ada
  action: prioritise
  from: new
  to: triaged
  priority: P3
- at: '2026-03-02T09:10:00Z'
  by: ada
  action: start
  from: triaged
  to: in_progress
---

Tray 2 jams.
"""


def change(text: str, fn) -> str:  # type: ignore[no-untyped-def]
    t = parse(text)
    fn(t)
    return dump(t)


def note(at: str, text: str, status: str = "in_progress"):  # type: ignore[no-untyped-def]
    def add(t):  # type: ignore[no-untyped-def]
        t.history.append({"at": at, "by": "ada", "action": "note", "from": status, "to": status, "text": text})
        t.meta["updated"] = at

    return add


def merge(base: str, ours: str, theirs: str) -> tuple[str, bool]:
    return merge_ticket(base, ours, theirs, GitRepo(Path.cwd()).merge_text)


def test_fields_changed_on_one_side_each_are_both_taken():
    ours = change(BASE, lambda t: t.meta.update(assignee="carol"))
    theirs = change(BASE, lambda t: t.meta.update(priority="P2", queue="network"))
    text, conflict = merge(BASE, ours, theirs)
    assert not conflict
    meta = parse(text).meta
    assert (meta["assignee"], meta["priority"], meta["queue"]) == ("carol", "P2", "network")
    assert list(meta) == list(parse(BASE).meta)  # key order kept


def test_histories_are_united_in_time_order_without_duplicates():
    ours = change(BASE, note("2026-03-02T10:00:00Z", "ours"))
    theirs = change(BASE, note("2026-03-02T09:30:00Z", "theirs"))
    text, conflict = merge(BASE, ours, theirs)
    assert not conflict
    t = parse(text)
    assert [e.get("text") for e in t.history[-2:]] == ["theirs", "ours"]
    assert len(t.history) == 5
    assert t.meta["updated"] == "2026-03-02T10:00:00Z"


def test_a_real_conflict_marks_only_that_field():
    ours = change(BASE, lambda t: t.meta.update(priority="P1"))
    theirs = change(BASE, lambda t: t.meta.update(priority="P4", assignee="carol"))
    text, conflict = merge(BASE, ours, theirs)
    assert conflict
    assert "<<<<<<< ours\npriority: P1\n=======\npriority: P4\n>>>>>>> theirs\n" in text
    assert text.count("<<<<<<<") == 1
    assert "assignee: carol" in text


def test_new_keys_and_deleted_keys():
    ours = change(BASE, lambda t: t.meta.pop("assignee"))
    theirs = change(BASE, lambda t: t.set("location", "Floor 3"))
    text, conflict = merge(BASE, ours, theirs)
    assert not conflict
    meta = parse(text).meta
    assert "assignee" not in meta and meta["location"] == "Floor 3"


def test_a_note_after_the_other_sides_status_change_follows_the_new_status():
    def wait(t):  # type: ignore[no-untyped-def]
        t.history.append(
            {
                "at": "2026-03-02T09:30:00Z",
                "by": "ada",
                "action": "wait",
                "from": "in_progress",
                "to": "waiting",
                "question": "Which tray?",
            }
        )
        t.meta["status"] = "waiting"

    ours = change(BASE, note("2026-03-02T10:00:00Z", "ours"))
    theirs = change(BASE, wait)
    text, conflict = merge(BASE, ours, theirs)
    assert not conflict
    t = parse(text)
    assert t.meta["status"] == "waiting"
    last = t.history[-1]
    assert (last["text"], last["from"], last["to"]) == ("ours", "waiting", "waiting")


def wait_at(at: str, question: str = "Which tray?"):  # type: ignore[no-untyped-def]
    def add(t):  # type: ignore[no-untyped-def]
        t.history.append(
            {"at": at, "by": "ada", "action": "wait", "from": "in_progress", "to": "waiting", "question": question}
        )
        t.meta.update(status="waiting", updated=at)

    return add


def inbound_at(at: str):  # type: ignore[no-untyped-def]
    def add(t):  # type: ignore[no-untyped-def]
        status = t.meta["status"]
        to = "in_progress" if status == "waiting" else status
        event = {"at": at, "by": "bob", "action": "contact", "from": status, "to": to}
        t.history.append({**event, "via": "email", "direction": "inbound", "summary": "Tray 2"})
        t.meta.update(status=to, updated=at)

    return add


def test_a_wait_and_a_later_inbound_contact_replay_into_waiting_then_in_progress():
    text, conflicts = merge(
        BASE, change(BASE, wait_at("2026-03-02T10:00:00Z")), change(BASE, inbound_at("2026-03-02T10:05:00Z"))
    )
    assert conflicts == []
    t = parse(text)
    assert [(e["action"], e["from"], e["to"]) for e in t.history[-2:]] == [
        ("wait", "in_progress", "waiting"),
        ("contact", "waiting", "in_progress"),
    ]
    assert t.meta["status"] == "in_progress"


def test_an_inbound_contact_before_the_other_sides_wait_leaves_it_waiting():
    text, conflicts = merge(
        BASE, change(BASE, wait_at("2026-03-02T10:05:00Z")), change(BASE, inbound_at("2026-03-02T10:00:00Z"))
    )
    assert conflicts == []
    t = parse(text)
    assert [(e["action"], e["from"], e["to"]) for e in t.history[-2:]] == [
        ("contact", "in_progress", "in_progress"),
        ("wait", "in_progress", "waiting"),
    ]
    assert t.meta["status"] == "waiting"


def test_no_valid_replay_is_a_conflict_on_status_and_history_that_names_the_events():
    def propose(t):  # type: ignore[no-untyped-def]
        at = "2026-03-02T10:05:00Z"
        t.history.append(
            {"at": at, "by": "cy", "action": "propose", "from": "in_progress", "to": "proposed", "solution": "x"}
        )
        t.meta.update(status="proposed", updated=at)

    text, conflicts = merge(BASE, change(BASE, wait_at("2026-03-02T10:00:00Z")), change(BASE, propose))
    assert conflicts == [
        "status, history: no valid order of both sides' events: theirs' propose at 2026-03-02T10:05:00Z is not "
        "allowed from 'waiting' after ours' wait at 2026-03-02T10:00:00Z; keep one side's status and history"
    ]
    assert text.count("<<<<<<< ours\n") == 2 and "<<<<<<< ours\nstatus: waiting\n" in text


def test_two_waits_agree_on_the_status_but_not_on_the_history():
    text, conflicts = merge(
        BASE, change(BASE, wait_at("2026-03-02T10:00:00Z", "a?")), change(BASE, wait_at("2026-03-02T10:01:00Z", "b?"))
    )
    assert len(conflicts) == 1 and "ours' wait at 2026-03-02T10:01:00Z" not in conflicts[0]
    assert "theirs' wait at 2026-03-02T10:01:00Z is not allowed from 'waiting'" in conflicts[0]
    assert "\nstatus: waiting\n" in text.split("<<<<<<<")[0]  # the status itself is agreed, outside the markers
    assert text.count("<<<<<<< ours\n") == 1


def test_a_merge_that_breaks_a_validate_rule_is_reported_as_a_conflict():
    ours = change(BASE, lambda t: t.meta.update(tier=0))  # a hand edit validate refuses (tiers start at 1)
    theirs = change(BASE, note("2026-03-02T10:00:00Z", "theirs"))
    text, conflicts = merge(BASE, ours, theirs)
    assert "<<<<<<<" not in text
    assert conflicts == [
        "the merged ticket breaks a rule of gitdesk validate: tier '0' must be a whole number from 1 to 99"
    ]


def test_bodies_merge_three_ways():
    base = BASE + "\nLine two.\n\nLine three.\n"
    ours = base.replace("Tray 2 jams.", "Tray 2 jams daily.")
    theirs = base.replace("Line three.", "Line three, edited.")
    text, conflict = merge(base, ours, theirs)
    assert not conflict
    assert "Tray 2 jams daily." in text and "Line three, edited." in text


def test_an_unparseable_side_falls_back_to_a_line_merge():
    ours = BASE.replace("---\nid", "--\nid", 1)
    theirs = BASE.replace("P3", "P2", 1)
    text, conflict = merge(BASE, ours, theirs)
    assert "--\nid" in text  # the fallback kept our text rather than inventing a ticket


# -- through real git merge ---------------------------------------------------------------------
def git(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=root, check=check, capture_output=True, text=True)


@pytest.fixture
def installed(desk_root, cli_invoke, monkeypatch):
    """The desk with the driver registered as `gitdesk install` does, gitdesk on PATH."""
    monkeypatch.setenv("PATH", os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"])
    cli_invoke("install")
    driver = git(desk_root, "config", "merge.gitdesk.driver").stdout.strip()
    assert driver == "gitdesk merge-driver %O %A %B %P"
    return desk_root


@pytest.fixture
def working(desk, clock):
    t = desk.open("Printer on floor 3 jams", REQ)
    clock.advance(minutes=5)
    desk.prioritise(t.id, "P3")
    clock.advance(minutes=5)
    desk.start(t.id)
    clock.advance(minutes=5)
    return t.id


def branch_edits(root: Path, desk, clock, ours, theirs) -> subprocess.CompletedProcess:  # type: ignore[no-untyped-def]
    git(root, "switch", "-q", "-c", "feature")
    theirs(desk)
    git(root, "switch", "-q", "main")
    clock.advance(minutes=1)
    ours(desk)
    return git(root, "merge", "--no-edit", "feature", check=False)


def test_git_merge_unites_notes_of_both_branches(installed, desk, clock, working, cli_invoke):
    result = branch_edits(
        installed, desk, clock, lambda d: d.note(working, "main's note"), lambda d: d.note(working, "feature's note")
    )
    assert result.returncode == 0, result.stdout + result.stderr
    t = parse((installed / "tickets" / f"{working}.md").read_text())
    assert [e.get("text") for e in t.history if e["action"] == "note"] == ["feature's note", "main's note"]
    assert cli_invoke("validate", ok=False).exit_code == 0


def test_git_merge_takes_different_fields_from_each_branch(installed, desk, clock, working, cli_invoke):
    result = branch_edits(
        installed,
        desk,
        clock,
        lambda d: d.assign(working, to="carol"),
        lambda d: d.edit(working, {"location": "Floor 3, room 12"}),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    t = parse((installed / "tickets" / f"{working}.md").read_text())
    assert t.meta["assignee"] == "carol" and t.meta["location"] == "Floor 3, room 12"
    assert [e["action"] for e in t.history][-2:] == ["edit", "assign"]
    assert cli_invoke("validate", ok=False).exit_code == 0


def test_git_merge_status_conflict_leaves_markers_on_status(installed, desk, clock, working, cli_invoke):
    result = branch_edits(
        installed,
        desk,
        clock,
        lambda d: d.wait(working, "Which tray?"),
        lambda d: d.propose(working, "Replace rollers"),
    )
    assert result.returncode != 0
    assert f"CONFLICT (content): Merge conflict in tickets/{working}.md" in result.stdout
    assert git(installed, "diff", "--name-only", "--diff-filter=U").stdout.strip() == f"tickets/{working}.md"
    text = (installed / "tickets" / f"{working}.md").read_text()
    assert "<<<<<<< ours\nstatus: waiting\n=======\nstatus: proposed\n>>>>>>> theirs\n" in text
    # No order of the two histories is valid (propose is not allowed from waiting): history conflicts too.
    assert text.count("<<<<<<<") == 2 and "<<<<<<< ours\nhistory:\n" in text
    # feature (theirs) proposed first, so main's (ours) later wait is what cannot follow
    said = result.stderr
    assert "ours' wait at " in said and "is not allowed from 'proposed' after theirs' propose at " in said
    out = cli_invoke("validate", ok=False).output
    assert "unresolved merge conflict on field 'status' (ours: waiting, theirs: proposed)" in out
    assert "unresolved merge conflict on field 'history'" in out


# -- properties: whatever notes two sides add, all survive once, in time order --------------------
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

minutes = st.lists(st.integers(min_value=11, max_value=59), max_size=5).map(sorted)


@settings(max_examples=60, deadline=None)
@given(ours_at=minutes, theirs_at=minutes, shared=st.integers(min_value=0, max_value=2))
def test_united_history_is_complete_ordered_and_unique(ours_at, theirs_at, shared):
    def side(name: str, times: list[int]):  # type: ignore[no-untyped-def]
        def add(t):  # type: ignore[no-untyped-def]
            for n in range(shared):  # events both sides got (e.g. from a common merge) count once
                note(f"2026-03-02T09:1{n}:30Z", f"shared {n}")(t)
            for i, m in enumerate(times):
                note(f"2026-03-02T09:{m:02d}:00Z", f"{name} {i}")(t)

        return change(BASE, add)

    text, conflict = merge_ticket(
        BASE,
        side("ours", ours_at),
        side("theirs", theirs_at),
        lambda *_: pytest.fail("bodies are equal; no text merge needed"),
    )
    assert not conflict
    history = parse(text).history
    texts = [e.get("text") for e in history if e["action"] == "note"]
    assert sorted(texts, key=str) == sorted(
        [f"shared {n}" for n in range(shared)]
        + [f"ours {i}" for i in range(len(ours_at))]
        + [f"theirs {i}" for i in range(len(theirs_at))],
        key=str,
    )
    stamps = [e["at"] for e in history]
    assert stamps == sorted(stamps)


def test_install_gives_an_older_desk_the_kb_merge_rule(desk_root, cli_invoke):
    attributes = desk_root / ".gitattributes"
    attributes.write_text("tickets/*.md merge=gitdesk\n")  # as desks were laid out before KB articles merged
    git(desk_root, "commit", "-q", "-am", "old attributes")
    assert git(desk_root, "check-attr", "merge", "kb/a.md").stdout.strip() == "kb/a.md: merge: unspecified"
    result = cli_invoke("install")
    assert "kb/*.md merge=gitdesk: added to .git/info/attributes for this clone" in result.output
    assert git(desk_root, "check-attr", "merge", "kb/a.md").stdout.strip() == "kb/a.md: merge: gitdesk"
    assert git(desk_root, "status", "--porcelain").stdout == ""  # nothing to commit
    again = cli_invoke("install")
    assert "added" not in again.output
    assert (desk_root / ".git" / "info" / "attributes").read_text().count("kb/*.md merge=gitdesk") == 1


def test_a_replayed_event_of_the_base_passes_validate_against_that_base(installed, desk, clock, working, cli_invoke):
    """A PR check: main had the customer's reply, the branch asked a question before it.

    Merged, main's contact leads waiting -> in_progress instead of in_progress -> in_progress;
    validate must accept that replay as the same event (and still check it against the table).
    (Against main itself the branch's earlier `wait` is "new but before the base's last event",
    which the forgery rules refuse: insertions are only accepted against the branch side.)
    """
    result = branch_edits(
        installed,
        desk,
        clock,
        lambda d: d.contact(working, "email", "Tray 2, since Monday", inbound=True),
        lambda d: d.wait(working, "Which tray?"),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    t = parse((installed / "tickets" / f"{working}.md").read_text())
    assert [(e["action"], e["from"], e["to"]) for e in t.history[-2:]] == [
        ("wait", "in_progress", "waiting"),
        ("contact", "waiting", "in_progress"),
    ]
    for args in (["--base", "HEAD^2"], []):  # against the branch, and the whole desk
        check = cli_invoke("validate", *args, ok=False)
        assert check.exit_code == 0, check.output
