"""intake/survey_reply.py: answers read from what customers write, normalised, and recorded once.

Reading a whole emailed reply leniently is pinned in test_intake_survey_email.py; here the pieces.
"""

from __future__ import annotations

import pytest
import yaml

from gitdesk.errors import GitdeskError
from gitdesk.i18n.translator import translator
from gitdesk.intake.survey_reply import (
    Answers,
    answer_lines,
    blank_answers,
    from_values,
    read_reply,
    record,
    recorded,
    score_of,
    time_of,
    yes_no_of,
)


@pytest.mark.parametrize(
    "text, score",
    [
        ("4", 4),
        (" 3 - it was ok", 3),
        ("4/5", 4),
        ("4 out of 5", 4),
        ("5 of 5", 5),
        ("★★★★", 4),
        ("*****", 5),
        ("1", 1),
        ("0", None),
        ("6", None),
        ("45", None),
        ("4/10", None),  # out of ten is not our scale
        ("******", None),
        ("four", None),
        ("", None),
    ],
)
def test_score_of(text, score):
    assert score_of(text) == score


@pytest.mark.parametrize(
    "text, answer",
    [("yes!", "yes"), ("Y", "yes"), ("Sí", "yes"), ("efectivament", "yes"), ("No.", "no"), ("nope", "no")],
)
def test_yes_no_of_reads_the_first_word(text, answer):
    assert yes_no_of(text) == answer


@pytest.mark.parametrize("text", ["maybe", "", "42", "yesterday"])
def test_yes_no_of_anything_else_is_no_answer(text):
    assert yes_no_of(text) == ""


@pytest.mark.parametrize(
    "text, answer",
    [
        ("yes", "adequate"),  # the invitation asks "Time adequate (yes/no)"
        ("no", "too-long"),
        ("ok", "adequate"),
        ("fast enough, no complaints", "adequate"),
        ("too long", "too-long"),
        ("slow", "too-long"),
        ("bien", "adequate"),
        ("demasiado largo", "too-long"),
        ("massa lent", "too-long"),
        ("", ""),
        ("purple", ""),
    ],
)
def test_time_of(text, answer):
    assert time_of(text) == answer


def test_from_values_reports_the_first_unreadable_answer_by_its_label_and_key():
    assert from_values({"score": "x", "right_questions": "maybe"}) == Answers(
        problem="Score (1-5): 'x' is not a score from 1 to 5", problem_key="score"
    )
    got = from_values({"score": "5", "right_questions": "maybe"})
    assert got.problem == "Right questions (yes/no): 'maybe' is not yes or no" and got.problem_key == "right_questions"
    assert from_values({"score": "5", "right_questions": "yes"}).problem == "Time adequate (yes/no): no answer"


def test_from_values_normalises_and_trims_the_free_text():
    raw = {"score": "5/5", "right_questions": "Y", "time": "ok", "comment": "  thanks  ", "improve": " x\n"}
    got = from_values(raw)
    assert got == Answers(5, "yes", "adequate", "thanks", "x")


@pytest.mark.parametrize("language", ["en", "es", "ca"])
def test_the_blank_answer_lines_read_back_in_their_own_language(language):
    tr = translator(language)
    lines = blank_answers(tr)
    assert len(lines) == 5 and all(line.endswith(":") for line in lines)
    yes = {"en": "yes", "es": "sí", "ca": "sí"}[language]
    filled = [f"{lines[0]} 4", f"{lines[1]} {yes}", f"{lines[2]} no", f"{lines[3]} call back", f"{lines[4]} -"]
    got = read_reply("\n".join(filled) + "\n\nOn Mon, Desk wrote:\n> " + "\n> ".join(lines))
    assert got == Answers(4, "yes", "too-long", "-", "call back")


def test_answer_lines_cut_the_signature_and_skip_empty_answers():
    body = "Score: 4\nRight questions:\nTime: yes\n-- \nBob\nRight questions: no"
    assert answer_lines(body) == {"score": "4", "time": "yes"}


def _closed(desk, proposed) -> str:
    desk.review(proposed, True, "lead")
    desk.close(proposed, "Rollers wear out")
    return proposed


def test_record_writes_the_survey_once_with_its_source_and_who_answered(desk, desk_root, proposed):
    ticket_id = _closed(desk, proposed)
    assert not recorded(desk, ticket_id)
    outcome = record(desk, ticket_id, Answers(4, "yes", "adequate", "Thanks"), "email", "bob@example.com")
    assert (outcome.kind, outcome.ticket_id, outcome.reason) == ("survey", ticket_id, "score 4")
    assert recorded(desk, ticket_id)
    path = desk_root / "surveys" / f"{ticket_id}.yml"
    saved = yaml.safe_load(path.read_text())
    assert (saved["score"], saved["source"], saved["answered_by"], saved["comment"]) == (
        4,
        "email",
        "bob@example.com",
        "Thanks",
    )
    again = record(desk, ticket_id, Answers(1, "no", "too-long"), "github", "github:eve")
    assert again.kind == "duplicate" and yaml.safe_load(path.read_text()) == saved  # the first answer counts


def test_record_on_a_ticket_that_is_not_closed_is_refused_and_writes_nothing(desk, desk_root, proposed):
    with pytest.raises(GitdeskError):
        record(desk, proposed, Answers(4, "yes", "adequate"), "email")
    assert not recorded(desk, proposed)
