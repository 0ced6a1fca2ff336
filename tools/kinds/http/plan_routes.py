"""Authorizers, integrations and routes of an HTTP API: the middle of the reconciler (pure)."""

from __future__ import annotations

from typing import Any

from apigw_mcp.tools.engine.plan_builder import Builder
from apigw_mcp.tools.kinds.http.live import LiveHttpApi
from apigw_mcp.tools.kinds.http.spec import AuthorizerSpec, HttpApiSpec, IntegrationSpec, RouteSpec

IntegrationKey = tuple[str, str, str, str]


def authorizer_params(name: str, spec: AuthorizerSpec, region: str, partition: str = "aws") -> dict[str, Any]:
    params: dict[str, Any] = {
        "Name": name,
        "AuthorizerType": spec.type,
        "IdentitySource": list(spec.identity_source),
    }
    if spec.type == "JWT":
        params["JwtConfiguration"] = {"Issuer": spec.issuer, "Audience": list(spec.audience)}
        return params
    params["AuthorizerUri"] = (
        f"arn:{partition}:apigateway:{region}:lambda:path/2015-03-31/functions/{spec.function_arn}/invocations"
    )
    params["AuthorizerPayloadFormatVersion"] = spec.payload_format_version
    params["AuthorizerResultTtlInSeconds"] = spec.ttl_seconds
    if spec.payload_format_version == "2.0":
        params["EnableSimpleResponses"] = spec.simple_responses
    return params


def plan_authorizers(
    b: Builder,
    desired: HttpApiSpec,
    live: LiveHttpApi | None,
    api_id: str,
    region: str,
    partition: str = "aws",
) -> dict[str, str]:
    """Create or update authorizers; returns name -> id or placeholder. Deletes come after the routes."""
    current = live.spec.authorizers if live else {}
    ids = dict(live.authorizer_ids) if live else {}
    for index, (name, spec) in enumerate(sorted(desired.authorizers.items()), start=1):
        params = authorizer_params(name, spec, region, partition)
        if name not in current:
            ids[name] = f"${{auth{index}}}"
            b.add(
                f"auth{index}",
                "apigatewayv2",
                "create_authorizer",
                "create",
                f"authorizer {name}",
                {"ApiId": api_id, **params},
            )
            b.change("+", f"authorizer {name}", "", None, spec.summary())
        elif current[name] != spec:
            b.add(
                f"auth{index}",
                "apigatewayv2",
                "update_authorizer",
                "update",
                f"authorizer {name}",
                {"ApiId": api_id, "AuthorizerId": ids[name], **params},
            )
            b.changes(f"authorizer {name}", current[name].summary(), spec.summary())
    return ids


def plan_integrations(
    b: Builder, desired: HttpApiSpec, live: LiveHttpApi | None, api_id: str
) -> dict[IntegrationKey, str]:
    """One integration per distinct backend, reusing an identical live one; key -> id or placeholder."""
    existing = {spec.key: (iid, spec) for iid, spec in (live.integrations.items() if live else [])}
    wanted = {r.integration.key: r.integration for r in desired.routes.values() if r.integration}
    ids: dict[IntegrationKey, str] = {}
    for index, spec in enumerate(sorted(wanted.values(), key=lambda s: s.key), start=1):
        if spec.key in existing:
            iid, current = existing[spec.key]
            ids[spec.key] = iid
            if current.timeout_ms != spec.timeout_ms:
                b.add(
                    f"int_{iid}",
                    "apigatewayv2",
                    "update_integration",
                    "update",
                    f"integration {iid}",
                    {"ApiId": api_id, "IntegrationId": iid, "TimeoutInMillis": spec.timeout_ms},
                )
                b.change(
                    "~", f"integration {spec.label()}", "timeout_ms", current.timeout_ms, spec.timeout_ms
                )
            continue
        ids[spec.key] = f"${{int{index}}}"
        b.add(
            f"int{index}",
            "apigatewayv2",
            "create_integration",
            "create",
            f"integration {spec.label()}",
            _integration_params(api_id, spec),
        )
        b.change("+", f"integration {spec.label()}", "", None, {"timeout_ms": spec.timeout_ms})
    return ids


DEFAULT_TIMEOUT_MS = 30000  # what AWS sets when TimeoutInMillis is left out of CreateIntegration


