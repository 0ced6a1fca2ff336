"""Small helpers shared by the MCP-level tests."""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3
from mcp import Client

FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:apigw-mcp-sandbox-fn"


@cache
def sandbox_client(service: str, endpoint: str) -> Any:
    """A boto3 client on the sandbox, cached: making one costs more than the calls a test makes."""
    make: Any = boto3.client  # the stubs type only literal service names
    return make(service, region_name="us-east-1", endpoint_url=endpoint)


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
    """One table case of a diagnosis rule: silence, or a hit with evidence and a dry-run fix that the
    engine ranks first.

    The engine matches the request itself, so a positive case is run for the request its ``Match``
    describes (its stage, path and method fill what the symptom leaves out); the engine's match must
    agree with the case's, or the case contradicts itself.
    """
    from apigw_mcp.tools.diagnose.catalogue import catalogue
    from apigw_mcp.tools.diagnose.engine import diagnose
    from apigw_mcp.tools.diagnose.matching import match_request
    from apigw_mcp.tools.diagnose.registry import RULES

    assert facts.api_type in catalogue()[rule_id].api_types
    hit = RULES[rule_id](facts, symptom)
    if not hits:
        assert hit is None, rule_id
        return
    assert hit is not None, rule_id
    assert hit.confidence >= 0.5
    assert hit.evidence and all(e.read and e.field for e in hit.evidence)
    if hit.fix is not None and hit.fix.tool:
        assert hit.fix.args is not None and hit.fix.args["dry_run"] is True
    given = facts.match
    fill = {"stage": given.stage, "path": given.path, "method": given.method}
    request = symptom.model_copy(
        update={k: v for k, v in fill.items() if v is not None and getattr(symptom, k) is None}
    )
    found = match_request(facts, request)
    keys = ("kind", "route_id", "resource_id", "stage")
    assert [getattr(found, k) for k in keys] == [getattr(given, k) for k in keys], found.assumed
    ranked = [(f.rule_id, f.confidence) for f in diagnose(facts, request).findings]
    assert ranked and ranked[0][0] == rule_id, ranked


def ops(plan: dict[str, Any]) -> list[str]:
    """The AWS operations of a preview's steps, in order."""
    return [s["call"].rsplit(".", 1)[-1] for s in plan.get("steps", [])]


def calls(plan: dict[str, Any]) -> list[str]:
    """Each step's call as service.operation (a call without a service is in ``plan.service``)."""
    return [
        s["call"] if "." in s["call"] else f"{plan['service']}.{s['call']}" for s in plan.get("steps", [])
    ]


def full_steps(plan: dict[str, Any]) -> list[dict[str, Any]]:
    """A preview's steps with each ``call`` written in full (service.operation)."""
    return [{**step, "call": call} for step, call in zip(plan.get("steps", []), calls(plan), strict=True)]
