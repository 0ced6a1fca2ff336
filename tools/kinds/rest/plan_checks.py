"""What AWS rejects in a REST API spec (and moto accepts), refused before any plan is shown.

Every refusal is a BadInput naming the field path, so the user can fix the argument.
"""

from __future__ import annotations

import json
import re
from typing import Any

from apigw_mcp.tools.engine.errors import BadInput
from apigw_mcp.tools.engine.netcheck import url_refusal
from apigw_mcp.tools.engine.validate import GATEWAY_RESPONSE_TYPES
from apigw_mcp.tools.kinds.rest.live import canonical_policy
from apigw_mcp.tools.kinds.rest.spec import (
    BUILTIN_MODELS,
    RestApiSpec,
    RestAuthorizerSpec,
    RestIntegrationSpec,
    RestMethodSpec,
)
from apigw_mcp.tools.kinds.rest.stage_spec import ALL_METHODS, RestStageSpec, split_method_key

MAX_RESOURCES = 300
_VARIABLE = re.compile(r"\{[A-Za-z0-9_-]+\+?\}")
_LAMBDA = re.compile(r"arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+(:[A-Za-z0-9_$-]+)?")


def route_tree(route_keys: list[str]) -> list[str]:
    """Every resource path the routes need, parents first; refuses duplicates and variable siblings."""
    seen: dict[tuple[str, str], int] = {}
    variable_child: dict[str, tuple[str, int]] = {}
    paths = {"/"}
    for index, key in enumerate(route_keys):
        verb, _, path = key.partition(" ")
        if (verb, path) in seen:
            raise BadInput(f"routes[{index}].route_key", f"{key!r} duplicates routes[{seen[verb, path]}]")
        seen[verb, path] = index
        parent = ""
        for part in path.strip("/").split("/") if path != "/" else []:
            child = f"{parent}/{part}"
            parent_path = parent or "/"
            if _VARIABLE.fullmatch(part):
                other, where = variable_child.setdefault(parent_path, (part, index))
                if other != part:
                    raise BadInput(
                        f"routes[{index}].route_key",
                        f"{part} next to {other} (routes[{where}]) under {parent_path}: "
                        "a resource has at most one variable child ({name} or {proxy+})",
                    )
            paths.add(child)
            parent = child
    if len(paths) > MAX_RESOURCES:
        raise BadInput("routes", f"{len(paths)} resources exceed the quota of {MAX_RESOURCES} per REST API")
    return sorted(paths, key=lambda p: (p.count("/") if p != "/" else 0, p))


