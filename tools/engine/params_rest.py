"""Parameters of the REST API (apigateway) and WAF write operations, each with its judge.

Like ``params_v2``: every parameter a step may carry is declared, anything else is refused, and
each write names a target the guard can judge (``restApiId`` in scope, a usage plan or key id,
the managed tag on what it creates). Updates carry ``patchOperations``, judged by ``patches_rest``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from apigw_mcp.tools.engine import judges as j
from apigw_mcp.tools.engine import judges_rest as jr
from apigw_mcp.tools.engine import validate
from apigw_mcp.tools.engine.params import BOOL, CHILD, DESCRIPTION, STAGE_NAME, STAGE_VARIABLES, TAGS, Param
from apigw_mcp.tools.engine.patches_rest import (
    AUTHORIZER_PATCHES,
    AUTHORIZER_URI,
    BOOL_V,
    CONTENT_TYPE,
    CREDENTIALS,
    DESCRIPTION_V,
    GATEWAY_RESPONSE_PATCHES,
    GATEWAY_SOURCE,
    HEADER,
    ID_V,
    INTEGRATION_PATCHES,
    INTEGRATION_RESPONSE_PATCHES,
    METHOD_PATCHES,
    METHOD_RESPONSE_PATCHES,
    METHODS,
    MODEL_NAME,
    NAME_PART,
    NAME_V,
    PATH_PART,
    REQUEST_PLACES,
    RESPONSE_SOURCE,
    REST_API_PATCHES,
    ROLE_V,
    SOURCE,
    STAGE_PATCHES,
    STATUS,
    TIMEOUT,
    URI,
    USAGE_PLAN_PATCHES,
    matching,
    patch_operations,
    paths,
    policy,
    template,
)
from apigw_mcp.tools.engine.validate import GATEWAY_RESPONSE_TYPES


def _mapping(key: str, value: j.Judge, max_items: int = 50) -> j.Judge:
    """A map whose keys fully match ``key`` and whose values pass ``value``."""
    pattern = re.compile(key)

    def judge(found: Any, ctx: j.GuardContext) -> str | None:
        if not isinstance(found, dict) or len(found) > max_items:
            return f"must be a map of at most {max_items} entries"
        for name, item in found.items():
            if not isinstance(name, str) or not pattern.fullmatch(name):
                return f"key {name!r} must match {key}"
            reason = value(item, ctx)
            if reason:
                return f"{name}: {reason}"
        return None

    return judge


def _list(item: j.Judge, max_items: int) -> j.Judge:
    def judge(value: Any, ctx: j.GuardContext) -> str | None:
        if not isinstance(value, list) or len(value) > max_items:
            return f"must be a list of at most {max_items} items"
        return next((reason for v in value if (reason := item(v, ctx))), None)

    return judge


def _managed_tags(value: object) -> None:
    if not isinstance(value, dict) or value.get("apigw-mcp:managed") != "true":
        raise ValueError("what this server creates must carry the managed tag apigw-mcp:managed=true")
    validate.tags({k: v for k, v in value.items() if k != "apigw-mcp:managed"})


def _own_tags(value: object) -> None:
    """Tags on something this server creates: the user's, and the managed tag if the planner adds it."""
    if not isinstance(value, dict) or value.get("apigw-mcp:managed", "true") != "true":
        raise ValueError("must be a map of tags; the managed tag apigw-mcp:managed, if given, is 'true'")
    validate.tags({k: v for k, v in value.items() if k != "apigw-mcp:managed"})


def _tag_keys(value: object) -> None:
    if not isinstance(value, list) or not value or len(value) > 50:
        raise ValueError("must be a list of 1-50 tag keys")
    if "apigw-mcp:managed" in value:
        raise ValueError("the managed tag apigw-mcp:managed is never removed (it keeps the API in scope)")
    validate.tags(dict.fromkeys(value, ""))


def _method_throttle_key(key: str) -> None:
    path, _, method = key.rpartition("/")
    if method not in METHODS:
        raise ValueError(f"throttle key {key!r} must be /RESOURCE/PATH/METHOD")
    validate.http_path(path or "/")


# --- the parameter tables ----------------------------------------------------------------------------

