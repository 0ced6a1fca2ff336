"""AWS failing at every step of every mutating tool's plan: exact report, audit, and an undo that restores.

Each scenario (``faults_scenarios.py``) builds what its tool needs through the tools, on a
server whose write clients can carry a botocore ``before-call`` fault (``faults_support``).
For every step k of the tool's plan (a subtest each) a fault persists through every retry of
``server/writes.py``; its kind cycles over a 429 throttle, a 500, a read timeout (raised before
the request is sent, so moto never saw it) and a 403 AccessDenied, so each tool x step is
covered once. The apply must report applied == steps[:k-1] (live ids; their request ids in the
k-1 audit lines), failed == step k (a resource of the diff, code, and the request id of AWS
errors), remaining == steps[k:], and its undo handle must bring the normalised snapshot back to
the state before the apply.
That restored state is where step k+1 starts (after a failed subtest the sandbox is rebuilt).
Last, transient faults (the first attempt of every step) are retried to a complete apply that
sends each write to the sandbox exactly once.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from mcp import Client

from apigw_mcp.server.aws import AwsRuntime
from apigw_mcp.server.sandbox.ext import SeedInfo

from .conftest import ClientFactory
from .faults_scenarios import SCENARIOS, Env, Scenario, make_functions
from .faults_support import (
    ERROR_BY_NAME,
    REQUEST_ID,
    Fault,
    MakeError,
    api_id_named,
    applied_ids,
    differences,
    fault_server,
    fresh_sandbox,
    live_ids,
    service_operation,
    snapshot,
    touches,
)
from .helpers import call_ok, calls, full_steps, ops, preview_and_apply, sandbox_client, text_of
from .recorder import Recording

pytestmark = pytest.mark.anyio

KINDS = [ERROR_BY_NAME[name] for name in ("throttled", "server_error", "read_timeout", "access_denied")]
TRANSIENT = [ERROR_BY_NAME[name][1] for name in ("throttled", "server_error", "read_timeout")]
CREATES = {"create_api", "create_route", "create_integration", "create_authorizer", "create_stage"}
Kind = tuple[str, MakeError, list[str]]
Steps = list[dict[str, Any]]


def kind_at(name: str, k: int) -> Kind:
    """The fault kind of step k, cycling over every scenario's steps in order."""
    names = list(SCENARIOS)
    before = sum(SCENARIOS[n].steps for n in names[: names.index(name)])
    return KINDS[(before + k - 1) % len(KINDS)]


