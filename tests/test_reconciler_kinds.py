"""The one change path is kind-agnostic: the Kind protocol, locating an API of any kind, sealed handles."""

from __future__ import annotations

import ast
import re
import zlib
from pathlib import Path
from typing import Any

import pytest

from apigw_mcp.server.audit import AuditLog
from apigw_mcp.server.aws import AwsRuntime
from apigw_mcp.server.kinds.base import Kind
from apigw_mcp.server.kinds.http import HTTP, HttpKind
from apigw_mcp.server.kinds.registry import KINDS, kind_of_handle
from apigw_mcp.server.kinds.rest import REST, LiveRest
from apigw_mcp.server.reads.locate import Located, locate_api
from apigw_mcp.server.reconciler import Change, run_change
from apigw_mcp.server.runtime import Runtime
from apigw_mcp.server.sandbox.ext import SeedInfo
from apigw_mcp.server.settings import load_settings
from apigw_mcp.tools.engine.errors import BadInput
from apigw_mcp.tools.engine.handle import MAX_HANDLE, NOT_OURS, open_handle, seal
from apigw_mcp.tools.engine.signing import Signer
from apigw_mcp.tools.kinds.http.live import LiveHttpApi
from apigw_mcp.tools.kinds.http.spec import HttpApiSpec
from apigw_mcp.tools.kinds.rest.spec import RestApiSpec

from .conftest import ACCOUNT, REGION
from .helpers import FUNCTION, sandbox_client, text_of
from .recorder import Recording

pytestmark = pytest.mark.anyio
SIGNER = Signer(b"k" * 32)
ROOT = Path(__file__).resolve().parents[1]


def test_http_and_rest_are_kinds_and_registered() -> None:
    kind: Kind[LiveHttpApi, HttpApiSpec] = HTTP  # mypy checks every method's signature here
    rest: Kind[LiveRest, RestApiSpec] = REST
    assert {"HTTP": kind, "REST": rest}.items() <= KINDS.items()
    assert kind_of_handle("http") is HTTP and kind_of_handle("rest") is REST


def test_the_change_path_imports_no_kind() -> None:
    tree = ast.parse((ROOT / "server" / "reconciler.py").read_text())
    modules = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert "apigw_mcp.server.kinds.base" in modules
    assert not [m for m in modules if m and ".kinds." in m and not m.endswith(".kinds.base")]


@pytest.mark.parametrize("name", ["websocket", "HTTP", "REST", "Http", "", "http "])
def test_a_handle_of_a_kind_not_served_is_refused_like_a_forged_one(name: str) -> None:
    with pytest.raises(ValueError, match=re.escape(NOT_OURS)):
        kind_of_handle(name)


def test_seal_and_open_round_trip_naming_the_kind() -> None:
    record = {"kind": "rest", "api_id": "a1b2c3d4e5", "before": {"x": [1, 2]}}
    handle = seal(record, SIGNER)
    assert handle.startswith("u1.") and "a1b2c3d4e5" not in handle
    assert open_handle(handle, SIGNER) == ("rest", record)


def test_a_record_that_names_no_kind_is_an_http_one() -> None:
    """Handles sealed before records named their kind were all of HTTP APIs."""
    assert open_handle(seal({"api_id": "abc"}, SIGNER), SIGNER)[0] == "http"


def _sealed(payload: bytes) -> str:
    return f"u1.{SIGNER.seal('undo-handle', zlib.compress(payload))}"


@pytest.mark.parametrize(
    "handle",
    [
        _sealed(b"[1, 2]"),
        _sealed(b'{"kind": 7}'),
        _sealed(b'{"kind": null}'),
        _sealed(b"[" * 100_000 + b"]" * 100_000),
        _sealed(b'{"kind": "http", "x": "' + b"y" * 2_000_000 + b'"}'),
        _sealed(b"\xff\xfe not utf-8"),
        "u1." + "A" * MAX_HANDLE,
    ],
    ids=["not-object", "kind-not-text", "kind-null", "deeply-nested", "zlib-bomb", "not-utf8", "oversized"],
)
def test_open_refuses_what_no_kind_could_read(handle: str) -> None:
    with pytest.raises(ValueError, match=re.escape(NOT_OURS) + "|at most"):
        open_handle(handle, SIGNER)


def _runtime(endpoint: str, tmp_path: Path) -> Runtime:
    settings = load_settings(region=REGION, endpoint_url=endpoint, audit_log=str(tmp_path / "audit.jsonl"))
    return Runtime(AwsRuntime(settings), settings.scope(), AuditLog(settings.audit_path))


def _apis(endpoint: str) -> dict[str, str]:
    v2 = sandbox_client("apigatewayv2", endpoint)
    rest = sandbox_client("apigateway", endpoint)

    def v2_api(name: str, protocol: str) -> str:
        extra = {"RouteSelectionExpression": "$request.body.action"} if protocol == "WEBSOCKET" else {}
        return str(v2.create_api(Name=name, ProtocolType=protocol, **extra)["ApiId"])

    return {
        "http": v2_api("loc-http", "HTTP"),
        "ws": v2_api("loc-ws", "WEBSOCKET"),
        "rest": str(rest.create_rest_api(name="loc-rest")["id"]),
        "dup-http": v2_api("loc-dup", "HTTP"),
        "dup-rest": str(rest.create_rest_api(name="loc-dup")["id"]),
        "two-1": v2_api("loc-two", "HTTP"),
        "two-2": v2_api("loc-two", "HTTP"),
    }


