"""configure_usage_plan through a real MCP client session on the sandbox: preview, apply, update, undo,
refusals that write nothing, and an API key's value that never reaches a result or the audit log."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from mcp import Client

from apigw_mcp.server.kinds.base import Kind
from apigw_mcp.server.kinds.registry import kind_of_handle
from apigw_mcp.server.kinds.usage_plan import USAGE_PLAN, LiveUsage, UsageTarget
from apigw_mcp.server.sandbox.ext import SeedInfo
from apigw_mcp.tools.engine.handle import NOT_OURS

from .conftest import ClientFactory
from .helpers import FUNCTION, call_ok, ops, preview_and_apply, sandbox_client, text_of
from .recorder import Recording
from .test_e2e import refused_while_deletes_are_off

pytestmark = pytest.mark.anyio
TOOL = "configure_usage_plan"
MANAGED = {"apigw-mcp:managed": "true"}


def rest(endpoint: str) -> Any:
    return sandbox_client("apigateway", endpoint)


def rest_api_with_stage(endpoint: str, name: str, tags: dict[str, str] | None = None) -> str:
    """A REST API with a MOCK GET / deployed to ``prod``, made directly on the sandbox."""
    client = rest(endpoint)
    api_id = str(client.create_rest_api(name=name, tags=MANAGED if tags is None else tags)["id"])
    root = client.get_resources(restApiId=api_id)["items"][0]["id"]
    client.put_method(restApiId=api_id, resourceId=root, httpMethod="GET", authorizationType="NONE")
    client.put_integration(restApiId=api_id, resourceId=root, httpMethod="GET", type="MOCK")
    client.create_deployment(restApiId=api_id, stageName="prod")
    return api_id


def gold(api: str, **overrides: Any) -> dict[str, Any]:
    args: dict[str, Any] = {
        "name": "gold",
        "api_stages": [{"api_id": api, "stage": "prod"}],
        "throttle": {"rate_limit": 100, "burst_limit": 200},
        "quota": {"limit": 10000, "period": "DAY"},
        "api_keys": ["alice"],
    }
    return {**args, **overrides}


def plan_named(endpoint: str, name: str) -> dict[str, Any] | None:
    return next((p for p in rest(endpoint).get_usage_plans()["items"] if p["name"] == name), None)


def key_values(endpoint: str) -> list[str]:
    return [str(k["value"]) for k in rest(endpoint).get_api_keys(includeValues=True)["items"]]


async def test_preview_apply_idempotent_and_no_key_value_anywhere(
    client: ClientFactory, recording: Recording, moto_endpoint: str, tmp_path: Path
) -> None:
    async with client() as session:
        created = await preview_and_apply(
            session,
            {
                "name": "orders-rest",
                "routes": [{"route_key": "GET /orders", "lambda_arn": FUNCTION}],
                "stages": [{"name": "prod"}],
            },
            "create_rest_api",
        )
        api_id = created["api_id"]
        recording.clear()
        preview = await call_ok(session, TOOL, gold("orders-rest"))
        assert recording.writes() == [], "a preview writes nothing"
        plan = preview["plan"]
        assert ops(plan) == ["create_usage_plan", "create_api_key", "create_usage_plan_key"]
        assert plan["steps"][0]["params"]["apiStages"] == [{"apiId": api_id, "stage": "prod"}]
        assert any("get-api-key --api-key" in w and "--include-value" in w for w in plan["warnings"])
        assert any("not authentication" in w for w in plan["warnings"])
        apply = {**gold("orders-rest"), "dry_run": False, "plan_token": plan["token"]}
        applied = await call_ok(session, TOOL, apply)
        assert applied["applied"] == 3 and applied["undo"]
        again = await call_ok(session, TOOL, gold("orders-rest"))
    results = [json.dumps(r) for r in (preview, applied, again)]  # a result's text is its content's JSON
    assert "steps" not in again["plan"] and again["plan"]["summary"].startswith("No changes")
    live = plan_named(moto_endpoint, "gold")
    assert live is not None
    assert live["apiStages"] == [{"apiId": api_id, "stage": "prod"}]
    assert live["quota"]["limit"] == 10000 and live["throttle"]["burstLimit"] == 200
    linked = rest(moto_endpoint).get_usage_plan_keys(usagePlanId=live["id"])["items"]
    assert [k["name"] for k in linked] == ["alice"]
    values = key_values(moto_endpoint)
    audit = (tmp_path / "audit.jsonl").read_text()
    assert values and "create_api_key" in audit
    for value in values:
        assert all(value not in text for text in [*results, audit])


async def test_quota_update_then_undo_restores_it(
    client: ClientFactory, sandbox: SeedInfo, moto_endpoint: str
) -> None:
    api_id = rest_api_with_stage(moto_endpoint, "meters")
    async with client() as session:
        await preview_and_apply(session, gold(api_id), TOOL)
        weekly = gold(api_id, quota={"limit": 5000, "period": "WEEK", "offset": 1})
        updated = await preview_and_apply(session, weekly, TOOL)
        assert ops(updated["preview"]) == ["update_usage_plan"]
        patched = {p["path"]: p["value"] for p in updated["preview"]["steps"][0]["params"]["patchOperations"]}
        assert patched == {"/quota/limit": "5000", "/quota/period": "WEEK", "/quota/offset": "1"}
        live = plan_named(moto_endpoint, "gold")
        assert live is not None and live["quota"] == {"limit": 5000, "offset": 1, "period": "WEEK"}
        undone = await preview_and_apply(session, {"handle": updated["undo"]}, "undo")
        assert ops(undone["preview"]) == ["update_usage_plan"]
    live = plan_named(moto_endpoint, "gold")
    assert live is not None and live["quota"] == {"limit": 10000, "offset": 0, "period": "DAY"}


async def test_an_existing_key_is_linked_not_created(
    client: ClientFactory, sandbox: SeedInfo, moto_endpoint: str
) -> None:
    api_id = rest_api_with_stage(moto_endpoint, "meters")
    key_id = rest(moto_endpoint).create_api_key(name="partner", enabled=True)["id"]
    async with client() as session:
        applied = await preview_and_apply(session, gold(api_id, api_keys=["partner"]), TOOL)
    assert ops(applied["preview"]) == ["create_usage_plan", "create_usage_plan_key"]
    assert applied["preview"]["steps"][1]["params"]["keyId"] == key_id
    live = plan_named(moto_endpoint, "gold")
    assert live is not None
    linked = rest(moto_endpoint).get_usage_plan_keys(usagePlanId=live["id"])["items"]
    assert [k["id"] for k in linked] == [key_id]
    assert len(rest(moto_endpoint).get_api_keys()["items"]) == 1


async def test_undo_of_a_created_plan_deletes_it_and_its_new_key_only_with_deletes(
    client: ClientFactory, recording: Recording, moto_endpoint: str
) -> None:
    api_id = rest_api_with_stage(moto_endpoint, "meters")
    kept = rest(moto_endpoint).create_api_key(name="partner", enabled=True)["id"]
    args = gold(api_id, api_keys=["alice", "partner"])
    async with client() as session:
        applied = await preview_and_apply(session, args, TOOL)
        await refused_while_deletes_are_off(session, recording, "undo", {"handle": applied["undo"]})
    assert plan_named(moto_endpoint, "gold") is not None
    async with client(allow_deletes=True) as session:
        undone = await preview_and_apply(session, {"handle": applied["undo"]}, "undo")
    assert ops(undone["preview"]) == ["update_usage_plan", "delete_usage_plan", "delete_api_key"]
    assert plan_named(moto_endpoint, "gold") is None
    assert [k["id"] for k in rest(moto_endpoint).get_api_keys()["items"]] == [kept], "a linked key stays"


async def refused(session: Client, recording: Recording, args: dict[str, Any]) -> str:
    recording.clear()
    result = await session.call_tool(TOOL, args)
    assert result.is_error, text_of(result)
    assert recording.writes() == []
    return text_of(result)


async def test_refusals_name_the_field_and_write_nothing(
    client: ClientFactory, recording: Recording, moto_endpoint: str
) -> None:
    api_id = rest_api_with_stage(moto_endpoint, "meters")
    foreign = rest_api_with_stage(moto_endpoint, "foreign", tags={})
    async with client() as session:
        unknown = await refused(session, recording, gold("nosuchapi"))
        assert "api_stages.0.api_id" in unknown and "no REST API 'nosuchapi'" in unknown
        outside = await refused(
            session,
            recording,
            gold(
                api_id, api_stages=[{"api_id": api_id, "stage": "prod"}, {"api_id": foreign, "stage": "prod"}]
            ),
        )
        assert "api_stages.1.api_id" in outside and "APIGW_MCP_API_IDS" in outside
        no_stage = await refused(
            session, recording, gold(api_id, api_stages=[{"api_id": api_id, "stage": "beta"}])
        )
        assert "api_stages.0.stage" in no_stage
        period = await refused(session, recording, gold(api_id, quota={"limit": 5, "period": "FORTNIGHT"}))
        assert "quota.period" in period
        secret = "s3cr3tKeyValue0123456789abcdef"
        as_object = await refused(
            session, recording, gold(api_id, api_keys=[{"name": "alice", "value": secret}])
        )
        assert "api_keys.0" in as_object and secret not in as_object
        as_argument = await refused(session, recording, {**gold(api_id), "value": secret})
        assert "value" in as_argument and secret not in as_argument
    async with client(api_ids=[foreign]) as session:
        listed = await call_ok(session, TOOL, gold(foreign))
    assert ops(listed["plan"])[0] == "create_usage_plan", "an API listed in api_ids may be metered"


async def test_a_plan_metering_an_api_out_of_scope_is_not_changed(
    client: ClientFactory, recording: Recording, moto_endpoint: str
) -> None:
    foreign = rest_api_with_stage(moto_endpoint, "foreign", tags={})
    rest(moto_endpoint).create_usage_plan(name="gold", apiStages=[{"apiId": foreign, "stage": "prod"}])
    mine = rest_api_with_stage(moto_endpoint, "meters")
    async with client() as session:
        text = await refused(session, recording, gold(mine))
    assert "api-scope" in text and f"{foreign}:prod" in text


async def test_per_method_throttles_round_trip_and_unlinking_a_key_needs_deletes(
    client: ClientFactory, recording: Recording, moto_endpoint: str
) -> None:
    api_id = rest_api_with_stage(moto_endpoint, "meters")
    stages = [
        {"api_id": api_id, "stage": "prod", "throttle": {"GET /": {"rate_limit": 10, "burst_limit": 20}}}
    ]
    args = gold(api_id, api_stages=stages)
    async with client() as session:
        applied = await preview_and_apply(session, args, TOOL)
        assert applied["preview"]["steps"][0]["params"]["apiStages"][0]["throttle"]
        again = await call_ok(session, TOOL, args)
        assert "steps" not in again["plan"], again["plan"]
        await refused_while_deletes_are_off(session, recording, TOOL, {**args, "api_keys": []})
    async with client(allow_deletes=True) as session:
        unlinked = await preview_and_apply(session, {**args, "api_keys": []}, TOOL)
    assert ops(unlinked["preview"]) == ["delete_usage_plan_key"]
    live = plan_named(moto_endpoint, "gold")
    assert live is not None and rest(moto_endpoint).get_usage_plan_keys(usagePlanId=live["id"])["items"] == []
    assert [k["name"] for k in rest(moto_endpoint).get_api_keys()["items"]] == ["alice"], "the key stays"


async def test_two_plans_of_one_name_are_refused_naming_the_field(
    client: ClientFactory, recording: Recording, moto_endpoint: str
) -> None:
    api_id = rest_api_with_stage(moto_endpoint, "meters")
    for _ in range(2):
        rest(moto_endpoint).create_usage_plan(name="gold")
    async with client() as session:
        text = await refused(session, recording, gold(api_id))
    assert "name: 2 usage plans are called 'gold'" in text


async def test_undo_of_an_update_unlinks_and_deletes_only_the_key_it_created(
    client: ClientFactory, sandbox: SeedInfo, moto_endpoint: str
) -> None:
    api_id = rest_api_with_stage(moto_endpoint, "meters")
    async with client(allow_deletes=True) as session:
        await preview_and_apply(session, gold(api_id), TOOL)
        added = await preview_and_apply(session, gold(api_id, api_keys=["alice", "bob"]), TOOL)
        assert ops(added["preview"]) == ["create_api_key", "create_usage_plan_key"]
        undone = await preview_and_apply(session, {"handle": added["undo"]}, "undo")
    assert ops(undone["preview"]) == ["delete_usage_plan_key", "delete_api_key"]
    live = plan_named(moto_endpoint, "gold")
    assert live is not None
    linked = rest(moto_endpoint).get_usage_plan_keys(usagePlanId=live["id"])["items"]
    assert [k["name"] for k in linked] == ["alice"]
    assert [k["name"] for k in rest(moto_endpoint).get_api_keys()["items"]] == ["alice"]


def test_the_usage_plan_kind_is_a_kind_and_opens_only_its_own_records() -> None:
    kind: Kind[LiveUsage, UsageTarget] = USAGE_PLAN  # mypy checks every method's signature here
    assert kind_of_handle("usage_plan") is USAGE_PLAN
    good: dict[str, Any] = {
        "kind": "usage_plan",
        "plan_id": "abc123",
        "name": "gold",
        "before": {"name": "gold"},
    }
    assert kind.restore(good).api_id == "abc123"
    forged: list[dict[str, Any]] = [
        {**good, "created": True},  # a created plan has no before-state
        {**good, "before": None},
        {**good, "plan_id": "../x"},
        {**good, "value": "s3cr3t"},
    ]
    for record in forged:
        with pytest.raises(ValueError, match=NOT_OURS):
            kind.restore(record)
