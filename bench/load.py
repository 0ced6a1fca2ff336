"""Load over streamable HTTP: 20 concurrent sessions x 25 calls on two replicas sharing a token and a key.

Two server processes (A, B) run with the same bearer token (``--http-token-file``) and the same
``APIGW_MCP_HANDLE_KEY``, against one moto sandbox. Each session holds one MCP client on each server;
sessions 0-9 have A as "home", 10-19 have B. A plan token previewed on home is applied on the other
server, and the undo handle that server returns is undone on home. Per session, 25 calls: list_apis x2,
create_http_api (dry run on home, apply on other, a larger dry run never applied), describe_api x4, three
rounds of add_route preview (home) -> apply (other) -> describe_api -> undo preview + apply (home) ->
diagnose_error or audit_api, and one expected refusal (the last preview's token applied with another
route). An error is an is_error result that was not expected, an exception, a timeout (30 s), or a
traceback/error line in a server's log; the script exits 1 on any error.

Also checked: a request with no bearer token or a wrong one gets 401 from each server; the shared audit
log holds one valid JSON line per applied AWS call; each session's API exists exactly once at the end.
Latencies are per call (client side); one warm-up list_apis per server comes first and is not counted.

Run: python bench/load.py [--mode legacy|auto] [--json]  (the human table, then one compact JSON line)
``--mode legacy`` (default): the 2025-11-25 initialize handshake and stateful HTTP sessions
(``mcp-session-id``), what most clients speak today; ``auto``: the SDK's 2026-07-28 per-request envelope.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

import anyio
import httpx2
from _load_fleet import Fleet, fleet, unauthenticated_statuses
from _load_report import audit_lines, latencies, mb, report
from _shared import check_source
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

SESSIONS = 20
CALLS_PER_SESSION = 25
CALL_TIMEOUT_S = 30.0
Mode = Literal["legacy", "auto"]
ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Load01"


@dataclass
class Call:
    label: str
    server: str
    seconds: float
    error: str | None = None


@dataclass
class Tally:
    calls: list[Call] = field(default_factory=list)
    refusals: int = 0
    applied_steps: int = 0
    cross_tokens: int = 0
    cross_undos: int = 0
    problems: list[str] = field(default_factory=list)  # errors outside a call: connecting, final check


class SessionAborted(Exception):
    """A call failed; the session's later calls depend on it, so the session stops."""


def text_of(result: Any) -> str:
    return "\n".join(getattr(block, "text", "") for block in result.content)


