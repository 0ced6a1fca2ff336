"""REST APIs as the change path sees them (``base.Kind``): reads, checks, plans, state and undo."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from apigw_mcp.server.aws import AwsRuntime, Identity, gather
from apigw_mcp.server.kinds.base import Applied, Extras, PlanInputs, Restore
from apigw_mcp.server.reads.rest import read_rest_raw
from apigw_mcp.server.reads.v2 import function_policy
from apigw_mcp.tools.engine.errors import OutOfScope
from apigw_mcp.tools.engine.plan import Plan
from apigw_mcp.tools.engine.plan_builder import Builder
from apigw_mcp.tools.engine.scope import MANAGED_TAG, Scope, api_change_refusal
from apigw_mcp.tools.kinds.http.live import broad_statements, permission_covers, source_arns
from apigw_mcp.tools.kinds.http.planner import PlanContext, statement_id
from apigw_mcp.tools.kinds.rest import undo
from apigw_mcp.tools.kinds.rest.live import LiveRestApi, live_rest_api
from apigw_mcp.tools.kinds.rest.plan_checks import check_rest_spec
from apigw_mcp.tools.kinds.rest.plan_delete import plan_delete_rest_api
from apigw_mcp.tools.kinds.rest.planner import plan_rest_api, source_arn
from apigw_mcp.tools.kinds.rest.spec import RestApiSpec
from apigw_mcp.tools.kinds.rest.stage_edits import exact_stages_plan, with_canary_rollbacks
from apigw_mcp.tools.kinds.rest.stage_live import LiveRestStage, live_rest_stages


@dataclass(frozen=True)
class LiveRest:
    """A REST API as read: its parts, its stages, the account's CloudWatch role, and where it is served."""

    api: LiveRestApi
    stages: list[LiveRestStage]
    region: str
    cloudwatch_role: str | None = None

    @property
    def api_id(self) -> str:
        return self.api.api_id

    @property
    def endpoint(self) -> str:
        return rest_endpoint(self.api_id, self.region)


def rest_endpoint(api_id: str, region: str) -> str:
    return f"https://{api_id}.execute-api.{region}.amazonaws.com"


