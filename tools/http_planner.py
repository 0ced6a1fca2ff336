"""Reconcile a desired HTTP API spec against the live one into an ordered plan (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .http_live import LiveHttpApi
from .http_spec import HttpApiSpec, IntegrationSpec
from .plan import DiffRow, Plan, Step
from .scope import MANAGED_TAG, Scope

API_REF = "${api.ApiId}"


@dataclass(frozen=True)
class PlanContext:
    scope: Scope
    account: str
    identity: str
    partition: str = "aws"


@dataclass
class _Builder:
    steps: list[Step] = field(default_factory=list)
    diff: list[DiffRow] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def add(
        self, step_id: str, service: str, operation: str, effect: str, resource: str, params: dict[str, Any]
    ) -> None:
        self.steps.append(
            Step.model_validate(
                {
                    "id": step_id,
                    "service": service,
                    "operation": operation,
                    "effect": effect,
                    "resource": resource,
                    "params": params,
                }
            )
        )

    def change(
        self, action: str, resource: str, field_name: str = "", before: Any = None, after: Any = None
    ) -> None:
        self.diff.append(
            DiffRow.model_validate(
                {
                    "action": action,
                    "resource": resource,
                    "field": field_name,
                    "before": before,
                    "after": after,
                }
            )
        )


def plan_http_api(
    desired: HttpApiSpec, live: LiveHttpApi | None, permissions: Mapping[str, bool], ctx: PlanContext
) -> Plan:
    """Steps that turn ``live`` (None: absent) into ``desired``; empty when they already match.

    ``permissions`` maps each Lambda ARN the desired routes use to whether an
    existing resource-policy statement already lets this API invoke it.
    """
    b = _Builder()
    api_id = live.api_id if live else API_REF
    if live is None:
        _create_api(b, desired)
    else:
        _update_api(b, desired, live, ctx)
    integration_ids = _integrations(b, desired, live, api_id)
    _routes(b, desired, live, api_id, integration_ids)
    _orphan_integrations(b, live, integration_ids)
    _default_stage(b, desired, live, api_id)
    _permissions(b, desired, permissions, api_id, ctx)
    _warn(b, desired)
    return Plan(
        summary=_summary(desired.name, live, b.steps),
        account=ctx.account,
        caller=ctx.identity,
        region=ctx.scope.region,
        steps=b.steps,
        diff=b.diff,
        warnings=b.warnings,
    )


def _create_api(b: _Builder, desired: HttpApiSpec) -> None:
    params: dict[str, Any] = {
        "Name": desired.name,
        "ProtocolType": "HTTP",
        "Tags": {**desired.tags, MANAGED_TAG: "true"},
    }
    if desired.description:
        params["Description"] = desired.description
    if desired.cors:
        params["CorsConfiguration"] = desired.cors
    b.add("api", "apigatewayv2", "create_api", "create", f"api {desired.name}", params)
    summary = {"protocol": "HTTP", **({"description": desired.description} if desired.description else {})}
    b.change("+", f"api {desired.name}", "", None, summary)
    if desired.cors:
        b.change("+", "cors", "", None, desired.cors)


def _update_api(b: _Builder, desired: HttpApiSpec, live: LiveHttpApi, ctx: PlanContext) -> None:
    current = live.spec
    updates: dict[str, Any] = {}
    if desired.description != current.description:
        updates["Description"] = desired.description
        b.change("~", f"api {desired.name}", "description", current.description, desired.description)
    if desired.cors and desired.cors != current.cors:
        updates["CorsConfiguration"] = desired.cors
        b.change("~" if current.cors else "+", "cors", "", current.cors, desired.cors)
    if updates:
        b.add(
            "update_api",
            "apigatewayv2",
            "update_api",
            "update",
            f"api {live.api_id}",
            {"ApiId": live.api_id, **updates},
        )
    if current.cors and not desired.cors:
        b.add(
            "delete_cors",
            "apigatewayv2",
            "delete_cors_configuration",
            "update",
            f"api {live.api_id}",
            {"ApiId": live.api_id},
        )
        b.change("-", "cors", "", current.cors, None)
    wanted = {k: v for k, v in desired.tags.items() if current.tags.get(k) != v}
    if not live.managed:
        wanted[MANAGED_TAG] = "true"
    if wanted:
        arn = f"arn:{ctx.partition}:apigateway:{ctx.scope.region}::/apis/{live.api_id}"
        b.add(
            "tags",
            "apigatewayv2",
            "tag_resource",
            "update",
            f"api {live.api_id}",
            {"ResourceArn": arn, "Tags": wanted},
        )
        for key, value in sorted(wanted.items()):
            b.change("~", f"api {desired.name}", f"tags.{key}", current.tags.get(key), value)


def _integrations(
    b: _Builder, desired: HttpApiSpec, live: LiveHttpApi | None, api_id: str
) -> dict[tuple[str, str, str, str], str]:
    """Create or update one integration per distinct backend; returns key -> id or placeholder."""
    existing = {spec.key: (iid, spec) for iid, spec in (live.integrations.items() if live else [])}
    ids: dict[tuple[str, str, str, str], str] = {}
    for spec in sorted({s.key: s for s in desired.routes.values()}.values(), key=lambda s: s.key):
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
        step_id = f"int{len(ids) + 1}"
        ids[spec.key] = f"${{{step_id}.IntegrationId}}"
        b.add(
            step_id,
            "apigatewayv2",
            "create_integration",
            "create",
            f"integration {spec.label()}",
            _integration_params(api_id, spec),
        )
        b.change("+", f"integration {spec.label()}", "", None, {"timeout_ms": spec.timeout_ms})
    return ids


def _orphan_integrations(
    b: _Builder, live: LiveHttpApi | None, kept: dict[tuple[str, str, str, str], str]
) -> None:
    """Delete integrations no route uses any more; after the route changes, as AWS requires."""
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


def _integration_params(api_id: str, spec: IntegrationSpec) -> dict[str, Any]:
    return {
        "ApiId": api_id,
        "IntegrationType": spec.type,
        "IntegrationUri": spec.uri,
        "IntegrationMethod": spec.method,
        "PayloadFormatVersion": spec.payload_format_version,
        "TimeoutInMillis": spec.timeout_ms,
    }


def _routes(
    b: _Builder,
    desired: HttpApiSpec,
    live: LiveHttpApi | None,
    api_id: str,
    integration_ids: dict[tuple[str, str, str, str], str],
) -> None:
    live_routes = live.spec.routes if live else {}
    route_ids = live.route_ids if live else {}
    for index, (key, spec) in enumerate(sorted(desired.routes.items()), start=1):
        target = f"integrations/{integration_ids[spec.key]}"
        if key not in route_ids:
            b.add(
                f"route{index}",
                "apigatewayv2",
                "create_route",
                "create",
                f"route {key}",
                {"ApiId": api_id, "RouteKey": key, "Target": target},
            )
            b.change("+", f"route {key}", "", None, spec.label())
        elif (before_spec := live_routes.get(key)) is None or before_spec.key != spec.key:
            b.add(
                f"route{index}",
                "apigatewayv2",
                "update_route",
                "update",
                f"route {key}",
                {"ApiId": api_id, "RouteId": route_ids[key], "Target": target},
            )
            b.change(
                "~", f"route {key}", "target", before_spec.label() if before_spec else None, spec.label()
            )
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
            b.change("-", f"route {key}", "", live_routes[key].label() if key in live_routes else None, None)


def _default_stage(b: _Builder, desired: HttpApiSpec, live: LiveHttpApi | None, api_id: str) -> None:
    if desired.default_stage and (live is None or "$default" not in live.stages):
        b.add(
            "stage",
            "apigatewayv2",
            "create_stage",
            "create",
            "stage $default",
            {"ApiId": api_id, "StageName": "$default", "AutoDeploy": True},
        )
        b.change("+", "stage $default", "", None, {"auto_deploy": True})


def _permissions(
    b: _Builder, desired: HttpApiSpec, permissions: Mapping[str, bool], api_id: str, ctx: PlanContext
) -> None:
    functions = sorted({s.uri for s in desired.routes.values() if s.type == "AWS_PROXY"})
    for index, arn in enumerate(functions, start=1):
        if permissions.get(arn):
            continue
        source = f"arn:{ctx.partition}:execute-api:{ctx.scope.region}:{ctx.account}:{api_id}/*"
        b.add(
            f"perm{index}",
            "lambda",
            "add_permission",
            "create",
            f"permission {arn}",
            {
                "FunctionName": arn,
                "StatementId": f"apigw-mcp-{api_id}",
                "Action": "lambda:InvokeFunction",
                "Principal": "apigateway.amazonaws.com",
                "SourceArn": source,
            },
        )
        b.change("+", f"permission {arn.split(':function:')[-1]}", "", None, {"source_arn": source})


def _warn(b: _Builder, desired: HttpApiSpec) -> None:
    if desired.routes:
        b.warnings.append(
            f"{len(desired.routes)} route(s) have no authorization: anyone who knows the URL can call them."
        )
    if desired.cors and "*" in desired.cors.get("AllowOrigins", []):
        b.warnings.append("CORS allows any origin ('*').")
    if desired.cors:
        b.warnings.append("An HTTP API's CORS configuration replaces CORS headers sent by the backend.")
    if any(s.effect == "delete" for s in b.steps):
        b.warnings.append("This plan deletes live resources (listed with '-' in the diff).")


def _summary(name: str, live: LiveHttpApi | None, steps: list[Step]) -> str:
    if not steps:
        return f"No changes: HTTP API {name!r} ({live.api_id if live else '?'}) already matches the request."
    counts: dict[str, int] = {}
    for step in steps:
        counts[step.effect] = counts.get(step.effect, 0) + 1
    tally = ", ".join(f"{n} to {effect}" for effect, n in counts.items())
    target = f"HTTP API {name!r} ({live.api_id})" if live else f"new HTTP API {name!r}"
    return f"{len(steps)} AWS call(s) for {target}: {tally}."
