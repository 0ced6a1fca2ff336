"""The read tools: list_apis, describe_api (by id or name) and list_functions (within the Lambda scope)."""

from __future__ import annotations

from typing import Annotated, Any

from mcp.types import CallToolResult
from pydantic import BaseModel, Field

from apigw_mcp.server.aws import gather
from apigw_mcp.server.mcp_tools.registry import Register
from apigw_mcp.server.reads.v2 import all_v2_apis, api_parts
from apigw_mcp.server.results import guarded, result
from apigw_mcp.server.runtime import Runtime
from apigw_mcp.tools.engine.errors import AwsCallFailed, BadInput
from apigw_mcp.tools.engine.scope import lambda_refusal
from apigw_mcp.tools.kinds.http.describe import (
    ApiDescription,
    ApiSummary,
    day,
    describe,
    summarise_rest,
    summarise_v2,
)
from apigw_mcp.tools.kinds.http.inputs import ApiRef

MAX_LISTED = 100


class ApiListing(BaseModel):
    apis: list[ApiSummary]
    truncated: bool | None = None


class FunctionSummary(BaseModel):
    name: str
    arn: str
    runtime: str | None = None
    last_modified: str | None = None


class FunctionListing(BaseModel):
    functions: list[FunctionSummary]
    truncated: bool | None = None


def register_read_tools(tool: Register, rt: Runtime) -> None:
    @tool("list_apis", "List APIs")
    async def list_apis(name_contains: str = "") -> Annotated[CallToolResult, ApiListing]:
        """List HTTP, REST and WebSocket APIs in the region (id, name, type, endpoint, created, managed)."""

        async def work() -> CallToolResult:
            _, v2, rest = await gather(
                rt.aws.identity,
                lambda: all_v2_apis(rt.aws),
                lambda: rt.aws.paginate("apigateway", "get_rest_apis", "items"),
            )
            apis = [summarise_v2(a) for a in v2] + [summarise_rest(a, rt.scope.region) for a in rest]
            apis = [a for a in apis if name_contains.lower() in a.name.lower()]
            apis.sort(key=lambda a: (a.name.lower(), a.api_id))
            return result(ApiListing(apis=apis[:MAX_LISTED], truncated=len(apis) > MAX_LISTED or None))

        return await guarded(work)

    @tool("describe_api", "Describe an API")
    async def describe_api(
        api_id: ApiRef, routes_matching: str = ""
    ) -> Annotated[CallToolResult, ApiDescription]:
        """An HTTP or WebSocket API by id or name: routes (30 at most; filter with routes_matching),
        authorizers, stages, CORS, URLs."""

        async def work() -> CallToolResult:
            found = await resolve_v2_api(rt, api_id)
            _, parts = await gather(rt.aws.identity, lambda: api_parts(rt.aws, found))
            return result(describe(**parts, routes_matching=routes_matching or None))

        return await guarded(work)

    @tool("list_functions", "List Lambda functions")
    async def list_functions(
        name_contains: Annotated[str, Field(description="filter on the function name")] = "",
    ) -> Annotated[CallToolResult, FunctionListing]:
        """Lambda functions this server may wire to routes and authorizers (its Lambda scope): name, ARN,
        runtime, last modified."""

        async def work() -> CallToolResult:
            identity, functions = await gather(
                rt.aws.identity, lambda: rt.aws.paginate("lambda", "list_functions", "Functions")
            )
            allowed = [
                _function(f)
                for f in functions
                if name_contains.lower() in str(f.get("FunctionName", "")).lower()
                and lambda_refusal(rt.scope, str(f.get("FunctionArn")), identity.account) is None
            ]
            allowed.sort(key=lambda f: f.name)
            listing = FunctionListing(
                functions=allowed[:MAX_LISTED], truncated=len(allowed) > MAX_LISTED or None
            )
            return result(listing)

        return await guarded(work)


def _function(raw: dict[str, Any]) -> FunctionSummary:
    return FunctionSummary(
        name=raw["FunctionName"],
        arn=raw["FunctionArn"],
        runtime=raw.get("Runtime"),
        last_modified=day(raw.get("LastModified")),
    )


async def resolve_v2_api(rt: Runtime, ref: str) -> str:
    """The id of the HTTP or WebSocket API ``ref`` names (an id, else a unique name); BadInput otherwise."""
    try:
        await rt.aws.call("apigatewayv2", "get_api", ApiId=ref)
        return ref
    except AwsCallFailed as error:
        if error.code != "NotFoundException" and error.status not in (400, 404):
            raise
    v2, rest = await gather(
        lambda: all_v2_apis(rt.aws), lambda: rt.aws.paginate("apigateway", "get_rest_apis", "items")
    )
    named = [a["ApiId"] for a in v2 if a.get("Name") == ref]
    if len(named) == 1:
        return str(named[0])
    if len(named) > 1:
        raise BadInput("api_id", f"{len(named)} APIs are named {ref!r} ({', '.join(named)}); pass the api id")
    if any(ref in (a.get("id"), a.get("name")) for a in rest):
        raise BadInput("api_id", f"{ref!r} is a REST API; describe_api covers HTTP and WebSocket APIs")
    raise BadInput("api_id", f"no API {ref!r} in {rt.scope.region}: list_apis shows what exists")
