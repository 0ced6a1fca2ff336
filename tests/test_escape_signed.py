"""Escape suite, valid handles with malicious contents: the second fence holds when the key does not.

Each handle here is validly made (signed and sealed) with the test handle key (``tools/signing.py`` and
``tools/kinds/http/undo.py``'s ``encode``), as a leaked key or a planner bug would produce it, yet
what it would restore is outside the scope or invalid: a JWT issuer on the metadata
address or over http, access logs to another account's log group, stage variables with
CRLF, route keys with ``..``, a Lambda function in another account, an integration URL to
127.0.0.1, a "deleted" record that recreates an API with an 8 MB description, an unknown
kind or version. The restored spec passes the tools' own input models and the guard, so
each is refused naming the part and field before any AWS write, on a server with deletes
on (so deletes-off cannot be what stops it). Records the model cannot hold (another kind,
version, an unknown field) go through ``encode`` as a looser subclass of its record.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import boto3
import pytest
from pydantic import ConfigDict

from apigw_mcp.tools.engine.signing import Signer, key_from_secret
from apigw_mcp.tools.kinds.http.undo import UndoRecord, encode

from .conftest import HANDLE_KEY
from .escape_support import (
    OTHER_ACCOUNT,
    Attempt,
    Ref,
    World,
    applying,
    attempt,
    ids,
    open_world,
    row,
    signed_handle,
    undo,
)
from .helpers import FUNCTION

pytestmark = [pytest.mark.anyio, pytest.mark.xdist_group(__name__)]  # the world is built on one worker

OTHER_FUNCTION = FUNCTION.replace("123456789012", OTHER_ACCOUNT)
LOG_FORMAT = '{"requestId":"$context.requestId"}'
NOT_OURS = ("handle: ", "not an undo handle from this server")


def jwt(issuer: str) -> dict[str, Any]:
    return {
        "type": "JWT",
        "identity_source": ["$request.header.Authorization"],
        "issuer": issuer,
        "audience": ["a"],
    }


def lambda_route(arn: str) -> dict[str, Any]:
    integration = {"type": "AWS_PROXY", "uri": arn, "method": "POST", "payload_format_version": "2.0"}
    return {"integration": integration, "authorization": "NONE"}


def url_route(url: str) -> dict[str, Any]:
    integration = {"type": "HTTP_PROXY", "uri": url, "method": "ANY", "payload_format_version": "1.0"}
    return {"integration": integration, "authorization": "NONE"}


def authorizer(name: str, spec: dict[str, Any]) -> dict[str, Any]:
    return {"authorizers": {name: spec}}


def route(key: str, spec: dict[str, Any]) -> dict[str, Any]:
    return {"routes": {key: spec}}


def prod(**fields: Any) -> dict[str, Any]:
    return {"stages": {"prod": fields}}


def logs_to(arn: str) -> dict[str, Any]:
    return prod(auto_deploy=True, access_log={"destination_arn": arn, "format": LOG_FORMAT})


LOGS = "arn:aws:logs:us-east-1:123456789012:log-group:"
JWT, PROD, PLACE = "handle.authorizers.jwt", "handle.stages.prod", "partition, region and account"
LAMBDA_AUTHORIZER = {"type": "REQUEST", "function_arn": OTHER_FUNCTION, "payload_format_version": "2.0"}
GHOST = {**lambda_route(FUNCTION), "authorization": "JWT", "authorizer": "ghost"}
# (case, what the handle restores on esc-main, expected fragments)
ON_MAIN: list[tuple[str, dict[str, Any], tuple[str, ...]]] = [
    ("jwt-issuer-http-metadata", authorizer("jwt", jwt("http://169.254.169.254/latest")), (JWT, "https://")),
    (
        "jwt-issuer-https-metadata",
        authorizer("jwt", jwt("https://169.254.169.254/latest")),
        (JWT, "link-local"),
    ),
    ("jwt-issuer-fullwidth-loopback", authorizer("jwt", jwt("https://１２７.0.0.1/x")), (JWT, "maps to")),
    (
        "new-jwt-authorizer-on-loopback",
        authorizer("evil", jwt("https://127.1/x")),
        ("authorizers.evil", "loopback"),
    ),
    (
        "lambda-authorizer-other-account",
        authorizer("lam", LAMBDA_AUTHORIZER),
        ("handle", "account 123456789012"),
    ),
    (
        "authorizer-name-crlf",
        authorizer("a\r\nrefused (api-scope): x", jwt("https://idp.example.com")),
        ("Name",),
    ),
    (
        "access-log-other-account",
        logs_to(LOGS.replace("123456789012", OTHER_ACCOUNT) + "stolen"),
        (PROD, PLACE),
    ),
    ("access-log-other-region", logs_to(LOGS.replace("us-east-1", "eu-west-1") + "x"), (PROD, PLACE)),
    ("access-log-other-partition", logs_to(LOGS.replace("arn:aws:", "arn:aws-cn:") + "x"), (PROD, PLACE)),
    ("access-log-firehose", logs_to("arn:aws:firehose:us-east-1:123456789012:deliverystream/x"), (PROD,)),
    ("access-log-group-star", logs_to(LOGS + "api:*"), (PROD, "log_group_arn")),
    ("stage-variable-crlf", prod(variables={"v": "a\r\nSet-Cookie: x"}), (PROD, "stage variable 'v'")),
    ("stage-variable-control", prod(variables={"v": "a\x1b[31m"}), (PROD, "stage variable 'v'")),
    ("stage-variable-too-long", prod(variables={"v": "a" * 513}), (PROD, "stage variable 'v'")),
    ("stage-name-crlf", {"stages": {"prod\r\n": {}}}, (PROD, "stage name")),
    ("stage-throttle-negative", prod(throttle={"burst": -1, "rate": 1}), ("handle: ", "throttle.burst")),
    (
        "route-key-dot-dot",
        route("GET /a/../admin", lambda_route(FUNCTION)),
        ("handle.routes.", "'..' segment"),
    ),
    ("route-key-dot", route("GET /a/./b", lambda_route(FUNCTION)), ("handle.routes.", "'.' segment")),
    ("route-key-crlf", route("GET /a\r\nb", lambda_route(FUNCTION)), ("handle.routes.", "cannot hold")),
    ("route-key-not-normal", route("get /a", lambda_route(FUNCTION)), ("handle.routes.", "normal form")),
    (
        "route-lambda-other-account",
        route("GET /a", lambda_route(OTHER_FUNCTION)),
        ("handle", "account 123456789012"),
    ),
    (
        "route-lambda-other-region",
        route("GET /a", lambda_route(FUNCTION.replace("us-east-1", "eu-west-1"))),
        ("handle", "region us-east-1"),
    ),
    (
        "route-lambda-other-partition",
        route("GET /a", lambda_route(FUNCTION.replace("arn:aws:", "arn:aws-cn:"))),
        ("refused (lambda-scope)",),
    ),
    (
        "route-url-loopback",
        route("GET /a", url_route("https://127.0.0.1/admin")),
        ("handle.routes.GET /a", "loopback"),
    ),
    (
        "route-url-http",
        route("GET /a", url_route("http://backend.example.com")),
        ("handle.routes.GET /a", "https://"),
    ),
    (
        "route-url-decimal-metadata",
        route("ANY /proxy/{p+}", url_route("https://2852039166/latest")),
        ("link-local",),
    ),
    (
        "route-url-credentials",
        route("GET /a", url_route("https://u:p@backend.example.com")),
        ("credentials",),
    ),
    ("route-missing-authorizer", route("GET /a", GHOST), ("handle.routes.GET /a", "'ghost' does not exist")),
    (
        "cors-wildcard-with-credentials",
        {"cors": {"AllowOrigins": ["*"], "AllowCredentials": True}},
        ("handle.cors",),
    ),
    (
        "cors-unknown-field",
        {"cors": {"AllowOrigins": ["https://a.example.com"], "X": True}},
        ("handle.cors",),
    ),
    ("description-control-characters", {"description": "x\x00y"}, ("handle.description",)),
]
EIGHT_MB = "a" * 8 * 1024 * 1024
METADATA_ROUTE = route("GET /m", url_route("https://[fd00:ec2::254]/latest"))
# (case, the API a "deleted" record would recreate, expected fragments)
RECREATE: list[tuple[str, dict[str, Any], tuple[str, ...]]] = [
    ("deleted-8MB-description", {"name": "esc-gone", "description": EIGHT_MB}, NOT_OURS),
    ("deleted-long-description", {"name": "esc-gone", "description": "d" * 1025}, ("handle.description",)),
    (
        "deleted-reserved-aws-tag",
        {"name": "esc-gone", "tags": {"aws:owner": "x"}},
        ("handle.tags", "reserved"),
    ),
    (
        "deleted-managed-tag",
        {"name": "esc-gone", "tags": {"apigw-mcp:managed": "no"}},
        ("handle.tags", "reserved"),
    ),
    ("deleted-name-with-newline", {"name": "esc\ngone"}, ("handle.name",)),
    ("deleted-route-to-metadata", {"name": "esc-gone", **METADATA_ROUTE}, ("handle.routes.GET /m",)),
]
MAIN_NAMED = {"api_id": "API", "name": "esc-main"}
# (case, a record the model cannot hold, the version prefix it is handed out under: "" keeps encode's)
RAW: list[tuple[str, dict[str, Any], str]] = [
    (
        "rest-created-with-before",
        {**MAIN_NAMED, "kind": "rest", "created": True, "before": {"name": "x"}},
        "",
    ),
    ("unknown-kind-websocket", {**MAIN_NAMED, "kind": "websocket", "created": True}, ""),
    ("unknown-version-2", {**MAIN_NAMED, "v": 2, "before": {"description": "x"}}, ""),
    ("unknown-version-prefix-u2", {**MAIN_NAMED, "before": {"description": "x"}}, "u2"),
    ("unknown-field", {**MAIN_NAMED, "before": {}, "restore_as": "admin"}, ""),
    ("api-id-path", {**MAIN_NAMED, "api_id": "../apis", "created": True}, ""),
]
VICTIM_LOG_GROUP = "/aws/lambda/payments-prod"
ROWS = (
    [
        row(f"signed:{case}", undo(Ref(case)), *expect, session="deletes")
        for case, _, expect in ON_MAIN + RECREATE
    ]
    + [row(f"signed:{case}", undo(Ref(case)), *NOT_OURS, session="deletes") for case, _, _ in RAW]
    + [
        row(
            "signed:permission-of-another-account",
            undo(Ref("foreign-permission")),
            "handle",
            session="deletes",
            noop_ok=True,
        ),
        # A log group without the managed tag this server puts on what it creates is kept, with a warning.
        row(
            "signed:log-group-it-never-created:preview",
            undo(Ref("victim")),
            "handle",
            session="deletes",
            noop_ok=True,
        ),
        row(
            "signed:log-group-it-never-created:apply",
            applying(undo(Ref("victim")), Ref("victim-token")),
            "handle",
            session="deletes",
            noop_ok=True,
        ),
    ]
)


class LooseRecord(UndoRecord):
    """An undo record with any kind, version, id or extra field: what a planner bug could write."""

    model_config = ConfigDict(extra="allow")

    v: int = 1  # type: ignore[assignment]
    kind: str = "http"  # type: ignore[assignment]
    api_id: str = ""


def sign_loose(record: dict[str, Any], prefix: str) -> str:
    """``encode``'s handle, with the test key, of a record ``UndoRecord`` would not accept."""
    handle = encode(LooseRecord.model_validate(record), Signer(key_from_secret(HANDLE_KEY)))
    _, dot, rest = handle.partition(".")
    return f"{prefix}{dot}{rest}" if prefix else handle


