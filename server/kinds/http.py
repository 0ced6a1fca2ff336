"""HTTP APIs as the change path sees them (``base.Kind``): reads, checks, plans, state and undo.

Independent reads run concurrently."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from apigw_mcp.server.aws import AwsRuntime, Identity, gather
from apigw_mcp.server.kinds.base import Applied, Extras, PlanInputs, Restore
from apigw_mcp.server.reads.v2 import api_parts, function_policy
from apigw_mcp.tools.engine.errors import AwsCallFailed, OutOfScope
from apigw_mcp.tools.engine.plan import Plan
from apigw_mcp.tools.engine.scope import MANAGED_TAG, Scope, api_change_refusal
from apigw_mcp.tools.engine.validate import partition_of
from apigw_mcp.tools.kinds.http import undo
from apigw_mcp.tools.kinds.http.live import (
    LiveHttpApi,
    authorizer_arn,
    broad_statements,
    invoke_arns,
    live_http_api,
    permission_covers,
    source_arns,
    statement_ids,
)
from apigw_mcp.tools.kinds.http.plan_delete import plan_delete_api, plan_leftovers
from apigw_mcp.tools.kinds.http.plan_stages import kept_throttles, log_group_name
from apigw_mcp.tools.kinds.http.planner import LiveExtras, PlanContext, plan_http_api, statement_id
from apigw_mcp.tools.kinds.http.spec import DEFAULT_STAGE, HttpApiSpec
from apigw_mcp.tools.kinds.http.spec_check import check_written


class HttpKind:
    name = "HTTP"

    def supports(self, tool: str) -> str | None:
        return None  # every change tool today is an HTTP API tool

    async def read(self, aws: AwsRuntime, api_id: str) -> LiveHttpApi | None:
        try:
            parts = await api_parts(aws, api_id)
        except AwsCallFailed as error:
            if error.code == "NotFoundException" or error.status in (400, 404):
                return None
            raise
        if parts["api"].get("ProtocolType", "HTTP") != "HTTP":
            return None
        return live_http_api(
            parts["api"], parts["routes"], parts["integrations"], parts["stages"], parts["authorizers"]
        )

    def spec_of(self, live: LiveHttpApi) -> HttpApiSpec:
        return live.spec

    def check_changeable(self, scope: Scope, live: LiveHttpApi, via_name: bool) -> None:
        refusal = api_change_refusal(
            scope, live.api_id, live.spec.name, {"apigw-mcp:managed": "true"} if live.managed else {}
        )
        if refusal:
            prefix = f"name {live.spec.name!r} belongs to an existing API: " if via_name else ""
            raise OutOfScope("api-scope", prefix + refusal)

    def check_written(
        self, desired: HttpApiSpec, live: LiveHttpApi | None, region: str, account: str
    ) -> None:
        check_written(desired, live.spec if live else None, region, account)

    def newly_wired(self, desired: HttpApiSpec, live: LiveHttpApi | None) -> list[str]:
        routes = live.spec.routes if live else {}
        authorizers = live.spec.authorizers if live else {}
        found = {
            route.integration.uri
            for key, route in desired.routes.items()
            if route.integration and route.integration.type == "AWS_PROXY" and routes.get(key) != route
        }
        found |= {
            a.function_arn
            for name, a in desired.authorizers.items()
            if a.function_arn and authorizers.get(name) != a
        }
        return sorted(found)

    async def read_extras(
        self,
        aws: AwsRuntime,
        live: LiveHttpApi | None,
        desired: HttpApiSpec | None,
        identity: Identity,
        more_log_groups: Collection[str],
    ) -> Extras:
        return await _read_extras(aws, live, desired, identity, more_log_groups)

    def plan(self, desired: HttpApiSpec, live: LiveHttpApi | None, inputs: PlanInputs) -> Plan:
        extras = inputs.extras
        live_extras = LiveExtras(inputs.permissions, extras.log_groups, inputs.deploy)
        return _leftovers(plan_http_api(desired, live, live_extras, _context(inputs)), desired, live, inputs)

    def plan_delete(self, live: LiveHttpApi | None, inputs: PlanInputs) -> Plan:
        ctx = _context(inputs)
        if live is None:
            plan = Plan(
                summary="No changes: the API does not exist.",
                account=ctx.account,
                region=ctx.scope.region,
                caller=ctx.identity,
            )
        else:
            plan = plan_delete_api(live, inputs.extras.statements, ctx)
        return _leftovers(plan, None, live, inputs)

    def state(self, ref: str, live: LiveHttpApi | None, extras: Extras) -> dict[str, Any]:
        return {
            ref: live.model_dump(mode="json") if live else None,
            **{f"permission {arn}": ok for arn, ok in extras.permissions.items()},
            **{f"statement {arn}": arn in extras.statements for arn in extras.permissions},
            **{
                f"log group {name}": name in extras.managed_log_groups or name in extras.log_groups
                for name in extras.checked_log_groups
            },
        }

    def created(self, outputs: Mapping[str, Mapping[str, Any]], region: str) -> tuple[str | None, str | None]:
        api = outputs.get("api", {})
        return api.get("ApiId"), api.get("ApiEndpoint")

    def record(
        self, live: LiveHttpApi | None, desired: HttpApiSpec | None, applied: Applied
    ) -> dict[str, Any]:
        before = live.spec if live else None
        name = desired.name if desired else before.name if before else applied.api_id
        record = undo.record_for(
            before, desired, applied.api_id, name, applied.permissions, applied.log_groups
        )
        return undo.sealable(record)

    def restore(self, record: dict[str, Any]) -> Restore[LiveHttpApi, HttpApiSpec]:
        parsed = undo.parse(record)

        def desired(live: LiveHttpApi | None) -> tuple[HttpApiSpec, list[str]]:
            if live is None and not parsed.deleted:
                raise ValueError(f"API {parsed.api_id} no longer exists")
            restored = undo.restore(parsed, live.spec if live else HttpApiSpec(name=parsed.name))
            return restored, kept_throttles(restored, live.spec if live else None)

        return Restore(
            parsed.api_id,
            parsed.name,
            parsed.created,
            parsed.deleted,
            parsed.permissions,
            parsed.log_groups,
            desired,
        )


def _context(inputs: PlanInputs) -> PlanContext:
    return PlanContext(inputs.scope, inputs.identity.account, inputs.identity.arn)


def _leftovers(plan: Plan, desired: HttpApiSpec | None, live: LiveHttpApi | None, inputs: PlanInputs) -> Plan:
    extras = inputs.extras
    return plan_leftovers(
        plan,
        desired,
        live,
        extras.managed_log_groups,
        extras.log_groups,
        inputs.drop_log_groups,
        inputs.drop_statements,
    )


async def _read_extras(
    rt: AwsRuntime,
    live: LiveHttpApi | None,
    desired: HttpApiSpec | None,
    identity: Identity,
    more_log_groups: Collection[str],
) -> Extras:
    """Lambda policies (does this API already hold an invoke permission?) and which log groups exist."""
    arns = sorted(set((desired.functions() if desired else []) + (live.spec.functions() if live else [])))
    tagged = set(more_log_groups)
    logs = [
        s.access_log.destination_arn for s in (desired.stages.values() if desired else []) if s.access_log
    ]
    names = sorted({log_group_name(a) for a in logs} | tagged)
    results = await gather(
        *[lambda a=a: function_policy(rt, a) for a in arns],
        *[lambda n=n: _log_group_state(rt, n, n in tagged, identity) for n in names],
    )
    policies, groups = results[: len(arns)], dict(zip(names, results[len(arns) :], strict=True))
    wanted = set(desired.functions()) if desired else set()
    missing = [arn for arn, (found, _) in zip(arns, policies, strict=True) if not found and arn in wanted]
    texts = {arn: policy for arn, (_, policy) in zip(arns, policies, strict=True)}
    ours = [arn for arn, text in texts.items() if live and statement_id(live.api_id) in statement_ids(text)]
    covered = {arn: _covers(arn, texts[arn], live, desired, rt.region, identity) for arn in arns}
    broad = [w for arn in arns for w in broad_statements(arn, texts[arn], identity.account)]
    exists = {n for n, state in groups.items() if state != "absent"}
    managed = {n for n, state in groups.items() if state == "managed"}
    return Extras(covered, ours, exists, missing, broad, names, managed)


async def _log_group_state(rt: AwsRuntime, name: str, read_tags: bool, identity: Identity) -> str:
    """absent, present, or managed (tagged by this server when it created the group)."""
    groups = await rt.paginate("logs", "describe_log_groups", "logGroups", logGroupNamePrefix=name)
    if not any(g.get("logGroupName") == name for g in groups):
        return "absent"
    if not read_tags:
        return "present"
    arn = f"arn:{partition_of(rt.region)}:logs:{rt.region}:{identity.account}:log-group:{name}"
    tags = (await rt.call("logs", "list_tags_for_resource", resourceArn=arn)).get("tags") or {}
    return "managed" if tags.get(MANAGED_TAG) == "true" else "present"


def _covers(
    arn: str,
    policy: str | None,
    live: LiveHttpApi | None,
    desired: HttpApiSpec | None,
    region: str,
    identity: Identity,
) -> bool:
    """Does a statement already let this API invoke ``arn`` for every route and authorizer using it?"""
    if live is None or desired is None:
        return False
    stages = sorted(desired.stages) or [DEFAULT_STAGE]
    needed = [
        invoke
        for key, route in desired.routes.items()
        if route.integration and route.integration.uri == arn
        for stage in stages
        for invoke in invoke_arns("aws", region, identity.account, live.api_id, stage, key)
    ]
    for name, authorizer in desired.authorizers.items():
        if authorizer.function_arn == arn:
            authorizer_id = live.authorizer_ids.get(name, "new")
            needed.append(authorizer_arn("aws", region, identity.account, live.api_id, authorizer_id))
    return permission_covers(source_arns(policy), needed)


HTTP = HttpKind()
