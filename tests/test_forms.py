"""intake/forms.py: a GitHub issue-form event read into a ticket or a survey; the issue text is only data.

The CLI verb on the fixtures (a request, a survey, another issue) is in test_intake_github.py and the
token rules in test_intake_survey_forms.py; here the module's own reading and refusals.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gitdesk.errors import InvalidValue
from gitdesk.intake.forms import kind_of, load_event, sections, take_issue

GITHUB = Path(__file__).parent / "fixtures" / "github"


def request_event(body: str = "", title: str = "Request: Plotter prints twice", **issue) -> dict:
    event = json.loads((GITHUB / "issue_request_opened.json").read_text())
    if body:
        event["issue"]["body"] = body
    event["issue"]["title"] = title
    event["issue"].update(issue)
    return event


def form(**answers: str) -> str:
    labels = {
        "name": "Your name",
        "email": "Email",
        "problem": "What is the problem?",
        "when": "When does it happen?",
        "location": "Location",
        "model": "Product or model",
        "licence": "Licence",
    }
    return "\n\n".join(f"### {labels[k]}\n\n{v}" for k, v in answers.items())


def test_sections_read_each_heading_and_no_response_as_empty():
    body = "### Your name\r\n\r\nAda Lovelace\r\n\r\n### Phone  \r\n\r\n_No response_\r\n\r\n"
    body += "###   Email\n\nada@example.org\n"
    assert sections(body) == {"Your name": "Ada Lovelace", "Phone": "", "Email": "ada@example.org"}
    assert sections("no headings at all") == {}
    assert sections("### Problem\n\nline one\n#### not a section\nline two") == {
        "Problem": "line one\n#### not a section\nline two"
    }


@pytest.mark.parametrize(
    "labels, body, kind",
    [
        (["gitdesk-request"], "", "request"),
        (["gitdesk-survey"], "", "survey"),
        ([], "### What is the problem?\n\nx", "request"),  # the labels may not exist in the repository yet
        ([], "### Ticket ID\n\nHD-1", "survey"),
        (["gitdesk-request"], "### Ticket ID\n\nHD-1", "survey"),
        (["bug"], "Steps to reproduce", ""),
    ],
)
def test_kind_of(labels, body, kind):
    assert kind_of({"labels": [{"name": n} for n in labels], "body": body}) == kind


@pytest.mark.parametrize(
    "text, problem",
    [
        ("[1, 2", "invalid JSON at line 1"),
        ('["an", "array"]', "not a GitHub `issues` event"),
        ('{"action": "opened", "issue": "text"}', "not a GitHub `issues` event"),
    ],
)
def test_load_event_refuses_what_is_not_an_issues_event(tmp_path, text, problem):
    path = tmp_path / "event.json"
    path.write_text(text)
    with pytest.raises(InvalidValue, match=problem):
        load_event(path)


def test_load_event_of_a_missing_file_says_it_cannot_read(tmp_path):
    with pytest.raises(InvalidValue, match="cannot read"):
        load_event(tmp_path / "nowhere.json")


def test_only_an_opened_issue_is_taken(desk):
    outcome = take_issue(desk, request_event() | {"action": "edited"})
    assert (outcome.kind, outcome.reason) == ("ignored", "action 'edited', only 'opened' is taken")
    assert list(desk.tickets()) == []


def test_a_request_opens_a_ticket_with_the_form_fields_as_data(desk):
    body = form(
        name="_No response_",
        email="  Ada@Example.ORG ",
        problem="The plotter prints twice.\n\n$(rm -rf ~)",
        when="_No response_",
        location="Building B",
        model="HP T650",
        licence="_No response_",
    )
    outcome = take_issue(desk, request_event(body, title="[Request]: Plotter twice"))
    t = desk.get(outcome.ticket_id)
    assert t.title == "Plotter twice"  # the template's "[Request]:" prefix dropped
    assert t.requester == {"name": "ada-l", "email": "ada@example.org", "github": "ada-l"}  # no name: the login
    assert t.meta["product"] == {"model": "HP T650"}  # unanswered fields leave no empty keys
    assert t.meta["message_ids"] == ["github:example/desk#42"]
    assert "**What is the problem?**" in t.body and "$(rm -rf ~)" in t.body  # kept as text, nothing ran
    assert "When does it happen?" not in t.body


def test_a_request_without_a_title_is_named_by_its_problem(desk):
    outcome = take_issue(desk, request_event(form(problem="Scanner offline since Monday"), title="Request: "))
    assert desk.get(outcome.ticket_id).title == "Scanner offline since Monday"


def test_a_request_with_a_bad_email_is_refused_naming_the_field(desk):
    with pytest.raises(InvalidValue) as caught:
        take_issue(desk, request_event(form(email="not-an-address", problem="x")))
    assert "issue form: Email" in str(caught.value) and "not-an-address" in str(caught.value)
    assert list(desk.tickets()) == []


def survey_event(ticket: str, score: str = "4") -> dict:
    event = json.loads((GITHUB / "issue_survey_opened.json").read_text().replace("{ticket}", ticket))
    event["issue"]["body"] = event["issue"]["body"].replace("4 - satisfied", score)
    return event


@pytest.mark.parametrize(
    "ticket, problem",
    [("", "Ticket ID: is empty"), ("HD-zzzzzzzz", "'HD-zzzzzzzz' is not a ticket ID (give it whole)")],
)
def test_a_survey_must_name_an_existing_ticket(desk, ticket, problem):
    with pytest.raises(InvalidValue, match=problem.replace("(", r"\(").replace(")", r"\)")):
        take_issue(desk, survey_event(ticket))


def test_an_unreadable_survey_answer_is_refused_by_its_form_label(desk, proposed):
    desk.review(proposed, True, "lead")
    desk.close(proposed, "Rollers wear out")
    with pytest.raises(InvalidValue) as caught:
        take_issue(desk, survey_event(f"[{proposed}]", score="nine"))
    assert "issue form: How satisfied are you?" in str(caught.value) and "'nine'" in str(caught.value)
    outcome = take_issue(desk, survey_event(f"[{proposed}]"))  # brackets around the ID are fine
    assert (outcome.kind, outcome.ticket_id) == ("survey", proposed)
