"""The fault suites' scenarios: for each mutating tool, what to build first and the arguments to apply.

A scenario's setup runs through the tools on a fault-free server and returns the tool's
arguments; ``steps`` is the length of the plan it previews (checked, so a planner change
that adds or drops a step shows up here rather than silently changing the coverage).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from mcp import Client

from apigw_mcp.server.sandbox.ext import SeedInfo

from .helpers import FUNCTION, preview_and_apply, sandbox_client
from .test_e2e import create_function


@dataclass(frozen=True)
class Functions:
    """Lambda functions besides the seed's: a second backend, an authorizer, and a third backend."""

    second: str
    auth: str
    third: str


def make_functions(endpoint: str, seed: SeedInfo) -> Functions:
    return Functions(
        second=create_function(endpoint, seed),
        auth=create_function(endpoint, seed, "apigw-mcp-auth-fn"),
        third=create_function(endpoint, seed, "apigw-mcp-third-fn"),
    )


LEGACY = "https://legacy.example.com/api"
CORS = {"allow_origins": ["https://app.example.com"], "allow_methods": ["GET", "POST"], "max_age": 300}


def shop_request(fns: Functions, **overrides: Any) -> dict[str, Any]:
    """A rich API: Lambda and HTTPS routes, JWT and Lambda authorizers, CORS, a logged and a manual stage."""
    request: dict[str, Any] = {
        "name": "shop",
        "description": "shop API",
        "routes": [
            {"route_key": "GET /orders", "lambda_arn": FUNCTION, "auth": "users", "scopes": ["orders/read"]},
            {"route_key": "POST /orders", "lambda_arn": fns.second},
            {"route_key": "ANY /legacy/{proxy+}", "url": LEGACY, "timeout_ms": 5000},
            {"route_key": "GET /admin", "lambda_arn": FUNCTION, "auth": "gate"},
        ],
        "cors": CORS,
        "authorizers": [
            {"name": "users", "issuer": "https://issuer.example.com", "audience": ["shop-api"]},
            {
                "name": "gate",
                "function_arn": fns.auth,
                "identity_source": ["$request.header.X-Key"],
                "ttl_seconds": 60,
            },
        ],
        "stages": [
            {
                "name": "prod",
                "throttle": {"burst": 100, "rate": 50.0},
                "route_throttle": {"POST /orders": {"burst": 10, "rate": 5.0}},
                "access_log": True,
                "variables": {"env": "prod"},
            },
            {"name": "dev", "auto_deploy": False},
        ],
        "tags": {"team": "payments"},
    }
    request.update(overrides)
    return request


def reconciled_request(fns: Functions) -> dict[str, Any]:
    """The shop API reconciled: a route moved and one replaced, CORS, an audience and a throttle changed."""
    shop = shop_request(fns)
    users = {**shop["authorizers"][0], "audience": ["shop-api", "partners"]}
    routes = [
        shop["routes"][0],
        {"route_key": "POST /orders", "lambda_arn": fns.third, "auth": "gate"},
        shop["routes"][2],
        {"route_key": "DELETE /orders/{id}", "lambda_arn": fns.third},
    ]
    return {
        **shop,
        "description": "shop API v2",
        "routes": routes,
        "cors": {"allow_origins": ["https://new.example.com"], "allow_methods": ["GET"]},
        "authorizers": [users, shop["authorizers"][1]],
        "stages": [{**shop["stages"][0], "throttle": {"burst": 7, "rate": 3.0}}],
    }


@dataclass(frozen=True)
class Env:
    endpoint: str
    fns: Functions


Setup = Callable[[Client, Env], Awaitable[dict[str, Any]]]


@dataclass(frozen=True)
class Scenario:
    """``again``: the operations planned when the same arguments are asked for once more after the
    apply (an apply is idempotent), or None when what the tool removed is gone (asking again is refused)."""

    tool: str
    steps: int
    setup: Setup
    api: str = "shop"
    again: tuple[str, ...] | None = ()


async def shop(session: Client, env: Env, **overrides: Any) -> str:
    return str((await preview_and_apply(session, shop_request(env.fns, **overrides)))["api_id"])


async def rich_api(_: Client, env: Env) -> dict[str, Any]:
    return shop_request(env.fns)


async def new_route(session: Client, env: Env) -> dict[str, Any]:
    route = {"route_key": "PUT /orders/{id}", "lambda_arn": env.fns.third, "auth": "users", "scopes": ["w"]}
    return {"api_id": await shop(session, env), "route": route}


