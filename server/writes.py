"""Writes that are retried without ever being applied twice.

botocore's own retries would repeat a create whose reply was lost (a read timeout, a
dropped connection, a 5xx after the server acted), leaving a duplicate API or route.
So writes go out once per attempt, and this module decides: a throttle or a request
that never reached AWS is retried as is; after a reply that may have been lost, a
create is first looked for by its natural key (the API's name, the route key, the
authorizer's name, ...) and, when found, taken as applied; updates are retried (they
set the same values again), and a delete that then finds nothing counts as done. A create
with no natural key to look for (a deployment) is sent again: a second snapshot of the same
API is harmless, the stage points at one of them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import anyio

from apigw_mcp.tools.engine.errors import AwsCallFailed
from apigw_mcp.tools.engine.scope import MANAGED_TAG

from .writes_rest import REST_PROBES

if TYPE_CHECKING:
    from .aws import AwsRuntime

Probe = Callable[["AwsRuntime", dict[str, Any]], Awaitable[dict[str, Any] | None]]
ATTEMPTS = 4
_THROTTLED = {"TooManyRequestsException", "ThrottlingException", "Throttling", "LimitExceededException"}
_NOT_SENT = {"EndpointConnectionError", "ConnectTimeoutError", "NoCredentials", "NoRegion"}
MAYBE_APPLIED = {"ReadTimeoutError", "ConnectionClosedError", "ResponseStreamingError"}


def outcome_unknown(error: AwsCallFailed) -> bool:
    """True when AWS may have acted although no success reply arrived."""
    return error.code in MAYBE_APPLIED or error.status >= 500


def retryable(error: AwsCallFailed) -> bool:
    return (
        error.code in _THROTTLED or error.status == 429 or error.code in _NOT_SENT or outcome_unknown(error)
    )


async def write(rt: AwsRuntime, service: str, operation: str, params: dict[str, Any]) -> dict[str, Any]:
    """One write, retried safely; the response (or what a probe found) marks ``Probed`` when it was found."""
    probe = PROBES.get((service, operation))
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return await rt.call_once(service, operation, **params)
        except AwsCallFailed as error:
            if attempt > 1 and operation.startswith(("delete_", "remove_")) and "NotFound" in error.code:
                return {"ResponseMetadata": {}, "Probed": True}
            if outcome_unknown(error) and probe is not None:
                found = await probe(rt, params)
                if found is not None:
                    return {**found, "Probed": True}
            if not retryable(error) or attempt == ATTEMPTS:
                raise
            await anyio.sleep(rt.retry_delay * 2 ** (attempt - 1))
    raise AssertionError("unreachable")  # pragma: no cover


async def _v2_items(rt: AwsRuntime, operation: str, api_id: str) -> list[dict[str, Any]]:
    return await rt.paginate("apigatewayv2", operation, "Items", ApiId=api_id)


async def _api(rt: AwsRuntime, params: dict[str, Any]) -> dict[str, Any] | None:
    apis = await rt.paginate("apigatewayv2", "get_apis", "Items")
    mine = [
        a
        for a in apis
        if a.get("Name") == params["Name"] and (a.get("Tags") or {}).get(MANAGED_TAG) == "true"
    ]
    return max(mine, key=lambda a: str(a.get("CreatedDate", "")), default=None)


def _child(operation: str, *keys: str) -> Probe:
    """A probe that finds the API's child whose ``keys`` equal the create's parameters."""

    async def probe(rt: AwsRuntime, params: dict[str, Any]) -> dict[str, Any] | None:
        items = await _v2_items(rt, operation, params["ApiId"])
        return next((i for i in items if all(i.get(k) == params.get(k) for k in keys)), None)

    return probe


async def _log_group(rt: AwsRuntime, params: dict[str, Any]) -> dict[str, Any] | None:
    name = params["logGroupName"]
    groups = await rt.paginate("logs", "describe_log_groups", "logGroups", logGroupNamePrefix=name)
    return next(({"logGroupName": name} for g in groups if g.get("logGroupName") == name), None)


async def _statement(rt: AwsRuntime, params: dict[str, Any]) -> dict[str, Any] | None:
    import json

    try:
        found = await rt.call("lambda", "get_policy", FunctionName=params["FunctionName"])
    except AwsCallFailed:
        return None
    statements = json.loads(found.get("Policy") or "{}").get("Statement", [])
    return next(
        ({"Statement": json.dumps(s)} for s in statements if s.get("Sid") == params["StatementId"]), None
    )


PROBES: dict[tuple[str, str], Probe] = {
    **REST_PROBES,
    ("apigatewayv2", "create_api"): _api,
    ("apigatewayv2", "create_route"): _child("get_routes", "RouteKey"),
    ("apigatewayv2", "create_integration"): _child(
        "get_integrations", "IntegrationType", "IntegrationUri", "IntegrationMethod", "PayloadFormatVersion"
    ),
    ("apigatewayv2", "create_authorizer"): _child("get_authorizers", "Name"),
    ("apigatewayv2", "create_stage"): _child("get_stages", "StageName"),
    ("logs", "create_log_group"): _log_group,
    ("lambda", "add_permission"): _statement,
}
