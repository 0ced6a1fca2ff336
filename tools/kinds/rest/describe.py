"""A REST API as describe_api shows it: compact, one line per route, what each stage serves (pure).

Routes read like an HTTP API's (``"GET /orders": "lambda:fn | COGNITO users"``); CORS preflight
methods are summed up under ``cors`` instead of listed, so a route list shows what callers call.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from apigw_mcp.tools.engine.redact import redact
from apigw_mcp.tools.kinds.http.cors import Cors
from apigw_mcp.tools.kinds.rest.live import LiveRestApi
from apigw_mcp.tools.kinds.rest.plan_cors import ALL_METHODS as EVERY_METHOD
from apigw_mcp.tools.kinds.rest.plan_cors import DEFAULT_HEADERS, strip_cors
from apigw_mcp.tools.kinds.rest.spec import (
    DEFAULT_TIMEOUT_MS,
    RestApiSpec,
    RestAuthorizerSpec,
    RestMethodSpec,
)
from apigw_mcp.tools.kinds.rest.stage_live import LiveRestStage
from apigw_mcp.tools.kinds.rest.stage_spec import ALL_METHODS, RestStageSpec, split_method_key

_AUTH_LABELS = {"COGNITO_USER_POOLS": "COGNITO", "CUSTOM": "CUSTOM"}


class RestAuthorizerView(BaseModel):
    name: str
    type: str
    identity_source: str | None = None
    function: str | None = None
    user_pools: list[str] | None = None
    ttl: int | None = None


class RestStageView(BaseModel):
    name: str
    url: str
    deployment: str | None = None
    throttle: str | None = None
    method_throttle: dict[str, str] | None = None
    cache: str | None = None
    logging: str | None = None
    access_log: str | None = None
    tracing: bool | None = None
    canary: str | None = None
    web_acl: str | None = None
    variables: dict[str, str] | None = None


class RestApiDescription(BaseModel):
    api_id: str
    name: str
    type: str
    endpoint_type: str
    endpoint: str
    managed: bool
    description: str | None = None
    default_endpoint_disabled: bool | None = None
    tags: dict[str, str] | None = None
    cors: dict[str, Any] | None = None
    routes: dict[str, str]
    routes_total: int | None = None
    authorizers: list[RestAuthorizerView] | None = None
    stages: list[RestStageView]
    gateway_responses: list[str] | None = None


def describe_rest(
    api: LiveRestApi,
    stages: list[LiveRestStage],
    region: str,
    routes_matching: str | None = None,
    max_routes: int = 30,
) -> RestApiDescription:
    """The API's compact view; at most ``max_routes`` routes, those whose key contains ``routes_matching``."""
    spec = api.spec
    endpoint = f"https://{api.api_id}.execute-api.{region}.amazonaws.com"
    routes = _routes(strip_cors(spec))
    shown = {k: v for k, v in routes.items() if not routes_matching or routes_matching.lower() in k.lower()}
    return RestApiDescription(
        api_id=api.api_id,
        name=spec.name,
        type="REST",
        endpoint_type=spec.endpoint_type,
        endpoint=endpoint,
        managed=api.managed,
        description=spec.description or None,
        default_endpoint_disabled=spec.disable_execute_api_endpoint or None,
        tags=spec.tags or None,
        cors=cors.to_aws() if (cors := cors_of(spec)) else None,
        routes=dict(list(shown.items())[:max_routes]),
        routes_total=len(routes) if len(shown) > max_routes or routes_matching else None,
        authorizers=[_authorizer(a) for _, a in sorted(spec.authorizers.items())] or None,
        stages=[_stage(s, endpoint) for s in stages],
        gateway_responses=sorted(spec.gateway_responses) or None,
    )


def _routes(spec: RestApiSpec) -> dict[str, str]:
    return {
        f"{verb} {path}": _label(method)
        for path, resource in sorted(spec.resources.items())
        for verb, method in sorted(resource.methods.items())
    }


def _label(method: RestMethodSpec) -> str:
    integration = method.integration
    target = integration.label() if integration else "no integration"
    if integration and integration.timeout_ms != DEFAULT_TIMEOUT_MS:
        target += f" {integration.timeout_ms}ms"
    auth: str = method.authorization
    if auth in _AUTH_LABELS:  # AWS ignores an authorizer id left on a NONE or AWS_IAM method
        auth = f"{_AUTH_LABELS[auth]} {method.authorizer}"
        auth += f" [{' '.join(method.scopes)}]" if method.scopes else ""
    auth += " +api key" if method.api_key_required else ""
    return target if auth == "NONE" else f"{target} | {auth.removeprefix('NONE ')}"