_REST = Param(j.api_id, "api-scope", target=True, required=True)
_OWN_TAGS = Param(j.checked(_own_tags))
_TAGGED = Param(jr.taggable_arn, "api-scope", target=True, required=True)
_NAME = Param(j.text(128, required=True))
_RESOURCE = {"restApiId": _REST, "resourceId": CHILD}
_METHOD = {**_RESOURCE, "httpMethod": Param(j.one_of(*METHODS))}
_STATUS = Param(STATUS)
_RESPONSE = {**_METHOD, "statusCode": _STATUS}
_REQUEST_KEY = rf"method\.request\.{REQUEST_PLACES}\.{NAME_PART}"
_CONTENT_TYPES = CONTENT_TYPE.pattern
_TEMPLATES = Param(_mapping(_CONTENT_TYPES, j.checked(template)))
_MODELS = Param(_mapping(_CONTENT_TYPES, MODEL_NAME))
_THROTTLE = Param(
    fields={
        "burstLimit": Param(j.number(0, 5000, integer=True)),
        "rateLimit": Param(j.number(0, 10000)),
    }
)
_CANARY = {
    "percentTraffic": Param(j.number(0, 100)),
    "stageVariableOverrides": STAGE_VARIABLES,
    "useStageCache": BOOL,
}
_CACHE_SIZE = Param(j.one_of("0.5", "1.6", "6.1", "13.5", "28.4", "58.2", "118", "237"))
_STAGE = {"restApiId": _REST, "stageName": STAGE_NAME}
_PLAN = Param(j.child_id, "invalid-id", target=True, required=True)
_KEY = Param(j.child_id, "invalid-id", target=True, required=True)
_STAGE_TARGET = Param(jr.stage_arn, "api-scope", target=True, required=True)


def _api_stages(value: Any, ctx: j.GuardContext) -> str | None:
    """A usage plan's API stages: every API in scope (none: a plan that throttles nothing yet)."""
    if not isinstance(value, list) or len(value) > 100:
        return "must be a list of at most 100 API stages"
    for stage in value:
        if not isinstance(stage, dict) or not {"apiId", "stage"} <= set(stage) <= {
            "apiId",
            "stage",
            "throttle",
        }:
            return j.with_rule("unknown-parameter", "an API stage is {apiId, stage[, throttle]}")
        reason = j.api_id(stage["apiId"], ctx)
        if reason:
            return j.with_rule("api-scope", reason)
        reason = _reason(validate.stage_name, stage["stage"])
        throttle = stage.get("throttle") or {}
        if not isinstance(throttle, dict):
            return "throttle must map /PATH/METHOD to {burstLimit, rateLimit}"
        for key, limits in throttle.items():
            reason = reason or _reason(_method_throttle_key, key) or _limits_reason(limits, ctx)
        if reason:
            return reason
    return None


def _reason(check: Callable[[Any], Any], value: Any) -> str | None:
    try:
        check(value)
    except (ValueError, TypeError, AttributeError) as error:
        return str(error)
    return None


def _limits_reason(limits: Any, ctx: j.GuardContext) -> str | None:
    if not isinstance(limits, dict) or not set(limits) <= {"burstLimit", "rateLimit"}:
        return "a method throttle is {burstLimit, rateLimit}"
    burst = j.number(0, 5000, integer=True)(limits.get("burstLimit", 0), ctx)
    return burst or j.number(0, 10000)(limits.get("rateLimit", 0), ctx)


def _json_schema(value: object) -> None:
    """A model's schema: a JSON object (API Gateway models are JSON Schema draft 4)."""
    if not isinstance(value, str) or len(value) > 65536 or not isinstance(json.loads(value), dict):
        raise ValueError("must be a JSON schema object of at most 65536 characters")


