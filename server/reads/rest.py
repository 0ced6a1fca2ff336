"""Read a REST API whole, in one round of concurrent reads, in AWS's own shapes.

What comes back is the raw contract of ``tools/kinds/rest/live.py``: boto3's responses as AWS
returns them (camelCase), so the pure core parses what AWS sends and nothing here interprets it.
``get_resources`` embeds the methods (with their integrations and responses), so the read count
does not grow with the number of methods.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from apigw_mcp.server.aws import AwsRuntime, gather
from apigw_mcp.tools.engine.errors import AwsCallFailed


async def read_rest_raw(rt: AwsRuntime, api_id: str) -> dict[str, Any] | None:
    """The REST API's parts (``None`` when no REST API has this id)."""

    def items(operation: str) -> Callable[[], Awaitable[list[dict[str, Any]]]]:
        return lambda: rt.paginate("apigateway", operation, "items", restApiId=api_id)

    try:
        api, resources, authorizers, validators, models, responses, stages, account = await gather(
            lambda: rt.call("apigateway", "get_rest_api", restApiId=api_id),
            lambda: rt.paginate("apigateway", "get_resources", "items", restApiId=api_id, embed=["methods"]),
            items("get_authorizers"),
            items("get_request_validators"),
            items("get_models"),
            items("get_gateway_responses"),
            lambda: rt.call("apigateway", "get_stages", restApiId=api_id),
            _account(rt),
        )
    except AwsCallFailed as error:
        if "NotFound" in error.code:
            return None
        raise
    api.pop("ResponseMetadata", None)
    return {
        "api": api,
        "resources": resources,
        "authorizers": authorizers,
        "validators": validators,
        "models": models,
        "gateway_responses": responses,
        "stages": stages.get("item", []),
        "tags": api.get("tags", {}),
        "account": account,
    }


def _account(rt: AwsRuntime) -> Callable[[], Awaitable[dict[str, Any]]]:
    """The account's API Gateway settings (its CloudWatch role): optional, a denied read gives {}."""

    async def read() -> dict[str, Any]:
        try:
            return await rt.call("apigateway", "get_account")
        except AwsCallFailed:
            return {}

    return read
