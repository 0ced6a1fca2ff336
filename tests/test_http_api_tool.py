"""create_http_api through a real MCP client session against the moto server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from apigw_mcp.server.sandbox.ext import SeedInfo

from .conftest import REGION, ClientFactory
from .helpers import FUNCTION, call_ok, ops, orders_request, preview_and_apply, sandbox_client, text_of
from .recorder import Recording
from .test_e2e import refused_while_deletes_are_off, subject

pytestmark = pytest.mark.anyio


def v2(endpoint: str) -> Any:
    return sandbox_client("apigatewayv2", endpoint)


async def test_preview_writes_nothing_and_shows_calls_and_diff(
    client: ClientFactory, recording: Recording
) -> None:
    async with client() as session:
        result = await session.call_tool("create_http_api", orders_request())
    assert not result.is_error
    content = result.structured_content
    assert content is not None and json.loads(text_of(result)) == content, "the text is the same object"
    plan = content["plan"]
    assert ops(plan) == [
        "create_api",
        "create_integration",
        "create_integration",
        "create_route",
        "create_route",
        "create_route",
        "create_stage",
        "add_permission",
    ]
    assert plan["account"] == "123456789012" and plan["region"] == REGION
    assert {subject(line) for line in plan["diff"]} >= {"api orders", "route GET /orders", "stage $default"}
    assert plan["token"] and "plan_token=plan.token" in content["next"]
    assert recording.writes() == []


async def test_apply_creates_api_stage_and_scoped_permission(
    client: ClientFactory, sandbox: SeedInfo, moto_endpoint: str, tmp_path: Path
) -> None:
    async with client() as session:
        applied = await preview_and_apply(session, orders_request())
    assert "failed" not in applied
    assert applied["applied"] == len(applied["preview"]["steps"]) == 8
    assert applied["undo"]
    api_id = applied["api_id"]
    assert applied["endpoint"].startswith(f"https://{api_id}.execute-api.")
    api = v2(moto_endpoint).get_api(ApiId=api_id)
    assert api["Tags"] == {"apigw-mcp:managed": "true", "team": "payments"}
    routes = {r["RouteKey"] for r in v2(moto_endpoint).get_routes(ApiId=api_id)["Items"]}
    assert routes == {"GET /orders", "GET /orders/{id}", "ANY /legacy/{proxy+}"}
    stage = v2(moto_endpoint).get_stage(ApiId=api_id, StageName="$default")
    assert stage["AutoDeploy"] is True
    policy = json.loads(sandbox_client("lambda", moto_endpoint).get_policy(FunctionName=FUNCTION)["Policy"])
    source = policy["Statement"][0]["Condition"]["ArnLike"]["AWS:SourceArn"]
    assert source == f"arn:aws:execute-api:{REGION}:123456789012:{api_id}/*"
    audit = [json.loads(line) for line in (tmp_path / "audit.jsonl").read_text().splitlines()]
    assert len(audit) == 8
    assert {"time", "tool", "plan_token", "operation", "resource", "request_id"} <= set(audit[0])


async def test_same_request_again_is_an_empty_plan(client: ClientFactory, sandbox: SeedInfo) -> None:
    async with client() as session:
        await preview_and_apply(session, orders_request())
        again = await call_ok(session, "create_http_api", orders_request())
    assert "steps" not in again["plan"] and "diff" not in again["plan"]
    assert again["plan"]["summary"].startswith("No changes")


async def test_managed_api_is_reconciled_by_name(
    client: ClientFactory, sandbox: SeedInfo, moto_endpoint: str
) -> None:
    async with client() as session:
        first = await preview_and_apply(session, orders_request())
        request = orders_request(description="v2")
        request["routes"].append({"route_key": "POST /orders", "lambda_arn": FUNCTION})
        second = await preview_and_apply(session, request)
    assert second["api_id"] == first["api_id"]
    assert ops(second["preview"]) == ["update_api", "create_route"]
    assert v2(moto_endpoint).get_api(ApiId=first["api_id"])["Description"] == "v2"


async def test_stale_token_is_refused_naming_what_changed(
    client: ClientFactory, moto_endpoint: str, recording: Recording
) -> None:
    async with client() as session:
        first = await preview_and_apply(session, orders_request())
        request = orders_request(description="new")
        preview = await call_ok(session, "create_http_api", request)
        v2(moto_endpoint).update_api(ApiId=first["api_id"], Description="changed by someone else")
        recording.clear()
        stale = await session.call_tool(
            "create_http_api", {**request, "dry_run": False, "plan_token": preview["plan"]["token"]}
        )
    assert stale.is_error
    assert "api orders changed since the preview" in text_of(stale)
    assert recording.writes() == []


async def test_token_of_other_arguments_is_refused(client: ClientFactory, recording: Recording) -> None:
    async with client() as session:
        preview = await call_ok(session, "create_http_api", orders_request())
        other = await session.call_tool(
            "create_http_api",
            {**orders_request(description="other"), "dry_run": False, "plan_token": preview["plan"]["token"]},
        )
    assert other.is_error and "arguments differ" in text_of(other)
    assert recording.writes() == []


async def test_unmanaged_api_name_is_refused_with_its_id(
    client: ClientFactory, moto_endpoint: str, recording: Recording
) -> None:
    api_id = v2(moto_endpoint).create_api(Name="orders", ProtocolType="HTTP")["ApiId"]
    recording.clear()
    async with client() as session:
        result = await session.call_tool("create_http_api", orders_request())
    assert result.is_error and api_id in text_of(result) and "APIGW_MCP_API_IDS" in text_of(result)
    assert recording.writes() == []


async def test_listed_api_is_changed_without_being_tagged(
    client: ClientFactory, sandbox: SeedInfo, moto_endpoint: str
) -> None:
    """An API in scope through APIGW_MCP_API_IDS changes as it is: the managed tag is for what we create."""
    api_id = v2(moto_endpoint).create_api(Name="orders", ProtocolType="HTTP")["ApiId"]
    async with client(api_ids=[api_id]) as session:
        applied = await preview_and_apply(session, orders_request())
        route = {"route_key": "POST /orders", "lambda_arn": FUNCTION}
        added = await preview_and_apply(session, {"api_id": api_id, "route": route}, tool="add_route")
    assert applied["api_id"] == api_id and added["applied"] == 1
    assert all("apigw-mcp:managed" not in s["params"].get("Tags", {}) for s in applied["preview"]["steps"])
    assert "apigw-mcp:managed" not in (v2(moto_endpoint).get_api(ApiId=api_id).get("Tags") or {})


async def test_removing_a_route_needs_deletes_enabled(client: ClientFactory, recording: Recording) -> None:
    fewer = orders_request(routes=orders_request()["routes"][:2])
    async with client() as session:
        await preview_and_apply(session, orders_request())
        refused = await refused_while_deletes_are_off(session, recording, "create_http_api", fewer)
    assert ops(refused) == ["delete_route", "delete_integration"]
    async with client(allow_deletes=True) as session:
        applied = await preview_and_apply(session, fewer)
    assert ops(applied["preview"]) == ["delete_route", "delete_integration"]
    assert any("deletes" in w for w in applied["preview"]["warnings"])
