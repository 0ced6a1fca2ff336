"""Undo handles (tools/kinds/http/undo.py): what a record keeps, the encoding, planning the way back."""

from __future__ import annotations

import base64
import re
import zlib

import pytest

from apigw_mcp.tools.engine.signing import Signer
from apigw_mcp.tools.kinds.http.spec import HttpApiSpec
from apigw_mcp.tools.kinds.http.undo import UndoRecord, decode, encode, record_for, restore
from tests.test_core_edits import FN, PROD, live_api, ops, plan, route

SIGNER = Signer(b"test-signing-key-" * 2)

CORS = {"AllowOrigins": ["https://app.example.com"], "AllowMethods": ["GET"], "AllowCredentials": False}
JWT_ON = {"AuthorizationType": "JWT", "AuthorizerId": "a1", "AuthorizationScopes": ["orders:read"]}
BEFORE = live_api(authorizers=[])
AFTER = live_api(
    routes=[
        route("r1", "GET /orders", "i1", **JWT_ON),
        route("r2", "ANY /items", "i3"),
        route("r3", "$default", "i2"),
        route("r9", "POST /new", "i1"),
    ],
    stages=[{"StageName": "$default", "AutoDeploy": True}, PROD],
    cors=CORS,
    description="v2",
)


def test_record_for_create_and_delete() -> None:
    created = record_for(None, AFTER.spec, "abc123", "orders", [FN], [])
    assert (created.created, created.deleted, created.before, created.permissions) == (True, False, {}, [FN])
    deleted = record_for(BEFORE.spec, None, "abc123", "orders", [], [])
    assert (deleted.created, deleted.deleted) == (False, True)
    assert restore(deleted, HttpApiSpec(name="anything")) == BEFORE.spec


def test_record_for_update_keeps_only_touched_parts() -> None:
    record = record_for(BEFORE.spec, AFTER.spec, "abc123", "orders", [], [])
    assert set(record.before) == {"description", "cors", "routes", "authorizers", "stages"}
    assert record.before["description"] == ""
    assert record.before["cors"] is None
    assert record.before["routes"] == {
        "GET /orders": BEFORE.spec.routes["GET /orders"].model_dump(mode="json"),
        "POST /new": None,
    }
    assert record.before["authorizers"] == {"users": None}
    assert record.before["stages"] == {"prod": None}


def test_record_for_nothing_changed() -> None:
    assert record_for(BEFORE.spec, BEFORE.spec, "abc123", "orders", [], []).before == {}


@pytest.mark.parametrize(
    "record",
    [
        record_for(None, AFTER.spec, "abc123", "orders", [FN], []),
        record_for(BEFORE.spec, AFTER.spec, "abc123", "orders", [], []),
        record_for(AFTER.spec, BEFORE.spec, "abc123", "orders", [], []),
        record_for(AFTER.spec, None, "abc123", "orders", [], []),
    ],
    ids=["create", "update", "reverse-update", "delete"],
)
def test_encode_decode_round_trip(record: UndoRecord) -> None:
    handle = encode(record, SIGNER)
    assert re.fullmatch(r"[A-Za-z0-9_.-]+", handle)
    assert decode(handle, SIGNER) == record


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _signed(payload: bytes, signer: Signer = SIGNER) -> str:
    """A handle this server's key sealed, with any payload: what only a key holder could make."""
    return f"u1.{signer.seal('undo-handle', zlib.compress(payload))}"


GOOD = encode(record_for(BEFORE.spec, AFTER.spec, "abc123", "orders", [], []), SIGNER)
NOT_OURS = "not an undo handle from this server: pass the `undo` value of an apply unchanged"
TAMPERED = "undo handle does not open"


