"""Authorizers, request validators, models and gateway responses of a REST API (pure).

Created before the methods that name them; deleted (``plan_part_deletes``) after the methods
stop naming them. Returned id maps hold live ids or ``${step}`` placeholders.
"""

from __future__ import annotations

from typing import Any

from apigw_mcp.tools.engine.plan_builder import Builder
from apigw_mcp.tools.kinds.rest.live import LiveRestApi, lambda_invocation_uri
from apigw_mcp.tools.kinds.rest.plan_patch import patch_operations
from apigw_mcp.tools.kinds.rest.spec import (
    DEFAULT_TTL_SECONDS,
    GatewayResponseSpec,
    RestApiSpec,
    RestAuthorizerSpec,
)

SERVICE = "apigateway"


def _region_of(function_arn: str) -> str:
    return function_arn.split(":")[3]


def authorizer_params(spec: RestAuthorizerSpec, partition: str) -> dict[str, Any]:
    params: dict[str, Any] = {"name": spec.name, "type": spec.type}
    if spec.provider_arns:
        params["providerARNs"] = list(spec.provider_arns)
    if spec.function_arn:
        params["authorizerUri"] = lambda_invocation_uri(
            spec.function_arn, _region_of(spec.function_arn), partition
        )
    if spec.credentials:
        params["authorizerCredentials"] = spec.credentials
    if spec.identity_source:
        params["identitySource"] = spec.identity_source
    if spec.identity_validation_expression:
        params["identityValidationExpression"] = spec.identity_validation_expression
    if spec.type != "COGNITO_USER_POOLS" or spec.ttl_seconds != DEFAULT_TTL_SECONDS:
        params["authorizerResultTtlInSeconds"] = spec.ttl_seconds
    return params


def _authorizer_view(spec: RestAuthorizerSpec, partition: str) -> dict[str, str]:
    params = authorizer_params(spec, partition)
    fields = (
        "type",
        "authorizerUri",
        "authorizerCredentials",
        "identitySource",
        "identityValidationExpression",
    )
    view = {f"/{k}": str(params.get(k) or "") for k in fields}
    view["/authorizerResultTtlInSeconds"] = str(spec.ttl_seconds)
    return view


def plan_authorizers(
    b: Builder, desired: RestApiSpec, live: LiveRestApi | None, api_id: str, partition: str
) -> dict[str, str]:
    current = live.spec.authorizers if live else {}
    ids = dict(live.authorizer_ids) if live else {}
    for index, (name, spec) in enumerate(sorted(desired.authorizers.items()), start=1):
        before = current.get(name)
        if before is None:
            ids[name] = f"${{auth{index}}}"
            params = {"restApiId": api_id, **authorizer_params(spec, partition)}
            b.add(f"auth{index}", SERVICE, "create_authorizer", "create", f"authorizer {name}", params)
            b.change("+", f"authorizer {name}", "", None, spec.model_dump(exclude_defaults=True))
        elif before != spec:
            ops = patch_operations(
                _authorizer_view(before, partition),
                _authorizer_view(spec, partition),
                {"/providerARNs": (set(before.provider_arns), set(spec.provider_arns))},
            )
            params = {"restApiId": api_id, "authorizerId": ids[name], "patchOperations": ops}
            b.add(f"auth{index}", SERVICE, "update_authorizer", "update", f"authorizer {name}", params)
            b.changes(f"authorizer {name}", before.model_dump(), spec.model_dump())
    return ids


def plan_validators(
    b: Builder, desired: RestApiSpec, live: LiveRestApi | None, api_id: str
) -> dict[str, str]:
    current = live.spec.validators if live else {}
    ids = dict(live.validator_ids) if live else {}
    for index, (name, spec) in enumerate(sorted(desired.validators.items()), start=1):
        before = current.get(name)
        view = {
            "/validateRequestBody": str(spec.validate_request_body).lower(),
            "/validateRequestParameters": str(spec.validate_request_parameters).lower(),
        }
        if before is None:
            ids[name] = f"${{val{index}}}"
            params = {
                "restApiId": api_id,
                "name": name,
                "validateRequestBody": spec.validate_request_body,
                "validateRequestParameters": spec.validate_request_parameters,
            }
            b.add(f"val{index}", SERVICE, "create_request_validator", "create", f"validator {name}", params)
            b.change("+", f"validator {name}", "", None, spec.model_dump(exclude={"name"}))
        elif before != spec:
            old = {
                "/validateRequestBody": str(before.validate_request_body).lower(),
                "/validateRequestParameters": str(before.validate_request_parameters).lower(),
            }
            params = {
                "restApiId": api_id,
                "requestValidatorId": ids[name],
                "patchOperations": patch_operations(old, view),
            }
            b.add(f"val{index}", SERVICE, "update_request_validator", "update", f"validator {name}", params)
            b.changes(f"validator {name}", before.model_dump(), spec.model_dump())
    return ids


