"""Every lifecycle verb through CliRunner: one commit, exactly its files, trailers, nothing else swept in."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from gitdesk.core.ticket import parse


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True).stdout.strip()


def head(root: Path) -> str:
    return git(root, "rev-parse", "HEAD")


@pytest.fixture
def dirty(desk_root):
    """Unrelated staged and unstaged work that no gitdesk commit may sweep in."""
    (desk_root / "README.md").write_text("# staged edit\n")
    (desk_root / "notes.txt").write_text("staged new file\n")
    git(desk_root, "add", "README.md", "notes.txt")
    with open(desk_root / "mkdocs.yml", "a") as fh:
        fh.write("# unstaged edit\n")
    (desk_root / "scratch.txt").write_text("untracked\n")
    expected = {"M  README.md", "A  notes.txt", " M mkdocs.yml", "?? scratch.txt"}
    assert set(git(desk_root, "status", "--porcelain").splitlines()) == expected

    def untouched() -> None:
        lines = set(git(desk_root, "status", "--porcelain").splitlines())
        assert lines == expected, f"the user's own work changed: {lines}"
        assert git(desk_root, "diff", "--cached", "README.md") and git(desk_root, "diff", "mkdocs.yml")

    return untouched


@pytest.fixture
def run(cli_invoke, desk_root, dirty):
    """Run one verb and check it made exactly one commit touching exactly `files`."""

    def verb(*args: str, files: list[str], ticket: str, action: str, subject: str | None = None):
        before = head(desk_root)
        result = cli_invoke(*args)
        assert git(desk_root, "rev-list", "--count", f"{before}..HEAD") == "1"
        touched = git(desk_root, "diff-tree", "--no-commit-id", "--name-only", "-r", "HEAD").splitlines()
        assert sorted(touched) == sorted(files)
        message = git(desk_root, "log", "-1", "--format=%B")
        assert message.splitlines()[0].startswith(f"{ticket}: {subject or action}")
        trailers = git(desk_root, "log", "-1", "--format=%(trailers:only,unfold)").splitlines()
        assert trailers == [f"Gitdesk-Ticket: {ticket}", f"Gitdesk-Action: {action}"]
        assert git(desk_root, "log", "-1", "--format=%an <%ae>") == "Ada Tech <ada@desk.example>"
        dirty()
        return result

    return verb


def load(root: Path, ticket_id: str):
    return parse((root / "tickets" / f"{ticket_id}.md").read_text(encoding="utf-8"))


def tf(ticket_id: str) -> str:
    return f"tickets/{ticket_id}.md"


def drive(cli_invoke, tid: str, status: str) -> None:
    """Take a new ticket to `status` along the usual path."""
    path = {
        "triaged": [("prioritise", tid, "P3")],
        "in_progress": [("prioritise", tid, "P3"), ("start", tid)],
        "waiting": [("prioritise", tid, "P3"), ("start", tid), ("wait", tid, "--question", "Which tray?")],
        "proposed": [
            ("prioritise", tid, "P3"),
            ("start", tid),
            ("propose", tid, "--solution", "New rollers"),
        ],
    }
    path["resolved"] = path["proposed"] + [("review", tid, "--approve", "--by", "carol")]
    path["closed"] = path["resolved"] + [("close", tid, "--lesson", "Rollers wear out")]
    for args in path.get(status, []):
        cli_invoke(*args)


# -- opening ------------------------------------------------------------------------------------
def test_new(cli_invoke, desk_root, dirty):
    before = head(desk_root)
    out = cli_invoke(
        "new",
        "Printer on floor 3 jams",
        "--requester",
        "Bob Smith <Bob@Example.com>",
        "--phone",
        "+44 20 7946 0000",
        "--org",
        "Acme",
        "--channel",
        "phone",
        "--queue",
        "hardware",
        "--priority",
        "p2",
        "--location",
        "Floor 3",
        "--product",
        "model=HP-M404",
        "--product",
        "account=AC-1001",
        "--visibility",
        "public",
        "--body",
        "Tray 2 jams.",
        "--json",
    )
    data = json.loads(out.stdout)
    tid = data["id"]
    assert tid.startswith("HD-") and len(tid) == 11  # 8 base32 characters: 40 random bits
    assert git(desk_root, "rev-list", "--count", f"{before}..HEAD") == "1"
    assert git(desk_root, "diff-tree", "--no-commit-id", "--name-only", "-r", "HEAD") == tf(tid)
    assert git(desk_root, "log", "-1", "--format=%s") == f"{tid}: open Printer on floor 3 jams"
    assert "Gitdesk-Action: open" in git(desk_root, "log", "-1", "--format=%B")
    dirty()
    t = load(desk_root, tid)
    # opened with its priority and queue: triaged at once (issue 14), as the open event says
    assert t.status == "triaged" and t.priority == "P2" and t.meta["queue"] == "hardware"
    assert (t.history[0]["action"], t.history[0]["to"]) == ("open", "triaged")
    assert t.requester == {
        "name": "Bob Smith",
        "email": "bob@example.com",
        "phone": "+44 20 7946 0000",
        "org": "Acme",
    }
    assert t.meta["product"] == {"model": "HP-M404", "account": "AC-1001"}
    assert (t.meta["channel"], t.meta["location"], t.visibility) == ("phone", "Floor 3", "public")
    assert t.description == "Tray 2 jams." == data["description"]
    assert t.meta["created"] == "2026-03-02T09:00:00Z"
    assert t.history == [
        {
            "at": "2026-03-02T09:00:00Z",
            "by": "Ada Tech",
            "action": "open",
            "from": None,
            "to": "triaged",
            "channel": "phone",
        }
    ]


def test_new_reads_body_from_stdin_and_file(cli_invoke, desk_root, tmp_path):
    for flag in ("--body-file", "--body"):
        out = cli_invoke(
            "new", "VPN drops", "--requester", "eve@example.org", flag, "-", "--json", input="From stdin\n"
        )
        assert json.loads(out.stdout)["description"] == "From stdin"
    out = cli_invoke("new", "VPN drops", "--requester", "eve@example.org", "--json", input="not asked for\n")
    assert json.loads(out.stdout)["description"] == ""  # stdin is read only when '-' says so
    body = tmp_path / "body.md"
    body.write_text("# Steps\n\n1. connect\n", encoding="utf-8")
    out = cli_invoke("new", "VPN drops again", "--requester", "eve@example.org", "--body-file", body, "--json")
    assert load(desk_root, json.loads(out.stdout)["id"]).description == "# Steps\n\n1. connect"


def test_new_human_output_names_the_ticket(cli_invoke):
    out = cli_invoke("new", "Scanner offline", "--requester", "Bob <bob@example.com>")
    assert out.stdout.startswith("HD-") and "opened 'Scanner offline' in queue service-desk" in out.stdout


# -- routing ------------------------------------------------------------------------------------
@pytest.mark.parametrize("verb", ["prioritise", "prioritize"])
def test_prioritise(verb, run, open_ticket, desk_root):
    tid = open_ticket()
    out = run(verb, tid, "p2", "--json", files=[tf(tid)], ticket=tid, action="prioritise", subject="prioritise P2")
    assert json.loads(out.stdout)["status"] == "triaged"
    run(
        verb,
        tid,
        "P1",
        "--reason",
        "whole floor cannot print",
        files=[tf(tid)],
        ticket=tid,
        action="prioritise",
        subject="prioritise P1",
    )
    t = load(desk_root, tid)
    assert t.priority == "P1" and t.status == "triaged"
    assert t.history[-1] | {} == {
        **t.history[-1],
        "priority": "P1",
        "previous": "P2",
        "reason": "whole floor cannot print",
    }


def test_assign(run, open_ticket, desk_root):
    tid = open_ticket()
    run(
        "assign",
        tid,
        "--to",
        "grace",
        "--queue",
        "network",
        files=[tf(tid)],
        ticket=tid,
        action="assign",
        subject="assign to grace queue network",
    )
    t = load(desk_root, tid)
    # No priority yet: routed, but still new until someone triages it.
    assert (t.meta["assignee"], t.meta["queue"], t.status) == ("grace", "network", "new")
    tid2 = open_ticket("Second", "--priority", "P3")
    out = run("assign", tid2, "--to", "ivan", "--json", files=[tf(tid2)], ticket=tid2, action="assign")
    assert json.loads(out.stdout)["status"] == "triaged"


def test_unassign_by_flag_and_by_empty_to(run, open_ticket, desk_root, refused):
    tid = open_ticket("Second", "--priority", "P3")
    run("assign", tid, "--to", "ivan", files=[tf(tid)], ticket=tid, action="assign")
    run("assign", tid, "--unassign", files=[tf(tid)], ticket=tid, action="unassign", subject="unassign")
    t = load(desk_root, tid)
    assert t.meta["assignee"] is None and t.status == "triaged"
    assert (t.history[-1]["action"], t.history[-1]["previous"]) == ("unassign", "ivan")
    assert "not assigned to anyone" in refused("assign", tid, "--unassign")
    run("assign", tid, "--to", "grace", files=[tf(tid)], ticket=tid, action="assign")
    # `--to ''` is the same, and may hand the ticket to another team's queue in the same commit
    run(
        "assign",
        tid,
        "--to",
        "",
        "--queue",
        "network",
        files=[tf(tid)],
        ticket=tid,
        action="assign",
        subject="unassign, queue network",
    )
    t = load(desk_root, tid)
    assert (t.meta["assignee"], t.meta["queue"]) == (None, "network")
    assert [e["action"] for e in t.history[-2:]] == ["unassign", "assign"]
    assert "either --to NAME or --unassign" in refused("assign", tid, "--to", "grace", "--unassign")


def test_unassign_without_its_event_is_a_forgery(open_ticket, cli_invoke, desk_root):
    tid = open_ticket("Second", "--priority", "P3")
    cli_invoke("assign", tid, "--to", "ivan")
    path = desk_root / tf(tid)
    path.write_text(path.read_text(encoding="utf-8").replace("assignee: ivan", "assignee: null", 1), encoding="utf-8")
    git(desk_root, "commit", "-qam", "hand edit")
    bad = cli_invoke("validate", "--base", "HEAD~1", ok=False)
    assert "assignee changed from 'ivan' to None with no new 'assign' event" in bad.output


def test_split_one_commit_links_both_ways(cli_invoke, open_ticket, desk_root, dirty):
    tid = open_ticket(
        "Printer jams and scanner offline",
        "--priority",
        "P2",
        "--queue",
        "hardware",
        "--location",
        "Floor 3",
        "--product",
        "model=MFP-9",
        "--channel",
        "email",
    )
    before = head(desk_root)
    out = json.loads(cli_invoke("split", tid, "--into", "Printer jams", "--into", "Scanner offline", "--json").stdout)
    parent, kids = out[0], out[1:]
    assert parent["id"] == tid and parent["status"] == "split"
    assert [k["title"] for k in kids] == ["Printer jams", "Scanner offline"]
    assert git(desk_root, "rev-list", "--count", f"{before}..HEAD") == "1"
    touched = git(desk_root, "diff-tree", "--no-commit-id", "--name-only", "-r", "HEAD").splitlines()
    assert sorted(touched) == sorted([tf(tid)] + [tf(k["id"]) for k in kids])
    assert "Gitdesk-Action: split" in git(desk_root, "log", "-1", "--format=%B")
    dirty()
    p = load(desk_root, tid)
    assert p.status == "split" and p.meta["children"] == [k["id"] for k in kids]
    for kid in kids:
        c = load(desk_root, kid["id"])
        assert c.meta["parent"] == tid and c.status == "triaged"  # the parent was triaged
        assert (
            c.requester,
            c.meta["channel"],
            c.meta["location"],
            c.meta["product"],
            c.meta["queue"],
            c.priority,
        ) == (p.requester, "email", "Floor 3", {"model": "MFP-9"}, "hardware", "P2")
    shown = cli_invoke("show", tid).stdout  # the links carry titles, so nobody has to look them up
    assert f"  children    {kids[0]['id']}  Printer jams\n              {kids[1]['id']}  Scanner offline" in shown
    assert f"  parent      {tid}  Printer jams and scanner offline" in cli_invoke("show", kids[0]["id"]).stdout


def test_split_children_carry_the_parents_state(cli_invoke, open_ticket, desk_root):
    """A child of a started ticket is triaged, keeps its assignee and tier, and can be started at once."""
    tid = open_ticket("Laptop and VPN for a new starter", "--priority", "P2", "--queue", "hardware")
    cli_invoke("assign", tid, "--to", "grace")
    cli_invoke("start", tid)
    cli_invoke("escalate", tid, "--reason", "needs the imaging team")
    out = json.loads(cli_invoke("split", tid, "--into", "Laptop", "--into", "VPN account", "--json").stdout)
    for kid in out[1:]:
        c = load(desk_root, kid["id"])
        assert (c.status, c.meta["assignee"], c.tier, c.priority) == ("triaged", "grace", 2, "P2")
        assert c.history[0]["requested"] == load(desk_root, tid).meta["created"]  # the parent's clock
    started = json.loads(cli_invoke("start", out[1]["id"], "--json").stdout)
    assert started["status"] == "in_progress"
    # a request nobody has triaged yet splits into requests nobody has triaged yet
    fresh = open_ticket("Two things at once")
    kids = json.loads(cli_invoke("split", fresh, "--into", "One", "--into", "Two", "--json").stdout)[1:]
    assert [load(desk_root, k["id"]).status for k in kids] == ["new", "new"]
    cli_invoke("start", kids[0]["id"], ok=False)  # not triaged: cannot be started


def test_escalate_and_refuse_beyond_last_tier(run, open_ticket, cli_invoke, desk_root):
    tid = open_ticket()
    run(
        "escalate",
        tid,
        "--reason",
        "needs network engineering",
        files=[tf(tid)],
        ticket=tid,
        action="escalate",
    )
    out = run(
        "escalate",
        tid,
        "--tier",
        "3",
        "--reason",
        "vendor bug",
        "--json",
        files=[tf(tid)],
        ticket=tid,
        action="escalate",
    )
    assert json.loads(out.stdout)["tier"] == 3
    before = head(desk_root)
    bad = cli_invoke("escalate", tid, "--reason", "higher still", ok=False)
    assert bad.exit_code != 0 and head(desk_root) == before
    assert "tier 3" in bad.stderr and "3 tiers" in bad.stderr and len(bad.stderr.splitlines()) == 1
    assert [e.get("reason") for e in load(desk_root, tid).history[1:]] == [
        "needs network engineering",
        "vendor bug",
    ]


def test_de_escalate_one_tier_down_or_to_a_lower_one(run, open_ticket, cli_invoke, desk_root, refused):
    tid = open_ticket()
    assert "tier 1 and the desk has 3 tiers; there is no tier 0" in refused("de-escalate", tid, "--reason", "x")
    cli_invoke("escalate", tid, "--tier", "3", "--reason", "vendor bug")
    out = run(
        "de-escalate", tid, "--reason", "patch applied", "--json", files=[tf(tid)], ticket=tid, action="de-escalate"
    )
    t = load(desk_root, tid)
    assert json.loads(out.stdout)["tier"] == 2 == t.tier
    last = t.history[-1]
    assert (last["action"], last["tier"], last["previous_tier"], last["reason"]) == (
        "de-escalate",
        2,
        3,
        "patch applied",
    )
    assert "3 is not below the current tier 2" in refused("de-escalate", tid, "--tier", "3", "--reason", "x")
    assert "--reason" in refused("de-escalate", tid, "--reason", " ")
    run(
        "de-escalate",
        tid,
        "--tier",
        "1",
        "--reason",
        "user setup only",
        files=[tf(tid)],
        ticket=tid,
        action="de-escalate",
    )
    assert load(desk_root, tid).tier == 1
    cli_invoke("cancel", tid, "--reason", "gone")
    assert "cannot de-escalate a ticket that is 'cancelled'" in refused("de-escalate", tid, "--reason", "x")
    assert cli_invoke("validate").exit_code == 0


# -- working ------------------------------------------------------------------------------------
def test_start_note_wait_and_inbound_contact(run, open_ticket, cli_invoke, desk_root):
    tid = open_ticket()
    cli_invoke("prioritise", tid, "P3")
    run("start", tid, files=[tf(tid)], ticket=tid, action="start")
    run(
        "note",
        tid,
        "Replaced the fuser.\nJams persist on tray 2.",
        files=[tf(tid)],
        ticket=tid,
        action="note",
    )
    run(
        "contact",
        tid,
        "--via",
        "phone",
        "--summary",
        "Explained the workaround",
        files=[tf(tid)],
        ticket=tid,
        action="contact",
        subject="contact outbound via phone",
    )
    run("wait", tid, "--question", "Which tray jams?", files=[tf(tid)], ticket=tid, action="wait")
    assert load(desk_root, tid).status == "waiting"
    out = run(
        "contact",
        tid,
        "--via",
        "email",
        "--inbound",
        "--summary",
        "Tray 2",
        "--json",
        files=[tf(tid)],
        ticket=tid,
        action="contact",
        subject="contact inbound via email",
    )
    assert json.loads(out.stdout)["status"] == "in_progress"
    events = load(desk_root, tid).history
    assert [e["action"] for e in events] == [
        "open",
        "prioritise",
        "start",
        "note",
        "contact",
        "wait",
        "contact",
    ]
    assert events[3]["text"] == "Replaced the fuser.\nJams persist on tray 2."
    assert (events[4]["direction"], events[4]["via"], events[4]["from"], events[4]["to"]) == (
        "outbound",
        "phone",
        "in_progress",
        "in_progress",
    )
    assert events[5]["question"] == "Which tray jams?"
    assert (events[6]["direction"], events[6]["from"], events[6]["to"]) == (
        "inbound",
        "waiting",
        "in_progress",
    )
    shown = cli_invoke("show", tid).stdout
    assert "Jams persist on tray 2." in shown and "Which tray jams?" in shown


def test_propose_and_review_request_changes_shows_feedback(run, open_ticket, cli_invoke, desk_root):
    tid = open_ticket()
    drive(cli_invoke, tid, "in_progress")
    run("propose", tid, "--solution", "Replace the rollers", files=[tf(tid)], ticket=tid, action="propose")
    out = run(
        "review",
        tid,
        "--request-changes",
        "--by",
        "carol",
        "--comment",
        "Check the firmware first",
        "--json",
        files=[tf(tid)],
        ticket=tid,
        action="review",
        subject="review: request changes",
    )
    assert json.loads(out.stdout)["status"] == "in_progress"
    event = load(desk_root, tid).history[-1]
    assert (event["by"], event["verdict"], event["feedback"]) == (
        "carol",
        "request-changes",
        "Check the firmware first",
    )
    shown = cli_invoke("show", tid).stdout
    assert "Reviewer carol asked for changes: Check the firmware first" in shown.splitlines()[2]  # at the top
    run(
        "propose",
        tid,
        "--solution",
        "Update firmware, then rollers",
        files=[tf(tid)],
        ticket=tid,
        action="propose",
    )
    assert "asked for changes" not in cli_invoke("show", tid).stdout  # answered by a new proposal
    run(
        "review",
        tid,
        "--approve",
        "--by",
        "carol",
        files=[tf(tid)],
        ticket=tid,
        action="review",
        subject="review: approve",
    )
    assert load(desk_root, tid).status == "resolved"


def test_review_needs_a_verdict_and_feedback(open_ticket, cli_invoke, desk_root):
    tid = open_ticket()
    drive(cli_invoke, tid, "proposed")
    before = head(desk_root)
    assert "--approve or --request-changes" in cli_invoke("review", tid, "--by", "carol", ok=False).stderr
    bad = cli_invoke("review", tid, "--request-changes", "--by", "carol", ok=False)
    assert bad.exit_code != 0 and "--comment" in bad.stderr
    assert head(desk_root) == before


# -- closing ------------------------------------------------------------------------------------
def test_close_writes_then_extends_the_kb_article(run, open_ticket, cli_invoke, desk_root):
    first, second = open_ticket("Tray 2 jams"), open_ticket("Tray 2 jams again")
    for tid in (first, second):
        drive(cli_invoke, tid, "resolved")
    run(
        "close",
        first,
        "--lesson",
        "Rollers wear out after 200k pages",
        "--cause",
        "worn rollers",
        "--kb",
        "printer-tray-jams",
        files=[tf(first), "kb/printer-tray-jams.md"],
        ticket=first,
        action="close",
    )
    article = (desk_root / "kb" / "printer-tray-jams.md").read_text(encoding="utf-8")
    assert first in article and "Rollers wear out after 200k pages" in article and "worn rollers" in article
    assert "New rollers" in article  # the approved solution
    out = run(
        "close",
        second,
        "--lesson",
        "Keep spare rollers",
        "--kb",
        "printer-tray-jams",
        "--json",
        files=[tf(second), "kb/printer-tray-jams.md"],
        ticket=second,
        action="close",
    )
    assert json.loads(out.stdout)["status"] == "closed"
    extended = (desk_root / "kb" / "printer-tray-jams.md").read_text(encoding="utf-8")
    first_section = article.split("---\n", 2)[2].strip()
    assert first_section in extended  # the first lesson is kept, the second appended after it
    assert extended.index(first_section) < extended.index("Keep spare rollers")
    assert "Rollers wear out after 200k pages" in extended and "Keep spare rollers" in extended
    meta = parse(extended)
    assert meta.meta["tickets"] == [first, second]
    assert load(desk_root, second).history[-1]["kb"] == "printer-tray-jams"


def test_close_default_slug_comes_from_the_title(open_ticket, cli_invoke, desk_root):
    tid = open_ticket("VPN drops every 10 minutes!")
    drive(cli_invoke, tid, "resolved")
    out = cli_invoke("close", tid, "--lesson", "Idle timeout")
    assert "kb/vpn-drops-every-10-minutes.md" in out.stdout
    assert (desk_root / "kb" / "vpn-drops-every-10-minutes.md").exists()


def test_reopen(run, open_ticket, cli_invoke, desk_root):
    tid = open_ticket()
    drive(cli_invoke, tid, "closed")
    out = run("reopen", tid, "--reason", "Jams are back", "--json", files=[tf(tid)], ticket=tid, action="reopen")
    assert json.loads(out.stdout)["status"] == "in_progress"
    assert load(desk_root, tid).history[-1]["reason"] == "Jams are back"


def test_cancel_duplicate_of(run, open_ticket, desk_root, cli_invoke):
    original, dup = open_ticket("VPN down"), open_ticket("VPN is down for me too", "--priority", "P3")
    short = original.split("-")[1][:6].upper()  # any unambiguous prefix, any case
    out = run(
        "cancel",
        dup,
        "--reason",
        "duplicate",
        "--duplicate-of",
        short,
        files=[tf(dup), tf(original)],  # the back-link on the original rides in the same commit
        ticket=dup,
        action="cancel",
        subject=f"cancel as a duplicate of {original}",
    )
    assert f"cancelled as a duplicate of {original} (linked there)" in out.stdout
    event = load(desk_root, dup).history[-1]
    assert (event["to"], event["reason"], event["duplicate_of"]) == ("cancelled", "duplicate", original)
    assert f"duplicate_of: {original}  VPN down" in cli_invoke("show", dup).stdout
    first = load(desk_root, original)
    assert first.meta["duplicates"] == [dup] and first.status == "new"
    assert (first.history[-1]["action"], first.history[-1]["duplicate"]) == ("duplicate", dup)
    # Reopened and cancelled again as the same duplicate: the link is there already, one file only.
    cli_invoke("reopen", dup, "--reason", "not the same after all")
    run("cancel", dup, "--reason", "it was", "--duplicate-of", original, files=[tf(dup)], ticket=dup, action="cancel")
    assert load(desk_root, original).meta["duplicates"] == [dup]
    assert cli_invoke("validate").exit_code == 0


def test_a_forged_back_link_is_refused_by_validate(open_ticket, cli_invoke, desk_root):
    original, other = open_ticket("VPN down"), open_ticket("Printer jams")
    path = desk_root / tf(original)
    text = path.read_text(encoding="utf-8").replace("history:", f"duplicates:\n- {other}\nhistory:", 1)
    path.write_text(text, encoding="utf-8")
    git(desk_root, "commit", "-qam", "hand-made back-link")
    bad = cli_invoke("validate", ok=False)
    assert bad.exit_code != 0
    assert f"{other} is listed as a duplicate but was never cancelled as one of {original}" in bad.output


def test_cancel_refuses_self_duplicate_and_unknown(open_ticket, cli_invoke, desk_root):
    tid = open_ticket()
    before = head(desk_root)
    assert "duplicate itself" in cli_invoke("cancel", tid, "--reason", "x", "--duplicate-of", tid, ok=False).stderr
    assert (
        "no ticket matches 'HD-zzzzzzzz'"
        in cli_invoke("cancel", tid, "--reason", "x", "--duplicate-of", "HD-zzzzzzzz", ok=False).stderr
    )
    assert head(desk_root) == before


def test_a_duplicate_never_points_at_a_cancelled_ticket(open_ticket, cli_invoke, desk_root):
    """Two tickets cancelled as each other's duplicates would lose the request: the second cancel is refused."""
    first, second, third = open_ticket("Beta"), open_ticket("Gamma"), open_ticket("Delta")
    cli_invoke("cancel", first, "--reason", "dup", "--duplicate-of", second)
    before = head(desk_root)
    cycle = cli_invoke("cancel", second, "--reason", "dup", "--duplicate-of", first, ok=False)
    assert cycle.exit_code != 0
    assert f"{first} is cancelled itself as a duplicate of {second}; give --duplicate-of {second}" in cycle.stderr
    assert head(desk_root) == before
    cli_invoke("cancel", third, "--reason", "withdrawn")
    before = head(desk_root)
    chained = cli_invoke("cancel", second, "--reason", "dup", "--duplicate-of", third, ok=False)
    assert f"{third} is cancelled itself; reopen it first" in chained.stderr
    assert head(desk_root) == before and load(desk_root, second).status == "new"
    assert cli_invoke("validate").exit_code == 0


