"""build_server(settings): the MCPServer with its tools and the skill resource.

No globals and no AWS call at start; boto3 loads on the first tool call.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

from mcp.server import MCPServer
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.mcpserver.resources import FileResource
from mcp.types import CallToolResult, InputRequiredResult, TextContent, Tool, ToolAnnotations
from pydantic import BaseModel, Field, ValidationError

from apigw_mcp.tools import render
from apigw_mcp.tools.cors import Cors
from apigw_mcp.tools.describe import ApiDescription, ApiSummary, describe, summarise_rest, summarise_v2
from apigw_mcp.tools.errors import ApigwMcpError, AwsCallFailed
from apigw_mcp.tools.http_spec import ApiName, CreateHttpApiArgs, RouteInput, Tags
from apigw_mcp.tools.results import ChangeResult

from . import package_version
from .audit import AuditLog
from .aws import AwsRuntime, gather
from .http_api import Runtime
from .http_api import create_http_api as reconcile_http_api
from .http_reads import all_v2_apis, api_parts
from .settings import Settings
from .wire import compact_schema, one_line, shallow

M = TypeVar("M", bound=BaseModel)
SKILL = Path(__file__).resolve().parent.parent / "skill" / "SKILL.md"
MAX_LISTED = 100
INSTRUCTIONS = (
    "AWS API Gateway tools. Changes are previewed first: call a mutating tool with dry_run=true (default), "
    "read plan.diff and plan.warnings, then repeat the same arguments with dry_run=false and plan_token. "
    "Read-only tools never write."
)
READ = ToolAnnotations(read_only_hint=True, open_world_hint=True)
CHANGE = ToolAnnotations(
    read_only_hint=False, destructive_hint=True, idempotent_hint=True, open_world_hint=True
)


class ApiListing(BaseModel):
    apis: list[ApiSummary]
    truncated: bool = False


def result(model: M, text: str) -> CallToolResult:
    return CallToolResult(
        content=[TextContent(type="text", text=text)],
        structured_content=model.model_dump(mode="json", exclude_none=True),
    )


async def guarded(work: Callable[[], Awaitable[CallToolResult]]) -> CallToolResult:
    """Our errors become one actionable tool error; never a traceback or a raw boto3 dump."""
    try:
        return await work()
    except ApigwMcpError as error:
        raise ToolError(str(error)) from None


class ApigwServer(MCPServer):
    """MCPServer whose argument errors are one line per field, never echoing the rejected values.

    The SDK's default text is pydantic's full report, which repeats each input
    value (possibly a token or key) and a documentation link per error.
    """

    async def list_tools(self) -> list[Tool]:
        return [
            tool.model_copy(
                update={
                    "description": one_line(tool.description),
                    "input_schema": compact_schema(tool.input_schema),
                    "output_schema": shallow(compact_schema(tool.output_schema)),
                }
            )
            for tool in await super().list_tools()
        ]

    async def call_tool(
        self, name: str, arguments: dict[str, Any], context: Context[Any, Any] | None = None
    ) -> CallToolResult | InputRequiredResult:
        try:
            return await super().call_tool(name, arguments, context)
        except ToolError as error:
            cause = error.__cause__
            if not isinstance(cause, ValidationError):
                raise
            raise ToolError(
                f"Error executing tool {name}: invalid arguments: {argument_errors(cause)}"
            ) from cause


def argument_errors(error: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or 'arguments'}: {e['msg'].removeprefix('Value error, ')}"
        for e in error.errors()
    )


def build_server(settings: Settings) -> MCPServer:
    rt = Runtime(aws=AwsRuntime(settings), scope=settings.scope(), audit=AuditLog(settings.audit_path))
    server = ApigwServer("apigw-mcp", instructions=INSTRUCTIONS, version=package_version())
    _register_reads(server, rt)
    _register_http(server, rt)
    if SKILL.exists():
        server.add_resource(
            FileResource(
                uri="skill://api-gateway/SKILL.md",
                name="api-gateway-skill",
                mime_type="text/markdown",
                path=SKILL,
            )
        )
    return server


def _register_reads(server: MCPServer, rt: Runtime) -> None:
    @server.tool(title="List APIs", annotations=READ)
    async def list_apis(
        name_contains: str | None = None,
    ) -> Annotated[CallToolResult, ApiListing]:
        """List HTTP, REST and WebSocket APIs in the region (id, name, type, endpoint, created, managed)."""

        async def work() -> CallToolResult:
            _, v2, rest = await gather(
                rt.aws.identity,
                lambda: all_v2_apis(rt.aws),
                lambda: rt.aws.paginate("apigateway", "get_rest_apis", "items"),
            )
            apis = [summarise_v2(a) for a in v2] + [summarise_rest(a, rt.scope.region) for a in rest]
            if name_contains:
                apis = [a for a in apis if name_contains.lower() in a.name.lower()]
            apis.sort(key=lambda a: (a.name.lower(), a.api_id))
            listing = ApiListing(apis=apis[:MAX_LISTED], truncated=len(apis) > MAX_LISTED)
            return result(listing, render.listing_text(listing.apis, listing.truncated))

        return await guarded(work)

    @server.tool(title="Describe an API", annotations=READ)
    async def describe_api(
        api_id: str, routes_matching: str | None = None
    ) -> Annotated[CallToolResult, ApiDescription]:
        """One HTTP or WebSocket API: routes (first 30; filter with routes_matching), integrations,
        authorizers, stages, CORS, invoke URLs."""

        async def work() -> CallToolResult:
            try:
                _, parts = await gather(rt.aws.identity, lambda: api_parts(rt.aws, api_id))
            except AwsCallFailed as error:
                raise await _not_found_hint(rt, api_id, error) from None
            description = describe(**parts, routes_matching=routes_matching)
            return result(description, render.description_text(description))

        return await guarded(work)


async def _not_found_hint(rt: Runtime, api_id: str, error: AwsCallFailed) -> ApigwMcpError:
    if error.code != "NotFoundException":
        return error
    try:
        await rt.aws.call("apigateway", "get_rest_api", restApiId=api_id)
    except AwsCallFailed:
        return AwsCallFailed(
            error.code, f"api_id {api_id!r} not found in {rt.scope.region}: list_apis shows what exists"
        )
    return AwsCallFailed(
        "Unsupported", f"api_id {api_id!r} is a REST API; describe_api covers HTTP and WebSocket APIs"
    )


def _register_http(server: MCPServer, rt: Runtime) -> None:
    @server.tool(title="Create or update an HTTP API", annotations=CHANGE)
    async def create_http_api(
        name: ApiName,
        routes: list[RouteInput],
        description: Annotated[str, Field(max_length=1024)] = "",
        cors: Cors | None = None,
        default_stage: Annotated[bool, Field(description="$default stage, auto-deploy")] = True,
        tags: Tags | None = None,
        dry_run: bool = True,
        plan_token: str | None = None,
    ) -> Annotated[CallToolResult, ChangeResult]:
        """Create an HTTP API (or reconcile the managed one of this name) with Lambda/HTTPS routes, CORS,
        $default stage and Lambda invoke permissions. Dry run returns the plan; apply with plan_token."""
        args = CreateHttpApiArgs(
            name=name,
            routes=routes,
            description=description,
            cors=cors,
            default_stage=default_stage,
            tags=tags or {},
        )

        async def work() -> CallToolResult:
            change = await reconcile_http_api(rt, args, dry_run, plan_token)
            return result(change, render.change_text(change, dry_run))

        return await guarded(work)