class Session:
    """One simulated agent: a client on each server, its calls timed and judged."""

    def __init__(self, index: int, clients: dict[str, Client], tally: Tally, function_arn: str) -> None:
        self.index, self.clients, self.tally, self.function = index, clients, tally, function_arn
        self.home, self.other = ("A", "B") if index < SESSIONS // 2 else ("B", "A")
        self.last_token = ""

    async def call(
        self, server: str, tool: str, args: dict[str, Any], label: str = "", refusal: str = ""
    ) -> dict[str, Any]:
        """Time one call; a refusal is expected when ``refusal`` (a phrase of its message) is given."""
        record = Call(label or tool, server, 0.0)
        start = time.perf_counter()
        try:
            with anyio.fail_after(CALL_TIMEOUT_S):
                result = await self.clients[server].call_tool(tool, args)
        except Exception as error:  # any failure of the transport or the server counts
            record.error = f"{type(error).__name__}: {error}"
            result = None
        record.seconds = time.perf_counter() - start
        self.tally.calls.append(record)
        if result is not None:
            record.error = self.judge(result, refusal)
        if record.error:
            record.error = f"session {self.index} {record.label} on {server}: {record.error}"
            raise SessionAborted(record.error)
        return dict(result.structured_content or {}) if result is not None else {}

    def judge(self, result: Any, refusal: str) -> str | None:
        if refusal:
            if result.is_error and refusal in text_of(result):
                self.tally.refusals += 1
                return None
            return f"expected a refusal naming {refusal!r}, got: {text_of(result)[:300]}"
        if result.is_error:
            return text_of(result)[:300]
        content = result.structured_content or {}
        if "failed" in content:
            return f"apply failed: {content['failed']}"
        self.tally.applied_steps += int(content.get("applied") or 0)  # an apply's count of AWS calls
        return None

    async def preview_apply(self, tool: str, args: dict[str, Any], what: str) -> dict[str, Any]:
        """Preview on home, apply that plan token on the other server."""
        plan = (await self.call(self.home, tool, args, f"{what} (preview)"))["plan"]
        self.last_token = str(plan["token"])
        applied = {**args, "dry_run": False, "plan_token": self.last_token}
        outcome = await self.call(self.other, tool, applied, f"{what} (apply)")
        self.tally.cross_tokens += 1
        return outcome

    async def run(self) -> None:
        name = f"bench-load-{self.index:02d}"
        await self.call(self.home, "list_apis", {})
        spec = {"name": name, "routes": [{"route_key": "GET /orders", "lambda_arn": self.function}]}
        api_id = str((await self.preview_apply("create_http_api", spec, "create_http_api"))["api_id"])
        await self.call(self.other, "describe_api", {"api_id": api_id})
        await self.call(self.home, "create_http_api", draft(name, self.function), "create_http_api (draft)")
        for round_ in range(3):
            route = {"route_key": f"GET /items{round_}", "lambda_arn": self.function}
            added = await self.preview_apply("add_route", {"api_id": api_id, "route": route}, "add_route")
            await self.call(self.home, "describe_api", {"api_id": api_id})
            undo = await self.call(self.home, "undo", {"handle": added["undo"]}, "undo (preview)")
            apply_undo = {"handle": added["undo"], "dry_run": False, "plan_token": undo["plan"]["token"]}
            await self.call(self.home, "undo", apply_undo, "undo (apply)")
            self.tally.cross_undos += 1
            await self.diagnosis(round_, api_id)
        await self.stale_token(api_id)
        listed = await self.call(self.other, "list_apis", {"name_contains": name})
        count = sum(api["name"] == name for api in listed["apis"])
        if count != 1:
            self.tally.problems.append(f"session {self.index}: {count} APIs named {name}, expected 1")

    async def diagnosis(self, round_: int, api_id: str) -> None:
        """Round 0: a 404 diagnosed on the other server; 1: audit_api there; 2: a 500 diagnosed on home."""
        if round_ == 1:
            await self.call(self.other, "audit_api", {"api_id": api_id})
            return
        server, status, path = (self.other, 404, "/missing") if round_ == 0 else (self.home, 500, "/orders")
        args = {"api_id": api_id, "status": status, "method": "GET", "path": path}
        await self.call(server, "diagnose_error", args)

    async def stale_token(self, api_id: str) -> None:
        """The last add_route preview's token, applied with another route: refused, naming the token."""
        route = {"route_key": "GET /other", "lambda_arn": self.function}
        args = {"api_id": api_id, "route": route, "dry_run": False, "plan_token": self.last_token}
        label = "add_route (wrong token)"
        await self.call(self.other, "add_route", args, label, refusal="plan_token does not match")


def draft(name: str, function_arn: str) -> dict[str, Any]:
    """A larger API spec, only ever previewed: 8 routes, CORS, a JWT authorizer, a throttled logged stage."""
    routes = [
        {
            "route_key": f"{method} /{thing}",
            "lambda_arn": function_arn,
            "auth": "jwt" if method != "GET" else "NONE",
        }
        for thing in ("orders", "users", "carts", "items")
        for method in ("GET", "POST")
    ]
    return {
        "name": f"{name}-draft",
        "routes": routes,
        "cors": {"allow_origins": ["https://app.example.com"], "allow_methods": ["GET", "POST"]},
        "authorizers": [{"name": "jwt", "issuer": ISSUER, "audience": ["load-client"]}],
        "stages": [{"name": "prod", "throttle": {"burst": 100, "rate": 50}, "access_log": True}],
        "default_stage": False,
    }


@asynccontextmanager
async def connect(url: str, token: str, mode: Mode) -> AsyncIterator[Client]:
    """An MCP client over streamable HTTP that sends the bearer token on every request."""
    headers = {"Authorization": f"Bearer {token}"}
    async with (
        httpx2.AsyncClient(headers=headers, timeout=httpx2.Timeout(CALL_TIMEOUT_S)) as http,
        Client(streamable_http_client(url, http_client=http), mode=mode) as client,
    ):
        yield client


