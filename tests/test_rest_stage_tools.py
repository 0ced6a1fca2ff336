"""deploy_stage, delete_stage, delete_api, ensure_lambda_permission and undo on a REST API, through a real MCP
session on the sandbox: each previews, applies with the token, previews nothing again, and its undo brings the
stage or API back as it was read before; deletes are refused with deletes off before any write; REST-only
arguments are refused on HTTP APIs and HTTP-only ones on REST APIs, naming the argument."""

from __future__ import annotations

from typing import Any

import pytest
from mcp import Client

from apigw_mcp.server.sandbox.ext import SeedInfo
from apigw_mcp.tools.engine.handle import seal
from apigw_mcp.tools.engine.signing import Signer, key_from_secret
from apigw_mcp.tools.kinds.rest import stage_edits
from apigw_mcp.tools.kinds.rest.plan_stages import ACCOUNT_DEFAULT
from apigw_mcp.tools.kinds.rest.stage_live import live_rest_stage
from apigw_mcp.tools.kinds.rest.stage_spec import RestStageSpec

from .conftest import HANDLE_KEY, ClientFactory
from .helpers import FUNCTION, call_ok, ops, preview_and_apply, sandbox_client, text_of
from .recorder import Recording

pytestmark = pytest.mark.anyio
LOG_GROUP = "arn:aws:logs:us-east-1:123456789012:log-group:orders-access"
VOLATILE = ("createdDate", "lastUpdatedDate", "ResponseMetadata")


@pytest.fixture(autouse=True)
def _clean(sandbox: SeedInfo) -> SeedInfo:
    """Each test starts on a reset sandbox with the seeded function."""
    return sandbox


def rest_api(name: str = "orders-rest") -> dict[str, Any]:
    return {
        "name": name,
        "routes": [
            {"route_key": "GET /orders", "lambda_arn": FUNCTION},
            {"route_key": "POST /orders/{id}", "lambda_arn": FUNCTION},
        ],
        "stages": [{"name": "prod", "variables": {"tier": "gold"}}],
    }


async def created(session: Client) -> str:
    api_id: str = (await preview_and_apply(session, rest_api(), "create_rest_api"))["api_id"]
    return api_id


def read_stage(endpoint: str, api_id: str, name: str = "prod") -> dict[str, Any]:
    stage = sandbox_client("apigateway", endpoint).get_stage(restApiId=api_id, stageName=name)
    return {k: v for k, v in stage.items() if k not in VOLATILE}


def stage_spec(endpoint: str, api_id: str, name: str = "prod") -> RestStageSpec:
    """The stage as this server reads it; AWS keeps a '*/*' entry once one was set, reporting the account's
    throttle, which is what no throttle means."""
    spec = live_rest_stage(read_stage(endpoint, api_id, name), {}).spec
    return spec.model_copy(update={"throttle": None}) if spec.throttle == ACCOUNT_DEFAULT else spec


def stage_names(endpoint: str, api_id: str) -> list[str]:
    items = sandbox_client("apigateway", endpoint).get_stages(restApiId=api_id)["item"]
    return sorted(s["stageName"] for s in items)


async def undo_all(session: Client, handle: str) -> dict[str, Any]:
    return await preview_and_apply(session, {"handle": handle}, "undo")


async def assert_no_changes(session: Client, tool: str, args: dict[str, Any]) -> None:
    again = await call_ok(session, tool, args)
    assert "steps" not in again["plan"], again["plan"]


