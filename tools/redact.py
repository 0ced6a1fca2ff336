"""Secrets never leave the server: API key values, tokens, passwords are masked by field name."""

from __future__ import annotations

import re
from typing import Any

_SECRET_FIELD = re.compile(r"(?i)^(value|.*secret.*|.*password.*|.*token|authorization|x-api-key|apikey)$")
MASK = "***"


def redact(value: Any) -> Any:
    """A copy of ``value`` with every secret-named field masked, at any depth."""
    if isinstance(value, dict):
        return {
            k: MASK if isinstance(k, str) and _SECRET_FIELD.match(k) and v else redact(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value
