"""Comments on the GitHub issue a request came from, and closing it when the ticket closes.

GITDESK_GITHUB_TOKEN (else GITHUB_TOKEN, as Actions provides it) authorises the calls;
GITDESK_GITHUB_API is the REST API's base (default https://api.github.com; tests point it
at a recording server on 127.0.0.1).
"""

from __future__ import annotations

import os
import re
from typing import Any

from gitdesk.channels.http import DeliveryError, call
from gitdesk.core.ticket import Ticket

TOKEN_ENVS = ("GITDESK_GITHUB_TOKEN", "GITHUB_TOKEN")
API_ENV = "GITDESK_GITHUB_API"
DEFAULT_API = "https://api.github.com"


def _info(t: Ticket) -> dict[str, Any]:
    value = t.meta.get("github")
    return value if isinstance(value, dict) else {}


def issue_of(t: Ticket) -> tuple[str, int] | None:
    """("owner/repo", number) of the ticket's issue, from the intake record or the issue's URL."""
    info = _info(t)
    number = info.get("issue")
    repo = str(info.get("repo") or "")
    if not repo:
        match = re.search(r"/([^/\s]+/[^/\s]+)/issues/\d+", str(info.get("url") or ""))
        repo = match.group(1) if match else ""
    if not repo or not isinstance(number, int) or isinstance(number, bool):
        return None
    return repo, number


def _token(env: dict[str, str] | os._Environ[str]) -> str:
    return next((env[k] for k in TOKEN_ENVS if env.get(k)), "")


def reachable(t: Ticket, environ: dict[str, str] | None = None) -> bool:
    env = os.environ if environ is None else environ
    return bool(_token(env) and issue_of(t))


def _issue_url(t: Ticket, env: dict[str, str] | os._Environ[str]) -> tuple[str, dict[str, str]]:
    found = issue_of(t)
    token = _token(env)
    if found is None or not token:
        raise DeliveryError(f"{t.id}: no GitHub issue on record or no {TOKEN_ENVS[0]} in the environment")
    base = (env.get(API_ENV) or DEFAULT_API).rstrip("/")
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/vnd.github+json"}
    return f"{base}/repos/{found[0]}/issues/{found[1]}", headers


def comment(t: Ticket, text: str, environ: dict[str, str] | None = None) -> str:
    """Comment on the issue; returns the comment's URL (or API id) as the logged reference."""
    env = os.environ if environ is None else environ
    url, headers = _issue_url(t, env)
    answer = call("POST", f"{url}/comments", {"body": text}, headers)
    return str(answer.get("html_url") or answer.get("id") or f"{url}/comments")


def close_issue(t: Ticket, completed: bool = True, environ: dict[str, str] | None = None) -> None:
    env = os.environ if environ is None else environ
    url, headers = _issue_url(t, env)
    call("PATCH", url, {"state": "closed", "state_reason": "completed" if completed else "not_planned"}, headers)


def reopen_issue(t: Ticket, environ: dict[str, str] | None = None) -> None:
    env = os.environ if environ is None else environ
    url, headers = _issue_url(t, env)
    call("PATCH", url, {"state": "open"}, headers)
