"""The last pass over every MkDocs page: its Content-Security-Policy and the search dialog's name.

The policy allows scripts from the site itself and, by hash, exactly the inline scripts the
theme wrote into this page, so no text that reached a page can ever run, and nothing is
fetched from any other host.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re

PLACEHOLDER = '<meta http-equiv="Content-Security-Policy" content="gitdesk-csp">'
_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?P<attrs>[^>]*)>(?P<body>.*?)</script>", re.S)
_SEARCH_DIALOG = 'data-md-component="search" role="dialog"'
_SEARCH_LABEL = re.compile(r'class="md-search__input"[^>]*?aria-label="([^"]*)"')


def policy(scripts: list[str]) -> str:
    hashes = " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'" for s in scripts)
    return (
        f"default-src 'self'; script-src 'self' {hashes}".rstrip()
        + "; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; worker-src 'self'; "
        "object-src 'none'; base-uri 'self'; form-action 'self'"
    )


def finish_page(output: str) -> str:
    """Fill in the page's CSP (from our theme override) and name Material's search dialog."""
    if PLACEHOLDER in output:
        scripts = [
            m.group("body")
            for m in _INLINE_SCRIPT.finditer(output)
            if "application/json" not in m.group("attrs")  # data, not code: CSP does not apply
        ]
        output = output.replace(
            PLACEHOLDER, f'<meta http-equiv="Content-Security-Policy" content="{html.escape(policy(scripts))}">', 1
        )
    if _SEARCH_DIALOG in output:
        label = _SEARCH_LABEL.search(output)
        name = label.group(1) if label else "Search"
        output = output.replace(_SEARCH_DIALOG, f'{_SEARCH_DIALOG} aria-label="{name}"', 1)
    return output
