"""Reconcile a desired HTTP API spec against the live one into an ordered plan (pure).

Order matters to AWS: the API, then authorizers and integrations, then routes that
point at them, then deletes of what no route uses, then log groups, stages,
explicit deployments and Lambda permissions.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from apigw_mcp.tools.engine.guard import STATEMENT_PREFIX
from apigw_mcp.tools.engine.plan import Plan
from apigw_mcp.tools.engine.plan_builder import Builder
from apigw_mcp.tools.engine.scope import MANAGED_TAG, Scope
from apigw_mcp.tools.kinds.http.live import LiveHttpApi
from apigw_mcp.tools.kinds.http.plan_routes import (
    plan_authorizers,
    plan_cleanup,
    plan_integrations,
    plan_routes,
)
from apigw_mcp.tools.kinds.http.plan_stages import plan_log_groups, plan_stages
from apigw_mcp.tools.kinds.http.spec import HttpApiSpec
from apigw_mcp.tools.kinds.http.trust import trust_warnings

API_REF = "${api}"


@dataclass(frozen=True)
class PlanContext:
    scope: Scope
    account: str
    identity: str
    partition: str = "aws"


@dataclass(frozen=True)
class LiveExtras:
    """Live facts outside the API itself: Lambda permissions and log groups that already exist."""

    permissions: Mapping[str, bool] = field(default_factory=dict)
    log_groups: Collection[str] = ()
    deploy: Collection[str] = ()


def plan_http_api(
    desired: HttpApiSpec, live: LiveHttpApi | None, extras: LiveExtras, ctx: PlanContext
) -> Plan:
    """Steps that turn ``live`` (None: absent) into ``desired``; empty when they already match."""
    b = Builder()
    api_id = live.api_id if live else API_REF
    if live is None:
        _create_api(b, desired)
    else:
        _update_api(b, desired, live, ctx)
    authorizer_ids = plan_authorizers(b, desired, live, api_id, ctx.scope.region, ctx.partition)
    integration_ids = plan_integrations(b, desired, live, api_id)
    plan_routes(b, desired, live, api_id, integration_ids, authorizer_ids)
    plan_cleanup(b, desired, live, integration_ids)
    plan_log_groups(b, desired, extras.log_groups)
    plan_stages(b, desired, live, api_id, extras.deploy)
    _permissions(b, desired, extras.permissions, api_id, ctx)
    _warn(b, desired, live, extras.deploy)
    return b.plan(summary(desired.name, live, b), ctx.account, ctx.scope.region, ctx.identity)


def _create_api(b: Builder, desired: HttpApiSpec) -> None:
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
    summary_row = {
        "protocol": "HTTP",
        **({"description": desired.description} if desired.description else {}),
    }
    b.change("+", f"api {desired.name}", "", None, summary_row)
    if desired.cors:
        b.change("+", "cors", "", None, desired.cors)


def _update_api(b: Builder, desired: HttpApiSpec, live: LiveHttpApi, ctx: PlanContext) -> None:
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
    # An API in scope by id or name prefix is changed as it is: never tagged managed behind the user's back.
    wanted = {k: v for k, v in desired.tags.items() if current.tags.get(k) != v}
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


def statement_id(api_id: str) -> str:
    return f"{STATEMENT_PREFIX}{api_id}"


def _permissions(
    b: Builder, desired: HttpApiSpec, permissions: Mapping[str, bool], api_id: str, ctx: PlanContext
) -> None:
    for index, arn in enumerate(desired.functions(), start=1):
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
                "StatementId": statement_id(api_id),
                "Action": "lambda:InvokeFunction",
                "Principal": "apigateway.amazonaws.com",
                "SourceArn": source,
            },
        )
        b.change("+", f"permission {arn.split(':function:')[-1]}", "", None, {"source_arn": source})


def _warn(b: Builder, desired: HttpApiSpec, live: LiveHttpApi | None, deploying: Collection[str]) -> None:
    for warning in trust_warnings(desired, live):
        b.warn(warning)
    open_routes = [
        k for k, r in desired.routes.items() if r.authorization == "NONE" and not k.startswith("OPTIONS ")
    ]
    if open_routes:
        b.warn(f"{len(open_routes)} route(s) have no authorization: anyone who knows the URL can call them.")
    if desired.cors and "*" in desired.cors.get("AllowOrigins", []):
        b.warn("CORS allows any origin ('*').")
    if desired.cors:
        b.warn("An HTTP API's CORS configuration replaces CORS headers sent by the backend.")
    _uneven_stages(b, desired)
    if any(s.effect == "delete" for s in b.steps):
        b.warn("This plan deletes live resources (listed with '-' in the diff).")
    touches_routes = any(s.operation.endswith(("_route", "_integration", "_authorizer")) for s in b.steps)
    manual = sorted(n for n, s in desired.stages.items() if not s.auto_deploy and n not in deploying)
    if touches_routes and live is not None and manual:
        b.warn(
            f"Stage(s) {', '.join(manual)} do not auto-deploy: call deploy_stage with deploy=true to publish."
        )


def _uneven_stages(b: Builder, desired: HttpApiSpec) -> None:
    """Every stage is its own door to the same backends: one left open next to a guarded one is said."""
    for what, has in (
        ("throttling", lambda s: s.throttle is not None),
        ("access logs", lambda s: s.access_log),
    ):
        with_it = sorted(n for n, s in desired.stages.items() if has(s))
        without = sorted(n for n, s in desired.stages.items() if not has(s))
        if with_it and without:
            b.warn(
                f"Stage(s) {', '.join(without)} have no {what} while {', '.join(with_it)} do: "
                "each stage serves the same routes."
            )


def summary(name: str, live: LiveHttpApi | None, b: Builder) -> str:
    return b.summary(f"HTTP API {name!r}", live.api_id if live else None)
