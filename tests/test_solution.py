"""cli/commands/solution.py: which combinations of propose/review options are refused before anything is
written, and what each verdict says it did."""

from __future__ import annotations

import json

import pytest

from conftest import git


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("propose", "{id}", "--solution", "x", "--push"), "--push needs --branch"),
        (("review", "{id}", "--approve", "--request-changes", "--by", "carol"), "either --approve or --request"),
        (("review", "--approve", "--by", "carol"), "give the ticket ID (or --from-github-event PATH)"),
        (("review", "{id}", "--by", "carol"), "give --approve or --request-changes"),
        (("review", "{id}", "--approve"), "give --by REVIEWER"),
        (("review", "{id}", "--approve", "--customer", "--by", "carol"), "--customer records the requester's"),
        (("review", "{id}", "--from-github-event", "event.json"), "takes everything from the payload"),
    ],
)
def test_contradictory_or_missing_options_are_refused_untouched(proposed, refused, args, words):
    line = refused(*(a.format(id=proposed) for a in args), code=2)
    assert words in line


def test_approval_on_a_desk_that_asks_the_customer_says_it_waits_for_them(proposed, cli_invoke, desk_root):
    config = desk_root / "gitdesk.yml"
    config.write_text(config.read_text().replace("customer: optional", "customer: required"))
    git(desk_root, "commit", "-qam", "the customer decides")
    out = cli_invoke("review", proposed, "--approve", "--by", "carol").stdout
    assert out == f"{proposed}: approved by carol (status proposed awaiting the customer's verdict)\n"
    accepted = cli_invoke("review", proposed, "--approve", "--customer").stdout
    assert accepted == f"{proposed}: accepted by the customer (status resolved)\n"


def test_the_customers_request_for_changes_is_recorded_as_theirs(proposed, cli_invoke):
    out = cli_invoke("review", proposed, "--request-changes", "--customer", "--comment", "still jams").stdout
    assert out == f"{proposed}: changes requested by the customer (status in_progress)\n"
    shown = cli_invoke("show", proposed).stdout
    assert "  ! The customer asked for changes: still jams" in shown


def test_propose_and_review_json_is_the_ticket(desk, clock, cli_invoke):
    t = desk.open("VPN drops", {"name": "Omar", "email": "omar@example.com"})
    desk.prioritise(t.id, "P3")
    desk.start(t.id)
    proposed = json.loads(cli_invoke("propose", t.id, "--solution", "New client", "--json").stdout)
    assert proposed["status"] == "proposed" and proposed["history"][-1]["solution"] == "New client"
    reviewed = json.loads(cli_invoke("review", t.id, "--approve", "--by", "carol", "--json").stdout)
    assert reviewed["status"] == "resolved" and reviewed["history"][-1]["by"] == "carol"


def test_propose_on_a_branch_leaves_the_current_branch_alone(desk, cli_invoke, desk_root):
    t = desk.open("VPN drops", {"name": "Omar", "email": "omar@example.com"})
    desk.prioritise(t.id, "P3")
    desk.start(t.id)
    main = git(desk_root, "rev-parse", "main")
    out = cli_invoke("propose", t.id, "--solution", "New client", "--branch").stdout
    assert out == f"{t.id}: solution proposed on branch solution/{t.id} (status proposed)\n"
    assert git(desk_root, "rev-parse", "main") == main
    assert git(desk_root, "log", "-1", "--format=%s", f"solution/{t.id}") == f"{t.id}: propose a solution"
