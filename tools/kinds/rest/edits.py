"""The route, CORS and authorizer intents on a REST API: the live spec into the desired one (pure).

The intents take the arguments HTTP APIs take (``RouteInput``, ``RouteUpdate``, ``Cors``, the
authorizer fields) and do the REST thing: a route is a method on a resource path, a Lambda
backend an ``AWS_PROXY`` integration, a URL an ``HTTP_PROXY`` one, a Cognito issuer a
``COGNITO_USER_POOLS`` authorizer. An argument with no REST meaning is refused naming it.
"""

from __future__ import annotations

import re

from apigw_mcp.tools.engine.errors import BadInput
from apigw_mcp.tools.engine.validate import partition_of, route_key
from apigw_mcp.tools.kinds.http.cors import Cors
from apigw_mcp.tools.kinds.http.edits import RouteUpdate
from apigw_mcp.tools.kinds.http.inputs import RouteInput
from apigw_mcp.tools.kinds.rest.describe import cors_of
from apigw_mcp.tools.kinds.rest.inputs import RestAuthorizerInput
from apigw_mcp.tools.kinds.rest.live import LiveRestApi
from apigw_mcp.tools.kinds.rest.plan_checks import route_tree
from apigw_mcp.tools.kinds.rest.plan_cors import strip_cors, with_cors
from apigw_mcp.tools.kinds.rest.plan_resources import parent_of
from apigw_mcp.tools.kinds.rest.route_inputs import RestRouteInput, method_spec
from apigw_mcp.tools.kinds.rest.spec import (
    DEFAULT_TIMEOUT_MS,
    RestApiSpec,
    RestAuthorizerSpec,
    RestMethodSpec,
    RestResourceSpec,
)

_POOL_ID = r"[a-z]{2}(?:-[a-z]+)+-\d_[0-9A-Za-z]+"
_COGNITO_ISSUER = re.compile(rf"https://cognito-idp\.[a-z0-9-]+\.amazonaws\.com/({_POOL_ID})")
_HTTP_SOURCE = re.compile(r"\$(request\.header|request\.querystring|context|stageVariables)\.(.+)")


def add_route(live: LiveRestApi, route: RouteInput, region: str) -> RestApiSpec:
    """The method ``route`` names, created with its parent resources; the same route again changes nothing."""
    verb, path = _split(route.route_key, "route.route_key")
    method = _method(_rest_route(route, "route"), "route", path, region, live.spec.authorizers)
    if route.url and route.http_method != "ANY":  # HTTP APIs' ANY: the route's own verb
        method = _with_http_method(method, route.http_method, "route.http_method")
    existing = _methods(live.spec, path).get(verb)
    if existing is not None and existing != method:
        raise BadInput(
            "route.route_key", f"{route.route_key!r} exists with another backend or auth; use update_route"
        )
    _check_tree(live.spec, verb, path)
    resources = {
        p: live.spec.resources.get(p) or RestResourceSpec(path=p) for p in route_tree([f"{verb} {path}"])
    }
    resources[path] = resources[path].model_copy(
        update={"methods": {**resources[path].methods, verb: method}}
    )
    return _cors_kept(
        live.spec, live.spec.model_copy(update={"resources": {**live.spec.resources, **resources}})
    )


def update_route(live: LiveRestApi, key: str, change: RouteUpdate, region: str) -> RestApiSpec:
    """The method at ``key`` with the fields given changed; a new backend replaces its integration."""
    verb, path = _split(key, "route_key")
    current = _existing(live.spec, verb, path, "route_key")
    if change.integration_id is not None:
        raise BadInput("change.integration_id", _NO_SHARED)
    _check_payload(change.payload_format_version, "change.payload_format_version")
    updated = current
    if change.lambda_arn is not None or change.url is not None:
        backend = {"lambda_arn": change.lambda_arn, "url": change.url}
        given = RouteInput.model_validate({"route_key": f"{verb} {path}", **backend})
        fresh = _method(_rest_route(given, "change"), "change", path, region, {})
        kept = updated.request_parameters | fresh.request_parameters
        parts = {"integration": fresh.integration, "responses": fresh.responses, "request_parameters": kept}
        updated = updated.model_copy(update=parts)
    updated = _with_integration_fields(updated, change)
    if change.auth is not None or change.scopes is not None:
        auth = change.auth if change.auth is not None else (current.authorizer or current.authorization)
        kept_scopes = list(current.scopes) if change.auth in (None, current.authorizer) else []
        scopes = change.scopes if change.scopes is not None else kept_scopes
        updated = updated.model_copy(update=_auth(auth, scopes, "change", live.spec.authorizers))
    return _cors_kept(live.spec, _put_method(live.spec, path, verb, updated))


