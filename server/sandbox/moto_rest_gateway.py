"""REST gateway responses as AWS reports them (moto 5.2.5 lists and gets only the ones put).

AWS lists every response type, defaults included (``defaultResponse`` true, the type's default
status code, the standard JSON message template); getting a type never put returns its default,
and ``UpdateGatewayResponse`` (500 in moto) customizes a type, put or not.
"""

from __future__ import annotations

import json
from typing import Any

from moto.apigateway.exceptions import BadRequestException
from moto.apigateway.models import GatewayResponse

from apigw_mcp.server.sandbox.moto_rest_patch import Field, apply_patches

Response = tuple[int, dict[str, str], str]

DEFAULT_STATUS: dict[str, str | None] = {
    "DEFAULT_4XX": None,
    "DEFAULT_5XX": None,
    "RESOURCE_NOT_FOUND": "404",
    "UNAUTHORIZED": "401",
    "INVALID_API_KEY": "403",
    "ACCESS_DENIED": "403",
    "AUTHORIZER_FAILURE": "500",
    "AUTHORIZER_CONFIGURATION_ERROR": "500",
    "INVALID_SIGNATURE": "403",
    "EXPIRED_TOKEN": "403",
    "MISSING_AUTHENTICATION_TOKEN": "403",
    "INTEGRATION_FAILURE": "504",
    "INTEGRATION_TIMEOUT": "504",
    "API_CONFIGURATION_ERROR": "500",
    "UNSUPPORTED_MEDIA_TYPE": "415",
    "BAD_REQUEST_PARAMETERS": "400",
    "BAD_REQUEST_BODY": "400",
    "REQUEST_TOO_LARGE": "413",
    "THROTTLED": "429",
    "QUOTA_EXCEEDED": "429",
    "WAF_FILTERED": "403",
}
DEFAULT_TEMPLATES = {"application/json": '{"message":$context.error.messageString}'}
GATEWAY_RESPONSE_FIELDS = {
    "statusCode": Field("status_code"),
    "responseParameters": Field("response_parameters", "map"),
    "responseTemplates": Field("response_templates", "map"),
}


def default_response(response_type: str) -> GatewayResponse:
    if response_type not in DEFAULT_STATUS:
        raise BadRequestException(f"Invalid gateway response type specified: {response_type}")
    status: Any = DEFAULT_STATUS[response_type]  # moto types it int; AWS's model says string
    response = GatewayResponse(response_type, status, {}, dict(DEFAULT_TEMPLATES))
    response.default_response = True
    return response


def _api_and_type(handler: Any) -> tuple[Any, str]:
    parts = handler.path.rstrip("/").split("/")
    return handler.backend.get_rest_api(parts[2]), parts[4]


def get_gateway_response(self: Any) -> Response:
    api, response_type = _api_and_type(self)
    response = api.gateway_responses.get(response_type) or default_response(response_type)
    return 200, {}, json.dumps(response.to_json())


def get_gateway_responses(self: Any) -> Response:
    api = self.backend.get_rest_api(self.path.split("/")[2])
    items = [(api.gateway_responses.get(kind) or default_response(kind)).to_json() for kind in DEFAULT_STATUS]
    return 200, {}, json.dumps({"item": items})


def update_gateway_response(self: Any) -> Response:
    api, response_type = _api_and_type(self)
    response = api.gateway_responses.get(response_type) or default_response(response_type)
    apply_patches(response, GATEWAY_RESPONSE_FIELDS, self._get_param("patchOperations") or [])
    response.default_response = False
    api.gateway_responses[response_type] = response
    return 200, {}, json.dumps(response.to_json())


HANDLERS = {
    "get_gateway_response": get_gateway_response,
    "get_gateway_responses": get_gateway_responses,
    "update_gateway_response": update_gateway_response,
}