async def _prepare(world: World) -> None:
    main = world["main"]
    for case, before, _ in ON_MAIN:
        world.refs[case] = signed_handle({"api_id": main, "name": "esc-main", "before": before})
    for case, api, _ in RECREATE:
        deleted = {"api_id": "gone0001", "name": api["name"], "deleted": True, "before": api}
        world.refs[case] = signed_handle(deleted)
    for case, record, prefix in RAW:
        world.refs[case] = sign_loose({k: main if v == "API" else v for k, v in record.items()}, prefix)
    world.refs["foreign-permission"] = signed_handle(
        {"api_id": main, "name": "esc-main", "permissions": [OTHER_FUNCTION]}
    )
    await _victim(world)


async def _victim(world: World) -> None:
    """A log group this server never made (another service's logs), named in a handle's log_groups."""
    logs = boto3.client("logs", region_name="us-east-1", endpoint_url=world.endpoint)
    logs.create_log_group(logGroupName=VICTIM_LOG_GROUP)
    handle = signed_handle({"api_id": world["main"], "name": "esc-main", "log_groups": [VICTIM_LOG_GROUP]})
    preview = await world.sessions["deletes"].call_tool("undo", {"handle": handle})
    plan = (preview.structured_content or {}).get("plan", {})
    world.refs.update(victim=handle, **{"victim-token": plan.get("token", "none")})


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
async def world(moto_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    where = tmp_path_factory.mktemp("escape-signed")
    async with open_world(moto_endpoint, where, ["deletes"], _prepare) as built:
        yield built


@pytest.mark.parametrize("case", ROWS, ids=ids(ROWS))
async def test_signed_malicious_handle_is_refused_before_any_write(world: World, case: Attempt) -> None:
    await attempt(world, case)