def delete_route(live: LiveRestApi, key: str) -> RestApiSpec:
    """Without the method at ``key``; resources left with no methods (bar a CORS preflight) and no
    children go too, up the tree."""
    verb, path = _split(key, "route_key")
    _existing(live.spec, verb, path, "route_key")
    resources = dict(live.spec.resources)
    methods = {v: m for v, m in resources[path].methods.items() if v != verb}
    resources[path] = resources[path].model_copy(update={"methods": methods})
    while path != "/" and _unused(resources, path):
        del resources[path]
        path = parent_of(path)
    return _cors_kept(live.spec, live.spec.model_copy(update={"resources": resources}))


def configure_cors(live: LiveRestApi, cors: Cors | None) -> RestApiSpec:
    return with_cors(live.spec, cors)


def add_lambda_authorizer(
    live: LiveRestApi,
    name: str,
    function_arn: str,
    routes: list[str],
    ttl_seconds: int,
    identity_source: list[str] | None,
) -> RestApiSpec:
    """A REQUEST authorizer (the function gets the request's headers, query, context) on ``routes``."""
    sources = [_rest_source(s, f"identity_source.{i}") for i, s in enumerate(identity_source or [])]
    authorizer = RestAuthorizerInput.model_validate(
        {
            "name": name,
            "lambda_arn": function_arn,
            "type": "REQUEST",
            "identity_sources": sources or ["method.request.header.Authorization"],
            "ttl_seconds": ttl_seconds,
        }
    )
    return _attach(live.spec, authorizer.spec(), routes, [])


def add_jwt_authorizer(
    live: LiveRestApi,
    name: str,
    routes: list[str],
    issuer: str,
    cognito_user_pool_id: str,
    identity_source: str,
    scopes: list[str],
    account: str,
) -> RestApiSpec:
    """A Cognito user pool (by id, or by its issuer URL) becomes a COGNITO_USER_POOLS authorizer."""
    pool_id = _pool_id(issuer, cognito_user_pool_id)
    region = pool_id.split("_")[0]
    arn = f"arn:{partition_of(region)}:cognito-idp:{region}:{account}:userpool/{pool_id}"
    source = _rest_source(identity_source, "identity_source")
    if not source.startswith("method.request.header."):
        raise BadInput("identity_source", "a Cognito authorizer reads one header: $request.header.NAME")
    authorizer = RestAuthorizerInput.model_validate(
        {"name": name, "cognito_user_pool_arns": [arn], "identity_sources": [source]}
    )
    return _attach(live.spec, authorizer.spec(), routes, scopes)


_NO_SHARED = "REST APIs have no shared integrations: give lambda_arn or url"


def _cors_kept(live: RestApiSpec, edited: RestApiSpec) -> RestApiSpec:
    """With CORS on, a new resource gets its preflight and each preflight allows its resource's methods."""
    cors = cors_of(live)
    return with_cors(edited, cors) if cors else edited


def _pool_id(issuer: str, given: str) -> str:
    """The user pool ``cognito_user_pool_id`` or the issuer names (both given: the same one)."""
    if given and not re.fullmatch(_POOL_ID, given):
        raise BadInput(
            "cognito_user_pool_id", f"{given!r} is not a user pool id (REGION_ID: us-east-1_Abc123)"
        )
    named = _pool_of_issuer(issuer) if issuer or not given else given
    if given and named != given:
        raise BadInput("issuer", f"names pool {named}, cognito_user_pool_id {given}: give one of them")
    return named


def _pool_of_issuer(issuer: str) -> str:
    found = _COGNITO_ISSUER.fullmatch(issuer.rstrip("/"))
    if found is None:
        raise BadInput(
            "issuer",
            "this server builds Cognito user pool authorizers on REST APIs (issuer "
            "https://cognito-idp.REGION.amazonaws.com/POOL_ID or cognito_user_pool_id); for another "
            "issuer use add_lambda_authorizer to verify the JWT, or an HTTP API",
        )
    return found.group(1)


def _rest_source(source: str, field: str) -> str:
    """``$request.header.X`` (HTTP APIs' form) as ``method.request.header.X``; REST's own forms as given."""
    found = _HTTP_SOURCE.fullmatch(source)
    if found is None:
        return source
    prefix = {"request.header": "method.request.header", "request.querystring": "method.request.querystring"}
    head = prefix.get(found.group(1), found.group(1))
    if "." in found.group(2) or not found.group(2):
        raise BadInput(field, f"{source!r}: name one header, query string, context or stage variable")
    return f"{head}.{found.group(2)}"


def _attach(
    spec: RestApiSpec, authorizer: RestAuthorizerSpec, routes: list[str], scopes: list[str]
) -> RestApiSpec:
    authorizers = {**spec.authorizers, authorizer.name: authorizer}
    updated = spec.model_copy(update={"authorizers": authorizers})
    for index, key in enumerate(routes):
        verb, path = _split(key, f"routes.{index}")
        method = _existing(updated, verb, path, f"routes.{index}")
        auth = _auth(authorizer.name, scopes, f"routes.{index}", authorizers)
        updated = _put_method(updated, path, verb, method.model_copy(update=auth))
    return updated


