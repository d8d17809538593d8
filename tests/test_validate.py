"""gitdesk validate: one case per rule, each passing and failing, on real git desks."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from gitdesk.core.ticket import dump, parse

REQ = {"name": "Bob Smith", "email": "bob@example.com"}


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True).stdout.strip()


def commit_all(root: Path, message: str = "hand edit") -> str:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)
    return git(root, "rev-parse", "HEAD")


def edit(root: Path, ticket_id: str, change) -> Path:  # type: ignore[no-untyped-def]
    """Hand-edit a ticket's parsed form (what a person or a bad tool might do)."""
    path = root / "tickets" / f"{ticket_id}.md"
    ticket = parse(path.read_text(), str(path))
    change(ticket)
    path.write_text(dump(ticket))
    return path


def line_of(path: Path, needle: str, nth: int = 0) -> int:
    hits = [i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line]
    return hits[nth]


@pytest.fixture
def working(desk, clock):
    """A ticket in progress, committed; returns its id."""
    t = desk.open("Printer on floor 3 jams", REQ)
    clock.advance(minutes=5)
    desk.prioritise(t.id, "P3")
    clock.advance(minutes=5)
    desk.start(t.id)
    clock.advance(minutes=5)
    return t.id


@pytest.fixture
def check(cli_invoke):
    def run(*args: str):  # type: ignore[no-untyped-def]
        return cli_invoke("validate", *args, ok=False)

    return run


def head(root: Path) -> str:
    return git(root, "rev-parse", "HEAD")


# -- schema -------------------------------------------------------------------------------
def test_schema_required_fields_pass_and_fail(desk_root, desk, working, check):
    base = head(desk_root)
    assert check("--base", base).exit_code == 0
    path = edit(desk_root, working, lambda t: t.meta.update(priority=None))
    commit_all(desk_root)
    result = check("--base", base)
    assert result.exit_code == 1
    assert f"tickets/{working}.md:{line_of(path, 'priority:')}: status 'in_progress' needs priority" in result.output


@pytest.mark.parametrize(
    "field, value, words",
    [
        ("tier", "high", "tier 'high' must be a whole number from 1 to 3"),
        ("priority", "P9", "priority 'P9' is not one of P1, P2, P3, P4"),
        ("queue", "kitchen", "queue 'kitchen' is not one of"),
        ("created", "last tuesday", "created 'last tuesday' is not an ISO 8601 timestamp"),
        ("requester", "bob", "requester must be a mapping"),
    ],
)
def test_schema_value_types(desk_root, working, check, field, value, words):
    base = head(desk_root)
    path = edit(desk_root, working, lambda t: t.meta.update({field: value}))
    commit_all(desk_root)
    result = check("--base", base)
    assert result.exit_code == 1
    assert f"tickets/{working}.md:{line_of(path, f'{field}:')}: {words}" in result.output


def test_file_name_must_match_id(desk_root, working, check):
    base = head(desk_root)
    copy = desk_root / "tickets" / "HD-zzzzzzzz.md"
    copy.write_text((desk_root / "tickets" / f"{working}.md").read_text())
    commit_all(desk_root)
    result = check("--base", base)
    assert result.exit_code == 1
    assert f"tickets/HD-zzzzzzzz.md:2: id '{working}' does not match the file name 'HD-zzzzzzzz.md'" in result.output


def test_kb_article_and_survey_schema(desk_root, check):
    base = head(desk_root)
    (desk_root / "kb" / "bad-article.md").write_text("---\ntags: printers\n---\n\nText\n")
    (desk_root / "surveys" / "HD-aaaaaaaa.yml").write_text(
        "ticket: HD-aaaaaaaa\nat: '2026-03-02T09:00:00Z'\nscore: 9\nright_questions: yes\ntime: adequate\n"
    )
    commit_all(desk_root)
    out = check("--base", base).output
    assert "kb/bad-article.md:1: a KB article needs a title" in out
    assert "kb/bad-article.md:2: tags must be a list of names" in out
    assert "surveys/HD-aaaaaaaa.yml:3: score: '9' must be a whole number from 1 to 5" in out


# -- transitions ----------------------------------------------------------------------------
def test_several_legal_moves_in_one_change_pass(desk_root, desk, working, clock, check):
    base = head(desk_root)
    desk.note(working, "Rollers look worn")
    clock.advance(minutes=5)
    desk.propose(working, "Replace the rollers")
    clock.advance(minutes=5)
    desk.review(working, True, "carol")
    result = check("--base", base)
    assert result.exit_code == 0, result.output
    assert "1 file(s) checked, no problems" in result.output