async def test_deploy_stage_changes_only_what_is_given_and_undo_restores_the_stage(
    client: ClientFactory, moto_endpoint: str
) -> None:
    async with client(allow_deletes=True) as session:
        api_id = await created(session)
        before = stage_spec(moto_endpoint, api_id)
        args = {
            "api_id": "orders-rest",
            "stage_name": "prod",
            "variables": {"tier": "silver", "region": "eu"},
            "description": "production",
            "route_throttle": {"GET /orders": {"burst": 20, "rate": 10}},
            "rest": {
                "logging": {"level": "INFO", "metrics": True},
                "tracing": True,
                "caching": {"size": "0.5", "ttl_seconds": 60, "methods": ["GET /orders"]},
            },
        }
        preview = await call_ok(session, "deploy_stage", args)
        assert ops(preview["plan"]) == ["update_stage"], preview["plan"]
        applied = await preview_and_apply(session, args, "deploy_stage")
        after = read_stage(moto_endpoint, api_id)
        assert after["variables"] == {"tier": "silver", "region": "eu"} and after["tracingEnabled"]
        assert after["methodSettings"]["*/*"]["loggingLevel"] == "INFO"
        assert after["methodSettings"]["orders/GET"]["throttlingRateLimit"] == 10
        assert (
            after["cacheClusterEnabled"] and after["methodSettings"]["orders/GET"]["cacheTtlInSeconds"] == 60
        )
        await assert_no_changes(session, "deploy_stage", args)
        await undo_all(session, applied["undo"])
        assert stage_spec(moto_endpoint, api_id) == before


async def test_deploy_true_redeploys_the_stage_and_a_new_stage_goes_with_its_undo(
    client: ClientFactory, moto_endpoint: str
) -> None:
    async with client(allow_deletes=True) as session:
        api_id = await created(session)
        deployed = read_stage(moto_endpoint, api_id)["deploymentId"]
        redeploy = {"api_id": api_id, "stage_name": "prod", "deploy": True}
        preview = await call_ok(session, "deploy_stage", redeploy)
        assert ops(preview["plan"]) == ["create_deployment", "update_stage"]
        await preview_and_apply(session, redeploy, "deploy_stage")
        assert read_stage(moto_endpoint, api_id)["deploymentId"] != deployed
        beta = {
            "api_id": api_id,
            "stage_name": "beta",
            "log_group_arn": LOG_GROUP,
            "throttle": {"burst": 5, "rate": 2},
        }
        made = await preview_and_apply(session, beta, "deploy_stage")
        assert ops(made["preview"]) == ["create_deployment", "create_stage", "update_stage"]
        stage = read_stage(moto_endpoint, api_id, "beta")
        assert stage["accessLogSettings"]["destinationArn"] == LOG_GROUP
        await assert_no_changes(session, "deploy_stage", beta)
        undone = await undo_all(session, made["undo"])
        assert ops(undone["preview"]) == ["delete_stage"]
        assert stage_names(moto_endpoint, api_id) == ["prod"]


async def test_a_canary_is_deployed_promoted_and_each_undone(
    client: ClientFactory, moto_endpoint: str
) -> None:
    async with client(allow_deletes=True) as session:
        api_id = await created(session)
        before = read_stage(moto_endpoint, api_id)
        canary = {
            "api_id": api_id,
            "stage_name": "prod",
            "deploy": True,
            "rest": {"canary": {"percent_traffic": 10, "variables": {"tier": "beta"}}},
        }
        opened = await preview_and_apply(session, canary, "deploy_stage")
        assert ops(opened["preview"]) == ["create_deployment"]
        with_canary = read_stage(moto_endpoint, api_id)
        assert with_canary["canarySettings"]["percentTraffic"] == 10
        assert with_canary["deploymentId"] == before["deploymentId"]  # the stage keeps serving the old one
        promote = {"api_id": api_id, "stage_name": "prod", "rest": {"canary": "promote"}}
        promoted = await preview_and_apply(session, promote, "deploy_stage")
        after = read_stage(moto_endpoint, api_id)
        assert "canarySettings" not in after and after["variables"] == {"tier": "beta"}
        assert after["deploymentId"] == with_canary["canarySettings"]["deploymentId"]
        await undo_all(session, promoted["undo"])
        back = read_stage(moto_endpoint, api_id)
        assert back["variables"] == {"tier": "gold"} and back["canarySettings"]["percentTraffic"] == 10
        await undo_all(session, opened["undo"])
        assert "canarySettings" not in read_stage(moto_endpoint, api_id)