def test_edit_is_recorded_in_history(run, open_ticket, desk_root, cli_invoke):
    tid = open_ticket("Printer jams", "--product", "model=HP-M404", "--location", "Floor 3")
    run(
        "edit",
        tid,
        "--title",
        "Printer on floor 4 jams",
        "--location",
        "Floor 4",
        "--product",
        "licence=LIC-778",
        "--product",
        "model=",
        "--requester",
        "Robert Smith <bob@example.com>",
        files=[tf(tid)],
        ticket=tid,
        action="edit",
        subject="edit location, product, requester, title",
    )
    t = load(desk_root, tid)
    assert (t.title, t.meta["location"], t.meta["product"]) == (
        "Printer on floor 4 jams",
        "Floor 4",
        {"licence": "LIC-778"},
    )
    changes = t.history[-1]["changes"]
    assert changes["title"] == {"from": "Printer jams", "to": "Printer on floor 4 jams"}
    assert changes["location"] == {"from": "Floor 3", "to": "Floor 4"}
    assert changes["requester"]["to"]["name"] == "Robert Smith"
    assert t.status == "new"
    shown = cli_invoke("show", tid).stdout
    assert "title: Printer jams -> Printer on floor 4 jams" in shown
    assert "location: Floor 3 -> Floor 4" in shown