def test_illegal_move_is_reported_at_its_event(desk_root, working, check):
    base = head(desk_root)

    def close_early(t):  # type: ignore[no-untyped-def]
        t.history.append(
            {
                "at": "2026-03-02T10:00:00Z",
                "by": "mallory",
                "action": "close",
                "from": "in_progress",
                "to": "closed",
                "lesson": "x",
                "kb": "x",
            }
        )
        t.meta["status"] = "closed"

    path = edit(desk_root, working, close_early)
    commit_all(desk_root)
    result = check("--base", base)
    assert result.exit_code == 1
    line = line_of(path, "by: mallory") - 1  # the event starts at its '- at:' line
    assert f"tickets/{working}.md:{line}: history event 4: 'close' is not allowed from 'in_progress'" in result.output


def test_front_matter_must_agree_with_last_event(desk_root, working, check):
    base = head(desk_root)
    path = edit(desk_root, working, lambda t: t.meta.update(status="waiting"))
    commit_all(desk_root)
    result = check("--base", base)
    assert (
        f"tickets/{working}.md:{line_of(path, 'status:')}: status is 'waiting' but the last history "
        "event leads to 'in_progress'" in result.output
    )


# -- append-only history -------------------------------------------------------------------
def test_rewritten_event_is_tampering(desk_root, desk, working, check):
    desk.note(working, "Called Bob, he says tray 2")
    base = head(desk_root)
    path = edit(desk_root, working, lambda t: t.history[-1].update(text="Bob never called"))
    commit_all(desk_root)
    result = check("--base", base)
    assert result.exit_code == 1
    line = line_of(path, "action: note") - 2
    assert f"tickets/{working}.md:{line}: history event 4 of the base (note at " in result.output
    assert "append-only (tamper check)" in result.output


def test_an_old_event_with_rewritten_from_and_to_is_checked_against_the_table(desk_root, desk, working, check):
    base = head(desk_root)
    path = edit(desk_root, working, lambda t: t.history[2].update(to="resolved"))  # start: triaged -> resolved?
    commit_all(desk_root)
    result = check("--base", base)
    assert result.exit_code == 1
    line = line_of(path, "action: start") - 2
    assert f"tickets/{working}.md:{line}: history event 3: 'start' from 'triaged' leads to in_progress" in result.output


def test_deleted_event_and_deleted_ticket_are_reported(desk_root, desk, working, check):
    other = desk.open("VPN drops", REQ).id
    base = head(desk_root)
    edit(desk_root, working, lambda t: t.history.pop(1))
    (desk_root / "tickets" / f"{other}.md").unlink()
    commit_all(desk_root)
    out = check("--base", base).output
    assert "history event 2 of the base (prioritise at" in out
    assert f"tickets/{other}.md:1: tickets are never deleted" in out


def test_appending_passes_the_tamper_check(desk_root, desk, working, check):
    base = head(desk_root)
    desk.note(working, "more")
    assert check("--base", base).exit_code == 0


# -- consistency -------------------------------------------------------------------------------
def test_parent_and_children_agree(desk_root, desk, working, check):
    base = head(desk_root)
    parent, first, second = desk.split(working, ["Tray 2 rollers", "Driver update"])
    assert check("--base", base).exit_code == 0
    base = head(desk_root)
    edit(desk_root, first.id, lambda t: t.meta.update(parent="HD-00000000"))
    edit(desk_root, parent.id, lambda t: t.meta["children"].append("HD-11111111"))
    commit_all(desk_root)
    out = check("--base", base).output
    assert "parent HD-00000000 does not exist" in out
    assert "child HD-11111111 does not exist" in out
    assert f"child {first.id} names parent 'HD-00000000', not {parent.id}" in out
    base = head(desk_root)
    edit(desk_root, parent.id, lambda t: t.meta["children"].remove(second.id))
    commit_all(desk_root)
    out = check("--base", base).output
    assert f"{second.id} was removed from children but still names {parent.id}" in out


def test_closed_ticket_needs_lesson_and_kb_article(desk_root, desk, working, clock, check):
    desk.propose(working, "Replace the rollers")
    desk.review(working, True, "carol")
    base = head(desk_root)
    desk.close(working, "Worn rollers jam tray 2")
    assert check("--base", base).exit_code == 0
    (desk_root / "kb" / "printer-on-floor-3-jams.md").unlink()
    commit_all(desk_root)
    path = desk_root / "tickets" / f"{working}.md"
    out = check("--base", base).output
    assert (
        f"tickets/{working}.md:{line_of(path, 'kb: printer')}: closed with KB article "
        "'printer-on-floor-3-jams' but kb/printer-on-floor-3-jams.md does not exist" in out
    )
    edit(desk_root, working, lambda t: t.history[-1].pop("lesson"))
    commit_all(desk_root)
    out = check("--base", base).output
    assert "'close' event lacks lesson" in out
    assert "a closed ticket needs a close event with its lesson learned" in out


