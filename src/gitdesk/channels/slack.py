"""Replies in the Slack thread a request came from: `chat.postMessage` with a bot token, else its `response_url`.

GITDESK_SLACK_BOT_TOKEN holds the bot token; GITDESK_SLACK_API is the Web API's base
(default https://slack.com/api; tests point it at a recording server on 127.0.0.1).
A slash command has no thread of its own: the first update starts one, and its `ts` is
kept on the ticket so later updates and the customer's answers thread onto it.
"""

from __future__ import annotations

import os
from typing import Any

from gitdesk.channels.http import DeliveryError, call
from gitdesk.core.ticket import Ticket

TOKEN_ENV = "GITDESK_SLACK_BOT_TOKEN"
API_ENV = "GITDESK_SLACK_API"
DEFAULT_API = "https://slack.com/api"


def _info(t: Ticket) -> dict[str, Any]:
    value = t.meta.get("slack")
    return value if isinstance(value, dict) else {}


def thread_of(t: Ticket) -> tuple[str, str]:
    """(channel, thread ts) of the ticket's Slack conversation; ts "" when none was started yet."""
    info = _info(t)
    return str(info.get("channel") or ""), str(info.get("thread") or info.get("ts") or "")


def reachable(t: Ticket, environ: dict[str, str] | None = None) -> bool:
    """A bot token and a channel, or the slash command's response_url."""
    env = os.environ if environ is None else environ
    info = _info(t)
    return bool((env.get(TOKEN_ENV) and thread_of(t)[0]) or info.get("response_url"))


def post(t: Ticket, text: str, environ: dict[str, str] | None = None) -> str:
    """Post `text` in the ticket's thread; returns the reference logged on the ticket (slack:CHANNEL:TS)."""
    env = os.environ if environ is None else environ
    channel, thread = thread_of(t)
    token = env.get(TOKEN_ENV, "")
    info = _info(t)
    if token and channel:
        payload: dict[str, Any] = {"channel": channel, "text": text, "unfurl_links": False}
        if thread:
            payload["thread_ts"] = thread
        base = env.get(API_ENV) or DEFAULT_API
        answer = call("POST", f"{base.rstrip('/')}/chat.postMessage", payload, {"Authorization": f"Bearer {token}"})
        if not answer.get("ok"):
            raise DeliveryError(f"Slack chat.postMessage refused: {answer.get('error') or 'no ok in the answer'}")
        return f"slack:{channel}:{answer.get('ts') or ''}"
    url = str(info.get("response_url") or "")
    if not url:
        raise DeliveryError(f"no {TOKEN_ENV} in the environment and no response_url on {t.id}")
    call("POST", url, {"text": text, "response_type": "in_channel", "replace_original": False}, {})
    return f"slack:response_url:{t.id}"
