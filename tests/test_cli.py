"""The apigw-mcp command: settings errors, HTTP serving, the demo, the wheel (stdio: test_agent_sandbox)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import urllib.request
import zipfile
from pathlib import Path

import anyio
import pytest
from mcp import Client

from .conftest import SERIAL

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "apigw_mcp.server.cli"]


# Processes this test process starts carry this mark (inherited by their children), so sandboxes
# other pytest-xdist workers start at the same time are not counted as ours.
MARK = f"{os.getpid()}-{id(ROOT)}"


def child_env(**extra: str) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "APIGW_MCP_"))}
    return {**keep, "APIGW_MCP_AUDIT_LOG": "off", "APIGW_MCP_TEST_MARK": MARK, **extra}


def sandbox_processes() -> set[int]:
    """Sandbox processes started by this test process (or its children) that are still running."""
    found = set()
    for entry in Path("/proc").iterdir():
        try:
            if (
                entry.name.isdigit()
                and b"apigw_mcp.server.sandbox.process" in (entry / "cmdline").read_bytes()
                and f"APIGW_MCP_TEST_MARK={MARK}".encode() in (entry / "environ").read_bytes()
            ):
                found.add(int(entry.name))
        except OSError:
            continue
    return found


def run_cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args], capture_output=True, text=True, timeout=120, env=child_env(**env), check=False
    )


def test_missing_region_fails_with_one_line() -> None:
    done = run_cli("serve")
    assert done.returncode != 0
    assert done.stderr.strip().count("\n") == 0
    assert "APIGW_MCP_REGION" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("env", "fragment"),
    [
        ({"APIGW_MCP_REGION": "mars-1"}, "APIGW_MCP_REGION"),
        ({"APIGW_MCP_ACCOUNT": "12"}, "setting account"),
        ({"APIGW_MCP_READ_ONLY": "maybe"}, "setting read_only"),
    ],
    ids=["rejects_bad_region", "rejects_bad_account", "rejects_bad_boolean"],
)
def test_bad_settings_fail_with_one_line(env: dict[str, str], fragment: str) -> None:
    done = run_cli("serve", **{"APIGW_MCP_REGION": "us-east-1", **env})
    assert done.returncode != 0 and fragment in done.stderr
    assert done.stderr.strip().count("\n") == 0


def test_version_and_help() -> None:
    assert run_cli("--version").stdout.startswith("apigw-mcp ")
    assert "examples:" in run_cli("--help").stdout


@SERIAL
def test_demo_json_exits_zero_and_leaves_nothing_running() -> None:
    before = sandbox_processes()
    done = run_cli("demo", "--json")
    assert done.returncode == 0, done.stderr
    steps = json.loads(done.stdout)
    assert [s["tool"] for s in steps][:10] == [
        "list_apis",
        "create_http_api",
        "create_http_api",
        "describe_api",
        "create_http_api",
        "diagnose_error",
        "undo",
        "undo",
        "list_apis",
        None,
    ]
    assert not any(s["is_error"] for s in steps)
    assert steps[-1]["text"].startswith("curl https://")
    assert sandbox_processes() <= before


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@SERIAL
@pytest.mark.anyio
async def test_http_transport_binds_loopback() -> None:
    port = free_port()
    process = subprocess.Popen(
        [*CLI, "serve", "--sandbox", "--transport", "http", "--port", str(port)],
        env=child_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                await anyio.sleep(0.1)
        async with Client(f"http://127.0.0.1:{port}/mcp") as session:
            result = await session.call_tool("list_apis", {})
            assert not result.is_error
    finally:
        process.terminate()
        process.wait(timeout=10)


@SERIAL
def test_wheel_installs_under_one_namespace(built_wheel: Path) -> None:
    wheel = built_wheel
    names = zipfile.ZipFile(wheel).namelist()
    assert all(n.startswith(("apigw_mcp/", "apigw_mcp-")) for n in names), names
    assert {
        "apigw_mcp/skill/SKILL.md",
        "apigw_mcp/server/app.py",
        "apigw_mcp/tools/engine/plan.py",
        "apigw_mcp/server/py.typed",
        "apigw_mcp/tools/py.typed",
    } <= set(names)
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "apigw-mcp = apigw_mcp.server.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


@SERIAL
def test_sandbox_reseeds_after_reset_and_stops_on_exit(monkeypatch: pytest.MonkeyPatch) -> None:
    import boto3

    from apigw_mcp.server.sandbox.ext import SEED_FUNCTION
    from apigw_mcp.server.sandbox.launcher import Sandbox

    monkeypatch.setenv("APIGW_MCP_TEST_MARK", MARK)
    before = sandbox_processes()
    with Sandbox("eu-west-1") as box:
        assert sandbox_processes() - before, "the mark finds the sandbox while it runs"
        lam = boto3.client(
            "lambda",
            region_name="eu-west-1",
            endpoint_url=box.endpoint,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        assert box.seed.function_arn.startswith("arn:aws:lambda:eu-west-1:")
        urllib.request.urlopen(urllib.request.Request(f"{box.endpoint}/moto-api/reset", method="POST")).read()
        assert (
            lam.get_function(FunctionName=SEED_FUNCTION)["Configuration"]["FunctionArn"]
            == box.seed.function_arn
        )
    assert sandbox_processes() <= before