def plan_models(b: Builder, desired: RestApiSpec, live: LiveRestApi | None, api_id: str) -> None:
    current = live.spec.models if live else {}
    for index, (name, spec) in enumerate(sorted(desired.models.items()), start=1):
        before = current.get(name)
        if before is None:
            params: dict[str, Any] = {
                "restApiId": api_id,
                "name": name,
                "contentType": spec.content_type,
                "schema": spec.schema_text,
            }
            if spec.description:
                params["description"] = spec.description
            b.add(f"model{index}", SERVICE, "create_model", "create", f"model {name}", params)
            b.change("+", f"model {name}", "", None, {"content_type": spec.content_type})
        elif before != spec:
            ops = patch_operations(
                {"/schema": before.schema_text, "/description": before.description},
                {"/schema": spec.schema_text, "/description": spec.description},
            )
            params = {"restApiId": api_id, "modelName": name, "patchOperations": ops}
            b.add(f"model{index}", SERVICE, "update_model", "update", f"model {name}", params)
            b.changes(f"model {name}", before.model_dump(), spec.model_dump())


def _gateway_params(spec: GatewayResponseSpec) -> dict[str, Any]:
    params: dict[str, Any] = {"responseType": spec.type}
    if spec.status_code:
        params["statusCode"] = spec.status_code
    if spec.response_parameters:
        params["responseParameters"] = dict(spec.response_parameters)
    if spec.response_templates:
        params["responseTemplates"] = dict(spec.response_templates)
    return params


def plan_gateway_responses(b: Builder, desired: RestApiSpec, live: LiveRestApi | None, api_id: str) -> None:
    """put_gateway_response replaces the whole response, so one call serves create and update."""
    current = live.spec.gateway_responses if live else {}
    for kind, spec in sorted(desired.gateway_responses.items()):
        before = current.get(kind)
        if before == spec:
            continue
        step = f"gw_{kind.lower()}"
        b.add(
            step,
            SERVICE,
            "put_gateway_response",
            "update" if before else "create",
            f"gateway response {kind}",
            {"restApiId": api_id, **_gateway_params(spec)},
        )
        if before is None:
            b.change(
                "+",
                f"gateway response {kind}",
                "",
                None,
                spec.model_dump(exclude={"type"}, exclude_defaults=True),
            )
        else:
            b.changes(f"gateway response {kind}", before.model_dump(), spec.model_dump())
    for kind, spec in sorted(current.items()):
        if kind not in desired.gateway_responses:
            b.add(
                f"del_gw_{kind.lower()}",
                SERVICE,
                "delete_gateway_response",
                "delete",
                f"gateway response {kind}",
                {"restApiId": api_id, "responseType": kind},
            )
            b.change(
                "-", f"gateway response {kind}", "", spec.model_dump(exclude={"type"}, exclude_defaults=True)
            )


def plan_part_deletes(b: Builder, desired: RestApiSpec, live: LiveRestApi | None) -> None:
    """Authorizers, validators and models no method names any more: after the method changes."""
    if live is None:
        return
    api_id = live.api_id
    for name, authorizer_id in sorted(live.authorizer_ids.items()):
        if name not in desired.authorizers:
            b.add(
                f"del_auth_{authorizer_id}",
                SERVICE,
                "delete_authorizer",
                "delete",
                f"authorizer {name}",
                {"restApiId": api_id, "authorizerId": authorizer_id},
            )
            b.change(
                "-", f"authorizer {name}", "", live.spec.authorizers[name].model_dump(exclude_defaults=True)
            )
    for name, validator_id in sorted(live.validator_ids.items()):
        if name not in desired.validators:
            b.add(
                f"del_val_{validator_id}",
                SERVICE,
                "delete_request_validator",
                "delete",
                f"validator {name}",
                {"restApiId": api_id, "requestValidatorId": validator_id},
            )
            b.change("-", f"validator {name}")
    for index, name in enumerate(sorted(set(live.spec.models) - set(desired.models)), start=1):
        b.add(
            f"del_model{index}",
            SERVICE,
            "delete_model",
            "delete",
            f"model {name}",
            {"restApiId": api_id, "modelName": name},
        )
        b.change("-", f"model {name}")