REST: dict[str, Mapping[str, Param]] = {
    "create_rest_api": {
        "name": Param(j.checked(validate.api_name)),
        "description": DESCRIPTION,
        "binaryMediaTypes": Param(_list(matching(_CONTENT_TYPES, "a media type"), 50)),
        "minimumCompressionSize": Param(j.number(0, 10485760, integer=True)),
        "apiKeySource": Param(j.one_of("HEADER", "AUTHORIZER")),
        "endpointConfiguration": Param(
            fields={
                "types": Param(_list(j.one_of("REGIONAL", "EDGE", "PRIVATE"), 1)),
                "vpcEndpointIds": Param(_list(matching(r"vpce-[0-9a-f]{8,17}", "a VPC endpoint id"), 100)),
            }
        ),
        "policy": Param(j.checked(policy)),
        "disableExecuteApiEndpoint": BOOL,
        "tags": Param(j.checked(_managed_tags), "api-scope", target=True, required=True),
    },
    "update_rest_api": {
        "restApiId": _REST,
        "patchOperations": patch_operations("update_rest_api", REST_API_PATCHES),
    },
    "delete_rest_api": {"restApiId": _REST},
    "create_resource": {
        "restApiId": _REST,
        "parentId": CHILD,
        "pathPart": PATH_PART,
    },
    "update_resource": {
        **_RESOURCE,
        "patchOperations": patch_operations(
            "update_resource", paths(("/parentId", "replace", ID_V), ("/pathPart", "replace", PATH_PART))
        ),
    },
    "delete_resource": _RESOURCE,
    "put_method": {
        **_METHOD,
        "authorizationType": Param(j.one_of("NONE", "AWS_IAM", "CUSTOM", "COGNITO_USER_POOLS")),
        "authorizerId": CHILD,
        "apiKeyRequired": BOOL,
        "operationName": Param(j.text(128, required=True)),
        "requestParameters": Param(_mapping(_REQUEST_KEY, j.boolean)),
        "requestModels": _MODELS,
        "requestValidatorId": CHILD,
        "authorizationScopes": Param(j.text_list(50, 256)),
    },
    "update_method": {**_METHOD, "patchOperations": patch_operations("update_method", METHOD_PATCHES)},
    "delete_method": _METHOD,
    "put_method_response": {
        **_RESPONSE,
        "responseParameters": Param(_mapping(rf"method\.response\.header\.{HEADER}", j.boolean)),
        "responseModels": _MODELS,
    },
    "update_method_response": {
        **_RESPONSE,
        "patchOperations": patch_operations("update_method_response", METHOD_RESPONSE_PATCHES),
    },
    "delete_method_response": _RESPONSE,
    "put_integration": {
        **_METHOD,
        "type": Param(j.one_of("AWS", "AWS_PROXY", "HTTP", "HTTP_PROXY", "MOCK")),
        "integrationHttpMethod": Param(j.one_of(*METHODS)),
        "uri": URI,
        "credentials": CREDENTIALS,
        "requestParameters": Param(
            _mapping(
                rf"integration\.request\.{REQUEST_PLACES}\.{NAME_PART}",
                matching(SOURCE, "a request mapping expression"),
            )
        ),
        "requestTemplates": _TEMPLATES,
        "passthroughBehavior": Param(j.one_of("WHEN_NO_MATCH", "WHEN_NO_TEMPLATES", "NEVER")),
        "cacheNamespace": CHILD,
        "cacheKeyParameters": Param(_list(matching(_REQUEST_KEY, "method.request.PLACE.NAME"), 50)),
        "contentHandling": Param(j.one_of("CONVERT_TO_BINARY", "CONVERT_TO_TEXT")),
        "timeoutInMillis": Param(j.number(50, TIMEOUT, integer=True)),
    },
    "update_integration": {
        **_METHOD,
        "patchOperations": patch_operations("update_integration", INTEGRATION_PATCHES),
    },
    "delete_integration": _METHOD,
    "put_integration_response": {
        **_RESPONSE,
        "selectionPattern": Param(j.text(1024)),
        "responseParameters": Param(
            _mapping(
                rf"method\.response\.header\.{HEADER}",
                matching(RESPONSE_SOURCE, "a response mapping expression"),
            )
        ),
        "responseTemplates": _TEMPLATES,
        "contentHandling": Param(j.one_of("CONVERT_TO_BINARY", "CONVERT_TO_TEXT")),
    },
    "update_integration_response": {
        **_RESPONSE,
        "patchOperations": patch_operations("update_integration_response", INTEGRATION_RESPONSE_PATCHES),
    },
    "delete_integration_response": _RESPONSE,
    "create_authorizer": {
        "restApiId": _REST,
        "name": _NAME,
        "type": Param(j.one_of("TOKEN", "REQUEST", "COGNITO_USER_POOLS")),
        "providerARNs": Param(_list(jr.user_pool_arn, 1000), "user-pool-scope", target=True),
        "authorizerUri": AUTHORIZER_URI,
        "authorizerCredentials": Param(jr.role_arn, "role-scope", target=True),
        "identitySource": Param(j.text(512, required=True)),
        "identityValidationExpression": Param(j.text(1024)),
        "authorizerResultTtlInSeconds": Param(j.number(0, 3600, integer=True)),
    },
    "update_authorizer": {
        "restApiId": _REST,
        "authorizerId": CHILD,
        "patchOperations": patch_operations("update_authorizer", AUTHORIZER_PATCHES),
    },
    "delete_authorizer": {"restApiId": _REST, "authorizerId": CHILD},
    "create_request_validator": {
        "restApiId": _REST,
        "name": _NAME,
        "validateRequestBody": BOOL,
        "validateRequestParameters": BOOL,
    },
    "update_request_validator": {
        "restApiId": _REST,
        "requestValidatorId": CHILD,
        "patchOperations": patch_operations(
            "update_request_validator",
            paths(
                ("/name", "replace", NAME_V),
                ("/validateRequestBody|/validateRequestParameters", "replace", BOOL_V),
            ),
        ),
    },
    "delete_request_validator": {"restApiId": _REST, "requestValidatorId": CHILD},
    "create_model": {
        "restApiId": _REST,
        "name": Param(MODEL_NAME),
        "description": DESCRIPTION,
        "schema": Param(j.checked(_json_schema)),
        "contentType": Param(matching(_CONTENT_TYPES, "a media type")),
    },
    "update_model": {
        "restApiId": _REST,
        "modelName": Param(MODEL_NAME),
        "patchOperations": patch_operations(
            "update_model",
            paths(
                ("/schema", "replace", Param(j.checked(_json_schema))),
                ("/description", "replace", DESCRIPTION_V),
            ),
        ),
    },
    "delete_model": {"restApiId": _REST, "modelName": Param(MODEL_NAME)},
    "put_gateway_response": {
        "restApiId": _REST,
        "responseType": Param(j.one_of(*GATEWAY_RESPONSE_TYPES)),
        "statusCode": _STATUS,
        "responseParameters": Param(
            _mapping(rf"gatewayresponse\.(?:header|path|querystring)\.{HEADER}", GATEWAY_SOURCE)
        ),
        "responseTemplates": _TEMPLATES,
    },
    "update_gateway_response": {
        "restApiId": _REST,
        "responseType": Param(j.one_of(*GATEWAY_RESPONSE_TYPES)),
        "patchOperations": patch_operations("update_gateway_response", GATEWAY_RESPONSE_PATCHES),
    },
    "delete_gateway_response": {"restApiId": _REST, "responseType": Param(j.one_of(*GATEWAY_RESPONSE_TYPES))},
    "create_deployment": {
        **_STAGE,
        "stageDescription": DESCRIPTION,
        "description": DESCRIPTION,
        "cacheClusterEnabled": BOOL,
        "cacheClusterSize": _CACHE_SIZE,
        "variables": STAGE_VARIABLES,
        "canarySettings": Param(fields=_CANARY),
        "tracingEnabled": BOOL,
    },
    "create_stage": {
        **_STAGE,
        "deploymentId": CHILD,
        "description": DESCRIPTION,
        "cacheClusterEnabled": BOOL,
        "cacheClusterSize": _CACHE_SIZE,
        "variables": STAGE_VARIABLES,
        "canarySettings": Param(fields={**_CANARY, "deploymentId": CHILD}),
        "tracingEnabled": BOOL,
        "tags": _OWN_TAGS,
    },
    "update_stage": {**_STAGE, "patchOperations": patch_operations("update_stage", STAGE_PATCHES)},
    "delete_stage": _STAGE,
    "flush_stage_cache": _STAGE,
    "create_usage_plan": {
        "name": _NAME,
        "description": DESCRIPTION,
        "apiStages": Param(_api_stages, target=True, required=True),
        "throttle": _THROTTLE,
        "quota": Param(
            fields={
                "limit": Param(j.number(0, 2**31 - 1, integer=True)),
                "offset": Param(j.number(0, 30, integer=True)),
                "period": Param(j.one_of("DAY", "WEEK", "MONTH")),
            }
        ),
        "tags": _OWN_TAGS,
    },
    "update_usage_plan": {
        "usagePlanId": _PLAN,
        "patchOperations": patch_operations("update_usage_plan", USAGE_PLAN_PATCHES),
    },
    "delete_usage_plan": {"usagePlanId": _PLAN},
    # No ``value``: AWS generates the key, and its value never passes through this server.
    "create_api_key": {
        "name": _NAME,
        "description": DESCRIPTION,
        "enabled": BOOL,
        "generateDistinctId": BOOL,
        "customerId": Param(j.text(256)),
        "tags": Param(j.checked(_managed_tags), "api-scope", target=True, required=True),
    },
    "update_api_key": {
        "apiKey": _KEY,
        "patchOperations": patch_operations(
            "update_api_key",
            paths(
                ("/name", "replace", NAME_V),
                ("/description|/customerId", "replace", DESCRIPTION_V),
                ("/enabled", "replace", BOOL_V),
            ),
        ),
    },
    "delete_api_key": {"apiKey": _KEY},
    "create_usage_plan_key": {"usagePlanId": _PLAN, "keyId": _KEY, "keyType": Param(j.equals("API_KEY"))},
    "delete_usage_plan_key": {"usagePlanId": _PLAN, "keyId": _KEY},
    "tag_resource": {
        "resourceArn": _TAGGED,
        "tags": TAGS,
    },
    "untag_resource": {
        "resourceArn": _TAGGED,
        "tagKeys": Param(j.checked(_tag_keys)),
    },
    # The account's CloudWatch logging role, and nothing else of the account's settings.
    "update_account": {
        "patchOperations": patch_operations(
            "update_account", paths(("/cloudwatchRoleArn", "replace", ROLE_V)), target=True
        )
    },
}

WAF: dict[str, Mapping[str, Param]] = {
    "associate_web_acl": {
        "WebACLArn": Param(jr.web_acl_arn, "waf-scope", target=True, required=True),
        "ResourceArn": _STAGE_TARGET,
    },
    "disassociate_web_acl": {"ResourceArn": _STAGE_TARGET},
}