@pytest.mark.parametrize(
    ("handle", "message"),
    [
        ("", NOT_OURS),
        ("not a handle!", NOT_OURS),
        ("abc", NOT_OURS),
        (_b64(zlib.compress(b'{"api_id": "abc123", "name": "orders"}')), NOT_OURS),
        ("u1." + _b64(zlib.compress(b'{"api_id": "abc123", "name": "orders"}')), TAMPERED),
        ("u2." + GOOD[3:], NOT_OURS),
        (GOOD[:-8], TAMPERED),
        (GOOD[:20] + ("A" if GOOD[20] != "A" else "B") + GOOD[21:], TAMPERED),
        (_signed(b'{"api_id":"abc123","name":"orders"}', Signer(b"k" * 32)), TAMPERED),
        ("u1." + "A" * 70000 + ".sig", "at most"),
        (_signed(b"plain bytes, not json"), NOT_OURS),
        (_signed(b"[1, 2]"), NOT_OURS),
        (_signed(b'{"name": "orders"}'), NOT_OURS),
        (_signed(b'{"api_id": "abc123", "name": "orders", "kind": "rest"}'), NOT_OURS),
        (_signed(b'{"api_id": "abc123", "name": "orders", "v": 2}'), NOT_OURS),
        (_signed(b'{"api_id": "../x", "name": "orders"}'), NOT_OURS),
        (_signed(b'{"api_id": "abc123", "name": "orders", "extra": 1}'), NOT_OURS),
        (_signed(b'{"api_id": "abc123", "name": "' + b"x" * 2_000_000 + b'"}'), NOT_OURS),
    ],
    ids=[
        "empty",
        "not-base64",
        "short",
        "unsigned-old-format",
        "unsealed-payload",
        "other-version",
        "truncated",
        "one-character-edited",
        "signed-with-another-key",
        "oversized",
        "signed-not-json",
        "signed-not-an-object",
        "signed-missing-api-id",
        "signed-unknown-kind",
        "signed-unknown-version",
        "signed-bad-api-id",
        "signed-unknown-field",
        "signed-zlib-bomb",
    ],
)
def test_decode_refuses(handle: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        decode(handle, SIGNER)


def test_handles_carry_version_and_kind_and_cannot_be_read_without_the_key() -> None:
    assert GOOD.startswith("u1.")
    assert decode(GOOD, SIGNER).kind == "http" and decode(GOOD, SIGNER).v == 1
    secret = BEFORE.spec.model_copy(update={"description": "stage secret sk_live_0123456789abcdef"})
    handle = encode(record_for(secret, AFTER.spec, "abc123", "orders", [], []), SIGNER)
    opened = base64.urlsafe_b64decode(handle[3:] + "=" * (-len(handle[3:]) % 4))
    assert b"sk_live" not in opened
    with pytest.raises(zlib.error):
        zlib.decompress(opened[12:])
    assert decode(handle, SIGNER).before["description"].startswith("stage secret")


def test_restore_brings_back_exactly_what_was_touched() -> None:
    record = decode(encode(record_for(BEFORE.spec, AFTER.spec, "abc123", "orders", [], []), SIGNER), SIGNER)
    assert restore(record, AFTER.spec) == BEFORE.spec
    late = {**AFTER.spec.routes, "GET /late": AFTER.spec.routes["ANY /items"]}
    later = AFTER.spec.model_copy(update={"tags": {"team": "x"}, "routes": late})
    restored = restore(record, later)
    assert restored.tags == {"team": "x"}
    assert restored.routes == {**BEFORE.spec.routes, "GET /late": AFTER.spec.routes["ANY /items"]}


def test_planning_restore_returns_the_live_api_to_before() -> None:
    record = decode(encode(record_for(BEFORE.spec, AFTER.spec, "abc123", "orders", [], []), SIGNER), SIGNER)
    result = plan(restore(record, AFTER.spec), AFTER)
    assert ops(result) == [
        "update_api api abc123",
        "delete_cors_configuration api abc123",
        "update_route route GET /orders",
        "delete_route route POST /new",
        "delete_authorizer authorizer users",
        "delete_stage stage prod",
    ]
    by_op = {s.operation: s.params for s in result.steps}
    assert by_op["update_api"] == {"ApiId": "abc123", "Description": ""}
    assert by_op["update_route"]["AuthorizationType"] == "NONE"
    assert by_op["delete_route"] == {"ApiId": "abc123", "RouteId": "r9"}


def test_undoing_the_undo_is_the_original_change() -> None:
    forward = plan(AFTER.spec, BEFORE)
    back = record_for(AFTER.spec, BEFORE.spec, "abc123", "orders", [], [])
    assert plan(restore(back, BEFORE.spec), BEFORE).steps == forward.steps


def test_handle_for_a_two_route_change_is_small() -> None:
    after = live_api(
        routes=[
            route("r1", "GET /orders", "i1", **JWT_ON),
            route("r2", "ANY /items", "i3", **JWT_ON),
            route("r3", "$default", "i2"),
        ]
    )
    handle = encode(record_for(BEFORE.spec, after.spec, "abc123", "orders", [FN], []), SIGNER)
    assert len(handle) < 600
    assert set(decode(handle, SIGNER).before["routes"]) == {"GET /orders", "ANY /items"}