async def test_delete_stage_is_refused_with_deletes_off_then_deleted_and_undone(
    client: ClientFactory, moto_endpoint: str, recording: Recording
) -> None:
    args = {"api_id": "orders-rest", "stage_name": "prod"}
    async with client() as session:
        api_id = await created(session)
        before = read_stage(moto_endpoint, api_id)
        recording.clear()
        preview = await call_ok(session, "delete_stage", args)
        assert ops(preview["plan"]) == ["delete_stage"] and "refused" in preview["next"]
        refused = await session.call_tool(
            "delete_stage", {**args, "dry_run": False, "plan_token": preview["plan"]["token"]}
        )
        assert refused.is_error and "deletes" in text_of(refused)
        assert recording.writes() == []
    async with client(allow_deletes=True) as session:
        deleted = await preview_and_apply(session, args, "delete_stage")
        assert stage_names(moto_endpoint, api_id) == []
        missing = await session.call_tool("delete_stage", args)
        assert missing.is_error and "stage_name" in text_of(missing)
        await undo_all(session, deleted["undo"])
    restored = read_stage(moto_endpoint, api_id)
    assert {k: v for k, v in restored.items() if k != "deploymentId"} == {
        k: v for k, v in before.items() if k != "deploymentId"
    }


async def test_delete_api_is_refused_with_deletes_off_then_deleted_and_undone(
    client: ClientFactory, moto_endpoint: str, recording: Recording
) -> None:
    async with client() as session:
        api_id = await created(session)
        recording.clear()
        preview = await call_ok(session, "delete_api", {"api_id": "orders-rest"})
        assert "delete_rest_api" in ops(preview["plan"])
        refused = await session.call_tool(
            "delete_api", {"api_id": api_id, "dry_run": False, "plan_token": preview["plan"]["token"]}
        )
        assert refused.is_error and recording.writes() == []
    async with client(allow_deletes=True) as session:
        deleted = await preview_and_apply(session, {"api_id": api_id}, "delete_api")
        assert sandbox_client("apigateway", moto_endpoint).get_rest_apis()["items"] == []
        undone = await undo_all(session, deleted["undo"])
        await assert_no_changes(session, "create_rest_api", rest_api())
    assert undone["api_id"] != api_id and stage_names(moto_endpoint, undone["api_id"]) == ["prod"]


async def test_ensure_lambda_permission_adds_the_api_scoped_statement_that_undo_keeps(
    client: ClientFactory, moto_endpoint: str
) -> None:
    """Undo removes an added statement only where the restored API no longer uses the function (as on
    HTTP APIs): here the methods still need it, so the undo plan is empty."""
    lam = sandbox_client("lambda", moto_endpoint)
    async with client(allow_deletes=True) as session:
        api_id = await created(session)
        lam.remove_permission(FunctionName=FUNCTION, StatementId=f"apigw-mcp-{api_id}")
        args = {"api_id": "orders-rest"}
        applied = await preview_and_apply(session, args, "ensure_lambda_permission")
        step = applied["preview"]["steps"][0]
        assert step["call"].endswith("add_permission")
        assert step["params"]["SourceArn"] == f"arn:aws:execute-api:us-east-1:123456789012:{api_id}/*"
        await assert_no_changes(session, "ensure_lambda_permission", args)
        await assert_no_changes(session, "undo", {"handle": applied["undo"]})
    assert f"apigw-mcp-{api_id}" in lam.get_policy(FunctionName=FUNCTION)["Policy"]


@pytest.mark.parametrize(
    ("on", "args", "named"),
    [
        ("rest", {"auto_deploy": True}, "auto_deploy"),
        ("rest", {"access_log": True}, "log_group_arn"),
        ("rest", {"rest": {"canary": {"percent_traffic": 150}}}, "rest.canary"),
        ("rest", {"rest": {"caching": {"size": "2"}}}, "rest"),
        (
            "rest",
            {"rest": {"web_acl_arn": "arn:aws:wafv2:us-east-1:123456789012:global/webacl/x/y"}},
            "web_acl",
        ),
        ("rest", {"route_throttle": {"$default": {"burst": 1, "rate": 1}}}, "route_throttle"),
        ("http", {"rest": {"tracing": True}}, "rest"),
    ],
)
async def test_arguments_of_the_other_kind_are_refused_naming_them(
    client: ClientFactory, recording: Recording, on: str, args: dict[str, Any], named: str
) -> None:
    async with client() as session:
        if on == "rest":
            api_id = await created(session)
        else:
            http = {"name": "orders-http", "routes": [{"route_key": "GET /a", "lambda_arn": FUNCTION}]}
            api_id = (await preview_and_apply(session, http))["api_id"]
        recording.clear()
        result = await session.call_tool("deploy_stage", {"api_id": api_id, "stage_name": "prod", **args})
    assert result.is_error and named in text_of(result), text_of(result)
    assert recording.writes() == []


