"""The rules `gitdesk validate` applies to one file: schema, transitions, append-only history, time order.

Pure: text in, problems out. Every rule about moves comes from `lifecycle`
(MOVES via `check_event`, REQUIRED_FIELDS via `missing_fields`), so CI can never
disagree with the CLI. Cross-file rules (parent/children, KB, surveys) live in
`validate_links`; reading files from git lives in `validate`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any, NamedTuple

from gitdesk.core import controls
from gitdesk.core import survey as survey_format
from gitdesk.core.config import CONFIG_FILE, LANGUAGES
from gitdesk.core.ids import TICKETS_DIR, canonical, is_slug
from gitdesk.core.kb import KB_DIR, parse_article
from gitdesk.core.lifecycle import STATUSES, check_event, missing_fields, move_name
from gitdesk.core.ticket import (
    CHANNELS,
    PRIORITIES,
    VISIBILITIES,
    Ticket,
    parse,
    parse_time,
    split_front_matter,
)
from gitdesk.errors import GitdeskError, InvalidValue, MalformedTicket

MARKERS = re.compile(r"^(<{7}|={7}|>{7})(?: .*)?$", re.M)


class Problem(NamedTuple):
    path: str
    line: int
    message: str
    field: str = ""  # the front-matter field at fault ("" for the file as a whole): the gate names it


@dataclass
class FileCheck:
    """One file's verdict, and what the cross-file rules (`changeset`) go on to need."""

    path: str
    kind: str | None
    problems: list[Problem] = dc_field(default_factory=list)
    ticket: Ticket | None = None
    locator: Locator | None = None
    base: Ticket | None = None
    survey: dict[str, Any] | None = None


def kind_of(path: str) -> str | None:
    """Which rules a path falls under; None for files validate does not own (attachments, docs)."""
    folder, _, name = path.partition("/")
    if "/" in name or name.startswith("."):
        return None
    if folder == TICKETS_DIR and name.endswith(".md"):
        return "ticket"
    if folder == KB_DIR and name.endswith(".md"):
        return "article"
    if folder == survey_format.SURVEYS_DIR and name.endswith(".yml"):
        return "survey"
    return "config" if path == CONFIG_FILE else None


def check_change(
    path: str,
    old: bytes | None,
    new: bytes | None,
    queues: Sequence[str] = (),
    tiers: int = 9,
    now: dt.datetime | None = None,
) -> FileCheck:
    """Every single-file rule for one file going from `old` (None: it is new) to `new` (None: deleted).

    The one place both `gitdesk validate` and the write gate (desk/gate.py) judge a change to a
    file, so nothing reaches git that CI would refuse. `queues` empty skips the queue check (a
    broken gitdesk.yml is reported once, not per ticket). Config files are checked by `validate`.
    """
    kind = kind_of(path)
    out = FileCheck(path, kind)
    if kind is None or kind == "config":
        return out
    if new is None:
        if kind == "ticket":
            out.problems.append(Problem(path, 1, "tickets are never deleted (cancel the ticket instead)", "id"))
        elif kind == "survey":
            out.problems.append(
                Problem(path, 1, "surveys are never deleted: the customer's answers stand (tamper check)")
            )
        return out
    if kind == "article":
        out.problems.extend(check_article(path, new))
    elif kind == "survey":
        out.survey, problems = check_survey(path, new)
        out.problems.extend(problems)
        if out.survey is not None and old is not None:
            out.problems.extend(survey_changed(path, old, new, out.survey))
        if problems:
            out.survey = None
    else:
        ticket, loc, problems = load_ticket(path, new)
        out.problems.extend(problems)
        if ticket is None or loc is None:
            return out
        out.base = load_ticket(path, old)[0] if old is not None else None
        out.problems.extend(check_ticket(path, ticket, loc, list(queues), tiers, out.base, now))
        out.ticket, out.locator = ticket, loc
    return out


