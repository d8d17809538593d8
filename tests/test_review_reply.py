"""Reading the customer's verdict leniently, and whose approvals a proposal needs (review_policy)."""

from __future__ import annotations

import pytest

from gitdesk.core import actions, review_policy
from gitdesk.core.config import from_mapping
from gitdesk.core.ticket import Ticket
from gitdesk.errors import ConfigError
from gitdesk.intake.review_reply import Verdict, blank_verdict, read_verdict

QUOTE = "\n\nOn Mon, 2 Mar 2026, Service desk wrote:\n> Does it solve your problem?\n> accept\n"


@pytest.mark.parametrize(
    "body, expected",
    [
        ("Accept", Verdict(True)),
        ("accepted, thanks!", Verdict(True)),
        ("Yes, that solved it." + QUOTE, Verdict(True)),
        ("It works now, thank you", Verdict(True)),
        ("Thanks, but it still jams", Verdict(False, "Thanks, but it still jams")),
        ("Not solved: it still jams on thick paper.", Verdict(False, "it still jams on thick paper.")),
        (
            "change: use tray 1 as the default\nand tell the team",
            Verdict(False, "use tray 1 as the default\nand tell the team"),
        ),
        ("Reject", Verdict(False, "")),
        ("No - the error is back after a reboot", Verdict(False, "the error is back after a reboot")),
        ("Verdict: accept\nReview token: abc123", Verdict(True, "", "abc123")),
        ("Verdict: change\nWhat is still wrong: the scanner\nstill fails", Verdict(False, "the scanner\nstill fails")),
        ("> accept\n", None),  # only quoted text: no new verdict
        ("When will the technician come?", None),
        ("", None),
    ],
)
def test_read_verdict(body, expected):
    assert read_verdict(body) == expected


def test_the_prepared_reply_reads_back():
    assert read_verdict("\n".join(blank_verdict(True, "tok"))) == Verdict(True, "", "tok")
    filled = "\n".join(blank_verdict(False, "tok")).replace("wrong: ", "wrong: it is too slow")
    assert read_verdict(filled) == Verdict(False, "it is too slow", "tok")


def _proposed(config, branch: str | None = None) -> tuple[Ticket, actions.Context]:
    ctx = actions.Context(config, "2026-03-02T09:00:00Z", "ada")
    t = actions.new_ticket(ctx, "HD-aaaaaaaa", "Printer jams", {"name": "Bob", "email": "bob@example.com"})
    actions.prioritise(t, ctx, "P3")
    actions.start(t, ctx)
    actions.propose(t, ctx, "New rollers")
    if branch:
        t.history[-1]["branch"] = branch
    return t, ctx


@pytest.mark.parametrize(
    "mode, branch, steps, status",
    [
        ("required", None, ["reviewer"], "proposed"),
        ("required", None, ["requester"], "resolved"),
        ("required", "solution/HD-aaaaaaaa", ["reviewer"], "proposed"),
        ("required", "solution/HD-aaaaaaaa", ["reviewer", "requester"], "resolved"),
        ("required", "solution/HD-aaaaaaaa", ["requester"], "proposed"),  # the PR still needs its reviewer
        ("optional", None, ["reviewer"], "resolved"),
        ("optional", None, ["requester"], "resolved"),
        ("optional", "solution/HD-aaaaaaaa", ["requester"], "proposed"),
        ("off", None, ["reviewer"], "resolved"),
    ],
)
def test_approvals_combine_as_review_customer_says(mode, branch, steps, status):
    t, ctx = _proposed(from_mapping({"review": {"customer": mode}}), branch)
    for who in steps:
        if who == "requester":
            actions.customer_review(t, ctx, True)
        else:
            actions.review(t, ctx, True, "carol")
    assert t.status == status


def test_the_customer_is_asked_only_after_the_pr_reviewer():
    config = from_mapping({})
    t, ctx = _proposed(config, "solution/HD-aaaaaaaa")
    assert not review_policy.awaiting_customer(t, config)
    actions.review(t, ctx, True, "carol")
    assert review_policy.awaiting_customer(t, config)
    plain, _ = _proposed(config)
    assert review_policy.awaiting_customer(plain, config)


def test_review_customer_is_validated():
    assert review_policy.customer_mode(from_mapping({})) == "required"
    assert review_policy.customer_mode(from_mapping({"review": {"customer": False}})) == "off"
    with pytest.raises(ConfigError, match="review.customer"):
        review_policy.customer_mode(from_mapping({"review": {"customer": "sometimes"}}))
    with pytest.raises(ConfigError, match="review.reviewers"):
        review_policy.customer_mode(from_mapping({"review": {"reviewers": 2}}))


def test_the_token_is_per_ticket_and_keyed():
    token = review_policy.verdict_token("k1", "HD-aaaaaaaa")
    assert review_policy.token_matches("k1", "HD-aaaaaaaa", token)
    assert not review_policy.token_matches("k2", "HD-aaaaaaaa", token)
    assert not review_policy.token_matches("k1", "HD-bbbbbbbb", token)
    assert not review_policy.token_matches(None, "HD-aaaaaaaa", token)
