"""API Gateway REST (apigateway v1) behaviour moto 5.2.5 gets wrong, made to match AWS.

Each module says what it fixes and why:

- ``moto_rest_stages`` / ``moto_rest_stage_patch``: deployments onto existing stages, canaries,
  ``UpdateStage`` method settings;
- ``moto_rest_updates``: the ``Update*`` operations moto lacks, with AWS's patch semantics
  (``moto_rest_patch``);
- ``moto_rest_resources``: the resource tree, ``embed=methods``, integration defaults;
- ``moto_rest_gateway``: default gateway responses;
- ``moto_rest_keys``: API key stage keys, usage plan per-method throttles;
- ``moto_rest_api``: binary media types, authorizer fields, tags on a REST API ARN.

moto picks a handler by the operation name botocore's model gives the request's method and path
(``UpdateMethod`` -> ``update_method``), so a handler is a method set on ``APIGatewayResponse``.
The one new route (tags on an API ARN) goes in ``moto.apigateway.urls.url_paths`` before the
server serves its first API Gateway request (it builds the service's routes then).
"""

from __future__ import annotations

from typing import Any

from moto.apigateway import urls
from moto.apigateway.models import ApiKey, Authorizer, Integration, RestAPI, Stage, UsagePlan
from moto.apigateway.responses import APIGatewayResponse
from moto.apigatewayv2 import urls as urls_v2

from apigw_mcp.server.sandbox import (
    moto_rest_api,
    moto_rest_gateway,
    moto_rest_keys,
    moto_rest_resources,
    moto_rest_stages,
    moto_rest_updates,
)

_applied = False


def _handlers() -> dict[str, Any]:
    return {
        **moto_rest_updates.HANDLERS,
        **moto_rest_stages.HANDLERS,
        **moto_rest_resources.HANDLERS,
        **moto_rest_gateway.HANDLERS,
        **moto_rest_api.HANDLERS,
        "put_integration": moto_rest_resources.put_integration(APIGatewayResponse.put_integration),
        "create_rest_api": moto_rest_api.create_rest_api(APIGatewayResponse.create_rest_api),
    }


def _model_patches() -> list[tuple[type, str, Any]]:
    """(moto model class, method name, replacement); each replacement wraps or replaces moto's."""
    return [
        (Stage, "to_json", moto_rest_stages.stage_to_json(Stage.to_json)),
        (Integration, "to_json", moto_rest_resources.integration_to_json(Integration.to_json)),
        (ApiKey, "to_json", moto_rest_keys.api_key_to_json(ApiKey.to_json)),
        (ApiKey, "update_operations", moto_rest_keys.update_api_key),
        (
            UsagePlan,
            "apply_patch_operations",
            moto_rest_keys.usage_plan_patches(UsagePlan.apply_patch_operations),
        ),
        (RestAPI, "apply_patch_operations", moto_rest_api.rest_api_patches(RestAPI.apply_patch_operations)),
        (Authorizer, "__init__", moto_rest_api.authorizer_init(Authorizer.__init__)),
        (Authorizer, "apply_operations", moto_rest_api.authorizer_patches(Authorizer.apply_operations)),
    ]


def patch_apigateway_rest() -> None:
    """Attach the handlers, the route and the model fixes to moto (once per process).

    Call after ``patch_apigatewayv2``: importing ``moto.apigateway.urls`` copies apigatewayv2's
    routes as they are then (the copy is refreshed here too).
    """
    global _applied
    if _applied:
        return
    for name, handler in _handlers().items():
        setattr(APIGatewayResponse, name, handler)
    for model, name, replacement in _model_patches():
        setattr(model, name, replacement)
    urls.url_paths[moto_rest_api.TAGS_PATH] = APIGatewayResponse.dispatch
    urls.url_paths.update(
        {path: view for path, view in urls_v2.url_paths.items() if path not in urls.url_paths}
    )
    _applied = True
