"""audit_api's fixes run as given: every tool call it suggests for real sandbox APIs previews without error.

Each API is built with our own create_http_api (so the default scope may change it), then given the
weaknesses audit_api looks for: open routes next to an existing JWT or Lambda authorizer, CORS that
allows any origin with credentials (set with boto3: our tools refuse it), no access logs, no
throttling, a function any API may invoke. Every fix that is a tool call is then called through the
same MCP session exactly as audit_api returned it (``dry_run`` true), and must succeed.
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from apigw_mcp.server.sandbox.ext import SeedInfo

from .conftest import REGION, ClientFactory
from .helpers import FUNCTION, call_ok, preview_and_apply, text_of

pytestmark = pytest.mark.anyio
ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Test123"


def aws(service: str, endpoint: str) -> Any:
    make: Any = boto3.client
    return make(service, region_name=REGION, endpoint_url=endpoint)


def api(name: str, authorizer: dict[str, Any], auth: str) -> dict[str, Any]:
    """GET /orders open, POST /orders behind ``authorizer``."""
    return {
        "name": name,
        "routes": [
            {"route_key": "GET /orders", "lambda_arn": FUNCTION},
            {"route_key": "POST /orders", "lambda_arn": FUNCTION, "auth": auth},
        ],
        "authorizers": [authorizer],
    }


APIS = {
    "jwt": api("audit-jwt", {"name": "users", "issuer": ISSUER, "audience": ["client-1"]}, "users"),
    "lambda": api(
        "audit-lambda",
        {
            "name": "gate",
            "function_arn": FUNCTION,
            "identity_source": ["$request.header.Authorization"],
            "ttl_seconds": 60,
        },
        "gate",
    ),
}


async def fixes_run(session: Any, api_id: str) -> list[tuple[str, str, str]]:
    audited = await call_ok(session, "audit_api", {"api_id": api_id})
    runs: list[tuple[str, str, str]] = []
    for finding in audited["apis"][0]["findings"]:
        fix = finding.get("fix") or {}
        if fix.get("tool"):
            result = await session.call_tool(fix["tool"], fix["args"])
            runs.append((finding["rule_id"], fix["tool"], text_of(result) if result.is_error else ""))
    return runs


@pytest.mark.parametrize("kind", sorted(APIS))
async def test_every_audit_fix_previews(
    kind: str, client: ClientFactory, sandbox: SeedInfo, moto_endpoint: str
) -> None:
    aws("lambda", moto_endpoint).add_permission(
        FunctionName=FUNCTION,
        StatementId="any-api",
        Action="lambda:InvokeFunction",
        Principal="apigateway.amazonaws.com",
    )
    async with client() as session:
        api_id = (await preview_and_apply(session, APIS[kind]))["api_id"]
        cors = {
            "AllowOrigins": ["*", "https://app.example.com"],
            "AllowCredentials": True,
            "AllowMethods": ["GET"],
        }
        aws("apigatewayv2", moto_endpoint).update_api(ApiId=api_id, CorsConfiguration=cors)
        runs = await fixes_run(session, api_id)
    tools = {tool for _, tool, _ in runs}
    expected = "add_jwt_authorizer" if kind == "jwt" else "add_lambda_authorizer"
    assert {expected, "configure_cors", "deploy_stage", "ensure_lambda_permission"} <= tools, runs
    assert [run for run in runs if run[2]] == []
    print(f"\naudit fixes run as given ({kind}): {len(runs)} tool calls, all previewed")
