"""The write gate (desk/gate.py): hand edits are never swept in, and nothing validate would refuse is written."""

from __future__ import annotations

import json

import pytest
import yaml

from conftest import git
from gitdesk.desk.gate import Change

RESOLVE = ("prioritise", "P3"), ("start",), ("propose", "--solution", "s"), ("review", "--approve", "--by", "c")


def _head(root) -> str:
    return git(root, "rev-parse", "HEAD")


def test_a_hand_edit_is_refused_naming_the_file_and_what_to_do(desk_root, open_ticket, refused):
    tid = open_ticket()
    path = desk_root / "tickets" / f"{tid}.md"
    edited = path.read_text().replace("Printer on floor 3 jams", "Printer on floor 4 jams")
    path.write_text(edited)
    head = _head(desk_root)
    line = refused("note", tid, "Called the vendor", code=1)
    assert f"tickets/{tid}.md has uncommitted changes" in line
    assert f"git commit tickets/{tid}.md" in line and f"git checkout -- tickets/{tid}.md" in line
    assert "--include-edits" in line
    assert _head(desk_root) == head
    assert path.read_text() == edited  # the hand edit is still there, untouched
    assert "Called the vendor" not in path.read_text()


def test_include_edits_records_the_hand_edit_as_an_edit_event(desk_root, open_ticket, cli_invoke):
    tid = open_ticket()
    path = desk_root / "tickets" / f"{tid}.md"
    path.write_text(path.read_text().replace("Printer on floor 3 jams", "Printer on floor 4 jams"))
    out = cli_invoke("note", tid, "Called the vendor", "--include-edits", "--json")
    ticket = json.loads(out.stdout)
    edit, note = ticket["history"][-2:]
    assert edit["action"] == "edit" and edit["source"] == "hand edit"
    assert edit["changes"] == {"title": {"from": "Printer on floor 3 jams", "to": "Printer on floor 4 jams"}}
    assert note["action"] == "note"
    assert git(desk_root, "status", "--porcelain") == ""
    message = git(desk_root, "log", "-1", "--format=%B")
    assert f"Includes uncommitted hand edits of tickets/{tid}.md" in message
    assert "\ntitle: Printer on floor 4 jams\n" in git(desk_root, "show", f"HEAD:tickets/{tid}.md")
    checked = cli_invoke("validate", "--base", "HEAD~1")
    assert "no problems" in checked.output


def test_a_hand_edit_of_another_file_the_verb_rewrites_is_refused(desk_root, open_ticket, cli_invoke, refused):
    """close --kb merges into an existing article; a hand edit of that article is not swept in either."""
    first, second = open_ticket("One"), open_ticket("Two")
    for tid in (first, second):
        for verb, *rest in RESOLVE:
            cli_invoke(verb, tid, *rest)
    cli_invoke("close", first, "--lesson", "l1", "--kb", "printers")
    article = desk_root / "kb" / "printers.md"
    article.write_text(article.read_text() + "\nA hand-written paragraph.\n")
    line = refused("close", second, "--lesson", "l2", "--kb", "printers", code=1)
    assert "kb/printers.md has uncommitted changes" in line
    assert "A hand-written paragraph." in article.read_text()
    cli_invoke("close", second, "--lesson", "l2", "--kb", "printers", "--include-edits")
    committed = git(desk_root, "show", "HEAD:kb/printers.md")
    assert "A hand-written paragraph." in committed and "l2" in committed


def test_an_uncommitted_new_file_in_the_way_is_refused(desk_root, open_ticket, cli_invoke, refused):
    tid = open_ticket()
    for verb, *rest in RESOLVE:
        cli_invoke(verb, tid, *rest)
    (desk_root / "kb" / "fresh.md").write_text("---\ntitle: Mine\n---\nmy draft\n")
    line = refused("close", tid, "--lesson", "l", "--kb", "fresh", "--kb-public", code=1)
    assert "kb/fresh.md is not committed yet" in line
    assert (desk_root / "kb" / "fresh.md").read_text().endswith("my draft\n")


def test_a_change_the_rules_reject_is_refused_with_file_and_field(desk_root, open_ticket, refused):
    """A queue removed from gitdesk.yml: any write to a ticket still in it is what CI would reject."""
    tid = open_ticket("Network down", "--queue", "network")
    config = desk_root / "gitdesk.yml"
    data = yaml.safe_load(config.read_text())
    del data["queues"]["network"]
    config.write_text(yaml.safe_dump(data, sort_keys=False))
    git(desk_root, "commit", "-qam", "drop the network queue")
    head = _head(desk_root)
    line = refused("note", tid, "still down", code=1)
    assert line.startswith(f"gitdesk: tickets/{tid}.md:queue: queue 'network' is not one of")
    assert "'gitdesk validate' would reject this, so nothing was written" in line
    assert _head(desk_root) == head and git(desk_root, "status", "--porcelain") == ""


def test_the_gate_judges_any_change_with_validates_rules(desk, desk_root, open_ticket):
    """Desk.write itself, with a change no verb would make: a resolved ticket without an approval."""
    from gitdesk.errors import RulesRefused

    tid = open_ticket()
    rel = f"tickets/{tid}.md"
    text = (desk_root / rel).read_text().replace("status: new", "status: resolved")
    head = _head(desk_root)
    with pytest.raises(RulesRefused) as caught:
        desk.write(lambda draft: Change({rel: text}, "forge", tid, "note"))
    assert str(caught.value).startswith(f"{rel}:status: ")
    assert _head(desk_root) == head and "status: new" in (desk_root / rel).read_text()


def test_deleting_history_through_the_gate_is_refused_as_validate_does(desk, desk_root, open_ticket, cli_invoke):
    from gitdesk.errors import RulesRefused

    tid = open_ticket()
    cli_invoke("note", tid, "first note")
    rel = f"tickets/{tid}.md"
    ticket = desk.get(tid)
    ticket.history.pop()
    from gitdesk.core.ticket import dump

    with pytest.raises(RulesRefused, match="append-only"):
        desk.write(lambda draft: Change({rel: dump(ticket)}, "rewrite", tid, "note"))
    assert "first note" in (desk_root / rel).read_text()


def test_survey_replace_keeps_the_earlier_answers_and_passes_the_tamper_check(desk_root, open_ticket, cli_invoke):
    tid = open_ticket()
    for verb, *rest in RESOLVE:
        cli_invoke(verb, tid, *rest)
    cli_invoke("close", tid, "--lesson", "l")
    answers = ("--right-questions", "yes", "--time", "adequate")
    cli_invoke("survey", tid, "--score", "2", *answers)
    cli_invoke("survey", tid, "--score", "5", *answers, "--replace")
    record = yaml.safe_load((desk_root / "surveys" / f"{tid}.yml").read_text())
    assert record["score"] == 5 and [p["score"] for p in record["previous"]] == [2]
    assert "no problems" in cli_invoke("validate", "--base", "HEAD~1").output
    path = desk_root / "surveys" / f"{tid}.yml"
    path.write_text(path.read_text().replace("score: 2", "score: 4"))  # rewriting the customer's earlier word
    git(desk_root, "commit", "-qam", "tamper")
    tampered = cli_invoke("validate", "--base", "HEAD~1", ok=False)
    assert "tamper check" in tampered.output
