"""Shared machinery of the escape suite (tests/test_escape_*.py): one world per module, one row per attempt.

Each escape module builds its world once (a module-scoped fixture): the sandbox is reset
and seeded, two managed APIs are created through the tools and one unmanaged API straight
through boto3, and a client session is opened for each settings profile the module's rows
use. Every row then clears the recorder that sits in front of the sandbox (the object the
``recording`` fixture returns; that fixture itself resets the sandbox, so a shared world
cannot use it), makes one attempt, and proves at the endpoint that nothing was written.
Most attempts are refused; a replay may come back as an empty plan (``noop_ok``), and a
preview of deletes with deletes off is shown, saying that applying it is refused (``shown``).
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import boto3
from mcp import Client

from apigw_mcp.server.app import build_server
from apigw_mcp.server.sandbox.ext import seed
from apigw_mcp.server.settings import load_settings
from apigw_mcp.tools.engine.signing import Signer, key_from_secret
from apigw_mcp.tools.kinds.http.undo import UndoRecord, encode

from .conftest import ACCOUNT, HANDLE_KEY, RECORDING, REGION
from .helpers import FUNCTION, call_ok, preview_and_apply, text_of

OTHER_KEY = "another-key-for-a-second-server-0123456789abcdef"
OTHER_ACCOUNT = "999999999999"
NARROW_FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:orders-*"
SESSIONS: dict[str, dict[str, Any]] = {
    "default": {},
    "read_only": {"read_only": True},
    "deletes": {"allow_deletes": True},
    "other_key": {"handle_key": OTHER_KEY},
    "exact_lambda": {"lambda_arns": [FUNCTION]},
    "narrow_lambda": {"lambda_arns": [NARROW_FUNCTION]},
    "any_lambda": {"lambda_arns": ["arn:*"]},
    "pinned_other_account": {"account": OTHER_ACCOUNT},
    "prefixed": {"api_name_prefixes": ["esc-"]},
}
MAIN_API: dict[str, Any] = {
    "name": "esc-main",
    "routes": [
        {"route_key": "GET /a", "lambda_arn": FUNCTION},
        {"route_key": "GET /secure", "lambda_arn": FUNCTION, "auth": "jwt"},
        {"route_key": "ANY /proxy/{p+}", "url": "https://backend.example.com/api"},
    ],
    "authorizers": [{"name": "jwt", "issuer": "https://issuer.example.com", "audience": ["aud"]}],
    "stages": [{"name": "prod", "variables": {"v": "1"}, "throttle": {"burst": 10, "rate": 5}}],
    "default_stage": True,
    "tags": {"team": "escape"},
}
B_API: dict[str, Any] = {"name": "esc-b", "routes": [{"route_key": "GET /b", "lambda_arn": FUNCTION}]}


@dataclass(frozen=True)
class Ref:
    """A value known only once the world exists (an API id, a token, a handle), looked up by name."""

    name: str


class Attempt(NamedTuple):
    """One escape attempt: a tool call under a settings profile and what its refusal must name.

    ``noop_ok``: a replay may also come back as an empty plan (nothing left to do), never as a write.
    ``shown``: a preview that is shown rather than refused (deletes off: a dry run of deletes returns
    its plan), whose warnings must say that applying it is refused, naming ``expect``.
    """

    id: str
    tool: str
    args: dict[str, Any]
    session: str = "default"
    expect: tuple[str, ...] = ()
    noop_ok: bool = False
    shown: bool = False


@dataclass
class World:
    endpoint: str
    sessions: dict[str, Client]
    refs: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Any:
        return self.refs[name]


Prepare = Callable[[World], Awaitable[None]]


Call = tuple[str, dict[str, Any]]
MAIN = Ref("main")
URL_ROUTE: dict[str, Any] = {"route_key": "GET /x", "url": "https://backend.example.com"}


def row(case: str, call: Call, *expect: str, session: str = "default", noop_ok: bool = False) -> Attempt:
    """A table row: ``call`` (tool and arguments) on the ``session`` server, refused naming ``expect``."""
    return Attempt(case, call[0], call[1], session, expect, noop_ok)


def applying(call: Call, token: Any) -> Call:
    """The same call as an apply carrying ``token``."""
    return call[0], {**call[1], "dry_run": False, "plan_token": token}


def create(name: str = "esc-x", **parts: Any) -> Call:
    return "create_http_api", {"name": name, "routes": [URL_ROUTE], **parts}


def route_with(key: str, **fields: Any) -> dict[str, Any]:
    """A route to the public test backend, or to the lambda_arn or integration_id in ``fields``."""
    backend = {} if {"lambda_arn", "integration_id"} & fields.keys() else {"url": URL_ROUTE["url"]}
    return {"route_key": key, **backend, **fields}


def create_route(**fields: Any) -> Call:
    return create(routes=[route_with("GET /x", **fields)])


def add_route(api: Any = MAIN, **fields: Any) -> Call:
    return "add_route", {"api_id": api, "route": route_with("GET /n", **fields)}


def update_route(key: str = "GET /a", api: Any = MAIN, **change: Any) -> Call:
    return "update_route", {"api_id": api, "route_key": key, "change": change}


def deploy(stage: str = "prod", api: Any = MAIN, **settings: Any) -> Call:
    return "deploy_stage", {"api_id": api, "stage_name": stage, **settings}


def jwt_authorizer(api: Any = MAIN, **fields: Any) -> Call:
    base = {"name": "j2", "routes": ["GET /a"], "issuer": "https://idp.example.com", "audience": ["a"]}
    return "add_jwt_authorizer", {"api_id": api, **base, **fields}


def lambda_authorizer(api: Any = MAIN, **fields: Any) -> Call:
    return "add_lambda_authorizer", {
        "api_id": api,
        "name": "lam",
        "function_arn": FUNCTION,
        "routes": ["GET /a"],
        **fields,
    }


def on_api(tool: str, api: Any = MAIN, **args: Any) -> Call:
    """Any tool whose arguments are ``api_id`` and a few more (configure_cors, delete_*, ensure_*)."""
    return tool, {"api_id": api, **args}


def undo(handle: Any) -> Call:
    return "undo", {"handle": handle}


def resolve(value: Any, refs: dict[str, Any]) -> Any:
    if isinstance(value, Ref):
        return refs[value.name]
    if isinstance(value, dict):
        return {k: resolve(v, refs) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, refs) for v in value]
    return value


def ids(rows: Iterable[Attempt]) -> list[str]:
    return [row.id for row in rows]


async def attempt(world: World, row: Attempt) -> None:
    """The attempt is refused with one line naming the rule or field, and reaches AWS with no write."""
    args = resolve(row.args, world.refs)
    RECORDING.clear()
    result = await world.sessions[row.session].call_tool(row.tool, args)
    text = text_of(result)
    writes = [str(w) for w in RECORDING.writes()]
    assert writes == [], (row.id, writes, text)
    if row.shown or (row.noop_ok and not result.is_error):
        assert not result.is_error, (row.id, text)
        content = result.structured_content or {}
        assert json.loads(text) == content, (row.id, text)
        assert "applied" not in content and "undo" not in content, (row.id, text)
        check = _shown_with_refusal if row.shown else _empty_plan
        check(row, content)
        return
    assert result.is_error, (row.id, text)
    assert text.startswith(f"Error executing tool {row.tool}: "), (row.id, text)
    assert "\n" not in text and "Traceback" not in text, (row.id, text)
    for fragment in row.expect:
        assert fragment in text, (row.id, fragment, text)


def _empty_plan(row: Attempt, content: dict[str, Any]) -> None:
    plan = content["plan"]
    assert plan["summary"].startswith("No changes") and "steps" not in plan, (row.id, plan)
    assert "token" not in plan, (row.id, plan)


def _shown_with_refusal(row: Attempt, content: dict[str, Any]) -> None:
    plan = content["plan"]
    assert plan.get("steps") and plan.get("token"), (row.id, plan)
    warning = next((w for w in plan.get("warnings", []) if w.startswith("Applying is refused now: ")), "")
    for fragment in row.expect:
        assert fragment in warning, (row.id, fragment, plan.get("warnings"))
    assert "applying it is refused" in content["next"], (row.id, content["next"])


def refused(rule: str) -> str:
    return f"refused ({rule}): "


def v2_client(endpoint: str) -> Any:
    return boto3.client("apigatewayv2", region_name=REGION, endpoint_url=endpoint)


def drop_invoke_statement(endpoint: str, api_id: str) -> None:
    """Remove this server's invoke statement for ``api_id``, so ensure_lambda_permission has one to add."""
    lam = boto3.client("lambda", region_name=REGION, endpoint_url=endpoint)
    lam.remove_permission(FunctionName=FUNCTION, StatementId=f"apigw-mcp-{api_id}")