def test_resolved_needs_an_approving_review(desk_root, desk, working, check):
    desk.propose(working, "Replace the rollers")
    base = head(desk_root)
    desk.review(working, True, "carol")
    assert check("--base", base).exit_code == 0
    git(desk_root, "reset", "-q", "--hard", base)

    def sneak(t):  # type: ignore[no-untyped-def]
        t.history.append(
            {
                "at": "2026-03-02T10:00:00Z",
                "by": "mallory",
                "action": "edit",
                "from": "proposed",
                "to": "resolved",
                "changes": {"status": "resolved"},
            }
        )
        t.meta["status"] = "resolved"

    edit(desk_root, working, sneak)
    commit_all(desk_root)
    out = check("--base", base).output
    assert "a resolved ticket needs a review event approving its latest proposal" in out
    assert "'edit' from 'proposed' leads to proposed, not 'resolved'" in out


def test_survey_belongs_to_a_closed_ticket(desk_root, desk, working, check):
    desk.propose(working, "Replace the rollers")
    desk.review(working, True, "carol")
    desk.close(working, "Worn rollers")
    base = head(desk_root)
    desk.survey(working, 5, "yes", "adequate")
    assert check("--base", base).exit_code == 0
    open_one = desk.open("VPN drops", REQ).id
    base = head(desk_root)
    (desk_root / "surveys" / f"{open_one}.yml").write_text(
        f"ticket: {open_one}\nat: '2026-03-02T09:00:00Z'\nscore: 4\nright_questions: 'yes'\ntime: adequate\n"
    )
    (desk_root / "surveys" / "HD-22222222.yml").write_text(
        "ticket: HD-22222222\nat: '2026-03-02T09:00:00Z'\nscore: 4\nright_questions: 'yes'\ntime: adequate\n"
    )
    commit_all(desk_root)
    out = check("--base", base).output
    assert f"surveys/{open_one}.yml:1: survey for {open_one}, which is 'new' and was never closed" in out
    assert "surveys/HD-22222222.yml:1: survey for HD-22222222, but there is no such ticket" in out


def test_reopen_or_cancel_after_a_survey_leaves_a_valid_desk(desk_root, desk, working, clock, cli_invoke, check):
    """Issue 10 part 6: the survey stays the record of the first closure; validate and the CLI agree."""
    desk.propose(working, "Replace the rollers")
    desk.review(working, True, "carol")
    desk.close(working, "Worn rollers")
    desk.survey(working, 5, "yes", "adequate")
    base = head(desk_root)
    clock.advance(hours=1)
    cli_invoke("reopen", working, "--reason", "It jams again")
    assert check("--base", base).exit_code == 0
    assert check().exit_code == 0  # the whole desk too
    clock.advance(hours=1)
    cli_invoke("cancel", working, "--reason", "The printer is being replaced")
    result = check()
    assert result.exit_code == 0, result.output
    assert (desk_root / "surveys" / f"{working}.yml").exists()  # the customer's answers are never dropped


def test_timestamps_never_go_backwards(desk_root, desk, working, check):
    base = head(desk_root)

    def backdate(t):  # type: ignore[no-untyped-def]
        t.history.append(
            {
                "at": "2026-03-01T08:00:00Z",
                "by": "ada",
                "action": "note",
                "from": "in_progress",
                "to": "in_progress",
                "text": "time travel",
            }
        )

    path = edit(desk_root, working, backdate)
    commit_all(desk_root)
    out = check("--base", base).output
    assert (
        f"tickets/{working}.md:{line_of(path, '2026-03-01T08:00:00Z')}: history event 4 at "
        "2026-03-01T08:00:00Z is earlier than event 3; time never runs backwards" in out
    )


def test_conflict_markers_are_named(desk_root, working, check):
    base = head(desk_root)
    path = desk_root / "tickets" / f"{working}.md"
    path.write_text(
        path.read_text().replace(
            "status: in_progress\n", "<<<<<<< ours\nstatus: waiting\n=======\nstatus: proposed\n>>>>>>> theirs\n"
        )
    )
    commit_all(desk_root)
    out = check("--base", base).output
    assert (
        f"tickets/{working}.md:{line_of(path, '<<<<<<<')}: unresolved merge conflict on field 'status' "
        "(ours: waiting, theirs: proposed)" in out
    )


