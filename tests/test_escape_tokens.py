"""Escape suite, plan tokens: an apply runs only with the token of the very same preview.

Tokens that are forged, edited by one character, truncated, extended, re-dated, replayed
after their apply (once the API moved on, or was recreated), taken from another tool, from
another API, from a server with another handle key or scope, or kept while the arguments
changed between preview and apply: each apply is refused naming ``plan_token`` and what
differs, before any AWS write. A replay of an apply that already happened may also come
back as an empty plan; it never writes again.
"""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from .escape_support import (
    Attempt,
    Call,
    Ref,
    World,
    add_route,
    applying,
    attempt,
    create,
    deploy,
    drop_invoke_statement,
    ids,
    jwt_authorizer,
    lambda_authorizer,
    on_api,
    open_world,
    remember_tokens,
    resolve,
    row,
    undo,
    update_route,
)
from .helpers import FUNCTION, preview_and_apply

pytestmark = [pytest.mark.anyio, pytest.mark.xdist_group(__name__)]  # the world is built on one worker

B = Ref("b")
ADD = add_route(route_key="GET /t", url="https://t.example.com")
CORS = on_api("configure_cors", cors={"allow_origins": ["https://app.example.com"]})
DEPLOY = deploy("tk", throttle={"burst": 10, "rate": 5})
JWT = jwt_authorizer(name="tkj")
LAMBDA = lambda_authorizer(name="tkl")
CREATE = create("esc-tk")
UPDATE = update_route(timeout_ms=1000)
DEL_ROUTE = on_api("delete_route", route_key="GET /a")
DEL_STAGE = on_api("delete_stage", stage_name="prod")
PERM = on_api("ensure_lambda_permission", Ref("perm"))
REPLAY_STAGE = deploy("rp", B, variables={"k": "1"})
REPLAY_CORS = on_api("configure_cors", B, cors={"allow_origins": ["https://a.example.com"]})
REPLAY_DELETE = on_api("delete_route", B, route_key="GET /gone")
REPLAY_ADD = add_route(B, route_key="GET /again", url="https://a.example.com")
# Previews whose tokens the rows carry (ref name, session, call), made after every setup apply.
PREVIEWS: list[tuple[str, str, Call]] = [
    ("t:add", "default", ADD),
    ("t:cors", "default", CORS),
    ("t:deploy", "default", DEPLOY),
    ("t:jwt", "default", JWT),
    ("t:lambda", "default", LAMBDA),
    ("t:create", "default", CREATE),
    ("t:update", "default", UPDATE),
    ("t:del_route", "deletes", DEL_ROUTE),
    ("t:del_stage", "deletes", DEL_STAGE),
    ("t:add_b", "default", add_route(B, route_key="GET /t", url="https://t.example.com")),
    ("t:delete_b", "deletes", on_api("delete_api", B)),
    ("t:other_key_add", "other_key", ADD),
    ("t:other_key_perm", "other_key", PERM),
    ("t:undo_first", "default", undo(Ref("undo_first"))),
]
STALE = "plan_token does not match the current plan"
DIFFER = (STALE, "arguments differ from the previewed call")
OTHER_PLAN = (STALE, "the token is from another plan")
MOVED = (STALE, "changed since the preview")
MALFORMED = ("plan_token is malformed",)
MISMATCH = ("plan_token does not match",)
TOKEN = ("plan_token",)
# A token's layout (tools/engine/token.py): base64url of an 8-byte MAC, the 4-byte expiry minute, then digests
# (2 bytes each for arguments, scope, identity; 4 per resource).
FAR_FUTURE = base64.urlsafe_b64encode(
    bytes.fromhex("00c0ffee00c0ffee" + "ffffffff" + "abcdef012345")
).decode()


def changed(call: Call, **args: Any) -> Call:
    """``call`` with some of its top-level arguments changed."""
    return call[0], {**call[1], **args}


def edited(how: str) -> Ref:
    return Ref(f"t:add~{how}")


