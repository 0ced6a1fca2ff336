"""Stateless plan tokens: deterministic, and a mismatch names what moved."""

from __future__ import annotations

import base64
import re
from typing import Any

import pytest

from apigw_mcp.tools.engine.errors import StalePlan
from apigw_mcp.tools.engine.plan import Step
from apigw_mcp.tools.engine.signing import Signer
from apigw_mcp.tools.engine.token import check_token, make_token, token_expiry

SIGNER = Signer(b"test-signing-key-" * 2)
EXPIRES = 29_000_000
ARGS = {"name": "orders", "routes": [{"route_key": "GET /orders"}]}
SCOPE = {"region": "us-east-1", "read_only": False}
IDENTITY = "arn:aws:iam::123456789012:role/dev"
STATE: dict[str, Any] = {"api orders": {"Description": "v1"}, "permission fn": False}
STEPS = [
    Step(
        id="api",
        service="apigatewayv2",
        operation="create_api",
        effect="create",
        resource="api orders",
        params={},
    )
]


def token(**change: Any) -> str:
    parts: dict[str, Any] = {
        "args": ARGS,
        "scope": SCOPE,
        "identity": IDENTITY,
        "state": STATE,
        "steps": STEPS,
    }
    parts.update(change)
    return make_token(
        SIGNER, parts["args"], parts["scope"], parts["identity"], parts["state"], parts["steps"], EXPIRES
    )


def test_make_token_is_deterministic() -> None:
    assert token() == token()
    assert token(state=dict(reversed(list(STATE.items())))) == token()
    assert token(args={"routes": ARGS["routes"], "name": "orders"}) == token()


def _raw(token_text: str) -> bytes:
    return base64.urlsafe_b64decode(token_text + "=" * (-len(token_text) % 4))


def _text(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def test_token_shape() -> None:
    """One URL-safe word: HMAC 8 bytes, expiry 4, three 2-byte part digests, four bytes per resource."""
    text = token()
    assert re.fullmatch(r"[A-Za-z0-9_-]+", text)
    raw = _raw(text)
    assert len(raw) == 18 + 4 * len(STATE)
    assert int.from_bytes(raw[8:12], "big") == EXPIRES


CHANGES: list[tuple[str, dict[str, Any], str]] = [
    ("args", {"args": {**ARGS, "name": "orders2"}}, "arguments differ"),
    ("scope", {"scope": {**SCOPE, "read_only": True}}, "scope settings changed"),
    ("identity", {"identity": "arn:aws:iam::123456789012:role/other"}, "caller identity changed"),
    ("resource", {"state": {**STATE, "api orders": {"Description": "v2"}}}, "api orders changed"),
    ("other-resource", {"state": {**STATE, "permission fn": True}}, "permission fn changed"),
    ("resource-added", {"state": {**STATE, "route GET /x": {}}}, "route GET /x appeared since the preview"),
    (
        "resource-gone",
        {"state": {"api orders": STATE["api orders"]}},
        "1 resource.s. the preview saw are gone",
    ),
    ("steps", {"steps": []}, "planned steps differ"),
]


@pytest.mark.parametrize(("change", "reason"), [c[1:] for c in CHANGES], ids=[c[0] for c in CHANGES])
def test_changes_alter_token_and_are_named(change: dict[str, Any], reason: str) -> None:
    fresh = token(**change)
    assert fresh != token()
    with pytest.raises(StalePlan, match=reason) as info:
        check_token(token(), fresh, change.get("state", STATE))
    assert "dry_run=true" in str(info.value)


def test_only_the_changed_part_is_named() -> None:
    fresh = token(state={**STATE, "api orders": {"Description": "v2"}})
    with pytest.raises(StalePlan) as info:
        check_token(token(), fresh, {**STATE, "api orders": {"Description": "v2"}})
    message = str(info.value)
    assert "api orders changed" in message
    assert "permission fn" not in message
    assert "arguments" not in message
    assert "scope" not in message
    assert "identity" not in message


def test_check_token_passes_on_equal_tokens() -> None:
    check_token(token(), token(), STATE)


@pytest.mark.parametrize(
    "given",
    ["", "abc", "a.b.c", "a" * 21, "../../etc", "\u00e9" * 30],
    ids=["empty", "short", "dots", "wrong-length", "path", "not-ascii"],
)
def test_malformed_token(given: str) -> None:
    with pytest.raises(StalePlan, match="plan_token is malformed"):
        check_token(given, token(), STATE)


def test_token_is_signed_with_the_servers_key() -> None:
    """Without the key nobody can make the token a preview would give: another key gives another token."""
    other = make_token(Signer(b"another-key-" * 3), ARGS, SCOPE, IDENTITY, STATE, STEPS, EXPIRES)
    assert other.split(".")[0] != token().split(".")[0]
    assert other.split(".")[1:] == token().split(".")[1:]
    with pytest.raises(StalePlan, match="token is from another plan"):
        check_token(other, token(), STATE)


def test_expiry_is_signed_and_enforced() -> None:
    assert token_expiry(token(), EXPIRES - 1) == EXPIRES
    with pytest.raises(StalePlan, match="expired"):
        token_expiry(token(), EXPIRES + 1)
    raw = bytearray(_raw(token()))
    raw[8:12] = (EXPIRES + 600).to_bytes(4, "big")
    extended = _text(bytes(raw))
    assert token_expiry(extended, EXPIRES) == EXPIRES + 600
    fresh = make_token(SIGNER, ARGS, SCOPE, IDENTITY, STATE, STEPS, EXPIRES + 600)
    with pytest.raises(StalePlan, match="another plan"):
        check_token(extended, fresh, STATE)
