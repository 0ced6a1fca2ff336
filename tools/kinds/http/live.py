"""Read raw apigatewayv2 and lambda responses into the desired-state model (pure)."""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Iterable
from typing import Any, Literal

from pydantic import BaseModel, Field

from apigw_mcp.tools.engine.scope import MANAGED_TAG, is_managed
from apigw_mcp.tools.engine.validate import HTTP_METHODS
from apigw_mcp.tools.kinds.http.cors import normalise_live
from apigw_mcp.tools.kinds.http.spec import (
    AccessLog,
    AuthorizerSpec,
    HttpApiSpec,
    IntegrationSpec,
    RouteSpec,
    StageSpec,
    Throttle,
)


class LiveHttpApi(BaseModel):
    """A live HTTP API: its spec plus the ids the reconciler needs to address it."""

    api_id: str
    endpoint: str
    managed: bool
    spec: HttpApiSpec
    route_ids: dict[str, str] = Field(default_factory=dict)
    integrations: dict[str, IntegrationSpec] = Field(default_factory=dict)
    authorizer_ids: dict[str, str] = Field(default_factory=dict)


def integration_spec(raw: dict[str, Any]) -> IntegrationSpec | None:
    kind = raw.get("IntegrationType")
    if kind not in ("AWS_PROXY", "HTTP_PROXY"):
        return None
    return IntegrationSpec(
        type=kind,
        uri=raw.get("IntegrationUri", ""),
        method=raw.get("IntegrationMethod") or ("POST" if kind == "AWS_PROXY" else "ANY"),
        payload_format_version=raw.get("PayloadFormatVersion") or "1.0",
        timeout_ms=raw.get("TimeoutInMillis") or 30000,
    )


def route_target_id(raw_route: dict[str, Any]) -> str | None:
    target = raw_route.get("Target") or ""
    return target.removeprefix("integrations/") if target.startswith("integrations/") else None


def authorizer_function(uri: str | None) -> str | None:
    """The Lambda ARN inside an authorizer's invocation URI."""
    if not uri or "/functions/" not in uri:
        return None
    return uri.split("/functions/")[1].removesuffix("/invocations")


def authorizer_spec(raw: dict[str, Any]) -> AuthorizerSpec:
    jwt = raw.get("JwtConfiguration") or {}
    kind: Literal["JWT", "REQUEST"] = "JWT" if raw.get("AuthorizerType") == "JWT" else "REQUEST"
    return AuthorizerSpec(
        type=kind,
        identity_source=tuple(raw.get("IdentitySource") or ()),
        issuer=jwt.get("Issuer"),
        audience=tuple(sorted(jwt.get("Audience") or ())),
        function_arn=authorizer_function(raw.get("AuthorizerUri")),
        payload_format_version=raw.get("AuthorizerPayloadFormatVersion") if kind == "REQUEST" else None,
        simple_responses=bool(raw.get("EnableSimpleResponses")),
        ttl_seconds=int(raw.get("AuthorizerResultTtlInSeconds") or 0),
    )


def _throttle(settings: dict[str, Any] | None) -> Throttle | None:
    settings = settings or {}
    burst, rate = settings.get("ThrottlingBurstLimit"), settings.get("ThrottlingRateLimit")
    return None if burst is None and rate is None else Throttle(burst=burst or 0, rate=rate or 0)


def stage_spec(raw: dict[str, Any]) -> StageSpec:
    log = raw.get("AccessLogSettings") or {}
    routes = {key: t for key, value in (raw.get("RouteSettings") or {}).items() if (t := _throttle(value))}
    return StageSpec(
        auto_deploy=bool(raw.get("AutoDeploy")),
        description=raw.get("Description") or "",
        variables=dict(raw.get("StageVariables") or {}),
        throttle=_throttle(raw.get("DefaultRouteSettings")),
        route_throttle=routes,
        access_log=AccessLog(destination_arn=log["DestinationArn"], format=log.get("Format") or "")
        if log.get("DestinationArn")
        else None,
    )


