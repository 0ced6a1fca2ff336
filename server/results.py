"""Tool results: structured content for programs, a short text for people; errors as one actionable line."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult, TextContent
from pydantic import BaseModel, ValidationError

from apigw_mcp.tools.errors import ApigwMcpError, validation_message


def result(model: BaseModel, text: str) -> CallToolResult:
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
    except ValidationError as error:
        raise ToolError(f"invalid arguments: {validation_message(error)}") from None
