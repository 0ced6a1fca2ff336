"""Usage plans as the change path sees them (``base.Kind``): the "API" a change names is the usage plan.

A usage plan is an account-level resource, but attaching a REST API stage to it changes that
stage's throttling and quota for every keyed caller, so a plan may be changed only while every
API stage it meters belongs to an API in scope, and a change may attach only stages of APIs in
scope (the guard judges each ``apiId`` it names). API keys are linked, unlinked or created, never
read with their values. An undo record keeps the plan as it was and the names of the keys the
apply created; undoing deletes those keys (a delete: only with deletes allowed) when they still
carry this server's managed tag.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from apigw_mcp.server.aws import AwsRuntime, Identity
from apigw_mcp.server.kinds.base import Applied, Extras, PlanInputs, Restore
from apigw_mcp.server.reads.usage import RestApiFacts, read_usage_plan_raw
from apigw_mcp.tools.engine.errors import OutOfScope
from apigw_mcp.tools.engine.handle import NOT_OURS
from apigw_mcp.tools.engine.plan import Plan
from apigw_mcp.tools.engine.plan_builder import Builder
from apigw_mcp.tools.engine.scope import MANAGED_TAG, Scope, api_change_refusal
from apigw_mcp.tools.kinds.rest.plan_usage import plan_usage_plan
from apigw_mcp.tools.kinds.rest.usage_live import LiveUsagePlan, account_key_ids, live_usage_plan
from apigw_mcp.tools.kinds.rest.usage_spec import UsagePlanSpec

TOOLS = frozenset({"configure_usage_plan", "undo"})


@dataclass(frozen=True)
class LiveUsage:
    """A usage plan as read, with the account's API keys (name -> id; ``managed``: those this server
    created) and the region's REST APIs, which its stages are judged against."""

    plan: LiveUsagePlan
    keys: dict[str, str]
    managed: dict[str, str]
    apis: dict[str, RestApiFacts]

    @property
    def api_id(self) -> str:
        return self.plan.plan_id

    @property
    def endpoint(self) -> str:
        return ""  # a usage plan is not invoked: it meters the stages it lists


@dataclass(frozen=True)
class UsageTarget:
    """What a change makes of a usage plan: its spec (None: the plan goes), the account's keys it may
    link (name -> id), the REST APIs its stages name, and keys to delete (an undone apply made them)."""

    spec: UsagePlanSpec | None
    keys: Mapping[str, str]
    apis: Mapping[str, RestApiFacts]
    drop_keys: Mapping[str, str] = field(default_factory=dict)


class UsageUndoRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")

    v: Literal[1] = 1
    kind: Literal["usage_plan"] = "usage_plan"
    plan_id: str = Field(pattern=r"^[A-Za-z0-9]{1,64}$")
    name: str = Field(max_length=128)
    created: bool = False
    before: dict[str, Any] | None = None
    new_keys: list[str] = Field(default_factory=list, max_length=100)