class Locator:
    """Where a field or a history event starts in a file, found from the text only when needed."""

    def __init__(self, text: str, yaml_text: str | None = None, first_line: int = 1) -> None:
        self.text, self.yaml_text, self.first = text, yaml_text, first_line
        self._index: dict[tuple[Any, ...], int] | None = None

    def _build(self) -> dict[tuple[Any, ...], int]:
        import yaml  # only when a problem needs its line: a write that passes never loads PyYAML

        index: dict[tuple[Any, ...], int] = {}
        try:
            root = yaml.compose(self.yaml_text or "", Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        except yaml.YAMLError:
            return index
        if not isinstance(root, yaml.MappingNode):
            return index
        for key, value in root.value:
            index[(key.value,)] = key.start_mark.line + self.first
            if isinstance(value, yaml.SequenceNode):
                for i, item in enumerate(value.value):
                    index[(key.value, i)] = item.start_mark.line + self.first
                    if isinstance(item, yaml.MappingNode):
                        for k, _ in item.value:
                            index[(key.value, i, k.value)] = k.start_mark.line + self.first
        return index

    def line(self, *where: Any) -> int:
        """The line of the most precise of (field,), (field, item) or (field, item, key) found."""
        if self._index is None:
            self._index = self._build()
        for cut in range(len(where), 0, -1):
            if where[:cut] in self._index:
                return self._index[where[:cut]]
        return max(self.first - 1, 1)


def conflict_problems(path: str, text: str) -> list[Problem]:
    """Conflict markers left by a merge: one problem per conflicted block, naming the field."""
    problems = []
    lines = text.splitlines()
    for n, line in enumerate(lines):
        if not line.startswith("<<<<<<<"):
            continue
        ours = _block(lines, n + 1, "=======")
        theirs = _block(lines, n + 1 + len(ours) + 1, ">>>>>>>")
        field = ours[0].split(":", 1)[0].strip() if ours and ":" in ours[0] else ""
        if field and all(":" in side[0] for side in (ours, theirs) if side):
            ours_v = " ".join(x.split(":", 1)[1].strip() for x in ours[:1])
            theirs_v = " ".join(x.split(":", 1)[1].strip() for x in theirs[:1])
            what = f"field '{field}' (ours: {ours_v or '...'}, theirs: {theirs_v or '...'})"
        else:
            what = "the text below"
        problems.append(
            Problem(
                path,
                n + 1,
                f"unresolved merge conflict on {what}: keep one side and delete the <<<<<<< ======= >>>>>>> lines",
            )
        )
    if not problems and MARKERS.search(text):
        n = text.count("\n", 0, MARKERS.search(text).start()) + 1  # type: ignore[union-attr]
        problems.append(Problem(path, n, "stray merge conflict marker"))
    return problems


def _block(lines: list[str], start: int, end_marker: str) -> list[str]:
    out = []
    for line in lines[start:]:
        if line.startswith(end_marker):
            break
        out.append(line)
    return out


def load_ticket(path: str, data: bytes) -> tuple[Ticket | None, Locator | None, list[Problem]]:
    """Parse a ticket file; on failure, the problems say where."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, None, [Problem(path, 1, f"not UTF-8 text ({exc.reason})")]
    conflicts = conflict_problems(path, text)
    if conflicts:
        return None, None, conflicts
    try:
        ticket = parse(text, path)
        front, _, first = split_front_matter(text, path)
    except MalformedTicket as exc:
        return None, None, [Problem(path, exc.line or 1, exc.problem)]
    return ticket, Locator(text, front, first), []


def check_ticket(
    path: str,
    t: Ticket,
    loc: Locator,
    queues: list[str],
    tiers: int,
    base: Ticket | None = None,
    now: dt.datetime | None = None,
) -> list[Problem]:
    """Every single-file rule for a ticket; `base` is its version before the change, if any,
    and `now` the time new events may not be later than."""
    problems = [Problem(path, loc.line(*where), msg, str(where[0])) for where, msg in _schema(path, t, queues, tiers)]
    if any(where[0] == "history" for where, _ in _shape(t)):
        return problems  # events that are not events: the rules below would only repeat that
    problems += _controls(path, t, loc)
    kept, tampered = _append_only(t, base)
    if base is not None:
        tampered += _forgeries(base, t, kept, now)
    for where, msg in [*tampered, *_transitions(t, kept), *_time_order(t), *_verdicts(t)]:
        problems.append(Problem(path, loc.line(*where), msg, str(where[0])))
    return problems


def _controls(path: str, t: Ticket, loc: Locator) -> list[Problem]:
    """A control character, an escape sequence or a bidi override anywhere in the ticket: one problem per field."""
    if "\\" not in loc.text and controls.first_refused(loc.text) is None:
        return []  # one pass over the file: without a backslash escape, no parsed string can hold one
    out = []
    for where, char in controls.refused_fields(t.meta):
        field = ".".join(str(w) for w in where) or "a key"
        out.append(Problem(path, loc.line(*where), _control_message(field, char), str(where[0]) if where else ""))
    in_body = controls.first_refused(t.body)
    if in_body is not None:
        line = loc.text.count("\n", 0, loc.text.rfind(in_body)) + 1 if in_body in loc.text else loc.line()
        out.append(Problem(path, line, _control_message("the description", in_body), "description"))
    return out


def _control_message(field: str, char: str) -> str:
    return (
        f"{field} holds a control character ({controls.name_of(char)}); desk files hold plain text "
        "(a terminal acts on escapes, and git shows a file holding NUL as binary)"
    )


def _schema(path: str, t: Ticket, queues: list[str], tiers: int) -> list[tuple[tuple[Any, ...], str]]:
    out = list(_shape(t))
    ticket_id = t.meta.get("id")
    expected = path.rsplit("/", 1)[-1][:-3] if path.endswith(".md") else path
    if not isinstance(ticket_id, str) or not ticket_id:
        out.append((("id",), "id is missing or not text; it must equal the file name"))
    elif ticket_id != expected or canonical(ticket_id) != ticket_id:
        out.append(
            (
                ("id",),
                f"id '{ticket_id}' does not match the file name '{expected}.md' "
                "(IDs are unique because each ticket's file is named after its id)",
            )
        )
    status = t.meta.get("status")
    if status not in STATUSES:
        out.append((("status",), f"status '{status}' is not one of {', '.join(STATUSES)}"))
    else:
        for name in missing_fields(t.meta, str(status)):
            out.append(((name,) if name in t.meta else ("status",), f"status '{status}' needs {name}"))
    out.extend(_field_types(t, queues, tiers))
    return out


def _field_types(t: Ticket, queues: list[str], tiers: int) -> list[tuple[tuple[Any, ...], str]]:
    m, out = t.meta, []
    title = m.get("title")
    if "title" in m and (not isinstance(title, str) or "\n" in title):
        out.append((("title",), "title must be one line of text"))
    choices = {"priority": PRIORITIES, "channel": CHANNELS, "visibility": VISIBILITIES, "language": LANGUAGES}
    if queues:  # empty when gitdesk.yml itself is broken: that is reported once, not per ticket
        choices["queue"] = tuple(queues)
    for key, allowed in choices.items():
        if m.get(key) is not None and m.get(key) not in allowed:
            out.append(((key,), f"{key} '{m.get(key)}' is not one of {', '.join(allowed)}"))
    tier = m.get("tier")
    if tier is not None and (not isinstance(tier, int) or isinstance(tier, bool) or not 1 <= tier <= tiers):
        out.append((("tier",), f"tier '{tier}' must be a whole number from 1 to {tiers}"))
    kinds = {
        "requester": (dict, "a mapping of name and email"),
        "product": (dict, "a mapping"),
        "assignee": (str, "a name"),
        "parent": (str, "a ticket id"),
        "children": (list, "a list of ids"),
        "duplicates": (list, "a list of ids"),
    }
    for key, (kind, what) in kinds.items():
        if m.get(key) is not None and not isinstance(m.get(key), kind):
            out.append(((key,), f"{key} must be {what}"))
    if m.get("incident") is not None and not isinstance(m.get("incident"), bool):
        out.append((("incident",), "incident must be true or false"))
    for key in ("created", "updated"):
        if m.get(key) is not None and not _is_time(m.get(key)):
            out.append(((key,), f"{key} '{m.get(key)}' is not an ISO 8601 timestamp"))
    return out


def _shape(t: Ticket) -> list[tuple[tuple[Any, ...], str]]:
    """History events must at least be events: a time, someone, an action."""
    out: list[tuple[tuple[Any, ...], str]] = []
    for i, e in enumerate(t.history):
        if not _is_time(e.get("at")):
            out.append((("history", i, "at"), f"history event {i + 1}: 'at' must be an ISO 8601 timestamp"))
        if not isinstance(e.get("action"), str):
            out.append((("history", i), f"history event {i + 1} has no action"))
        if not e.get("by"):
            out.append((("history", i), f"history event {i + 1} does not say who acted ('by')"))
    return out


def _append_only(t: Ticket, base: Ticket | None) -> tuple[set[int], list[tuple[tuple[Any, ...], str]]]:
    """Which head events are the base's, and a problem for every base event changed or dropped.

    The base's events must all still be there, unchanged and in order (the same instant written
    with another UTC offset is the same time). An event's from/to may differ from the base's
    only as the merge driver's replay writes them when it unites two branches: from the
    status the history reached before it, a legal move of the table from there; rewriting
    from/to to anything else is a status flip, reported like any change.
    """
    if base is None:
        return set(), []
    old, new = base.history, t.history
    kept: set[int] = set()
    out: list[tuple[tuple[Any, ...], str]] = []
    i = 0
    for j, gone in enumerate(old):
        match = next((k for k in range(i, len(new)) if _same_event(new[k], gone, _reached(new, k))), None)
        if match is None:
            where: tuple[Any, ...] = ("history", min(i, len(new) - 1)) if new else ("history",)
            out.append(
                (
                    where,
                    f"history event {j + 1} of the base ({gone.get('action')} at {gone.get('at')}) "
                    "was changed or deleted; history is append-only (tamper check)",
                )
            )
            continue
        kept.add(match)
        i = match + 1
    return kept, out


def _reached(events: list[Any], k: int) -> Any:
    """The status the last status-changing event before `events[k]` led to (neutral ones carry it on)."""
    for e in reversed(events[:k]):
        if isinstance(e, dict) and e.get("from") != e.get("to"):
            return e.get("to")
    return None


def _same_event(new: Any, old: Any, reached: Any = None) -> bool:
    if new == old:
        return True
    if not isinstance(new, dict) or not isinstance(old, dict):
        return False
    strip = ("from", "to", "at")
    if {k: v for k, v in new.items() if k not in strip} != {k: v for k, v in old.items() if k not in strip}:
        return False
    if not _same_instant(new.get("at"), old.get("at")):
        return False
    if (new.get("from"), new.get("to")) == (old.get("from"), old.get("to")):
        return True
    # Replayed by the merge driver: from/to recomputed from the status the united history reached
    # before it (a customer's reply after the other branch's `wait` leads waiting -> in_progress),
    # which must be a legal move from there. Any other rewrite of from/to is a status flip.
    return new.get("from") == reached and check_event(new, reached) is None


def _same_instant(a: Any, b: Any) -> bool:
    if a == b:
        return True
    try:
        return parse_time(a) == parse_time(b)
    except (TypeError, ValueError):
        return False


# Which new event explains a changed field: (action, the event key holding the new value); `edit`
# events name their fields in `changes`.
EXPLAINED_BY: dict[str, tuple[tuple[str, str], ...]] = {
    "priority": (("prioritise", "priority"),),
    "assignee": (("assign", "assignee"), ("unassign", "assignee")),  # an unassign explains only "nobody"
    "queue": (("assign", "queue"),),
    "tier": (("escalate", "tier"), ("de-escalate", "tier")),
    **{k: (("edit", k),) for k in ("title", "requester", "location", "product", "channel", "visibility", "language")},
}
FUTURE_SLACK = dt.timedelta(minutes=10)  # clocks differ a little between a laptop and CI


def _forgeries(
    base: Ticket, t: Ticket, kept: set[int], now: dt.datetime | None = None
) -> list[tuple[tuple[Any, ...], str]]:
    """Forgery checks on a ticket changed from `base`: fields no new event explains, `created`
    moved, new events slipped in among or before the base's, new events dated in the future."""
    out: list[tuple[tuple[Any, ...], str]] = []
    if not _same_instant(base.meta.get("created"), t.meta.get("created")):
        out.append(((("created",)), f"created moved from {base.meta.get('created')} to {t.meta.get('created')}"))
    fresh = [e for i, e in enumerate(t.history) if i not in kept]
    for key, explainers in EXPLAINED_BY.items():
        value = t.meta.get(key)
        if base.meta.get(key) != value and not any(_explains(e, a, f, value) for e in fresh for a, f in explainers):
            out.append(
                (
                    (key,),
                    f"{key} changed from {base.meta.get(key)!r} to {value!r} with no new "
                    f"'{explainers[0][0]}' event that records it (tamper check)",
                )
            )
    last_kept = max(kept, default=-1)
    for i, event in enumerate(t.history):
        if i in kept:
            continue
        if i < last_kept:
            out.append(
                (
                    ("history", i),
                    f"history event {i + 1} ({event.get('action')}) is new but sits before the base's last "
                    "event; new events are appended at the end (tamper check)",
                )
            )
        if now is not None and _is_time(event.get("at")) and parse_time(event["at"]) > now + FUTURE_SLACK:
            out.append((("history", i, "at"), f"history event {i + 1} is dated in the future ({event.get('at')})"))
    return out