def test_edit_body_replaces_the_description(run, open_ticket, desk_root, cli_invoke, tmp_path, refused):
    tid = open_ticket("Printer jams", "--body", "Tray 2 jams every morning.")
    run("edit", tid, "--body", "Tray 3 jams, not tray 2.\n\nSince Monday.", files=[tf(tid)], ticket=tid, action="edit")
    t = load(desk_root, tid)
    assert t.description == "Tray 3 jams, not tray 2.\n\nSince Monday."
    change = t.history[-1]["changes"]["description"]
    assert change == {"from": "Tray 2 jams every morning.", "to": "Tray 3 jams, not tray 2.…"}
    assert "description: Tray 2 jams every morning. -> Tray 3 jams, not tray 2.…" in cli_invoke("show", tid).stdout
    text = tmp_path / "d.md"
    text.write_text("From a file.\n", encoding="utf-8")
    run("edit", tid, "--body-file", str(text), files=[tf(tid)], ticket=tid, action="edit")
    assert load(desk_root, tid).description == "From a file."
    run("edit", tid, "--body", "-", files=[tf(tid)], ticket=tid, action="edit")  # cli_invoke gives no stdin: empty
    assert load(desk_root, tid).description == "" and load(desk_root, tid).body == ""
    assert "nothing to change" in refused("edit", tid, "--body", "")
    assert "--body-file" in refused("edit", tid, "--body-file", str(tmp_path / "missing.md"))
    assert "either --body or --body-file" in refused("edit", tid, "--body", "x", "--body-file", str(text))
    assert cli_invoke("validate").exit_code == 0


