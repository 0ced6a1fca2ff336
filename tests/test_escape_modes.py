"""Escape suite, modes: read-only refuses every mutating tool, and deletes-off refuses every delete.

A read-only server (``read_only=True``, given as the ``--read-only`` flag gives it) is asked,
by every tool whose annotations are not read-only, for a change that would write: as a
preview, and as an apply carrying the plan token a writable server gave for the very same
call; each is refused once, naming how read-only was set. A server with deletes off (the
default) is asked, both ways, for every plan that deletes: delete_route, delete_stage,
delete_api, create_http_api leaving out a route, a stage or an authorizer, and undo of
a create, of an added route and of a created stage (tokens from a server with deletes on).
The preview is shown, warning that applying it is refused and naming the setting; the apply
is refused by its named rule. No attempt writes to AWS.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from .escape_support import (
    MAIN_API,
    Attempt,
    Ref,
    World,
    attempt,
    drop_invoke_statement,
    ids,
    open_world,
    preview_then_apply,
    refused,
    remember_tokens,
)
from .helpers import FUNCTION, preview_and_apply

pytestmark = [pytest.mark.anyio, pytest.mark.xdist_group(__name__)]  # the world is built on one worker

MAIN = Ref("main")
# (case, tool, args, the session whose preview gives the apply's token): each plans at least one write.
WRITES: list[tuple[str, str, dict[str, Any], str]] = [
    (
        "create_http_api",
        "create_http_api",
        {"name": "esc-new", "routes": [{"route_key": "GET /n", "lambda_arn": FUNCTION}]},
        "default",
    ),
    (
        "add_route",
        "add_route",
        {"api_id": MAIN, "route": {"route_key": "GET /ro", "url": "https://ro.example.com"}},
        "default",
    ),
    (
        "update_route",
        "update_route",
        {"api_id": MAIN, "route_key": "GET /a", "change": {"timeout_ms": 1000}},
        "default",
    ),
    ("delete_route", "delete_route", {"api_id": MAIN, "route_key": "GET /a"}, "deletes"),
    (
        "configure_cors",
        "configure_cors",
        {"api_id": MAIN, "cors": {"allow_origins": ["https://app.example.com"]}},
        "default",
    ),
    (
        "add_jwt_authorizer",
        "add_jwt_authorizer",
        {
            "api_id": MAIN,
            "name": "jwt2",
            "routes": ["GET /a"],
            "issuer": "https://idp.example.com",
            "audience": ["x"],
        },
        "default",
    ),
    (
        "add_lambda_authorizer",
        "add_lambda_authorizer",
        {"api_id": MAIN, "name": "lam", "function_arn": FUNCTION, "routes": ["GET /a"]},
        "default",
    ),
    ("deploy_stage", "deploy_stage", {"api_id": MAIN, "stage_name": "beta", "access_log": True}, "default"),
    ("delete_stage", "delete_stage", {"api_id": MAIN, "stage_name": "prod"}, "deletes"),
    ("ensure_lambda_permission", "ensure_lambda_permission", {"api_id": Ref("perm")}, "default"),
    ("delete_api", "delete_api", {"api_id": MAIN}, "deletes"),
    ("undo-of-update", "undo", {"handle": Ref("stage_update_undo")}, "default"),
    ("undo-of-create", "undo", {"handle": Ref("main_create_undo")}, "deletes"),
]

_WITHOUT_PROXY = [r for r in MAIN_API["routes"] if not r["route_key"].startswith("ANY")]
_OPEN_ROUTES = [{**r, "auth": "NONE"} for r in MAIN_API["routes"]]
DELETES: list[tuple[str, str, dict[str, Any]]] = [
    ("delete_route", "delete_route", {"api_id": MAIN, "route_key": "GET /a"}),
    ("delete_stage", "delete_stage", {"api_id": MAIN, "stage_name": "prod"}),
    ("delete_api", "delete_api", {"api_id": MAIN}),
    ("create-drops-route", "create_http_api", {**MAIN_API, "routes": _WITHOUT_PROXY}),
    ("create-drops-stage", "create_http_api", {**MAIN_API, "stages": []}),
    ("create-drops-authorizer", "create_http_api", {**MAIN_API, "routes": _OPEN_ROUTES, "authorizers": []}),
    ("undo-of-create", "undo", {"handle": Ref("main_create_undo")}),
    ("undo-of-add-route", "undo", {"handle": Ref("route_add_undo")}),
    ("undo-of-stage-create", "undo", {"handle": Ref("stage_create_undo")}),
]
READ_ONLY = (refused("read-only"), "the server is read-only (--read-only); restart it without that")
DELETES_OFF = (refused("deletes-off"), "APIGW_MCP_ALLOW_DELETES")
SHOWN = ("deletes are off", "restart the server with APIGW_MCP_ALLOW_DELETES=true")
ROWS = [
    row
    for case, tool, args, _ in WRITES
    for row in preview_then_apply(f"read-only:{case}", tool, args, "read_only", READ_ONLY, Ref(f"ro:{case}"))
] + [
    row
    for case, tool, args in DELETES
    for row in preview_then_apply(
        f"deletes-off:{case}", tool, args, "default", DELETES_OFF, Ref(f"del:{case}"), shown=SHOWN
    )
]


async def _prepare(world: World) -> None:
    """Undo handles of applies on esc-b, an API missing its invoke statement, and the writable tokens."""
    default, b = world.sessions["default"], world["b"]
    perm = await preview_and_apply(
        default, {"name": "esc-perm", "routes": [{"route_key": "GET /p", "lambda_arn": FUNCTION}]}
    )
    world.refs["perm"] = perm["api_id"]
    added = await preview_and_apply(
        default, {"api_id": b, "route": {"route_key": "GET /tmp", "lambda_arn": FUNCTION}}, "add_route"
    )
    created = await preview_and_apply(default, {"api_id": b, "stage_name": "beta"}, "deploy_stage")
    updated = await preview_and_apply(
        default, {"api_id": b, "stage_name": "beta", "variables": {"x": "1"}}, "deploy_stage"
    )
    world.refs.update(
        route_add_undo=added["undo"], stage_create_undo=created["undo"], stage_update_undo=updated["undo"]
    )
    drop_invoke_statement(world.endpoint, world["perm"])
    await remember_tokens(
        world, [(f"ro:{case}", session, tool, args) for case, tool, args, session in WRITES]
    )
    await remember_tokens(world, [(f"del:{case}", "deletes", tool, args) for case, tool, args in DELETES])


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
async def world(moto_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    where = tmp_path_factory.mktemp("escape-modes")
    async with open_world(moto_endpoint, where, ["read_only", "deletes"], _prepare) as built:
        yield built


@pytest.mark.parametrize("case", ROWS, ids=ids(ROWS))
async def test_mode_attempt_is_refused_before_any_write(world: World, case: Attempt) -> None:
    await attempt(world, case)
