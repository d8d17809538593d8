"""The HTML of the journey parts of a ticket's page: our question, your requested changes,
your verdict on the solution, and what comes next (views from site/journey.py)."""

from __future__ import annotations

from typing import Any

from gitdesk.site.journey import FEEDBACK_HEADING
from gitdesk.site.markup import e, text_block


def question(view: dict[str, Any]) -> str:
    if not view.get("question"):
        return ""
    how = (
        f'<p>To answer, <a class="gd-button gd-primary" href="{e(view["answer_mailto"])}">reply by email</a> '
        f"to {e(view['answer_address'])} and keep <code>[{e(view['id'])}]</code> in the subject.</p>"
        if view.get("answer_mailto")
        else f"<p>To answer, reply to our last message about request {e(view['id'])}.</p>"
    )
    return (
        '<section class="gd-question"><h2>We need an answer from you</h2>'
        f'<blockquote class="gd-asked">{text_block(view["question"])}</blockquote>{how}</section>'
    )


def feedback(view: dict[str, Any]) -> str:
    if not view.get("feedback"):
        return ""
    return (
        f'<section class="gd-feedback"><h2>{e(FEEDBACK_HEADING)}</h2>'
        f"<blockquote>{text_block(view['feedback'])}</blockquote>"
        "<p>A technician is working on it again, from your request and what you told us.</p></section>"
    )


def review(view: dict[str, Any]) -> str:
    links = view.get("review")
    if not links:
        return ""
    buttons = []
    if links.get("accept"):
        buttons.append(f'<a class="gd-button gd-primary gd-accept" href="{e(links["accept"])}">Accept the solution</a>')
    if links.get("change"):
        buttons.append(
            f'<a class="gd-button gd-change" href="{e(links["change"])}">Not solved: tell us what to change</a>'
        )
    if links.get("issue"):
        buttons.append(
            f'<a class="gd-button" href="{e(links["issue"])}">Answer on your GitHub issue</a> '
            '<span class="gd-muted">(comment <code>accept</code>, or <code>change:</code> and what is wrong)</span>'
        )
    return (
        '<section class="gd-review"><h2>Does this solve your problem?</h2>'
        "<p>Each button opens a prepared reply: send it as it is to accept, or write what is still "
        f'wrong first.</p><p class="gd-review-ways">{" ".join(buttons)}</p></section>'
    )


def next_step(view: dict[str, Any]) -> str:
    reason = f'<p class="gd-reason">Why: {e(view["reason"])}</p>' if view.get("reason") else ""
    step = f'<p class="gd-next"><strong>What happens next:</strong> {e(view["next_step"])}</p>'
    return (step if view.get("next_step") else "") + reason
