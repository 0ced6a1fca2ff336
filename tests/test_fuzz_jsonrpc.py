"""Malformed JSON-RPC against a real stdio subprocess of the server: each request answered once, nothing more.

The server runs as ``python -m apigw_mcp.server.cli serve`` on the session's moto endpoint and is fed raw
lines on stdin: not JSON, truncated JSON, batches, lone UTF-16 surrogate escapes in arguments and in the
method, JSON nested 150/500/5000 levels deep, 5 MB lines, a wrong ``jsonrpc`` version, ids of the wrong
type, a missing method, unknown methods, params of the wrong type, unknown tools, arguments that are not
an object, notifications and responses nobody asked for, with valid pings in between. It proves: every
line that carries a valid id gets exactly one response with that id (a line whose id cannot be read or
echoed, one null-id error); notifications and stray responses get nothing; every stdout line is a JSON-RPC
response; the process stays up. Then hypothesis sends 200 random JSON values as ``tools/call`` params (or
as its arguments) through one subprocess, and each must get its response; no AWS write reaches the sandbox.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apigw_mcp.server.sandbox.ext import SeedInfo
from apigw_mcp.server.settings import TOOLSETS

from .conftest import HANDLE_KEY, RECORDING, REGION

REPLY_TIMEOUT = 30.0
Answer = Literal["id", "id_or_null", "null", "none"]


@dataclass(frozen=True)
class Line:
    """A line to send and the answer it is owed: its id, its id or a null-id error, a null-id error, none."""

    name: str
    text: str
    answer: Answer
    id: Any = None


class StdioServer:
    """The server as a subprocess; a thread reads stdout lines into a queue so reads can time out."""

    def __init__(self, endpoint: str, home: Path) -> None:
        env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(home),
            "XDG_STATE_HOME": str(home / "state"),
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "APIGW_MCP_HANDLE_KEY": HANDLE_KEY,
        }
        command = [sys.executable, "-m", "apigw_mcp.server.cli", "serve", "--region", REGION]
        command += ["--endpoint-url", endpoint, "--audit-log", "off"]
        self.stderr_path = home / "stderr.txt"
        with self.stderr_path.open("wb") as stderr:
            self.process = subprocess.Popen(
                command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr, env=env
            )
        self.lines: queue.Queue[bytes] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for raw in self.process.stdout:
            self.lines.put(raw)

    def send(self, text: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(text.encode("utf-8") + b"\n")
        self.process.stdin.flush()

    def next_reply(self, timeout: float) -> dict[str, Any]:
        """The next stdout line, which must be a JSON-RPC response; queue.Empty after ``timeout``."""
        raw = self.lines.get(timeout=timeout)
        reply = json.loads(raw)
        assert isinstance(reply, dict), raw[:300]
        assert reply.get("jsonrpc") == "2.0" and "id" in reply, raw[:300]
        assert ("result" in reply) != ("error" in reply), raw[:300]
        return reply

    def call(self, request_id: str, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """One request and its reply; any other line before it fails the test."""
        self.send(request(request_id, method, params))
        reply = self.next_reply(REPLY_TIMEOUT)
        assert reply["id"] == request_id, reply
        return reply

    def stderr_tail(self) -> str:
        return self.stderr_path.read_text(errors="replace")[-2000:]

    def stop(self) -> None:
        """Close stdin, on which the server exits; killed (it is ours) if it does not."""
        assert self.process.stdin is not None
        self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def request(request_id: Any, method: str, params: Any = None, **extra: Any) -> str:
    message: dict[str, Any] = {"jsonrpc": "2.0", "id": request_id, "method": method, **extra}
    if params is not None:
        message["params"] = params
    return json.dumps(message)


def tool_call(request_id: Any, tool: str, arguments: Any) -> str:
    return request(request_id, "tools/call", {"name": tool, "arguments": arguments})


@pytest.fixture
def server(moto_endpoint: str, sandbox: SeedInfo, tmp_path: Path) -> Iterator[StdioServer]:
    running = StdioServer(moto_endpoint, tmp_path)
    try:
        initialize = {
            "protocolVersion": "2025-06-18",
            "capabilities": {},
            "clientInfo": {"name": "fuzz", "version": "0"},
        }
        assert "result" in running.call("init", "initialize", initialize)
        running.send(json.dumps({"jsonrpc": "2.0", "method": "notifications/initialized"}))
        yield running
        assert running.process.poll() is None, f"the server exited: {running.stderr_tail()}"
        assert RECORDING.writes() == [], RECORDING.writes()
    finally:
        running.stop()


def notification(method: str, params: Any = None) -> str:
    return json.dumps({"jsonrpc": "2.0", "method": method, **({"params": params} if params else {})})


def deep_call(depth: int) -> str:
    """Arguments nested ``depth`` lists deep (spliced in: json.dumps itself stops near 1000 levels)."""
    shallow = tool_call(f"deep-{depth}", "list_apis", {"name_contains": 0})
    return shallow.replace('"name_contains": 0', '"name_contains": ' + "[" * depth + "]" * depth)


def malformed_requests() -> list[Line]:
    huge = "x" * (5 * 1024 * 1024)
    bad_arguments = [[1], "x", 5, True]
    surrogate_call = tool_call("sur-args", "list_apis", {"name_contains": "\ud800"})
    return [
        Line("not JSON", "this is not json", "null"),
        Line("truncated JSON", request("cut", "ping")[:-1], "id_or_null", "cut"),
        Line("array of numbers", "[1,2]", "null"),
        Line("batch", "[" + request("batch-1", "ping") + "," + request("batch-2", "ping") + "]", "null"),
        Line("surrogate in arguments", surrogate_call, "id", "sur-args"),
        Line("surrogate in method", request("sur-method", "tools/\ud800list"), "id", "sur-method"),
        *(Line(f"nested {n}", deep_call(n), "id", f"deep-{n}") for n in (150, 500)),
        Line("nested 5000", deep_call(5000), "id_or_null", "deep-5000"),
        Line("5 MB request", tool_call("huge", "list_apis", {"name_contains": huge}), "id", "huge"),
        Line("5 MB truncated", request("huge-cut", "ping", {"pad": huge})[:-2], "id_or_null", "huge-cut"),
        Line("jsonrpc 1.0", request("v1", "ping", jsonrpc="1.0"), "id_or_null", "v1"),
        Line("object id", request({"a": 1}, "ping"), "null"),
        Line("bool id", request(True, "ping"), "null"),
        Line("array id", request([1], "ping"), "null"),
        Line("null id", request(None, "ping"), "null"),
        Line("fractional id", request(1.5, "ping"), "id_or_null", 1.5),
        Line("missing method", json.dumps({"jsonrpc": "2.0", "id": "no-method"}), "id_or_null", "no-method"),
        Line("unknown method", request("unknown", "no/such/method"), "id", "unknown"),
        Line("params a list", request("params-list", "tools/list", [1, 2]), "id", "params-list"),
        Line("params a string", request("params-str", "ping", "x"), "id", "params-str"),
        Line("tools/call without params", request("no-params", "tools/call"), "id", "no-params"),
        Line("unknown tool", tool_call("no-tool", "no_such_tool", {}), "id", "no-tool"),
        *(
            Line(f"arguments {a!r}", tool_call(f"args-{a}", "list_apis", a), "id", f"args-{a}")
            for a in bad_arguments
        ),
    ]


STRAY_ERROR = {"code": 1, "message": "x"}


def unanswerable() -> list[Line]:
    """Notifications and responses to nothing: answering any of them is a protocol error."""
    return [
        Line("unknown notification", notification("no/such/notification"), "none"),
        Line("cancel of nothing", notification("notifications/cancelled", {"requestId": "nope"}), "none"),
        Line("notification with surrogate", notification("x/y", {"a": "\ud800"}), "none"),
        Line("stray result", json.dumps({"jsonrpc": "2.0", "id": "stray-1", "result": {}}), "none"),
        Line("stray error", json.dumps({"jsonrpc": "2.0", "id": "stray-2", "error": STRAY_ERROR}), "none"),
        Line("blank line", "   ", "none"),
    ]


@dataclass
class Exchange:
    """Replies by id, and the null-id replies read between each line and the ping sent after it."""

    by_id: Counter[str]
    nulls: Counter[str]
    stalled: str = ""


def exchange(server: StdioServer, lines: list[Line]) -> Exchange:
    """Each line, then a ping: the reader answers a line it cannot parse before it reads the next,
    so a null-id reply read before the ping's reply belongs to that line. Tool calls run
    concurrently, so their replies (matched by id) may come later: they are awaited at the end."""
    seen = Exchange(Counter(), Counter())
    for index, line in enumerate(lines):
        server.send(line.text)
        server.send(request(f"ping-{index}", "ping"))
        if not read_until(server, seen, f"ping-{index}", line.name):
            seen.stalled = f"no reply to the ping after {line.name!r}"
            return seen
    owed = {json.dumps(line.id) for line in lines if line.answer == "id"}
    while owed - set(seen.by_id):
        if not read_until(server, seen, None, "the end"):
            seen.stalled = f"no reply for ids {sorted(owed - set(seen.by_id))}"
            break
    return seen


def read_until(server: StdioServer, seen: Exchange, marker: str | None, name: str) -> bool:
    """Read replies into ``seen`` until the one with id ``marker`` (None: any one reply); False on timeout."""
    while True:
        try:
            reply = server.next_reply(REPLY_TIMEOUT)
        except queue.Empty:
            return False
        if reply["id"] is None:
            seen.nulls[name] += 1
        elif reply["id"] != marker:
            seen.by_id[json.dumps(reply["id"])] += 1
        if marker is None or reply["id"] == marker:
            return True


def problems(lines: list[Line], seen: Exchange) -> list[str]:
    """Each line against what it is owed: its id once, or one null-id error, or nothing."""
    found = [seen.stalled] if seen.stalled else []
    for line in lines:
        ids = seen.by_id.pop(json.dumps(line.id), 0) if line.answer in ("id", "id_or_null") else 0
        nulls = seen.nulls[line.name]
        owed = {"id": (1, 0), "null": (0, 1), "none": (0, 0)}.get(line.answer)
        got = (ids, nulls)
        if (owed is not None and got != owed) or (owed is None and ids + nulls != 1):
            wanted = "its id or a null-id error" if owed is None else f"{owed[0]} with its id, {owed[1]} null"
            found.append(f"{line.name}: {ids} replies with its id, {nulls} with a null id; owed {wanted}")
    if seen.by_id:
        found.append(f"replies to ids that were never requests: {sorted(seen.by_id)}")
    return found


def test_malformed_lines_each_get_one_answer(server: StdioServer) -> None:
    lines = malformed_requests() + unanswerable()
    found = problems(lines, exchange(server, lines))
    assert not found, "\n".join([*found, "server stderr:", server.stderr_tail()])
    assert server.call("after", "ping")["result"] == {}, "a line nobody asked for came first"


JSON_STRINGS = st.text(max_size=20) | st.text(st.characters(categories=["Cs"]), min_size=1, max_size=2)
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | JSON_STRINGS,
    lambda children: st.lists(children, max_size=5) | st.dictionaries(JSON_STRINGS, children, max_size=5),
    max_leaves=30,
)
TOOLS = [name for names in TOOLSETS.values() for name in names] + ["no_such_tool"]


@st.composite
def tools_call_params(draw: st.DrawFn) -> Any:
    """Random JSON as the params of tools/call, or as the arguments of a real (or unknown) tool."""
    value = draw(JSON_VALUES)
    if draw(st.booleans()):
        return value
    return {"name": draw(st.sampled_from(TOOLS)), "arguments": value}


def test_random_tools_call_params_each_get_one_answer(server: StdioServer) -> None:
    sent: list[str] = []

    @settings(
        max_examples=200,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(tools_call_params())
    def one_example(params: Any) -> None:
        sent.append(json.dumps({"jsonrpc": "2.0", "id": len(sent), "method": "tools/call", "params": params}))
        server.send(sent[-1])
        reply = server.next_reply(REPLY_TIMEOUT)
        assert reply["id"] == len(sent) - 1, (sent[-1][:300], reply)

    one_example()
    assert len(sent) >= 200
    assert server.call("last", "ping")["result"] == {}, "a line nobody asked for came first"
