"""create_rest_api through a real MCP session on the sandbox: preview, apply with the token, an idempotent
re-preview, a change, undo back to nothing; refusals name the field and write nothing."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import ClientFactory
from .helpers import FUNCTION, call_ok, preview_and_apply, sandbox_client, text_of
from .recorder import Recording

pytestmark = pytest.mark.anyio
POOL = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_Abc123"


def orders_rest(**overrides: Any) -> dict[str, Any]:
    request: dict[str, Any] = {
        "name": "orders-rest",
        "routes": [
            {"route_key": "GET /orders", "lambda_arn": FUNCTION},
            {
                "route_key": "POST /orders/{id}",
                "lambda_arn": FUNCTION,
                "auth": "users",
                "scopes": ["orders/write"],
            },
        ],
        "authorizers": [{"name": "users", "cognito_user_pool_arns": [POOL]}],
        "cors": {"allow_origins": ["https://app.example.com"]},
        "stages": [{"name": "prod", "caching": {"enabled": True, "size": "0.5", "methods": ["GET /orders"]}}],
    }
    return request | overrides


def _methods(endpoint: str, api_id: str) -> dict[str, list[str]]:
    items = sandbox_client("apigateway", endpoint).get_resources(restApiId=api_id, embed=["methods"])["items"]
    return {i["path"]: sorted(i.get("resourceMethods", {})) for i in items}


async def test_builds_the_whole_api_then_previews_nothing_and_undo_removes_it(
    client: ClientFactory, moto_endpoint: str, recording: Recording
) -> None:
    async with client(allow_deletes=True) as session:
        applied = await preview_and_apply(session, orders_rest(), "create_rest_api")
        api_id = applied["api_id"]
        assert applied["endpoint"] == f"https://{api_id}.execute-api.us-east-1.amazonaws.com"
        assert _methods(moto_endpoint, api_id) == {
            "/": [],
            "/orders": ["GET", "OPTIONS"],
            "/orders/{id}": ["OPTIONS", "POST"],
        }
        stage = sandbox_client("apigateway", moto_endpoint).get_stage(restApiId=api_id, stageName="prod")
        assert stage["cacheClusterEnabled"] and stage["methodSettings"]["orders/GET"]["cachingEnabled"]
        again = await call_ok(session, "create_rest_api", orders_rest())
        assert "steps" not in again["plan"], again["plan"]
        undo = await call_ok(session, "undo", {"handle": applied["undo"]})
        await call_ok(
            session,
            "undo",
            {"handle": applied["undo"], "dry_run": False, "plan_token": undo["plan"]["token"]},
        )
    assert sandbox_client("apigateway", moto_endpoint).get_rest_apis()["items"] == []


async def test_a_changed_route_is_an_update_of_the_live_api(
    client: ClientFactory, recording: Recording
) -> None:
    async with client() as session:
        first = await preview_and_apply(session, orders_rest(), "create_rest_api")
        routes = [*orders_rest()["routes"], {"route_key": "GET /orders/{id}", "lambda_arn": FUNCTION}]
        preview = await call_ok(session, "create_rest_api", orders_rest(routes=routes))
        assert preview["api_id"] == first["api_id"]
        calls = [s["call"] for s in preview["plan"]["steps"]]
        assert "create_rest_api" not in calls and "put_method" in calls
        # the stages the desired state names serve it: the changed API is deployed to prod in the same plan
        assert "create_deployment" in calls and "update_stage" in calls, calls
        assert not any("not live until" in w for w in preview["plan"].get("warnings", []))


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"routes": [{"route_key": "GET /a", "lambda_arn": FUNCTION, "auth": "nobody"}]}, "routes[0].auth"),
        ({"routes": [{"route_key": "GET /a", "http_url": "https://169.254.169.254/latest"}]}, "http_url"),
        ({"routes": [{"route_key": "GET /a", "lambda_arn": FUNCTION, "timeout_ms": 40000}]}, "timeout_ms"),
        ({"endpoint_type": "PRIVATE"}, "vpc_endpoint_ids"),
        ({"cors": {"allow_origins": ["*"], "allow_credentials": True}}, "cors"),
    ],
    ids=[
        "unknown_authorizer",
        "metadata_url",
        "timeout_over_29s",
        "private_without_endpoints",
        "star_with_credentials",
    ],
)
async def test_rejects_bad_input_naming_the_field(
    client: ClientFactory, recording: Recording, change: dict[str, Any], field: str
) -> None:
    async with client() as session:
        result = await session.call_tool("create_rest_api", orders_rest(**change))
    assert result.is_error and field in text_of(result), text_of(result)
    assert recording.writes() == []