def signed_handle(record: dict[str, Any], key: str = HANDLE_KEY) -> str:
    """A validly signed undo handle for ``record``, as a server holding ``key`` would make it."""
    return encode(UndoRecord.model_validate(record), Signer(key_from_secret(key)))


async def preview_token(session: Client, tool: str, args: dict[str, Any]) -> str:
    token: str = (await call_ok(session, tool, args))["plan"]["token"]
    return token


def _foreign_api(endpoint: str) -> dict[str, str]:
    """An HTTP API made outside this server (not managed, not listed) with a route, stage and integration."""
    v2 = v2_client(endpoint)
    api_id = v2.create_api(Name="foreign", ProtocolType="HTTP")["ApiId"]
    integration = v2.create_integration(
        ApiId=api_id,
        IntegrationType="HTTP_PROXY",
        IntegrationUri="https://foreign.example.com",
        IntegrationMethod="ANY",
        PayloadFormatVersion="1.0",
    )["IntegrationId"]
    v2.create_route(ApiId=api_id, RouteKey="GET /f", Target=f"integrations/{integration}")
    v2.create_stage(ApiId=api_id, StageName="live")
    return {"foreign": api_id, "foreign_integration": integration}


async def _build(world: World) -> None:
    default = world.sessions["default"]
    main = await preview_and_apply(default, MAIN_API)
    b = await preview_and_apply(default, B_API)
    world.refs.update(main=main["api_id"], main_create_undo=main["undo"], b=b["api_id"])
    world.refs.update(_foreign_api(world.endpoint))


