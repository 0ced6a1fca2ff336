"""Reads of HTTP API state; independent reads run concurrently."""

from __future__ import annotations

from typing import Any

from apigw_mcp.server.aws import AwsRuntime, gather
from apigw_mcp.tools.engine.errors import AwsCallFailed


async def all_v2_apis(rt: AwsRuntime) -> list[dict[str, Any]]:
    return await rt.paginate("apigatewayv2", "get_apis", "Items")


async def api_parts(rt: AwsRuntime, api_id: str, with_authorizers: bool = True) -> dict[str, Any]:
    """get_api plus its routes, integrations, (authorizers) and stages, in one concurrent round."""
    calls = [
        lambda: rt.call("apigatewayv2", "get_api", ApiId=api_id),
        lambda: rt.paginate("apigatewayv2", "get_routes", "Items", ApiId=api_id),
        lambda: rt.paginate("apigatewayv2", "get_integrations", "Items", ApiId=api_id),
        lambda: rt.paginate("apigatewayv2", "get_stages", "Items", ApiId=api_id),
    ]
    if with_authorizers:
        calls.append(lambda: rt.paginate("apigatewayv2", "get_authorizers", "Items", ApiId=api_id))
    results = await gather(*calls)
    return {
        "api": results[0],
        "routes": results[1],
        "integrations": results[2],
        "stages": results[3],
        "authorizers": results[4] if with_authorizers else [],
    }


async def function_policy(rt: AwsRuntime, arn: str) -> tuple[bool, str | None]:
    """(exists, resource policy JSON or None). get_function first: get_policy's NotFound is ambiguous."""
    try:
        await rt.call("lambda", "get_function", FunctionName=arn)
    except AwsCallFailed as error:
        if error.code == "ResourceNotFoundException":
            return False, None
        raise
    try:
        found = await rt.call("lambda", "get_policy", FunctionName=arn)
    except AwsCallFailed as error:
        if error.code == "ResourceNotFoundException":
            return True, None
        raise
    return True, str(found.get("Policy") or "") or None
