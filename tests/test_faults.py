"""AWS failing at every step of the longest plan: the result reports exactly where, and undo cleans up.

The longest plan is the end-to-end test's secured API (ten calls). Faults are
injected with botocore's own event hooks: a ``before-call.<service>.<Operation>``
handler registered on the server's real botocore client (reached through the
``AwsRuntime`` passed to ``build_server``) raises the error botocore would raise.
Nothing of ours is mocked; every other call goes to the moto sandbox.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from apigw_mcp.server.sandbox.ext import SeedInfo

from .conftest import ClientFactory, moto_state
from .faults_support import ERRORS, SERVICES, applied_ids, client_error, faulty_server, live_ids
from .helpers import FUNCTION, call_ok, ops, preview_and_apply, sandbox_client, text_of
from .recorder import Recording
from .test_e2e import SECURED_STEPS, create_function, secured_request

pytestmark = pytest.mark.anyio


def secured_resources(second: str) -> list[str]:
    """What each step of the secured plan touches, as the apply names it (its steps in the preview
    carry only the call and its parameters)."""
    return [
        "api shop",
        "authorizer users",
        "integration lambda:apigw-mcp-sandbox-fn",
        f"integration lambda:{second.rsplit(':', 1)[1]}",
        "route GET /orders",
        "route POST /orders",
        "log group /aws/apigateway/shop/prod",
        "stage prod",
        f"permission {FUNCTION}",
        f"permission {second}",
    ]


def step_cases() -> list[Any]:
    """Every step k of the secured plan, each with an error kind (cycling), plus each kind at step 1."""
    cases = [
        pytest.param(k, ERRORS[(k - 1) % len(ERRORS)], id=f"step{k}-{SECURED_STEPS[k - 1]}-{name}")
        for k in range(1, len(SECURED_STEPS) + 1)
        for name in [ERRORS[(k - 1) % len(ERRORS)][0]]
    ]
    cases += [
        pytest.param(k, error, id=f"step{k}-{SECURED_STEPS[k - 1]}-{error[0]}")
        for error in ERRORS
        for k in (5, len(SECURED_STEPS))
        if ERRORS[(k - 1) % len(ERRORS)] is not error
    ]
    return cases


@pytest.mark.parametrize(("k", "error"), step_cases())
async def test_fault_at_step_k_is_fully_reported_and_undone(
    k: int,
    error: tuple[str, Callable[[str], Exception], list[str]],
    client: ClientFactory,
    sandbox: SeedInfo,
    recording: Recording,
    moto_endpoint: str,
    tmp_path: Path,
) -> None:
    second = create_function(moto_endpoint, sandbox)
    request = secured_request(second)
    nothing = moto_state(moto_endpoint)
    recording.clear()
    operation = SECURED_STEPS[k - 1]
    nth = SECURED_STEPS[:k].count(operation)
    _, make_error, fragments = error
    audit = tmp_path / "faults.jsonl"
    async with faulty_server(moto_endpoint, audit, operation, nth, make_error(operation)) as (session, fault):
        preview = await call_ok(session, "create_http_api", request)
        assert ops(preview["plan"]) == SECURED_STEPS
        fault.armed = True
        result = await session.call_tool(
            "create_http_api", {**request, "dry_run": False, "plan_token": preview["plan"]["token"]}
        )
    assert fault.seen >= nth
    assert not result.is_error, text_of(result)
    outcome: dict[str, Any] = result.structured_content or {}

    assert outcome["applied"] == k - 1
    applied = applied_ids(outcome)
    assert [operation for operation, _ in applied] == SECURED_STEPS[: k - 1]
    assert all(resource_id and "${" not in resource_id for _, resource_id in applied)
    failed = outcome["failed"]
    assert failed["call"] == operation
    assert failed["resource"] == secured_resources(second)[k - 1]
    for fragment in fragments:
        assert fragment in failed["error"], (fragment, failed["error"])
    assert f"{SERVICES[operation]}.{operation}" in failed["error"]
    expected = [f"{o} {r}" for o, r in zip(SECURED_STEPS, secured_resources(second), strict=True)][k:]
    assert outcome.get("remaining", []) == expected
    assert json.loads(text_of(result)) == outcome, "the text is the same object"
    assert "plan.failed" in outcome["next"]
    audited = [json.loads(line) for line in audit.read_text().splitlines()] if audit.exists() else []
    assert len(audited) == k - 1

    if k == 1:
        assert "undo" not in outcome and "api_id" not in outcome
        assert recording.writes() == []
        return
    api_id = outcome["api_id"]
    assert applied[0] == ("create_api", api_id)
    created = {i for o, i in applied if o not in ("add_permission", "create_log_group")}
    assert created <= live_ids(moto_endpoint, api_id)
    permissions = [i for o, i in applied if o == "add_permission"]
    assert permissions == [FUNCTION, second][: len(permissions)]
    assert outcome["undo"]

    async with client(allow_deletes=True) as session:
        undone = await preview_and_apply(session, {"handle": outcome["undo"]}, tool="undo")
        assert "failed" not in undone
        logs = [i for o, i in applied if o == "create_log_group"]
        assert ops(undone["preview"]) == ["remove_permission"] * len(permissions) + ["delete_api"] + [
            "delete_log_group"
        ] * len(logs)
        assert (await call_ok(session, "list_apis", {}))["apis"] == []
    assert moto_state(moto_endpoint) == nothing


async def test_applied_route_steps_report_route_ids(
    sandbox: SeedInfo, moto_endpoint: str, tmp_path: Path
) -> None:
    """create_route's response also names the authorizer: the applied id must be the route's."""
    second = create_function(moto_endpoint, sandbox)
    request = secured_request(second)
    error = client_error("InternalServerError", 500, "boom")("create_stage")
    async with faulty_server(moto_endpoint, tmp_path / "a.jsonl", "create_stage", 1, error) as (
        session,
        fault,
    ):
        preview = await call_ok(session, "create_http_api", request)
        fault.armed = True
        outcome = await call_ok(
            session, "create_http_api", {**request, "dry_run": False, "plan_token": preview["plan"]["token"]}
        )
    v2 = sandbox_client("apigatewayv2", moto_endpoint)
    api_id = outcome["api_id"]
    routes = {r["RouteId"] for r in v2.get_routes(ApiId=api_id)["Items"]}
    authorizers = {a["AuthorizerId"] for a in v2.get_authorizers(ApiId=api_id)["Items"]}
    integrations = {i["IntegrationId"] for i in v2.get_integrations(ApiId=api_id)["Items"]}
    by_operation: dict[str, set[str]] = {}
    for operation, resource_id in applied_ids(outcome):
        by_operation.setdefault(operation, set()).add(resource_id)
    assert by_operation["create_route"] == routes
    assert by_operation["create_authorizer"] == authorizers
    assert by_operation["create_integration"] == integrations


async def test_asking_again_after_a_fault_plans_exactly_the_remaining_steps(
    client: ClientFactory, sandbox: SeedInfo, moto_endpoint: str, tmp_path: Path
) -> None:
    second = create_function(moto_endpoint, sandbox)
    request = secured_request(second)
    error = client_error("TooManyRequestsException", 429, "slow down")("create_route")
    async with faulty_server(moto_endpoint, tmp_path / "a.jsonl", "create_route", 2, error) as (
        session,
        fault,
    ):
        preview = await call_ok(session, "create_http_api", request)
        fault.armed = True
        outcome = await call_ok(
            session, "create_http_api", {**request, "dry_run": False, "plan_token": preview["plan"]["token"]}
        )
    remaining = [outcome["failed"]["call"]] + [r.split(" ", 1)[0] for r in outcome["remaining"]]
    async with client() as session:
        finished = await preview_and_apply(session, request)
        again = await call_ok(session, "create_http_api", request)
    assert ops(finished["preview"]) == remaining
    assert finished["api_id"] == outcome["api_id"] and "failed" not in finished
    assert "steps" not in again["plan"]
