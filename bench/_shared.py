"""Helpers shared by the bench scripts: o200k token counts, the environment check, JSON output."""

from __future__ import annotations

import json
import os
import sys
from functools import cache
from typing import Any


@cache
def _encoding() -> Any:
    import bpe_openai  # type: ignore[import-untyped]

    return bpe_openai.get_encoding("o200k_base")


def tokens(text: str) -> int:
    """o200k_base tokens of ``text``."""
    return len(_encoding().encode(text))


def compact(value: Any) -> str:
    """The compact JSON a client would send to a model (no spaces, non-ASCII kept)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def check_source() -> str:
    """Where ``apigw_mcp`` resolves from; warns when it is not this checkout (an older install)."""
    import apigw_mcp.server

    where = os.path.realpath(os.path.dirname(apigw_mcp.server.__file__))
    checkout = os.path.realpath(os.path.join(os.path.dirname(__file__), "..", "server"))
    if where != checkout:
        print(
            f"warning: apigw_mcp.server resolves to {where}, not this checkout ({checkout}): "
            "install it editable (pip install -e '.[test]') to measure the source",
            file=sys.stderr,
        )
    return where


def emit_json(figures: dict[str, Any]) -> None:
    """With ``--json``, the last stdout line is one JSON object that run_all.py reads."""
    if "--json" in sys.argv[1:]:
        print(json.dumps(figures), flush=True)


def verdict(value: float, target: float) -> str:
    return "PASS" if value <= target else "MISS"
