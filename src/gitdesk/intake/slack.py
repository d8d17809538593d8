"""Slack intake: a slash command (form-encoded) or an Events API message becomes a ticket or a reply.

Signature checking follows Slack's v0 scheme: HMAC-SHA256 over
`v0:<timestamp>:<body>` with the app's signing secret, and a timestamp no more
than five minutes away, so a captured request cannot be replayed later.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from typing import Any
from urllib.parse import parse_qs

from gitdesk.intake import Outcome, Unusable
from gitdesk.intake.record import Request, receive
from gitdesk.intake.rules import settings
from gitdesk.intake.text import FIELD_KEYS, clean_text, one_line, read_fields, slack_text

MAX_AGE = 300
SECRET_ENV = "GITDESK_SLACK_SIGNING_SECRET"
IGNORED_SUBTYPES_OK = ("file_share", "thread_broadcast")  # people writing; every other subtype is a system event


def signature(secret: str, timestamp: str, body: bytes) -> str:
    base = b"v0:" + timestamp.encode("ascii", "replace") + b":" + body
    return "v0=" + hmac.new(secret.encode("utf-8"), base, hashlib.sha256).hexdigest()


def verify(secret: str, timestamp: str, body: bytes, given: str, now: float) -> str:
    """'' when the request is Slack's and fresh, else what is wrong with it."""
    if not secret:
        return "no signing secret configured"
    if not (timestamp.isascii() and timestamp.isdigit()) or len(timestamp) > 12:
        return "missing or malformed X-Slack-Request-Timestamp"
    if abs(now - int(timestamp)) > MAX_AGE:
        return "timestamp older than 5 minutes (a replay?)"
    if not given or not given.isascii() or not hmac.compare_digest(signature(secret, timestamp, body), given):
        return "bad X-Slack-Signature"
    return ""


def decode(raw: bytes) -> dict[str, Any]:
    """A payload as a dict: JSON (Events API) or form-encoded (slash command)."""
    text = raw.decode("utf-8", errors="replace").strip()
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise Unusable("slack payload", f"invalid JSON: {exc.msg} at line {exc.lineno}") from None
        if not isinstance(data, dict):
            raise Unusable("slack payload", "must be a JSON object")
        return data
    form = {k: v[0] for k, v in parse_qs(text, keep_blank_values=True).items()}
    if "command" not in form:
        raise Unusable("slack payload", "neither an Events API JSON body nor a slash-command form")
    return {"type": "slash_command", **form}


def request_of(data: dict[str, Any]) -> Request | str:
    """The Request in a payload, or the reason it is not one (a bot, an edit, another event)."""
    if data.get("type") == "slash_command":
        text = clean_text(slack_text(str(data.get("text") or ""))).strip()
        if not text:
            raise Unusable("text", "say what the problem is, e.g. /helpdesk Printer on floor 3 jams")
        who = {
            "name": one_line(str(data.get("user_name") or data.get("user_id") or "slack user"), 80),
            "slack": str(data.get("user_id") or ""),
        }
        mid = f"slack:command:{data.get('trigger_id') or hashlib.sha256(text.encode()).hexdigest()[:20]}"
        extra = {
            "slack": {
                "channel": str(data.get("channel_id") or ""),
                "team": str(data.get("team_id") or ""),
                "response_url": str(data.get("response_url") or ""),  # where updates go without a bot token
            }
        }
        return _request(text, who, mid, [], extra)
    if data.get("type") != "event_callback":
        return f"not a message event ({data.get('type')})"
    event = data.get("event") or {}
    if not isinstance(event, dict) or event.get("type") != "message":
        return "not a message event"
    if event.get("bot_id") or (event.get("subtype") and event.get("subtype") not in IGNORED_SUBTYPES_OK):
        return f"bot or system message ({event.get('subtype') or 'bot'}): never a ticket"
    channel, ts = str(event.get("channel") or ""), str(event.get("ts") or "")
    if not ts or not str(event.get("text") or "").strip():
        return "message without text"
    raw_profile = event.get("user_profile")
    profile = raw_profile if isinstance(raw_profile, dict) else {}
    name = profile.get("real_name") or profile.get("display_name") or event.get("user") or "slack user"
    who = {"name": one_line(str(name), 80), "slack": str(event.get("user") or "")}
    names = {who["slack"]: who["name"]} if who["slack"] and name != event.get("user") else {}
    thread = str(event.get("thread_ts") or "")
    threads = [f"slack:{channel}:{thread}"] if thread and thread != ts else []
    return _request(
        clean_text(slack_text(str(event["text"]), names)),
        who,
        f"slack:{channel}:{ts}",
        threads,
        {"slack": {"channel": channel, "ts": ts, "team": str(data.get("team_id") or "")}},
    )


def _request(text: str, who: dict[str, str], mid: str, threads: list[str], extra: dict[str, Any]) -> Request:
    # A slash command is one line: "Printer jams Model: HP-M404" puts each `Key:` on its own line.
    text = re.sub(r"[ \t]+(?=(?:" + "|".join(FIELD_KEYS) + r")[ \t]*:)", "\n", text.strip(), flags=re.I)
    product, location = read_fields(text)
    title = one_line(text.splitlines()[0], 80)
    return Request(
        "slack",
        mid,
        title,
        {k: v for k, v in who.items() if v},
        text.strip(),
        [],
        product,
        location,
        [],
        threads,
        extra,
    )


def take_slack(desk: Any, raw: bytes) -> Outcome:
    req = request_of(decode(raw))
    if isinstance(req, str):
        return Outcome("ignored", reason=req)
    return receive(desk, req, settings(desk.config))
