"""core/priority_matrix.py: impact x urgency -> P1..P4, from gitdesk.yml's matrix or the default."""

from __future__ import annotations

import pytest

from gitdesk.core.config import from_mapping
from gitdesk.core.priority_matrix import derive, matrix
from gitdesk.errors import ConfigError, InvalidValue, UsageError


@pytest.mark.parametrize(
    "impact, urgency, priority",
    [("high", "high", "P1"), ("HIGH", " medium ", "P2"), ("medium", "low", "P4"), ("low", "high", "P3")],
)
def test_the_default_matrix(impact, urgency, priority):
    assert derive(from_mapping({}), impact, urgency) == priority


def test_a_desks_own_matrix():
    config = from_mapping({"matrix": {"wide": {"now": "p1", "later": "P3"}, "narrow": {"now": "P2", "later": "P4"}}})
    assert matrix(config) == {"wide": {"now": "P1", "later": "P3"}, "narrow": {"now": "P2", "later": "P4"}}
    assert derive(config, "narrow", "later") == "P4"
    with pytest.raises(InvalidValue, match="'high' is not one of wide, narrow"):
        derive(config, "high", "now")
    with pytest.raises(InvalidValue, match="'soon' is not one of now, later"):
        derive(config, "wide", "soon")
    with pytest.raises(UsageError):
        derive(config, "wide", None)


@pytest.mark.parametrize(
    "raw, key",
    [
        ({"high": {"high": "P9"}}, "matrix.high.high"),
        ({"high": {"high": "P1"}, "low": {"soon": "P2"}}, "matrix.low"),
        ({"high": "P1"}, "matrix.high"),
    ],
)
def test_a_broken_matrix_names_the_key(raw, key):
    with pytest.raises(ConfigError) as err:
        matrix(from_mapping({"matrix": raw}))
    assert key in str(err.value)
