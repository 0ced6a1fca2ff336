"""The REST ``Update*`` operations moto 5.2.5 lacks (it answers 500), with AWS's patch semantics.

update_method, update_method_response, update_integration, update_integration_response,
update_resource and update_deployment; each updatable field is the one botocore's model has.
"""

from __future__ import annotations

import json
from typing import Any

from moto.apigateway.exceptions import (
    BadRequestException,
    DeploymentNotFoundException,
    NotFoundException,
)
from moto.apigateway.models import Integration

from apigw_mcp.server.sandbox.moto_rest_patch import Field, apply_patches

Response = tuple[int, dict[str, str], str]

METHOD_FIELDS = {
    "authorizationType": Field("authorization_type"),
    "authorizerId": Field("authorizer_id"),
    "authorizationScopes": Field("authorization_scopes", "list"),
    "apiKeyRequired": Field("api_key_required", "bool"),
    "operationName": Field("operation_name"),
    "requestValidatorId": Field("request_validator_id"),
    "requestParameters": Field("request_parameters", "bool_map"),
    "requestModels": Field("request_models", "map"),
}
METHOD_RESPONSE_FIELDS = {
    "responseParameters": Field("response_parameters", "bool_map"),
    "responseModels": Field("response_models", "map"),
}
INTEGRATION_FIELDS = {
    "type": Field("integration_type"),
    "httpMethod": Field("http_method"),
    "uri": Field("uri"),
    "connectionType": Field("connection_type"),
    "connectionId": Field("connection_id"),
    "credentials": Field("credentials"),
    "passthroughBehavior": Field("passthrough_behaviour"),
    "contentHandling": Field("content_handling"),
    "timeoutInMillis": Field("timeout_in_millis", "int"),
    "cacheNamespace": Field("cache_namespace"),
    "cacheKeyParameters": Field("cache_key_parameters", "list"),
    "requestParameters": Field("request_parameters", "map"),
    "requestTemplates": Field("request_templates", "map"),
    "tlsConfig": Field("tls_config", "bool_map"),
}
INTEGRATION_RESPONSE_FIELDS = {
    "selectionPattern": Field("selection_pattern"),
    "contentHandling": Field("content_handling"),
    "responseParameters": Field("response_parameters", "map"),
    "responseTemplates": Field("response_templates", "map"),
}
RESOURCE_FIELDS = {"pathPart": Field("path_part"), "parentId": Field("parent_id")}
DEPLOYMENT_FIELDS = {"description": Field("description")}


def _parts(handler: Any) -> list[str]:
    parts: list[str] = handler.path.split("/")
    return parts


def _operations(handler: Any) -> list[dict[str, Any]]:
    operations: list[dict[str, Any]] = handler._get_param("patchOperations") or []
    return operations


def _method(handler: Any) -> Any:
    parts = _parts(handler)
    return handler.backend.get_method(parts[2], parts[4], parts[6])


def _integration(handler: Any) -> Integration:
    integration: Integration | None = _method(handler).method_integration
    if integration is None:
        raise NotFoundException("Invalid Integration identifier specified")
    return integration


def update_method(self: Any) -> Response:
    method = _method(self)
    apply_patches(method, METHOD_FIELDS, _operations(self))
    return 200, {}, json.dumps(method.to_json())


def update_method_response(self: Any) -> Response:
    response = _method(self).get_response(_parts(self)[8])
    if response is None:
        raise NotFoundException("Invalid Response status code specified")
    apply_patches(response, METHOD_RESPONSE_FIELDS, _operations(self))
    return 200, {}, json.dumps(response.to_json())


def update_integration(self: Any) -> Response:
    integration = _integration(self)
    apply_patches(integration, INTEGRATION_FIELDS, _operations(self))
    return 200, {}, json.dumps(integration.to_json())


def update_integration_response(self: Any) -> Response:
    response = _integration(self).get_integration_response(_parts(self)[9])
    apply_patches(response, INTEGRATION_RESPONSE_FIELDS, _operations(self))
    return 200, {}, json.dumps(response.to_json())


def update_resource(self: Any) -> Response:
    parts = _parts(self)
    api = self.backend.get_rest_api(parts[2])
    resource = self.backend.get_resource(parts[2], parts[4])
    before = (resource.path_part, resource.parent_id)
    apply_patches(resource, RESOURCE_FIELDS, _operations(self))
    if resource.parent_id not in api.resources or _is_under(api, resource.parent_id, resource.id):
        resource.path_part, resource.parent_id = before
        raise BadRequestException("Invalid parent resource identifier specified")
    return 200, {}, json.dumps(resource.to_dict())


def _is_under(api: Any, candidate: str | None, ancestor: str) -> bool:
    while candidate is not None:
        if candidate == ancestor:
            return True
        candidate = api.resources[candidate].parent_id
    return False


def update_deployment(self: Any) -> Response:
    parts = _parts(self)
    api = self.backend.get_rest_api(parts[2])
    deployment = api.deployments.get(parts[4])
    if deployment is None:
        raise DeploymentNotFoundException()
    apply_patches(deployment, DEPLOYMENT_FIELDS, _operations(self))
    return 200, {}, json.dumps(deployment.to_json())


HANDLERS = {
    "update_method": update_method,
    "update_method_response": update_method_response,
    "update_integration": update_integration,
    "update_integration_response": update_integration_response,
    "update_resource": update_resource,
    "update_deployment": update_deployment,
}
