"""The API kinds this server changes, by name: a new kind is one more entry here."""

from __future__ import annotations

from typing import Any

from apigw_mcp.server.kinds.base import Kind
from apigw_mcp.server.kinds.http import HTTP
from apigw_mcp.server.kinds.rest import REST
from apigw_mcp.server.kinds.usage_plan import USAGE_PLAN
from apigw_mcp.tools.engine.handle import NOT_OURS

KINDS: dict[str, Kind[Any, Any]] = {kind.name: kind for kind in (HTTP, REST, USAGE_PLAN)}


def kind_of_handle(name: str) -> Kind[Any, Any]:
    """The kind an undo handle names (its records spell the kind in lower case, as ``http``).

    ValueError, as for a forged handle, when no kind of that name is served: only this server
    writes handles, and it writes none for a kind it does not serve.
    """
    kind = KINDS.get(name.upper()) if name.islower() else None
    if kind is None:
        raise ValueError(NOT_OURS)
    return kind
