"""REST API keys and usage plans as AWS keeps them (moto 5.2.5 gets these wrong).

- API keys reported ``stageKeys`` as objects; AWS gives ``"apiId/stage"`` strings.
  ``UpdateApiKey`` answered 500 to anything but ``replace`` (AWS: ``add`` / ``remove /stages``).
- ``UpdateUsagePlan`` ignored per-method throttles
  (``/apiStages/{apiId}:{stage}/throttle/{path}/{METHOD}/rateLimit|burstLimit``) and answered
  500 to a fractional ``rateLimit`` (AWS takes a double).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from moto.apigateway.exceptions import BadRequestException, NotFoundException

from apigw_mcp.server.sandbox.moto_rest_patch import Field, apply_patches, to_float, to_int, unescape

_KEY_FIELDS = {
    "name": Field("name"),
    "description": Field("description"),
    "customerId": Field("customer_id"),
    "enabled": Field("enabled", "bool"),
    "stages": Field("stage_keys", "list"),
}
_THROTTLE = {"rateLimit": to_float, "burstLimit": to_int}


def _stage_key(item: Any) -> str:
    if isinstance(item, dict):
        return f"{item.get('restApiId')}/{item.get('stageName')}"
    return str(item)


def api_key_to_json(original: Callable[[Any], dict[str, Any]]) -> Callable[[Any], dict[str, Any]]:
    def to_json(self: Any) -> dict[str, Any]:
        out = original(self)
        out["stageKeys"] = [_stage_key(item) for item in self.stage_keys]
        return out

    return to_json


def update_api_key(self: Any, operations: list[dict[str, Any]]) -> Any:
    """Replaces ``ApiKey.update_operations``."""
    self.stage_keys = [_stage_key(item) for item in self.stage_keys]
    apply_patches(self, _KEY_FIELDS, operations)
    self.last_updated_date = int(time.time())
    return self


def usage_plan_patches(original: Callable[[Any, list[dict[str, Any]]], None]) -> Callable[..., None]:
    """Wrap ``UsagePlan.apply_patch_operations``: throttles here, everything else moto's."""

    def apply(self: Any, operations: list[dict[str, Any]]) -> None:
        for operation in operations:
            path = operation.get("path", "")
            if path.startswith("/apiStages/") and "/throttle" in path:
                _stage_throttle(self, operation)
            elif path in ("/throttle/rateLimit", "/throttle/burstLimit") and operation.get("op") != "remove":
                name = path.rsplit("/", 1)[1]
                self.throttle[name] = _THROTTLE[name](operation.get("value"), path)
            else:
                original(self, [operation])

    return apply


def _stage_throttle(plan: Any, operation: dict[str, Any]) -> None:
    path, verb = operation["path"], operation.get("op")
    stage_ref, _, rest = path[len("/apiStages/") :].partition("/throttle")
    api_id, _, stage = stage_ref.partition(":")
    found = [s for s in plan.api_stages if (s.get("apiId"), s.get("stage")) == (api_id, stage)]
    if not found:
        raise NotFoundException(f"Invalid API stage {stage_ref} specified for the usage plan")
    throttles: dict[str, dict[str, Any]] = found[0].setdefault("throttle", {})
    segments = rest.lstrip("/").split("/") if rest else []
    if not segments and verb == "remove":
        found[0].pop("throttle", None)
        return
    if len(segments) < 2:
        raise BadRequestException(f"Invalid patch path '{path}' specified for op '{verb}'")
    field = segments[-1] if segments[-1] in _THROTTLE else None
    method_segments = segments[:-1] if field else segments
    key = "/" + unescape("/".join(method_segments[:-1])).lstrip("/") + "/" + method_segments[-1]
    if verb == "remove" and field:
        throttles.get(key, {}).pop(field, None)
    elif verb == "remove":
        throttles.pop(key, None)
    elif field is None or verb not in ("add", "replace"):
        raise BadRequestException(f"Invalid patch path '{path}' specified for op '{verb}'")
    else:
        throttles.setdefault(key, {})[field] = _THROTTLE[field](operation.get("value"), path)
