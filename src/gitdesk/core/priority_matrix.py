"""The impact x urgency matrix: derive P1..P4 from two levels (`gitdesk prioritise --impact --urgency`).

The optional `matrix:` section of gitdesk.yml maps impact -> urgency -> priority:

    matrix:
      high:   {high: P1, medium: P2, low: P3}
      medium: {high: P2, medium: P3, low: P4}
      low:    {high: P3, medium: P4, low: P4}

Without it the table above is used.
"""

from __future__ import annotations

from typing import Any

from gitdesk.core.ticket import PRIORITIES
from gitdesk.errors import ConfigError, InvalidValue, UsageError

DEFAULT_MATRIX: dict[str, dict[str, str]] = {
    "high": {"high": "P1", "medium": "P2", "low": "P3"},
    "medium": {"high": "P2", "medium": "P3", "low": "P4"},
    "low": {"high": "P3", "medium": "P4", "low": "P4"},
}


def matrix(config: Any) -> dict[str, dict[str, str]]:
    """The validated matrix: every impact row names a priority for the same set of urgencies."""
    raw = config.section("matrix") or DEFAULT_MATRIX
    out: dict[str, dict[str, str]] = {}
    urgencies: list[str] | None = None
    for impact, row in raw.items():
        key = f"matrix.{impact}"
        if not isinstance(row, dict) or not row:
            raise ConfigError(key, "must map each urgency level to a priority, e.g. {high: P1, low: P3}")
        cells = {}
        for urgency, priority in row.items():
            if str(priority).upper() not in PRIORITIES:
                raise ConfigError(f"{key}.{urgency}", f"'{priority}' is not a priority (P1..P4)")
            cells[str(urgency).lower()] = str(priority).upper()
        if urgencies is None:
            urgencies = list(cells)
        elif sorted(cells) != sorted(urgencies):
            raise ConfigError(key, f"must list the same urgency levels as the first row ({', '.join(urgencies)})")
        out[str(impact).lower()] = cells
    return out


def derive(config: Any, impact: str | None, urgency: str | None) -> str:
    """'P1'..'P4' for an impact and an urgency level."""
    if not impact or not urgency:
        raise UsageError("give both --impact and --urgency to derive the priority")
    table = matrix(config)
    row = table.get(impact.strip().lower())
    if row is None:
        raise InvalidValue("impact", f"'{impact}' is not one of {', '.join(table)}")
    cell = row.get(urgency.strip().lower())
    if cell is None:
        raise InvalidValue("urgency", f"'{urgency}' is not one of {', '.join(row)}")
    return cell
