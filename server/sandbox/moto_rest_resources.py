"""The REST resource tree and integrations as AWS keeps them (moto 5.2.5 gets these wrong).

- ``GetResources`` embedded whole methods; AWS gives ``{}`` per method unless ``embed=methods``.
- ``CreateResource`` under an unknown parent answered 404 but stored the orphan (after which
  every listing of the API failed); a second sibling with the same ``pathPart`` was accepted
  (AWS: ``ConflictException``). ``DeleteResource`` kept the children.
- ``PutIntegration`` lacked AWS's defaults (``timeoutInMillis`` 29000, ``passthroughBehavior``
  ``WHEN_NO_MATCH``, ``cacheNamespace`` = the resource id, ``cacheKeyParameters`` []) and dropped
  ``cacheKeyParameters`` and ``connectionId``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from moto.apigateway.exceptions import ConflictException, NotFoundException

Response = tuple[int, dict[str, str], str]

DEFAULT_TIMEOUT_MS = 29000


def _api(handler: Any) -> Any:
    return handler.backend.get_rest_api(handler.path.split("/")[2])


def get_resources(self: Any) -> Response:
    embed = ",".join(self.querystring.get("embed", [])).split(",")
    items = []
    for resource in _api(self).resources.values():
        item = resource.to_dict()
        if "methods" not in embed and "resourceMethods" in item:
            item["resourceMethods"] = {name: {} for name in item["resourceMethods"]}
        items.append(item)
    return 200, {}, json.dumps({"item": items})


def create_resource(self: Any) -> Response:
    api = _api(self)
    parent_id = self.path.split("/")[-1]
    path_part = self._get_param("pathPart")
    if parent_id not in api.resources:
        raise NotFoundException("Invalid Resource identifier specified")
    if any(r.parent_id == parent_id and r.path_part == path_part for r in api.resources.values()):
        raise ConflictException(f"Another resource with the same parent already has this name: {path_part}")
    resource = self.backend.create_resource(api.id, parent_id, path_part)
    return 201, {"status": "201"}, json.dumps(resource.to_dict())


def delete_resource(self: Any) -> Response:
    api = _api(self)
    resource_id = self.path.split("/")[-1]
    if resource_id not in api.resources:
        raise NotFoundException("Invalid Resource identifier specified")
    doomed = {resource_id}
    grew = True
    while grew:
        children = {rid for rid, r in api.resources.items() if r.parent_id in doomed} - doomed
        doomed |= children
        grew = bool(children)
    for rid in doomed:
        del api.resources[rid]
    return 202, {"status": "202"}, ""


def put_integration(original: Callable[[Any], Any]) -> Callable[[Any], Response]:
    """Wrap moto's ``put_integration`` to fill AWS's defaults and the fields it drops."""

    def handler(self: Any) -> Response:
        original(self)
        parts = self.path.split("/")
        integration = self.backend.get_integration(parts[2], parts[4], parts[6])
        params = json.loads(self.body or "{}")
        integration.timeout_in_millis = params.get("timeoutInMillis") or DEFAULT_TIMEOUT_MS
        integration.passthrough_behaviour = params.get("passthroughBehavior") or "WHEN_NO_MATCH"
        integration.cache_namespace = params.get("cacheNamespace") or parts[4]
        integration.cache_key_parameters = params.get("cacheKeyParameters") or []
        integration.connection_id = params.get("connectionId")
        return 201, {"status": "201"}, json.dumps(integration.to_json())

    return handler


def integration_to_json(original: Callable[[Any], dict[str, Any]]) -> Callable[[Any], dict[str, Any]]:
    """Wrap ``Integration.to_json`` to report ``connectionId`` (moto does not keep it)."""

    def to_json(self: Any) -> dict[str, Any]:
        out = original(self)
        if getattr(self, "connection_id", None):
            out["connectionId"] = self.connection_id
        return out

    return to_json


HANDLERS = {
    "get_resources": get_resources,
    "create_resource": create_resource,
    "delete_resource": delete_resource,
}
