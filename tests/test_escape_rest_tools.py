"""Escape suite, the per-part tools on REST APIs: add_route, update_route, delete_route, configure_cors,
the authorizers, deploy_stage, delete_stage, delete_api, ensure_lambda_permission, configure_usage_plan.

A managed REST API (``esc-rest-main``) is made through the tools and an unmanaged one
(``foreign-rest``, with a method and a stage) straight through boto3. Every tool targets the
foreign API, as a preview and as an apply with a forged token (deletes on where deletes could mask
the rule); on the managed API, each tool is given targets outside the scope (metadata, loopback,
plain-http and credential URLs, Lambda functions of another account or outside the allowed
patterns, user pools, log groups and web ACLs of another account) and CRLF in stage variables and
key names; a read-only server is asked for each write, and deletes with deletes off are shown and
their apply refused; tokens of other tools and of an HTTP API's same call are replayed. Each is
refused naming its rule or field before any AWS write.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import boto3
import pytest

from .conftest import REGION
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

FOREIGN, REST = Ref("foreign_rest"), Ref("rest_main")
OTHER = "999999999999"
FORGED = "00c0ffee00c0ffee.abcd.abcd.abcd.abcd"
API_SCOPE = (refused("api-scope"), "is not managed by apigw-mcp and not listed in scope")
READ_ONLY = (refused("read-only"), "the server is read-only")
DELETES_OFF = (refused("deletes-off"), "APIGW_MCP_ALLOW_DELETES")
SHOWN = ("deletes are off", "APIGW_MCP_ALLOW_DELETES=true")
MAIN_REST: dict[str, Any] = {
    "name": "esc-rest-main",
    "routes": [
        {"route_key": "GET /a", "lambda_arn": FUNCTION},
        {"route_key": "GET /b", "mock": True},
    ],
    "stages": [{"name": "prod", "variables": {"v": "1"}}],
}
BACKEND = "https://a.example.com"
IN_ACCOUNT = "must be in account 123456789012"
OTHER_FUNCTION = f"arn:aws:lambda:us-east-1:{OTHER}:function:f"
LOGS = f"arn:aws:logs:us-east-1:{OTHER}:log-group:/aws/apigateway/esc"
ACL = f"arn:aws:wafv2:us-east-1:{OTHER}:regional/webacl/esc/a1b2c3d4-0000-1111-2222-333344445555"


def calls(api: Ref) -> list[tuple[str, str, dict[str, Any], str]]:
    """(case, tool, args, session) of one harmless-looking call of each tool on ``api``."""
    return [
        (
            "add_route",
            "add_route",
            {"api_id": api, "route": {"route_key": "GET /x", "lambda_arn": FUNCTION}},
            "default",
        ),
        (
            "update_route",
            "update_route",
            {"api_id": api, "route_key": "GET /f", "change": {"url": "https://evil.example.com"}},
            "default",
        ),
        ("delete_route", "delete_route", {"api_id": api, "route_key": "GET /f"}, "deletes"),
        ("configure_cors", "configure_cors", {"api_id": api, "cors": {"allow_origins": ["*"]}}, "default"),
        (
            "add_lambda_authorizer",
            "add_lambda_authorizer",
            {"api_id": api, "name": "l", "function_arn": FUNCTION, "routes": ["GET /f"]},
            "default",
        ),
        (
            "add_jwt_authorizer",
            "add_jwt_authorizer",
            {"api_id": api, "name": "c", "routes": ["GET /f"], "cognito_user_pool_id": "us-east-1_abc"},
            "default",
        ),
        (
            "deploy_stage",
            "deploy_stage",
            {"api_id": api, "stage_name": "live", "variables": {"a": "b"}},
            "default",
        ),
        ("delete_stage", "delete_stage", {"api_id": api, "stage_name": "live"}, "deletes"),
        ("delete_api", "delete_api", {"api_id": api}, "deletes"),
        ("ensure_lambda_permission", "ensure_lambda_permission", {"api_id": api}, "default"),
        (
            "configure_usage_plan",
            "configure_usage_plan",
            {"name": "esc-plan", "api_stages": [{"api_id": api, "stage": "live"}]},
            "default",
        ),
    ]


SCOPE = [
    row
    for case, tool, args, session in calls(FOREIGN)
    for row in preview_then_apply(f"rest-foreign:{case}", tool, args, session, API_SCOPE, FORGED)
]


def on_rest(case: str, tool: str, args: dict[str, Any], *expect: str, session: str = "default") -> Attempt:
    return Attempt(case, tool, {"api_id": REST, **args}, session, expect)


def new_route(**backend: Any) -> dict[str, Any]:
    return {"route": {"route_key": "GET /n", **backend}}


URLS = {
    "metadata": "https://169.254.169.254/latest",
    "loopback": "https://127.0.0.1/x",
    "plain-http": "http://example.com/x",
    "userinfo": "https://user:pw@example.com/x",
    "fullwidth-loopback": "https://１２７.0.0.1/x",
}
VALUES = [
    *[
        on_rest(f"rest-add-route:url-{case}", "add_route", new_route(url=url), "route.url")
        for case, url in URLS.items()
    ],
    *[
        on_rest(
            f"rest-update-route:url-{case}",
            "update_route",
            {"route_key": "GET /a", "change": {"url": url}},
            "change.url",
        )
        for case, url in URLS.items()
    ],
    on_rest(
        "rest-add-route:lambda-other-account",
        "add_route",
        new_route(lambda_arn=OTHER_FUNCTION),
        "route.lambda_arn: ",
        IN_ACCOUNT,
    ),
    on_rest(
        "rest-add-route:lambda-qualifier",
        "add_route",
        new_route(lambda_arn=f"{FUNCTION}:prod"),
        refused("lambda-scope"),
        session="exact_lambda",
    ),
    on_rest(
        "rest-update-route:lambda-other-account",
        "update_route",
        {"route_key": "GET /a", "change": {"lambda_arn": OTHER_FUNCTION}},
        "change.lambda_arn: ",
        IN_ACCOUNT,
    ),
    on_rest(
        "rest-add-route:key-dotdot",
        "add_route",
        {"route": {"route_key": "GET /a/../b", "url": BACKEND}},
        "route_key",
    ),
    on_rest(
        "rest-lambda-authorizer:other-account",
        "add_lambda_authorizer",
        {"name": "l", "function_arn": OTHER_FUNCTION, "routes": ["GET /a"]},
        "function_arn: ",
        IN_ACCOUNT,
    ),
    on_rest(
        "rest-cognito-authorizer:other-region",
        "add_jwt_authorizer",
        {"name": "c", "routes": ["GET /a"], "cognito_user_pool_id": "eu-west-1_abc"},
        refused("user-pool-scope"),
    ),
    on_rest(
        "rest-deploy:variable-crlf",
        "deploy_stage",
        {"stage_name": "prod", "variables": {"v": "a\r\nb"}},
        "variables",
    ),
    on_rest(
        "rest-deploy:log-group-other-account",
        "deploy_stage",
        {"stage_name": "prod", "access_log": True, "log_group_arn": LOGS},
        refused("log-scope"),
    ),
    on_rest(
        "rest-deploy:web-acl-other-account",
        "deploy_stage",
        {"stage_name": "prod", "rest": {"web_acl_arn": ACL}},
        refused("waf-scope"),
    ),
    Attempt(
        "rest-usage-plan:key-name-crlf",
        "configure_usage_plan",
        {"name": "esc-plan", "api_stages": [{"api_id": REST, "stage": "prod"}], "api_keys": ["k\r\nx"]},
        expect=("api_keys",),
    ),
    Attempt(
        "rest-usage-plan:plan-name-crlf",
        "configure_usage_plan",
        {"name": "esc\r\nplan", "api_stages": [{"api_id": REST, "stage": "prod"}]},
        expect=("name",),
    ),
]
WRITES: list[tuple[str, str, dict[str, Any]]] = [
    ("add_route", "add_route", {"api_id": REST, **new_route(url=BACKEND)}),
    ("update_route", "update_route", {"api_id": REST, "route_key": "GET /b", "change": {"timeout_ms": 900}}),
    (
        "configure_cors",
        "configure_cors",
        {"api_id": REST, "cors": {"allow_origins": ["https://a.example.com"]}},
    ),
    (
        "add_lambda_authorizer",
        "add_lambda_authorizer",
        {"api_id": REST, "name": "l", "function_arn": FUNCTION, "routes": ["GET /b"]},
    ),
    ("deploy_stage", "deploy_stage", {"api_id": REST, "stage_name": "prod", "variables": {"v": "2"}}),
    (
        "configure_usage_plan",
        "configure_usage_plan",
        {"name": "esc-plan", "api_stages": [{"api_id": REST, "stage": "prod"}], "api_keys": ["esc-key"]},
    ),
]
DELETES: list[tuple[str, str, dict[str, Any]]] = [
    ("delete_route", "delete_route", {"api_id": REST, "route_key": "GET /b"}),
    ("delete_stage", "delete_stage", {"api_id": REST, "stage_name": "prod"}),
    ("delete_api", "delete_api", {"api_id": REST}),
]
MODES = [
    row
    for case, tool, args in WRITES
    for row in preview_then_apply(
        f"rest-read-only:{case}", tool, args, "read_only", READ_ONLY, Ref(f"ro:{case}")
    )
] + [
    row
    for case, tool, args in DELETES
    for row in preview_then_apply(
        f"rest-deletes-off:{case}", tool, args, "default", DELETES_OFF, Ref(f"del:{case}"), shown=SHOWN
    )
]
TOKENS = [
    Attempt(
        "rest-token:create-on-add-route",
        "add_route",
        {"api_id": REST, **new_route(url=BACKEND), "dry_run": False, "plan_token": Ref("create_token")},
        expect=("plan_token",),
    ),
    Attempt(
        "rest-token:http-add-route-on-rest",
        "add_route",
        {
            "api_id": REST,
            **new_route(url="https://a.example.com"),
            "dry_run": False,
            "plan_token": Ref("http_add_token"),
        },
        expect=("plan_token",),
    ),
    Attempt(
        "rest-token:add-route-on-deploy",
        "deploy_stage",
        {
            "api_id": REST,
            "stage_name": "prod",
            "variables": {"v": "9"},
            "dry_run": False,
            "plan_token": Ref("ro:add_route"),
        },
        expect=("plan_token",),
    ),
    Attempt(
        "rest-undo:edited-add-route-handle",
        "undo",
        {"handle": Ref("add_undo_edited")},
        "deletes",
        ("handle: ",),
    ),
]
ROWS: list[Attempt] = SCOPE + VALUES + MODES + TOKENS


def _foreign(endpoint: str) -> str:
    rest: Any = boto3.client("apigateway", region_name=REGION, endpoint_url=endpoint)
    api_id: str = rest.create_rest_api(name="foreign-rest")["id"]
    root = rest.get_resources(restApiId=api_id)["items"][0]["id"]
    resource = rest.create_resource(restApiId=api_id, parentId=root, pathPart="f")["id"]
    rest.put_method(restApiId=api_id, resourceId=resource, httpMethod="GET", authorizationType="NONE")
    rest.put_integration(restApiId=api_id, resourceId=resource, httpMethod="GET", type="MOCK")
    rest.create_deployment(restApiId=api_id, stageName="live")
    return api_id


async def _prepare(world: World) -> None:
    default = world.sessions["default"]
    created = await preview_and_apply(default, MAIN_REST, "create_rest_api")
    world.refs.update(rest_main=created["api_id"], foreign_rest=_foreign(world.endpoint))
    added = await preview_and_apply(
        default, {"api_id": created["api_id"], "route": {"route_key": "GET /t", "url": BACKEND}}, "add_route"
    )
    handle = added["undo"]
    world.refs["add_undo_edited"] = handle[: len(handle) // 2] + "A" + handle[len(handle) // 2 + 1 :]
    await remember_tokens(
        world,
        [(f"ro:{case}", "default", tool, args) for case, tool, args in WRITES]
        + [(f"del:{case}", "deletes", tool, args) for case, tool, args in DELETES]
        + [
            ("create_token", "default", "create_rest_api", {**MAIN_REST, "name": "esc-rest-other"}),
            (
                "http_add_token",
                "default",
                "add_route",
                {"api_id": Ref("main"), **new_route(url="https://a.example.com")},
            ),
        ],
    )


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
async def world(moto_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    where = tmp_path_factory.mktemp("escape-rest-tools")
    async with open_world(moto_endpoint, where, ["read_only", "deletes", "exact_lambda"], _prepare) as built:
        yield built


@pytest.mark.parametrize("case", ROWS, ids=ids(ROWS))
async def test_rest_tool_attempt_is_refused_before_any_write(world: World, case: Attempt) -> None:
    await attempt(world, case)