def _integration_params(api_id: str, spec: IntegrationSpec) -> dict[str, Any]:
    params: dict[str, Any] = {
        "ApiId": api_id,
        "IntegrationType": spec.type,
        "IntegrationUri": spec.uri,
        "IntegrationMethod": spec.method,
        "PayloadFormatVersion": spec.payload_format_version,
    }
    if spec.timeout_ms != DEFAULT_TIMEOUT_MS:
        params["TimeoutInMillis"] = spec.timeout_ms
    return params


def _route_params(
    spec: RouteSpec, integration_ids: dict[IntegrationKey, str], authorizer_ids: dict[str, str], new: bool
) -> dict[str, Any]:
    """A new route leaves out AuthorizationType NONE (AWS's default); an update always says it."""
    params: dict[str, Any] = (
        {} if new and spec.authorization == "NONE" else {"AuthorizationType": spec.authorization}
    )
    if spec.integration:
        params["Target"] = f"integrations/{integration_ids[spec.integration.key]}"
    if spec.authorizer:
        # A live route may name an authorizer id that no longer exists: it reads in as that id.
        params["AuthorizerId"] = authorizer_ids.get(spec.authorizer, spec.authorizer)
    if spec.authorization == "JWT":
        params["AuthorizationScopes"] = list(spec.scopes)
    return params


def plan_routes(
    b: Builder,
    desired: HttpApiSpec,
    live: LiveHttpApi | None,
    api_id: str,
    integration_ids: dict[IntegrationKey, str],
    authorizer_ids: dict[str, str],
) -> None:
    current = live.spec.routes if live else {}
    route_ids = live.route_ids if live else {}
    for index, (key, spec) in enumerate(sorted(desired.routes.items()), start=1):
        params = _route_params(spec, integration_ids, authorizer_ids, key not in route_ids)
        before = current.get(key)
        if key not in route_ids:
            b.add(
                f"route{index}",
                "apigatewayv2",
                "create_route",
                "create",
                f"route {key}",
                {"ApiId": api_id, "RouteKey": key, **params},
            )
            # The label names a backend or authorizer the step only gives as an existing id.
            existing = any("${" not in str(params.get(k, "${")) for k in ("Target", "AuthorizerId"))
            b.change("+", f"route {key}", "", None, spec.label() if existing else None)
        elif before is None or _route_differs(before, spec):
            b.add(
                f"route{index}",
                "apigatewayv2",
                "update_route",
                "update",
                f"route {key}",
                {"ApiId": api_id, "RouteId": route_ids[key], **params},
            )
            b.change("~", f"route {key}", "", before.label() if before else None, spec.label())
    for key, route_id in sorted(route_ids.items()):
        if key not in desired.routes:
            b.add(
                f"del_route_{route_id}",
                "apigatewayv2",
                "delete_route",
                "delete",
                f"route {key}",
                {"ApiId": api_id, "RouteId": route_id},
            )
            b.change("-", f"route {key}", "", current[key].label() if key in current else None, None)


def _route_differs(before: RouteSpec, after: RouteSpec) -> bool:
    """Timeouts belong to the integration, so routes compare integration keys, not whole integrations."""
    before_key = before.integration.key if before.integration else None
    after_key = after.integration.key if after.integration else None
    return before_key != after_key or before.model_copy(update={"integration": None}) != after.model_copy(
        update={"integration": None}
    )


def plan_cleanup(
    b: Builder, desired: HttpApiSpec, live: LiveHttpApi | None, kept: dict[IntegrationKey, str]
) -> None:
    """After the route changes, as AWS requires: delete unused integrations and dropped authorizers."""
    if live is None:
        return
    for iid, spec in sorted(live.integrations.items()):
        if spec.key not in kept:
            b.add(
                f"del_int_{iid}",
                "apigatewayv2",
                "delete_integration",
                "delete",
                f"integration {iid}",
                {"ApiId": live.api_id, "IntegrationId": iid},
            )
            b.change("-", f"integration {spec.label()}", "", {"id": iid}, None)
    for name, authorizer_id in sorted(live.authorizer_ids.items()):
        if name not in desired.authorizers:
            b.add(
                f"del_auth_{authorizer_id}",
                "apigatewayv2",
                "delete_authorizer",
                "delete",
                f"authorizer {name}",
                {"ApiId": live.api_id, "AuthorizerId": authorizer_id},
            )
            b.change("-", f"authorizer {name}", "", live.spec.authorizers[name].summary(), None)
