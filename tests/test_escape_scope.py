"""Escape suite, API scope: an API this server does not manage cannot be changed by any tool.

The API ``foreign`` is created straight through boto3 (no managed tag, not listed, its
name matching no prefix). Every tool that takes an api_id targets it, as a preview and as
an apply with a forged token, on servers with deletes on where deletes could mask the rule;
create_http_api reaches it by NAME; undo reaches it through validly signed handles (the
second fence: a leaked key still cannot move the scope). Integrations of the foreign API
cannot be borrowed by id, and a server pinned to another account refuses every tool.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from .escape_support import (
    Attempt,
    Ref,
    World,
    attempt,
    ids,
    open_world,
    preview_then_apply,
    refused,
    signed_handle,
)
from .helpers import FUNCTION

pytestmark = [pytest.mark.anyio, pytest.mark.xdist_group(__name__)]  # the world is built on one worker

FOREIGN = Ref("foreign")
FORGED = "00c0ffee00c0ffee.abcd.abcd.abcd.abcd"
API_SCOPE = (refused("api-scope"), "is not managed by apigw-mcp and not listed in scope", "APIGW_MCP_API_IDS")
# (case, tool, args, session)
FOREIGN_CALLS: list[tuple[str, str, dict[str, Any], str]] = [
    (
        "add_route",
        "add_route",
        {"api_id": FOREIGN, "route": {"route_key": "GET /x", "lambda_arn": FUNCTION}},
        "default",
    ),
    (
        "update_route",
        "update_route",
        {"api_id": FOREIGN, "route_key": "GET /f", "change": {"url": "https://evil.example.com"}},
        "default",
    ),
    ("delete_route", "delete_route", {"api_id": FOREIGN, "route_key": "GET /f"}, "deletes"),
    ("configure_cors", "configure_cors", {"api_id": FOREIGN, "cors": {"allow_origins": ["*"]}}, "default"),
    ("remove_cors", "configure_cors", {"api_id": FOREIGN, "cors": None}, "deletes"),
    (
        "add_jwt_authorizer",
        "add_jwt_authorizer",
        {
            "api_id": FOREIGN,
            "name": "j",
            "routes": ["GET /f"],
            "issuer": "https://idp.example.com",
            "audience": ["a"],
        },
        "default",
    ),
    (
        "add_lambda_authorizer",
        "add_lambda_authorizer",
        {"api_id": FOREIGN, "name": "l", "function_arn": FUNCTION, "routes": ["GET /f"]},
        "default",
    ),
    (
        "deploy_stage",
        "deploy_stage",
        {"api_id": FOREIGN, "stage_name": "live", "throttle": {"burst": 0, "rate": 0}},
        "default",
    ),
    ("delete_stage", "delete_stage", {"api_id": FOREIGN, "stage_name": "live"}, "deletes"),
    ("ensure_lambda_permission", "ensure_lambda_permission", {"api_id": FOREIGN}, "default"),
    ("delete_api", "delete_api", {"api_id": FOREIGN}, "deletes"),
    ("delete_api-with-name-prefixes", "delete_api", {"api_id": FOREIGN}, "prefixed"),
    ("undo-description", "undo", {"handle": Ref("foreign_description_handle")}, "deletes"),
    ("undo-created", "undo", {"handle": Ref("foreign_created_handle")}, "deletes"),
    ("undo-deleted-by-name", "undo", {"handle": Ref("foreign_by_name_handle")}, "deletes"),
]
BY_NAME = (refused("api-scope"), "name 'foreign' belongs to an existing API")
BY_NAME_CALLS: list[tuple[str, dict[str, Any], str]] = [
    (
        "create-by-name",
        {"name": "foreign", "routes": [{"route_key": "GET /f", "url": "https://evil.example.com"}]},
        "default",
    ),
    (
        "create-by-name-with-deletes",
        {"name": "foreign", "routes": [{"route_key": "GET /x", "lambda_arn": FUNCTION}]},
        "deletes",
    ),
]
NO_INTEGRATION = "no proxy integration"
ACCOUNT = (refused("account"), "APIGW_MCP_ACCOUNT pins 999999999999")
PINNED_CALLS: list[tuple[str, str, dict[str, Any]]] = [
    (
        "create_http_api",
        "create_http_api",
        {"name": "esc-pin", "routes": [{"route_key": "GET /p", "url": "https://a.example.com"}]},
    ),
    (
        "add_route",
        "add_route",
        {"api_id": Ref("main"), "route": {"route_key": "GET /p", "url": "https://a.example.com"}},
    ),
    (
        "update_route",
        "update_route",
        {"api_id": Ref("main"), "route_key": "GET /a", "change": {"timeout_ms": 900}},
    ),
    (
        "configure_cors",
        "configure_cors",
        {"api_id": Ref("main"), "cors": {"allow_origins": ["https://a.example.com"]}},
    ),
    (
        "add_jwt_authorizer",
        "add_jwt_authorizer",
        {
            "api_id": Ref("main"),
            "name": "p",
            "routes": ["GET /a"],
            "issuer": "https://idp.example.com",
            "audience": ["a"],
        },
    ),
    ("deploy_stage", "deploy_stage", {"api_id": Ref("main"), "stage_name": "pinned"}),
    ("ensure_lambda_permission", "ensure_lambda_permission", {"api_id": Ref("main")}),
]

ROWS = (
    [
        row
        for case, tool, args, session in FOREIGN_CALLS
        for row in preview_then_apply(f"foreign:{case}", tool, args, session, API_SCOPE, FORGED)
    ]
    + [
        row
        for case, args, session in BY_NAME_CALLS
        for row in preview_then_apply(f"foreign:{case}", "create_http_api", args, session, BY_NAME, FORGED)
    ]
    + [
        Attempt(
            "borrow-foreign-integration:add_route",
            "add_route",
            {
                "api_id": Ref("main"),
                "route": {"route_key": "GET /z", "integration_id": Ref("foreign_integration")},
            },
            expect=("route.integration_id: ", NO_INTEGRATION),
        ),
        Attempt(
            "borrow-foreign-integration:update_route",
            "update_route",
            {
                "api_id": Ref("main"),
                "route_key": "GET /a",
                "change": {"integration_id": Ref("foreign_integration")},
            },
            expect=("route.integration_id: ", NO_INTEGRATION),
        ),
    ]
    + [
        Attempt(f"pinned-account:{case}", tool, args, "pinned_other_account", ACCOUNT)
        for case, tool, args in PINNED_CALLS
    ]
)


async def _prepare(world: World) -> None:
    """Validly signed handles aimed at the foreign API: as if a planner bug or a leaked key made them."""
    foreign = world["foreign"]
    world.refs["foreign_description_handle"] = signed_handle(
        {"api_id": foreign, "name": "foreign", "before": {"description": "taken over"}}
    )
    world.refs["foreign_created_handle"] = signed_handle(
        {"api_id": foreign, "name": "foreign", "created": True}
    )
    world.refs["foreign_by_name_handle"] = signed_handle(
        {"api_id": "gone0000", "name": "foreign", "deleted": True, "before": {"name": "foreign"}}
    )


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
async def world(moto_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    sessions = ["deletes", "prefixed", "pinned_other_account"]
    where = tmp_path_factory.mktemp("escape-scope")
    async with open_world(moto_endpoint, where, sessions, _prepare) as built:
        yield built


@pytest.mark.parametrize("case", ROWS, ids=ids(ROWS))
async def test_scope_attempt_is_refused_before_any_write(world: World, case: Attempt) -> None:
    await attempt(world, case)
