"""Stateless plan tokens.

A token is an HMAC (the server's signing key) over the arguments, the scope, the
caller identity, the normalised live state of every touched resource and the
planned steps, followed by short per-part digests. Apply re-reads and re-plans; the
token must come out the same, so it survives restarts and works on any replica that
shares the key, and nobody without the key can make one without a preview. When it
does not match, the per-part digests say what moved. A token also carries the minute
it expires (signed with the rest), so an old preview cannot be replayed once the live
state happens to match it again, e.g. after an undo.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping, Sequence
from typing import Any

from .errors import StalePlan
from .plan import Step, canonical, digest
from .signing import Signer

_PART = 4
TTL_MINUTES = 60
_MALFORMED = "plan_token is malformed: pass the token from this tool's dry run unchanged."


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
    whole = signer.hex_mac("plan-token", canonical(signed).encode(), 8)
    head = [whole, format(expires, "x"), digest(args, _PART), digest(scope, _PART), digest(identity, _PART)]
    return ".".join(head + [_resource_part(r, state[r]) for r in resources])


def _resource_part(name: str, value: Any) -> str:
    """Which resource (3 hex) and its state (4 hex): a refusal can then name one that came or went."""
    return digest(name, 3) + digest([name, value], _PART)


def token_expiry(given: str, now_minute: int) -> int:
    """The minute ``given`` expires; StalePlan when it is malformed or already expired."""
    parts = given.split(".")
    if len(parts) < 5 or any(not part.isalnum() or not part.isascii() for part in parts):
        raise StalePlan(_MALFORMED)
    try:
        expires = int(parts[1], 16)
    except ValueError:
        raise StalePlan(_MALFORMED) from None
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
    old, new = given.split("."), fresh.split(".")
    if len(old) < 5 or any(not part.isalnum() for part in old):
        raise StalePlan(_MALFORMED)
    old, new = [old[0], *old[2:]], [new[0], *new[2:]]
    reasons = _differences(old, new, sorted(state))
    raise StalePlan(
        "plan_token does not match the current plan ("
        + "; ".join(reasons)
        + "). Run the tool again with dry_run=true, review the new plan, and apply its token."
    )


def _differences(old: list[str], new: list[str], resources: list[str]) -> list[str]:
    labels = [
        "arguments differ from the previewed call",
        "the server's scope settings changed",
        "the AWS caller identity changed",
    ]
    reasons = [label for label, a, b in zip(labels, old[1:4], new[1:4], strict=True) if a != b]
    before = {part[:3]: part for part in old[4:]}
    now = {part[:3]: part for part in new[4:]}
    for name in resources:
        key = digest(name, 3)
        if key not in before:
            reasons.append(f"{name} appeared since the preview")
        elif before[key] != now[key]:
            reasons.append(f"{name} changed since the preview")
    gone = len(set(before) - set(now))
    if gone:
        reasons.append(f"{gone} resource(s) the preview saw are gone")
    return reasons or [
        "the planned steps differ (was the server upgraded?) or the token is from another plan"
    ]