class UsagePlanKind:
    name = "USAGE_PLAN"

    def supports(self, tool: str) -> str | None:
        return None if tool in TOOLS else "this is a usage plan: configure_usage_plan changes it"

    async def read(self, aws: AwsRuntime, api_id: str) -> LiveUsage | None:
        raw = await read_usage_plan_raw(aws, api_id)
        if raw is None:
            return None
        managed = [k for k in raw.api_keys if (k.get("tags") or {}).get(MANAGED_TAG) == "true"]
        return LiveUsage(
            plan=live_usage_plan(raw.plan, raw.plan_keys, raw.api_keys),
            keys=account_key_ids(raw.api_keys),
            managed=account_key_ids(managed),
            apis=raw.apis,
        )

    def spec_of(self, live: LiveUsage) -> UsageTarget:
        return UsageTarget(live.plan.spec, live.keys, live.apis)

    def check_changeable(self, scope: Scope, live: LiveUsage, via_name: bool) -> None:
        """Its limits apply to every stage it meters: each of those APIs must be in scope."""
        for stage in live.plan.spec.api_stages:
            facts = live.apis.get(stage.api_id)
            if facts is None:
                continue  # the API is gone; its stage no longer meters anything
            refusal = api_change_refusal(scope, stage.api_id, facts.name, facts.tags)
            if refusal:
                raise OutOfScope(
                    "api-scope", f"usage plan {live.plan.spec.name!r} meters {stage.key}: {refusal}"
                )

    def check_written(self, desired: UsageTarget, live: LiveUsage | None, region: str, account: str) -> None:
        for index, stage in enumerate(desired.spec.api_stages if desired.spec else []):
            if stage.api_id not in desired.apis:
                raise ValueError(f"api_stages.{index}.api_id: no REST API {stage.api_id!r} in {region}")

    def newly_wired(self, desired: UsageTarget, live: LiveUsage | None) -> list[str]:
        return []  # a usage plan wires no Lambda function

    async def read_extras(
        self,
        aws: AwsRuntime,
        live: LiveUsage | None,
        desired: UsageTarget | None,
        identity: Identity,
        more_log_groups: Collection[str],
    ) -> Extras:
        """The REST APIs whose stages the plan names (now or after), for the guard to judge in scope."""
        named = {s.api_id for s in live.plan.spec.api_stages} if live else set()
        named |= {s.api_id for s in desired.spec.api_stages} if desired and desired.spec else set()
        facts = {**(live.apis if live else {}), **(desired.apis if desired else {})}
        apis = {a: (facts[a].name, facts[a].tags) for a in sorted(named) if a in facts}
        return Extras({}, [], set(), [], [], [], set(), other_apis=apis)

    def plan(self, desired: UsageTarget, live: LiveUsage | None, inputs: PlanInputs) -> Plan:
        b = Builder()
        before = live.plan if live else None
        if desired.spec is None and before is not None:
            kept = {n: i for n, i in before.key_ids.items() if i not in desired.drop_keys.values()}
            before = before.model_copy(update={"key_ids": kept})  # no "keys stay" note for keys deleted
        plan_usage_plan(b, before, desired.spec, account_keys=dict(desired.keys))
        for index, (name, key_id) in enumerate(sorted(desired.drop_keys.items()), start=1):
            b.add(
                f"del_key_{index}",
                "apigateway",
                "delete_api_key",
                "delete",
                f"API key {name}",
                {"apiKey": key_id},
            )
            b.change("-", f"API key {name}", "", key_id, None)
        name = desired.spec.name if desired.spec else live.plan.spec.name if live else ""
        return _plan(b, name, inputs)

    def plan_delete(self, live: LiveUsage | None, inputs: PlanInputs) -> Plan:
        b = Builder()
        plan_usage_plan(b, live.plan if live else None, None)
        return _plan(b, live.plan.spec.name if live else "", inputs)

    def state(self, ref: str, live: LiveUsage | None, extras: Extras) -> dict[str, Any]:
        seen = {"plan": live.plan.model_dump(mode="json"), "keys": live.keys} if live else None
        return {ref: seen}

    def created(self, outputs: Mapping[str, Mapping[str, Any]], region: str) -> tuple[str | None, str | None]:
        plan_id = outputs.get("usage_plan", {}).get("id")
        return (str(plan_id), None) if plan_id else (None, None)

    def record(self, live: LiveUsage | None, desired: UsageTarget | None, applied: Applied) -> dict[str, Any]:
        spec = desired.spec if desired else None
        known = desired.keys if desired else {}
        record = UsageUndoRecord(
            plan_id=applied.api_id,
            name=spec.name if spec else live.plan.spec.name if live else applied.api_id,
            created=live is None,
            before=live.plan.spec.model_dump(mode="json", exclude_defaults=True) if live else None,
            new_keys=[k.name for k in spec.api_keys if k.name not in known] if spec else [],
        )
        return {**record.model_dump(mode="json", exclude_defaults=True), "kind": record.kind}

    def restore(self, record: dict[str, Any]) -> Restore[LiveUsage, UsageTarget]:
        parsed = _parse(record)

        def desired(live: LiveUsage | None) -> tuple[UsageTarget, list[str]]:
            if live is None:
                raise ValueError(f"usage plan {parsed.plan_id} no longer exists")
            drop = {n: live.managed[n] for n in parsed.new_keys if n in live.managed}
            return UsageTarget(_restored(parsed), live.keys, live.apis, drop), []

        # ``created`` stays False: removing a created plan also deletes the keys the apply made,
        # which only this kind's plan (not a plain delete) knows.
        return Restore(parsed.plan_id, parsed.name, False, False, [], [], desired)


def _parse(data: dict[str, Any]) -> UsageUndoRecord:
    try:
        record = UsageUndoRecord.model_validate(data)
    except ValidationError:
        raise ValueError(NOT_OURS) from None
    if record.created == (record.before is not None):
        raise ValueError(NOT_OURS)
    return record


def _restored(record: UsageUndoRecord) -> UsagePlanSpec | None:
    """The plan as it was (None: the apply created it), validated like any desired spec."""
    if record.before is None:
        return None
    try:
        return UsagePlanSpec.model_validate(record.before)
    except ValidationError as error:
        first = error.errors()[0]
        raise ValueError(f"undo record {'.'.join(str(p) for p in first['loc'])}: {first['msg']}") from None


def _plan(b: Builder, name: str, inputs: PlanInputs) -> Plan:
    summary = f"usage plan {name}: {len(b.steps)} step(s)" if b.steps else f"No changes: usage plan {name}."
    return b.plan(summary, inputs.identity.account, inputs.scope.region, inputs.identity.arn)


USAGE_PLAN = UsagePlanKind()
