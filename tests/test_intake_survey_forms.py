"""Surveys come from the customer: the GitHub survey form needs the exact ticket ID and, where the desk
has a site key, the link's per-ticket token (or the requester's own GitHub account)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from conftest import BOB, closed_ticket
from gitdesk.intake.survey_reply import fill_link, survey_token

GITHUB = Path(__file__).parent / "fixtures" / "github"
KEY = "k3y-for-tests-0123456789abcdef-32-bytes-or-more"  # the site key must be 32 bytes or more


def _answer(cli_invoke, tmp_path, ref: str, token: str | None = None, ok: bool = True):
    event = json.loads((GITHUB / "issue_survey_opened.json").read_text().replace("{ticket}", ref))
    if token is not None:
        event["issue"]["body"] += f"\n\n### Survey token\n\n{token}\n"
    (tmp_path / "ev.json").write_text(json.dumps(event))
    return cli_invoke("intake", "github-issue", str(tmp_path / "ev.json"), "--json", ok=ok)


def test_a_prefix_is_not_a_ticket_id(cli_invoke, desk, tmp_path):
    ticket_id = closed_ticket(desk, visibility=None)
    result = _answer(cli_invoke, tmp_path, ticket_id[:5], ok=False)
    assert result.exit_code == 1 and "Ticket ID: " in result.output and "give it whole" in result.output


@pytest.mark.parametrize("token, counts", [("right", True), ("", False), ("0" * 24, False)])
def test_with_a_site_key_the_token_decides(cli_invoke, desk, desk_root, tmp_path, monkeypatch, token, counts):
    monkeypatch.setenv("GITDESK_SITE_KEY", KEY)
    ticket_id = closed_ticket(desk, visibility=None)
    given = survey_token(KEY, ticket_id) if token == "right" else token
    result = _answer(cli_invoke, tmp_path, ticket_id, given, ok=counts)
    survey = desk_root / "surveys" / f"{ticket_id}.yml"
    if counts:
        record = yaml.safe_load(survey.read_text())
        assert (record["answered_by"], record["source"]) == ("bob@example.com", "github")
    else:
        assert result.exit_code == 1 and "Survey token: missing or wrong" in result.output
        assert not survey.exists()


def test_the_requesters_own_github_account_needs_no_token(cli_invoke, desk, desk_root, tmp_path, monkeypatch):
    monkeypatch.setenv("GITDESK_SITE_KEY", KEY)
    ticket_id = closed_ticket(
        desk, requester={**BOB, "github": "ada-l"}, visibility=None
    )  # the fixture's issue is filed by ada-l
    _answer(cli_invoke, tmp_path, ticket_id)
    assert yaml.safe_load((desk_root / "surveys" / f"{ticket_id}.yml").read_text())["answered_by"] == "github:ada-l"


def test_links_carry_the_token_only_with_a_key():
    assert fill_link("https://x/s?t={id}&k={token}", "HD-1", None) == "https://x/s?t=HD-1&k="
    assert fill_link("https://x/s?t={id}&k={token}", "HD-1", KEY).endswith("k=" + survey_token(KEY, "HD-1"))
    assert survey_token(KEY, "HD-1") != survey_token(KEY, "HD-2") != survey_token("other", "HD-2")


@pytest.mark.parametrize("visibility, has_token", [("unlisted", True), ("private", True), ("public", False)])
def test_status_page_link_carries_the_token_unless_the_page_is_public(visibility, has_token):
    from gitdesk.core.ticket import Ticket
    from gitdesk.site.customer import SurveyInvite, survey_view

    invite = SurveyInvite("https://gh/issues/new?ticket={id}&token={token}", "", "", KEY)
    view = survey_view(Ticket({"id": "HD-1", "status": "closed", "visibility": visibility}), False, invite)
    assert view is not None and view["form_url"].endswith(survey_token(KEY, "HD-1") if has_token else "token=")
