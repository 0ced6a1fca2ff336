"""Escape suite, values: text that would smuggle something into what is written is refused.

Stage variables with CRLF, control characters or more than 512 characters (deploy_stage
and create_http_api stages); route keys with ``..`` or ``.`` segments, encoded dots,
blanks and line breaks (every field that takes a route key); API, authorizer and stage
names and descriptions with control characters; tags with the reserved prefixes ``aws:``
and ``apigw-mcp:`` (so a caller can neither forge nor strip the managed tag). Each is
refused naming the field (or, where only the guard sees it, the rule) before any AWS write.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from .escape_support import Attempt, Ref, World, attempt, ids, open_world, refused
from .helpers import FUNCTION

pytestmark = [pytest.mark.anyio, pytest.mark.xdist_group(__name__)]  # the world is built on one worker

MAIN = Ref("main")
ROUTE = {"route_key": "GET /x", "url": "https://backend.example.com"}
VARIABLE = "stage variable"
VARIABLES: list[tuple[str, dict[str, str], str]] = [
    ("crlf", {"v": "a\r\nSet-Cookie: x=1"}, VARIABLE),
    ("lf", {"v": "a\nb"}, VARIABLE),
    ("cr", {"v": "a\rb"}, VARIABLE),
    ("nul", {"v": "a\x00b"}, VARIABLE),
    ("escape-sequence", {"v": "\x1b[2Jx"}, VARIABLE),
    ("tab", {"v": "a\tb"}, VARIABLE),
    ("template", {"v": "${stageVariables.secret}"}, VARIABLE),
    ("513-characters", {"v": "a" * 513}, VARIABLE),
    ("name-with-crlf", {"v\r\nx": "1"}, "stage variable name"),
    ("name-with-space", {"a b": "1"}, "stage variable name"),
    ("name-65-characters", {"n" * 65: "1"}, "stage variable name"),
    ("101-variables", {f"v{i}": "1" for i in range(101)}, "at most 100 stage variables"),
]
ROUTE_KEYS: list[tuple[str, str, str]] = [
    ("dot-dot", "GET /a/../admin", "'..' segment"),
    ("dot-dot-at-root", "GET /..", "'..' segment"),
    ("dot-dot-after-parameter", "GET /{id}/../admin", "'..' segment"),
    ("dot", "GET /a/./b", "'.' segment"),
    ("dot-at-root", "GET /.", "'.' segment"),
    ("encoded-dot-dot", "GET /a/%2e%2e/admin", "characters a route path cannot hold"),
    ("crlf", "GET /a\r\nX-Injected: 1", "characters a route path cannot hold"),
    ("nul", "GET /a\x00b", "characters a route path cannot hold"),
    ("blank", "GET /a b", "characters a route path cannot hold"),
    ("empty-segment", "GET //admin", "no empty segment"),
    ("backslash", "GET /a\\..\\admin", "characters a route path cannot hold"),
]


def _variables_rows() -> list[Attempt]:
    rows = []
    for case, variables, reason in VARIABLES:
        deploy = {"api_id": MAIN, "stage_name": "vars", "variables": variables}
        create = {"name": "esc-vars", "routes": [ROUTE], "stages": [{"name": "s", "variables": variables}]}
        rows.append(
            Attempt(f"deploy_stage-variables:{case}", "deploy_stage", deploy, expect=("variables: ", reason))
        )
        rows.append(
            Attempt(
                f"create-stage-variables:{case}",
                "create_http_api",
                create,
                expect=("stages.0.variables: ", reason),
            )
        )
    return rows


def _route_key_rows() -> list[Attempt]:
    rows = []
    for case, key, reason in ROUTE_KEYS:
        add = {"api_id": MAIN, "route": {**ROUTE, "route_key": key}}
        create = {"name": "esc-keys", "routes": [{**ROUTE, "route_key": key}]}
        rows.append(Attempt(f"add_route-key:{case}", "add_route", add, expect=("route.route_key: ", reason)))
        rows.append(
            Attempt(
                f"create-route-key:{case}", "create_http_api", create, expect=("routes.0.route_key: ", reason)
            )
        )
    throttle = {"burst": 1, "rate": 1}
    for case, key, reason in ROUTE_KEYS[:4]:
        args = {"api_id": MAIN, "stage_name": "prod", "route_throttle": {key: throttle}}
        rows.append(
            Attempt(
                f"deploy_stage-route-throttle-key:{case}",
                "deploy_stage",
                args,
                expect=("route_throttle", reason),
            )
        )
        update = {"api_id": MAIN, "route_key": key, "change": {"timeout_ms": 500}}
        rows.append(Attempt(f"update_route-key:{case}", "update_route", update, expect=("route_key: ",)))
        delete = {"api_id": MAIN, "route_key": key}
        rows.append(Attempt(f"delete_route-key:{case}", "delete_route", delete, "deletes", ("route_key: ",)))
    return rows


def _jwt(name: str) -> dict[str, Any]:
    return {
        "api_id": MAIN,
        "name": name,
        "routes": ["GET /a"],
        "issuer": "https://idp.example.com",
        "audience": ["a"],
    }


INVALID_VALUE = refused("invalid-value")
NAME_ROWS = [
    Attempt(
        "api-name:nul",
        "create_http_api",
        {"name": "esc\x00", "routes": [ROUTE]},
        expect=("name: ", "printable"),
    ),
    Attempt(
        "api-name:crlf",
        "create_http_api",
        {"name": "esc\r\nx", "routes": [ROUTE]},
        expect=("name: ", "printable"),
    ),
    Attempt(
        "api-name:escape-sequence",
        "create_http_api",
        {"name": "esc\x1b[2J", "routes": [ROUTE]},
        expect=("name: ", "printable"),
    ),
    Attempt(
        "api-name:leading-blank",
        "create_http_api",
        {"name": " esc-main", "routes": [ROUTE]},
        expect=("name: ", "leading or trailing blanks"),
    ),
    Attempt(
        "api-name:129-characters",
        "create_http_api",
        {"name": "e" * 129, "routes": [ROUTE]},
        expect=("name: ", "1 to 128"),
    ),
    Attempt(
        "api-name:empty", "create_http_api", {"name": "", "routes": [ROUTE]}, expect=("name: ", "1 to 128")
    ),
    Attempt("jwt-authorizer-name:crlf", "add_jwt_authorizer", _jwt("j\r\nx"), expect=(INVALID_VALUE, "Name")),
    Attempt("jwt-authorizer-name:nul", "add_jwt_authorizer", _jwt("j\x00"), expect=(INVALID_VALUE, "Name")),
    Attempt("jwt-authorizer-name:empty", "add_jwt_authorizer", _jwt(""), expect=("name: ",)),
    Attempt("jwt-authorizer-name:129-characters", "add_jwt_authorizer", _jwt("j" * 129), expect=("name: ",)),
    Attempt(
        "lambda-authorizer-name:bell",
        "add_lambda_authorizer",
        {"api_id": MAIN, "name": "l\x07", "function_arn": FUNCTION, "routes": ["GET /a"]},
        expect=(INVALID_VALUE, "Name"),
    ),
    Attempt(
        "create-authorizer-name:tab",
        "create_http_api",
        {
            "name": "esc-n",
            "routes": [{**ROUTE, "auth": "a\tb"}],
            "authorizers": [{"name": "a\tb", "issuer": "https://idp.example.com", "audience": ["a"]}],
        },
        expect=(INVALID_VALUE, "Name"),
    ),
    Attempt(
        "stage-name:crlf",
        "deploy_stage",
        {"api_id": MAIN, "stage_name": "prod\r\n"},
        expect=("stage_name: ", "stage name"),
    ),
    Attempt(
        "stage-name:path",
        "deploy_stage",
        {"api_id": MAIN, "stage_name": "../prod"},
        expect=("stage_name: ", "stage name"),
    ),
    Attempt(
        "stage-name:blank",
        "deploy_stage",
        {"api_id": MAIN, "stage_name": "prod stage"},
        expect=("stage_name: ", "stage name"),
    ),
    Attempt(
        "create-stage-name:nul",
        "create_http_api",
        {"name": "esc-n", "routes": [ROUTE], "stages": [{"name": "s\x00"}]},
        expect=("stages.0.name: ", "stage name"),
    ),
    Attempt(
        "description:nul",
        "create_http_api",
        {"name": "esc-n", "routes": [ROUTE], "description": "x\x00"},
        expect=("description: ", "no control characters"),
    ),
    Attempt(
        "description:escape-sequence",
        "deploy_stage",
        {"api_id": MAIN, "stage_name": "prod", "description": "x\x1b[2J"},
        expect=("description: ", "no control characters"),
    ),
    Attempt(
        "description:1025-characters",
        "create_http_api",
        {"name": "esc-n", "routes": [ROUTE], "description": "d" * 1025},
        expect=("description: ", "at most 1024"),
    ),
]
RESERVED = "the prefixes 'aws:' and 'apigw-mcp:' are reserved"
TAGS: list[tuple[str, dict[str, str], str]] = [
    ("aws-prefix", {"aws:owner": "x"}, RESERVED),
    ("aws-prefix-upper-case", {"AWS:Owner": "x"}, RESERVED),
    ("aws-cloudformation", {"aws:cloudformation:stack-name": "prod"}, RESERVED),
    ("managed-tag-forged", {"apigw-mcp:managed": "true"}, RESERVED),
    ("managed-tag-stripped", {"apigw-mcp:managed": "false"}, RESERVED),
    ("managed-tag-mixed-case", {"APIGW-MCP:Managed": "true"}, RESERVED),
    ("other-apigw-mcp-tag", {"apigw-mcp:owner": "me"}, RESERVED),
    ("value-with-nul", {"team": "a\x00b"}, "use letters, digits"),
    ("key-with-crlf", {"team\r\nx": "a"}, "use letters, digits"),
    ("value-with-crlf", {"team": "payments\r\nowner: attacker"}, "use letters, digits"),
    ("key-129-characters", {"k" * 129: "v"}, "keys are 1-128 characters"),
    ("51-tags", {f"t{i}": "v" for i in range(51)}, "at most 50 tags"),
]
TAG_ROWS = [
    Attempt(
        f"tags:{case}",
        "create_http_api",
        {"name": "esc-tags", "routes": [ROUTE], "tags": tags},
        expect=("tags: ", reason),
    )
    for case, tags, reason in TAGS
] + [
    Attempt(
        f"tags-on-managed-api:{case}",
        "create_http_api",
        {"name": "esc-b", "routes": [{"route_key": "GET /b", "lambda_arn": FUNCTION}], "tags": tags},
        expect=("tags: ", reason),
    )
    for case, tags, reason in TAGS[3:5]
]
ROWS = _variables_rows() + _route_key_rows() + NAME_ROWS + TAG_ROWS


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
async def world(moto_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    async with open_world(moto_endpoint, tmp_path_factory.mktemp("escape-values"), ["deletes"]) as built:
        yield built


@pytest.mark.parametrize("case", ROWS, ids=ids(ROWS))
async def test_value_attempt_is_refused_before_any_write(world: World, case: Attempt) -> None:
    await attempt(world, case)
