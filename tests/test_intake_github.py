"""GitHub issue forms: the templates, the workflow, and `gitdesk intake github-issue`."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import yaml

from gitdesk.intake.forms import REQUEST_FIELDS, SURVEY_FIELDS

GITHUB = Path(__file__).parent / "fixtures" / "github"
SCAFFOLD = Path(__file__).parents[1] / "src" / "gitdesk" / "desk" / "scaffold" / "dot-github"
ROOT_GITHUB = Path(__file__).parents[1] / ".github"


def _labels(form: str) -> set[str]:
    data = yaml.safe_load((SCAFFOLD / "ISSUE_TEMPLATE" / form).read_text())
    return {item["attributes"]["label"] for item in data["body"] if item["type"] != "markdown"}


def test_forms_and_parser_use_the_same_labels():
    assert _labels("request.yml") == set(REQUEST_FIELDS)
    assert _labels("survey.yml") == set(SURVEY_FIELDS)


def test_repo_root_copies_match_the_scaffold():
    for rel in ("ISSUE_TEMPLATE/request.yml", "ISSUE_TEMPLATE/survey.yml"):  # workflows: tests/test_workflows.py
        assert (ROOT_GITHUB / rel).read_text() == (SCAFFOLD / rel).read_text(), rel


def test_templates_and_workflow_pass_their_schemas():
    exe = Path(__import__("sys").executable).parent / "check-jsonschema"
    forms = [str(SCAFFOLD / "ISSUE_TEMPLATE" / f) for f in ("request.yml", "survey.yml")]
    for schema, files in (
        ("vendor.github-issue-forms", forms),
        ("vendor.github-workflows", [str(SCAFFOLD / "workflows" / "intake.yml")]),
    ):
        proc = subprocess.run([str(exe), "--builtin-schema", schema, *files], capture_output=True, text=True)
        assert proc.returncode == 0, proc.stdout + proc.stderr


def test_workflow_never_interpolates_issue_text_into_shell():
    flow = yaml.safe_load((SCAFFOLD / "workflows" / "intake.yml").read_text())
    assert list(flow[True]) == ["issues"] and flow[True]["issues"]["types"] == ["opened"]  # `on:` reads as True
    runs = [step.get("run", "") for step in flow["jobs"]["intake"]["steps"]]
    assert not any("github.event" in r for r in runs)
    # the steps are the action's (action.yml): the event reaches gitdesk as a file path, never as text
    action = yaml.safe_load((Path(__file__).parents[1] / "action.yml").read_text())
    script = next(s["run"] for s in action["runs"]["steps"] if "GITDESK_COMMAND" in s.get("env", {}))
    assert 'gitdesk intake github-issue "$GITHUB_EVENT_PATH"' in script and "${{" not in script
    assert "pull_request_target" not in (SCAFFOLD / "workflows" / "intake.yml").read_text().split("#", 1)[0]


def test_request_form_opens_a_ticket(cli_invoke, desk):
    out = json.loads(cli_invoke("intake", "github-issue", str(GITHUB / "issue_request_opened.json"), "--json").stdout)
    t = desk.get(out["ticket"])
    assert t.title == "Plotter prints twice"
    assert t.requester == {"name": "Ada Lovelace", "email": "ada@example.org", "github": "ada-l"}
    assert t.meta["channel"] == "github" and t.meta["location"] == "Building B, room 12"
    assert t.meta["product"] == {"model": "HP DesignJet T650", "account": "AC-2001"}
    assert "prints every line twice" in t.description and "Since the driver update" in t.description
    assert t.meta["github"]["issue"] == 42
    again = cli_invoke("intake", "github-issue", str(GITHUB / "issue_request_opened.json"))
    assert "already received" in again.output


def test_survey_form_records_a_survey(cli_invoke, desk, desk_root, tmp_path):
    t = desk.open("Printer jams", {"name": "Bob", "email": "bob@example.com"})
    desk.prioritise(t.id, "P3")
    desk.start(t.id)
    desk.propose(t.id, "New rollers")
    desk.review(t.id, True, "lead")
    desk.close(t.id, "Rollers wear out")
    event = (GITHUB / "issue_survey_opened.json").read_text().replace("{ticket}", t.id)
    (tmp_path / "ev.json").write_text(event)
    out = json.loads(cli_invoke("intake", "github-issue", str(tmp_path / "ev.json"), "--json").stdout)
    assert out["kind"] == "survey"
    record = yaml.safe_load((desk_root / "surveys" / f"{t.id}.yml").read_text())
    assert (record["score"], record["right_questions"], record["time"], record["source"]) == (
        4,
        "yes",
        "too-long",
        "github",
    )
    assert record["comment"] == "Friendly technician." and "improve" not in record


def test_other_issues_are_ignored_and_bad_events_fail_cleanly(cli_invoke, desk_root, tmp_path):
    assert "ignored" in cli_invoke("intake", "github-issue", str(GITHUB / "issue_other_opened.json")).output
    (tmp_path / "bad.json").write_text("[1, 2")
    result = cli_invoke("intake", "github-issue", str(tmp_path / "bad.json"), ok=False)
    assert result.exit_code == 1 and "invalid JSON" in result.output and "Traceback" not in result.output