def _auth(
    auth: str, scopes: list[str], field: str, authorizers: dict[str, RestAuthorizerSpec]
) -> dict[str, object]:
    """Authorization, authorizer and scopes of a method (the checks create_rest_api's routes get)."""
    probe = RestRouteInput.model_validate(
        {"route_key": "GET /", "mock": True, "auth": auth, "scopes": scopes}
    )
    method = _method(probe, field, "/", "", authorizers)
    return {"authorization": method.authorization, "authorizer": method.authorizer, "scopes": method.scopes}


def _rest_route(route: RouteInput, field: str) -> RestRouteInput:
    if route.integration_id is not None:
        raise BadInput(f"{field}.integration_id", _NO_SHARED)
    _check_payload(route.payload_format_version, f"{field}.payload_format_version")
    _check_timeout(route.timeout_ms, f"{field}.timeout_ms")
    fields = {
        "route_key": route.route_key,
        "lambda_arn": route.lambda_arn,
        "http_url": route.url,
        "auth": route.auth,
        "scopes": route.scopes,
        "timeout_ms": route.timeout_ms or DEFAULT_TIMEOUT_MS,
    }
    return RestRouteInput.model_validate(fields)


def _method(
    route: RestRouteInput, field: str, path: str, region: str, authorizers: dict[str, RestAuthorizerSpec]
) -> RestMethodSpec:
    # The account only checks an aws_service role, which these intents never give.
    return method_spec(route, field, path, region, "", authorizers)


def _with_integration_fields(method: RestMethodSpec, change: RouteUpdate) -> RestMethodSpec:
    if method.integration is not None and change.timeout_ms is not None:
        _check_timeout(change.timeout_ms, "change.timeout_ms")
        integration = method.integration.model_copy(update={"timeout_ms": change.timeout_ms})
        method = method.model_copy(update={"integration": integration})
    return _with_http_method(method, change.http_method, "change.http_method")


def _with_http_method(method: RestMethodSpec, http_method: str | None, field: str) -> RestMethodSpec:
    """The verb an HTTP backend is called with (the route's own verb unless given)."""
    integration = method.integration
    if http_method is None:
        return method
    if integration is None or integration.type not in ("HTTP", "HTTP_PROXY"):
        raise BadInput(field, "http_method applies to url backends only")
    return method.model_copy(
        update={"integration": integration.model_copy(update={"integration_http_method": http_method})}
    )


def _check_payload(version: str | None, field: str) -> None:
    if version not in (None, "1.0"):
        raise BadInput(
            field, "REST APIs send Lambda the 1.0 payload format only: leave it out (or use an HTTP API)"
        )


def _check_timeout(timeout_ms: int | None, field: str) -> None:
    if timeout_ms is not None and timeout_ms > DEFAULT_TIMEOUT_MS:
        raise BadInput(field, f"REST integrations time out after {DEFAULT_TIMEOUT_MS} ms at most")


def _split(key: str, field: str) -> tuple[str, str]:
    try:
        normalised = route_key(key)
    except ValueError as error:
        raise BadInput(field, str(error)) from None
    if normalised == "$default":
        raise BadInput(field, "REST APIs have no $default route: use 'ANY /{proxy+}'")
    verb, _, path = normalised.partition(" ")
    return verb, path


def _methods(spec: RestApiSpec, path: str) -> dict[str, RestMethodSpec]:
    resource = spec.resources.get(path)
    return dict(resource.methods) if resource else {}


def _existing(spec: RestApiSpec, verb: str, path: str, field: str) -> RestMethodSpec:
    found = _methods(spec, path).get(verb)
    if found is None:
        known = [f"{v} {p}" for p, r in sorted(spec.resources.items()) for v in sorted(r.methods)]
        raise BadInput(field, f"no route '{verb} {path}' (routes: {', '.join(known) or 'none'})")
    return found


def _put_method(spec: RestApiSpec, path: str, verb: str, method: RestMethodSpec) -> RestApiSpec:
    resource = spec.resources[path]
    resource = resource.model_copy(update={"methods": {**resource.methods, verb: method}})
    return spec.model_copy(update={"resources": {**spec.resources, path: resource}})


def _check_tree(spec: RestApiSpec, verb: str, path: str) -> None:
    """A new path may not put a second variable child under a resource ({id} next to {name})."""
    keys = [f"ANY {p}" for p in spec.resources if p not in ("/", path)]
    try:
        route_tree([*keys, f"{verb} {path}"])
    except BadInput as error:
        raise BadInput("route.route_key", str(error).split(": ", 1)[1]) from None


def _unused(resources: dict[str, RestResourceSpec], path: str) -> bool:
    """No methods but a CORS preflight, and no child resources."""
    only = RestApiSpec(name="-", resources={path: resources[path]})
    has_children = any(parent_of(p) == path for p in resources if p != path)
    return not strip_cors(only).resources[path].methods and not has_children
