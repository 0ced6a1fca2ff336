"""Read raw apigateway (REST) responses, camelCase as AWS returns them, into the spec (pure).

``raw`` holds: ``api`` (get_rest_api), ``resources`` (get_resources with embed=methods),
``authorizers``, ``validators``, ``models``, ``gateway_responses`` (their ``items``) and ``tags``.
"""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import BaseModel, Field

from apigw_mcp.tools.engine.scope import MANAGED_TAG, is_managed
from apigw_mcp.tools.kinds.rest.spec import (
    BUILTIN_MODELS,
    DEFAULT_PASSTHROUGH,
    DEFAULT_TIMEOUT_MS,
    DEFAULT_TTL_SECONDS,
    GatewayResponseSpec,
    IntegrationResponseSpec,
    MethodResponseSpec,
    ModelSpec,
    RequestValidatorSpec,
    RestApiSpec,
    RestAuthorizerSpec,
    RestIntegrationSpec,
    RestMethodSpec,
    RestResourceSpec,
)

_LAMBDA_URI = re.compile(
    r"arn:[a-z-]+:apigateway:[a-z0-9-]+:lambda:path/2015-03-31/functions/(.+)/invocations"
)


# What AWS reports for a gateway response put without templates: treated as none given.
DEFAULT_GATEWAY_TEMPLATES = {"application/json": '{"message":$context.error.messageString}'}


class LiveRestApi(BaseModel):
    """A live REST API: its spec plus the ids a plan needs to address its parts."""

    api_id: str
    root_resource_id: str
    managed: bool
    spec: RestApiSpec
    resource_ids: dict[str, str] = Field(default_factory=dict)
    authorizer_ids: dict[str, str] = Field(default_factory=dict)
    validator_ids: dict[str, str] = Field(default_factory=dict)


def lambda_invocation_uri(function_arn: str, region: str, partition: str = "aws") -> str:
    return f"arn:{partition}:apigateway:{region}:lambda:path/2015-03-31/functions/{function_arn}/invocations"


def function_of(uri: str | None) -> str | None:
    """The Lambda ARN inside an invocation URI, or None."""
    match = _LAMBDA_URI.fullmatch(uri or "")
    return match.group(1) if match else None


def canonical_policy(text: str | None, api_id: str = "") -> str | None:
    """Policy JSON with sorted keys; AWS returns it with escaped quotes and ``execute-api:/`` expanded."""
    if not text:
        return None
    try:
        document = json.loads(text)
    except json.JSONDecodeError:
        document = json.loads(text.replace('\\"', '"').replace("\\\\", "\\"))
    flat = json.dumps(document, sort_keys=True, separators=(",", ":"))
    if api_id:
        flat = re.sub(
            rf"arn:[a-z-]+:execute-api:[a-z0-9-]+:\d{{12}}:{re.escape(api_id)}/", "execute-api:/", flat
        )
    return flat


def live_rest_api(raw: dict[str, Any]) -> LiveRestApi:
    api = raw["api"]
    authorizers = raw.get("authorizers") or []
    validators = raw.get("validators") or []
    auth_names = {a["id"]: a["name"] for a in authorizers}
    validator_names = {v["id"]: v["name"] for v in validators}
    resources = raw.get("resources") or []
    all_tags = dict(raw.get("tags") or api.get("tags") or {})
    endpoint = api.get("endpointConfiguration") or {}
    spec = RestApiSpec(
        name=api["name"],
        description=api.get("description") or "",
        endpoint_type=(endpoint.get("types") or ["EDGE"])[0],
        vpc_endpoint_ids=tuple(sorted(endpoint.get("vpcEndpointIds") or ())),
        binary_media_types=tuple(sorted(t for t in api.get("binaryMediaTypes") or () if t)),
        disable_execute_api_endpoint=bool(api.get("disableExecuteApiEndpoint")),
        policy=canonical_policy(api.get("policy"), api["id"]),
        api_key_source=api.get("apiKeySource") or "HEADER",
        tags={k: v for k, v in all_tags.items() if k != MANAGED_TAG},
        resources={r["path"]: _resource(r, auth_names, validator_names) for r in resources},
        authorizers={a["name"]: _authorizer(a) for a in authorizers},
        validators={v["name"]: _validator(v) for v in validators},
        models={m["name"]: _model(m) for m in raw.get("models") or [] if m["name"] not in BUILTIN_MODELS},
        gateway_responses={
            g["responseType"]: _gateway_response(g)
            for g in raw.get("gateway_responses") or []
            if not g.get("defaultResponse")
        },
    )
    root = next((r["id"] for r in resources if r["path"] == "/"), api.get("rootResourceId", ""))
    return LiveRestApi(
        api_id=api["id"],
        root_resource_id=root,
        managed=is_managed(all_tags),
        spec=spec,
        resource_ids={r["path"]: r["id"] for r in resources},
        authorizer_ids={name: aid for aid, name in auth_names.items()},
        validator_ids={name: vid for vid, name in validator_names.items()},
    )


