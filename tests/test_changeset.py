"""core/changeset.py: a change judged as a whole: each file's rules, desk limits, quick resolves, then the links."""

from __future__ import annotations

import copy

from gitdesk.core import actions, survey
from gitdesk.core.changeset import check_changeset
from gitdesk.core.config import Limits, from_mapping
from gitdesk.core.ticket import Ticket, dump

CTX = actions.Context(from_mapping({"review": {"customer": "optional"}}), "2026-03-02T09:00:00Z", "Ada Tech")
QUEUES = ("service-desk",)


def ticket(tid: str = "HD-aaaaaaaa", title: str = "Printer jams", priority: str = "P3") -> Ticket:
    return actions.new_ticket(CTX, tid, title, {"name": "Bob", "email": "bob@example.com"}, priority=priority)


def closed(tid: str = "HD-cccccccc", kb: str = "printer-jams") -> Ticket:
    t = ticket(tid)
    actions.start(t, CTX)
    actions.propose(t, CTX, "New rollers")
    actions.review(t, CTX, approve=True, by="lead")
    actions.close(t, CTX, "Rollers wear", kb=kb)
    return t


def path(t: Ticket) -> str:
    return f"tickets/{t.id}.md"


class Desk:
    """One side of the change as `validate` reads it: path -> bytes, each read counted."""

    def __init__(self, *tickets: Ticket, files: dict[str, bytes] | None = None) -> None:
        self.files = {path(t): dump(t).encode() for t in tickets} | (files or {})
        self.asked: list[str] = []

    def __call__(self, paths: list[str]) -> dict[str, bytes | None]:
        self.asked += paths
        return {p: self.files.get(p) for p in paths}


def judge(entries, new: Desk, old: Desk | None = None, **kw):
    return check_changeset(entries, new, old, QUEUES, 3, **kw)


def messages(verdict) -> list[str]:
    return [p.message for p in verdict.problems]


def test_only_desk_files_are_judged_and_each_is_read_once():
    t = ticket()
    new = Desk(t, files={"gitdesk.yml": b"prefix: [broken", "docs/notes.md": b"anything"})
    verdict = judge([("A", path(t)), ("M", "gitdesk.yml"), ("A", "docs/notes.md")], new)
    assert verdict.checked == [path(t)] and verdict.problems == []
    assert new.asked == [path(t)]


def test_a_modified_ticket_is_held_to_its_base_only_when_there_is_one():
    base = ticket()
    forged = copy.deepcopy(base)
    forged.meta["priority"] = "P1"  # no prioritise event
    entries = [("M", path(forged))]
    assert any("tamper check" in m for m in messages(judge(entries, Desk(forged), Desk(base))))
    assert judge(entries, Desk(forged), None).problems == []  # the whole desk at one revision: no base


def test_a_deleted_ticket_is_refused_and_a_file_gone_from_the_new_side_is_skipped():
    t = ticket()
    assert "never deleted" in messages(judge([("D", path(t))], Desk(), Desk(t)))[0]
    assert judge([("A", path(t))], Desk()).checked == []  # listed but not there (a race with the work tree)


def test_a_ticket_over_limits_ticket_file_is_reported_and_not_parsed():
    big = b"---\nid: HD-aaaaaaaa\n" + b"#" * 70_000 + b"\n: not yaml [\n"
    new = Desk(files={"tickets/HD-aaaaaaaa.md": big})
    verdict = judge([("A", "tickets/HD-aaaaaaaa.md")], new, limits=Limits(64 * 1024))
    (only,) = verdict.problems
    assert only.line == 1 and "larger than limits.ticket_file (64.0 KB)" in only.message
    assert verdict.checked == []


def test_a_title_over_limits_title_is_refused_where_it_is_written():
    base = ticket(title="A title of forty characters, give or take")
    limits = Limits(title=20)
    (problem,) = judge([("A", path(base))], Desk(base), limits=limits).problems
    assert problem.field == "title" and "over limits.title (20)" in problem.message
    noted = copy.deepcopy(base)
    actions.note(noted, CTX, "a lowered limit leaves an old title be")
    assert judge([("M", path(noted))], Desk(noted), Desk(base), limits=limits).problems == []