def _explains(event: dict[str, Any], action: str, field: str, value: Any) -> bool:
    if event.get("action") != action:
        return False
    if action == "edit":
        changes = event.get("changes")
        change = changes.get(field) if isinstance(changes, dict) else None
        return isinstance(change, dict) and change.get("to") == value
    return event.get(field) == value


def _transitions(t: Ticket, kept: set[int]) -> list[tuple[tuple[Any, ...], str]]:
    """New events (all but the `kept` base ones) must be legal moves; the front matter must agree."""
    out: list[tuple[tuple[Any, ...], str]] = []
    before: str | None = None
    for i, event in enumerate(t.history):
        if i not in kept:
            problem = check_event(event, before)
            if problem:
                out.append((("history", i), f"history event {i + 1}: {problem}"))
        before = event.get("to")
    if not t.history:
        out.append((("history",), "history is empty; every ticket starts with an 'open' event"))
    elif t.meta.get("status") in STATUSES and t.meta.get("status") != before:
        out.append((("status",), f"status is '{t.meta.get('status')}' but the last history event leads to '{before}'"))
    return out


def _time_order(t: Ticket) -> list[tuple[tuple[Any, ...], str]]:
    out: list[tuple[tuple[Any, ...], str]] = []
    created = t.meta.get("created")
    previous = parse_time(created) if _is_time(created) else None
    for i, event in enumerate(t.history):
        at = parse_time(event["at"])
        if previous is not None and at < previous:
            what = "the ticket's creation" if i == 0 else f"event {i}"
            out.append(
                (
                    ("history", i, "at"),
                    f"history event {i + 1} at {event['at']} is earlier than {what}; time never runs backwards",
                )
            )
        previous = max(previous, at) if previous else at
    return out


