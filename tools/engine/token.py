"""Stateless plan tokens.

A token is an HMAC (the server's signing key) over the arguments, the scope, the
caller identity, the normalised live state of every touched resource and the
planned steps, followed by short per-part digests. Apply re-reads and re-plans; the
token must come out the same, so it survives restarts and works on any replica that
shares the key, and nobody without the key can make one without a preview. When it
does not match, the per-part digests say what moved. A token also carries the minute
it expires (signed with the rest), so an old preview cannot be replayed once the live
state happens to match it again, e.g. after an undo.

Layout, base64url without padding (one opaque word, cheap in a model's context): the
8-byte HMAC, the 4-byte expiry minute, two bytes each for the arguments, the scope and
the identity, then per resource (sorted by name) two bytes naming it and two for its state.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from collections.abc import Mapping, Sequence
from typing import Any

from apigw_mcp.tools.engine.errors import StalePlan
from apigw_mcp.tools.engine.plan import Step, canonical
from apigw_mcp.tools.engine.signing import Signer

TTL_MINUTES = 60
_WORD = re.compile(r"[A-Za-z0-9_-]{20,400}")
_HEAD = 18  # HMAC 8, expiry 4, arguments 2, scope 2, identity 2
_PART = 4  # per resource: name 2, state 2
_MALFORMED = "plan_token is malformed: pass the token from this tool's dry run unchanged."
_LABELS = (
    "arguments differ from the previewed call",
    "the server's scope settings changed",
    "the AWS caller identity changed",
)


def _short(value: Any, size: int) -> bytes:
    return hashlib.sha256(canonical(value).encode()).digest()[:size]


def make_token(
    signer: Signer,
    args: Any,
    scope: Any,
    identity: str,
    state: Mapping[str, Any],
    steps: Sequence[Step],
    expires: int,
) -> str:
    """``expires``: the minute (since the epoch) after which the token is refused."""
    resources = sorted(state)
    signed = [
        expires,
        args,
        scope,
        identity,
        [[r, state[r]] for r in resources],
        [s.model_dump() for s in steps],
    ]
    mac = bytes.fromhex(signer.hex_mac("plan-token", canonical(signed).encode(), 8))
    raw = mac + expires.to_bytes(4, "big") + _short(args, 2) + _short(scope, 2) + _short(identity, 2)
    raw += b"".join(_short(r, 2) + _short([r, state[r]], 2) for r in resources)
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(token: str) -> bytes:
    if not _WORD.fullmatch(token):
        raise StalePlan(_MALFORMED)
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        raise StalePlan(_MALFORMED) from None
    if len(raw) < _HEAD or (len(raw) - _HEAD) % _PART:
        raise StalePlan(_MALFORMED)
    return raw


def token_expiry(given: str, now_minute: int) -> int:
    """The minute ``given`` expires; StalePlan when it is malformed or already expired."""
    expires = int.from_bytes(_decode(given)[8:12], "big")
    if expires < now_minute:
        raise StalePlan(
            "plan_token expired (a preview is good for "
            f"{TTL_MINUTES} minutes): run the tool again with dry_run=true and apply the new token."
        )
    return expires


def check_token(given: str, fresh: str, state: Mapping[str, Any]) -> None:
    """Raise StalePlan naming what changed when ``given`` does not match ``fresh`` (same expiry)."""
    if hmac.compare_digest(given.encode(), fresh.encode()):
        return
    old, new = _decode(given), _decode(fresh)
    reasons = [
        label for label, i in zip(_LABELS, (12, 14, 16), strict=True) if old[i : i + 2] != new[i : i + 2]
    ]
    reasons += _resource_changes(old[_HEAD:], new[_HEAD:], sorted(state))
    raise StalePlan(
        "plan_token does not match the current plan ("
        + "; ".join(
            reasons
            or ["the planned steps differ (was the server upgraded?) or the token is from another plan"]
        )
        + "). Run the tool again with dry_run=true, review the new plan, and apply its token."
    )


def _resource_changes(old: bytes, new: bytes, resources: list[str]) -> list[str]:
    before = {old[i : i + 2]: old[i + 2 : i + _PART] for i in range(0, len(old), _PART)}
    now = {new[i : i + 2]: new[i + 2 : i + _PART] for i in range(0, len(new), _PART)}
    reasons = []
    for name in resources:
        key = _short(name, 2)
        if key not in before:
            reasons.append(f"{name} appeared since the preview")
        elif before[key] != now[key]:
            reasons.append(f"{name} changed since the preview")
    gone = len(set(before) - set(now))
    if gone:
        reasons.append(f"{gone} resource(s) the preview saw are gone")
    return reasons
