"""``apigw-mcp demo``: a readable end-to-end walk on the sandbox through a real MCP client session."""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import anyio

from apigw_mcp.server.sandbox.launcher import Sandbox, SandboxError

from .cli_support import sandbox_credentials

REGION = "us-east-1"


def run_demo(as_json: bool = False) -> int:
    try:
        with Sandbox(REGION) as box, tempfile.TemporaryDirectory() as state:
            sandbox_credentials()
            steps = anyio.run(_walk, box, Path(state))
    except SandboxError as error:
        print(f"apigw-mcp demo: {error}", file=sys.stderr)
        return 1
    if as_json:
        print(json.dumps(steps, indent=2))
    else:
        for step in steps:
            print(f"\n== {step['title']}\n{step['text']}")
    return 0 if all(not s["is_error"] for s in steps) else 1


async def _walk(box: Sandbox, state: Path) -> list[dict[str, Any]]:
    from mcp import Client

    from .app import build_server
    from .settings import load_settings

    settings = load_settings(
        region=REGION, endpoint_url=box.endpoint, audit_log=str(state / "audit.jsonl"), allow_deletes=True
    )
    steps: list[dict[str, Any]] = []
    request = {
        "name": "demo-orders",
        "description": "Orders API built by apigw-mcp demo",
        "routes": [
            {"route_key": "GET /orders", "lambda_arn": box.seed.function_arn},
            {
                "route_key": "POST /orders",
                "lambda_arn": box.seed.function_arn,
                "auth": "cognito",
                "scopes": ["orders/write"],
            },
            {
                "route_key": "ANY /legacy/{proxy+}",
                "url": "https://legacy.example.com/api",
                "timeout_ms": 10000,
            },
        ],
        "cors": {
            "allow_origins": ["https://app.example.com"],
            "allow_methods": ["GET", "POST"],
            "max_age": 600,
        },
        "authorizers": [
            {
                "name": "cognito",
                "cognito_user_pool_id": "us-east-1_Demo123",
                "cognito_app_client_id": "demo0client0id",
            }
        ],
        "stages": [{"name": "prod", "throttle": {"burst": 100, "rate": 50}, "access_log": True}],
    }
    async with Client(build_server(settings)) as client:

        async def call(title: str, tool: str, args: dict[str, Any]) -> dict[str, Any]:
            res = await client.call_tool(tool, args)
            text = "\n".join(getattr(block, "text", "") for block in res.content)
            steps.append(
                {
                    "title": title,
                    "tool": tool,
                    "is_error": res.is_error,
                    "text": text,
                    "structured": res.structured_content,
                }
            )
            return res.structured_content or {}

        async def preview_and_apply(title: str, tool: str, args: dict[str, Any]) -> dict[str, Any]:
            preview = await call(f"{title} (dry run): the plan, nothing written", tool, args)
            token = preview.get("plan", {}).get("token", "")
            return await call(
                f"{title}: apply with the plan's token", tool, {**args, "dry_run": False, "plan_token": token}
            )

        await call("1. list_apis: what exists in the sandbox", "list_apis", {})
        applied = await preview_and_apply("2. create_http_api", "create_http_api", request)
        api_id = applied.get("api_id", "")
        await call("3. describe_api: the result", "describe_api", {"api_id": api_id})
        await call("4. create_http_api again: idempotent, an empty plan", "create_http_api", request)
        await call(
            "5. diagnose_error: a client says 'GET /prod/users returns 404'",
            "diagnose_error",
            {
                "api_id": api_id,
                "status": 404,
                "method": "GET",
                "path": "/prod/users",
                "error_body": '{"message":"Not Found"}',
            },
        )
        await preview_and_apply("6. undo", "undo", {"handle": applied.get("undo", "")})
        await call("7. list_apis: back to nothing", "list_apis", {})
    endpoint = applied.get("endpoint", "")
    steps.append(
        {
            "title": "Invoke URLs (printed, not called: the sandbox does not serve APIs)",
            "tool": None,
            "is_error": False,
            "text": f"curl {endpoint}/orders  ($default stage)\ncurl {endpoint}/prod/orders  (prod stage)",
            "structured": None,
        }
    )
    return steps
