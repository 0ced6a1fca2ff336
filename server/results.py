"""Tool results: structured content for programs, a short text for people; errors as one actionable line."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult, TextContent
from pydantic import BaseModel, ValidationError

from apigw_mcp.tools.engine.errors import ApigwMcpError, validation_message
from apigw_mcp.tools.engine.redact import redact_text, scrub


def result(model: BaseModel) -> CallToolResult:
    """The same object in both channels: clients give the model either the structured content (Claude
    Code, VS Code) or the text (Claude Desktop), so the text is that content's compact JSON. Fields the
    models leave unset (None) are left out; secret-shaped values are masked (stage variables hold some)."""
    dumped = model.model_dump(mode="json", exclude_none=True)
    content = scrub(dumped)
    _keep_own(content, dumped)
    text = json.dumps(content, separators=(",", ":"), ensure_ascii=False)
    return CallToolResult(content=[TextContent(type="text", text=text)], structured_content=content)


def _keep_own(content: dict[str, Any], dumped: dict[str, Any]) -> None:
    """The server's own signed values (plan token, undo handle) are opaque words that can look like a
    secret key by chance: they are put back as made."""
    if "undo" in dumped:
        content["undo"] = dumped["undo"]
    plan = dumped.get("plan")
    if isinstance(plan, dict) and "token" in plan:
        content["plan"]["token"] = plan["token"]


async def guarded(work: Callable[[], Awaitable[CallToolResult]]) -> CallToolResult:
    """Our errors become one actionable tool error; never a traceback or a raw boto3 dump."""
    try:
        return await work()
    except ApigwMcpError as error:
        raise ToolError(redact_text(str(error))) from None
    except ValidationError as error:
        raise ToolError(redact_text(f"invalid arguments: {validation_message(error)}")) from None
