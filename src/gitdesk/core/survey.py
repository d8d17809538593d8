"""Satisfaction surveys: one YAML file per closed ticket, under surveys/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gitdesk.core.marks import N_
from gitdesk.core.ticket import dump_yaml, load_yaml
from gitdesk.errors import InvalidValue, MalformedTicket

SURVEYS_DIR = "surveys"
QUESTIONS = {
    "score": N_("How satisfied are you (1-5)?"),
    "right_questions": N_("Did we ask the right questions?"),
    "time": N_("Was the time to resolve adequate?"),
    "comment": N_("Anything else you want to tell us?"),
    "improve": N_("What should we improve?"),
}
TIME_ANSWERS = ("adequate", "too-long")
YES_NO = ("yes", "no")


def make(
    ticket_id: str,
    at: str,
    score: int,
    right_questions: str,
    time: str,
    comment: str = "",
    improve: str = "",
    source: str = "cli",
    answered_by: str = "",
) -> dict[str, Any]:
    """A validated survey record; `answered_by` is who gave the answers (the requester's address)."""
    if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 5:
        raise InvalidValue("score", f"'{score}' must be a whole number from 1 to 5")
    if right_questions not in YES_NO:
        raise InvalidValue("right_questions", f"'{right_questions}' must be yes or no")
    if time not in TIME_ANSWERS:
        raise InvalidValue("time", f"'{time}' must be adequate or too-long")
    record: dict[str, Any] = {
        "ticket": ticket_id,
        "at": at,
        "source": source,
        **({"answered_by": answered_by} if answered_by else {}),
        "score": score,
        "right_questions": right_questions,
        "time": time,
    }
    if comment.strip():
        record["comment"] = comment.strip()
    if improve.strip():
        record["improve"] = improve.strip()
    return record


def replacing(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """`new`, keeping the answers it replaces under `previous` (oldest first): `survey --replace`
    never loses the customer's earlier word, and validate's tamper check can tell a replacement
    (the old answers kept verbatim) from an edit."""
    earlier = list(old.get("previous") or [])
    kept = {k: v for k, v in old.items() if k != "previous"}
    return {**new, "previous": [*earlier, kept]}


def replaced_faithfully(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """Whether `new` replaced `old` the way `replacing` does: every earlier answer kept as it was."""
    previous = new.get("previous")
    if not isinstance(previous, list) or not previous:
        return False
    kept = {k: v for k, v in old.items() if k != "previous"}
    return previous[:-1] == list(old.get("previous") or []) and previous[-1] == kept


def dump(record: dict[str, Any]) -> str:
    return dump_yaml(record)


def parse(text: str, path: str) -> dict[str, Any]:
    data = load_yaml(text, path)
    if not isinstance(data, dict):
        raise MalformedTicket(path, 1, "a survey must be a mapping")
    return data


def parse_file(text: str | bytes, rel: str) -> dict[str, Any]:
    """One survey file (`surveys/<ID>.yml`) as a record; the file name names the ticket if the record does not."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise MalformedTicket(rel, None, "not UTF-8 text") from None
    record = parse(text, rel)
    record.setdefault("ticket", rel.rsplit("/", 1)[-1].removesuffix(".yml"))
    return record


def sort_records(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(records, key=lambda r: (str(r.get("ticket")), str(r.get("at", ""))))


def load_all(root: Path) -> list[dict[str, Any]]:
    """Every survey record under root/surveys/, read straight from the files (the index's reference)."""
    folder = Path(root) / SURVEYS_DIR
    return sort_records([parse_file(p.read_bytes(), f"{SURVEYS_DIR}/{p.name}") for p in sorted(folder.glob("*.yml"))])