def _resource(
    raw: dict[str, Any], auth_names: dict[str, str], validators: dict[str, str]
) -> RestResourceSpec:
    methods = raw.get("resourceMethods") or {}
    return RestResourceSpec(
        path=raw["path"],
        methods={verb: _method(m, auth_names, validators) for verb, m in methods.items()},
    )


def _method(raw: dict[str, Any], auth_names: dict[str, str], validators: dict[str, str]) -> RestMethodSpec:
    kind = raw.get("authorizationType") or "NONE"
    authorizer_id = raw.get("authorizerId")
    validator_id = raw.get("requestValidatorId")
    integration = raw.get("methodIntegration")
    return RestMethodSpec.model_validate(
        dict(
            authorization=kind,
            authorizer=auth_names.get(authorizer_id, authorizer_id) if authorizer_id else None,
            scopes=tuple(sorted(raw.get("authorizationScopes") or ())),
            api_key_required=bool(raw.get("apiKeyRequired")),
            request_parameters=dict(raw.get("requestParameters") or {}),
            request_validator=validators.get(validator_id, validator_id) if validator_id else None,
            request_models=dict(raw.get("requestModels") or {}),
            responses=[
                MethodResponseSpec(
                    status_code=code,
                    response_parameters=dict(r.get("responseParameters") or {}),
                    response_models=dict(r.get("responseModels") or {}),
                )
                for code, r in sorted((raw.get("methodResponses") or {}).items())
            ],
            integration=_integration(integration) if integration else None,
        )
    )


def _integration(raw: dict[str, Any]) -> RestIntegrationSpec:
    function = function_of(raw.get("uri"))
    return RestIntegrationSpec(
        type=raw["type"],
        uri=function or raw.get("uri"),
        integration_http_method=None if raw["type"] == "MOCK" else raw.get("httpMethod"),
        credentials=raw.get("credentials"),
        timeout_ms=raw.get("timeoutInMillis") or DEFAULT_TIMEOUT_MS,
        request_templates=_present(raw.get("requestTemplates")),
        request_parameters=dict(raw.get("requestParameters") or {}),
        passthrough_behavior=raw.get("passthroughBehavior") or DEFAULT_PASSTHROUGH,
        content_handling=raw.get("contentHandling"),
        cache_key_parameters=tuple(sorted(raw.get("cacheKeyParameters") or ())),
        responses=[
            IntegrationResponseSpec(
                status_code=code,
                selection_pattern=r.get("selectionPattern") or None,
                response_parameters=dict(r.get("responseParameters") or {}),
                response_templates=_present(r.get("responseTemplates")),
            )
            for code, r in sorted((raw.get("integrationResponses") or {}).items())
        ],
    )


def _authorizer(raw: dict[str, Any]) -> RestAuthorizerSpec:
    ttl = raw.get("authorizerResultTtlInSeconds")
    return RestAuthorizerSpec(
        name=raw["name"],
        type=raw["type"],
        provider_arns=tuple(sorted(raw.get("providerARNs") or ())),
        function_arn=function_of(raw.get("authorizerUri")),
        identity_source=raw.get("identitySource"),
        identity_validation_expression=raw.get("identityValidationExpression") or None,
        ttl_seconds=DEFAULT_TTL_SECONDS if ttl is None else ttl,
        credentials=raw.get("authorizerCredentials"),
    )


def _validator(raw: dict[str, Any]) -> RequestValidatorSpec:
    return RequestValidatorSpec(
        name=raw["name"],
        validate_request_body=bool(raw.get("validateRequestBody")),
        validate_request_parameters=bool(raw.get("validateRequestParameters")),
    )


def _model(raw: dict[str, Any]) -> ModelSpec:
    return ModelSpec(
        name=raw["name"],
        content_type=raw.get("contentType") or "application/json",
        schema=raw.get("schema") or "",
        description=raw.get("description") or "",
    )


def _gateway_response(raw: dict[str, Any]) -> GatewayResponseSpec:
    return GatewayResponseSpec(
        type=raw["responseType"],
        status_code=raw.get("statusCode"),
        response_parameters=dict(raw.get("responseParameters") or {}),
        response_templates=_templates(raw.get("responseTemplates")),
    )


def _present(raw: dict[str, str | None] | None) -> dict[str, str]:
    """Templates without the ``null`` entries AWS reports for a content type given no template."""
    return {k: v for k, v in (raw or {}).items() if v is not None}


def _templates(raw: dict[str, str | None] | None) -> dict[str, str]:
    templates = _present(raw)
    return {} if templates == DEFAULT_GATEWAY_TEMPLATES else templates
