"""configure_usage_plan: a usage plan's limits, the REST API stages it meters and its API keys, as one state.

Attaching a stage to a usage plan changes the throttling and quota of that API's stage for every
keyed caller, so each API named in ``api_stages`` must be in the change scope (managed, listed in
APIGW_MCP_API_IDS or matching a name prefix), as for any other change to that API. API keys are
given by name and created (AWS generates the value) or linked; a key's value is never accepted,
read, shown or logged: the plan says how the user reads it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from apigw_mcp.server.aws import AwsRuntime, Identity, gather
from apigw_mcp.server.kinds.usage_plan import USAGE_PLAN, LiveUsage, UsageTarget
from apigw_mcp.server.mcp_tools.registry import Ctx, Out, Register, run_tool
from apigw_mcp.server.reads.usage import RestApiFacts, account_api_keys, rest_apis, usage_plan_id
from apigw_mcp.server.reconciler import Change
from apigw_mcp.server.runtime import Runtime
from apigw_mcp.tools.engine.errors import BadInput, OutOfScope
from apigw_mcp.tools.engine.scope import Scope, api_change_refusal
from apigw_mcp.tools.kinds.http.inputs import Description, Tags
from apigw_mcp.tools.kinds.rest.stage_spec import ThrottleSpec
from apigw_mcp.tools.kinds.rest.usage_inputs import ConfigureUsagePlanArgs, Name, UsageStageInput
from apigw_mcp.tools.kinds.rest.usage_live import account_key_ids
from apigw_mcp.tools.kinds.rest.usage_spec import QuotaSpec

TOOL = "configure_usage_plan"


def register_usage_tools(tool: Register, rt: Runtime) -> None:
    @tool(TOOL, "Configure a usage plan")
    async def configure_usage_plan(
        name: Name,
        api_stages: list[UsageStageInput],
        throttle: ThrottleSpec | None = None,
        quota: QuotaSpec | None = None,
        api_keys: list[Name] | None = None,
        description: Description = "",
        tags: Tags | None = None,
        dry_run: bool = True,
        plan_token: str = "",
        ctx: Ctx | None = None,
    ) -> Out:
        """A usage plan as one state: throttle, quota (DAY|WEEK|MONTH), REST API stages (APIs in scope;
        per-method throttles), API keys by name, created or linked; key values are never shown."""

        async def make() -> Change[LiveUsage, UsageTarget]:
            args = ConfigureUsagePlanArgs(
                name=name,
                api_stages=api_stages,
                throttle=throttle,
                quota=quota,
                api_keys=api_keys or [],
                description=description,
                tags=tags or {},
            )
            return await usage_plan_change(rt, args)

        return await run_tool(rt, make, dry_run, plan_token, ctx)


async def usage_plan_change(rt: Runtime, args: ConfigureUsagePlanArgs) -> Change[LiveUsage, UsageTarget]:
    """The change to the plan of ``args.name``: its stages' APIs found (by id or name) and in scope,
    their stages present, and the account's keys known, so the plan links rather than recreates them."""
    apis, keys, plan_id = await gather(
        lambda: rest_apis(rt.aws), lambda: account_api_keys(rt.aws), lambda: usage_plan_id(rt.aws, args.name)
    )
    ids = _resolve_apis(args, apis, rt.scope)
    await _check_stages(rt.aws, args, ids)
    spec = args.to_spec(ids)
    target = UsageTarget(spec, account_key_ids(keys), {i: apis[i] for i in set(ids.values())})

    def desired(live: LiveUsage | None, _: Identity) -> UsageTarget:
        return target

    dumped = args.model_dump(mode="json", exclude={"dry_run", "plan_token"})
    return Change(USAGE_PLAN, TOOL, dumped, desired, api_id=plan_id, name=args.name)


def _resolve_apis(
    args: ConfigureUsagePlanArgs, apis: Mapping[str, RestApiFacts], scope: Scope
) -> dict[str, str]:
    """REST API id by the id or name each stage gives; BadInput or OutOfScope naming the stage's field."""
    ids: dict[str, str] = {}
    for index, stage in enumerate(args.api_stages):
        field = f"api_stages.{index}.api_id"
        ref = stage.api_id
        named = [i for i, facts in apis.items() if facts.name == ref]
        if ref in apis:
            ids[ref] = ref
        elif len(named) == 1:
            ids[ref] = named[0]
        elif named:
            raise BadInput(
                field, f"{len(named)} REST APIs are named {ref!r} ({', '.join(sorted(named))}): give the id"
            )
        else:
            raise BadInput(field, f"no REST API {ref!r} in {scope.region}: list_apis shows what exists")
        facts = apis[ids[ref]]
        refusal = api_change_refusal(scope, ids[ref], facts.name, facts.tags)
        if refusal:
            raise OutOfScope("api-scope", f"{field}: {refusal}")
    return ids


async def _check_stages(aws: AwsRuntime, args: ConfigureUsagePlanArgs, ids: Mapping[str, str]) -> None:
    """AWS refuses a usage plan on a stage that does not exist (the sandbox accepts it): say so first."""
    distinct = sorted(set(ids.values()))
    found: list[dict[str, Any]] = await gather(
        *[lambda a=a: aws.call("apigateway", "get_stages", restApiId=a) for a in distinct]
    )
    stages = {
        a: {s["stageName"] for s in got.get("item", [])} for a, got in zip(distinct, found, strict=True)
    }
    for index, stage in enumerate(args.api_stages):
        api_id = ids[stage.api_id]
        if stage.stage not in stages[api_id]:
            raise BadInput(
                f"api_stages.{index}.stage",
                f"REST API {api_id} has no stage {stage.stage!r}: deploy_stage creates it",
            )
