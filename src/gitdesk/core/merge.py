"""The ticket merge driver: a field-by-field three-way merge of front matter, histories united in time order.

Two engineers who change the same ticket on different branches almost never
touch the same field, and both only ever append to the history, so a line
merge would conflict where no real disagreement exists. Here:

- a field changed on one side only is taken from that side;
- history events from both sides are united in time order, none duplicated;
- a field both sides set to different values is a real conflict: it alone
  is left between standard conflict markers, and `gitdesk validate` names it.

Pure apart from the body, which is merged by `git merge-file` through the
callback the command passes in (the git seam).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gitdesk.core.lifecycle import MOVES, move_name
from gitdesk.core.ticket import Ticket, dump_yaml, parse, parse_time
from gitdesk.errors import MalformedTicket

MergeText = Callable[[str, str, str], "tuple[str, bool]"]  # (ours, base, theirs) -> (text, conflicted)
MISSING: Any = object()
# Lists where both sides adding items is agreement, not conflict.
UNION_LISTS = ("children",)


class Conflict(Exception):
    """Raised inside the field merge: the two sides really disagree."""


def merge_ticket(base: str, ours: str, theirs: str, merge_text: MergeText) -> tuple[str, bool]:
    """Merge three versions of a ticket file; (merged text, whether a real conflict remains)."""
    try:
        o = parse(base, "base") if base.strip() else Ticket({}, "")
        a, b = parse(ours, "ours"), parse(theirs, "theirs")
    except MalformedTicket:
        # A side that is not a ticket (already conflicted, hand-broken): fall back to a line merge.
        return merge_text(ours, base, theirs)
    chunks, conflicted = [], False
    for key in _key_order(a.meta, b.meta):
        ov, av, bv = (m.get(key, MISSING) for m in (o.meta, a.meta, b.meta))
        try:
            value = _merge_field(key, ov, av, bv)
        except Conflict:
            conflicted = True
            chunks.append(_markers(key, av, bv))
            continue
        if value is not MISSING:
            chunks.append(dump_yaml({key: value}))
    body, body_conflict = _merge_body(o.body, a.body, b.body, merge_text)
    return f"---\n{''.join(chunks)}---\n{body}", conflicted or body_conflict


def _key_order(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    """Our key order, with keys only theirs has inserted after the key they follow there.

    Keys one side deleted stay in the list; `merge_value` drops them (or finds a conflict).
    """
    order = list(a)
    for i, key in enumerate(b):
        if key in order:
            continue
        after = next((k for k in reversed(list(b)[:i]) if k in order), None)
        order.insert(order.index(after) + 1 if after else 0, key)
    if "history" in order:  # history stays last, where people expect it
        order.remove("history")
        order.append("history")
    return order


def _merge_field(key: str, o: Any, a: Any, b: Any) -> Any:
    if key == "history":
        return unite_history(
            o if isinstance(o, list) else [], a if isinstance(a, list) else [], b if isinstance(b, list) else []
        )
    if key == "updated" and a is not MISSING and b is not MISSING and a != b:
        return _later(a, b)
    return merge_value(o, a, b, key)


def merge_value(o: Any, a: Any, b: Any, key: str = "") -> Any:
    """Three-way merge of one value; raises Conflict when both sides changed it differently."""
    if a == b:
        return a
    if a == o:
        return b
    if b == o:
        return a
    if isinstance(a, dict) and isinstance(b, dict):
        base = o if isinstance(o, dict) else {}
        out = {}
        for k in _key_order(a, b):
            value = merge_value(base.get(k, MISSING), a.get(k, MISSING), b.get(k, MISSING), f"{key}.{k}")
            if value is not MISSING:
                out[k] = value
        return out
    if key in UNION_LISTS and isinstance(a, list) and isinstance(b, list):
        return a + [x for x in b if x not in a]
    raise Conflict(key)


def _later(a: Any, b: Any) -> Any:
    try:
        return a if parse_time(a) >= parse_time(b) else b
    except (TypeError, ValueError):
        raise Conflict("updated") from None


def unite_history(o: list[Any], a: list[Any], b: list[Any]) -> list[Any]:
    """Every event of both sides, once each, in time order (ties: ours first, each side's order kept)."""
    events = list(a) + [e for e in b if e not in a]

    def when(e: Any) -> Any:
        try:
            return parse_time(e.get("at"))
        except (AttributeError, TypeError, ValueError):
            return parse_time("0001-01-01T00:00:00Z")

    return _rethread(sorted(events, key=when))


def _rethread(events: list[Any]) -> list[Any]:
    """Status-neutral events (a note, an outbound contact) follow the status the united history reached.

    A note written while a ticket was in_progress on one branch may, once
    united, come after the other branch's `wait`; from every status a note
    stays where it is, so it is recorded as made in that status. Events that
    change status are left alone: if they no longer fit, the sides disagree.
    """
    out, before = [], None
    for e in events:
        if isinstance(e, dict) and before is not None and e.get("from") == e.get("to") != before:
            move = MOVES.get(move_name(e))
            if move and move.allowed_from(before) == (before,):
                e = {**e, "from": before, "to": before}
        out.append(e)
        before = e.get("to") if isinstance(e, dict) else before
    return out


def _markers(key: str, a: Any, b: Any) -> str:
    ours = dump_yaml({key: a}) if a is not MISSING else ""
    theirs = dump_yaml({key: b}) if b is not MISSING else ""
    return f"<<<<<<< ours\n{ours}=======\n{theirs}>>>>>>> theirs\n"


def _merge_body(o: str, a: str, b: str, merge_text: MergeText) -> tuple[str, bool]:
    if a == o or a == b:
        body, conflict = b, False
    elif b == o:
        body, conflict = a, False
    else:
        body, conflict = merge_text(a, o, b)
    if body and not body.startswith("\n"):
        body = "\n" + body
    if body and not body.endswith("\n"):
        body += "\n"
    return body, conflict
