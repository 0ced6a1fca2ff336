"""The issue's end-to-end test on the sandbox, through a real MCP client session.

From nothing: one create_http_api preview + apply builds an API with two Lambda
routes, CORS, a JWT authorizer on one route and a ``prod`` stage with throttling
and access logs; every request (and each follow-up tool in its idempotent form)
then plans nothing; undo (deletes enabled) brings the account back to nothing.
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest
from mcp import Client

from apigw_mcp.server.sandbox.ext import SeedInfo

from .conftest import ACCOUNT, REGION, ClientFactory, moto_state
from .helpers import FUNCTION, call_ok, ops, preview_and_apply, sandbox_client, text_of
from .recorder import Recording

pytestmark = pytest.mark.anyio

SECOND = "apigw-mcp-second-fn"
ISSUER = "https://issuer.example.com"
CORS = {"allow_origins": ["https://app.example.com"], "allow_methods": ["GET", "POST"], "max_age": 300}
THROTTLE = {"burst": 100, "rate": 50.0}
SECURED_STEPS = [
    "create_api",
    "create_authorizer",
    "create_integration",
    "create_integration",
    "create_route",
    "create_route",
    "create_log_group",
    "create_stage",
    "add_permission",
    "add_permission",
]


def function_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", "def handler(event, context):\n    return {'statusCode': 200}\n")
    return buffer.getvalue()


def create_function(endpoint: str, seed: SeedInfo, name: str = SECOND) -> str:
    """Another Lambda function in the sandbox, made the way the seed makes its own."""
    created = sandbox_client("lambda", endpoint).create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=seed.role_arn,
        Handler="app.handler",
        Code={"ZipFile": function_zip()},
    )
    return str(created["FunctionArn"])


def secured_request(second: str) -> dict[str, Any]:
    """The issue's API: two Lambda routes, CORS, JWT on one route, a throttled and logged prod stage."""
    return {
        "name": "shop",
        "description": "shop API",
        "routes": [
            {"route_key": "GET /orders", "lambda_arn": FUNCTION, "auth": "users", "scopes": ["orders/read"]},
            {"route_key": "POST /orders", "lambda_arn": second},
        ],
        "cors": CORS,
        "authorizers": [{"name": "users", "issuer": ISSUER, "audience": ["shop-api"]}],
        "stages": [{"name": "prod", "throttle": THROTTLE, "access_log": True}],
        "default_stage": False,
    }


def statements(endpoint: str, function: str) -> list[dict[str, Any]]:
    lam = sandbox_client("lambda", endpoint)
    try:
        policy = lam.get_policy(FunctionName=function)["Policy"]
    except lam.exceptions.ResourceNotFoundException:
        return []
    found: list[dict[str, Any]] = json.loads(policy).get("Statement", [])
    return found


def action(line: str) -> str:
    """A diff line's first word: +, ~, - or -/+."""
    return line.split(" ", 1)[0]


def subject(line: str) -> str:
    """What a diff line (``+ route GET /x = ...``, ``~ stage prod.throttle: a -> b``, ``- route GET /y
    (was ...)``) is about: the resource, with ``.field`` when it names one."""
    name = line.split(" ", 1)[1]
    for separator in (" = ", ": ", " (was "):
        name = name.split(separator, 1)[0]
    return name


def log_groups(endpoint: str) -> list[str]:
    logs = sandbox_client("logs", endpoint)
    return [g["logGroupName"] for g in logs.describe_log_groups()["logGroups"]]


async def refused_while_deletes_are_off(
    session: Client, recording: Recording, tool: str, args: dict[str, Any]
) -> dict[str, Any]:
    """Deletes off: the preview still shows the plan and says applying is refused; the apply with its token
    is refused naming the setting; neither writes (counted at the endpoint)."""
    recording.clear()
    preview = await call_ok(session, tool, args)
    plan: dict[str, Any] = preview["plan"]
    assert plan["steps"] and plan["token"], plan
    assert any(
        w.startswith("Applying is refused now") and "APIGW_MCP_ALLOW_DELETES=true" in w
        for w in plan["warnings"]
    ), plan["warnings"]
    assert "applying it is refused" in preview["next"]
    refused = await session.call_tool(tool, {**args, "dry_run": False, "plan_token": plan["token"]})
    assert refused.is_error and "refused (deletes-off)" in text_of(refused), text_of(refused)
    assert "deletes are off" in text_of(refused) and "APIGW_MCP_ALLOW_DELETES" in text_of(refused)
    assert recording.writes() == []
    return plan