def test_quick_resolve_where_the_desk_allows_it(run, open_ticket, cli_invoke, desk_root, refused):
    tid = open_ticket("Password reset", "--priority", "P4")  # new, with its priority: resolved at once
    assert "does not allow a quick resolve" in refused("resolve", tid, "--solution", "Reset it")
    config = desk_root / "gitdesk.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("\n  customer: optional\n", "\n  customer: optional\n  quick_resolve: [P4]\n"))
    git(desk_root, "commit", "-q", "-m", "quick resolve for P4", "gitdesk.yml")
    out = run("resolve", tid, "--solution", "Reset it; she logged in", files=[tf(tid)], ticket=tid, action="resolve")
    assert "resolved without a separate review" in out.stdout
    t = load(desk_root, tid)
    assert (t.status, t.history[-1]["action"], t.history[-1]["solution"]) == (
        "resolved",
        "resolve",
        "Reset it; she logged in",
    )
    assert cli_invoke("validate").exit_code == 0
    cli_invoke("close", tid, "--lesson", "Self-service resets work")
    assert "Reset it; she logged in" in (desk_root / "kb" / f"{load(desk_root, tid).history[-1]['kb']}.md").read_text()
    p3 = open_ticket("Printer jams", "--priority", "P3")
    assert "allowed for P4 only (review.quick_resolve); it is P3" in refused("resolve", p3, "--solution", "x")
    new = open_ticket("No priority yet")
    assert "it has no priority yet" in refused("resolve", new, "--solution", "x")
    cli_invoke("cancel", new, "--reason", "gone")
    assert "cannot resolve a ticket that is 'cancelled'" in refused("resolve", new, "--solution", "x")
    # the review rules win over the switch: the customer's verdict is never skipped
    config.write_text(config.read_text().replace("customer: optional", "customer: required"))
    git(desk_root, "commit", "-q", "-m", "customers approve", "gitdesk.yml")
    p4 = open_ticket("Another reset", "--priority", "P4")
    assert "review.customer: required" in refused("resolve", p4, "--solution", "x")


