"""Escape suite, undo handles: only a handle this server made, unchanged, is read at all.

Forged handles (the old unsigned format: base64 of zlib JSON; the version prefix over an
unsealed payload, bare or with a made-up signature), edited ones (one character changed in
the middle or near the end, a non-ASCII one at the end, truncated, extended, another
version prefix), handles made with another key (by a second server with another
``handle_key``, or encoded with that key), a 70 KB handle, garbage, and a plan token
passed as a handle: each is refused naming ``handle``
before any AWS write, on a server with deletes on so that nothing else could stop it.
A handle replayed after its undo was applied never writes again: its plan is empty.
"""

from __future__ import annotations

import base64
import json
import zlib
from collections.abc import AsyncIterator
from typing import Any

import pytest

from .escape_support import OTHER_KEY, Attempt, Ref, World, attempt, ids, open_world, signed_handle
from .helpers import preview_and_apply

pytestmark = [pytest.mark.anyio, pytest.mark.xdist_group(__name__)]  # the world is built on one worker

NOT_OURS = ("handle: ", "not an undo handle from this server")
BAD_SIGNATURE = ("handle: ", "APIGW_MCP_HANDLE_KEY")  # edited, or made with another key
TOO_LONG = ("handle: ", "an undo handle is at most 65536 characters")
FORGED_SIGNATURE = "A" * 22
REPLAYED = ("plan_token",)  # if a replay is refused rather than an empty plan, it is for its token


def undo(
    case: str, handle: Any, expect: tuple[str, ...], apply_with: Any = None, noop_ok: bool = False
) -> Attempt:
    """An undo on the deletes-on server: a preview, or an apply carrying the token ``apply_with``."""
    args = (
        {"handle": handle}
        if apply_with is None
        else {"handle": handle, "dry_run": False, "plan_token": apply_with}
    )
    return Attempt(case, "undo", args, "deletes", expect, noop_ok)


ROWS = [
    undo("forged:old-unsigned-format", Ref("forged_unsigned"), NOT_OURS),
    undo("forged:plain-json", Ref("forged_json"), NOT_OURS),
    undo("forged:unsealed-payload", Ref("forged_no_signature"), BAD_SIGNATURE),
    undo("forged:made-up-signature", Ref("forged_signature"), BAD_SIGNATURE),
    undo("edited:payload-one-char", Ref("edited_payload"), BAD_SIGNATURE),
    undo("edited:last-chars-one-char", Ref("edited_signature"), BAD_SIGNATURE),
    undo("edited:last-char-non-ascii", Ref("edited_signature_non_ascii"), BAD_SIGNATURE),
    undo("edited:truncated-one-char", Ref("truncated_one"), BAD_SIGNATURE),
    undo("edited:truncated-half", Ref("truncated_half"), BAD_SIGNATURE),
    undo("edited:extended-one-char", Ref("extended_one"), BAD_SIGNATURE),
    undo("edited:extended-part", Ref("extended_part"), BAD_SIGNATURE),
    undo("edited:version-u2", Ref("version_u2"), NOT_OURS),
    undo("edited:version-upper-case", Ref("version_upper"), NOT_OURS),
    undo(
        "edited:applied-with-the-genuine-token",
        Ref("edited_payload"),
        BAD_SIGNATURE,
        apply_with=Ref("replayed_update_token"),
    ),
    undo("other-key:from-second-server", Ref("other_server_handle"), BAD_SIGNATURE),
    undo("other-key:encoded-with-other-key", Ref("other_key_handle"), BAD_SIGNATURE),
    undo("size:70KB-of-payload", "u1." + "A" * 70_000 + "." + FORGED_SIGNATURE, TOO_LONG),
    undo("size:valid-handle-padded-to-70KB", Ref("padded"), TOO_LONG),
    undo("garbage:word", "garbage", NOT_OURS),
    undo("garbage:empty", "", NOT_OURS),
    undo("garbage:prefix-only", "u1", NOT_OURS),
    undo("garbage:empty-parts", "u1..", BAD_SIGNATURE),
    undo("garbage:path", "../../etc/passwd", NOT_OURS),
    undo("garbage:nul-bytes", "\x00" * 16, NOT_OURS),
    undo("garbage:emoji", "u1.💥.💥", BAD_SIGNATURE),
    undo("garbage:plan-token-as-handle", Ref("plan_token"), NOT_OURS),
    undo(
        "replayed:second-undo-with-first-token",
        Ref("replayed_route"),
        REPLAYED,
        Ref("replayed_route_token"),
        True,
    ),
    undo("replayed:second-undo-preview", Ref("replayed_route"), REPLAYED, noop_ok=True),
    undo(
        "replayed:undo-of-update-twice", Ref("replayed_update"), REPLAYED, Ref("replayed_update_token"), True
    ),
    undo(
        "replayed:undo-of-delete-api-twice",
        Ref("replayed_delete"),
        REPLAYED,
        Ref("replayed_delete_token"),
        True,
    ),
]


