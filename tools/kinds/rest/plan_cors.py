"""CORS on a REST API, written into the spec: API Gateway v1 has no CORS setting of its own.

Each resource with methods gets an OPTIONS MOCK method answering preflight; non-proxy
integration responses carry the headers; DEFAULT_4XX/5XX gateway responses carry them so
that errors API Gateway produces (401, 403, 429, 5xx) reach the browser readably.
Proxy integrations return their own responses: the backend must add the headers itself.
"""

from __future__ import annotations

from collections.abc import Callable

from apigw_mcp.tools.engine.errors import BadInput
from apigw_mcp.tools.kinds.http.cors import Cors
from apigw_mcp.tools.kinds.rest.route_inputs import MOCK_TEMPLATE
from apigw_mcp.tools.kinds.rest.spec import (
    GatewayResponseSpec,
    IntegrationResponseSpec,
    MethodResponseSpec,
    RestApiSpec,
    RestIntegrationSpec,
    RestMethodSpec,
    RestResourceSpec,
)

DEFAULT_HEADERS = "Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token"
ALL_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")
_METHOD_HEADER = "method.response.header."
_GATEWAY_HEADER = "gatewayresponse.header."


def add_cors(spec: RestApiSpec, cors: Cors) -> RestApiSpec:
    """``spec`` with preflight methods, CORS headers on non-proxy responses and gateway responses."""
    if len(cors.allow_origins) != 1:
        raise BadInput(
            "cors.allow_origins",
            "a REST API's preflight mock answers one origin: give one origin or '*' "
            "(for several, let the backend echo the allowed Origin)",
        )
    resources = {}
    for path, resource in spec.resources.items():
        if not resource.methods:
            resources[path] = resource
            continue
        if "OPTIONS" in resource.methods:
            raise BadInput("cors", f"{path} already has an OPTIONS route: drop it or drop cors")
        methods = {verb: _with_headers(m, cors) for verb, m in resource.methods.items()}
        methods["OPTIONS"] = _preflight(cors, list(resource.methods))
        resources[path] = RestResourceSpec(path=path, methods=methods)
    gateway = dict(spec.gateway_responses)
    for kind in ("DEFAULT_4XX", "DEFAULT_5XX"):
        current = gateway.get(kind) or GatewayResponseSpec(type=kind)
        headers = _headers(cors, _GATEWAY_HEADER, allow_all=False)
        gateway[kind] = current.model_copy(
            update={"response_parameters": {**current.response_parameters, **headers}}
        )
    return spec.model_copy(update={"resources": resources, "gateway_responses": gateway})


def with_cors(spec: RestApiSpec, cors: Cors | None) -> RestApiSpec:
    """``spec`` with its CORS set to ``cors`` (None: removed), whatever CORS it had before."""
    bare = strip_cors(spec)
    return bare if cors is None else add_cors(bare, cors)


def strip_cors(spec: RestApiSpec) -> RestApiSpec:
    """``spec`` without preflight mocks, Access-Control-* response headers and CORS-only gateway responses."""
    resources = {
        path: RestResourceSpec(
            path=path,
            methods={
                verb: _without_headers(m) for verb, m in r.methods.items() if not _is_preflight(verb, m)
            },
        )
        for path, r in spec.resources.items()
    }
    gateway = {}
    for kind, response in spec.gateway_responses.items():
        kept = {k: v for k, v in response.response_parameters.items() if not _is_cors(k)}
        stripped = response.model_copy(update={"response_parameters": kept})
        if stripped != GatewayResponseSpec(type=kind):
            gateway[kind] = stripped
    return spec.model_copy(update={"resources": resources, "gateway_responses": gateway})


def _is_cors(name: str) -> bool:
    return name.rsplit(".", 1)[-1].lower().startswith("access-control-")


def _is_preflight(verb: str, method: RestMethodSpec) -> bool:
    integration = method.integration
    return (
        verb == "OPTIONS"
        and integration is not None
        and integration.type == "MOCK"
        and any(_is_cors(k) for r in integration.responses for k in r.response_parameters)
    )


