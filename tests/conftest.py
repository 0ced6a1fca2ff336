"""One moto server per test session (with the sandbox's moto extensions), reset between tests.

Tools are driven through a real MCP client session (the SDK's in-memory client)
against that server; nothing of ours is mocked. Under pytest-xdist (``-n`` in pyproject's
addopts) each worker process has its own server; tests that are not isolated across
processes share one ``xdist_group`` (see ``SERIAL``).
"""

from __future__ import annotations

import json
import os
import urllib.request
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from botocore import loaders
from mcp import Client

from apigw_mcp.server.app import build_server
from apigw_mcp.server.sandbox.ext import SeedInfo, apply_moto_extensions, seed
from apigw_mcp.server.settings import load_settings

from .helpers import sandbox_client
from .recorder import Recording, RecordingMotoServer

REGION = "us-east-1"
ACCOUNT = "123456789012"
HANDLE_KEY = "test-handle-key-0123456789abcdef0123456789"
# Tests that start processes others count (sandbox processes), pick free ports or build the wheel:
# one worker runs them, one after another (``--dist loadgroup``).
SERIAL = pytest.mark.xdist_group("processes")


def pytest_addoption(parser: pytest.Parser, pluginmanager: pytest.PytestPluginManager) -> None:
    """With pytest-xdist disabled (``-p no:xdist``), addopts' ``--numprocesses`` and ``--dist`` are accepted
    and ignored: the run is serial."""
    if pluginmanager.has_plugin("xdist"):
        return
    group = parser.getgroup("serial run (pytest-xdist disabled)")
    group.addoption("--numprocesses", default=None, help="ignored without pytest-xdist")
    group.addoption("--dist", default="no", help="ignored without pytest-xdist")


def _share_botocore_models() -> None:
    """One cache of parsed botocore models per process, not one per boto3 session.

    botocore caches what its loader parses on the loader, and every boto3 session (each seed,
    each server a test builds) makes a new loader that re-reads the same JSON models from disk:
    most of a test's own time. Loaders with the same search paths, extras and file loader share
    one cache here, as all clients of one session already do; the models are the same files.
    """
    if getattr(loaders.Loader.__init__, "shared_cache", False):
        return
    original = loaders.Loader.__init__
    caches: dict[tuple[Any, ...], dict[Any, Any]] = {}

    def init(self: loaders.Loader, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        key = (type(self), type(self.file_loader), tuple(self.search_paths), tuple(self.extras_types))
        vars(self)["_cache"] = caches.setdefault(key, {})

    init.shared_cache = True  # type: ignore[attr-defined]
    loaders.Loader.__init__ = init  # type: ignore[method-assign]


_share_botocore_models()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


RECORDING = Recording()


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    apply_moto_extensions()
    server = RecordingMotoServer(RECORDING)
    server.start()
    os.environ.update(
        AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_SESSION_TOKEN="testing"
    )
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_REGION", "AWS_DEFAULT_REGION"):
        os.environ.pop(name, None)
    yield f"http://127.0.0.1:{server.get_host_and_port()[1]}"
    server.stop()


def _post(url: str) -> None:
    urllib.request.urlopen(urllib.request.Request(url, method="POST"), timeout=10).read()


@pytest.fixture
def sandbox(moto_endpoint: str) -> SeedInfo:
    """A clean moto state with the sandbox's seed role and Lambda function; the recording starts empty."""
    _post(f"{moto_endpoint}/moto-api/reset")
    info = seed(moto_endpoint, REGION)
    RECORDING.clear()
    return info


@pytest.fixture
def recording(sandbox: SeedInfo) -> Recording:
    """Every request the sandbox received since the test's seed: ``recording.writes()`` must often be []."""
    return RECORDING


def moto_state(endpoint: str) -> Any:
    """Everything our tools can write, for "undo brought everything back" (a write is proven absent
    with the ``recording`` fixture instead: counted at the endpoint)."""
    v2 = sandbox_client("apigatewayv2", endpoint)
    apis = v2.get_apis()["Items"]
    lam = sandbox_client("lambda", endpoint)
    policies: dict[str, str | None] = {}
    for function in lam.list_functions()["Functions"]:
        try:
            policies[function["FunctionName"]] = lam.get_policy(FunctionName=function["FunctionArn"])[
                "Policy"
            ]
        except lam.exceptions.ResourceNotFoundException:
            policies[function["FunctionName"]] = None
    details = {
        api["ApiId"]: [
            v2.get_routes(ApiId=api["ApiId"])["Items"],
            v2.get_integrations(ApiId=api["ApiId"])["Items"],
            v2.get_stages(ApiId=api["ApiId"])["Items"],
            v2.get_authorizers(ApiId=api["ApiId"])["Items"],
        ]
        for api in apis
    }
    rest = sandbox_client("apigateway", endpoint).get_rest_apis()["items"]
    return json.loads(json.dumps([apis, details, policies, rest], default=str))


ClientFactory = Callable[..., Any]


@pytest.fixture
def client(moto_endpoint: str, tmp_path: Path) -> ClientFactory:
    """``async with client(**settings) as c``: an MCP client session on a server with these settings."""

    @asynccontextmanager
    async def connect(**settings: Any) -> AsyncIterator[Client]:
        values: dict[str, Any] = {
            "region": REGION,
            "endpoint_url": moto_endpoint,
            "audit_log": str(tmp_path / "audit.jsonl"),
            "handle_key": HANDLE_KEY,
            **settings,
        }
        async with Client(build_server(load_settings(**values))) as session:
            yield session

    return connect


@pytest.fixture(scope="session")
def built_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This checkout's wheel, built once a session (``python -m build --wheel --no-isolation``)."""
    import subprocess
    import sys

    outdir = tmp_path_factory.mktemp("wheel")
    root = Path(__file__).resolve().parents[1]
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(outdir), str(root)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return next(outdir.glob("apigw_mcp-*.whl"))
