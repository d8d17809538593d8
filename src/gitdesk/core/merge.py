"""The ticket merge driver: a field-by-field three-way merge of front matter, histories replayed in time order.

Two engineers who change the same ticket on different branches almost never
touch the same field, and both only ever append to the history, so a line
merge would conflict where no real disagreement exists. Here:

- a field changed on one side only is taken from that side;
- history events from both sides are united in time order, none duplicated,
  and replayed through the move table: each event's `from`/`to` is recomputed
  from the status the united history reached, so one side's `wait` and the
  other side's inbound `contact` merge into waiting -> in_progress, and the
  ticket's `status` is where the replay ends;
- where no valid replay exists (one side proposed while the other made the
  ticket wait), `status` and `history` are left between conflict markers and
  the message names the two events;
- a field both sides set to different values is a real conflict: it alone
  is left between standard conflict markers, and `gitdesk validate` names it;
- a result without markers must pass the rules `gitdesk validate` runs
  (`rules.check_ticket`); if it does not, that is reported as a conflict too.

Pure apart from the body, which is merged by `git merge-file` through the
callback the desk layer passes in (the git seam).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from gitdesk.core.lifecycle import MOVES, choose_target, move_name
from gitdesk.core.rules import check_ticket, load_ticket
from gitdesk.core.ticket import Ticket, dump_yaml, parse, parse_time
from gitdesk.errors import MalformedTicket

MergeText = Callable[[str, str, str], "tuple[str, bool]"]  # (ours, base, theirs) -> (text, conflicted)
MISSING: Any = object()
# Lists where both sides adding items is agreement, not conflict.
UNION_LISTS = ("children",)


class Conflict(Exception):
    """Raised inside the field merge: the two sides really disagree."""


class Merged(NamedTuple):
    """The merged text and, when it is conflicted, one line per problem (empty: a clean merge)."""

    text: str
    conflicts: list[str]


class Rules(NamedTuple):
    """What `rules.check_ticket` needs from gitdesk.yml: queue names ([] = not checked) and tiers."""

    queues: Sequence[str] = ()
    tiers: int = 99


def merge_ticket(base: str, ours: str, theirs: str, merge_text: MergeText, rules: Rules | None = None) -> Merged:
    """Merge three versions of a ticket file: the text, and what still conflicts."""
    try:
        o = parse(base, "base") if base.strip() else Ticket({}, "")
        a, b = parse(ours, "ours"), parse(theirs, "theirs")
    except MalformedTicket:
        # A side that is not a ticket (already conflicted, hand-broken): fall back to a line merge.
        text, conflicted = merge_text(ours, base, theirs)
        return Merged(text, ["one side is not a ticket file; merged line by line"] if conflicted else [])
    history, stuck = replay(unite_history(o.history, a.history, b.history), a.history, b.history, {**a.meta, **b.meta})
    chunks, conflicts = [], []
    for key in _key_order(a.meta, b.meta):
        ov, av, bv = (m.get(key, MISSING) for m in (o.meta, a.meta, b.meta))
        try:
            value = _settled(key, history, stuck) if key in ("history", "status") else _merge_field(key, ov, av, bv)
        except Conflict:
            if key == "status" and av == bv:  # the sides agree on where it ends, just not on the way there
                chunks.append(dump_yaml({key: av}))
                continue
            conflicts.append(stuck if key in ("history", "status") and stuck else f"{key}: both sides changed it")
            chunks.append(_markers(key, av, bv))
            continue
        if value is not MISSING:
            chunks.append(dump_yaml({key: value}))
    body, body_conflict = _merge_body(o.body, a.body, b.body, merge_text)
    if body_conflict:
        conflicts.append("the description (the text below the front matter): both sides changed the same lines")
    text = f"---\n{''.join(chunks)}---\n{body}"
    if not conflicts:
        conflicts = _broken_rules(text, rules or Rules())
    return Merged(text, list(dict.fromkeys(conflicts)))


def _settled(key: str, history: list[Any], stuck: str) -> Any:
    """`history` and `status` come from the replay; no valid replay is a conflict on both."""
    if stuck:
        raise Conflict(key)
    if key == "history":
        return history
    last = history[-1] if history and isinstance(history[-1], dict) else {}
    return last.get("to", MISSING)


def _broken_rules(text: str, rules: Rules) -> list[str]:
    """The rules `gitdesk validate` runs on a whole desk, applied to the merged file: one line per problem.

    Not the rules relative to a base (append-only, fields explained by new
    events): the replay keeps every event of both sides by construction, and
    what each side changed was checked when that side was validated.
    """
    path = "merged"
    ticket, loc, problems = load_ticket(path, text.encode("utf-8"))
    if ticket is not None and loc is not None:
        path = f"{ticket.meta.get('id')}.md" if isinstance(ticket.meta.get("id"), str) else path
        problems = check_ticket(path, ticket, loc, list(rules.queues), rules.tiers)
    return [f"the merged ticket breaks a rule of gitdesk validate: {p.message}" for p in problems]


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

    return sorted(events, key=when)


def replay(events: list[Any], ours: list[Any], theirs: list[Any], meta: dict[str, Any]) -> tuple[list[Any], str]:
    """Each event's `from`/`to` recomputed from the status the united history reached.

    An event keeps its own `to` when the table allows it from there (a move
    with a choice, like prioritise from new, keeps the choice it made);
    otherwise the table's one target is used. Returns the events and, when
    some event is not allowed where it lands, a message naming it and the
    event of the other side it cannot follow ("" when the replay is valid).
    """
    out: list[Any] = []
    before: str | None = None
    for e in events:
        move = MOVES.get(move_name(e)) if isinstance(e, dict) else None
        if move is None:  # not an event, or an unknown action: kept as it is, for validate to name
            out.append(e)
            before = e.get("to") if isinstance(e, dict) else before
            continue
        targets = move.allowed_from(before)
        if not targets:
            return events, _stuck(e, out, before, ours, theirs)
        to = e.get("to") if e.get("to") in targets else choose_target(move, before, meta)
        out.append(e if (e.get("from"), e.get("to")) == (before, to) else {**e, "from": before, "to": to})
        before = to
    return out, ""


def _stuck(e: dict[str, Any], done: list[Any], before: str | None, ours: list[Any], theirs: list[Any]) -> str:
    def side(x: Any) -> str:
        return "ours" if x in ours and x not in theirs else "theirs" if x in theirs and x not in ours else "the common"

    led = next((d for d in reversed(done) if isinstance(d, dict) and d.get("from") != d.get("to")), None)
    after = f" after {side(led)}' {move_name(led)} at {led.get('at')}" if led else ""
    return (
        f"status, history: no valid order of both sides' events: {side(e)}' {move_name(e)} at {e.get('at')} "
        f"is not allowed from '{before}'{after}; keep one side's status and history"
    )


def _markers(key: str, a: Any, b: Any) -> str:
    ours = dump_yaml({key: a}) if a is not MISSING else ""
    theirs = dump_yaml({key: b}) if b is not MISSING else ""
    return f"<<<<<<< ours\n{ours}=======\n{theirs}>>>>>>> theirs\n"


def _merge_body(o: str, a: str, b: str, merge_text: MergeText) -> tuple[str, bool]:
    if a in (o, b):
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
