"""JSON over HTTP for the Slack Web API and the GitHub REST API: one small urllib client.

Each API's base URL comes from the environment, so tests (and a desk behind a proxy)
point it at their own server; a refusal, an HTTP error or an unreachable host becomes
a `DeliveryError` with one plain line, never a traceback.
"""

from __future__ import annotations

import json
from typing import Any

from gitdesk.errors import GitdeskError

TIMEOUT = 10.0


class DeliveryError(GitdeskError):
    """An update could not be delivered (no credentials, refused, unreachable)."""


def call(method: str, url: str, payload: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
    """Send `payload` as JSON; the JSON answer (an empty dict for an empty body)."""
    from urllib.error import HTTPError, URLError
    from urllib.request import Request, urlopen

    body = json.dumps(payload).encode("utf-8")
    request = Request(url, data=body, method=method)
    request.add_header("Content-Type", "application/json; charset=utf-8")
    request.add_header("User-Agent", "gitdesk")
    for key, value in headers.items():
        request.add_header(key, value)
    try:
        with urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 - the desk's configured API base
            raw = response.read()
    except HTTPError as exc:
        detail = exc.read(300).decode("utf-8", "replace").strip().replace("\n", " ")
        raise DeliveryError(f"{method} {url}: HTTP {exc.code} {detail}".strip()) from None
    except (URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DeliveryError(f"{method} {url}: {reason}") from None
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except ValueError:
        return {"text": raw.decode("utf-8", "replace")[:200]}  # Slack's response_url answers "ok"
    return data if isinstance(data, dict) else {"value": data}