def _flip(text: str, at: int) -> str:
    return text[:at] + ("B" if text[at] != "B" else "C") + text[at + 1 :]


def _forgeries(handle: str, record: dict[str, Any]) -> dict[str, str]:
    """Handles derived from a genuine one, and ones made without the key."""
    raw = json.dumps(record).encode()
    payload = base64.urlsafe_b64encode(zlib.compress(raw)).decode().rstrip("=")
    return {
        "forged_unsigned": payload,
        "forged_json": json.dumps(record),
        "forged_no_signature": f"u1.{payload}",
        "forged_signature": f"u1.{payload}.{FORGED_SIGNATURE}",
        "edited_payload": _flip(handle, len(handle) // 2),
        "edited_signature": _flip(handle, len(handle) - 3),
        "edited_signature_non_ascii": handle[:-1] + "é",
        "truncated_one": handle[:-1],
        "truncated_half": handle[: len(handle) // 2],
        "extended_one": handle + "A",
        "extended_part": handle + ".x",
        "version_u2": "u2" + handle[2:],
        "version_upper": "U1" + handle[2:],
        "padded": handle + "A" * 70_000,
        "other_key_handle": signed_handle(record, OTHER_KEY),
    }


async def _replayed(world: World, name: str, handle: str) -> None:
    """Undo ``handle`` once (preview and apply); the rows replay it, its token kept under ``name``_token."""
    undone = await preview_and_apply(world.sessions["deletes"], {"handle": handle}, "undo")
    world.refs.update({name: handle, f"{name}_token": undone["preview"]["token"]})


async def _prepare(world: World) -> None:
    default, deletes, b = world.sessions["default"], world.sessions["deletes"], world["b"]
    stage = {"api_id": b, "stage_name": "hs"}
    await preview_and_apply(default, stage, "deploy_stage")
    update = await preview_and_apply(default, {**stage, "variables": {"x": "1"}}, "deploy_stage")
    other = await preview_and_apply(
        world.sessions["other_key"], {**stage, "variables": {"x": "2"}}, "deploy_stage"
    )
    record = {"api_id": b, "name": "esc-b", "before": {"stages": {"hs": {"variables": {"x": "3"}}}}}
    world.refs.update(_forgeries(update["undo"], record), other_server_handle=other["undo"])
    world.refs["plan_token"] = update["preview"]["token"]
    route = {"api_id": b, "route": {"route_key": "GET /u", "url": "https://u.example.com"}}
    await _replayed(world, "replayed_route", (await preview_and_apply(default, route, "add_route"))["undo"])
    await _replayed(world, "replayed_update", update["undo"])
    doomed = await preview_and_apply(default, {"name": "esc-doomed", "routes": [route["route"]]})
    deleted = await preview_and_apply(deletes, {"api_id": doomed["api_id"]}, "delete_api")
    await _replayed(world, "replayed_delete", deleted["undo"])


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
async def world(moto_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    where = tmp_path_factory.mktemp("escape-handles")
    async with open_world(moto_endpoint, where, ["deletes", "other_key"], _prepare) as built:
        yield built


@pytest.mark.parametrize("case", ROWS, ids=ids(ROWS))
async def test_handle_attempt_is_refused_before_any_write(world: World, case: Attempt) -> None:
    await attempt(world, case)