def test_a_new_resolve_event_is_judged_by_the_desks_quick_resolve_rule():
    base = ticket()
    resolved = copy.deepcopy(base)
    actions.record(resolved, CTX, "resolve", solution="Reset it")
    why = []

    def refusal(t: Ticket) -> str:
        why.append(t.id)
        return "this desk does not allow a quick resolve"

    entries = [("M", path(resolved))]
    (problem,) = judge(entries, Desk(resolved), Desk(base), quick_resolve=refusal).problems
    assert problem.message == "history event 2: resolved without review, but this desk does not allow a quick resolve"
    assert judge(entries, Desk(resolved), Desk(base), quick_resolve=lambda t: "").problems == []
    noted = copy.deepcopy(resolved)
    actions.note(noted, CTX, "after the fact")  # the resolve is the base's now: not judged again
    why.clear()
    assert judge([("M", path(noted))], Desk(noted), Desk(resolved), quick_resolve=refusal).problems == []
    assert why == []


def test_ids_must_be_unique_whatever_their_case_when_the_whole_desk_is_checked():
    t = ticket()
    upper = Desk(t)
    upper.files["tickets/HD-AAAAAAAA.md"] = upper.files[path(t)].replace(b"HD-aaaaaaaa", b"HD-AAAAAAAA")
    entries = [("A", p) for p in upper.files]
    clash = "ticket id clashes with tickets/HD-AAAAAAAA.md (IDs are case-insensitive)"
    assert clash in messages(judge(entries, upper, complete=True))
    assert clash not in messages(judge(entries, upper))


def test_parent_and_children_are_read_and_must_agree():
    parent = ticket("HD-pppppppp")
    (child,) = actions.split_children(parent, CTX, ["Tray 2"], ["HD-kkkkkkkk"])
    desk = Desk(parent, child)
    assert judge([("A", path(child))], desk).problems == []
    assert path(parent) in desk.asked  # the link is followed to the one file it needs
    orphan = Desk(child)
    (problem,) = judge([("A", path(child))], orphan).problems
    assert (problem.field, problem.message) == ("parent", "parent HD-pppppppp does not exist")


def test_a_closed_tickets_kb_article_must_exist_and_may_not_be_deleted():
    t = closed()
    article = b"---\ntitle: Printer jams\ntickets: [HD-cccccccc]\n---\nRollers wear.\n"
    assert judge([("A", path(t))], Desk(t, files={"kb/printer-jams.md": article})).problems == []
    (missing,) = judge([("A", path(t))], Desk(t)).problems
    assert "kb/printer-jams.md does not exist" in missing.message
    verdict = judge([("D", "kb/printer-jams.md")], Desk(t), Desk(t, files={"kb/printer-jams.md": article}))
    assert messages(verdict) == ["deleted, but closed ticket HD-cccccccc keeps its lesson here"]


def test_a_survey_belongs_to_a_ticket_that_was_closed():
    rec = survey.dump(survey.make("HD-cccccccc", "2026-03-09T10:00:00Z", 4, "yes", "adequate")).encode()
    entries = [("A", "surveys/HD-cccccccc.yml")]
    files = {"surveys/HD-cccccccc.yml": rec, "kb/printer-jams.md": b"---\ntitle: Printer jams\n---\n"}
    assert judge(entries, Desk(closed(), files=files)).problems == []
    reopened = closed()
    actions.reopen(reopened, CTX, "It is back")  # the survey stays the record of that closure
    assert judge(entries, Desk(reopened, files=files)).problems == []
    (problem,) = judge(entries, Desk(files={"surveys/HD-cccccccc.yml": rec})).problems
    assert (problem.field, problem.line) == ("ticket", 1) and "there is no such ticket" in problem.message
    open_one = Desk(ticket("HD-cccccccc"), files={"surveys/HD-cccccccc.yml": rec})
    assert "which is 'triaged' and was never closed" in messages(judge(entries, open_one))[0]


def test_problems_come_sorted_by_file_then_line():
    a, b = ticket("HD-aaaaaaaa"), ticket("HD-bbbbbbbb")
    for t in (a, b):
        t.meta.update(tier=7, queue="payroll")
    verdict = judge([("A", path(b)), ("A", path(a))], Desk(a, b))
    keys = [(p.path, p.line) for p in verdict.problems]
    assert keys == sorted(keys) and {p.path for p in verdict.problems} == {path(a), path(b)}
