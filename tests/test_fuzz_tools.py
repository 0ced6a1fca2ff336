"""Property fuzz of every tool over its published inputSchema, through a real in-memory MCP session on moto.

For each tool that tools/list publishes (exactly what clients see), hypothesis draws 200 argument sets
(``fuzz_values.arguments``): from the published schema (hypothesis-jsonschema), from it with nested objects
closed to their declared fields, and near misses, whose strings are swapped for adversarial ones (control
characters, CRLF, strings up to 20 KB, unicode tricks, ``../``, ``${...}`` placeholders, ARNs of other
accounts and regions, metadata-address URLs) or for names of the seeded sandbox, or which mutate one valid
call per tool, so the planners and the guard are reached and not only argument validation.

Every example proves: ``call_tool`` returns (an exception, an MCPError included, fails the example: no
valid plan token can be guessed, so the consent flow of ``InputRequiredResult`` is never reached); an
error is one line that names the tool and says why (the bare ``Error executing tool <name>`` is the SDK's
text for an unhandled exception); no AWS write reached the sandbox (counted at the endpoint); a result
validates against the tool's published outputSchema. Each tool must also get at least ``MIN_RESULTS``
results, so the fuzz cannot decay into testing argument validation alone.
"""

from __future__ import annotations

import urllib.request
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import jsonschema  # type: ignore[import-untyped]
import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal
from hypothesis import HealthCheck, Phase, given, settings
from mcp import Client
from mcp.types import CallToolResult, TextContent, Tool

from apigw_mcp.server.app import build_server
from apigw_mcp.server.sandbox.ext import seed
from apigw_mcp.server.settings import TOOLSETS, Settings, load_settings

from .conftest import HANDLE_KEY, RECORDING, REGION
from .fuzz_values import arguments, baselines, plausible_values
from .helpers import FUNCTION, orders_request, preview_and_apply

TOOL_NAMES = [name for names in TOOLSETS.values() for name in names]
EXAMPLES = 200
MIN_RESULTS = 5
CALL_TIMEOUT = 60.0
MORE_BASELINES: dict[str, dict[str, Any]] = {  # newer tools
    "list_functions": {"name_contains": "sandbox"},
    "create_rest_api": {"name": "fuzz-rest", "routes": [{"route_key": "GET /a", "lambda_arn": FUNCTION}]},
}
REST_API = {
    "name": "fuzz-rest-staged",
    "routes": [{"route_key": "GET /a", "lambda_arn": FUNCTION}],
    "stages": [{"name": "prod"}],
}
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate, Phase.shrink],  # no "explain": it reruns a failure many times
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
        HealthCheck.large_base_example,
    ],
)


@dataclass(frozen=True)
class Seeded:
    """Names of the seeded sandbox: values that fit each field, and one valid call per tool."""

    plausible: dict[str, list[str]]
    baselines: dict[str, dict[str, Any]]


@dataclass
class Target:
    """One server and client session, shared by all examples of one tool's test."""

    portal: BlockingPortal
    session: Client
    tools: dict[str, Tool]
    seeded: Seeded
    tally: Counter[str] = field(default_factory=Counter)


def fuzz_settings(endpoint: str, audit_dir: Path) -> Settings:
    """Deletes allowed, so delete plans are reached too: a plan token is still needed to write."""
    return load_settings(
        region=REGION,
        endpoint_url=endpoint,
        audit_log=str(audit_dir / "audit.jsonl"),
        handle_key=HANDLE_KEY,
        allow_deletes=True,
    )


@pytest.fixture(scope="module")
def portal() -> Iterator[BlockingPortal]:
    with start_blocking_portal("asyncio") as running:
        yield running


@pytest.fixture(scope="module")
def seeded(moto_endpoint: str, portal: BlockingPortal, tmp_path_factory: pytest.TempPathFactory) -> Seeded:
    """A fresh sandbox with one managed API, made once: the fuzz never writes, so it stays as made."""
    reset = urllib.request.Request(f"{moto_endpoint}/moto-api/reset", method="POST")
    urllib.request.urlopen(reset, timeout=10).read()
    seed(moto_endpoint, REGION)
    server = build_server(fuzz_settings(moto_endpoint, tmp_path_factory.mktemp("seed")))
    with portal.wrap_async_context_manager(Client(server)) as session:
        applied = portal.call(preview_and_apply, session, orders_request())
        rest = portal.call(preview_and_apply, session, REST_API, "create_rest_api")
    plan = {"name": "fuzz-plan", "api_stages": [{"api_id": rest["api_id"], "stage": "prod"}]}
    valid = {**baselines(applied["api_id"], applied["undo"]), **MORE_BASELINES, "configure_usage_plan": plan}
    return Seeded(plausible_values(applied["api_id"], applied["undo"]), valid)


@pytest.fixture
def target(portal: BlockingPortal, seeded: Seeded, moto_endpoint: str, tmp_path: Path) -> Iterator[Target]:
    server = build_server(fuzz_settings(moto_endpoint, tmp_path))
    with portal.wrap_async_context_manager(Client(server)) as session:
        listed = portal.call(session.list_tools)
        yield Target(portal, session, {tool.name: tool for tool in listed.tools}, seeded)


async def call(session: Client, name: str, args: dict[str, Any]) -> CallToolResult:
    with anyio.fail_after(CALL_TIMEOUT):
        return await session.call_tool(name, args)


def check_error_text(name: str, result: CallToolResult) -> None:
    assert len(result.content) == 1, result.content
    block = result.content[0]
    assert isinstance(block, TextContent), block
    text = block.text
    assert "\n" not in text and "\r" not in text, f"multi-line error: {text!r}"
    if text.startswith("Unknown tool"):
        return
    prefix = f"Error executing tool {name}"
    assert text.startswith(prefix), f"error without the tool's prefix: {text!r}"
    assert text[len(prefix) :].removeprefix(": ").strip(), f"unhandled exception in {name}: {text!r}"


def check_example(target: Target, tool: Tool, args: dict[str, Any]) -> None:
    RECORDING.clear()
    result = target.portal.call(call, target.session, tool.name, args)
    requests = RECORDING.requests()
    writes = [str(request) for request in requests if request.writes]
    assert writes == [], f"{tool.name} wrote to AWS without a valid plan token: {writes}"
    target.tally["examples"] += 1
    target.tally["read AWS"] += bool(requests)
    target.tally["AWS requests"] += len(requests)
    if result.is_error:
        check_error_text(tool.name, result)
        return
    target.tally["result"] += 1
    assert tool.output_schema is not None
    jsonschema.validate(result.structured_content, tool.output_schema)


def test_every_published_tool_is_fuzzed(target: Target) -> None:
    assert sorted(target.tools) == sorted(TOOL_NAMES)


@pytest.mark.parametrize("name", TOOL_NAMES)
def test_fuzz_tool(name: str, target: Target) -> None:
    tool = target.tools[name]

    @FUZZ
    @given(arguments(tool.input_schema, target.seeded.plausible, target.seeded.baselines[name]))
    def one_example(args: dict[str, Any]) -> None:
        check_example(target, tool, args)

    one_example()
    assert target.tally["result"] >= MIN_RESULTS, (
        f"{name}: {dict(target.tally)}: the fuzz stops at validation"
    )
