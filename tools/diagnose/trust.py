"""Fixes never widen trust on the word of the failing request.

Everything a request carries (its token's claims, its Origin, its path, ARNs quoted in
its error text) may come from an attacker probing the API. A fix that would write such
a value into the API (an audience, an issuer, a client id, an origin, a route, a
principal, a source ARN) is still offered, but marked ``widens_trust`` and the finding
names each value and says it must be confirmed as the user's own first. Values the
live API already holds are not news and do not count.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from .model import Facts, Finding, Symptom

_CLAIMS = {
    "aud": "audience",
    "iss": "issuer",
    "client_id": "client id",
    "azp": "authorized party",
    "sub": "subject",
    "scope": "scope",
    "scp": "scope",
    "cognito:groups": "group",
}
_ARN = re.compile(r"arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:\d{0,12}:[^\s\"',;)]+")
_MIN_LENGTH = 4


def request_values(symptom: Symptom) -> dict[str, str]:
    """Values the failing request supplied, each with what it is, e.g. {"abc": "audience"}."""
    found: dict[str, str] = {}
    payload = symptom.claims.payload if symptom.claims else {}
    for claim, label in _CLAIMS.items():
        for value in _strings(payload.get(claim)):
            for part in value.split() if claim in ("scope", "scp") else [value]:
                found.setdefault(part, label)
    if symptom.origin:
        found.setdefault(symptom.origin.rstrip("/"), "origin")
    if symptom.path:
        path = symptom.path.split("?", 1)[0]
        found.setdefault(path, "path")
        for segment in (s for s in path.split("/") if s):
            found.setdefault(f"/{segment}", "path")
    for arn in _ARN.findall(symptom.text()):
        found.setdefault(arn, "principal or source ARN")
        if role := _role_name(arn):
            found.setdefault(role, "role")
    return {v: label for v, label in found.items() if len(v) >= _MIN_LENGTH}


def _role_name(arn: str) -> str | None:
    """The role an IAM role ARN or an STS assumed-role ARN names (a fix may write just its name)."""
    if ":assumed-role/" in arn:
        return arn.split(":assumed-role/", 1)[1].split("/", 1)[0]
    return arn.rsplit("/", 1)[1] if ":role/" in arn else None


def mark(finding: Finding, facts: Facts, symptom: Symptom) -> Finding:
    """The finding with its fix marked ``widens_trust`` and the values to confirm, when it takes any."""
    fix = finding.fix
    written = list(_strings(fix.args)) + ([fix.manual] if fix.manual else [])
    if not written:
        return finding
    known = _known_text(facts)
    taken = {
        value: label
        for value, label in request_values(symptom).items()
        if value.lower() not in known and any(value in text for text in written)
    }
    if not taken:
        return finding
    confirm = [
        f"{label} {value!r} comes from the failing request: apply the fix only if it is your own"
        for value, label in sorted(taken.items())
    ]
    return finding.model_copy(
        update={"fix": fix.model_copy(update={"widens_trust": True}), "confirm": confirm}
    )


def _known_text(facts: Facts) -> str:
    """The live API's configuration as one lower-cased text: values already in it are not from the request."""
    roles = sorted(str(f.role) for f in facts.functions.values() if f.role)
    parts = [
        facts.api,
        facts.routes,
        facts.integrations,
        facts.authorizers,
        facts.stages,
        facts.resources,
        roles,
    ]
    return json.dumps(parts, default=str).lower()


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)
