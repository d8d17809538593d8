"""gitdesk: a service desk that lives in a Git repository.

The public API is deliberately small: the Desk facade, the Ticket it returns,
and the one error class every failure derives from. They load lazily so that
`gitdesk list` does not pay for modules it never uses.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Desk", "GitdeskError", "Ticket"]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    if name == "Desk":
        from gitdesk.desk.facade import Desk

        return Desk
    if name == "GitdeskError":
        from gitdesk.errors import GitdeskError

        return GitdeskError
    if name == "Ticket":
        from gitdesk.core.ticket import Ticket

        return Ticket
    raise AttributeError(name)