# (case, call, the token it carries, expected fragments, session)
TABLE: list[tuple[str, Call, Any, tuple[str, ...], str]] = [
    ("forged:random-hex", ADD, "00c0ffee00c0ffee.abcd.abcd.abcd.abcd", TOKEN, "default"),
    ("forged:far-future", ADD, FAR_FUTURE, (STALE,), "default"),
    ("forged:one-word", ADD, "x", MALFORMED, "default"),
    ("forged:punctuation", ADD, "a.b.c.d;rm -rf /", MALFORMED, "default"),
    ("forged:unicode", CORS, "１２３４.ａｂｃｄ.ab.cd.ef", TOKEN, "default"),
    ("forged:empty", DEPLOY, "", ("plan_token: required with dry_run=false",), "default"),
    ("forged:ensure_lambda_permission", PERM, "deadbeefdeadbeef.1.2.3.4", TOKEN, "default"),
    ("forged:undo-handle-as-token", ADD, Ref("undo_first"), MALFORMED, "default"),
    ("edited:last-char", ADD, edited("last"), MISMATCH, "default"),
    ("edited:first-char", ADD, edited("first"), OTHER_PLAN, "default"),
    ("edited:upper-case", ADD, edited("upper"), TOKEN, "default"),  # may change the expiry: expired
    ("edited:truncated", ADD, edited("truncated"), MISMATCH, "default"),
    ("edited:extended", ADD, edited("extended"), MISMATCH, "default"),
    ("edited:expiry-pushed-back", ADD, edited("later"), OTHER_PLAN, "default"),
    ("edited:expiry-in-the-past", ADD, edited("expired"), TOKEN, "default"),
    ("replayed:after-the-api-moved-on", REPLAY_STAGE, Ref("replay_stage"), MOVED, "default"),
    ("replayed:after-cors-changed-again", REPLAY_CORS, Ref("replay_cors"), MOVED, "default"),
    ("replayed:delete-after-recreation", REPLAY_DELETE, Ref("replay_delete"), MOVED, "deletes"),
    (
        "other-tool:add_route-for-update_route",
        update_route(url="https://t.example.com"),
        Ref("t:add"),
        DIFFER,
        "default",
    ),
    ("other-tool:deploy_stage-for-delete_stage", DEL_STAGE, Ref("t:deploy"), DIFFER, "deletes"),
    ("other-tool:create-for-add_route", ADD, Ref("t:create"), DIFFER, "default"),
    ("other-tool:cors-for-jwt", JWT, Ref("t:cors"), DIFFER, "default"),
    ("other-tool:add_route-for-ensure_permission", PERM, Ref("t:add"), DIFFER, "default"),
    ("other-tool:add_route-for-undo", undo(Ref("undo_first")), Ref("t:add"), DIFFER, "default"),
    ("other-api:add_route", ADD, Ref("t:add_b"), DIFFER, "default"),
    ("other-api:delete_api", on_api("delete_api"), Ref("t:delete_b"), DIFFER, "deletes"),
    ("other-key:add_route", ADD, Ref("t:other_key_add"), OTHER_PLAN, "default"),
    ("other-key:ensure_lambda_permission", PERM, Ref("t:other_key_perm"), OTHER_PLAN, "default"),
    ("other-scope:add_route", ADD, Ref("t:add"), (STALE, "the server's scope settings changed"), "prefixed"),
    (
        "changed:add_route-url",
        add_route(route_key="GET /t", url="https://evil.example.com"),
        Ref("t:add"),
        DIFFER,
        "default",
    ),
    (
        "changed:add_route-key",
        add_route(route_key="GET /admin", url="https://t.example.com"),
        Ref("t:add"),
        DIFFER,
        "default",
    ),
    ("changed:cors-origin", changed(CORS, cors={"allow_origins": ["*"]}), Ref("t:cors"), DIFFER, "default"),
    (
        "changed:deploy-throttle",
        changed(DEPLOY, throttle={"burst": 5000, "rate": 10000}),
        Ref("t:deploy"),
        DIFFER,
        "default",
    ),
    ("changed:jwt-issuer", changed(JWT, issuer="https://evil.example.com"), Ref("t:jwt"), DIFFER, "default"),
    (
        "changed:lambda-authorizer-routes",
        changed(LAMBDA, routes=["GET /a", "GET /secure"]),
        Ref("t:lambda"),
        DIFFER,
        "default",
    ),
    (
        "changed:create-extra-route",
        changed(
            CREATE, routes=[*CREATE[1]["routes"], {"route_key": "ANY /{p+}", "url": "https://c.example.com"}]
        ),
        Ref("t:create"),
        DIFFER,
        "default",
    ),
    (
        "changed:update-backend",
        update_route(url="https://evil.example.com"),
        Ref("t:update"),
        DIFFER,
        "default",
    ),
    (
        "changed:delete-other-route",
        changed(DEL_ROUTE, route_key="GET /secure"),
        Ref("t:del_route"),
        DIFFER,
        "deletes",
    ),
    (
        "changed:delete-other-stage",
        changed(DEL_STAGE, stage_name="$default"),
        Ref("t:del_stage"),
        DIFFER,
        "deletes",
    ),
    ("changed:undo-other-handle", undo(Ref("undo_second")), Ref("t:undo_first"), DIFFER, "default"),
]
ROWS = [
    row(case, applying(call, token), *expect, session=session) for case, call, token, expect, session in TABLE
]
ROWS.append(row("replayed:same-apply-again", applying(REPLAY_ADD, Ref("replay_add")), *TOKEN, noop_ok=True))