def test_survey_once_unless_replace(run, open_ticket, cli_invoke, desk_root):
    tid = open_ticket()
    drive(cli_invoke, tid, "closed")
    run(
        "survey",
        tid,
        "--score",
        "4",
        "--right-questions",
        "yes",
        "--time",
        "adequate",
        "--comment",
        "Friendly",
        "--improve",
        "Call back sooner",
        files=[tf(tid), f"surveys/{tid}.yml"],
        ticket=tid,
        action="survey",
    )
    import yaml

    record = yaml.safe_load((desk_root / "surveys" / f"{tid}.yml").read_text())
    assert record | {} == {
        **record,
        "ticket": tid,
        "score": 4,
        "right_questions": "yes",
        "time": "adequate",
        "comment": "Friendly",
        "improve": "Call back sooner",
    }
    before = head(desk_root)
    again = cli_invoke("survey", tid, "--score", "2", "--right-questions", "no", "--time", "too-long", ok=False)
    assert again.exit_code != 0 and "--replace" in again.stderr and head(desk_root) == before
    run(
        "survey",
        tid,
        "--score",
        "2",
        "--right-questions",
        "no",
        "--time",
        "too-long",
        "--replace",
        files=[tf(tid), f"surveys/{tid}.yml"],
        ticket=tid,
        action="survey",
    )
    assert yaml.safe_load((desk_root / "surveys" / f"{tid}.yml").read_text())["score"] == 2


