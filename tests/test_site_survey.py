"""The survey invitation on a closed ticket's status page, and the way back: answers from its link become a survey."""

from __future__ import annotations

import html
import json
import re
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

import jsonschema
import pytest
import yaml

from conftest import closed_ticket
from gitdesk.site.run import build

SCHEMA = Path(__file__).resolve().parent.parent / "src" / "gitdesk" / "site" / "theme" / "schema" / "ticket.schema.json"


def _with_mail(root: Path, extra: str = "") -> None:
    config = root / "gitdesk.yml"
    config.write_text(config.read_text() + f'\nmail:\n  from: "Service desk <help@desk.example>"\n{extra}')


def _site(root: Path, out: Path) -> Path:
    build(root, out)
    return out


def _view(out: Path, ticket_id: str) -> dict:
    view = json.loads((out / "api" / "tickets" / f"{ticket_id}.json").read_text())
    jsonschema.validate(view, json.loads(SCHEMA.read_text()))
    return view


def _page(out: Path, ticket_id: str) -> str:
    return (out / "tickets" / ticket_id / "index.html").read_text()


def test_closed_ticket_page_invites_to_the_survey_and_open_ones_do_not(desk, desk_root, tmp_path):
    _with_mail(desk_root)
    closed = closed_ticket(desk)
    still_open = desk.open("VPN drops", {"name": "Ann", "email": "ann@example.com"}, visibility="public").id
    out = _site(desk_root, tmp_path / "out")
    survey = _view(out, closed)["survey"]
    assert survey["answered"] is False and survey["form_url"] is None
    link = urlparse(survey["mailto"])
    assert link.scheme == "mailto" and link.path == "help@desk.example"
    query = parse_qs(link.query)
    assert query["subject"] == [f"[{closed}] Survey"]
    assert "Score (1-5): " in query["body"][0] and "What should we improve: " in query["body"][0]
    page = _page(out, closed)
    assert "How did we do?" in page and html.escape(survey["mailto"]) in page
    assert "Was the time to resolve adequate?" in page
    assert _view(out, still_open)["survey"] is None and "How did we do?" not in _page(out, still_open)


def test_form_link_from_survey_url_or_the_repos_github_form(desk, desk_root, tmp_path):
    closed = closed_ticket(desk)
    mkdocs = desk_root / "mkdocs.yml"
    mkdocs.write_text(mkdocs.read_text() + "\nrepo_url: https://github.com/example/desk\n")
    survey = _view(_site(desk_root, tmp_path / "a"), closed)["survey"]
    form = urlparse(survey["form_url"])
    assert (form.netloc, form.path) == ("github.com", "/example/desk/issues/new")
    assert parse_qs(form.query)["template"] == ["survey.yml"] and parse_qs(form.query)["ticket"] == [closed]
    assert survey["mailto"] is None  # no mail.from configured
    assert 'class="gd-button gd-primary"' in _page(tmp_path / "a", closed)
    _with_mail(desk_root, '  survey_url: "https://survey.example.org/desk?ticket={id}"\n')
    survey = _view(_site(desk_root, tmp_path / "b"), closed)["survey"]
    assert survey["form_url"] == f"https://survey.example.org/desk?ticket={closed}" and survey["mailto"]
    (desk_root / ".github" / "ISSUE_TEMPLATE" / "survey.yml").unlink()
    (desk_root / "gitdesk.yml").write_text((desk_root / "gitdesk.yml").read_text().split("\nmail:")[0])
    assert _view(_site(desk_root, tmp_path / "c"), closed)["survey"]["form_url"] is None  # no form, no link


def test_answering_by_the_page_link_records_the_survey_and_the_page_says_thanks(cli_invoke, desk, desk_root, tmp_path):
    """The mailto link of the built page, filled in and sent back through `gitdesk intake email`."""
    _with_mail(desk_root)
    closed = closed_ticket(desk)
    page = _page(_site(desk_root, tmp_path / "before"), closed)
    href = html.unescape(re.search(r'href="(mailto:[^"]+)"', page).group(1))
    link = urlparse(href)
    query = parse_qs(link.query)
    answers = {
        "Score (1-5)": "5",
        "Right questions (yes/no)": "yes",
        "Time adequate (yes/no)": "yes",
        "What should we improve": "Faster phone pick-up",
    }
    body = "".join(f"{line}{answers.get(line.split(':')[0], '')}\n" for line in query["body"][0].splitlines())
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "Bob <bob@example.com>", unquote(link.path), query["subject"][0]
    msg["Message-ID"] = "<survey-from-page@example.com>"
    msg.set_content(body)
    Path("answer.eml").write_bytes(bytes(msg))
    out = cli_invoke("intake", "email", "answer.eml").output
    assert out.strip() == f"{closed}: survey recorded (score 5)"
    record = yaml.safe_load((desk_root / "surveys" / f"{closed}.yml").read_text())
    assert (record["score"], record["right_questions"], record["time"]) == (5, "yes", "adequate")
    assert record["improve"] == "Faster phone pick-up"
    after = _site(desk_root, tmp_path / "after")
    assert _view(after, closed)["survey"] == {"answered": True, "form_url": None, "mailto": None}
    thanks = _page(after, closed)
    assert "Thank you: your answers have reached us." in thanks and "How did we do?" not in thanks
    assert "Faster phone pick-up" not in thanks  # the answers themselves stay off the ticket page


@pytest.mark.parametrize("status", ["resolved", "cancelled"])
def test_only_closed_tickets_invite(desk, desk_root, tmp_path, status):
    _with_mail(desk_root)
    t = desk.open("Laptop battery", {"name": "Cy", "email": "cy@example.com"}, visibility="public")
    if status == "resolved":
        desk.prioritise(t.id, "P3")
        desk.start(t.id)
        desk.propose(t.id, "New battery")
        desk.review(t.id, True, "lead")
    else:
        desk.cancel(t.id, "duplicate")
    assert desk.get(t.id).status == status
    assert _view(_site(desk_root, tmp_path / "out"), t.id)["survey"] is None