def sealed(record: dict[str, Any]) -> str:
    """A handle of ``record`` sealed with the servers' key: what a planner bug could hand out."""
    return seal(record, Signer(key_from_secret(HANDLE_KEY)))


def method_to(integration: dict[str, Any]) -> dict[str, Any]:
    return {"resources": {"/": {"path": "/", "methods": {"GET": {"integration": integration}}}}}


@pytest.mark.parametrize(
    ("before", "named"),
    [
        ({"description": "x"}, "handle.undo record name"),
        (
            {"name": "orders-rest", **method_to({"type": "AWS_PROXY", "uri": "https://x.example.com"})},
            "handle",
        ),
        (
            {
                "name": "orders-rest",
                **method_to(
                    {
                        "type": "HTTP_PROXY",
                        "uri": "https://169.254.169.254/x",
                        "integration_http_method": "GET",
                    }
                ),
            },
            "uri: host",  # checked as a spec is (check_rest_spec), before the guard would judge it
        ),
    ],
    ids=["not-a-spec", "proxy-to-a-url", "metadata-address"],
)
async def test_a_rest_handle_is_refused_when_edited_or_restoring_what_no_tool_may_write(
    client: ClientFactory, recording: Recording, before: dict[str, Any], named: str
) -> None:
    async with client(allow_deletes=True) as session:
        api_id = await created(session)
        args = {"api_id": api_id, "stage_name": "prod", "description": "d"}
        genuine = (await preview_and_apply(session, args, "deploy_stage"))["undo"]
        middle = len(genuine) // 2
        edited = genuine[:middle] + ("B" if genuine[middle] != "B" else "C") + genuine[middle + 1 :]
        forged = sealed({"kind": "rest", "api_id": api_id, "name": "orders-rest", "before": before})
        recording.clear()
        for handle, expected in ((edited, "handle: undo handle does not open"), (forged, named)):
            result = await session.call_tool("undo", {"handle": handle})
            assert result.is_error and expected in text_of(result), text_of(result)
    assert recording.writes() == []


async def test_a_web_acl_is_associated_and_undo_disassociates_it(
    client: ClientFactory, moto_endpoint: str
) -> None:
    waf = sandbox_client("wafv2", moto_endpoint)
    acl = waf.create_web_acl(
        Name="orders-acl",
        Scope="REGIONAL",
        DefaultAction={"Allow": {}},
        VisibilityConfig={
            "SampledRequestsEnabled": False,
            "CloudWatchMetricsEnabled": False,
            "MetricName": "m",
        },
    )["Summary"]["ARN"]
    async with client(allow_deletes=True) as session:
        api_id = await created(session)
        args = {"api_id": api_id, "stage_name": "prod", "rest": {"web_acl_arn": acl}}
        applied = await preview_and_apply(session, args, "deploy_stage")
        assert ops(applied["preview"]) == ["associate_web_acl"]
        await assert_no_changes(session, "deploy_stage", args)
        undone = await undo_all(session, applied["undo"])
        assert ops(undone["preview"]) == ["disassociate_web_acl"]
        assert stage_spec(moto_endpoint, api_id).web_acl_arn is None


def test_shared_arguments_map_onto_the_rest_stage_input_and_only_given_ones_count() -> None:
    shared = {
        "throttle": {"burst": 5, "rate": 2.5},
        "route_throttle": {"GET /orders": {"burst": 1, "rate": 1}},
        "access_log": False,
        "description": "d",
    }
    stage = stage_edits.rest_stage_args("prod", shared, {"tracing": True})
    assert stage.model_fields_set == {
        "name",
        "throttle",
        "method_throttles",
        "access_log_destination_arn",
        "description",
        "tracing",
    }
    assert stage.throttle is not None and (stage.throttle.rate_limit, stage.throttle.burst_limit) == (2.5, 5)
    assert stage.access_log_destination_arn is None and "GET /orders" in stage.method_throttles
    assert stage_edits.rest_stage_args("prod", {}, None).model_fields_set == {"name"}