def test_survey_only_for_closed_tickets(open_ticket, cli_invoke, desk_root):
    tid = open_ticket()
    bad = cli_invoke("survey", tid, "--score", "4", "--right-questions", "yes", "--time", "adequate", ok=False)
    assert "cannot survey a ticket that is 'new'" in bad.stderr
    assert not (desk_root / "surveys" / f"{tid}.yml").exists()


# -- reading ------------------------------------------------------------------------------------
@pytest.fixture
def populated(cli_invoke, open_ticket, clock):
    ids = {}
    ids["a"] = open_ticket("Alpha printer", "--priority", "P3", "--queue", "hardware")
    clock.advance(minutes=5)
    ids["b"] = open_ticket("Bravo VPN", "--priority", "P1", "--queue", "network")
    cli_invoke("assign", ids["b"], "--to", "grace")
    cli_invoke("escalate", ids["b"], "--reason", "network team")
    clock.advance(minutes=5)
    ids["c"] = open_ticket("Charlie licence", "--queue", "licensing")
    clock.advance(minutes=5)
    ids["d"] = cli_invoke("new", "Delta closed", "--requester", "Zoe <zoe@other.org>", "--json").stdout
    ids["d"] = json.loads(ids["d"])["id"]
    drive(cli_invoke, ids["d"], "closed")
    return ids