def live_http_api(
    api: dict[str, Any],
    routes: list[dict[str, Any]],
    integrations: list[dict[str, Any]],
    stages: list[dict[str, Any]],
    authorizers: list[dict[str, Any]] | None = None,
) -> LiveHttpApi:
    specs = {i["IntegrationId"]: s for i in integrations if (s := integration_spec(i)) is not None}
    names = {a["AuthorizerId"]: a.get("Name", a["AuthorizerId"]) for a in authorizers or []}
    all_tags = dict(api.get("Tags") or {})
    spec = HttpApiSpec(
        name=api["Name"],
        description=api.get("Description") or "",
        cors=normalise_live(api.get("CorsConfiguration")),
        routes={r["RouteKey"]: _route_spec(r, specs, names) for r in routes},
        authorizers={names[a["AuthorizerId"]]: authorizer_spec(a) for a in authorizers or []},
        stages={s["StageName"]: stage_spec(s) for s in stages},
        tags={k: v for k, v in all_tags.items() if k != MANAGED_TAG},
    )
    return LiveHttpApi(
        api_id=api["ApiId"],
        endpoint=api.get("ApiEndpoint", ""),
        managed=is_managed(all_tags),
        spec=spec,
        route_ids={r["RouteKey"]: r["RouteId"] for r in routes},
        integrations=specs,
        authorizer_ids={name: authorizer_id for authorizer_id, name in names.items()},
    )


def _route_spec(
    raw: dict[str, Any], integrations: dict[str, IntegrationSpec], names: dict[str, str]
) -> RouteSpec:
    target = route_target_id(raw)
    kind = raw.get("AuthorizationType") or "NONE"
    with_authorizer = kind in ("JWT", "CUSTOM")
    return RouteSpec.model_validate(
        {
            "integration": integrations.get(target) if target else None,
            "authorization": kind,
            "authorizer": names.get(raw.get("AuthorizerId") or "", raw.get("AuthorizerId"))
            if with_authorizer
            else None,
            "scopes": tuple(sorted(raw.get("AuthorizationScopes") or ())) if kind == "JWT" else (),
        }
    )


def execute_api_arn(
    partition: str, region: str, account: str, api_id: str, stage: str, route_key: str
) -> str:
    """The ARN API Gateway presents to Lambda when it invokes a route on a stage."""
    method, _, path = route_key.partition(" ")
    resource = f"{method}{path}" if path else route_key
    return f"arn:{partition}:execute-api:{region}:{account}:{api_id}/{stage}/{resource}"


def invoke_arns(
    partition: str, region: str, account: str, api_id: str, stage: str, route_key: str
) -> list[str]:
    """Every ARN a route may be invoked under: an ``ANY`` route is called with each concrete method."""
    method, sep, path = route_key.partition(" ")
    methods = [m for m in HTTP_METHODS if m != "ANY"] if method == "ANY" and sep else [method]
    keys = [f"{m} {path}" if sep else route_key for m in methods]
    return [execute_api_arn(partition, region, account, api_id, stage, key) for key in keys]


def authorizer_arn(partition: str, region: str, account: str, api_id: str, authorizer_id: str) -> str:
    return f"arn:{partition}:execute-api:{region}:{account}:{api_id}/authorizers/{authorizer_id}"


def source_arns(policy: str | None) -> list[str]:
    """SourceArn patterns of statements that let API Gateway invoke the function ('*' when unconditioned)."""
    if not policy:
        return []
    arns: list[str] = []
    for statement in json.loads(policy).get("Statement", []):
        principal = statement.get("Principal")
        service = principal.get("Service") if isinstance(principal, dict) else principal
        if statement.get("Effect") != "Allow" or service != "apigateway.amazonaws.com":
            continue
        condition = statement.get("Condition", {})
        arn = condition.get("ArnLike", {}).get("AWS:SourceArn") or condition.get("ArnEquals", {}).get(
            "AWS:SourceArn"
        )
        arns.append(arn or "*")
    return arns


def statement_ids(policy: str | None) -> set[str]:
    """The Sids of a Lambda function's resource policy (empty when it has none)."""
    return {str(s.get("Sid")) for s in json.loads(policy).get("Statement", [])} if policy else set()


def permission_covers(patterns: Iterable[str], invoke_arns: Iterable[str]) -> bool:
    pattern_list = list(patterns)
    return all(any(fnmatch.fnmatchcase(arn, p) for p in pattern_list) for arn in invoke_arns)


def broad_statements(function_arn: str, policy: str | None, account: str) -> list[str]:
    """Warnings for API Gateway invoke statements wider than one API of this account."""
    name = function_arn.split(":function:")[-1]
    found = []
    for pattern in source_arns(policy):
        parts = pattern.split(":")
        api = parts[5].split("/")[0] if len(parts) > 5 else "*"
        if pattern == "*" or len(parts) < 6 or parts[4] != account or any(c in api for c in "*?"):
            found.append(
                f"Lambda {name}: invoke statement with SourceArn {pattern!r} admits more than one API of "
                "this account; narrow it to arn:aws:execute-api:REGION:ACCOUNT:API_ID/*."
            )
    return found