async def moved_route(session: Client, env: Env) -> dict[str, Any]:
    change = {"lambda_arn": env.fns.third, "auth": "gate"}
    return {"api_id": await shop(session, env), "route_key": "POST /orders", "change": change}


async def dropped_route(session: Client, env: Env) -> dict[str, Any]:
    return {"api_id": await shop(session, env), "route_key": "POST /orders"}


async def cors_with_preflight(session: Client, env: Env) -> dict[str, Any]:
    """CORS on an API whose ANY route has an authorizer: the plan adds the OPTIONS route preflight needs."""
    legacy = {"route_key": "ANY /legacy/{proxy+}", "url": LEGACY, "auth": "users"}
    routes = [*shop_request(env.fns)["routes"][:2], legacy]
    return {"api_id": await shop(session, env, name="plain", cors=None, routes=routes), "cors": CORS}


async def jwt_authorizer(session: Client, env: Env) -> dict[str, Any]:
    return {
        "api_id": await shop(session, env),
        "name": "partners",
        "routes": ["POST /orders", "ANY /legacy/{proxy+}"],
        "issuer": "https://partners.example.com",
        "audience": ["shop"],
        "scopes": ["partners/read"],
    }


async def lambda_authorizer(session: Client, env: Env) -> dict[str, Any]:
    return {
        "api_id": await shop(session, env),
        "name": "keys",
        "function_arn": env.fns.third,
        "routes": ["POST /orders"],
        "identity_source": ["$request.header.X-Api-Key"],
        "ttl_seconds": 30,
    }


async def new_stage(session: Client, env: Env) -> dict[str, Any]:
    return {
        "api_id": await shop(session, env),
        "stage_name": "beta",
        "access_log": True,
        "throttle": {"burst": 20, "rate": 10.0},
        "route_throttle": {"GET /orders": {"burst": 5, "rate": 2.0}},
        "variables": {"env": "beta"},
    }


async def deployed_stage(session: Client, env: Env) -> dict[str, Any]:
    return {
        "api_id": await shop(session, env),
        "stage_name": "dev",
        "deploy": True,
        "access_log": True,
        "throttle": {"burst": 20, "rate": 10.0},
        "route_throttle": {"POST /orders": {"burst": 2, "rate": 1.0}},
    }


async def dropped_stage(session: Client, env: Env) -> dict[str, Any]:
    return {"api_id": await shop(session, env), "stage_name": "prod"}


async def lost_permissions(session: Client, env: Env) -> dict[str, Any]:
    """The API's invoke statements removed from two of its functions (by hand, with boto3)."""
    api_id = await shop(session, env)
    lam = sandbox_client("lambda", env.endpoint)
    for function in (FUNCTION, env.fns.second):
        policy = json.loads(lam.get_policy(FunctionName=function)["Policy"])
        for statement in policy["Statement"]:
            if api_id in statement["Sid"]:
                lam.remove_permission(FunctionName=function, StatementId=statement["Sid"])
    return {"api_id": api_id}


async def dropped_api(session: Client, env: Env) -> dict[str, Any]:
    return {"api_id": await shop(session, env)}


async def undone_reconcile(session: Client, env: Env) -> dict[str, Any]:
    await shop(session, env)
    return {"handle": (await preview_and_apply(session, reconciled_request(env.fns)))["undo"]}


SCENARIOS = {
    "create_http_api": Scenario("create_http_api", 16, rich_api),
    "add_route": Scenario("add_route", 3, new_route),
    "update_route": Scenario("update_route", 4, moved_route),
    "delete_route": Scenario("delete_route", 2, dropped_route, again=None),
    "configure_cors": Scenario("configure_cors", 2, cors_with_preflight, api="plain"),
    "add_jwt_authorizer": Scenario("add_jwt_authorizer", 4, jwt_authorizer),
    "add_lambda_authorizer": Scenario("add_lambda_authorizer", 3, lambda_authorizer),
    "deploy_stage_new": Scenario("deploy_stage", 2, new_stage),
    "deploy_stage_existing": Scenario("deploy_stage", 3, deployed_stage, again=("create_deployment",)),
    "delete_stage": Scenario("delete_stage", 1, dropped_stage, again=None),
    "ensure_lambda_permission": Scenario("ensure_lambda_permission", 2, lost_permissions),
    "delete_api": Scenario("delete_api", 4, dropped_api, again=None),
    "undo": Scenario("undo", 10, undone_reconcile),
}