def _without_headers(method: RestMethodSpec) -> RestMethodSpec:
    if method.integration is None:
        return method
    return _headers_set(
        method,
        method.integration,
        lambda p: {k: v for k, v in p.items() if not _is_cors(k)},
        lambda p: {k: v for k, v in p.items() if not _is_cors(k)},
    )


def _headers_set(
    method: RestMethodSpec,
    integration: RestIntegrationSpec,
    integration_params: Callable[[dict[str, str]], dict[str, str]],
    method_params: Callable[[dict[str, bool]], dict[str, bool]],
) -> RestMethodSpec:
    """``method`` with each integration and method response's header parameters rewritten."""
    responses = [
        r.model_copy(update={"response_parameters": integration_params(r.response_parameters)})
        for r in integration.responses
    ]
    method_responses = [
        r.model_copy(update={"response_parameters": method_params(r.response_parameters)})
        for r in method.responses
    ]
    replaced = integration.model_copy(update={"responses": responses})
    return method.model_copy(update={"responses": method_responses, "integration": replaced})


def _quoted(value: str) -> str:
    return f"'{value}'"


def _headers(cors: Cors, prefix: str, allow_all: bool, methods: list[str] | None = None) -> dict[str, str]:
    """Header name -> static value; ``allow_all``: the preflight set, else what every response carries."""
    found = {"Access-Control-Allow-Origin": cors.allow_origins[0]}
    if cors.allow_credentials:
        found["Access-Control-Allow-Credentials"] = "true"
    if allow_all or prefix == _GATEWAY_HEADER:
        found["Access-Control-Allow-Headers"] = ",".join(sorted(cors.allow_headers)) or DEFAULT_HEADERS
    if allow_all:
        found["Access-Control-Allow-Methods"] = ",".join(methods or ALL_METHODS)
        if cors.max_age is not None:
            found["Access-Control-Max-Age"] = str(cors.max_age)
    elif cors.expose_headers:
        found["Access-Control-Expose-Headers"] = ",".join(sorted(cors.expose_headers))
    return {f"{prefix}{name}": _quoted(value) for name, value in sorted(found.items())}


def _allowed_methods(cors: Cors, verbs: list[str]) -> list[str]:
    if cors.allow_methods != ["*"]:
        return sorted(set(cors.allow_methods) | {"OPTIONS"})
    if "ANY" in verbs:
        return list(ALL_METHODS)
    return sorted(set(verbs) | {"OPTIONS"})


def _preflight(cors: Cors, verbs: list[str]) -> RestMethodSpec:
    headers = _headers(cors, _METHOD_HEADER, allow_all=True, methods=_allowed_methods(cors, verbs))
    return RestMethodSpec(
        responses=[MethodResponseSpec(status_code="200", response_parameters={h: False for h in headers})],
        integration=RestIntegrationSpec(
            type="MOCK",
            request_templates=MOCK_TEMPLATE,
            responses=[IntegrationResponseSpec(status_code="200", response_parameters=headers)],
        ),
    )


def _with_headers(method: RestMethodSpec, cors: Cors) -> RestMethodSpec:
    """Non-proxy integrations shape their responses here, so the CORS headers are added to each."""
    integration = method.integration
    if integration is None or integration.type in ("AWS_PROXY", "HTTP_PROXY"):
        return method
    headers = _headers(cors, _METHOD_HEADER, allow_all=False)
    return _headers_set(
        method, integration, lambda p: {**p, **headers}, lambda p: {**p, **dict.fromkeys(headers, False)}
    )


def cors_warnings(spec: RestApiSpec) -> list[str]:
    """Said on every plan of an API with preflight methods and proxy integrations."""
    preflight = any("OPTIONS" in r.methods for r in spec.resources.values())
    proxied = any(
        m.integration is not None and m.integration.type in ("AWS_PROXY", "HTTP_PROXY")
        for r in spec.resources.values()
        for m in r.methods.values()
    )
    if preflight and proxied:
        return [
            "CORS: proxy integrations (Lambda proxy, HTTP proxy) return their own responses: "
            "the backend must add Access-Control-Allow-Origin (and -Credentials) to every response, "
            "or browsers block them."
        ]
    return []
