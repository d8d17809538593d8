"""core/survey.py: a satisfaction survey record, its refusals, `--replace` keeping earlier answers, its files."""

from __future__ import annotations

import pytest

from gitdesk.core import survey
from gitdesk.errors import InvalidValue, MalformedTicket

AT = "2026-03-09T10:00:00Z"


def test_make_keeps_the_answers_in_order_and_drops_empty_free_text():
    record = survey.make("HD-abc12345", AT, 4, "yes", "adequate", comment="  great  ", improve="   ")
    assert list(record) == ["ticket", "at", "source", "score", "right_questions", "time", "comment"]
    assert record["comment"] == "great" and record["source"] == "cli"
    with_who = survey.make("HD-abc12345", AT, 5, "no", "too-long", source="email", answered_by="bob@example.com")
    assert with_who["answered_by"] == "bob@example.com" and "comment" not in with_who and "improve" not in with_who


@pytest.mark.parametrize(
    "score,right,time,field",
    [
        (0, "yes", "adequate", "score"),
        (6, "yes", "adequate", "score"),
        (True, "yes", "adequate", "score"),  # a bool is an int to Python, not to a customer
        ("4", "yes", "adequate", "score"),
        (4.0, "yes", "adequate", "score"),
        (3, "maybe", "adequate", "right_questions"),
        (3, "Yes", "adequate", "right_questions"),
        (3, "yes", "slow", "time"),
    ],
)
def test_make_refuses_answers_outside_the_questions_naming_the_field(score, right, time, field):
    with pytest.raises(InvalidValue) as err:
        survey.make("HD-abc12345", AT, score, right, time)
    assert err.value.field == field


def test_replacing_keeps_every_earlier_answer_oldest_first():
    first = survey.make("HD-abc12345", AT, 2, "no", "too-long", comment="slow")
    second = survey.replacing(first, survey.make("HD-abc12345", "2026-03-10T10:00:00Z", 4, "yes", "adequate"))
    third = survey.replacing(second, survey.make("HD-abc12345", "2026-03-11T10:00:00Z", 5, "yes", "adequate"))
    assert third["score"] == 5
    assert [p["score"] for p in third["previous"]] == [2, 4]
    assert "previous" not in third["previous"][1]  # each earlier record is kept flat, not nested
    assert survey.replaced_faithfully(first, second) and survey.replaced_faithfully(second, third)


def test_a_replacement_that_edits_an_earlier_answer_is_not_faithful():
    first = survey.make("HD-abc12345", AT, 2, "no", "too-long")
    second = survey.replacing(first, survey.make("HD-abc12345", AT, 4, "yes", "adequate"))
    forged = {**second, "previous": [{**first, "score": 5}]}
    assert not survey.replaced_faithfully(first, forged)
    assert not survey.replaced_faithfully(first, {**second, "previous": []})
    assert not survey.replaced_faithfully(first, {**second, "previous": "scores were 2"})
    third = survey.replacing(second, survey.make("HD-abc12345", AT, 1, "no", "too-long"))
    dropped = {**third, "previous": third["previous"][1:]}  # the oldest answers quietly dropped
    assert not survey.replaced_faithfully(second, dropped)


def test_dump_and_parse_round_trip():
    record = survey.make("HD-abc12345", AT, 3, "yes", "adequate", comment="Merci: ça marche\nnow")
    assert survey.parse(survey.dump(record), "surveys/HD-abc12345.yml") == record


def test_parse_file_names_the_ticket_from_the_file_only_when_the_record_does_not():
    assert survey.parse_file(b"score: 4\n", "surveys/HD-abc12345.yml")["ticket"] == "HD-abc12345"
    assert survey.parse_file("ticket: HD-other000\n", "surveys/HD-abc12345.yml")["ticket"] == "HD-other000"


@pytest.mark.parametrize(
    "data,problem",
    [(b"score: \xff\n", "not UTF-8 text"), (b"- 4\n- yes\n", "a survey must be a mapping"), (b"", "mapping")],
)
def test_parse_file_refuses_what_is_not_a_survey_naming_the_file(data, problem):
    with pytest.raises(MalformedTicket) as err:
        survey.parse_file(data, "surveys/HD-abc12345.yml")
    assert err.value.path == "surveys/HD-abc12345.yml" and problem in err.value.problem


def test_load_all_reads_every_survey_file_sorted_by_ticket_then_time(tmp_path):
    folder = tmp_path / survey.SURVEYS_DIR
    assert survey.load_all(tmp_path) == []  # no surveys/ folder yet
    folder.mkdir()
    (folder / "HD-bbbbbbbb.yml").write_text(survey.dump(survey.make("HD-bbbbbbbb", AT, 5, "yes", "adequate")))
    (folder / "HD-aaaaaaaa.yml").write_text("at: 2026-03-01T09:00:00Z\nscore: 2\n")  # no ticket key
    (folder / "notes.txt").write_text("not a survey")
    records = survey.load_all(tmp_path)
    assert [r["ticket"] for r in records] == ["HD-aaaaaaaa", "HD-bbbbbbbb"]
    assert survey.sort_records([{"ticket": "B"}, {"ticket": "A", "at": "2"}, {"ticket": "A", "at": "1"}]) == [
        {"ticket": "A", "at": "1"},
        {"ticket": "A", "at": "2"},
        {"ticket": "B"},
    ]
