"""Small helpers shared by the MCP-level tests."""

from __future__ import annotations

from typing import Any

from mcp import Client

FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:apigw-mcp-sandbox-fn"


def text_of(result: Any) -> str:
    return "\n".join(getattr(block, "text", "") for block in result.content)


def orders_request(**overrides: Any) -> dict[str, Any]:
    request: dict[str, Any] = {
        "name": "orders",
        "routes": [
            {"route_key": "GET /orders", "lambda_arn": FUNCTION},
            {"route_key": "GET /orders/{id}", "lambda_arn": FUNCTION},
            {
                "route_key": "ANY /legacy/{proxy+}",
                "url": "https://legacy.example.com/api",
                "timeout_ms": 5000,
            },
        ],
        "cors": {"allow_origins": ["https://app.example.com"], "allow_methods": ["GET"]},
        "tags": {"team": "payments"},
    }
    request.update(overrides)
    return request


async def call_ok(session: Client, tool: str, args: dict[str, Any]) -> dict[str, Any]:
    result = await session.call_tool(tool, args)
    assert not result.is_error, text_of(result)
    content: dict[str, Any] | None = result.structured_content
    assert content is not None
    return content


async def preview_and_apply(
    session: Client, args: dict[str, Any], tool: str = "create_http_api"
) -> dict[str, Any]:
    """The apply's result plus "preview": the preview's plan, whose steps and diff the apply leaves out."""
    preview = await call_ok(session, tool, args)
    applied = await call_ok(session, tool, {**args, "dry_run": False, "plan_token": preview["plan"]["token"]})
    return {**applied, "preview": preview["plan"]}


def check_rule_case(rule_id: str, facts: Any, symptom: Any, hits: bool) -> None:
    """One table case of a diagnosis rule: a hit with evidence and a dry-run fix, or silence."""
    from apigw_mcp.tools.diagnose.catalogue import catalogue
    from apigw_mcp.tools.diagnose.registry import RULES

    assert facts.api_type in catalogue()[rule_id].api_types
    hit = RULES[rule_id](facts, symptom)
    if not hits:
        assert hit is None, rule_id
        return
    assert hit is not None, rule_id
    assert hit.confidence >= 0.5
    assert hit.evidence
    if hit.fix is not None and hit.fix.tool:
        assert hit.fix.args is not None and hit.fix.args["dry_run"] is True


def ops(plan: dict[str, Any]) -> list[str]:
    """The AWS operations of a preview's steps, in order."""
    return [s["call"].split(".", 1)[1] for s in plan.get("steps", [])]
