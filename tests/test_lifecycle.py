"""lifecycle.py: the move table, exhaustively, against the issue's rules written out independently here."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gitdesk.core import actions
from gitdesk.core.config import from_mapping
from gitdesk.core.lifecycle import (
    DONE,
    MOVES,
    OPEN,
    STATUS_TEXT,
    STATUSES,
    allowed_actions,
    check_event,
    choose_target,
    move_name,
)
from gitdesk.core.ticket import Ticket
from gitdesk.errors import IllegalTransition, InvalidValue, UsageError

ACTIVE = ("new", "triaged", "in_progress", "waiting", "proposed")
ALL = (None, *STATUSES)
SAME = "same"  # the move keeps the status
# A tuple lists the statuses a move may lead to, preferred first: routing a ticket that cannot be
# triaged yet (it lacks a field `triaged` needs) leaves it `new`.

# The rules of issue 2, restated by hand so the test does not just read MOVES back.
EXPECTED: dict[str, dict[str | None, str]] = {
    "open": {None: ("triaged", "new")},  # issue 14: a request opened with its priority is triaged
    "prioritise": {
        "new": ("triaged", "new"),
        **{s: SAME for s in ("triaged", "in_progress", "waiting", "proposed")},
    },
    "assign": {
        "new": ("triaged", "new"),
        **{s: SAME for s in ("triaged", "in_progress", "waiting", "proposed")},
    },
    "split": {s: "split" for s in ("new", "triaged", "in_progress", "waiting")},
    "escalate": {s: SAME for s in ("new", "triaged", "in_progress", "waiting")},
    "de-escalate": {s: SAME for s in ("new", "triaged", "in_progress", "waiting")},
    "unassign": {s: SAME for s in ACTIVE},  # `assign --unassign`: status unchanged
    "resolve": {s: "resolved" for s in ("new", "triaged", "in_progress")},  # quick resolve, no review
    "duplicate": {s: SAME for s in STATUSES},  # the back-link on the original of a cancelled duplicate
    "start": {"triaged": "in_progress", "waiting": "in_progress"},
    "note": {s: SAME for s in STATUSES},
    "contact:outbound": {s: SAME for s in STATUSES},
    "contact:inbound": {**{s: SAME for s in STATUSES}, "waiting": "in_progress"},
    "wait": {"triaged": "waiting", "in_progress": "waiting"},
    "propose": {"in_progress": "proposed"},
    "review:approve": {"proposed": ("resolved", "proposed")},  # proposed: another approval is still due
    "review:request-changes": {"proposed": "in_progress"},
    # a dismissed PR review takes its verdict back: resolved goes back to proposed unless enough approvals stand
    "review:dismiss": {"proposed": SAME, "resolved": ("proposed", "resolved"), "in_progress": SAME},
    "close": {"resolved": "closed"},
    "reopen": {s: "in_progress" for s in ("resolved", "closed", "cancelled")},
    "cancel": {s: "cancelled" for s in ACTIVE},
    "edit": {s: SAME for s in STATUSES},
    "survey": {"closed": SAME},
}
# The data each move's event must carry, as the verbs record it.
DATA = {
    "split": {"children": ["HD-child001"]},
    "escalate": {"reason": "needs tier 2", "tier": 2},
    "de-escalate": {"reason": "back to first line", "tier": 1},
    "unassign": {"previous": "grace"},
    "resolve": {"solution": "reset the password"},
    "duplicate": {"duplicate": "HD-dup00001"},
    "note": {"text": "tried a reboot"},
    "contact:outbound": {"via": "phone", "direction": "outbound", "summary": "called back"},
    "contact:inbound": {"via": "email", "direction": "inbound", "summary": "sent logs"},
    "wait": {"question": "which tray?"},
    "propose": {"solution": "new rollers"},
    "review:approve": {"verdict": "approve"},
    "review:request-changes": {"verdict": "request-changes", "feedback": "check firmware"},
    "review:dismiss": {"verdict": "dismiss", "review_id": 7},
    "close": {"lesson": "rollers wear", "kb": "printer-jams"},
    "reopen": {"reason": "back again"},
    "cancel": {"reason": "duplicate"},
    "edit": {"changes": {"title": {"from": "a", "to": "b"}}},
    "survey": {"score": 4},
}
# The command a user runs for a move, where it is not the move's name: `assign --unassign`; the
# back-link is written by the duplicate's `cancel`, so no command of its own is offered.
COMMAND = {"unassign": "assign", "duplicate": None}
CASES = [(move, status) for move in EXPECTED for status in ALL]


def _ctx(tiers: int = 3) -> actions.Context:
    return actions.Context(from_mapping({"tiers": tiers}), "2026-03-02T09:00:00Z", "Ada Tech")


def _ticket(status: str | None, priority: str | None = "P3") -> Ticket:
    meta = {
        "id": "HD-test0001",
        "title": "Printer jams",
        "status": status,
        "priority": priority,
        "queue": "service-desk",
        "tier": 1,
        "requester": {"name": "Bob", "email": "bob@example.com"},
        "created": "2026-03-01T09:00:00Z",
        "children": ["HD-child001"],
        "history": [],
    }
    return Ticket(meta)


def _targets(move: str, status: str | None) -> tuple[str | None, ...]:
    rule = EXPECTED[move].get(status)
    if rule is None:
        return ()
    return (status,) if rule == SAME else rule if isinstance(rule, tuple) else (rule,)


def _target(move: str, status: str | None) -> str | None:
    return (_targets(move, status) or (None,))[0]


def test_table_has_exactly_the_expected_moves():
    assert set(MOVES) == set(EXPECTED)


@pytest.mark.parametrize("move, status", CASES, ids=[f"{m}-from-{s}" for m, s in CASES])
def test_every_move_from_every_status(move, status):
    ticket = _ticket(status)
    expected = _target(move, status)
    if expected is None:
        with pytest.raises(IllegalTransition) as err:
            actions.record(ticket, _ctx(), move, **DATA.get(move, {}))
        message = str(err.value)
        assert f"cannot {move.split(':')[0]} a ticket that is '{status}'" in message
        commands = {COMMAND.get(m, m.split(":")[0]) for m in EXPECTED if _target(m, status)}
        allowed = sorted(c for c in commands if c)
        assert message.endswith(f"allowed from '{status}': {', '.join(allowed) or 'none'}")
        assert err.value.allowed == allowed
        assert ticket.status == (status or "") and ticket.history == []  # untouched
    else:
        event = actions.record(ticket, _ctx(), move, **DATA.get(move, {}))
        assert (event["from"], event["to"]) == (status, expected)
        assert ticket.status == expected
        assert ticket.history == [event]
        assert event["action"] == move.split(":")[0]
        assert check_event(event, status) is None


@pytest.mark.parametrize("move, status", CASES, ids=[f"{m}-from-{s}" for m, s in CASES])
def test_check_event_accepts_only_the_table(move, status):
    """Every from x to pair for each move: check_event (used by CI validation) agrees with the rules."""
    action, _, qualifier = move.partition(":")
    for to in STATUSES:
        event = {
            "at": "2026-03-02T09:00:00Z",
            "by": "x",
            "action": action,
            "from": status,
            "to": to,
            **DATA.get(move, {}),
        }
        problem = check_event(event, status)
        if to in _targets(move, status):
            assert problem is None, f"{move} {status}->{to}: {problem}"
        else:
            assert problem, f"{move} {status}->{to} should be refused"
            if _target(move, status) is None:
                assert "not allowed" in problem and "allowed:" in problem
            else:
                assert f"not '{to}'" in problem


@pytest.mark.parametrize("move", [m for m in EXPECTED if MOVES[m].requires])
def test_check_event_names_missing_event_data(move):
    status = next(s for s in ALL if _target(move, s))
    action = move.split(":")[0]
    event = {
        "action": action,
        "from": status,
        "to": _target(move, status),
        **{k: v for k, v in DATA.get(move, {}).items() if k in ("direction", "verdict")},
    }
    problem = check_event(event, status)
    assert problem and "lacks" in problem
    for key in MOVES[move].requires:
        assert key in problem


def test_check_event_refuses_unknown_action_and_wrong_from():
    assert "unknown action 'teleport'" in check_event({"action": "teleport", "from": "new", "to": "new"}, "new")
    problem = check_event({"action": "start", "from": "triaged", "to": "in_progress"}, "waiting")
    assert "from 'triaged'" in problem and "'waiting'" in problem


def test_move_name_qualifies_contact_and_review():
    assert move_name({"action": "contact", "direction": "inbound"}) == "contact:inbound"
    assert move_name({"action": "contact"}) == "contact:outbound"
    assert move_name({"action": "review", "verdict": "approve"}) == "review:approve"
    assert move_name({"action": "review", "verdict": "request-changes"}) == "review:request-changes"
    assert move_name({"action": "note"}) == "note"


def test_assign_without_priority_routes_but_stays_new():
    ticket = _ticket("new", priority=None)
    event = actions.assign(ticket, _ctx(), to="grace")
    assert (event["from"], event["to"]) == ("new", "new")
    assert ticket.meta["assignee"] == "grace"
    assert choose_target(MOVES["assign"], "new", _ticket("new").meta) == "triaged"


def test_start_needs_the_fields_of_in_progress():
    ticket = _ticket("triaged", priority=None)
    with pytest.raises(IllegalTransition) as err:
        actions.start(ticket, _ctx())
    assert "'in_progress' needs priority" in str(err.value)


def test_prioritise_needs_a_reason_to_change_an_existing_priority():
    ticket = _ticket("triaged", priority="P3")
    with pytest.raises(UsageError) as err:
        actions.prioritise(ticket, _ctx(), "P1")
    assert "already P3" in str(err.value) and "--reason" in str(err.value)
    event = actions.prioritise(ticket, _ctx(), "p1", reason="whole floor down")
    assert (event["priority"], event["previous"], event["reason"]) == ("P1", "P3", "whole floor down")
    assert actions.prioritise(ticket, _ctx(), "P1")["priority"] == "P1"  # same value: no reason needed


def test_escalate_walks_the_tiers_and_refuses_beyond_the_last():
    ticket = _ticket("in_progress")
    assert actions.escalate(ticket, _ctx(tiers=3), "needs network")["tier"] == 2
    assert actions.escalate(ticket, _ctx(tiers=3), "vendor bug")["tier"] == 3
    with pytest.raises(InvalidValue) as err:
        actions.escalate(ticket, _ctx(tiers=3), "even higher")
    assert "tier 3" in str(err.value) and "3 tiers" in str(err.value) and "allowed" not in str(err.value)
    with pytest.raises(IllegalTransition):  # a closed ticket is refused for its status, whatever the tier
        actions.escalate(_ticket("closed"), _ctx(tiers=3), "later", tier=9)
    with pytest.raises(InvalidValue):
        actions.escalate(_ticket("new"), _ctx(), "down?", tier=1)
    assert ticket.tier == 3 and len(ticket.history) == 2


def test_history_never_runs_backwards():
    ticket = _ticket("in_progress")
    ticket.history.append({"at": "2026-03-05T00:00:00Z", "action": "note"})
    event = actions.note(ticket, _ctx(), "clock of this clone is behind")
    assert event["at"] == "2026-03-05T00:00:00Z"


def test_status_sets_and_texts_cover_every_status():
    assert set(STATUSES) == OPEN | DONE and not OPEN & DONE
    assert set(STATUS_TEXT) == set(STATUSES)
    for status in STATUSES:
        assert allowed_actions(status), f"{status} is a dead end"
    assert allowed_actions(None) == ["open"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(sorted(set(EXPECTED) - {"open"})), max_size=25))
def test_any_sequence_of_moves_keeps_a_valid_history(moves):
    """Whatever order technicians try moves in, the history replays cleanly through check_event."""
    ticket = _ticket(None)
    actions.record(ticket, _ctx(), "open")
    for move in moves:
        before = ticket.status
        try:
            actions.record(ticket, _ctx(), move, **DATA.get(move, {}))
        except IllegalTransition:
            assert _target(move, before) is None
            assert ticket.status == before
        else:
            assert ticket.status == _target(move, before)
    status = None
    for event in ticket.history:
        assert check_event(event, status) is None
        status = event["to"]
    assert status == ticket.status