def private_policy(vpc_endpoint_ids: list[str]) -> dict[str, Any]:
    """AWS's documented private API policy: invoke only through the given VPC endpoints."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "execute-api:Invoke",
                "Resource": "execute-api:/*",
                "Condition": {"StringNotEquals": {"aws:sourceVpce": sorted(set(vpc_endpoint_ids))}},
            },
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "execute-api:Invoke",
                "Resource": "execute-api:/*",
            },
        ],
    }


def policy_text(policy: str | None, endpoint_type: str, vpc_endpoint_ids: list[str]) -> str | None:
    """The resource policy as canonical JSON; a PRIVATE API without one gets the VPC endpoint policy."""
    if endpoint_type != "PRIVATE" and vpc_endpoint_ids:
        raise BadInput("vpc_endpoint_ids", "VPC endpoints apply to PRIVATE APIs only")
    if endpoint_type == "PRIVATE" and not vpc_endpoint_ids and policy is None:
        raise BadInput("vpc_endpoint_ids", "a PRIVATE API needs VPC endpoint ids or a resource policy")
    if policy is None:
        return canonical_policy(json.dumps(private_policy(vpc_endpoint_ids))) if vpc_endpoint_ids else None
    try:
        document = json.loads(policy)
    except json.JSONDecodeError as error:
        raise BadInput("policy", f"not valid JSON ({error.msg} at line {error.lineno})") from None
    statements = document.get("Statement") if isinstance(document, dict) else None
    if not isinstance(statements, list) or not statements or not all(isinstance(s, dict) for s in statements):
        raise BadInput("policy", "a resource policy is an object with a non-empty Statement list")
    for index, statement in enumerate(statements):
        if statement.get("Effect") not in ("Allow", "Deny") or "Action" not in statement:
            raise BadInput(f"policy.Statement[{index}]", "each statement needs Effect Allow|Deny and Action")
    return canonical_policy(policy)


def policy_warnings(policy: str | None) -> list[str]:
    """An Allow to everyone with no Condition, unless a conditioned Deny narrows it (the private pattern)."""
    if not policy:
        return []
    statements = json.loads(policy).get("Statement", [])
    narrowed = any(s.get("Effect") == "Deny" and s.get("Condition") for s in statements)
    open_allows = [
        s
        for s in statements
        if s.get("Effect") == "Allow" and _everyone(s.get("Principal")) and not s.get("Condition")
    ]
    if open_allows and not narrowed:
        return ["The resource policy allows Principal '*' with no Condition: anyone may invoke the API."]
    return []


def _everyone(principal: Any) -> bool:
    return principal == "*" or (isinstance(principal, dict) and principal.get("AWS") in ("*", ["*"]))


def check_rest_spec(spec: RestApiSpec) -> None:
    """Refuses what AWS would reject in ``spec``; the BadInput names the spec field."""
    if spec.endpoint_type == "PRIVATE" and not spec.policy:
        raise BadInput("policy", "a PRIVATE API needs a resource policy")
    for name, authorizer in spec.authorizers.items():
        _check_authorizer(f"authorizers[{name!r}]", authorizer)
    for kind in spec.gateway_responses:
        if kind not in GATEWAY_RESPONSE_TYPES:
            raise BadInput(f"gateway_responses[{kind!r}]", f"{kind!r} is not a gateway response type")
    for path, resource in spec.resources.items():
        for verb, method in resource.methods.items():
            _check_method(f"resources[{path!r}].methods.{verb}", method, spec)
    for stage in spec.stages:
        _check_stage_methods(stage, spec)


def _check_stage_methods(stage: RestStageSpec, spec: RestApiSpec) -> None:
    """Per-method settings (throttling, caching) must name a method the API has."""
    for key in stage.method_settings:
        path, verb = split_method_key(key)
        methods = spec.resources[path].methods if path in spec.resources else {}
        if key != ALL_METHODS and not (verb in methods or "ANY" in methods or (verb == "*" and methods)):
            raise BadInput(
                f"stages[{stage.name!r}].method_settings.{key}", f"the API has no method {verb} {path}"
            )


def _check_authorizer(field: str, spec: RestAuthorizerSpec) -> None:
    if spec.type == "COGNITO_USER_POOLS" and not spec.provider_arns:
        raise BadInput(f"{field}.provider_arns", "a COGNITO_USER_POOLS authorizer needs user pool ARNs")
    if spec.type in ("TOKEN", "REQUEST") and not spec.function_arn:
        raise BadInput(f"{field}.function_arn", f"a {spec.type} authorizer needs a Lambda function")
    if spec.type == "TOKEN" and not spec.identity_source:
        raise BadInput(f"{field}.identity_source", "a TOKEN authorizer needs a header identity source")
    if not 0 <= spec.ttl_seconds <= 3600:
        raise BadInput(f"{field}.ttl_seconds", "must be 0 to 3600")


def _check_method(field: str, method: RestMethodSpec, spec: RestApiSpec) -> None:
    if method.authorization in ("CUSTOM", "COGNITO_USER_POOLS"):
        found = spec.authorizers.get(method.authorizer or "")
        wanted = (
            ("COGNITO_USER_POOLS",) if method.authorization == "COGNITO_USER_POOLS" else ("TOKEN", "REQUEST")
        )
        if found is None or found.type not in wanted:
            raise BadInput(
                f"{field}.authorizer", f"{method.authorization} needs a known {'/'.join(wanted)} authorizer"
            )
    if method.request_validator and method.request_validator not in spec.validators:
        raise BadInput(f"{field}.request_validator", f"no request validator {method.request_validator!r}")
    for content_type, model in method.request_models.items():
        if model not in spec.models and model not in BUILTIN_MODELS:
            raise BadInput(f"{field}.request_models.{content_type}", f"no model {model!r}")
    if method.integration is not None:
        _check_integration(f"{field}.integration", method.integration, method)
        _check_responses(f"{field}.integration.responses", method.integration, method)


def _check_integration(field: str, integration: RestIntegrationSpec, method: RestMethodSpec) -> None:
    if not 50 <= integration.timeout_ms <= 29000:
        raise BadInput(f"{field}.timeout_ms", "must be 50 to 29000 ms")
    if integration.type == "AWS_PROXY" and not _LAMBDA.fullmatch(integration.uri or ""):
        raise BadInput(f"{field}.uri", "AWS_PROXY integrations invoke Lambda functions only")
    refusal = url_refusal(integration.uri or "") if integration.type in ("HTTP", "HTTP_PROXY") else None
    if refusal:  # the same rule as the tools' URL arguments, for specs that come from undo records too
        raise BadInput(f"{field}.uri", refusal)
    for target, source in integration.request_parameters.items():
        if source.startswith("method.request.") and source not in method.request_parameters:
            raise BadInput(
                f"{field}.request_parameters.{target}",
                f"{source} is not declared in the method's request_parameters",
            )


def _check_responses(field: str, integration: RestIntegrationSpec, method: RestMethodSpec) -> None:
    """One default response at most, and each integration response backed by a method response."""
    defaults = [r.status_code for r in integration.responses if not r.selection_pattern]
    if len(defaults) > 1:
        raise BadInput(
            field,
            f"{', '.join(defaults)} have no selection_pattern: only one response may be the default",
        )
    declared = {r.status_code: r for r in method.responses}
    for response in integration.responses:
        matching = declared.get(response.status_code)
        if matching is None:
            raise BadInput(
                f"{field}.{response.status_code}",
                "an integration response needs a method response with the same status code",
            )
        for header in response.response_parameters:
            if header not in matching.response_parameters:
                raise BadInput(
                    f"{field}.{response.status_code}.response_parameters",
                    f"{header} is not declared in the method response",
                )
