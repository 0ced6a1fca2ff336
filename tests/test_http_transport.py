"""Streamable HTTP serving: off loopback only with a bearer token and allowed hosts (server/http_serve.py).

Real ``apigw-mcp serve --transport http`` subprocesses (three at most): one that must
refuse to start off loopback without a token, one on 127.0.0.2 (not loopback to the
product, reachable only from this machine) with a token file and an allowed host, and
one on the loopback default. Each request is a real HTTP request: a missing or wrong
token gets 401, a Host not allowed 421, an Origin not allowed 403, and the right token
lists the tools through the SDK's streamable HTTP client.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from apigw_mcp.server.cli import main as cli_main

from .conftest import HANDLE_KEY, SERIAL

pytestmark = [pytest.mark.anyio, SERIAL]  # picks free ports

TOKEN = "http-test-token-5f1c0e8a9b7d4e2f"
OFF_LOOPBACK = "127.0.0.2"
ANY_INTERFACE = "0.0.0.0"  # noqa: S104 - only in refusals: the server must exit before binding
Start = Callable[..., "subprocess.Popen[bytes]"]
INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-11-25",
        "capabilities": {},
        "clientInfo": {"name": "http-transport-test", "version": "1"},
    },
}


def serve_env(endpoint: str) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "APIGW_MCP_"))}
    return {
        **keep,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "APIGW_MCP_REGION": "us-east-1",
        "APIGW_MCP_ENDPOINT_URL": endpoint,
        "APIGW_MCP_HANDLE_KEY": HANDLE_KEY,
        "APIGW_MCP_AUDIT_LOG": "off",
    }


def serve_http(*flags: str) -> list[str]:
    return [sys.executable, "-m", "apigw_mcp.server.cli", "serve", "--transport", "http", *flags]


def free_port(host: str) -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def wait_for_port(process: subprocess.Popen[bytes], host: str, port: int, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, f"the server exited with {process.returncode}"
        try:
            with socket.create_connection((host, port), timeout=0.1):
                return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"nothing listens on {host}:{port} after {timeout}s")


@pytest.fixture
def running(moto_endpoint: str, tmp_path: Path) -> Iterator[Start]:
    """Holds the server subprocesses a test starts, and stops each one afterwards."""
    started: list[subprocess.Popen[bytes]] = []

    def start(host: str, port: int, *flags: str) -> subprocess.Popen[bytes]:
        process = subprocess.Popen(
            serve_http("--host", host, "--port", str(port), *flags),
            env=serve_env(moto_endpoint),
            stdout=subprocess.DEVNULL,
            stderr=(tmp_path / f"stderr-{port}.txt").open("wb"),
        )
        started.append(process)
        wait_for_port(process, host, port)
        return process

    yield start
    for process in started:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def post_initialize(url: str, **headers: str) -> httpx2.Response:
    async with httpx2.AsyncClient(timeout=10) as http:
        return await http.post(
            url,
            content=json.dumps(INITIALIZE),
            headers={
                "Content-Type": "application/json",
                "Accept": "application/json, text/event-stream",
                **headers,
            },
        )


async def tool_names(url: str, token: str | None) -> set[str]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    transport = streamable_http_client(url, http_client=httpx2.AsyncClient(headers=headers, timeout=15))
    async with Client(transport) as session:
        return {tool.name for tool in (await session.list_tools()).tools}


def test_off_loopback_without_a_token_refuses_to_start(moto_endpoint: str) -> None:
    done = subprocess.run(
        serve_http("--host", ANY_INTERFACE, "--port", "1", "--allowed-host", "api.example.com:443"),
        env=serve_env(moto_endpoint),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode != 0
    assert done.stderr.strip().count("\n") == 0, done.stderr
    assert "APIGW_MCP_HTTP_TOKEN" in done.stderr and "Traceback" not in done.stderr
    assert "APIGW_MCP_ALLOWED_HOSTS" not in done.stderr


def test_off_loopback_without_allowed_hosts_refuses_to_start(
    moto_endpoint: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CLI's own entry point, in process: the refusal comes before any socket or server exists."""
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN)
    for name, value in serve_env(moto_endpoint).items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SystemExit) as refused:
        cli_main(
            ["serve", "--transport", "http", "--host", ANY_INTERFACE, "--http-token-file", str(token_file)]
        )
    message = str(refused.value.code)
    assert "APIGW_MCP_ALLOWED_HOSTS" in message and "\n" not in message
    assert "APIGW_MCP_HTTP_TOKEN" not in message and TOKEN not in message


async def test_off_loopback_needs_the_token_the_host_and_the_origin(running: Start, tmp_path: Path) -> None:
    port = free_port(OFF_LOOPBACK)
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN + "\n")
    allowed = f"{OFF_LOOPBACK}:{port}"
    running(OFF_LOOPBACK, port, "--http-token-file", str(token_file), "--allowed-host", allowed)
    url = f"http://{allowed}/mcp"
    good = f"Bearer {TOKEN}"

    assert (await post_initialize(url)).status_code == 401
    assert (await post_initialize(url, Authorization=f"Bearer {TOKEN}x")).status_code == 401
    assert (await post_initialize(url, Authorization=good, Host="evil.example.com")).status_code == 421
    origin = await post_initialize(url, Authorization=good, Origin="https://evil.example.com")
    assert origin.status_code == 403
    assert (await post_initialize(url, Authorization=good)).status_code == 200
    assert {"list_apis", "describe_api", "create_http_api"} <= await tool_names(url, TOKEN)
    stderr = (tmp_path / f"stderr-{port}.txt").read_text()
    assert TOKEN not in stderr


async def test_loopback_default_answers_and_refuses_a_foreign_host(running: Start) -> None:
    port = free_port("127.0.0.1")
    running("127.0.0.1", port)
    url = f"http://127.0.0.1:{port}/mcp"
    assert "list_apis" in await tool_names(url, None)
    assert (await post_initialize(url, Host="evil.example.com")).status_code == 421
