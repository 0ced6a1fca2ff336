"""Start and stop the embedded sandbox (a moto server subprocess on a free loopback port)."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from types import TracebackType

from apigw_mcp.server.sandbox.ext import SeedInfo


class SandboxError(Exception):
    """The sandbox could not start (usually: the `sandbox` extra is not installed)."""


class Sandbox:
    """Context manager: ``with Sandbox("us-east-1") as box: box.endpoint``."""

    def __init__(self, region: str) -> None:
        self.region = region
        self.endpoint = ""
        self.seed = SeedInfo(role_arn="", function_arn="")
        self._process: subprocess.Popen[str] | None = None

    def __enter__(self) -> Sandbox:
        if importlib.util.find_spec("moto") is None:
            raise SandboxError("the sandbox needs moto: pip install 'apigw-mcp[sandbox]'")
        self._process = subprocess.Popen(
            [sys.executable, "-m", "apigw_mcp.server.sandbox.process", self.region],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert self._process.stdout is not None
        line = self._process.stdout.readline()
        if not line:
            self.__exit__(None, None, None)
            raise SandboxError("the sandbox process exited before it was ready")
        ready = json.loads(line)
        self.endpoint = ready.pop("endpoint")
        self.seed = SeedInfo.model_validate(ready)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        if process.stdin:
            process.stdin.close()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