async def test_locate_finds_each_kind_by_id_or_name(sandbox: SeedInfo, moto_endpoint: str) -> None:
    ids = _apis(moto_endpoint)
    aws = AwsRuntime(load_settings(region=REGION, endpoint_url=moto_endpoint, audit_log="off"))

    async def found(api_id: str | None, name: str | None, **kinds: Any) -> tuple[str | None, str | None]:
        located = await locate_api(aws, api_id, name, **kinds)
        assert located.identity.account == ACCOUNT
        return located.kind, located.api_id

    assert await found(ids["http"], None) == ("HTTP", ids["http"])
    assert await found(ids["ws"], None) == ("WEBSOCKET", ids["ws"])
    assert await found(ids["rest"], None) == ("REST", ids["rest"])
    assert await found(None, "loc-rest") == ("REST", ids["rest"])
    assert await found(None, "loc-ws") == ("WEBSOCKET", ids["ws"])
    assert await found("loc-http", None) == ("HTTP", ids["http"])  # an id that is a name
    assert await found("gone00", "loc-rest") == ("REST", ids["rest"])
    assert await found("nothing", None) == (None, None)
    # Only the kinds asked for match a name; an id is reported whatever its kind.
    assert await found(None, "loc-dup", kinds={"HTTP"}) == ("HTTP", ids["dup-http"])
    assert await found(None, "loc-ws", kinds={"HTTP"}) == (None, None)
    assert await found(ids["ws"], None, kinds={"HTTP"}) == ("WEBSOCKET", ids["ws"])
    assert await found(ids["rest"], None, kinds={"HTTP"}) == (None, None)


@pytest.mark.parametrize(
    ("api_id", "name", "field", "shared", "between"),
    [
        (None, "loc-dup", "name", "loc-dup", ("dup-http", "dup-rest")),
        ("loc-dup", None, "api_id", "loc-dup", ("dup-http", "dup-rest")),
        (None, "loc-two", "name", "loc-two", ("two-1", "two-2")),
    ],
    ids=["two-kinds", "two-kinds-by-api-id", "two-apis"],
)
async def test_a_shared_name_asks_for_the_id(
    sandbox: SeedInfo,
    moto_endpoint: str,
    api_id: str | None,
    name: str | None,
    field: str,
    shared: str,
    between: tuple[str, str],
) -> None:
    ids = _apis(moto_endpoint)
    aws = AwsRuntime(load_settings(region=REGION, endpoint_url=moto_endpoint, audit_log="off"))
    with pytest.raises(BadInput) as refused:
        await locate_api(aws, api_id, name)
    assert refused.value.field == field
    message = str(refused.value)
    assert f"2 APIs are named {shared!r}" in message and "api_id" in message
    assert all(ids[key] in message for key in between)


async def test_locating_http_apis_reads_no_rest_api(
    recording: Recording, moto_endpoint: str, tmp_path: Path
) -> None:
    """An HTTP tool's IAM policy has no REST reads: only the services of the kinds asked for are read."""
    aws = AwsRuntime(load_settings(region=REGION, endpoint_url=moto_endpoint, audit_log="off"))
    assert await locate_api(aws, "nothing", None, {"HTTP"}) == Located(await aws.identity(), None, None)
    paths = [r.path for r in recording.requests()]
    assert paths and not [p for p in paths if p.startswith("/restapis")]


async def test_a_tool_on_an_api_of_another_kind_says_what_the_api_is(
    sandbox: SeedInfo, moto_endpoint: str, client: Any, recording: Recording
) -> None:
    ids = _apis(moto_endpoint)
    recording.clear()
    route = {"route_key": "GET /x", "lambda_arn": FUNCTION}
    async with client() as session:
        refused = await session.call_tool("add_route", {"api_id": ids["ws"], "route": route})
        unmanaged = await session.call_tool("add_route", {"api_id": ids["rest"], "route": route})
    assert refused.is_error and f"{ids['ws']} is a WEBSOCKET API" in text_of(refused)
    assert "api_id" in text_of(refused)
    # a REST API is changed as REST, under the same scope: one this server did not create is refused
    assert unmanaged.is_error and "refused (api-scope)" in text_of(unmanaged)
    assert recording.writes() == []


class NoCorsKind(HttpKind):
    """HTTP APIs, as a kind whose APIs have no CORS setting would see them."""

    def supports(self, tool: str) -> str | None:
        refusal = "this kind has no CORS setting: add the headers in the backend"
        return refusal if tool == "configure_cors" else None


async def test_a_kind_refuses_a_tool_it_cannot_do_before_any_read(
    recording: Recording, moto_endpoint: str, tmp_path: Path
) -> None:
    change = Change(NoCorsKind(), "configure_cors", {"api_id": "abc"}, lambda live, _: None, api_id="abc")
    with pytest.raises(BadInput) as refused:
        await run_change(_runtime(moto_endpoint, tmp_path), change, True, None)
    assert refused.value.field == "api_id" and "no CORS setting" in str(refused.value)
    assert recording.requests() == []


@pytest.mark.parametrize("ref", ["/", "../apis", "a b", "x/y?z"])
async def test_a_reference_that_is_no_id_is_looked_up_by_name_only(
    ref: str, client: Any, recording: Recording
) -> None:
    """Only letters and digits are looked up as an id: nothing else becomes part of a request path."""
    async with client() as session:
        for tool, args in (
            ("add_jwt_authorizer", {"api_id": ref, "name": "a", "routes": []}),
            ("describe_api", {"api_id": ref}),
        ):
            result = await session.call_tool(tool, args)
            assert result.is_error and f"no API {ref!r}" in text_of(result), text_of(result)
    assert recording.writes() == []
    assert not [r for r in recording.requests() if ref.strip("/") and ref in str(r)]