@asynccontextmanager
async def open_world(
    endpoint: str, audit_dir: Path, sessions: Iterable[str], prepare: Prepare | None = None
) -> AsyncIterator[World]:
    """A fresh sandbox with the managed and unmanaged APIs, the named sessions, and ``prepare``'s refs."""
    post = urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")
    urllib.request.urlopen(post, timeout=10).read()
    seed(endpoint, REGION)
    async with AsyncExitStack() as stack:
        opened: dict[str, Client] = {}
        for name in {"default", *sessions}:
            settings = load_settings(
                **{
                    "region": REGION,
                    "endpoint_url": endpoint,
                    "audit_log": str(audit_dir / "audit.jsonl"),
                    "handle_key": HANDLE_KEY,
                    **SESSIONS[name],
                }
            )
            opened[name] = await stack.enter_async_context(Client(build_server(settings)))
        world = World(endpoint, opened, {"account": ACCOUNT})
        await _build(world)
        if prepare is not None:
            await prepare(world)
        yield world


async def remember_tokens(world: World, previews: Iterable[tuple[str, str, str, dict[str, Any]]]) -> None:
    """Preview each (ref name, session, tool, args) and keep its plan token under the ref name."""
    for name, session, tool, args in previews:
        world.refs[name] = await preview_token(world.sessions[session], tool, resolve(args, world.refs))


def preview_then_apply(
    case: str,
    tool: str,
    args: dict[str, Any],
    session: str,
    expect: tuple[str, ...],
    token: Any,
    shown: tuple[str, ...] | None = None,
) -> list[Attempt]:
    """The same attempt as a preview and as an apply carrying ``token``; with ``shown``, the preview is
    shown with a warning naming ``shown`` (rather than refused) and only the apply is refused."""
    apply = {**args, "dry_run": False, "plan_token": token}
    preview = Attempt(f"{case}:preview", tool, args, session, expect)
    if shown is not None:
        preview = preview._replace(expect=shown, shown=True)
    return [preview, Attempt(f"{case}:apply", tool, apply, session, expect)]
