"""AWS failing at each step of a create_rest_api apply: the result says where, and undo cleans up.

The plan covers every kind of REST step (the API, a Cognito authorizer, resources, methods,
proxy and non-proxy integrations with their responses, the Lambda invoke permission, the
deployment, the stage and its settings). Each kind of step fails in turn with one of the fault
suite's errors (throttling, 5xx, 503, AccessDenied, timeouts, no connection), injected with
botocore's ``before-call`` hook on the server's real write client (tests/faults_support.py):
the apply reports how many steps were applied, the failed call with AWS's error, and what
remains; the undo handle then brings moto back to exactly the before-state (no REST API left,
the Lambda policy as it was). A create whose reply was lost after AWS acted (``after-call``)
is found by its natural key (server/writes_rest.py): no duplicate API, authorizer, resource, invoke
statement or stage. Faults in an update of an existing REST API (create_rest_api) and in add_route
on one are undone to the before-state (resources, methods and integrations by path, stage variables,
invoke statements).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from apigw_mcp.server.sandbox.ext import SeedInfo

from .conftest import ClientFactory, moto_state
from .faults_support import ERRORS, Fault, fault_server, read_timeout
from .helpers import FUNCTION, call_ok, ops, preview_and_apply, sandbox_client, text_of
from .recorder import Recording
from .test_faults_duplicates import LostReply

pytestmark = pytest.mark.anyio

POOL = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc"
REQUEST: dict[str, Any] = {
    "name": "shop-rest",
    "routes": [
        {"route_key": "GET /orders", "lambda_arn": FUNCTION},
        {"route_key": "POST /orders/{id}", "lambda_arn": FUNCTION, "auth": "users"},
        {"route_key": "GET /legacy", "http_url": "https://legacy.example.com/v1"},
        {"route_key": "GET /health", "mock": True},
    ],
    "authorizers": [{"name": "users", "cognito_user_pool_arns": [POOL]}],
    "stages": [{"name": "prod", "variables": {"v": "1"}, "throttle": {"rate_limit": 10, "burst_limit": 5}}],
}
STEPS = [
    "create_rest_api",
    "create_authorizer",
    "create_resource",
    "create_resource",
    "create_resource",
    "create_resource",
    "put_method",
    "put_integration",
    "put_method_response",
    "put_integration_response",
    "put_method",
    "put_integration",
    "put_method",
    "put_integration",
    "put_method",
    "put_integration",
    "add_permission",
    "create_deployment",
    "create_stage",
    "update_stage",
]
FIRST_OF_EACH = [k for k, op in enumerate(STEPS, 1) if op not in STEPS[: k - 1]]


def service_of(operation: str) -> str:
    return "lambda" if operation == "add_permission" else "apigateway"


def cases() -> list[Any]:
    """The first step of each kind, each with an error kind (cycling through all of them)."""
    return [
        pytest.param(k, ERRORS[i % len(ERRORS)], id=f"step{k}-{STEPS[k - 1]}-{ERRORS[i % len(ERRORS)][0]}")
        for i, k in enumerate(FIRST_OF_EACH)
    ]


def rest_api_count(endpoint: str) -> int:
    return len(sandbox_client("apigateway", endpoint).get_rest_apis()["items"])


def invoke_statements(endpoint: str) -> list[str]:
    lam = sandbox_client("lambda", endpoint)
    try:
        policy = json.loads(lam.get_policy(FunctionName=FUNCTION)["Policy"])
    except lam.exceptions.ResourceNotFoundException:
        return []
    return sorted(s["Sid"] for s in policy["Statement"])


@pytest.mark.parametrize(("k", "error"), cases())
async def test_a_fault_at_each_kind_of_rest_step_is_reported_and_undone(
    k: int,
    error: tuple[str, Callable[[str], Exception], list[str]],
    client: ClientFactory,
    sandbox: SeedInfo,
    recording: Recording,
    moto_endpoint: str,
    tmp_path: Path,
) -> None:
    nothing, statements = moto_state(moto_endpoint), invoke_statements(moto_endpoint)
    operation = STEPS[k - 1]
    nth = STEPS[:k].count(operation)
    _, make_error, fragments = error
    async with fault_server(moto_endpoint, tmp_path / "faults.jsonl") as (session, runtime):
        fault = Fault(runtime, operation, nth, make_error(operation), service=service_of(operation))
        preview = await call_ok(session, "create_rest_api", REQUEST)
        assert ops(preview["plan"]) == STEPS
        fault.armed = True
        result = await session.call_tool(
            "create_rest_api", {**REQUEST, "dry_run": False, "plan_token": preview["plan"]["token"]}
        )
    assert fault.raised >= 1
    assert not result.is_error, text_of(result)
    outcome: dict[str, Any] = result.structured_content or {}
    assert outcome["applied"] == k - 1, outcome
    assert outcome["failed"]["call"].rsplit(".", 1)[-1] == operation, outcome["failed"]
    for fragment in fragments:
        assert fragment in outcome["failed"]["error"], (fragment, outcome["failed"]["error"])
    assert len(outcome.get("remaining", [])) == len(STEPS) - k, outcome.get("remaining")
    assert "plan.failed" in outcome["next"]
    if k == 1:
        assert "undo" not in outcome and recording.writes() == []
        assert rest_api_count(moto_endpoint) == 0
        return
    assert rest_api_count(moto_endpoint) == 1
    async with client(allow_deletes=True) as undoing:
        undone = await preview_and_apply(undoing, {"handle": outcome["undo"]}, tool="undo")
    assert "failed" not in undone, undone
    assert rest_api_count(moto_endpoint) == 0
    assert invoke_statements(moto_endpoint) == statements
    assert moto_state(moto_endpoint) == nothing


@pytest.mark.parametrize(
    "operation", ["create_rest_api", "create_authorizer", "create_resource", "add_permission", "create_stage"]
)
async def test_a_rest_create_whose_reply_was_lost_makes_no_duplicate(
    operation: str, sandbox: SeedInfo, moto_endpoint: str, tmp_path: Path
) -> None:
    statements = invoke_statements(moto_endpoint)
    async with fault_server(moto_endpoint, tmp_path / "lost.jsonl") as (session, runtime):
        lost = LostReply(runtime, service_of(operation), operation, 1, read_timeout(operation))
        applied = await preview_and_apply(session, REQUEST, "create_rest_api")
    assert lost.lost == 1
    assert "failed" not in applied, applied
    assert applied["applied"] == len(STEPS)
    rest = sandbox_client("apigateway", moto_endpoint)
    apis = [a["id"] for a in rest.get_rest_apis()["items"] if a["name"] == REQUEST["name"]]
    assert apis == [applied["api_id"]]
    paths = Counter(r["path"] for r in rest.get_resources(restApiId=apis[0])["items"])
    assert paths == Counter(["/", "/orders", "/orders/{id}", "/legacy", "/health"])
    assert [a["name"] for a in rest.get_authorizers(restApiId=apis[0])["items"]] == ["users"]
    assert [s["stageName"] for s in rest.get_stages(restApiId=apis[0])["item"]] == ["prod"]
    assert invoke_statements(moto_endpoint) == sorted([*statements, f"apigw-mcp-{apis[0]}"])


def rest_snapshot(endpoint: str, name: str) -> dict[str, Any]:
    """The REST API named ``name`` by natural keys: methods by path with their integrations, stages."""
    rest = sandbox_client("apigateway", endpoint)
    api_id = next(a["id"] for a in rest.get_rest_apis()["items"] if a["name"] == name)
    methods: dict[str, Any] = {}
    resources = rest.get_resources(restApiId=api_id, embed=["methods"])["items"]
    for resource in resources:
        for verb, method in (resource.get("resourceMethods") or {}).items():
            integration = method.get("methodIntegration") or {}
            methods[f"{verb} {resource['path']}"] = [
                method.get("authorizationType"),
                integration.get("type"),
                integration.get("uri"),
            ]
    stages = {s["stageName"]: s.get("variables") for s in rest.get_stages(restApiId=api_id)["item"]}
    paths = sorted(r["path"] for r in resources)
    return {"paths": paths, "methods": methods, "stages": stages, "statements": invoke_statements(endpoint)}


UPDATE: dict[str, Any] = {
    **REQUEST,
    "routes": [*REQUEST["routes"], {"route_key": "GET /more/{id}", "lambda_arn": FUNCTION}],
    "stages": [{"name": "prod", "variables": {"v": "2"}, "throttle": {"rate_limit": 10, "burst_limit": 5}}],
}


@pytest.mark.parametrize("operation", ["put_integration", "update_stage"])
async def test_a_fault_in_an_update_is_undone_to_the_before_state(
    operation: str, client: ClientFactory, sandbox: SeedInfo, moto_endpoint: str, tmp_path: Path
) -> None:
    async with client() as session:
        await preview_and_apply(session, REQUEST, "create_rest_api")
    before = rest_snapshot(moto_endpoint, REQUEST["name"])
    error = ERRORS[1][1](operation)
    async with fault_server(moto_endpoint, tmp_path / "update.jsonl") as (session, runtime):
        fault = Fault(runtime, operation, 1, error, service="apigateway")
        preview = await call_ok(session, "create_rest_api", UPDATE)
        assert operation in ops(preview["plan"]), ops(preview["plan"])
        fault.armed = True
        outcome = await call_ok(
            session, "create_rest_api", {**UPDATE, "dry_run": False, "plan_token": preview["plan"]["token"]}
        )
    assert outcome["failed"]["call"].rsplit(".", 1)[-1] == operation, outcome
    assert outcome["applied"] >= 1 and outcome["undo"]
    assert rest_snapshot(moto_endpoint, REQUEST["name"]) != before
    async with client(allow_deletes=True) as undoing:
        undone = await preview_and_apply(undoing, {"handle": outcome["undo"]}, tool="undo")
    assert "failed" not in undone, undone
    assert rest_snapshot(moto_endpoint, REQUEST["name"]) == before


@pytest.mark.parametrize(
    ("operation", "service"), [("put_integration", "apigateway"), ("put_method", "apigateway")]
)
async def test_a_fault_in_add_route_on_a_rest_api_is_undone(
    operation: str, service: str, client: ClientFactory, sandbox: SeedInfo, moto_endpoint: str, tmp_path: Path
) -> None:
    async with client() as session:
        api_id = (await preview_and_apply(session, REQUEST, "create_rest_api"))["api_id"]
    before = rest_snapshot(moto_endpoint, REQUEST["name"])
    args = {"api_id": api_id, "route": {"route_key": "GET /extra/{id}", "lambda_arn": FUNCTION}}
    async with fault_server(moto_endpoint, tmp_path / "add.jsonl") as (session, runtime):
        fault = Fault(runtime, operation, 1, ERRORS[0][1](operation), service=service)
        preview = await call_ok(session, "add_route", args)
        assert operation in ops(preview["plan"]), ops(preview["plan"])
        fault.armed = True
        outcome = await call_ok(
            session, "add_route", {**args, "dry_run": False, "plan_token": preview["plan"]["token"]}
        )
    assert outcome["failed"]["call"].rsplit(".", 1)[-1] == operation, outcome
    assert outcome["applied"] >= 1 and outcome["undo"]
    async with client(allow_deletes=True) as undoing:
        undone = await preview_and_apply(undoing, {"handle": outcome["undo"]}, tool="undo")
    assert "failed" not in undone, undone
    assert rest_snapshot(moto_endpoint, REQUEST["name"]) == before
