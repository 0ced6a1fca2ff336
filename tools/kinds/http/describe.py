"""Shape raw apigatewayv2 reads into the compact views describe_api and list_apis return (pure)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from apigw_mcp.tools.engine.redact import redact
from apigw_mcp.tools.engine.scope import MANAGED_TAG, is_managed
from apigw_mcp.tools.kinds.http.live import integration_spec


class ApiSummary(BaseModel):
    api_id: str
    name: str
    type: str
    endpoint: str
    created: str | None = None
    managed: bool = False


class AuthorizerView(BaseModel):
    name: str
    type: str
    identity_source: str | None = None
    issuer: str | None = None
    audience: list[str] | None = None
    function: str | None = None
    ttl: int | None = None


class StageView(BaseModel):
    name: str
    url: str
    auto_deploy: bool = False
    throttle: str | None = None
    route_throttle: dict[str, str] | None = None
    access_log: str | None = None
    variables: dict[str, str] | None = None
    deployment: str | None = None


class ApiDescription(BaseModel):
    api_id: str
    name: str
    type: str
    endpoint: str
    managed: bool
    description: str | None = None
    default_endpoint_disabled: bool | None = None
    cors: dict[str, Any] | None = None
    tags: dict[str, str] | None = None
    routes: dict[str, str]
    routes_total: int | None = None
    authorizers: list[AuthorizerView] | None = None
    stages: list[StageView]
    unused_integrations: list[str] | None = None


def day(value: Any) -> str | None:
    return value.date().isoformat() if isinstance(value, datetime) else (str(value)[:10] if value else None)


def target_label(raw: dict[str, Any]) -> str:
    spec = integration_spec(raw)
    if spec is not None:
        label = spec.label() if spec.type == "AWS_PROXY" else f"http:{spec.label()}"
    else:
        target = raw.get("IntegrationUri") or raw.get("IntegrationId")
        label = f"{raw.get('IntegrationType', '?').lower()}:{target}"
    timeout = raw.get("TimeoutInMillis")
    return f"{label} {timeout}ms" if timeout and timeout != 30000 else label


def _throttle(settings: dict[str, Any] | None) -> str | None:
    if not settings or (
        settings.get("ThrottlingBurstLimit") is None and settings.get("ThrottlingRateLimit") is None
    ):
        return None
    return f"burst {settings.get('ThrottlingBurstLimit')}, rate {settings.get('ThrottlingRateLimit')}/s"


def _stage(raw: dict[str, Any], endpoint: str) -> StageView:
    name = raw["StageName"]
    routes = {k: t for k, v in (raw.get("RouteSettings") or {}).items() if (t := _throttle(v))}
    deployment = raw.get("DeploymentId")
    return StageView(
        name=name,
        url=endpoint if name == "$default" else f"{endpoint}/{name}",
        auto_deploy=bool(raw.get("AutoDeploy")),
        throttle=_throttle(raw.get("DefaultRouteSettings")),
        route_throttle=routes or None,
        access_log=(raw.get("AccessLogSettings") or {}).get("DestinationArn"),
        variables=redact(raw.get("StageVariables")) or None,
        deployment=f"{deployment} ({day(raw.get('LastUpdatedDate'))})" if deployment else None,
    )


def _authorizer(raw: dict[str, Any]) -> AuthorizerView:
    jwt = raw.get("JwtConfiguration") or {}
    uri = raw.get("AuthorizerUri") or ""
    return AuthorizerView(
        name=raw.get("Name", ""),
        type=raw.get("AuthorizerType", "?"),
        identity_source=",".join(raw.get("IdentitySource") or []) or None,
        issuer=jwt.get("Issuer"),
        audience=jwt.get("Audience") or None,
        function=uri.split("/functions/")[-1].removesuffix("/invocations") if uri else None,
        ttl=raw.get("AuthorizerResultTtlInSeconds") or None,
    )


def _auth(route: dict[str, Any], authorizers: dict[str, AuthorizerView]) -> str:
    kind = route.get("AuthorizationType") or "NONE"
    if kind == "NONE":
        return kind
    found = authorizers.get(route.get("AuthorizerId") or "")
    label = f"{kind}:{found.name}" if found else kind
    scopes = route.get("AuthorizationScopes")
    return f"{label} [{' '.join(scopes)}]" if scopes else label


def describe(
    api: dict[str, Any],
    routes: list[dict[str, Any]],
    integrations: list[dict[str, Any]],
    authorizers: list[dict[str, Any]],
    stages: list[dict[str, Any]],
    routes_matching: str | None = None,
    max_routes: int = 30,
) -> ApiDescription:
    """The API's compact view; at most ``max_routes`` routes, those whose key contains ``routes_matching``."""
    endpoint = api.get("ApiEndpoint", "")
    by_id = {i["IntegrationId"]: i for i in integrations}
    auth_views = {a["AuthorizerId"]: _authorizer(a) for a in authorizers}
    used: set[str] = set()
    views: dict[str, str] = {}
    for route in sorted(routes, key=lambda r: r["RouteKey"]):
        target = (route.get("Target") or "").removeprefix("integrations/")
        used.add(target)
        label = target_label(by_id[target]) if target in by_id else (target or "no target")
        auth = _auth(route, auth_views)
        views[route["RouteKey"]] = label if auth == "NONE" else f"{label} | {auth}"
    shown = {k: v for k, v in views.items() if not routes_matching or routes_matching.lower() in k.lower()}
    tags = {k: v for k, v in (api.get("Tags") or {}).items() if k != MANAGED_TAG}
    unused = sorted(target_label(i) for iid, i in by_id.items() if iid not in used)
    return ApiDescription(
        api_id=api["ApiId"],
        name=api["Name"],
        type=api.get("ProtocolType", "HTTP"),
        endpoint=endpoint,
        managed=is_managed(api.get("Tags")),
        description=api.get("Description") or None,
        default_endpoint_disabled=api.get("DisableExecuteApiEndpoint") or None,
        cors=api.get("CorsConfiguration") or None,
        tags=tags or None,
        routes=dict(list(shown.items())[:max_routes]),
        routes_total=len(views) if len(shown) > max_routes or routes_matching else None,
        authorizers=list(auth_views.values()) or None,
        stages=[_stage(s, endpoint) for s in sorted(stages, key=lambda s: s["StageName"])],
        unused_integrations=unused or None,
    )


def summarise_v2(item: dict[str, Any]) -> ApiSummary:
    return ApiSummary(
        api_id=item["ApiId"],
        name=item["Name"],
        type=item.get("ProtocolType", "HTTP"),
        endpoint=item.get("ApiEndpoint", ""),
        created=day(item.get("CreatedDate")),
        managed=is_managed(item.get("Tags")),
    )


def summarise_rest(item: dict[str, Any], region: str) -> ApiSummary:
    types = (item.get("endpointConfiguration") or {}).get("types") or ["EDGE"]
    return ApiSummary(
        api_id=item["id"],
        name=item.get("name", ""),
        type=f"REST {types[0]}",
        endpoint=f"https://{item['id']}.execute-api.{region}.amazonaws.com",
        created=day(item.get("createdDate")),
        managed=is_managed(item.get("tags")),
    )