class RestKind:
    name = "REST"

    def supports(self, tool: str) -> str | None:
        return None  # every change tool has a REST form (a tool without one is refused by its wrapper)

    async def read(self, aws: AwsRuntime, api_id: str) -> LiveRest | None:
        raw = await read_rest_raw(aws, api_id)
        if raw is None:
            return None
        acls = {s["stageName"]: s["webAclArn"] for s in raw["stages"] if s.get("webAclArn")}
        return LiveRest(
            api=live_rest_api(raw),
            stages=live_rest_stages(raw["stages"], acls),
            region=aws.region,
            cloudwatch_role=raw["account"].get("cloudwatchRoleArn"),
        )

    def spec_of(self, live: LiveRest) -> RestApiSpec:
        return live.api.spec.model_copy(update={"stages": [s.spec for s in live.stages]})

    def check_changeable(self, scope: Scope, live: LiveRest, via_name: bool) -> None:
        name = live.api.spec.name
        refusal = api_change_refusal(
            scope, live.api_id, name, {MANAGED_TAG: "true"} if live.api.managed else {}
        )
        if refusal:
            prefix = f"name {name!r} belongs to an existing API: " if via_name else ""
            raise OutOfScope("api-scope", prefix + refusal)

    def check_written(self, desired: RestApiSpec, live: LiveRest | None, region: str, account: str) -> None:
        check_rest_spec(desired)

    def newly_wired(self, desired: RestApiSpec, live: LiveRest | None) -> list[str]:
        before = live.api.spec.functions() if live else {}
        return sorted(
            arn
            for arn, callers in desired.functions().items()
            if not set(callers) <= set(before.get(arn, []))
        )

    async def read_extras(
        self,
        aws: AwsRuntime,
        live: LiveRest | None,
        desired: RestApiSpec | None,
        identity: Identity,
        more_log_groups: Collection[str],
    ) -> Extras:
        """Each function's policy: does a statement already let this API invoke it for every caller?"""
        wanted = desired.functions() if desired else {}
        arns = sorted(set(wanted) | set(live.api.spec.functions() if live else {}))
        policies = await gather(*[lambda a=a: function_policy(aws, a) for a in arns])
        found = dict(zip(arns, policies, strict=True))
        ctx = PlanContext(Scope(region=aws.region), identity.account, identity.arn)
        covered = {
            arn: live is not None
            and permission_covers(
                source_arns(text), [source_arn(ctx, live.api_id, c) for c in wanted.get(arn, [])]
            )
            for arn, (_, text) in found.items()
        }
        sid = statement_id(live.api_id) if live else None
        ours = [
            arn
            for arn, (_, text) in found.items()
            if sid and text and f'"Sid":"{sid}"' in text.replace(" ", "")
        ]
        missing = [arn for arn, (exists, _) in found.items() if not exists and arn in wanted]
        broad = [w for arn, (_, text) in found.items() for w in broad_statements(arn, text, identity.account)]
        return Extras(covered, ours, set(), missing, broad, [], set())

    def plan(self, desired: RestApiSpec, live: LiveRest | None, inputs: PlanInputs) -> Plan:
        """With ``inputs.exact_stages`` (delete_stage, undo) a live stage the spec leaves out is deleted and a
        live canary it leaves out is rolled back; otherwise both are left as they are."""
        if live is not None and inputs.exact_stages:
            desired = with_canary_rollbacks(desired, live.stages)
        plan = plan_rest_api(
            live.api if live else None,
            desired,
            _context(inputs),
            permissions=inputs.permissions,
            live_stages=live.stages if live else (),
            deploy=bool(inputs.deploy),
            deploy_if_changed=inputs.deploy_if_changed,
            cloudwatch_role=live.cloudwatch_role if live else None,
        )
        if live is not None and inputs.exact_stages:
            plan = exact_stages_plan(plan, live.api, live.stages, desired)
        return _drop_statements(plan, live, desired, inputs)

    def plan_delete(self, live: LiveRest | None, inputs: PlanInputs) -> Plan:
        ctx = _context(inputs)
        if live is None:
            return Plan(
                summary="No changes: the API does not exist.",
                account=ctx.account,
                region=ctx.scope.region,
                caller=ctx.identity,
            )
        return plan_delete_rest_api(live.api, ctx, list(inputs.extras.statements))

    def state(self, ref: str, live: LiveRest | None, extras: Extras) -> dict[str, Any]:
        seen = (
            {
                "api": live.api.model_dump(mode="json"),
                "stages": [s.model_dump(mode="json") for s in live.stages],
            }
            if live
            else None
        )
        return {
            ref: seen,
            **{f"permission {arn}": ok for arn, ok in extras.permissions.items()},
            **{f"statement {arn}": arn in extras.statements for arn in extras.permissions},
        }

    def created(self, outputs: Mapping[str, Mapping[str, Any]], region: str) -> tuple[str | None, str | None]:
        api_id = outputs.get("api", {}).get("id")
        return (str(api_id), rest_endpoint(str(api_id), region)) if api_id else (None, None)

    def record(self, live: LiveRest | None, desired: RestApiSpec | None, applied: Applied) -> dict[str, Any]:
        before = self.spec_of(live) if live else None
        name = desired.name if desired else before.name if before else applied.api_id
        return undo.record_for(before, desired, applied.api_id, name, applied.permissions)

    def restore(self, record: dict[str, Any]) -> Restore[LiveRest, RestApiSpec]:
        parsed = undo.parse(record)

        def desired(live: LiveRest | None) -> tuple[RestApiSpec, list[str]]:
            if live is None and not parsed.deleted:
                raise ValueError(f"API {parsed.api_id} no longer exists")
            return undo.restored(parsed), []

        return Restore(
            parsed.api_id, parsed.name, parsed.created, parsed.deleted, parsed.permissions, [], desired
        )


def _context(inputs: PlanInputs) -> PlanContext:
    return PlanContext(inputs.scope, inputs.identity.account, inputs.identity.arn)


def _drop_statements(plan: Plan, live: LiveRest | None, desired: RestApiSpec, inputs: PlanInputs) -> Plan:
    """An undone apply's invoke statements go when the restored API no longer uses the function."""
    if live is None:
        return plan
    b = Builder(steps=list(plan.steps), diff=list(plan.diff), warnings=list(plan.warnings))
    used = desired.functions()
    for index, arn in enumerate(sorted(a for a in inputs.drop_statements if a not in used), start=1):
        params = {"FunctionName": arn, "StatementId": statement_id(live.api_id)}
        b.add(f"unperm{index}", "lambda", "remove_permission", "delete", f"permission {arn}", params)
        b.change("-", f"permission {arn.split(':function:')[-1]}")
    return plan.model_copy(update={"steps": b.steps, "diff": b.diff})


REST = RestKind()
