"""patchOperations for apigateway update_* calls, from two flat views of a part (pure).

A view maps JSON-pointer paths to strings. A top-level path (``/timeoutInMillis``) is a field:
``replace`` when it changes; left out of ``after``, nothing (AWS clears it along with another
field). A deeper path (``/requestParameters/method.request.header.X``) is a map entry: ``add``
when new (with no value when it has none, as ``/binaryMediaTypes/image~1png``), ``replace`` when
changed, ``remove`` when gone. ``lists`` paths (``/providerARNs``) hold one entry per value:
``add``/``remove`` with the value.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def escape(key: str) -> str:
    """One path segment as a JSON pointer writes it: ``/`` becomes ``~1``."""
    return key.replace("~", "~0").replace("/", "~1")


def entries(prefix: str, values: Mapping[str, Any]) -> dict[str, str]:
    return {f"{prefix}/{escape(k)}": _text(v) for k, v in values.items()}


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def patch_operations(
    before: Mapping[str, str],
    after: Mapping[str, str],
    lists: Mapping[str, tuple[set[str], set[str]]] | None = None,
) -> list[dict[str, str]]:
    ops: list[dict[str, str]] = []
    for path in sorted(set(before) | set(after)):
        old, new = before.get(path), after.get(path)
        if old == new:
            continue
        if path.count("/") == 1:
            if new is not None:  # a field left out of ``after`` is one AWS clears by itself
                ops.append({"op": "replace", "path": path, "value": new})
        elif old is None:
            ops.append({"op": "add", "path": path, "value": new} if new else {"op": "add", "path": path})
        elif new is None:
            ops.append({"op": "remove", "path": path})
        else:
            ops.append({"op": "replace", "path": path, "value": new})
    for path, (old_values, new_values) in sorted((lists or {}).items()):
        ops += [{"op": "add", "path": path, "value": v} for v in sorted(new_values - old_values)]
        ops += [{"op": "remove", "path": path, "value": v} for v in sorted(old_values - new_values)]
    return ops
