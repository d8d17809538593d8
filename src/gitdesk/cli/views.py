"""Plain-text and JSON renderings of tickets for the terminal. No click, no printing."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from gitdesk.core.lifecycle import STATUS_TEXT, allowed_actions
from gitdesk.core.ticket import UNSAFE_TEXT, Ticket
from gitdesk.store.files import Summary

LIST_COLUMNS = ("id", "status", "priority", "queue", "tier", "assignee", "updated", "title")
SORT_KEYS = ("id", "status", "priority", "queue", "tier", "assignee", "created", "updated", "title")


def terminal_text(text: str) -> str:
    """`text` safe to print: each control character a visible U+FFFD, never raw to the terminal."""
    return text if UNSAFE_TEXT.search(text) is None else UNSAFE_TEXT.sub("\ufffd", text)


def to_json(value: Any) -> str:
    if isinstance(value, Ticket):
        value = value.to_json()
    elif isinstance(value, list) and value and isinstance(value[0], Ticket):
        value = [t.to_json() for t in value]
    import json

    return json.dumps(value, ensure_ascii=False, indent=2, default=str)


def summaries_json(rows: Iterable[Summary]) -> str:
    import json

    return json.dumps([r._asdict() for r in rows], ensure_ascii=False, indent=1)


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


TABLE_HEADER = f"{'ID':<12} {'STATUS':<11} {'PRI':<3} {'QUEUE':<14} {'T':<1} {'ASSIGNEE':<12} {'UPDATED':<16} TITLE"
# Names the line format below; the store caches rendered lines under it, so change it with the format.
TABLE_LINE_KIND = "table-v2"


def table_line(r: Summary) -> str:
    """One ticket's line in `list`; cached per ticket by the store, so it runs only for changed tickets."""
    i, title, st, p, q, tier, a, _n, _e, _c, u, *_ = r
    assignee = _clip(a, 12) if a else "-"
    return terminal_text(
        f"{i:<12} {st:<11} {p or '-':<3} {_clip(q, 14):<14} {tier!s:<1} {assignee:<12} "
        f"{u[:16].replace('T', ' '):<16} {title}"
    )


def table_lines(lines: Sequence[str]) -> str:
    """Fixed columns, one line per ticket: fast to print and easy to grep."""
    return "\n".join([TABLE_HEADER, *lines]) if lines else "no tickets match"


def table(rows: Sequence[Summary]) -> str:
    return table_lines([table_line(r) for r in rows])


def _event_line(e: dict[str, Any], related: Mapping[str, str] | None = None) -> str:
    at = str(e.get("at", ""))[:16].replace("T", " ")
    head = f"{at}  {e.get('by', '?')}: {e.get('action')}"
    if e.get("from") != e.get("to"):
        head += f" ({e.get('from') or '-'} -> {e.get('to')})"
    skip = {"at", "by", "action", "from", "to"}
    details = []
    for key, value in e.items():
        if key in skip or value in (None, ""):
            continue
        if key == "duplicate_of":
            value = _linked(value, related or {})
        if key == "changes" and isinstance(value, dict):  # edit: one line per corrected field
            details += [f"      {field}: {_brief(change)}" for field, change in value.items()]
            continue
        if isinstance(value, dict):
            value = ", ".join(f"{k}={v}" for k, v in value.items())
        elif isinstance(value, list):
            value = ", ".join(map(str, value))
        text = str(value)
        details.append(f"      {key}: " + text.replace("\n", "\n        "))
    return "\n".join([head, *details])


def _brief(change: Any) -> str:
    """'old' -> 'new' for an edit event's {from, to}."""
    if not (isinstance(change, dict) and {"from", "to"} <= set(change)):
        return str(change)

    def text(value: Any) -> str:
        if isinstance(value, dict):
            return ", ".join(f"{k}={v}" for k, v in value.items()) or "-"
        return "-" if value in (None, "") else str(value)

    return f"{text(change['from'])} -> {text(change['to'])}"


def _linked(ticket_id: Any, related: Mapping[str, str]) -> str:
    title = related.get(str(ticket_id))
    return f"{ticket_id}  {title}" if title else str(ticket_id)


def show(t: Ticket, extra_lines: Sequence[str] = (), related: Mapping[str, str] | None = None) -> str:
    """The ticket with its full history: what was done, by whom, when."""
    m = t.meta
    related = related or {}
    req = t.requester
    who = req.get("name") or ""
    if req.get("email"):
        who += f" <{req['email']}>"
    for key in ("phone", "org"):
        if req.get(key):
            who += f", {req[key]}"
    lines = [f"{t.id}  {t.title}", ""]
    found = _open_feedback(t)
    if found:  # first thing whoever picks the ticket up reads: work starts again from this
        who, feedback = found
        head, *more = feedback.splitlines() or [""]
        lines += [f"  ! {who} asked for changes: {head}", *(f"    {line}" for line in more), ""]
    lines += [
        f"  status      {t.status}  — {STATUS_TEXT.get(t.status, '(not a gitdesk status)')}",
        f"  priority    {t.priority or 'unset'}",
        f"  queue       {m.get('queue') or '-'}    tier {t.tier}    assignee {m.get('assignee') or '-'}",
        f"  requester   {who or '-'}",
        f"  channel     {m.get('channel') or '-'}    visibility {t.visibility}",
    ]
    if m.get("location"):
        lines.append(f"  location    {m['location']}")
    product = m.get("product") or {}
    if product:  # a hand edit may leave a list here: shown as it is (validate names the field)
        pairs = product.items() if isinstance(product, dict) else [("?", product)]
        lines.append("  product     " + ", ".join(f"{k}={v}" for k, v in pairs))
    if m.get("parent"):
        lines.append(f"  parent      {_linked(m['parent'], related)}")
    children = m.get("children")
    for n, child in enumerate(children if isinstance(children, list) else ()):  # validate names a bad one
        lines.append(f"  {'children' if n == 0 else '':<12}{_linked(child, related)}")
    lines.append(f"  created     {m.get('created')}    updated {m.get('updated')}")
    lines.extend(extra_lines)
    # What the next technician may do from here, straight from the move table.
    lines.append(f"  next        {', '.join(allowed_actions(t.status)) or '-'}")
    if t.description:
        lines += ["", "Description", "", *("  " + line for line in t.description.splitlines())]
    count = len(t.history)
    lines += ["", f"History ({count} event{'' if count == 1 else 's'})", ""]
    lines += ["  " + _event_line(e, related).replace("\n", "\n  ") for e in t.history]
    return "\n".join(lines)


def _open_feedback(t: Ticket) -> tuple[str, str] | None:
    """(who, feedback) of the last review, if it asked for changes and no newer proposal exists."""
    for e in reversed(t.history):
        if e.get("action") == "propose":
            return None
        if e.get("action") == "review" and e.get("verdict") == "request-changes":
            who = "The customer" if e.get("role") == "requester" else f"Reviewer {e.get('by') or ''}".strip()
            return who, str(e.get("feedback") or "")
    return None
