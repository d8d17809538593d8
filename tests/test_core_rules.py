"""core/rules.py: the single-file rules validate and the write gate share: bytes in, problems out."""

from __future__ import annotations

import copy
import datetime as dt

import pytest

from gitdesk.core import actions, survey
from gitdesk.core.config import from_mapping
from gitdesk.core.rules import Locator, check_change, conflict_problems, kind_of
from gitdesk.core.ticket import Ticket, dump

PATH = "tickets/HD-abc12345.md"
QUEUES = ("service-desk", "network")
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def ctx(minutes: int = 0) -> actions.Context:
    now = (T0 + dt.timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return actions.Context(from_mapping({"queues": list(QUEUES), "review": {"customer": "optional"}}), now, "Ada Tech")


def opened() -> Ticket:
    return actions.new_ticket(
        ctx(), "HD-abc12345", "Printer jams", {"name": "Bob", "email": "bob@example.com"}, priority="P3"
    )


def check(new: Ticket | bytes | None, old: Ticket | bytes | None = None, path: str = PATH, **kw):
    def data(t):
        return t if t is None or isinstance(t, bytes) else dump(t).encode()

    return check_change(path, data(old), data(new), kw.pop("queues", QUEUES), kw.pop("tiers", 3), **kw)


def messages(result) -> list[str]:
    return [p.message for p in result.problems]


@pytest.mark.parametrize(
    "path,kind",
    [
        ("tickets/HD-abc12345.md", "ticket"),
        ("kb/printer-jams.md", "article"),
        ("surveys/HD-abc12345.yml", "survey"),
        ("gitdesk.yml", "config"),
        ("tickets/HD-abc12345/scan.pdf", None),  # an attachment
        ("tickets/.HD-abc12345.md.swp", None),
        ("tickets/HD-abc12345.txt", None),
        ("docs/gitdesk.yml", None),
        ("README.md", None),
    ],
)
def test_kind_of(path, kind):
    assert kind_of(path) == kind


def test_a_ticket_as_the_verbs_write_it_passes_and_comes_back_parsed():
    result = check(opened())
    assert result.problems == [] and result.kind == "ticket" and result.ticket.id == "HD-abc12345"
    assert check(None, opened(), path="docs/notes.md").problems == []  # not validate's file


def test_tickets_and_surveys_are_never_deleted():
    assert "never deleted" in messages(check(None, opened()))[0]
    rec = survey.dump(survey.make("HD-abc12345", "2026-03-09T10:00:00Z", 4, "yes", "adequate")).encode()
    assert "never deleted" in messages(check(None, rec, path="surveys/HD-abc12345.yml"))[0]
    assert check(None, b"---\ntitle: Old\n---\n", path="kb/old.md").problems == []  # links judge that one


def test_a_file_that_is_not_utf8_is_one_problem_on_line_1():
    (problem,) = check(b"---\nid: HD-abc12345\ntitle: caf\xe9\n---\n").problems
    assert problem.line == 1 and "not UTF-8" in problem.message


def test_conflict_markers_name_the_field_and_both_sides():
    text = "---\nid: HD-abc12345\n<<<<<<< ours\npriority: P2\n=======\npriority: P1\n>>>>>>> theirs\n---\n"
    (problem,) = conflict_problems(PATH, text)
    assert problem.line == 3 and "field 'priority' (ours: P2, theirs: P1)" in problem.message
    (body,) = conflict_problems(PATH, "---\nid: x\n---\n<<<<<<< a\nsome text\n=======\nother\n>>>>>>> b\n")
    assert "the text below" in body.message
    (stray,) = conflict_problems(PATH, "---\nid: x\n---\nfine\n>>>>>>> b\n")
    assert (stray.line, stray.message) == (5, "stray merge conflict marker")
    assert conflict_problems(PATH, "a line of ======= is prose\n") == []


def test_the_locator_finds_fields_events_and_keys_and_falls_back():
    text = dump(opened())
    front = text.split("---\n")[1]
    loc = Locator(text, front, 2)
    lines = text.splitlines()
    assert lines[loc.line("priority") - 1] == "priority: P3"
    assert lines[loc.line("history", 0) - 1].startswith("- at:")
    assert lines[loc.line("history", 0, "action") - 1].strip() == "action: open"
    assert loc.line("history", 7, "at") == loc.line("history")  # no such event: its list
    assert loc.line("nothing") == 1
    assert Locator("x", "key: [broken", 5).line("key") == 4


@pytest.mark.parametrize(
    "change,field,words",
    [
        ({"id": "HD-other000"}, "id", "does not match the file name"),
        ({"id": "hd-ABC12345"}, "id", "does not match the file name"),  # the file name spells it canonically
        ({"status": "done"}, "status", "is not one of"),
        ({"queue": "payroll"}, "queue", "is not one of service-desk, network"),
        ({"tier": 4}, "tier", "from 1 to 3"),
        ({"tier": True}, "tier", "whole number"),
        ({"title": "two\nlines"}, "title", "one line"),
        ({"requester": "bob@example.com"}, "requester", "a mapping"),
        ({"incident": "yes"}, "incident", "true or false"),
        ({"created": "last week"}, "created", "ISO 8601"),
        ({"visibility": "secret"}, "visibility", "is not one of"),
        ({"priority": None}, "priority", "needs priority"),
    ],
)
def test_schema_problems_name_the_field_and_its_line(change, field, words):
    t = opened()
    t.meta.update(change)
    text = dump(t)
    problems = [p for p in check(text.encode()).problems if words in p.message]
    assert problems and problems[0].field == field
    assert text.splitlines()[problems[0].line - 1].startswith(f"{field}:")


def test_no_queue_list_skips_the_queue_rule():
    t = opened()
    t.meta["queue"] = "payroll"
    assert check(t, queues=()).problems == []  # a broken gitdesk.yml is reported once, not per ticket


def test_events_that_are_not_events_are_the_only_complaint():
    t = opened()
    t.history.append({"at": "soon", "action": "note", "text": "x"})
    result = messages(check(t))
    assert result == [
        "history event 2: 'at' must be an ISO 8601 timestamp",
        "history event 2 does not say who acted ('by')",
    ]


def test_the_front_matter_must_agree_with_the_history():
    t = opened()
    t.meta["status"] = "in_progress"
    assert "status is 'in_progress' but the last history event leads to 'triaged'" in messages(check(t))
    t.history.clear()
    t.meta["status"] = "triaged"
    assert any("history is empty" in m for m in messages(check(t)))


def test_an_illegal_new_event_is_refused():
    t = opened()
    t.history.append(
        {"at": ctx(5).now, "by": "Ada", "action": "propose", "from": "triaged", "to": "proposed", "solution": "x"}
    )
    t.meta["status"] = "proposed"
    assert any(m.startswith("history event 2: 'propose' is not allowed from 'triaged'") for m in messages(check(t)))


def test_history_is_append_only_against_the_base():
    base = opened()
    actions.note(base, ctx(5), "called the vendor")
    edited = copy.deepcopy(base)
    edited.history[1]["text"] = "never called anyone"
    assert any("was changed or deleted; history is append-only" in m for m in messages(check(edited, base)))
    dropped = copy.deepcopy(base)
    dropped.history.pop()
    assert any("history event 2 of the base" in m for m in messages(check(dropped, base)))
    grown = copy.deepcopy(base)
    actions.note(grown, ctx(10), "vendor called back")
    assert check(grown, base).problems == []


def test_the_same_instant_written_with_another_offset_is_the_same_event():
    base = opened()
    shifted = copy.deepcopy(base)
    shifted.history[0]["at"] = "2026-03-02T10:00:00+01:00"
    shifted.meta["created"] = "2026-03-02T10:00:00+01:00"
    assert check(shifted, base).problems == []
    moved = copy.deepcopy(base)
    moved.meta["created"] = "2026-03-01T09:00:00Z"
    assert any(m.startswith("created moved from") for m in messages(check(moved, base)))


def test_a_changed_field_needs_a_new_event_that_records_it():
    base = opened()
    forged = copy.deepcopy(base)
    forged.meta["priority"] = "P1"
    (problem,) = [p for p in check(forged, base).problems if "tamper check" in p.message]
    assert problem.field == "priority" and "no new 'prioritise' event" in problem.message
    honest = copy.deepcopy(base)
    actions.prioritise(honest, ctx(5), "P1", reason="whole floor")
    assert check(honest, base).problems == []
    edited = copy.deepcopy(base)
    actions.edit(edited, ctx(5), {"title": "Printer jams on floor 3"})
    assert check(edited, base).problems == []
    edited.meta["title"] = "Something else"  # not what the edit event says
    assert [p.field for p in check(edited, base).problems] == ["title"]


def test_new_events_go_at_the_end_and_not_in_the_future():
    base = opened()
    actions.note(base, ctx(30), "second")
    slipped = copy.deepcopy(base)
    slipped.history.insert(
        1, {"at": ctx(10).now, "by": "Ada", "action": "note", "from": "triaged", "to": "triaged", "text": "x"}
    )
    assert any("is new but sits before the base's last event" in m for m in messages(check(slipped, base)))
    ahead = copy.deepcopy(base)
    actions.note(ahead, ctx(60 * 24), "tomorrow's note")
    assert any("dated in the future" in m for m in messages(check(ahead, base, now=T0)))
    assert check(ahead, base, now=T0 + dt.timedelta(days=1) - dt.timedelta(minutes=9)).problems == []  # clock slack
    assert check(ahead, base).problems == []  # no `now`: not checked


def test_time_never_runs_backwards():
    t = opened()
    t.history.append(
        {"at": "2026-03-02T08:00:00Z", "by": "Ada", "action": "note", "from": "triaged", "to": "triaged", "text": "x"}
    )
    assert any("earlier than event 1; time never runs backwards" in m for m in messages(check(t)))


def test_resolved_needs_an_approving_review_and_closed_a_lesson():
    t = opened()
    actions.start(t, ctx(1))
    actions.propose(t, ctx(2), "New rollers")
    actions.review(t, ctx(3), approve=True, by="lead")
    assert t.status == "resolved" and check(t).problems == []
    forged = copy.deepcopy(t)
    forged.history[-1]["verdict"] = "request-changes"
    forged.history[-1].update(to="in_progress", feedback="no")
    forged.history.append(
        {"at": ctx(4).now, "by": "Ada", "action": "resolve", "from": "in_progress", "to": "resolved", "solution": "x"}
    )
    assert (
        check(forged).problems == []
    )  # a quick resolve after the last proposal: whether it is allowed is the changeset's
    actions.close(t, ctx(5), "Rollers wear", kb="printer-jams")
    assert check(t).problems == []
    t.history[-1].pop("lesson")
    assert "a closed ticket needs a close event with its lesson learned" in messages(check(t))


def test_a_control_character_is_refused_in_the_field_that_holds_it():
    t = opened()
    text = dump(t).replace("title: Printer jams", 'title: "Printer \\e[31mjams"')
    (problem,) = check(text.encode()).problems
    assert problem.field == "title" and "control character" in problem.message
    assert text.splitlines()[problem.line - 1].startswith("title:")


def test_kb_articles_need_a_slug_a_title_and_lists_of_names():
    assert (
        check(
            b"---\ntitle: Printer jams\ntags: [printer]\ntickets: [HD-abc12345]\n---\nBody\n", path="kb/printer-jams.md"
        ).problems
        == []
    )
    (slug,) = messages(check(b"---\ntitle: X\n---\n", path="kb/Printer_Jams.md"))
    assert "is not a KB slug" in slug
    problems = check(b"---\ntitle: ' '\ntags: printer\ntickets: [1, 2]\n---\n", path="kb/x.md").problems
    assert [(p.field, p.line) for p in problems] == [("title", 2), ("tags", 3), ("tickets", 4)]
    for flag in ("'false'", "null", "yes please", "1"):
        (published,) = check(f"---\ntitle: X\npublished: {flag}\n---\n".encode(), path="kb/x.md").problems
        assert (published.field, published.line, published.message) == (
            "published",
            3,
            "published must be true or false",
        )
    assert check(b"---\ntitle: X\npublished: false\n---\n", path="kb/x.md").problems == []


def _survey(**changes) -> bytes:
    return survey.dump({**survey.make("HD-abc12345", "2026-03-09T10:00:00Z", 4, "yes", "adequate"), **changes}).encode()


def test_a_survey_is_checked_by_the_rules_gitdesk_survey_applies():
    path = "surveys/HD-abc12345.yml"
    assert check(_survey(), path=path).survey["score"] == 4
    (score,) = check(_survey(score=9), path=path).problems
    assert score.field == "score" and score.line == 4
    (name,) = check(_survey(ticket="HD-other000"), path=path).problems
    assert name.field == "ticket" and "does not match the file name" in name.message
    (at,) = check(_survey(at="whenever"), path=path).problems
    assert at.field == "at"
    assert check(_survey(score=9), path=path).survey is None  # a broken survey is not linked to its ticket


def test_a_recorded_survey_never_changes_but_may_be_replaced_faithfully():
    path = "surveys/HD-abc12345.yml"
    old = _survey()
    (edited,) = check(_survey(score=5), old, path=path).problems
    assert edited.field == "score" and "changed from 4 to 5" in edited.message
    first = survey.parse(old.decode(), path)
    replaced = survey.replacing(first, survey.make("HD-abc12345", "2026-03-10T10:00:00Z", 5, "yes", "adequate"))
    assert check(survey.dump(replaced).encode(), old, path=path).problems == []
    assert check(_survey(at="2026-03-09T11:00:00+01:00"), old, path=path).problems == []  # the same instant