def _verdicts(t: Ticket) -> list[tuple[tuple[Any, ...], str]]:
    """A resolved ticket carries an approving review of its latest proposal; a closed one, its lesson."""
    status = t.meta.get("status")
    names = [move_name(e) for e in t.history]
    if status == "resolved":
        last_propose = max((i for i, n in enumerate(names) if n == "propose"), default=-1)
        quick = any(n == "resolve" for n in names[last_propose + 1 :])  # review.quick_resolve, no proposal
        if not quick and "review:approve" not in names[last_propose + 1 :]:
            return [(("status",), "a resolved ticket needs a review event approving its latest proposal")]
    if status == "closed":
        close = next((e for e in reversed(t.history) if e.get("action") == "close"), None)
        if close is None or not close.get("lesson"):
            return [(("status",), "a closed ticket needs a close event with its lesson learned")]
    return []


def _is_time(value: Any) -> bool:
    try:
        parse_time(value)
    except (TypeError, ValueError):
        return False
    return value is not None


def check_article(path: str, data: bytes) -> list[Problem]:
    """A KB article: front matter with a title, tags and the tickets it came from."""
    try:
        text = data.decode("utf-8")
        problems = conflict_problems(path, text)
        if problems:
            return problems
        meta, _ = parse_article(text, path)
        front, _, first = split_front_matter(text, path)
    except UnicodeDecodeError as exc:
        return [Problem(path, 1, f"not UTF-8 text ({exc.reason})")]
    except MalformedTicket as exc:
        return [Problem(path, exc.line or 1, exc.problem)]
    loc, out = Locator(text, front, first), []
    slug = path.rsplit("/", 1)[-1][:-3]
    if not is_slug(slug):
        out.append(Problem(path, 1, f"'{slug}' is not a KB slug (lowercase letters, digits and '-')"))
    if not isinstance(meta.get("title"), str) or not meta["title"].strip():
        out.append(Problem(path, loc.line("title"), "a KB article needs a title", "title"))
    for key in ("tags", "tickets"):
        value = meta.get(key)
        if value is not None and not (isinstance(value, list) and all(isinstance(x, str) for x in value)):
            out.append(Problem(path, loc.line(key), f"{key} must be a list of names", key))
    if "published" in meta and not isinstance(meta["published"], bool):
        out.append(Problem(path, loc.line("published"), "published must be true or false", "published"))
    return out