def audit_lines(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []


def fault_at(runtime: AwsRuntime, steps: Steps, k: int, make: MakeError) -> Fault:
    """A persistent fault at step k: the n-th call of its operation, n counted over steps 1..k."""
    service, operation = service_operation(steps[k - 1])
    nth = sum(1 for s in steps[:k] if s["call"] == steps[k - 1]["call"])
    fault = Fault(runtime, operation, nth, make(operation), service=service)
    fault.armed = True
    return fault


def check_report(outcome: dict[str, Any], plan: dict[str, Any], k: int, kind: Kind) -> None:
    """Applied, failed and remaining as the plan's steps say, each resource the one its step touches."""
    operations = ops(plan)
    assert outcome["applied"] == k - 1
    assert [operation for operation, _ in applied_ids(outcome)] == operations[: k - 1]
    for _, resource_id in applied_ids(outcome):
        assert resource_id and "${" not in resource_id, resource_id
    failed = outcome["failed"]
    assert failed["call"] == operations[k - 1]
    assert touches(plan, k - 1, failed["resource"]), (failed["resource"], plan["steps"][k - 1])
    error = failed["error"]
    assert full_steps(plan)[k - 1]["call"] in error and "\n" not in error
    for fragment in kind[2] + ([] if kind[0] == "read_timeout" else [REQUEST_ID]):
        assert fragment in error, (fragment, error)
    remaining = [item.split(" ", 1) for item in outcome.get("remaining", [])]
    assert [operation for operation, _ in remaining] == operations[k:]
    unnamed = [r for i, (_, r) in enumerate(remaining, start=k) if not touches(plan, i, r)]
    assert unnamed == [], (unnamed, plan["diff"])


@dataclass
class World:
    """The test's server session, sandbox and recording, and the scenario's arguments on the current state."""

    session: Client
    runtime: AwsRuntime
    recording: Recording
    endpoint: str
    audit: Path
    args: dict[str, Any] = field(default_factory=dict)

    async def build(self, scenario: Scenario, seed: SeedInfo) -> None:
        env = Env(self.endpoint, make_functions(self.endpoint, seed))
        self.args = await scenario.setup(self.session, env)

    def refresh(self, scenario: Scenario) -> None:
        """After an undo recreated the API (delete_api), the arguments name its new id."""
        if "api_id" in self.args:
            self.args["api_id"] = api_id_named(self.endpoint, scenario.api) or self.args["api_id"]

    async def apply(self, scenario: Scenario, plan: dict[str, Any]) -> dict[str, Any]:
        apply = {**self.args, "dry_run": False, "plan_token": plan["token"]}
        return await call_ok(self.session, scenario.tool, apply)


async def fault_at_step(world: World, scenario: Scenario, k: int, kind: Kind) -> None:
    before, audited = snapshot(world.endpoint, scenario.api), len(audit_lines(world.audit))
    plan = (await call_ok(world.session, scenario.tool, world.args))["plan"]
    steps = full_steps(plan)
    assert len(steps) == scenario.steps, ops(plan)
    fault = fault_at(world.runtime, steps, k, kind[1])
    world.recording.clear()
    try:
        outcome = await world.apply(scenario, plan)
    finally:
        fault.armed = False
    assert fault.raised == (1 if kind[0] == "access_denied" else 4)
    assert len(world.recording.writes()) == k - 1, world.recording.writes()
    check_report(outcome, plan, k, kind)
    lines = [json.loads(line) for line in audit_lines(world.audit)[audited:]]
    assert [line["operation"] for line in lines] == [s["call"] for s in steps[: k - 1]]
    assert all(line["request_id"] for line in lines), lines
    created = {i for o, i in applied_ids(outcome) if o in CREATES}
    assert created <= (live_ids(world.endpoint, outcome["api_id"]) if created else set())
    if k == 1:
        assert not differences(before, snapshot(world.endpoint, scenario.api))
        if "undo" in outcome:
            undo = await call_ok(world.session, "undo", {"handle": outcome["undo"]})
            assert "steps" not in undo["plan"], undo["plan"]["steps"]
        return
    undone = await preview_and_apply(world.session, {"handle": outcome["undo"]}, tool="undo")
    assert "failed" not in undone, undone["failed"]
    left = differences(before, snapshot(world.endpoint, scenario.api))
    # AWS cannot remove an HTTP API stage's default throttling in place; the undo plan says it stays.
    kept = [d for d in left if "/DefaultRouteSettings/Throttling" in d and ": None -> " in d]
    assert kept == [] or any("keeps its default throttling" in w for w in undone["preview"]["warnings"])
    assert [d for d in left if d not in kept] == []


class FirstAttempts:
    """Fails the first attempt of every write (so every other call), cycling the transient kinds."""

    def __init__(self, runtime: AwsRuntime) -> None:
        self.calls = 0
        self.failed: list[str] = []
        for service in ("apigatewayv2", "lambda", "logs"):
            runtime.client(service, retries=False).meta.events.register("before-call", self)

    def __call__(self, model: Any, **_: Any) -> None:
        self.calls += 1
        if self.calls % 2:
            make = TRANSIENT[len(self.failed) % len(TRANSIENT)]
            self.failed.append(model.name)
            raise make(model.name)


async def transient_faults(world: World, scenario: Scenario) -> None:
    audited = len(audit_lines(world.audit))
    plan = (await call_ok(world.session, scenario.tool, world.args))["plan"]
    faults = FirstAttempts(world.runtime)
    world.recording.clear()
    outcome = await world.apply(scenario, plan)
    operations = ops(plan)
    assert "failed" not in outcome, outcome["failed"]
    assert outcome["applied"] == len(operations)
    assert len(faults.failed) == len(operations) and faults.calls == 2 * len(operations)
    assert len(world.recording.writes()) == len(operations), world.recording.writes()
    lines = [json.loads(line) for line in audit_lines(world.audit)[audited:]]
    assert [line["operation"] for line in lines] == calls(plan)
    assert not any("reply was lost" in w for w in outcome["plan"].get("warnings", []))
    after = snapshot(world.endpoint, scenario.api)
    assert len(after["apis"]) == (0 if scenario.tool == "delete_api" else 1)
    for api in after["apis"]:
        assert all(len(shapes) == 1 for shapes in api["integrations"].values()), api["integrations"]
        names = [authorizer[0] for authorizer in api["authorizers"]]
        assert len(names) == len(set(names)), names
    if scenario.again is not None:
        again = await call_ok(world.session, scenario.tool, world.args)
        assert tuple(ops(again["plan"])) == scenario.again


@pytest.mark.parametrize("name", list(SCENARIOS))
async def test_faults_at_every_step_are_reported_and_undone(
    name: str,
    subtests: pytest.Subtests,
    sandbox: SeedInfo,
    recording: Recording,
    moto_endpoint: str,
    tmp_path: Path,
) -> None:
    scenario = SCENARIOS[name]
    audit = tmp_path / "audit.jsonl"
    async with fault_server(moto_endpoint, audit, allow_deletes=True) as (session, runtime):
        world = World(session, runtime, recording, moto_endpoint, audit)
        await world.build(scenario, sandbox)
        for k in range(1, scenario.steps + 1):
            kind, restored = kind_at(name, k), False
            with subtests.test(msg=f"{name} step {k} {kind[0]}"):
                await fault_at_step(world, scenario, k, kind)
                restored = True
            if restored:
                world.refresh(scenario)
            else:
                await world.build(scenario, fresh_sandbox(moto_endpoint))
        with subtests.test(msg=f"{name} transient faults at every step"):
            await transient_faults(world, scenario)


def route_added(endpoint: str, api_id: str) -> None:
    sandbox_client("apigatewayv2", endpoint).create_route(ApiId=api_id, RouteKey="GET /sneaky")


def stage_throttled(endpoint: str, api_id: str) -> None:
    throttle = {"ThrottlingBurstLimit": 1, "ThrottlingRateLimit": 1.0}
    v2 = sandbox_client("apigatewayv2", endpoint)
    v2.update_stage(ApiId=api_id, StageName="prod", DefaultRouteSettings=throttle)


def authorizer_deleted(endpoint: str, api_id: str) -> None:
    """Detached from its route first: AWS refuses to delete an authorizer a route uses (409)."""
    v2 = sandbox_client("apigatewayv2", endpoint)
    route = next(r for r in v2.get_routes(ApiId=api_id)["Items"] if r["RouteKey"] == "GET /orders")
    v2.update_route(ApiId=api_id, RouteId=route["RouteId"], AuthorizationType="NONE")
    users = next(a for a in v2.get_authorizers(ApiId=api_id)["Items"] if a["Name"] == "users")
    v2.delete_authorizer(ApiId=api_id, AuthorizerId=users["AuthorizerId"])


def log_group_created(endpoint: str, _: str) -> None:
    sandbox_client("logs", endpoint).create_log_group(logGroupName="/aws/apigateway/shop/beta")


def statement_removed(endpoint: str, api_id: str) -> None:
    lam = sandbox_client("lambda", endpoint)
    policy = json.loads(lam.get_policy(FunctionName="apigw-mcp-second-fn")["Policy"])
    sid = next(s["Sid"] for s in policy["Statement"] if api_id in s["Sid"])
    lam.remove_permission(FunctionName="apigw-mcp-second-fn", StatementId=sid)


# (scenario previewed, the change made with boto3 after the preview, what the refusal must name)
CHANGES: list[tuple[str, Callable[[str, str], None], str]] = [
    ("add_route", route_added, "api {api} changed since the preview"),
    ("add_jwt_authorizer", stage_throttled, "api {api} changed since the preview"),
    ("update_route", authorizer_deleted, "api {api} changed since the preview"),
    ("deploy_stage_new", log_group_created, "/aws/apigateway/shop/beta"),
    ("delete_api", statement_removed, "apigw-mcp-second-fn"),
]


@pytest.mark.parametrize(
    ("name", "change", "named"), CHANGES, ids=[f"{c[0]}-{c[1].__name__}" for c in CHANGES]
)
async def test_a_change_between_preview_and_apply_refuses_the_apply_before_any_write(
    name: str,
    change: Callable[[str, str], None],
    named: str,
    client: ClientFactory,
    sandbox: SeedInfo,
    recording: Recording,
    moto_endpoint: str,
) -> None:
    scenario = SCENARIOS[name]
    async with client(allow_deletes=True) as session:
        args = await scenario.setup(session, Env(moto_endpoint, make_functions(moto_endpoint, sandbox)))
        plan = (await call_ok(session, scenario.tool, args))["plan"]
        api_id = str(api_id_named(moto_endpoint, scenario.api))
        change(moto_endpoint, api_id)
        recording.clear()
        apply = {**args, "dry_run": False, "plan_token": plan["token"]}
        result = await session.call_tool(scenario.tool, apply)
    message = text_of(result)
    assert result.is_error and "plan_token does not match" in message, message
    assert named.format(api=api_id) in message, message
    assert recording.writes() == []
