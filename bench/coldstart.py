"""Cold start: spawn ``apigw-mcp serve`` (stdio) and time the answers to initialize and tools/list.

Raw JSON-RPC, legacy handshake (initialize 2025-11-25, notifications/initialized, tools/list);
stdin stays open until the tools/list reply arrives. 1 warm-up, then the median of 7.

Run (from the README venv, in the checkout): .venv/bin/python bench/coldstart.py [--json] [--runs N]
"""

from __future__ import annotations

import json
import os
import selectors
import statistics
import subprocess
import sys
import tempfile
import time
from typing import IO, Any

from _shared import check_source, emit_json, verdict

TARGET_S = 0.75
RUNS = 7
TIMEOUT_S = 30.0
FAKE_CREDENTIALS = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")
COMMAND = [sys.executable, "-m", "apigw_mcp.server.cli", "serve"]


def child_env() -> dict[str, str]:
    env = {name: os.environ[name] for name in ("HOME", "PATH", "LANG", "TMPDIR") if name in os.environ}
    env.update(
        APIGW_MCP_REGION="us-east-1", APIGW_MCP_AUDIT_LOG="off", PYTHONPATH=os.environ.get("PYTHONPATH", "")
    )
    env.update(dict.fromkeys(FAKE_CREDENTIALS, "testing"))
    return env


def send(stdin: IO[bytes], message: dict[str, Any]) -> None:
    stdin.write((json.dumps(message) + "\n").encode())
    stdin.flush()


def await_reply(proc: subprocess.Popen[bytes], request_id: int, deadline: float) -> dict[str, Any]:
    """Read stdout lines until the reply to ``request_id`` (notifications and logs are skipped)."""
    assert proc.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(proc.stdout, selectors.EVENT_READ)
        while True:
            left = deadline - time.perf_counter()
            if left <= 0 or not selector.select(timeout=left):
                raise TimeoutError(f"no reply to request {request_id} within {TIMEOUT_S}s")
            line = proc.stdout.readline()
            if not line:
                raise RuntimeError(
                    f"server exited (rc {proc.poll()}) before replying to request {request_id}"
                )
            message = json.loads(line)
            if message.get("id") == request_id:
                if "error" in message:
                    raise RuntimeError(f"request {request_id} failed: {message['error']}")
                return dict(message["result"])


def one_run(stderr: IO[bytes] | None = None, extra: tuple[str, ...] = ()) -> tuple[float, float, int]:
    """(seconds to the initialize reply, seconds to the tools/list reply, tool count)."""
    start = time.perf_counter()
    command = [COMMAND[0], *extra, *COMMAND[1:]]
    proc = subprocess.Popen(
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=stderr or subprocess.DEVNULL,
        env=child_env(),
    )
    try:
        assert proc.stdin is not None
        deadline = start + TIMEOUT_S
        send(
            proc.stdin,
            {
                "jsonrpc": "2.0",
                "id": 1,
                "method": "initialize",
                "params": {
                    "protocolVersion": "2025-11-25",
                    "capabilities": {},
                    "clientInfo": {"name": "apigw-mcp-bench", "version": "0"},
                },
            },
        )
        await_reply(proc, 1, deadline)
        t_init = time.perf_counter() - start
        send(proc.stdin, {"jsonrpc": "2.0", "method": "notifications/initialized"})
        send(proc.stdin, {"jsonrpc": "2.0", "id": 2, "method": "tools/list", "params": {}})
        listed = await_reply(proc, 2, deadline)
        t_list = time.perf_counter() - start
    finally:
        if proc.stdin:
            proc.stdin.close()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout:
            proc.stdout.close()
    return t_init, t_list, len(listed.get("tools", []))


def import_profile(top: int = 8) -> tuple[list[tuple[str, float]], bool]:
    """One extra run under ``-X importtime``: self time per top-level package, and whether boto3 loaded."""
    with tempfile.TemporaryFile() as log:
        one_run(stderr=log, extra=("-X", "importtime"))
        log.seek(0)
        lines = log.read().decode(errors="replace").splitlines()
    per_package: dict[str, float] = {}
    for line in lines:
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        fields = line.removeprefix("import time:").split("|")
        package = fields[2].strip().split(".")[0]
        per_package[package] = per_package.get(package, 0.0) + int(fields[0]) / 1000
    ranked = sorted(per_package.items(), key=lambda item: -item[1])[:top]
    return ranked, "boto3" in per_package


def main() -> None:
    runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else RUNS
    where = check_source()
    print(f"apigw_mcp from {where}; command: {' '.join(COMMAND)}")
    _, warm, count = one_run()
    print(f"warm-up: tools/list after {warm:.3f}s ({count} tools)")
    inits, lists = [], []
    for index in range(runs):
        t_init, t_list, _ = one_run()
        inits.append(t_init)
        lists.append(t_list)
        print(f"run {index + 1}: initialize {t_init:.3f}s  tools/list {t_list:.3f}s")
    median = statistics.median(lists)
    print(
        f"\nspawn -> tools/list reply:  min {min(lists):.3f}s  median {median:.3f}s  max {max(lists):.3f}s"
        f"  (target median <= {TARGET_S}s: {verdict(median, TARGET_S)})"
    )
    print(f"spawn -> initialize reply:  median {statistics.median(inits):.3f}s")
    ranked, boto3_loaded = import_profile()
    print(
        f"\nimport self-time by top-level package (one -X importtime run; boto3 imported at start: "
        f"{boto3_loaded}):"
    )
    for package, ms in ranked:
        print(f"  {ms:>7.1f} ms  {package}")
    emit_json(
        {
            "coldstart_tools_list_median_s": round(median, 3),
            "coldstart_min_s": round(min(lists), 3),
            "coldstart_max_s": round(max(lists), 3),
            "coldstart_initialize_median_s": round(statistics.median(inits), 3),
        }
    )


if __name__ == "__main__":
    main()
