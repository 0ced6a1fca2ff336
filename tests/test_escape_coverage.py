"""Escape suite, coverage: the tables reach every mutating tool the server lists, with enough attempts.

The mutating tools are read from the server itself (``list_tools``: every tool whose
annotations are not read-only), so a new tool without escape attempts fails here. Every
row must name what its refusal names (a rule or a field), and ids are unique across modules.
"""

from __future__ import annotations

from collections import Counter

import pytest

from . import (
    test_escape_arns,
    test_escape_fields,
    test_escape_handles,
    test_escape_modes,
    test_escape_rest,
    test_escape_rest_scope,
    test_escape_rest_tools,
    test_escape_scope,
    test_escape_signed,
    test_escape_tokens,
    test_escape_urls,
    test_escape_values,
)
from .conftest import ClientFactory
from .escape_support import Attempt

MODULES = [
    test_escape_arns,
    test_escape_fields,
    test_escape_handles,
    test_escape_modes,
    test_escape_rest,
    test_escape_rest_scope,
    test_escape_rest_tools,
    test_escape_scope,
    test_escape_signed,
    test_escape_tokens,
    test_escape_urls,
    test_escape_values,
]
ALL_ROWS: list[Attempt] = [case for module in MODULES for case in module.ROWS]
MIN_ATTEMPTS, MIN_PER_TOOL = 150, 3


@pytest.mark.anyio
async def test_every_mutating_tool_has_enough_escape_attempts(client: ClientFactory) -> None:
    async with client() as session:
        tools = (await session.list_tools()).tools
    mutating = {t.name for t in tools if not (t.annotations and t.annotations.read_only_hint)}
    per_tool = Counter(case.tool for case in ALL_ROWS)
    assert len(mutating) >= 12, mutating
    assert {tool: per_tool[tool] for tool in mutating if per_tool[tool] < MIN_PER_TOOL} == {}
    assert set(per_tool) <= mutating, set(per_tool) - mutating
    assert len(ALL_ROWS) >= MIN_ATTEMPTS


def test_every_row_says_what_its_refusal_names_and_ids_are_unique() -> None:
    assert [case.id for case in ALL_ROWS if not case.expect] == []
    assert [i for i, n in Counter(f"{c.tool}/{c.id}" for c in ALL_ROWS).items() if n > 1] == []