def check_survey(path: str, data: bytes) -> tuple[dict[str, Any] | None, list[Problem]]:
    """A survey file: its answers, checked by the same rules `gitdesk survey` applies."""
    try:
        text = data.decode("utf-8")
        record = survey_format.parse(text, path)
    except UnicodeDecodeError as exc:
        return None, [Problem(path, 1, f"not UTF-8 text ({exc.reason})")]
    except MalformedTicket as exc:
        return None, [Problem(path, exc.line or 1, exc.problem)]
    loc = Locator(text, text, 1)
    stem = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    if record.get("ticket") != stem:
        return record, [
            Problem(
                path,
                loc.line("ticket"),
                f"ticket '{record.get('ticket')}' does not match the file name '{stem}'",
                "ticket",
            )
        ]
    try:
        survey_format.make(
            stem,
            str(record.get("at")),
            record.get("score"),  # type: ignore[arg-type]
            str(record.get("right_questions")),
            str(record.get("time")),
        )
    except InvalidValue as exc:
        return record, [Problem(path, loc.line(exc.field), f"{exc.field}: {exc.problem}", exc.field)]
    except GitdeskError as exc:
        return record, [Problem(path, 1, str(exc))]
    if not _is_time(record.get("at")):
        return record, [Problem(path, loc.line("at"), f"at '{record.get('at')}' is not a timestamp", "at")]
    return record, []


def survey_changed(path: str, old: bytes, new: bytes, record: dict[str, Any]) -> list[Problem]:
    """A recorded survey is the customer's word: no answer of it may change afterwards."""
    base, _ = check_survey(path, old)
    if base is None or survey_format.replaced_faithfully(base, record):
        return []  # `survey --replace`: the new answers, with the old ones kept under `previous`
    text = new.decode("utf-8", "replace")
    loc = Locator(text, text, 1)
    return [
        Problem(
            path,
            loc.line(key),
            f"survey answer '{key}' changed from {base.get(key)!r} to {record.get(key)!r}; "
            "a recorded survey never changes (tamper check)",
            key,
        )
        for key in sorted(set(base) | set(record))
        if base.get(key) != record.get(key) and not (key == "at" and _same_instant(base.get(key), record.get(key)))
    ]
