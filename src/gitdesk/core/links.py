"""Cross-file rules of `gitdesk validate`: parent and children agree, a closed ticket's KB article exists,
a survey belongs to a closed ticket.

Each rule names the few other files it needs (`wanted`), so a check of ten
changed tickets reads a handful more files, not the desk.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from gitdesk.core.ids import TICKETS_DIR
from gitdesk.core.kb import KB_DIR
from gitdesk.core.ticket import Ticket

# id -> the ticket at head; None when it does not exist; True when it exists but cannot be read
Lookup = Callable[[str], "Ticket | None | bool"]
Where = tuple[Any, ...]


def _ids(value: Any) -> list[str]:
    return [str(x) for x in value] if isinstance(value, list) else []


def kb_slug(t: Ticket) -> str | None:
    if t.meta.get("status") != "closed":
        return None
    close = next((e for e in reversed(t.history) if e.get("action") == "close"), None)
    return str(close["kb"]) if close and close.get("kb") else None


def dropped_children(t: Ticket, base: Ticket | None) -> list[str]:
    if base is None:
        return []
    now = set(_ids(t.meta.get("children")))
    return [i for i in _ids(base.meta.get("children")) if i not in now]


def wanted(t: Ticket, base: Ticket | None = None) -> list[str]:
    """Paths the cross-file rules need to check `t` (and what its change removed)."""
    paths = [f"{TICKETS_DIR}/{i}.md" for i in _ids(t.meta.get("children")) + dropped_children(t, base)]
    if isinstance(t.meta.get("parent"), str):
        paths.append(f"{TICKETS_DIR}/{t.meta['parent']}.md")
    paths += [f"{TICKETS_DIR}/{i}.md" for i in _ids(t.meta.get("duplicates"))]
    slug = kb_slug(t)
    if slug:
        paths.append(f"{KB_DIR}/{slug}.md")
    return paths


def check_family(t: Ticket, other: Lookup, dropped: Sequence[str] = ()) -> list[tuple[Where, str]]:
    """`parent` and `children` must agree in both directions; `dropped`: children the change removed."""
    out: list[tuple[Where, str]] = []
    for child_id in dropped:
        child = other(child_id)
        if isinstance(child, Ticket) and child.meta.get("parent") == t.id:
            out.append((("children",), f"{child_id} was removed from children but still names {t.id} as its parent"))
    parent_id = t.meta.get("parent")
    if isinstance(parent_id, str) and parent_id:
        parent = other(parent_id)
        if parent is None:
            out.append((("parent",), f"parent {parent_id} does not exist"))
        elif isinstance(parent, Ticket) and t.id not in _ids(parent.meta.get("children")):
            out.append((("parent",), f"parent {parent_id} does not list {t.id} among its children"))
    for i, child_id in enumerate(_ids(t.meta.get("children"))):
        child = other(child_id)
        if child is None:
            out.append((("children", i), f"child {child_id} does not exist"))
        elif isinstance(child, Ticket) and child.meta.get("parent") != t.id:
            out.append((("children", i), f"child {child_id} names parent '{child.meta.get('parent')}', not {t.id}"))
    return out


def check_duplicates(t: Ticket, other: Lookup) -> list[tuple[Where, str]]:
    """Each ticket the original lists under `duplicates` was cancelled as a duplicate of it."""
    out: list[tuple[Where, str]] = []
    for i, dup_id in enumerate(_ids(t.meta.get("duplicates"))):
        dup = other(dup_id)
        if dup is None:
            out.append((("duplicates", i), f"duplicate {dup_id} does not exist"))
        elif isinstance(dup, Ticket) and not any(
            isinstance(e, dict) and e.get("action") == "cancel" and e.get("duplicate_of") == t.id for e in dup.history
        ):
            out.append(
                (("duplicates", i), f"{dup_id} is listed as a duplicate but was never cancelled as one of {t.id}")
            )
    return out


def check_kb(t: Ticket, exists: Callable[[str], bool]) -> list[tuple[Where, str]]:
    """A closed ticket's lesson went into a KB article; that article must exist."""
    slug = kb_slug(t)
    if slug and not exists(f"{KB_DIR}/{slug}.md"):
        index = max(i for i, e in enumerate(t.history) if e.get("action") == "close")
        return [(("history", index, "kb"), f"closed with KB article '{slug}' but {KB_DIR}/{slug}.md does not exist")]
    return []


def check_survey_ticket(record: dict[str, Any], other: Lookup) -> list[str]:
    """A survey answers for a closure: its ticket is closed, or was closed before a reopen or cancel.

    The survey stays the record of that closure (it is the customer's word and is never
    dropped); after the next close, `gitdesk survey --replace` keeps it under `previous`.
    """
    ticket_id = str(record.get("ticket"))
    ticket = other(ticket_id)
    if ticket is None:
        return [f"survey for {ticket_id}, but there is no such ticket"]
    if isinstance(ticket, Ticket) and ticket.meta.get("status") != "closed" and not was_closed(ticket):
        return [f"survey for {ticket_id}, which is '{ticket.meta.get('status')}' and was never closed"]
    return []


def was_closed(ticket: Ticket) -> bool:
    """True once the ticket's history holds a close, whatever came after it."""
    return any(isinstance(e, dict) and e.get("action") == "close" for e in ticket.history)
