"""list_apis and describe_api through a real MCP session; the executor and error edges against moto."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest

from apigw_mcp.server.audit import AuditLog
from apigw_mcp.server.aws import AwsRuntime
from apigw_mcp.server.executor import execute
from apigw_mcp.server.sandbox.ext import SeedInfo
from apigw_mcp.server.settings import load_settings
from apigw_mcp.tools.engine.plan import Plan, Step

from .conftest import REGION, ClientFactory
from .helpers import call_ok, orders_request, preview_and_apply, text_of

pytestmark = pytest.mark.anyio


def aws(service: Any, endpoint: str) -> Any:
    return boto3.client(service, region_name=REGION, endpoint_url=endpoint)


async def test_list_apis_shows_every_type_and_filters(
    client: ClientFactory, sandbox: SeedInfo, moto_endpoint: str
) -> None:
    aws("apigatewayv2", moto_endpoint).create_api(
        Name="chat", ProtocolType="WEBSOCKET", RouteSelectionExpression="$request.body.action"
    )
    aws("apigateway", moto_endpoint).create_rest_api(name="legacy-rest")
    async with client() as session:
        await preview_and_apply(session, orders_request())
        listing = await call_ok(session, "list_apis", {})
        filtered = await call_ok(session, "list_apis", {"name_contains": "ORD"})
    kinds = {a["name"]: (a["type"], a.get("managed", False)) for a in listing["apis"]}
    assert kinds == {
        "chat": ("WEBSOCKET", False),
        "legacy-rest": ("REST EDGE", False),
        "orders": ("HTTP", True),
    }
    assert [a["name"] for a in filtered["apis"]] == ["orders"]


async def test_describe_api_shows_routes_auth_stages(
    client: ClientFactory, sandbox: SeedInfo, moto_endpoint: str
) -> None:
    v2 = aws("apigatewayv2", moto_endpoint)
    async with client() as session:
        api_id = (await preview_and_apply(session, orders_request()))["api_id"]
        authorizer = v2.create_authorizer(
            ApiId=api_id,
            Name="cognito",
            AuthorizerType="JWT",
            IdentitySource=["$request.header.Authorization"],
            JwtConfiguration={
                "Issuer": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Abc",
                "Audience": ["c1"],
            },
        )["AuthorizerId"]
        route = next(r for r in v2.get_routes(ApiId=api_id)["Items"] if r["RouteKey"] == "GET /orders")
        v2.update_route(
            ApiId=api_id,
            RouteId=route["RouteId"],
            AuthorizationType="JWT",
            AuthorizerId=authorizer,
            AuthorizationScopes=["orders/read"],
        )
        v2.create_stage(
            ApiId=api_id,
            StageName="prod",
            DefaultRouteSettings={"ThrottlingBurstLimit": 100, "ThrottlingRateLimit": 50.0},
            AccessLogSettings={
                "DestinationArn": "arn:aws:logs:us-east-1:123456789012:log-group:/a",
                "Format": "$context.requestId",
            },
        )
        result = await session.call_tool("describe_api", {"api_id": api_id})
    described = result.structured_content
    assert described is not None
    routes = described["routes"]
    assert routes["GET /orders"] == "lambda:apigw-mcp-sandbox-fn | JWT:cognito [orders/read]"
    assert routes["ANY /legacy/{proxy+}"] == "http:ANY https://legacy.example.com/api 5000ms"
    assert described["authorizers"][0]["issuer"].startswith("https://cognito-idp")
    stages = {s["name"]: s for s in described["stages"]}
    assert stages["prod"]["url"].endswith(f"{api_id}.execute-api.us-east-1.amazonaws.com/prod")
    assert stages["prod"]["throttle"] == "burst 100, rate 50.0/s"
    assert stages["$default"]["auto_deploy"] is True
    assert json.loads(text_of(result)) == described, "the text carries the same facts"


async def test_describe_unknown_id_is_explained(client: ClientFactory, sandbox: SeedInfo) -> None:
    """A REST API is described too (tests/test_rest_describe.py); an unknown id says where to look."""
    async with client() as session:
        result = await session.call_tool("describe_api", {"api_id": "nope123"})
    assert result.is_error and "list_apis shows" in text_of(result)


async def test_missing_credentials_give_one_clear_error(
    client: ClientFactory, sandbox: SeedInfo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    async with client() as session:
        result = await session.call_tool("list_apis", {})
    assert result.is_error and "no AWS credentials found" in text_of(result)
    assert "APIGW_MCP_PROFILE" in text_of(result) and "Traceback" not in text_of(result)


def step(step_id: str, operation: str, params: dict[str, Any]) -> Step:
    return Step(
        id=step_id,
        service="apigatewayv2",
        operation=operation,
        effect="create",
        resource=step_id,
        params=params,
    )


async def test_executor_stops_at_first_failure_and_reports_the_rest(
    sandbox: SeedInfo, moto_endpoint: str, tmp_path: Path
) -> None:
    plan = Plan(
        summary="s",
        account="123456789012",
        region=REGION,
        token="t",
        steps=[
            step(
                "api", "create_api", {"Name": "x", "ProtocolType": "HTTP", "Tags": {"token": "s3cret-value"}}
            ),
            step("route", "create_route", {"ApiId": "missing", "RouteKey": "GET /x"}),
            step("stage", "create_stage", {"ApiId": "${api.ApiId}", "StageName": "$default"}),
        ],
    )
    runtime = AwsRuntime(load_settings(region=REGION, endpoint_url=moto_endpoint, audit_log="off"))
    audit_path = tmp_path / "audit.jsonl"
    result, outputs = await execute(runtime, plan, "test", AuditLog(audit_path))
    assert [a.operation for a in result.applied] == ["create_api"]
    assert result.failed is not None and result.failed.operation == "create_route"
    assert "NotFoundException" in result.failed.error
    assert result.remaining == ["create_stage stage"]
    assert outputs["api"]["ApiId"] == result.applied[0].resource_id
    audit = audit_path.read_text()
    assert audit.count("\n") == 1 and "s3cret-value" not in audit and "***" in audit