def _listed(cli_invoke, *args: str) -> list[str]:
    return [row["id"] for row in json.loads(cli_invoke("list", "--json", *args).stdout)]


def test_reading_commits_nothing(populated, cli_invoke, desk_root):
    before = (head(desk_root), git(desk_root, "status", "--porcelain"))
    for args in (
        ("list",),
        ("list", "--all", "--json"),
        ("show", populated["b"]),
        ("show", populated["d"], "--json"),
    ):
        cli_invoke(*args)
    assert (head(desk_root), git(desk_root, "status", "--porcelain")) == before


def test_list_filters_sort_all_json(populated, cli_invoke):
    a, b, c, d = (populated[k] for k in "abcd")
    assert _listed(cli_invoke) == [b, a, c]  # open only, by priority (unset last)
    assert set(_listed(cli_invoke, "--all")) == {a, b, c, d}
    assert _listed(cli_invoke, "--status", "closed") == [d]
    assert _listed(cli_invoke, "--status", "new", "--status", "triaged", "--sort", "created") == [a, b, c]
    assert _listed(cli_invoke, "--queue", "network") == [b]
    assert _listed(cli_invoke, "--priority", "p3") == [a]
    assert _listed(cli_invoke, "--assignee", "grace") == _listed(cli_invoke, "--assignee", "Grace") == [b]
    assert _listed(cli_invoke, "--tier", "2") == [b]
    assert _listed(cli_invoke, "--all", "--requester", "ZOE") == [d]
    assert _listed(cli_invoke, "--all", "--requester", "other.org") == [d]
    assert _listed(cli_invoke, "--sort", "-created") == [c, b, a]
    assert _listed(cli_invoke, "--sort", "title") == [a, b, c]
    assert _listed(cli_invoke, "--sort", "tier") == [a, c, b]  # ties keep the oldest first
    rows = json.loads(cli_invoke("list", "--json").stdout)
    assert rows[0]["title"] == "Bravo VPN" and rows[0]["priority"] == "P1" and rows[0]["assignee"] == "grace"
    table = cli_invoke("list").stdout.splitlines()
    assert table[0].split()[:3] == ["ID", "STATUS", "PRI"]
    assert [line.split()[0] for line in table[1:]] == [b, a, c]
    assert "no tickets match" in cli_invoke("list", "--queue", "service-desk").stdout  # only d, closed
    assert "'nope' is not one of the queues" in cli_invoke("list", "--queue", "nope", ok=False).stderr
    bad = cli_invoke("list", "--sort", "colour", ok=False)
    assert bad.exit_code != 0 and "colour" in bad.stderr


def test_show_and_show_json(populated, cli_invoke):
    b = populated["b"]
    shown = cli_invoke("show", b.lower()).stdout
    assert shown.splitlines()[0] == f"{b}  Bravo VPN"
    for text in (
        "priority    P1",
        "tier 2",
        "assignee grace",
        "History (3 events)",
        "Ada Tech: escalate",
        "reason: network team",
        "placed in a support team's queue",
        "next        assign, cancel, contact, de-escalate, edit, escalate, note, prioritise, resolve, split, "
        "start, wait",
    ):
        assert text in shown
    data = json.loads(cli_invoke("show", b, "--json").stdout)
    assert data["id"] == b and data["tier"] == 2 and data["status"] == "triaged"
    assert [e["action"] for e in data["history"]] == ["open", "assign", "escalate"]


@pytest.mark.parametrize("form", ["full", "lower", "upper-random", "random-prefix", "desk-prefix"])
def test_every_id_form_resolves(form, open_ticket, cli_invoke):
    tid = open_ticket()
    random = tid.split("-", 1)[1]
    ref = {
        "full": tid,
        "lower": tid.lower(),
        "upper-random": random.upper(),
        "random-prefix": random[:4],
        "desk-prefix": f"hd-{random[:5].upper()}",
    }[form]
    assert json.loads(cli_invoke("show", ref, "--json").stdout)["id"] == tid
    assert json.loads(cli_invoke("note", ref, "via a short ref", "--json").stdout)["id"] == tid


# -- init ---------------------------------------------------------------------------------------
def test_init_twice_does_not_clobber(cli_invoke, desk_root):
    config = desk_root / "gitdesk.yml"
    config.write_text(config.read_text() + "# local tweak\n")
    before = head(desk_root)
    out = cli_invoke("init", desk_root)
    assert "already a desk" in out.stdout
    assert config.read_text().endswith("# local tweak\n") and head(desk_root) == before


