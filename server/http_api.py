"""create_http_api: read the live state, plan, guard, then preview or apply with a matching token."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from apigw_mcp.tools import guard
from apigw_mcp.tools.errors import BadInput, OutOfScope
from apigw_mcp.tools.http_live import (
    LiveHttpApi,
    invoke_arns,
    live_http_api,
    permission_covers,
    source_arns,
)
from apigw_mcp.tools.http_planner import PlanContext, plan_http_api
from apigw_mcp.tools.http_spec import CreateHttpApiArgs, HttpApiSpec
from apigw_mcp.tools.results import ChangeResult
from apigw_mcp.tools.scope import Scope, api_change_refusal, lambda_refusal
from apigw_mcp.tools.token import check_token, make_token
from apigw_mcp.tools.validate import lambda_region_account

from .audit import AuditLog
from .aws import AwsRuntime, Identity, gather
from .executor import execute
from .http_reads import all_v2_apis, api_parts, function_policy


@dataclass(frozen=True)
class Runtime:
    """What a tool call needs from the server: AWS access, the scope and the audit log."""

    aws: AwsRuntime
    scope: Scope
    audit: AuditLog


def _spec(args: CreateHttpApiArgs) -> HttpApiSpec:
    try:
        return args.spec()
    except ValueError as error:
        field, _, message = str(error).partition(": ")
        raise BadInput(field, message) from None


def _check_functions(args: CreateHttpApiArgs, scope: Scope, account: str | None) -> None:
    """Lambda ARNs must be in this region and account (without an account yet: the region alone)."""
    for index, route in enumerate(args.routes):
        if route.lambda_arn is None:
            continue
        field = f"routes.{index}.lambda_arn"
        arn_region, arn_account = lambda_region_account(route.lambda_arn)
        if arn_region != scope.region:
            raise BadInput(
                field, f"{route.lambda_arn} must be in region {scope.region}, where this server works"
            )
        if account is None:
            continue
        if arn_account != account:
            raise BadInput(field, f"{route.lambda_arn} must be in account {account}, where this server works")
        refusal = lambda_refusal(scope, route.lambda_arn, account)
        if refusal:
            raise OutOfScope("lambda-scope", f"{field}: {refusal}")


def _find_live_id(apis: list[dict[str, Any]], name: str, scope: Scope) -> str | None:
    same = [a for a in apis if a.get("Name") == name and a.get("ProtocolType") == "HTTP"]
    if not same:
        return None
    if len(same) > 1:
        ids = ", ".join(a["ApiId"] for a in same)
        raise BadInput(
            "name", f"{len(same)} HTTP APIs are named {name!r} ({ids}); rename one so the name is unique"
        )
    refusal = api_change_refusal(scope, same[0]["ApiId"], name, same[0].get("Tags"))
    if refusal:
        raise OutOfScope("api-scope", f"name {name!r} belongs to an existing API: {refusal}")
    return str(same[0]["ApiId"])


def _permission_state(
    spec: HttpApiSpec,
    live: LiveHttpApi | None,
    policies: dict[str, str | None],
    scope: Scope,
    identity: Identity,
) -> dict[str, bool]:
    """Per Lambda ARN: does an existing statement already let this API invoke every route using it?"""
    if live is None:
        return dict.fromkeys(policies, False)
    stages = sorted(set(live.stages) | ({"$default"} if spec.default_stage else set())) or ["$default"]
    covered: dict[str, bool] = {}
    for arn, policy in policies.items():
        needed = [
            invoke_arn
            for key, target in spec.routes.items()
            if target.uri == arn
            for stage in stages
            for invoke_arn in invoke_arns("aws", scope.region, identity.account, live.api_id, stage, key)
        ]
        covered[arn] = permission_covers(source_arns(policy), needed)
    return covered


async def _read_live(rt: Runtime, api_id: str) -> LiveHttpApi:
    parts = await api_parts(rt.aws, api_id, with_authorizers=False)
    return live_http_api(parts["api"], parts["routes"], parts["integrations"], parts["stages"])


async def create_http_api(
    rt: Runtime, args: CreateHttpApiArgs, dry_run: bool, plan_token: str | None
) -> ChangeResult:
    spec = _spec(args)
    if not dry_run and not plan_token:
        raise BadInput(
            "plan_token", "required with dry_run=false: run with dry_run=true and pass its plan.token"
        )
    _check_functions(args, rt.scope, None)
    arns = sorted({r.lambda_arn for r in args.routes if r.lambda_arn})
    identity, apis, *found = await gather(
        rt.aws.identity, lambda: all_v2_apis(rt.aws), *[lambda a=a: function_policy(rt.aws, a) for a in arns]
    )
    _check_functions(args, rt.scope, identity.account)
    missing = [arn for arn, (exists, _) in zip(arns, found, strict=True) if not exists]
    if missing:
        raise BadInput(
            "routes.lambda_arn", f"Lambda function {missing[0]} does not exist in {rt.scope.region}"
        )
    live_id = _find_live_id(apis, args.name, rt.scope)
    live = await _read_live(rt, live_id) if live_id else None
    policies = {arn: policy for arn, (_, policy) in zip(arns, found, strict=True)}
    permissions = _permission_state(spec, live, policies, rt.scope, identity)
    plan = plan_http_api(spec, live, permissions, PlanContext(rt.scope, identity.account, identity.arn))
    guard.enforce(plan, rt.scope, {live.api_id} if live else set())
    state = {
        f"api {args.name}": live.model_dump() if live else None,
        **{f"permission {arn}": ok for arn, ok in permissions.items()},
    }
    plan.token = make_token(
        args.model_dump(mode="json"), rt.scope.model_dump(mode="json"), identity.arn, state, plan.steps
    )
    result = ChangeResult(
        plan=plan, api_id=live.api_id if live else None, endpoint=live.endpoint if live else None
    )
    if dry_run or not plan.steps:
        return result
    check_token(str(plan_token), plan.token, state)
    applied, outputs = await execute(rt.aws, plan, "create_http_api", rt.audit)
    created = outputs.get("api", {})
    applied.api_id = live.api_id if live else created.get("ApiId")
    applied.endpoint = live.endpoint if live else created.get("ApiEndpoint")
    return applied
