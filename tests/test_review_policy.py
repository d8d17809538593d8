"""core/review_policy.py: who may review, how approvals combine, and when a quick resolve is allowed."""

from __future__ import annotations

import pytest

from gitdesk.core import review_policy as rp
from gitdesk.core.config import from_mapping
from gitdesk.core.ticket import Ticket
from gitdesk.errors import ConfigError


def _config(**review):
    return from_mapping({"review": review})


def _ticket(priority="P4", history=()):
    return Ticket({"id": "HD-test0001", "status": "in_progress", "priority": priority, "history": list(history)})


@pytest.mark.parametrize(
    "value, allowed",
    [
        (False, frozenset()),
        (True, frozenset({"P1", "P2", "P3", "P4"})),
        (["p4", "P3"], frozenset({"P3", "P4"})),
        ("P4", frozenset({"P4"})),
    ],
)
def test_quick_resolve_setting(value, allowed):
    assert rp.review_rules(_config(customer="optional", quick_resolve=value)).quick_resolve == allowed


@pytest.mark.parametrize("bad", [["P5"], [], 3, {"P4": True}])
def test_a_bad_quick_resolve_setting_names_the_key(bad):
    with pytest.raises(ConfigError) as err:
        rp.review_rules(_config(quick_resolve=bad))
    assert "review.quick_resolve" in str(err.value)


@pytest.mark.parametrize(
    "review, priority, refusal",
    [
        ({"customer": "optional", "quick_resolve": ["P4"]}, "P4", ""),
        ({"customer": "off", "quick_resolve": True}, "P1", ""),
        ({"customer": "optional"}, "P4", "does not allow a quick resolve"),
        (
            {"customer": "optional", "quick_resolve": ["P4"]},
            "P2",
            "allowed for P4 only (review.quick_resolve); it is P2",
        ),
        ({"customer": "optional", "quick_resolve": ["P4"]}, None, "it has no priority yet"),
        ({"customer": "required", "quick_resolve": True}, "P4", "review.customer: required"),
        ({"customer": "optional", "approvals": 2, "quick_resolve": True}, "P4", "needs 2 reviewer approvals"),
    ],
)
def test_quick_resolve_refusal(review, priority, refusal):
    said = rp.quick_resolve_refusal(_ticket(priority), _config(**review))
    assert (refusal in said) and bool(said) == bool(refusal)


def test_approvals_combine_as_configured():
    proposed = [{"action": "propose", "solution": "x", "by": "ada"}]
    t = _ticket(history=proposed)
    assert rp.needed(t, _config(customer="required")) == {"requester"}
    assert rp.needed(t, _config(customer="optional")) == set()
    assert rp.needed(t, _config(customer="optional", approvals=2)) == {"reviewer"}
    assert rp.resolves(t, _config(customer="optional", approvals=2), "reviewer", "carol") is False
    t.history.append({"action": "review", "verdict": "approve", "by": "carol"})
    assert rp.resolves(t, _config(customer="optional", approvals=2), "reviewer", "dave") is True
    assert rp.resolves(t, _config(customer="optional", approvals=2), "reviewer", "Carol") is False  # the same login


def test_who_may_review():
    rules = rp.review_rules(_config(reviewers=["@Carol"]))
    assert rp.refusal(rules, "carol", True, {"ada"}) == ""
    assert "not among the reviewers" in rp.refusal(rules, "mallory", True, {"ada"})
    assert "cannot approve it" in rp.refusal(rp.review_rules(_config()), "ada", True, {"ada"})
    assert rp.refusal(rp.review_rules(_config(self_approval=True)), "ada", True, {"ada"}) == ""
    assert "author_association NONE" in rp.refusal(rp.review_rules(_config()), "eve", False, set(), "NONE")
    assert rp.codeowners("tickets/ @grace @org/team # comment @nobody\n*.md @Ivan\n") == {"grace", "ivan"}
