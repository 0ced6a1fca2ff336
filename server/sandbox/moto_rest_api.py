"""REST APIs, authorizers and tags as AWS keeps them (moto 5.2.5 gets these wrong).

- ``CreateRestApi`` dropped ``binaryMediaTypes``; ``add /binaryMediaTypes/image~1gif`` appended
  ``''`` (AWS: the type is the path's last segment, unescaped: ``image/gif``).
- Authorizers dropped ``identityValidationExpression`` (a misspelt keyword inside moto);
  ``/providerARNs`` patches answered 500.
- Tags on a REST API ARN (``arn:aws:apigateway:{region}::/restapis/{id}``) had no route (404);
  only stage ARNs worked.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from moto.apigateway.exceptions import BadRequestException

from apigw_mcp.server.sandbox.moto_rest_patch import Field, apply_patches, unescape

Response = tuple[int, dict[str, str], str]
TAGS_PATH = (
    "{0}/tags/arn:(?P<partition>[^/]+):apigateway:(?P<region_name>[^/]+)::/restapis/(?P<function_id>[^/]+)$"
)
_PROVIDERS = {"providerARNs": Field("provider_arns", "list")}


def create_rest_api(original: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def handler(self: Any) -> Any:
        status, headers, body = original(self)
        media_types = self._get_param("binaryMediaTypes")
        if status != 200 or not media_types:
            return status, headers, body
        api = self.backend.get_rest_api(json.loads(body)["id"])
        api.binaryMediaTypes = list(media_types)
        return status, headers, json.dumps(api.to_dict())

    return handler


def rest_api_patches(original: Callable[[Any, list[dict[str, Any]]], None]) -> Callable[..., None]:
    """Wrap ``RestAPI.apply_patch_operations``: binary media types here, the rest moto's."""

    def apply(self: Any, operations: list[dict[str, Any]]) -> None:
        for operation in operations:
            path, verb = operation.get("path", ""), operation.get("op")
            if not path.startswith("/binaryMediaTypes/"):
                original(self, [operation])
                continue
            media_type = unescape(path[len("/binaryMediaTypes/") :])
            types = [t for t in self.binaryMediaTypes if t != media_type]
            if verb == "add":
                types.append(media_type)
            elif verb == "replace":
                types.append(operation.get("value") or media_type)
            elif verb != "remove":
                raise BadRequestException(f"Invalid patch operation '{verb}' for path '{path}'")
            self.binaryMediaTypes = types

    return apply


def authorizer_init(original: Callable[..., None]) -> Callable[..., None]:
    """Wrap ``Authorizer.__init__``: moto's backend passes the expression under a misspelt name."""

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        if "identiy_validation_expression" in kwargs:
            kwargs["identity_validation_expression"] = kwargs.pop("identiy_validation_expression")
        original(self, *args, **kwargs)

    return init


def authorizer_patches(original: Callable[[Any, list[dict[str, Any]]], Any]) -> Callable[..., Any]:
    """Wrap ``Authorizer.apply_operations``: ``/providerARNs`` here (add/remove/replace), the rest moto's."""

    def apply(self: Any, operations: list[dict[str, Any]]) -> Any:
        for operation in operations:
            if operation.get("path", "").startswith("/providerARNs"):
                apply_patches(self, _PROVIDERS, [operation])
            else:
                original(self, [operation])
        return self

    return apply


def _tag_target(handler: Any) -> Any:
    parts = unquote(handler.path.split("/tags/", 1)[1]).split("/")
    if "stages" in parts:
        return handler.backend.get_stage(parts[-3], parts[-1])
    return handler.backend.get_rest_api(parts[-1])


def get_tags(self: Any) -> Response:
    return 200, {}, json.dumps({"tags": _tag_target(self).tags or {}})


def tag_resource(self: Any) -> Response:
    target = _tag_target(self)
    target.tags = {**(target.tags or {}), **(self._get_param("tags") or {})}
    return 204, {"status": "204"}, ""


def untag_resource(self: Any) -> Response:
    target = _tag_target(self)
    keys = self.querystring.get("tagKeys") or []
    target.tags = {key: value for key, value in (target.tags or {}).items() if key not in keys}
    return 204, {"status": "204"}, ""


HANDLERS = {"get_tags": get_tags, "tag_resource": tag_resource, "untag_resource": untag_resource}