def follow_ups(api_id: str, second: str) -> list[tuple[str, dict[str, Any]]]:
    """Each mutating tool asked for what the secured API already has: every one must plan nothing."""
    return [
        (
            "add_route",
            {
                "api_id": api_id,
                "route": {
                    "route_key": "GET /orders",
                    "lambda_arn": FUNCTION,
                    "auth": "users",
                    "scopes": ["orders/read"],
                },
            },
        ),
        ("add_route", {"api_id": api_id, "route": {"route_key": "POST /orders", "lambda_arn": second}}),
        (
            "update_route",
            {
                "api_id": api_id,
                "route_key": "GET /orders",
                "change": {"auth": "users", "scopes": ["orders/read"]},
            },
        ),
        ("update_route", {"api_id": api_id, "route_key": "POST /orders", "change": {"lambda_arn": second}}),
        ("configure_cors", {"api_id": api_id, "cors": CORS}),
        (
            "add_jwt_authorizer",
            {
                "api_id": api_id,
                "name": "users",
                "issuer": ISSUER,
                "audience": ["shop-api"],
                "routes": ["GET /orders"],
                "scopes": ["orders/read"],
            },
        ),
        (
            "deploy_stage",
            {"api_id": api_id, "stage_name": "prod", "throttle": THROTTLE, "access_log": True},
        ),
        ("deploy_stage", {"api_id": api_id, "stage_name": "prod"}),
        ("ensure_lambda_permission", {"api_id": api_id}),
    ]


async def test_secured_api_from_nothing_and_back(
    client: ClientFactory, sandbox: SeedInfo, moto_endpoint: str
) -> None:
    second = create_function(moto_endpoint, sandbox)
    request = secured_request(second)
    nothing = moto_state(moto_endpoint)
    async with client() as session:
        assert (await call_ok(session, "list_apis", {}))["apis"] == []

        preview = await call_ok(session, "create_http_api", request)
        plan = preview["plan"]
        assert ops(plan) == SECURED_STEPS
        assert {subject(line) for line in plan["diff"]} >= {
            "api shop",
            "cors",
            "authorizer users",
            "route GET /orders",
            "route POST /orders",
            "log group /aws/apigateway/shop/prod",
            "stage prod",
        }
        assert "+ stage prod" in plan["diff"]
        stage = next(s["params"] for s in plan["steps"] if s["call"] == "create_stage")
        assert stage["DefaultRouteSettings"] == {"ThrottlingBurstLimit": 100, "ThrottlingRateLimit": 50.0}
        assert stage["AccessLogSettings"]["DestinationArn"].endswith(":log-group:/aws/apigateway/shop/prod")

        applied = await preview_and_apply(session, request)
        assert "failed" not in applied and "remaining" not in applied
        assert applied["applied"] == len(SECURED_STEPS)
        api_id = applied["api_id"]
        assert applied["undo"]

        again = await call_ok(session, "create_http_api", request)
        assert "steps" not in again["plan"] and "diff" not in again["plan"] and "token" not in again["plan"]
        assert again["plan"]["summary"].startswith("No changes")
        for tool, args in follow_ups(api_id, second):
            repeat = await call_ok(session, tool, args)
            assert "steps" not in repeat["plan"], (tool, args, repeat["plan"])
            assert "diff" not in repeat["plan"], (tool, args)

        described = await call_ok(session, "describe_api", {"api_id": api_id})
    routes = {k: v.split(" | ", 1)[1] if " | " in v else "NONE" for k, v in described["routes"].items()}
    assert routes == {"GET /orders": "JWT:users [orders/read]", "POST /orders": "NONE"}
    assert [(a["name"], a["type"], a["issuer"]) for a in described["authorizers"]] == [
        ("users", "JWT", ISSUER)
    ]
    (prod,) = described["stages"]
    assert prod["name"] == "prod" and prod["throttle"] == "burst 100, rate 50.0/s"
    assert prod["access_log"] == f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/apigateway/shop/prod"
    assert described["cors"]["AllowOrigins"] == ["https://app.example.com"]
    assert "/aws/apigateway/shop/prod" in log_groups(moto_endpoint)
    for function in (FUNCTION, second):
        (statement,) = statements(moto_endpoint, function)
        assert statement["Sid"] == f"apigw-mcp-{api_id}"
        source = statement["Condition"]["ArnLike"]["AWS:SourceArn"]
        assert source == f"arn:aws:execute-api:{REGION}:{ACCOUNT}:{api_id}/*"

    async with client(allow_deletes=True) as session:
        undone = await preview_and_apply(session, {"handle": applied["undo"]}, tool="undo")
        assert ops(undone["preview"]) == [
            "remove_permission",
            "remove_permission",
            "delete_api",
            "delete_log_group",
        ]
        assert "failed" not in undone
        assert (await call_ok(session, "list_apis", {}))["apis"] == []
    assert "/aws/apigateway/shop/prod" not in log_groups(moto_endpoint), "undo covers its log group"
    for function in (FUNCTION, second):
        assert not [s for s in statements(moto_endpoint, function) if api_id in s["Sid"]]
    assert moto_state(moto_endpoint) == nothing
