"""Escape suite, REST scope, modes, tokens and handles: create_rest_api and undo of REST applies.

A managed REST API (``esc-rest-main``) is made and updated through the tools, and an
unmanaged one (``foreign-rest``) straight through boto3. Attempts: reach the foreign API by
name (on servers with deletes on, with name prefixes, with APIGW_MCP_API_IDS listing another
API), through validly signed undo handles (delete it, restore it to a spec of our choosing);
write on a read-only server; drop a route, a stage or the whole API with deletes off (shown,
apply refused); apply with a forged, edited, truncated or other-key token, with a token of
other arguments, or with create_http_api's token for the same name; undo with an edited REST
handle or one from a server with another key. Each is refused naming its rule or field before
any AWS write (``recording.writes()`` is empty, counted at the endpoint).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import boto3
import pytest
from mcp import Client

from apigw_mcp.server.app import build_server
from apigw_mcp.server.settings import load_settings
from apigw_mcp.tools.engine.handle import seal
from apigw_mcp.tools.engine.signing import Signer, key_from_secret
from apigw_mcp.tools.kinds.rest.inputs import CreateRestApiArgs
from apigw_mcp.tools.kinds.rest.undo import record_for

from .conftest import ACCOUNT, HANDLE_KEY, REGION
from .escape_support import (
    Attempt,
    Ref,
    World,
    attempt,
    ids,
    open_world,
    preview_then_apply,
    refused,
    remember_tokens,
)
from .helpers import FUNCTION, preview_and_apply

pytestmark = [pytest.mark.anyio, pytest.mark.xdist_group(__name__)]  # the world is built on one worker

MAIN_REST: dict[str, Any] = {
    "name": "esc-rest-main",
    "routes": [
        {"route_key": "GET /a", "lambda_arn": FUNCTION},
        {"route_key": "GET /b", "mock": True},
    ],
    "stages": [{"name": "prod", "variables": {"v": "1"}}],
}
UPDATED = {**MAIN_REST, "routes": [*MAIN_REST["routes"], {"route_key": "GET /c", "mock": True}]}
FOREIGN_ROUTES = [{"route_key": "GET /f", "http_url": "https://evil.example.com/f"}]
BY_NAME = (refused("api-scope"), "name 'foreign-rest' belongs to an existing API")
API_SCOPE = (refused("api-scope"), "is not managed by apigw-mcp and not listed in scope")
READ_ONLY = (refused("read-only"), "the server is read-only")
DELETES_OFF = (refused("deletes-off"), "APIGW_MCP_ALLOW_DELETES")
SHOWN = ("deletes are off", "APIGW_MCP_ALLOW_DELETES=true")
TOKEN = ("plan_token",)
HANDLE = ("handle: ",)
FORGED = "00c0ffee00c0ffee.abcd.abcd.abcd.abcd"
NEW_REST: dict[str, Any] = {"name": "esc-rest-new", "routes": [{"route_key": "GET /n", "mock": True}]}
SAME_NAME_HTTP: dict[str, Any] = {
    "name": "esc-rest-new",
    "routes": [{"route_key": "GET /n", "url": "https://backend.example.com"}],
}

SCOPE = [
    row
    for case, session in (
        ("default", "default"),
        ("deletes", "deletes"),
        ("prefixed", "prefixed"),
        ("listed", "listed"),
    )
    for row in preview_then_apply(
        f"rest-by-name:{case}",
        "create_rest_api",
        {"name": "foreign-rest", "routes": FOREIGN_ROUTES},
        session,
        BY_NAME,
        FORGED,
    )
] + [
    Attempt("rest-undo:delete-foreign", "undo", {"handle": Ref("foreign_created")}, "deletes", API_SCOPE),
    Attempt("rest-undo:restore-foreign", "undo", {"handle": Ref("foreign_restore")}, "deletes", API_SCOPE),
    Attempt(
        "rest-undo:restore-foreign-listed", "undo", {"handle": Ref("foreign_restore")}, "listed", API_SCOPE
    ),
    Attempt(
        "rest-pinned-account",
        "create_rest_api",
        NEW_REST,
        "pinned_other_account",
        (refused("account"), "APIGW_MCP_ACCOUNT pins 999999999999"),
    ),
]
MODES = (
    preview_then_apply(
        "read-only:create", "create_rest_api", NEW_REST, "read_only", READ_ONLY, Ref("new_token")
    )
    + preview_then_apply(
        "read-only:update", "create_rest_api", UPDATED, "read_only", READ_ONLY, Ref("update_token")
    )
    + preview_then_apply(
        "read-only:undo-create",
        "undo",
        {"handle": Ref("create_undo")},
        "read_only",
        READ_ONLY,
        Ref("undo_create_token"),
    )
    + preview_then_apply(
        "deletes-off:drop-route",
        "create_rest_api",
        {**MAIN_REST, "routes": [MAIN_REST["routes"][0]]},
        "default",
        DELETES_OFF,
        Ref("drop_route_token"),
        shown=SHOWN,
    )
    + preview_then_apply(
        "deletes-off:undo-create",
        "undo",
        {"handle": Ref("create_undo")},
        "default",
        DELETES_OFF,
        Ref("undo_create_token"),
        shown=SHOWN,
    )
)


def applying(
    case: str,
    args: dict[str, Any],
    token: Any,
    *expect: str,
    tool: str = "create_rest_api",
    session: str = "default",
) -> Attempt:
    return Attempt(case, tool, {**args, "dry_run": False, "plan_token": token}, session, expect or TOKEN)


TOKENS = [
    applying("token:forged", NEW_REST, FORGED),
    applying("token:empty-string", NEW_REST, " "),
    applying("token:edited", NEW_REST, Ref("new_token_edited")),
    applying("token:truncated", NEW_REST, Ref("new_token_truncated")),
    applying("token:extended", NEW_REST, Ref("new_token_extended")),
    applying("token:other-arguments", {**NEW_REST, "description": "changed"}, Ref("new_token")),
    applying("token:other-api-update", UPDATED, Ref("new_token")),
    applying("token:of-create-http-api", NEW_REST, Ref("http_token")),
    applying("token:rest-on-create-http-api", SAME_NAME_HTTP, Ref("new_token"), tool="create_http_api"),
    applying("token:other-key-server", NEW_REST, Ref("other_key_token")),
    applying("token:undo-token-on-create", NEW_REST, Ref("undo_create_token")),
    applying(
        "token:create-token-on-undo",
        {"handle": Ref("create_undo")},
        Ref("new_token"),
        tool="undo",
        session="deletes",
    ),
    applying(
        "token:as-handle",
        {"handle": Ref("new_token")},
        Ref("new_token"),
        *HANDLE,
        tool="undo",
        session="deletes",
    ),
]
HANDLES = [
    Attempt("handle:edited-middle", "undo", {"handle": Ref("update_undo_edited")}, "deletes", HANDLE),
    Attempt("handle:edited-end", "undo", {"handle": Ref("update_undo_edited_end")}, "deletes", HANDLE),
    Attempt("handle:truncated", "undo", {"handle": Ref("update_undo_truncated")}, "deletes", HANDLE),
    Attempt(
        "handle:other-key-server",
        "undo",
        {"handle": Ref("update_undo")},
        "other_key",
        (*HANDLE, "APIGW_MCP_HANDLE_KEY"),
    ),
    Attempt("handle:unknown-kind", "undo", {"handle": Ref("unknown_kind")}, "deletes", HANDLE),
    Attempt(
        "handle:created-and-before",
        "undo",
        {"handle": Ref("created_and_before")},
        "deletes",
        (*HANDLE, "not an undo handle from this server"),
    ),
]
ROWS: list[Attempt] = SCOPE + MODES + TOKENS + HANDLES


def signed(record: dict[str, Any]) -> str:
    return seal(record, Signer(key_from_secret(HANDLE_KEY)))


def edited(value: str, at: int) -> str:
    return value[:at] + ("A" if value[at] != "A" else "B") + value[at + 1 :]


def _foreign(endpoint: str) -> str:
    rest = boto3.client("apigateway", region_name=REGION, endpoint_url=endpoint)
    api_id: str = rest.create_rest_api(name="foreign-rest")["id"]
    root = rest.get_resources(restApiId=api_id)["items"][0]["id"]
    rest.create_resource(restApiId=api_id, parentId=root, pathPart="f")
    return api_id


def _handles(world: World, foreign: str) -> None:
    spec = CreateRestApiArgs.model_validate({"name": "foreign-rest", "routes": FOREIGN_ROUTES}).to_spec(
        REGION, ACCOUNT
    )
    update = world["update_undo"]
    world.refs.update(
        foreign_created=signed({"kind": "rest", "api_id": foreign, "name": "foreign-rest", "created": True}),
        foreign_restore=signed(record_for(spec, spec, foreign, "foreign-rest", [])),
        unknown_kind=signed({"kind": "graphql", "api_id": foreign, "name": "x", "created": True}),
        created_and_before=signed({**record_for(spec, spec, foreign, "x", []), "created": True}),
        update_undo_edited=edited(update, len(update) // 2),
        update_undo_edited_end=edited(update, len(update) - 2),
        update_undo_truncated=update[:-1],
    )


async def _prepare(world: World) -> None:
    default = world.sessions["default"]
    created = await preview_and_apply(default, MAIN_REST, "create_rest_api")
    await preview_and_apply(default, {**MAIN_REST, "name": "esc-rest-two"}, "create_rest_api")
    updated = await preview_and_apply(default, {**UPDATED, "name": "esc-rest-two"}, "create_rest_api")
    world.refs.update(rest_main=created["api_id"], create_undo=created["undo"], update_undo=updated["undo"])
    _handles(world, _foreign(world.endpoint))
    await remember_tokens(
        world,
        [
            ("new_token", "default", "create_rest_api", NEW_REST),
            ("update_token", "default", "create_rest_api", UPDATED),
            ("http_token", "default", "create_http_api", SAME_NAME_HTTP),
            ("other_key_token", "other_key", "create_rest_api", NEW_REST),
            ("undo_create_token", "deletes", "undo", {"handle": Ref("create_undo")}),
            (
                "drop_route_token",
                "deletes",
                "create_rest_api",
                {**MAIN_REST, "routes": [MAIN_REST["routes"][0]]},
            ),
        ],
    )
    token = world["new_token"]
    world.refs.update(
        new_token_edited=edited(token, len(token) // 2),
        new_token_truncated=token[:-1],
        new_token_extended=token + "A",
    )


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
async def world(moto_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    where = tmp_path_factory.mktemp("escape-rest-scope")
    sessions = ["read_only", "deletes", "other_key", "prefixed", "pinned_other_account"]
    async with open_world(moto_endpoint, where, sessions, _prepare) as built:
        listed = load_settings(
            region=REGION,
            endpoint_url=moto_endpoint,
            audit_log=str(where / "listed.jsonl"),
            handle_key=HANDLE_KEY,
            allow_deletes=True,
            api_ids=[built["main"], built["rest_main"]],
        )
        async with Client(build_server(listed)) as session:
            built.sessions["listed"] = session
            yield built


@pytest.mark.parametrize("case", ROWS, ids=ids(ROWS))
async def test_rest_scope_attempt_is_refused_before_any_write(world: World, case: Attempt) -> None:
    await attempt(world, case)
