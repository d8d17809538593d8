"""The HTML of the journey parts of a ticket's page: our question, your requested changes,
your verdict on the solution, and what comes next (views from site/journey.py), in the page's language."""

from __future__ import annotations

from typing import Any

from gitdesk.i18n import Translator
from gitdesk.site.journey import FEEDBACK_HEADING
from gitdesk.site.markup import e, text_block


def _fill(template: str, **html: str) -> str:
    """A translated sentence with HTML in its placeholders: the words escaped, the parts as given."""
    out = e(template)
    for name, part in html.items():
        out = out.replace("{" + name + "}", part)
    return out


def question(view: dict[str, Any], tr: Translator) -> str:
    if not view.get("question"):
        return ""
    if view.get("answer_mailto"):
        button = f'<a class="gd-button gd-primary" href="{e(view["answer_mailto"])}">{e(tr._("reply by email"))}</a>'
        sentence = _fill(
            tr._("To answer, {reply} to {address} and keep {tag} in the subject."),
            reply=button,
            address=e(view["answer_address"]),
            tag=f"<code>[{e(view['id'])}]</code>",
        )
    else:
        sentence = e(tr._("To answer, reply to our last message about request {id}.", id=view["id"]))
    return (
        f'<section class="gd-question"><h2>{e(tr._("We need an answer from you"))}</h2>'
        f'<blockquote class="gd-asked">{text_block(view["question"])}</blockquote><p>{sentence}</p></section>'
    )


def feedback(view: dict[str, Any], tr: Translator) -> str:
    if not view.get("feedback"):
        return ""
    again = tr._("A technician is working on it again, from your request and what you told us.")
    return (
        f'<section class="gd-feedback"><h2>{e(tr._(FEEDBACK_HEADING))}</h2>'
        f"<blockquote>{text_block(view['feedback'])}</blockquote><p>{e(again)}</p></section>"
    )


def review(view: dict[str, Any], tr: Translator) -> str:
    links = view.get("review")
    if not links:
        return ""
    buttons = []
    if links.get("accept"):
        label = e(tr._("Accept the solution"))
        buttons.append(f'<a class="gd-button gd-primary gd-accept" href="{e(links["accept"])}">{label}</a>')
    if links.get("change"):
        label = e(tr._("Not solved: tell us what to change"))
        buttons.append(f'<a class="gd-button gd-change" href="{e(links["change"])}">{label}</a>')
    if links.get("issue"):
        how = _fill(
            tr._("(comment {accept}, or {change} and what is wrong)"),
            accept=f"<code>{e(tr._('accept'))}</code>",
            change=f"<code>{e(tr._('change:'))}</code>",
        )
        buttons.append(
            f'<a class="gd-button" href="{e(links["issue"])}">{e(tr._("Answer on your GitHub issue"))}</a> '
            f'<span class="gd-muted">{how}</span>'
        )
    ways = tr._("Each button opens a prepared reply: send it as it is to accept, or write what is still wrong first.")
    return (
        f'<section class="gd-review"><h2>{e(tr._("Does this solve your problem?"))}</h2>'
        f'<p>{e(ways)}</p><p class="gd-review-ways">{" ".join(buttons)}</p></section>'
    )


def next_step(view: dict[str, Any], tr: Translator) -> str:
    why = tr._("Why: {reason}", reason=view["reason"]) if view.get("reason") else ""
    reason = f'<p class="gd-reason">{e(why)}</p>' if why else ""
    label = e(tr._("What happens next:"))
    when = ""
    if view.get("next_step_due"):
        due = tr.when(view["next_step_due"], True)
        words = (
            tr._("Overdue since {when}.", when=due) if view.get("next_step_overdue") else tr._("By {when}.", when=due)
        )
        when = f' <span class="gd-due">{e(words)}</span>'
    step = f'<p class="gd-next"><strong>{label}</strong> {e(view["next_step"])}{when}</p>'
    return (step if view.get("next_step") else "") + reason