# -- modes and output ---------------------------------------------------------------------------
def test_base_reads_only_the_change(desk_root, desk, working, check):
    broken = desk_root / "tickets" / "HD-33333333.md"
    broken.write_text("---\nid: HD-33333333\nstatus: nonsense\n---\n")
    commit_all(desk_root)
    base = head(desk_root)
    desk.note(working, "fine")
    result = check("--base", base, "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["checked"] == [f"tickets/{working}.md"]
    whole = check()
    assert whole.exit_code == 1 and "tickets/HD-33333333.md:3: status 'nonsense'" in whole.output


def test_github_format_and_job_summary(desk_root, working, check, tmp_path, monkeypatch):
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    base = head(desk_root)
    path = edit(desk_root, working, lambda t: t.meta.update(tier=7))
    commit_all(desk_root)
    result = check("--base", base, "--format", "github")
    assert result.exit_code == 1
    assert (
        f"::error file=tickets/{working}.md,line={line_of(path, 'tier:')},title=gitdesk validate::"
        "tier '7' must be a whole number from 1 to 3"
    ) in result.output
    text = summary.read_text()
    assert "## gitdesk validate" in text and "| file | line | problem |" in text and "tier '7'" in text


def test_json_format(desk_root, working, check):
    base = head(desk_root)
    edit(desk_root, working, lambda t: t.meta.update(channel="pigeon"))
    commit_all(desk_root)
    data = json.loads(check("--base", base, "--format", "json").stdout)
    assert data["ok"] is False
    assert data["problems"][0]["path"] == f"tickets/{working}.md"
    assert "channel 'pigeon'" in data["problems"][0]["message"]


def test_staged_checks_the_index(desk_root, working, check):
    assert check("--staged").exit_code == 0
    edit(desk_root, working, lambda t: t.meta.update(priority="P0"))
    assert check("--staged").exit_code == 0  # not staged yet: the hook does not see it
    git(desk_root, "add", f"tickets/{working}.md")
    result = check("--staged")
    assert result.exit_code == 1 and "priority 'P0'" in result.output


def test_bad_refs_and_options_are_one_line_errors(desk_root, check):
    result = check("--base", "no-such-ref")
    assert result.exit_code != 0
    assert "'no-such-ref' is not a commit" in result.output and "Traceback" not in result.output
    assert check("--head", "HEAD").exit_code == 2
    assert check("--staged", "--base", "HEAD").exit_code == 2


def test_whole_desk_scan_passes_on_a_clean_desk(desk_root, desk, working, check):
    desk.propose(working, "Replace the rollers")
    desk.review(working, True, "carol")
    desk.close(working, "Worn rollers")
    desk.survey(working, 4, "yes", "adequate")
    desk.split(desk.open("Laptop and phone", REQ).id, ["Laptop", "Phone"])
    result = check()
    assert result.exit_code == 0, result.output
    assert "no problems" in result.output


def test_deleting_the_kb_article_of_a_closed_ticket(desk_root, desk, working, check):
    desk.propose(working, "Replace the rollers")
    desk.review(working, True, "carol")
    desk.close(working, "Worn rollers jam tray 2")
    (desk_root / "kb" / "unrelated.md").write_text("---\ntitle: Unrelated\ntags: []\ntickets: []\n---\n\nx\n")
    commit_all(desk_root)
    base = head(desk_root)
    (desk_root / "kb" / "unrelated.md").unlink()
    commit_all(desk_root)
    assert check("--base", base).exit_code == 0
    base = head(desk_root)
    (desk_root / "kb" / "printer-on-floor-3-jams.md").unlink()
    commit_all(desk_root)
    result = check("--base", base)
    assert result.exit_code == 1
    assert (
        f"kb/printer-on-floor-3-jams.md:1: deleted, but closed ticket {working} keeps its lesson here" in result.output
    )


@pytest.mark.parametrize(
    "section,words",
    [
        ("calendar:\n  timezone: Mars/Olympus\n", "calendar.timezone"),
        ("matrix:\n  high: {high: P9}\n", "matrix"),
        ("mail:\n  smtp: {port: 99999}\n", "mail.smtp.port"),
        ("intake:\n  routes: 7\n", "intake"),
    ],
)
def test_config_sections_owned_elsewhere_are_validated(desk_root, check, section, words):
    """A bad calendar, matrix, mail or intake section fails CI, naming the key, not only at run time."""
    good = check()
    assert good.exit_code == 0, good.output
    with open(desk_root / "gitdesk.yml", "a") as fh:
        fh.write(section)
    bad = check()
    assert bad.exit_code == 1
    assert "gitdesk.yml:" in bad.output and words in bad.output


def test_broken_config_is_reported_once_not_per_ticket(desk_root, desk, check):
    """With gitdesk.yml unreadable, tickets in its queues are not all flagged against default queues."""
    for n in range(3):
        t = desk.open(f"Switch {n} down", REQ)
        desk.assign(t.id, queue="network")
    cfg = desk_root / "gitdesk.yml"
    cfg.write_text(cfg.read_text().replace("tiers: 3", "tiers: many"))
    result = check()
    assert result.exit_code == 1
    problems = [
        line for line in result.stdout.splitlines() if ": " in line and line.split(":")[0].endswith((".md", ".yml"))
    ]
    assert len(problems) == 1 and problems[0].startswith("gitdesk.yml:") and "tiers" in problems[0], result.output
