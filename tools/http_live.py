"""Read raw apigatewayv2 and lambda responses into the desired-state model (pure)."""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, Field

from .cors import normalise_live
from .http_spec import HttpApiSpec, IntegrationSpec
from .scope import MANAGED_TAG, is_managed
from .validate import HTTP_METHODS


class LiveHttpApi(BaseModel):
    """A live HTTP API: its spec plus the ids the reconciler needs to address it."""

    api_id: str
    endpoint: str
    managed: bool
    spec: HttpApiSpec
    route_ids: dict[str, str] = Field(default_factory=dict)
    route_targets: dict[str, str | None] = Field(default_factory=dict)
    integrations: dict[str, IntegrationSpec] = Field(default_factory=dict)
    stages: list[str] = Field(default_factory=list)


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


def live_http_api(
    api: dict[str, Any],
    routes: list[dict[str, Any]],
    integrations: list[dict[str, Any]],
    stages: list[dict[str, Any]],
) -> LiveHttpApi:
    specs = {i["IntegrationId"]: s for i in integrations if (s := integration_spec(i)) is not None}
    targets = {r["RouteKey"]: route_target_id(r) for r in routes}
    all_tags = dict(api.get("Tags") or {})
    spec = HttpApiSpec(
        name=api["Name"],
        description=api.get("Description") or "",
        cors=normalise_live(api.get("CorsConfiguration")),
        routes={key: specs[t] for key, t in targets.items() if t in specs},
        default_stage=any(s["StageName"] == "$default" for s in stages),
        tags={k: v for k, v in all_tags.items() if k != MANAGED_TAG},
    )
    return LiveHttpApi(
        api_id=api["ApiId"],
        endpoint=api.get("ApiEndpoint", ""),
        managed=is_managed(all_tags),
        spec=spec,
        route_ids={r["RouteKey"]: r["RouteId"] for r in routes},
        route_targets=targets,
        integrations=specs,
        stages=sorted(s["StageName"] for s in stages),
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


def source_arns(policy: str | None) -> list[str]:
    """SourceArn patterns of statements that let API Gateway invoke the function."""
    if not policy:
        return []
    statements = json.loads(policy).get("Statement", [])
    arns: list[str] = []
    for statement in statements:
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


def permission_covers(patterns: Iterable[str], invoke_arns: Iterable[str]) -> bool:
    pattern_list = list(patterns)
    return all(any(fnmatch.fnmatchcase(arn, p) for p in pattern_list) for arn in invoke_arns)