async def one_session(index: int, running: Fleet, mode: Mode, tally: Tally) -> None:
    a, b = running.servers["A"].url, running.servers["B"].url
    try:
        async with connect(a, running.token, mode) as on_a, connect(b, running.token, mode) as on_b:
            with contextlib.suppress(SessionAborted):  # the failed call is already in the tally
                await Session(index, {"A": on_a, "B": on_b}, tally, running.function_arn).run()
    except Exception as error:  # connecting or closing failed
        tally.problems.append(f"session {index}: {type(error).__name__}: {error}")


async def warm_up(url: str, token: str, mode: Mode) -> tuple[float, str]:
    """Seconds of one list_apis on a fresh server (lazy imports, AWS clients, the caller identity)."""
    async with connect(url, token, mode) as client:
        start = time.perf_counter()
        result = await client.call_tool("list_apis", {})
        if result.is_error:
            raise RuntimeError(f"warm-up list_apis on {url} failed: {text_of(result)}")
        return time.perf_counter() - start, str(client.protocol_version)


async def measure(running: Fleet, mode: Mode) -> dict[str, Any]:
    servers = running.servers.values()
    statuses = {s.name: await unauthenticated_statuses(s.url) for s in servers}
    first_calls = {s.name: await warm_up(s.url, running.token, mode) for s in servers}
    rss_before_load = {s.name: s.memory_kb("VmRSS") for s in servers}
    cpu_before_load = {s.name: s.cpu_seconds() or 0.0 for s in servers}
    tally = Tally()
    start = time.perf_counter()
    async with anyio.create_task_group() as group:
        for index in range(SESSIONS):
            group.start_soon(one_session, index, running, mode, tally)
    wall = time.perf_counter() - start
    cpu = {s.name: round((s.cpu_seconds() or 0.0) - cpu_before_load[s.name], 2) for s in servers}
    errors = [call.error for call in tally.calls if call.error] + tally.problems
    lines, broken = audit_lines(running.audit_log)
    if lines != tally.applied_steps or broken:
        errors.append(f"audit log: {lines} lines ({broken} broken) for {tally.applied_steps} applied calls")
    for server in servers:
        errors += [f"server {server.name} log: {line}" for line in server.log_problems()]
    if any(status != 401 for codes in statuses.values() for status in codes):
        errors.append(f"requests without the right bearer token were not all refused with 401: {statuses}")
    timed = [(call.label, call.seconds) for call in tally.calls]
    return {
        "mode": mode,
        "protocol": first_calls["A"][1],
        "sessions": SESSIONS,
        "calls_expected": SESSIONS * CALLS_PER_SESSION,
        **latencies(timed, wall),
        "errors": len(errors),
        "error_samples": errors[:5],
        "expected_refusals": tally.refusals,
        "cross_server_plan_tokens": tally.cross_tokens,
        "cross_server_undo_handles": tally.cross_undos,
        "audit_lines": lines,
        "unauthenticated_statuses": statuses,
        "first_call_s": {name: round(seconds, 3) for name, (seconds, _) in first_calls.items()},
        "rss_before_load_mb": {name: mb(kb) for name, kb in rss_before_load.items()},
        "rss_peak_mb": {s.name: mb(s.memory_kb("VmHWM")) for s in servers},
        "server_cpu_s": cpu,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--json", action="store_true", help="accepted for run_all.py; the JSON line is always printed"
    )
    parser.add_argument("--mode", choices=["legacy", "auto"], default="legacy", help="MCP client mode")
    mode: Mode = parser.parse_args().mode
    where = check_source()
    print(f"apigw_mcp from {where}; {SESSIONS} sessions x {CALLS_PER_SESSION} calls on servers A and B")
    with fleet() as running:
        figures = anyio.run(measure, running, mode)
    report(figures)
    print(json.dumps({"load": figures}, separators=(",", ":")), flush=True)
    if figures["errors"] or figures["calls"] != figures["calls_expected"]:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
