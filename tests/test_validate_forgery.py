"""`gitdesk validate --base`: forged history is reported naming file:line; legal hand edits still pass."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from test_validate import REQ, commit_all, edit, head, line_of


@pytest.fixture
def working(desk, clock):
    t = desk.open("Printer on floor 3 jams", REQ)
    clock.advance(minutes=5)
    desk.prioritise(t.id, "P3")
    clock.advance(minutes=5)
    desk.start(t.id)
    clock.advance(minutes=5)
    desk.note(t.id, "Checked tray 2")
    clock.advance(minutes=5)
    desk.contact(t.id, "phone", "Called Bob")
    clock.advance(minutes=5)
    return t.id


@pytest.fixture
def check(cli_invoke):
    return lambda *args: cli_invoke("validate", *args, ok=False)


def at_line(path, action: str) -> int:
    """The line where the history event with `action` starts (its '- at:' line)."""
    return line_of(path, f"action: {action}") - 2


def test_status_flip_through_a_neutral_events_from_to(desk_root, working, check):
    base = head(desk_root)

    def flip(t):
        for e in t.history:
            if e["action"] in ("note", "contact"):
                e["from"] = e["to"] = "resolved"
        t.meta["status"] = "resolved"

    path = edit(desk_root, working, flip)
    commit_all(desk_root)
    out = check("--base", base).output
    rel = f"tickets/{working}.md"
    # both tampered events, not only the first
    assert "history event 4 of the base (note at" in out and "history event 5 of the base (contact at" in out
    assert f"{rel}:{at_line(path, 'note')}: history event 4 of the base" in out


def test_created_moved(desk_root, working, check):
    base = head(desk_root)
    path = edit(desk_root, working, lambda t: t.meta.update(created="2026-01-01T00:00:00Z"))
    commit_all(desk_root)
    out = check("--base", base).output
    assert f"tickets/{working}.md:{line_of(path, 'created:')}: created moved from" in out


@pytest.mark.parametrize(
    "field, value",
    [
        ("priority", "P1"),
        ("title", "Nothing to see"),
        ("assignee", "mallory"),
        ("requester", {"name": "M", "email": "m@x.example"}),
    ],
)
def test_field_changed_with_no_event_that_explains_it(desk_root, working, check, field, value):
    base = head(desk_root)
    path = edit(desk_root, working, lambda t: t.set(field, value))
    commit_all(desk_root)
    result = check("--base", base)
    assert result.exit_code == 1
    assert f"tickets/{working}.md:{line_of(path, field + ':')}: {field} changed from" in result.output


def test_the_cli_explains_its_own_changes(desk_root, desk, working, check, clock):
    base = head(desk_root)
    desk.prioritise(working, "P1", reason="the whole floor is down")
    desk.assign(working, to="carol")
    desk.edit(working, {"title": "Printers on floor 3 jam", "requester": {"email": "bob.smith@example.com"}})
    result = check("--base", base)
    assert result.exit_code == 0, result.output


def test_event_inserted_before_the_bases_last_event(desk_root, working, check):
    """Back-dating a first response: a contact slipped in before events the base already had."""
    base = head(desk_root)

    def backdate(t):
        t.history.insert(
            2,
            {
                "at": t.history[1]["at"],
                "by": "mallory",
                "action": "contact",
                "from": "triaged",
                "to": "triaged",
                "via": "phone",
                "direction": "outbound",
                "summary": "Called at once",
            },
        )

    path = edit(desk_root, working, backdate)
    commit_all(desk_root)
    out = check("--base", base).output
    assert f"tickets/{working}.md:{line_of(path, 'by: mallory') - 1}: history event 3 (contact) is new but sits" in out


def test_event_dated_in_the_future(desk_root, desk, working, check, clock):
    base = head(desk_root)
    desk.note(working, "from the future")
    future = (clock() + dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
    path = edit(desk_root, working, lambda t: t.history[-1].update(at=future))
    commit_all(desk_root)
    out = check("--base", base).output
    assert f"tickets/{working}.md:{line_of(path, future)}: history event 6 is dated in the future" in out


def test_same_instant_with_another_offset_is_not_tampering(desk_root, working, check):
    base = head(desk_root)
    path = desk_root / "tickets" / f"{working}.md"
    text = path.read_text()
    stamp = yaml.safe_load(text.split("---")[1])["history"][1]["at"]
    when = dt.datetime.fromisoformat(str(stamp).replace("Z", "+00:00"))
    shifted = when.astimezone(dt.timezone(dt.timedelta(hours=2))).isoformat()
    path.write_text(text.replace(f"at: '{stamp}'", f"at: '{shifted}'", 1).replace(f"at: {stamp}", f"at: {shifted}", 1))
    assert shifted in path.read_text()
    commit_all(desk_root)
    result = check("--base", base)
    assert result.exit_code == 0, result.output


def test_legal_hand_edits_still_pass(desk_root, desk, working, check):
    base = head(desk_root)
    path = desk_root / "tickets" / f"{working}.md"
    path.write_text(path.read_text().replace("---\n", "---\ncost_centre: CC-42\n", 1) + "\nReworded description.\n")
    commit_all(desk_root)
    desk.note(working, "appended by the CLI")
    result = check("--base", base)
    assert result.exit_code == 0, result.output


def _surveyed(desk, desk_root):
    t = desk.open("Printer jams", REQ)
    desk.prioritise(t.id, "P3")
    desk.start(t.id)
    desk.propose(t.id, "New rollers")
    desk.review(t.id, True, "lead")
    desk.close(t.id, "Rollers wear out")
    desk.survey(t.id, 2, "no", "too-long", comment="Slow")
    return t.id


def test_survey_answers_changed_or_file_deleted(desk_root, desk, check):
    ticket_id = _surveyed(desk, desk_root)
    base = head(desk_root)
    path = desk_root / "surveys" / f"{ticket_id}.yml"
    path.write_text(path.read_text().replace("score: 2", "score: 5"))
    commit_all(desk_root)
    out = check("--base", base).output
    assert f"surveys/{ticket_id}.yml:{line_of(path, 'score:')}: survey answer 'score' changed from 2 to 5" in out
    path.unlink()
    commit_all(desk_root)
    out = check("--base", base).output
    assert f"surveys/{ticket_id}.yml:1: surveys are never deleted" in out