async def _replays(world: World) -> None:
    """Applies whose tokens are replayed: the API then moves on, or the deleted route comes back."""

    async def applied(call: Call, session: str = "default") -> dict[str, Any]:
        return await preview_and_apply(world.sessions[session], resolve(call[1], world.refs), call[0])

    first = await applied(REPLAY_STAGE)
    second = await applied(changed(REPLAY_STAGE, variables={"k": "2"}))
    cors = await applied(REPLAY_CORS)
    cors_again = await applied(changed(REPLAY_CORS, cors={"allow_origins": ["https://b.example.com"]}))
    gone = add_route(B, route_key="GET /gone", url="https://g.example.com")
    await applied(gone)
    deleted = await applied(REPLAY_DELETE, "deletes")
    await applied(gone)
    added = await applied(REPLAY_ADD)
    perm = await applied(create("esc-perm", routes=[{"route_key": "GET /p", "lambda_arn": FUNCTION}]))
    world.refs.update(
        replay_stage=first["preview"]["token"],
        replay_cors=cors["preview"]["token"],
        replay_delete=deleted["preview"]["token"],
        replay_add=added["preview"]["token"],
        undo_first=second["undo"],
        undo_second=cors_again["undo"],
        perm=perm["api_id"],
    )


async def _prepare(world: World) -> None:
    await _replays(world)
    drop_invoke_statement(world.endpoint, world["perm"])
    await remember_tokens(world, [(name, session, *call) for name, session, call in PREVIEWS])
    token = world.refs["t:add"]
    world.refs.update(
        {
            "t:add~last": token[:-1] + ("A" if token[-1] != "A" else "B"),
            "t:add~first": ("f" if token[0] != "f" else "e") + token[1:],
            "t:add~upper": token.upper(),
            "t:add~truncated": _resized(token, -4),  # one resource's four bytes fewer
            "t:add~extended": _resized(token, 4),  # four bytes more: a resource the preview never saw
            "t:add~later": _with_expiry(token, lambda minute: minute + 10**6),
            "t:add~expired": _with_expiry(token, lambda minute: 1),
        }
    )


def _resized(token: str, change: int) -> str:
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    raw = raw[:change] if change < 0 else raw + bytes(range(1, change + 1))
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _with_expiry(token: str, change: Callable[[int], int]) -> str:
    """The token with its expiry minute (bytes 8 to 11, signed with the rest) changed."""
    raw = bytearray(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    raw[8:12] = change(int.from_bytes(raw[8:12], "big")).to_bytes(4, "big")
    return base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
async def world(moto_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    where, sessions = tmp_path_factory.mktemp("escape-tokens"), ["deletes", "other_key", "prefixed"]
    async with open_world(moto_endpoint, where, sessions, _prepare) as built:
        yield built


@pytest.mark.parametrize("case", ROWS, ids=ids(ROWS))
async def test_token_attempt_is_refused_before_any_write(world: World, case: Attempt) -> None:
    await attempt(world, case)
