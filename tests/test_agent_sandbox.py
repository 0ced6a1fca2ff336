"""An agent that knows only tools/list and the results drives `apigw-mcp serve --sandbox` end to end.

One real stdio subprocess with its own sandbox: the agent finds a Lambda function with
list_functions (the instructions point there), builds the secured API, adds a route,
deletes it and undoes that, with no restart and nothing from outside the tools: each
apply uses the preview's ``plan.token``, each step follows the result's ``next``.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import pytest
from mcp import Client, StdioServerParameters

from .conftest import SERIAL
from .helpers import text_of
from .test_cli import CLI, child_env

pytestmark = [pytest.mark.anyio, SERIAL]  # starts a sandbox process


async def _call(session: Client, tool: str, args: dict[str, Any]) -> dict[str, Any]:
    result = await session.call_tool(tool, args)
    assert not result.is_error, text_of(result)
    content: dict[str, Any] = result.structured_content or {}
    assert json.loads(text_of(result)) == content, "both channels carry the same result"
    return content


async def _preview_then_apply(session: Client, tool: str, args: dict[str, Any]) -> dict[str, Any]:
    preview = await _call(session, tool, args)
    assert "dry_run=false and plan_token=plan.token" in preview["next"], preview["next"]
    applied = await _call(session, tool, {**args, "dry_run": False, "plan_token": preview["plan"]["token"]})
    assert "failed" not in applied and applied["next"].startswith("Done"), applied
    return applied


async def test_an_agent_builds_changes_deletes_and_undoes_on_the_sandbox() -> None:
    params = StdioServerParameters(
        command=sys.executable, args=[*CLI[1:], "serve", "--sandbox"], env=child_env()
    )
    async with Client(params, read_timeout_seconds=60) as session:
        assert session.instructions is not None and "list_functions" in session.instructions
        tools = {t.name for t in (await session.list_tools()).tools}
        assert {"list_functions", "create_http_api", "add_route", "delete_route", "undo"} <= tools
        [function] = (await _call(session, "list_functions", {}))["functions"]
        arn = function["arn"]
        secured = {
            "name": "agent-orders",
            "routes": [
                {"route_key": "GET /orders", "lambda_arn": arn},
                {"route_key": "POST /orders", "lambda_arn": arn, "auth": "users", "scopes": ["orders/write"]},
            ],
            "cors": {"allow_origins": ["https://app.example.com"]},
            "authorizers": [
                {"name": "users", "issuer": "https://idp.example.com", "audience": ["agent-app"]}
            ],
            "stages": [{"name": "prod", "throttle": {"burst": 50, "rate": 20}, "access_log": True}],
        }
        built = await _preview_then_apply(session, "create_http_api", secured)
        api = "agent-orders"  # the agent names the API as it named it: ids or names both work
        route = {"route_key": "DELETE /orders/{id}", "lambda_arn": arn, "auth": "users"}
        await _preview_then_apply(session, "add_route", {"api_id": api, "route": route})
        deleted = await _preview_then_apply(
            session, "delete_route", {"api_id": api, "route_key": "DELETE /orders/{id}"}
        )
        await _preview_then_apply(session, "undo", {"handle": deleted["undo"]})
        described = await _call(session, "describe_api", {"api_id": built["api_id"]})
    assert described["routes"]["DELETE /orders/{id}"].endswith("| JWT:users")
    assert set(described["routes"]) == {"GET /orders", "POST /orders", "DELETE /orders/{id}"}
    assert [s["name"] for s in described["stages"]] == ["prod"]
