"""The fleet behind load.py: one moto sandbox and two HTTP server processes sharing a token and a key.

Both servers are ``python -m apigw_mcp.server.cli serve --transport http`` on loopback, with the same
bearer token (``--http-token-file``), the same ``APIGW_MCP_HANDLE_KEY``, deletes allowed (undo of an
added route deletes it) and one shared audit log. Their peak RSS is read from ``/proc/<pid>/status``.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx2

REGION = "us-east-1"
READY_TIMEOUT_S = 30.0
FAKE_CREDENTIALS = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")
SERVER_NAMES = ("A", "B")
PROBLEM_MARKS = ("Traceback", "ERROR", "Exception", "CRITICAL")


@dataclass
class Server:
    name: str
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def memory_kb(self, field: str) -> int | None:
        """``VmHWM`` (peak RSS) or ``VmRSS`` of the server process, from /proc; None where there is none."""
        try:
            status = Path(f"/proc/{self.process.pid}/status").read_text()
        except OSError:
            return None
        for line in status.splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
        return None

    def cpu_seconds(self) -> float | None:
        """User + system CPU time of the server process so far, from /proc; None where there is none."""
        try:
            stat = Path(f"/proc/{self.process.pid}/stat").read_text()
        except OSError:
            return None
        fields = stat.rpartition(")")[2].split()  # after "pid (comm)": state is fields[0]
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def log_problems(self) -> list[str]:
        """Lines of the server's stderr/stdout that report a traceback or an error."""
        lines = self.log.read_text(errors="replace").splitlines()
        return [line for line in lines if any(mark in line for mark in PROBLEM_MARKS)]


@dataclass
class Fleet:
    servers: dict[str, Server]
    token: str
    audit_log: Path
    function_arn: str


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_env(endpoint: str, handle_key: str, audit_log: Path) -> dict[str, str]:
    """Only what the server needs: no real AWS credentials or profile can leak in."""
    env = {name: os.environ[name] for name in ("HOME", "PATH", "LANG", "TMPDIR") if name in os.environ}
    env.update(
        APIGW_MCP_REGION=REGION,
        APIGW_MCP_ENDPOINT_URL=endpoint,
        APIGW_MCP_HANDLE_KEY=handle_key,
        APIGW_MCP_AUDIT_LOG=str(audit_log),
        APIGW_MCP_ALLOW_DELETES="true",
        PYTHONPATH=os.environ.get("PYTHONPATH", ""),
    )
    env.update(dict.fromkeys(FAKE_CREDENTIALS, "testing"))
    return env


def await_listening(server: Server, deadline: float) -> None:
    """Poll the port until the server accepts connections (it prints nothing we could wait on)."""
    port = int(server.url.rsplit(":", 1)[1].split("/")[0])
    while True:
        if server.process.poll() is not None:
            raise RuntimeError(f"server {server.name} exited with {server.process.returncode} at start")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise TimeoutError(f"server {server.name} not listening after {READY_TIMEOUT_S}s") from None
            time.sleep(0.05)


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def fleet() -> Iterator[Fleet]:
    """Sandbox, then servers A and B (started together), all stopped on the way out."""
    from apigw_mcp.server.sandbox.launcher import Sandbox

    with ExitStack() as stack:
        box = stack.enter_context(Sandbox(REGION))
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="apigw-load-")))
        token = secrets.token_urlsafe(32)
        token_file = workdir / "http-token"
        token_file.write_text(token)
        token_file.chmod(0o600)
        audit_log = workdir / "audit.jsonl"
        env = server_env(box.endpoint, secrets.token_hex(32), audit_log)
        servers: dict[str, Server] = {}
        for name in SERVER_NAMES:
            port = free_port()
            command = [sys.executable, "-m", "apigw_mcp.server.cli", "serve", "--transport", "http"]
            command += ["--host", "127.0.0.1", "--port", str(port), "--http-token-file", str(token_file)]
            log_path = workdir / f"server-{name}.log"
            log = stack.enter_context(log_path.open("wb"))
            process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=env)
            stack.callback(stop, process)
            servers[name] = Server(name, f"http://127.0.0.1:{port}/mcp", process, log_path)
        deadline = time.monotonic() + READY_TIMEOUT_S
        for server in servers.values():
            await_listening(server, deadline)
        yield Fleet(servers, token, audit_log, box.seed.function_arn)


async def unauthenticated_statuses(url: str) -> list[int]:
    """HTTP statuses for an initialize sent with no bearer token and with a wrong one (both must be 401)."""
    body = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {
            "protocolVersion": "2025-11-25",
            "capabilities": {},
            "clientInfo": {"name": "x", "version": "0"},
        },
    }
    accept = {"Accept": "application/json, text/event-stream"}
    statuses = []
    async with httpx2.AsyncClient(timeout=10) as http:
        for headers in (accept, {**accept, "Authorization": f"Bearer {secrets.token_urlsafe(32)}"}):
            statuses.append((await http.post(url, json=body, headers=headers)).status_code)
    return statuses
