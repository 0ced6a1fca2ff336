"""The read tools: list_apis, describe_api (any kind, by id or name), list_functions (Lambda scope)."""

from __future__ import annotations

from typing import Annotated, Any

from mcp.types import CallToolResult
from pydantic import BaseModel, Field

from apigw_mcp.server.aws import gather
from apigw_mcp.server.kinds.rest import REST
from apigw_mcp.server.mcp_tools.registry import Register
from apigw_mcp.server.reads.locate import locate_api
from apigw_mcp.server.reads.v2 import all_v2_apis, api_parts
from apigw_mcp.server.results import guarded, result
from apigw_mcp.server.runtime import Runtime
from apigw_mcp.tools.engine.errors import BadInput
from apigw_mcp.tools.engine.scope import lambda_refusal
from apigw_mcp.tools.kinds.http.describe import (
    ApiSummary,
    AuthorizerView,
    StageView,
    day,
    describe,
    summarise_rest,
    summarise_v2,
)
from apigw_mcp.tools.kinds.http.inputs import ApiRef
from apigw_mcp.tools.kinds.rest.describe import (
    RestApiDescription,
    RestAuthorizerView,
    RestStageView,
    describe_rest,
)

MAX_LISTED = 100


class ApiListing(BaseModel):
    apis: list[ApiSummary]
    truncated: bool | None = None


class AnyApiDescription(BaseModel):
    """describe_api's result: an HTTP or WebSocket API (``ApiDescription``) or a REST API
    (``RestApiDescription``), as one schema."""

    api_id: str
    name: str
    type: str
    endpoint_type: str | None = None
    endpoint: str
    managed: bool
    description: str | None = None
    default_endpoint_disabled: bool | None = None
    cors: dict[str, Any] | None = None
    tags: dict[str, str] | None = None
    routes: dict[str, str]
    routes_total: int | None = None
    authorizers: list[AuthorizerView | RestAuthorizerView] | None = None
    stages: list[StageView | RestStageView]
    unused_integrations: list[str] | None = None
    gateway_responses: list[str] | None = None


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
    ) -> Annotated[CallToolResult, AnyApiDescription]:
        """An HTTP, WebSocket or REST API by id or name: routes (30 at most; filter with routes_matching),
        authorizers, stages (REST: caching, throttling, logging, canary), CORS, URLs."""

        async def work() -> CallToolResult:
            located = await locate_api(rt.aws, api_id, None)
            if located.kind is None or located.api_id is None:
                raise BadInput(
                    "api_id", f"no API {api_id!r} in {rt.scope.region}: list_apis shows what exists"
                )
            if located.kind == "REST":
                return result(await _describe_rest(rt, located.api_id, routes_matching))
            parts = await api_parts(rt.aws, located.api_id)
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


async def _describe_rest(rt: Runtime, api_id: str, routes_matching: str) -> RestApiDescription:
    live = await REST.read(rt.aws, api_id)
    if live is None:
        raise BadInput("api_id", f"REST API {api_id} is gone: list_apis shows what exists")
    return describe_rest(live.api, live.stages, rt.scope.region, routes_matching or None)
