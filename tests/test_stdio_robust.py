"""The stdio transport answers every request, even lines the SDK's own parser drops (server/stdio.py).

``rescue()`` is checked on each kind of line the SDK refuses (a lone surrogate, JSON
nested too deeply, text that is not JSON, a notification, a line over the size cap);
then one real ``apigw-mcp serve`` subprocess gets a lone-surrogate request, a 200-deep
request, garbage and a ping, and must answer each request id once, in order.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import time
from typing import Any

import mcp_types as types

from apigw_mcp.server.stdio import MAX_LINE, rescue

from .conftest import HANDLE_KEY

SURROGATE = r'{"jsonrpc":"2.0","id":7,"method":"tools/list","params":{"cursor":"\ud800"}}'
NOT_JSON = "this is not json {"


def nested(request_id: int | str, depth: int) -> str:
    head = json.dumps({"jsonrpc": "2.0", "id": request_id, "method": "ping"})[:-1]
    return head + ',"params":{"x":' + "[" * depth + "]" * depth + "}}"


def test_rescue_names_the_id_of_a_lone_surrogate() -> None:
    reply = rescue(SURROGATE)
    assert reply is not None
    assert (reply.id, reply.error.code) == (7, types.INVALID_PARAMS)
    assert "surrogate" in reply.error.message


def test_rescue_names_the_id_of_deep_nesting() -> None:
    reply = rescue(nested("deep-1", 5000))
    assert reply is not None
    assert reply.id == "deep-1"
    assert reply.error.code in (types.INVALID_REQUEST, types.INVALID_PARAMS)


def test_rescue_answers_text_that_is_not_json_with_a_null_id() -> None:
    reply = rescue(NOT_JSON)
    assert reply is not None
    assert (reply.id, reply.error.code) == (None, types.PARSE_ERROR)


def test_rescue_leaves_a_notification_unanswered() -> None:
    assert rescue(r'{"jsonrpc":"2.0","method":"notifications/initialized","params":{"x":"\ud800"}}') is None


def test_rescue_reads_the_id_of_a_huge_line_from_its_head() -> None:
    line = json.dumps({"jsonrpc": "2.0", "id": 9, "method": "tools/call", "params": {"x": "a" * 5_000_000}})
    assert len(line) > MAX_LINE
    reply = rescue(line)
    assert reply is not None
    assert reply.id == 9 and reply.error.code == types.INVALID_REQUEST


class StdioPeer:
    """Raw JSON-RPC lines to and from a subprocess, each read bounded by a deadline (no sleeps)."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
        )
        self._buffer = b""

    def send(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(line.encode("utf-8", "surrogatepass") + b"\n")
        self.process.stdin.flush()

    def receive(self, timeout: float = 15.0) -> Any:
        assert self.process.stdout is not None
        fd = self.process.stdout.fileno()
        deadline = time.monotonic() + timeout
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([fd], [], [], max(left, 0))
            chunk = os.read(fd, 65536) if ready else b""
            if not chunk:
                raise AssertionError(f"no reply line within {timeout}s (buffered {self._buffer[:200]!r})")
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return json.loads(line)

    def close(self) -> str:
        """Ends the subprocess (EOF on stdin) and returns its stderr."""
        assert self.process.stdin is not None and self.process.stderr is not None
        self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()
        return self.process.stderr.read().decode("utf-8", "replace")


def serve_args(endpoint: str, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "apigw_mcp.server.cli",
        "serve",
        "--region",
        "us-east-1",
        "--endpoint-url",
        endpoint,
        *extra,
    ]


def serve_env() -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "APIGW_MCP_"))}
    return {
        **keep,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "APIGW_MCP_HANDLE_KEY": HANDLE_KEY,
    }


def initialize(peer: StdioPeer) -> None:
    """The legacy handshake, so a plain ping gets a session's answer."""
    peer.send(
        json.dumps(
            {
                "jsonrpc": "2.0",
                "id": 0,
                "method": "initialize",
                "params": {
                    "protocolVersion": "2025-11-25",
                    "capabilities": {},
                    "clientInfo": {"name": "stdio-robust-test", "version": "1"},
                },
            }
        )
    )
    assert peer.receive()["id"] == 0
    peer.send(json.dumps({"jsonrpc": "2.0", "method": "notifications/initialized"}))


def test_serve_answers_each_request_once_in_order(moto_endpoint: str) -> None:
    peer = StdioPeer(serve_args(moto_endpoint, "--audit-log", "off"), serve_env())
    try:
        initialize(peer)
        for line in (
            r'{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"cursor":"\ud800"}}',
            nested(2, 200),
            NOT_JSON,
            json.dumps({"jsonrpc": "2.0", "id": 3, "method": "ping"}),
        ):
            peer.send(line)
        replies = [peer.receive() for _ in range(4)]
    finally:
        stderr = peer.close()
    assert [r["id"] for r in replies] == [1, 2, None, 3], replies
    assert replies[0]["error"]["code"] == types.INVALID_PARAMS
    assert "error" in replies[1]
    assert replies[2]["error"]["code"] == types.PARSE_ERROR
    assert replies[3] == {"jsonrpc": "2.0", "id": 3, "result": {}}
    assert "Traceback" not in stderr
