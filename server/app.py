"""build_server(settings): the MCPServer with its tools and the skill resource.

No globals and no AWS call at start; boto3 loads on the first tool call.
"""

from __future__ import annotations

from typing import Annotated, Any

from mcp.server import MCPServer
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult, InputRequiredResult, Tool
from pydantic import BaseModel, ValidationError

from apigw_mcp.tools import render
from apigw_mcp.tools.describe import ApiDescription, ApiSummary, describe, summarise_rest, summarise_v2
from apigw_mcp.tools.errors import ApigwMcpError, AwsCallFailed, validation_message
from apigw_mcp.tools.http_inputs import ApiRef
from apigw_mcp.tools.redact import redact_text

from . import package_version
from .audit import AuditLog
from .aws import AwsRuntime, gather
from .diagnose_tools import register_diagnose_tools
from .http_reads import all_v2_apis, api_parts
from .http_serve import HttpBinding, server_auth
from .http_tools import Register, register_http_tools, registrar
from .results import guarded, result
from .runtime import Runtime
from .settings import TOOLSETS, Settings
from .skill_resources import register_skill
from .stdio import robust_stdio_server
from .wire import compact_schema, one_line, shallow

MAX_LISTED = 100
INSTRUCTIONS = (
    "AWS API Gateway tools. Mutating tools preview by default (dry_run=true): read plan.diff and "
    "plan.warnings, "
    "then repeat the same arguments with dry_run=false and plan_token. Each apply returns an undo handle."
)


class ApiListing(BaseModel):
    apis: list[ApiSummary]
    truncated: bool = False


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

    def _refuse_unknown_arguments(self, name: str, arguments: dict[str, Any]) -> None:
        """Top-level arguments the tool does not take are refused, as nested unknown fields are."""
        tool = self._tool_manager.get_tool(name)
        if tool is None or not isinstance(arguments, dict):
            return
        known = set((tool.parameters or {}).get("properties", {}))
        unknown = sorted(str(k) for k in arguments if k not in known)
        if unknown:
            shown = ", ".join(repr(k)[:60] for k in unknown[:5])
            takes = ", ".join(sorted(known))
            raise ToolError(f"Error executing tool {name}: unknown argument(s) {shown}; it takes {takes}")

    async def run_stdio_async(self) -> None:
        """Over stdio, every request gets an answer, even one the SDK's parser drops (``stdio.py``)."""
        async with robust_stdio_server() as (read_stream, write_stream):
            await self._lowlevel_server.run(
                read_stream, write_stream, self._lowlevel_server.create_initialization_options()
            )

    async def call_tool(
        self, name: str, arguments: dict[str, Any], context: Context[Any, Any] | None = None
    ) -> CallToolResult | InputRequiredResult:
        self._refuse_unknown_arguments(name, arguments)
        try:
            return await super().call_tool(name, arguments, context)
        except ToolError as error:
            cause = error.__cause__
            if not isinstance(cause, ValidationError):
                raise
            raise ToolError(
                redact_text(f"Error executing tool {name}: invalid arguments: {validation_message(cause)}")
            ) from cause


def build_server(
    settings: Settings, aws: AwsRuntime | None = None, http: HttpBinding | None = None
) -> MCPServer:
    """The server for ``settings``; tests may pass ``aws`` to reach its botocore clients' event hooks.

    ``http``: where the HTTP transport will listen, so a configured bearer token is required there.
    """
    rt = Runtime(aws=aws or AwsRuntime(settings), scope=settings.scope(), audit=AuditLog(settings.audit_path))
    server = ApigwServer(
        "apigw-mcp", instructions=INSTRUCTIONS, version=package_version(), **server_auth(settings, http)
    )
    enabled = {name for toolset in settings.toolsets for name in TOOLSETS[toolset]}
    tool = registrar(server, enabled)
    _register_reads(tool, rt)
    register_http_tools(tool, rt)
    register_diagnose_tools(tool, rt)
    register_skill(server)
    return server


def _register_reads(tool: Register, rt: Runtime) -> None:
    tool("list_apis", "List APIs")(_list_apis(rt))
    tool("describe_api", "Describe an API")(_describe_api(rt))


def _list_apis(rt: Runtime) -> Any:
    async def list_apis(name_contains: str = "") -> Annotated[CallToolResult, ApiListing]:
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

    return list_apis


def _describe_api(rt: Runtime) -> Any:
    async def describe_api(
        api_id: ApiRef, routes_matching: str = ""
    ) -> Annotated[CallToolResult, ApiDescription]:
        """An HTTP or WebSocket API: routes (30 at most; filter with routes_matching), authorizers, stages,
        CORS, URLs."""

        async def work() -> CallToolResult:
            try:
                _, parts = await gather(rt.aws.identity, lambda: api_parts(rt.aws, api_id))
            except AwsCallFailed as error:
                raise await _not_found_hint(rt, api_id, error) from None
            description = describe(**parts, routes_matching=routes_matching or None)
            return result(description, render.description_text(description))

        return await guarded(work)

    return describe_api


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