def test_init_fresh_commits_the_layout(tmp_path, cli_invoke):
    root = tmp_path / "fresh"
    out = cli_invoke("init", root)
    assert "desk ready" in out.stdout
    files = set(git(root, "ls-files").splitlines())
    assert {
        "gitdesk.yml",
        "mkdocs.yml",
        ".gitattributes",
        "README.md",
        "tickets/.gitkeep",
        "kb/.gitkeep",
        "surveys/.gitkeep",
    } <= files
    assert git(root, "rev-list", "--count", "HEAD") == "1"
    assert git(root, "status", "--porcelain") == ""
    (root / "kb" / ".gitkeep").unlink()
    git(root, "commit", "-qam", "drop a file")
    cli_invoke("init", root)  # only the missing file comes back, in one commit
    assert git(root, "diff-tree", "--no-commit-id", "--name-only", "-r", "HEAD") == "kb/.gitkeep"


def test_init_refuses_a_nested_desk(tmp_path, cli_invoke):
    outer = tmp_path / "outer"
    (outer / "sub").mkdir(parents=True)
    git(outer, "init", "-q")
    result = cli_invoke("init", outer / "sub", ok=False)
    assert result.exit_code == 2 and f"inside the git repository at {outer}" in result.stderr
    assert not (outer / "sub" / ".git").exists() and list((outer / "sub").iterdir()) == []


def test_failed_init_leaves_nothing_behind(tmp_path, cli_invoke, monkeypatch):
    from gitdesk.errors import GitFailure
    from gitdesk.git.repo import GitRepo

    def boom(self, paths, message, env=None):
        raise GitFailure("git commit-tree failed: no identity")

    root = tmp_path / "fresh"
    monkeypatch.setattr(GitRepo, "commit_paths", boom)
    assert "no identity" in cli_invoke("init", root, ok=False).stderr
    assert [p.name for p in root.iterdir()] == [".git"]
    monkeypatch.undo()
    assert "desk ready" in cli_invoke("init", root).stdout  # a retry does the whole job


def test_human_output_of_review_says_what_happened(open_ticket, cli_invoke):
    tid = open_ticket()
    drive(cli_invoke, tid, "proposed")
    out = cli_invoke("review", tid, "--request-changes", "--by", "carol", "--comment", "Check firmware").stdout
    assert out.strip() == f"{tid}: changes requested by carol (status in_progress)"
    cli_invoke("propose", tid, "--solution", "Firmware first")
    out = cli_invoke("review", tid, "--approve", "--by", "carol").stdout
    assert out.strip() == f"{tid}: approved by carol (status resolved)"


def test_close_of_a_title_without_latin_letters_gets_its_own_article(open_ticket, cli_invoke, desk_root):
    tid = open_ticket("プリンターが紙詰まり")
    drive(cli_invoke, tid, "resolved")
    cli_invoke("close", tid, "--lesson", "ローラー交換")
    article = desk_root / "kb" / f"{tid.lower()}.md"  # not a shared 'article.md' every such ticket extends
    assert "ローラー交換" in article.read_text(encoding="utf-8")


def test_desk_is_found_from_subdir_flag_and_env(open_ticket, cli_invoke, desk_root, tmp_path, monkeypatch):
    tid = open_ticket()
    (desk_root / "docs" / "deep").mkdir(parents=True)
    monkeypatch.chdir(desk_root / "docs" / "deep")
    assert json.loads(cli_invoke("show", tid, "--json").stdout)["id"] == tid
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert json.loads(cli_invoke("--desk", desk_root, "show", tid, "--json").stdout)["id"] == tid
    monkeypatch.setenv("GITDESK_DESK", str(desk_root))
    cli_invoke("note", tid, "from anywhere")
    assert load(desk_root, tid).history[-1]["text"] == "from anywhere"


def test_a_while_read_loop_makes_one_ticket_per_line(desk_root):
    """`printf 'A\\nB\\n' | while read t; do gitdesk new "$t"; done`: two tickets, neither holding the other's title."""
    import os
    import sys

    env = {**os.environ, "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"]}
    script = (
        "printf 'Printer jams\\nVPN drops\\n' | while read t; do gitdesk new \"$t\" --requester eve@example.org; done"
    )
    proc = subprocess.run(["bash", "-c", script], cwd=desk_root, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    tickets = [parse(p.read_text()) for p in sorted((desk_root / "tickets").glob("HD-*.md"))]
    assert sorted(t.title for t in tickets) == ["Printer jams", "VPN drops"]
    assert all(t.description == "" for t in tickets)


def test_validate_refuses_a_quick_resolve_the_desk_does_not_allow(open_ticket, cli_invoke, desk_root):
    """A `resolve` event skips the review, so CI holds it to the same rules as the verb: a PR that
    resolves a ticket this way on a desk (or for a priority) that does not allow it is refused."""
    config = desk_root / "gitdesk.yml"
    allowed = config.read_text().replace("\n  customer: optional\n", "\n  customer: optional\n  quick_resolve: [P4]\n")
    config.write_text(allowed)
    git(desk_root, "commit", "-q", "-m", "quick resolve for P4", "gitdesk.yml")
    base = head(desk_root)
    tid = open_ticket("Password reset", "--priority", "P4")
    cli_invoke("resolve", tid, "--solution", "Reset it")
    assert cli_invoke("validate", "--base", base).exit_code == 0
    config.write_text(allowed.replace("  quick_resolve: [P4]\n", ""))  # the same change, on a desk without the switch
    git(desk_root, "commit", "-q", "-m", "no quick resolves", "gitdesk.yml")
    bad = cli_invoke("validate", "--base", base, ok=False)
    assert bad.exit_code != 0
    assert "resolved without review, but this desk does not allow a quick resolve" in bad.output
    assert f"tickets/{tid}.md:" in bad.output
