"""The apigw-mcp command: settings errors, stdio and HTTP serving on the sandbox, the demo, the wheel."""

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
from mcp import Client, StdioServerParameters

from .helpers import orders_request, text_of

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "apigw_mcp.server.cli"]


def child_env(**extra: str) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "APIGW_MCP_"))}
    return {**keep, "APIGW_MCP_AUDIT_LOG": "off", **extra}


def sandbox_processes() -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and b"sandbox_process" in (entry / "cmdline").read_bytes():
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


@pytest.mark.anyio
async def test_stdio_serve_sandbox() -> None:
    """One real subprocess over stdio: `apigw-mcp serve --sandbox` previews a create."""
    params = StdioServerParameters(
        command=sys.executable, args=[*CLI[1:], "serve", "--sandbox"], env=child_env()
    )
    async with Client(params, read_timeout_seconds=60) as session:
        names = {t.name for t in (await session.list_tools()).tools}
        assert {"list_apis", "describe_api", "create_http_api"} <= names
        result = await session.call_tool("create_http_api", orders_request())
        assert not result.is_error, text_of(result)
        assert json.loads(text_of(result)) == result.structured_content, "the text is the same object"
        assert "plan_token=plan.token" in (result.structured_content or {})["next"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


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


def test_wheel_installs_under_one_namespace(built_wheel: Path) -> None:
    wheel = built_wheel
    names = zipfile.ZipFile(wheel).namelist()
    assert all(n.startswith(("apigw_mcp/", "apigw_mcp-")) for n in names), names
    assert {
        "apigw_mcp/skill/SKILL.md",
        "apigw_mcp/server/app.py",
        "apigw_mcp/tools/plan.py",
        "apigw_mcp/server/py.typed",
        "apigw_mcp/tools/py.typed",
    } <= set(names)
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "apigw-mcp = apigw_mcp.server.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_sandbox_reseeds_after_reset_and_stops_on_exit() -> None:
    import boto3

    from apigw_mcp.server.sandbox import Sandbox
    from apigw_mcp.server.sandbox_ext import SEED_FUNCTION

    before = sandbox_processes()
    with Sandbox("eu-west-1") as box:
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
