"""The stdio transport, answering every request: the SDK's reader drops lines its parser refuses.

mcp 2.3's ``stdio_server`` parses each line with pydantic-core, which rejects a JSON
string holding a lone UTF-16 surrogate (``"\\ud800"``) and JSON nested deeper than its
recursion limit; the line is then handed to the session as an exception, and the
client waits for a reply that never comes. This transport is the SDK's, with one
change: such a line gets a JSON-RPC error naming its request id (read with Python's
own, more lenient JSON parser), or a parse error with a null id when nothing can be
read. Minimal reproduction of the SDK behaviour: send
``{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"x":"\\ud800"}}`` to any
``MCPServer.run("stdio")``: no response line is written.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import mcp_types as types
from mcp.server.stdio import _claim_fd, _open_stdin_diversion, _open_stdout_diversion, _UnownedTextWrapper
from mcp.shared._context_streams import create_context_streams
from mcp.shared.message import SessionMessage

MAX_LINE = 4 * 1024 * 1024
_ID = re.compile(r'"id"\s*:\s*("(?:[^"\\]|\\.){0,256}"|-?\d{1,18})')
_SURROGATE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def rescue(line: str) -> types.JSONRPCError | None:
    """The error reply for a line the SDK cannot parse; None for a notification (nothing to answer)."""
    if len(line) > MAX_LINE:
        return _error(_head_id(line), types.INVALID_REQUEST, f"message larger than {MAX_LINE} bytes")
    try:
        data: Any = json.loads(line)
    except RecursionError:
        return _error(_head_id(line), types.INVALID_REQUEST, "JSON nested too deeply")
    except ValueError:
        return _error(None, types.PARSE_ERROR, "Parse error: not valid JSON")
    if not isinstance(data, dict) or not isinstance(data.get("method"), str):
        return _error(None, types.INVALID_REQUEST, "not a JSON-RPC request")
    if "id" not in data:
        return None
    request_id = _valid_id(data["id"])
    if data.get("jsonrpc") != "2.0":
        return _error(request_id, types.INVALID_REQUEST, 'jsonrpc must be "2.0"')
    if request_id is None:
        return _error(None, types.INVALID_REQUEST, "id must be a string or an integer")
    if "params" in data and not isinstance(data["params"], dict):
        return _error(request_id, types.INVALID_PARAMS, "params must be an object")
    if _SURROGATE.search(line) and _has_lone_surrogate(data):
        return _error(
            request_id, types.INVALID_PARAMS, "a string holds a lone UTF-16 surrogate (not Unicode)"
        )
    return _error(request_id, types.INVALID_PARAMS, "JSON nested too deeply or not a valid request")


def misread_notification(line: str, message: types.JSONRPCMessage) -> types.JSONRPCError | None:
    """The SDK reads a request whose id is not a string or integer as a notification, which gets no
    reply: answer it with Invalid Request instead."""
    if not isinstance(message, types.JSONRPCNotification) or '"id"' not in line:
        return None
    try:
        data: Any = json.loads(line)
    except (ValueError, RecursionError):
        return None
    if not isinstance(data, dict) or "id" not in data:
        return None
    return _error(None, types.INVALID_REQUEST, "id must be a string or an integer")


def _valid_id(value: Any) -> str | int | None:
    return value if isinstance(value, str | int) and not isinstance(value, bool) else None


def _has_lone_surrogate(value: Any) -> bool:
    if isinstance(value, str):
        return any("\ud800" <= c <= "\udfff" for c in value)
    if isinstance(value, dict):
        return any(_has_lone_surrogate(k) or _has_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_lone_surrogate(v) for v in value)
    return False


def _head_id(line: str) -> str | int | None:
    match = _ID.search(line[:512])
    if match is None:
        return None
    value: Any = json.loads(match.group(1))
    return value if isinstance(value, str | int) else None


def _error(request_id: str | int | None, code: int, message: str) -> types.JSONRPCError:
    return types.JSONRPCError(jsonrpc="2.0", id=request_id, error=types.ErrorData(code=code, message=message))


@asynccontextmanager
async def robust_stdio_server() -> AsyncIterator[tuple[Any, Any]]:
    """The SDK's ``stdio_server`` (same fd claims), with ``rescue`` for the lines it cannot parse."""
    stdin_buffer, restore_stdin = _claim_fd(0, sys.stdin, "rb", _open_stdin_diversion)
    stdout_buffer, restore_stdout = _claim_fd(1, sys.stdout, "wb", _open_stdout_diversion)
    stdin = anyio.wrap_file(_UnownedTextWrapper(stdin_buffer, encoding="utf-8", errors="replace"))
    stdout = anyio.wrap_file(_UnownedTextWrapper(stdout_buffer, encoding="utf-8"))
    read_writer, read_stream = create_context_streams[SessionMessage | Exception](0)
    write_stream, write_reader = create_context_streams[SessionMessage](0)
    lock = anyio.Lock()

    async def emit(message: types.JSONRPCMessage) -> None:
        async with lock:
            await stdout.write(message.model_dump_json(by_alias=True, exclude_unset=True) + "\n")
            await stdout.flush()

    async def reader() -> None:
        async with read_writer:
            async for line in stdin:
                if not line.strip():
                    continue
                try:
                    message = types.jsonrpc_message_adapter.validate_json(line, by_name=False)
                except Exception as error:
                    reply = rescue(line)
                    if reply is not None:
                        await emit(reply)
                    else:
                        await read_writer.send(error)
                    continue
                if (reply := misread_notification(line, message)) is not None:
                    await emit(reply)
                    continue
                await read_writer.send(SessionMessage(message))

    async def writer() -> None:
        async with write_reader:
            async for session_message in write_reader:
                await emit(session_message.message)

    try:
        async with anyio.create_task_group() as group:
            group.start_soon(reader)
            group.start_soon(writer)
            yield read_stream, write_stream
    finally:
        for restore in (restore_stdout, restore_stdin):
            if restore is not None:
                restore()
