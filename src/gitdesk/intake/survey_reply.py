"""Survey answers as customers write them: the lines an emailed reply fills in, read leniently.

The invitation (`mail.send_survey_invitation`) lists `ANSWER_LINES`; the customer
fills them in above the quoted history. `read_reply` finds them (pure: text in,
`Answers` out), `from_values` normalises answers any channel collected, and
`record` is the one place answers become a survey: the emailed reply and the
GitHub survey form (forms.py) both end there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from gitdesk.i18n import N_, Translator
from gitdesk.intake import Outcome
from gitdesk.intake.text import one_line, strip_quoted, strip_signature

# (survey key, the label the invitation asks the customer to fill in, in the invitation's language)
ANSWER_LINES = (
    ("score", N_("Score (1-5)")),
    ("right_questions", N_("Right questions (yes/no)")),
    ("time", N_("Time adequate (yes/no)")),
    ("improve", N_("What should we improve")),
    ("comment", N_("Anything else")),
)
FREE_TEXT = ("improve", "comment")


def survey_token(key: str, ticket_id: str) -> str:
    """The per-ticket signature a survey link carries (HMAC-SHA256 with the site key): an answer
    through a web form counts only with it, so only whoever got the link can answer."""
    import hashlib
    import hmac

    return hmac.new(key.encode("utf-8"), f"survey:{ticket_id}".encode(), hashlib.sha256).hexdigest()[:24]


def fill_link(url: str, ticket_id: str, key: str | None) -> str:
    """A survey link with `{id}` and `{token}` filled in (no token without a site key)."""
    return url.replace("{id}", ticket_id).replace("{token}", survey_token(key, ticket_id) if key else "")


def blank_answers(tr: Translator | None = None) -> list[str]:
    """The answer lines as the customer receives them to fill in (the emailed invitation, the
    status page's mailto link), in `tr`'s language; `answer_lines` reads them back in any language."""
    return [f"{tr._(label) if tr else label}:" for _, label in ANSWER_LINES]


# The words a customer may use for each answer; the invitation's own labels among them.
_KEY_WORDS = {
    # English, Spanish and Catalan: the invitation's labels in each of its languages, and near words
    "score": r"score|rating|satisfaction|how satisfied[^:=\n]*|puntuaci[oó]n?|satisfacci[oó]n?|nota",
    "right_questions": r"right questions?|did we ask[^:=\n]*|preguntas adecuadas|preguntes adequades",
    "time": r"time(?:[ \t]+(?:adequate|to[ \t]+resolve))?|was the time[^:=\n]*"
    r"|tiempo(?:[ \t]+adecuado)?|temps(?:[ \t]+adequat)?",
    "improve": r"what should we improve|improve(?:ments?)?"
    r"|qu[eé] deber[ií]amos mejorar|mejorar|qu[eè] haur[ií]em de millorar|millorar",
    "comment": r"anything else|comments?|algo m[aá]s|comentarios?|res m[eé]s|comentaris?",
}
# "- **Score (1-5):** 4": an optional bullet, bold markers and a parenthesised hint around the key.
_LINE = re.compile(
    r"^[ \t]*(?:[-\u2022][ \t]+)?(?P<bold>\*\*)?(?:"
    + "|".join(f"(?P<{k}>{w})" for k, w in _KEY_WORDS.items())
    + r")[ \t]*(?:\([^)\n]*\))?[ \t]*\??[ \t]*(?(bold)(?:\*\*)?)[ \t]*[:=][ \t]*(?(bold)(?:\*\*)?)[ \t]*"
    r"(?P<value>.*)$",
    re.I,
)  # closing bold only after an opening one: "Score: ****" is four stars
_YES = ("yes", "y", "yeah", "yep", "true", "ja", "oui", "si", "sí", "vale", "claro", "és", "efectivament")
_NO = ("no", "n", "nope", "false", "not", "nein", "non")


@dataclass(frozen=True)
class Answers:
    """A survey as answered; `problem` says why it cannot be recorded ('' when it can)."""

    score: int = 0
    right_questions: str = ""
    time: str = ""
    comment: str = ""
    improve: str = ""
    problem: str = ""
    problem_key: str = ""  # which answer the problem is about (score, right_questions, time)


def answer_lines(body: str) -> dict[str, str]:
    """key -> raw answer from the new part of a reply: quoted history (`>` lines, "On ... wrote:")
    and the signature are cut off first, and the first answer given for a key wins."""
    found: dict[str, str] = {}
    current = ""  # a free-text answer may go on over the following lines
    for line in strip_signature(strip_quoted(body)).splitlines():
        match = _LINE.match(line)
        if match:
            key = next(k for k in _KEY_WORDS if match.group(k) is not None)
            value = match.group("value").strip()
            current = key if key in FREE_TEXT and not found.get(key) else ""
            if value and not found.get(key):
                found[key] = value
            continue
        if current and line.strip():
            found[current] = f"{found.get(current, '')}\n{line.strip()}".strip()
        elif current and found.get(current):  # a blank line after some text ends the answer
            current = ""
    return {k: v for k, v in found.items() if v}


def score_of(text: str) -> int | None:
    """1-5 from "4", "4/5", "4 out of 5", "4 - satisfied", "****" or "★★★★"; None otherwise."""
    text = text.strip()
    stars = re.match(r"([*\u2605]+)", text)
    if stars:
        count = len(stars.group(1))
        return count if 1 <= count <= 5 else None
    match = re.match(r"(\d+)(?:[ \t]*(?:/|out of|of)[ \t]*(\d+))?", text, re.I)
    if not match or (match.group(2) and match.group(2) != "5"):
        return None
    score = int(match.group(1))
    return score if 1 <= score <= 5 else None


def _first_word(text: str) -> str:
    match = re.match(r"[^\W\d_]+", text.strip().lower())
    return match.group(0) if match else ""


def yes_no_of(text: str) -> str:
    word = _first_word(text)
    return "yes" if word in _YES else "no" if word in _NO else ""


def time_of(text: str) -> str:
    """adequate or too-long; "no" to "was the time adequate?" means it took too long."""
    lowered, word = text.strip().lower(), _first_word(text)
    slow = ("too", "long", "largo", "llarg", "demasiado", "massa", "lento", "lenta", "lent", "lenta")
    if word in ("inadequate", "slow", "inadecuado", "inadequat") or any(
        w in slow for w in re.findall(r"[^\W\d_]+", lowered)
    ):
        return "too-long"
    adequate = (
        "adequate",
        "ok",
        "okay",
        "fine",
        "good",
        "quick",
        "fast",
        "adecuado",
        "adequat",
        "bien",
        "bé",
        "correcto",
        "correcte",
        "rápido",
        "ràpid",
    )
    if word in adequate or word in _YES:
        return "adequate"
    return "too-long" if word in _NO else ""


def from_values(values: dict[str, str]) -> Answers:
    """Normalise raw answers; the first unreadable one becomes `problem`."""
    score = score_of(values.get("score", ""))
    right = yes_no_of(values.get("right_questions", ""))
    time = time_of(values.get("time", ""))
    checks = (
        ("score", score, "is not a score from 1 to 5"),
        ("right_questions", right, "is not yes or no"),
        ("time", time, "is not adequate or too long (yes/no)"),
    )
    for key, value, wrong in checks:
        if not value:
            given = one_line(values.get(key, ""), 40)
            label = dict(ANSWER_LINES)[key]
            problem = f"{label}: '{given}' {wrong}" if given else f"{label}: no answer"
            return Answers(problem=problem, problem_key=key)
    return Answers(int(score or 0), right, time, values.get("comment", "").strip(), values.get("improve", "").strip())


def read_reply(body: str) -> Answers | None:
    """The survey in an emailed reply; None when it has no answer lines at all (a plain reply)."""
    values = answer_lines(body)
    return from_values(values) if values else None


def recorded(desk: Any, ticket_id: str) -> bool:
    from gitdesk.core.survey import SURVEYS_DIR

    return (desk.root / SURVEYS_DIR / f"{ticket_id}.yml").exists()


def record(desk: Any, ticket_id: str, answers: Answers, source: str, answered_by: str = "") -> Outcome:
    """Write the survey (one commit), saying who answered and by which channel (`source`).
    One already recorded stays as it is: the first answer counts."""
    from gitdesk.errors import UsageError

    if recorded(desk, ticket_id):
        return Outcome("duplicate", ticket_id, "a survey is already recorded")
    try:
        desk.survey(
            ticket_id,
            answers.score,
            answers.right_questions,
            answers.time,
            answers.comment,
            answers.improve,
            source=source,
            answered_by=answered_by,
        )
    except UsageError:
        if recorded(desk, ticket_id):  # another delivery recorded it between our look and the desk lock
            return Outcome("duplicate", ticket_id, "a survey is already recorded")
        raise
    return Outcome("survey", ticket_id, f"score {answers.score}")
