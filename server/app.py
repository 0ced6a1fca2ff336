"""build_server(settings): the MCPServer with its tools and the skill resource.

No globals and no AWS call at start; boto3 loads on the first tool call.
"""

from __future__ import annotations

from typing import Any

from mcp.server import MCPServer
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult, InputRequiredResult, Tool
from pydantic import ValidationError

from apigw_mcp.server.mcp_tools.diagnose import register_diagnose_tools
from apigw_mcp.server.mcp_tools.http import register_http_tools
from apigw_mcp.server.mcp_tools.reads import register_read_tools
from apigw_mcp.server.mcp_tools.registry import registrar
from apigw_mcp.server.mcp_tools.rest import register_rest_tools
from apigw_mcp.server.mcp_tools.usage import register_usage_tools
from apigw_mcp.tools.engine.errors import validation_message
from apigw_mcp.tools.engine.redact import redact_text

from . import package_version
from .audit import AuditLog
from .aws import AwsRuntime
from .http_serve import HttpBinding, server_auth
from .runtime import Runtime
from .settings import TOOLSETS, Settings
from .skill_resources import register_skill
from .stdio import robust_stdio_server
from .wire import compact_schema, one_line, shallow

INSTRUCTIONS = (
    "AWS API Gateway tools. Mutating tools preview by default (dry_run=true): read plan.diff and "
    "plan.warnings, "
    "then repeat the same arguments with dry_run=false and plan_token. Each apply returns an undo handle."
)


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
    settings: Settings, aws: AwsRuntime | None = None, http: HttpBinding | None = None, note: str = ""
) -> MCPServer:
    """The server for ``settings``; tests may pass ``aws`` to reach its botocore clients' event hooks.

    ``http``: where the HTTP transport will listen, so a configured bearer token is required there.
    ``note``: said in the instructions, e.g. the sandbox's seeded function.
    """
    rt = Runtime(aws=aws or AwsRuntime(settings), scope=settings.scope(), audit=AuditLog(settings.audit_path))
    instructions = f"{INSTRUCTIONS} {note}".strip()
    server = ApigwServer(
        "apigw-mcp", instructions=instructions, version=package_version(), **server_auth(settings, http)
    )
    enabled = {name for toolset in settings.toolsets for name in TOOLSETS[toolset]}
    tool = registrar(server, enabled)
    register_read_tools(tool, rt)
    register_http_tools(tool, rt)
    register_rest_tools(tool, rt)
    register_usage_tools(tool, rt)
    register_diagnose_tools(tool, rt)
    register_skill(server)
    return server