def cors_of(spec: RestApiSpec) -> Cors | None:
    """The CORS settings the API's preflight methods and gateway responses answer (None: no preflight);
    ``plan_cors.with_cors`` of the result writes them back unchanged."""
    bare = strip_cors(spec)
    preflights = {
        path: _quoted_headers(r.methods["OPTIONS"])
        for path, r in sorted(spec.resources.items())
        if "OPTIONS" in r.methods and "OPTIONS" not in bare.resources[path].methods
    }
    if not preflights:
        return None
    first = next(iter(preflights.values()))
    gateway = spec.gateway_responses.get("DEFAULT_4XX")
    expose = _unquoted(gateway.response_parameters if gateway else {}).get("Expose-Headers")
    headers = first.get("Allow-Headers", DEFAULT_HEADERS)
    fields = {
        "allow_origins": [first["Allow-Origin"]],
        "allow_methods": _methods_allowed(bare, preflights),
        "allow_headers": [] if headers == DEFAULT_HEADERS else headers.split(","),
        "expose_headers": expose.split(",") if expose else [],
        "max_age": int(first["Max-Age"]) if "Max-Age" in first else None,
        "allow_credentials": "Allow-Credentials" in first,
    }
    return Cors.model_validate(fields)


def _methods_allowed(bare: RestApiSpec, preflights: dict[str, dict[str, str]]) -> list[str]:
    """``*`` when every preflight allows just its resource's methods, else the methods the first allows."""
    wildcard = all(
        headers.get("Allow-Methods", "").split(",") == _own_methods(set(bare.resources[path].methods))
        for path, headers in preflights.items()
    )
    first = next(iter(preflights.values())).get("Allow-Methods", "")
    return ["*"] if wildcard else [m for m in first.split(",") if m != "OPTIONS"]


def _own_methods(verbs: set[str]) -> list[str]:
    return list(EVERY_METHOD) if "ANY" in verbs else sorted(verbs | {"OPTIONS"})


def _quoted_headers(method: RestMethodSpec) -> dict[str, str]:
    integration = method.integration
    responses = integration.responses if integration else []
    return _unquoted(responses[0].response_parameters if responses else {})


def _unquoted(parameters: dict[str, str]) -> dict[str, str]:
    """``{"...header.Access-Control-Allow-Origin": "'x'"}`` -> ``{"Allow-Origin": "x"}``."""
    return {
        k.rsplit(".", 1)[-1].removeprefix("Access-Control-"): v.strip("'")
        for k, v in parameters.items()
        if ".Access-Control-" in k
    }


def _authorizer(authorizer: RestAuthorizerSpec) -> RestAuthorizerView:
    function = authorizer.function_arn
    return RestAuthorizerView(
        name=authorizer.name,
        type=authorizer.type,
        identity_source=authorizer.identity_source,
        function=function.split(":function:")[-1] if function else None,
        user_pools=[arn.rsplit("/", 1)[-1] for arn in authorizer.provider_arns] or None,
        ttl=authorizer.ttl_seconds if authorizer.type != "COGNITO_USER_POOLS" else None,
    )


def _stage(stage: LiveRestStage, endpoint: str) -> RestStageView:
    spec = stage.spec
    throttles = {
        _route_of(key): _limits(s.throttling_burst_limit, s.throttling_rate_limit)
        for key, s in sorted(spec.method_settings.items())
        if key != ALL_METHODS and (s.throttling_burst_limit, s.throttling_rate_limit) != (None, None)
    }
    canary = spec.canary
    return RestStageView(
        name=spec.name,
        url=f"{endpoint}/{spec.name}",
        deployment=stage.deployment_id or None,
        throttle=_limits(spec.throttle.burst_limit, spec.throttle.rate_limit) if spec.throttle else None,
        method_throttle=throttles or None,
        cache=_cache(spec),
        logging=None if spec.stage_logging() == "OFF" else spec.stage_logging(),
        access_log=spec.access_log.destination_arn if spec.access_log else None,
        tracing=spec.tracing_enabled or None,
        canary=f"{canary.percent_traffic}% -> {canary.deployment_id}" if canary else None,
        web_acl=spec.web_acl_arn.rsplit("/", 2)[-2] if spec.web_acl_arn else None,
        variables=redact(spec.variables) or None,
    )


def _cache(spec: RestStageSpec) -> str | None:
    """``0.5 GB: GET /orders 300s, ...``: the cluster and the methods that cache."""
    if not spec.cache_cluster_enabled:
        return None
    cached = [
        f"{_route_of(key)} {s.cache_ttl_seconds}s"
        for key, s in sorted(spec.method_settings.items())
        if s.caching_enabled
    ]
    return f"{spec.cache_cluster_size or '?'} GB" + (
        f": {', '.join(cached)}" if cached else ": no method caches"
    )


def _route_of(key: str) -> str:
    path, verb = split_method_key(key)
    return "*" if key == ALL_METHODS else f"{verb} {path}"


def _limits(burst: int | None, rate: float | None) -> str:
    return f"burst {burst}, rate {rate}/s"
