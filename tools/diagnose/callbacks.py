"""WebSocket @connections callbacks (pure): which symptoms are one, the backend's callback URL, its role.

A backend answers WebSocket clients by calling the @connections API
(``https://{api}.execute-api.{region}.amazonaws.com/{stage}/@connections/{id}``). It fails with 403
ForbiddenException when its execution role lacks ``execute-api:ManageConnections`` on
``arn:aws:execute-api:{region}:{account}:{api}/{stage}/POST/@connections/*`` or the URL misses the
stage, and with 410 GoneException when the connection is closed or unknown at that endpoint (another
stage or API). Only environment variables whose values point at such an endpoint are kept: other
values can be secrets.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from .model import Facts, FunctionFacts, RoleFacts, Symptom
from .rules_auth_helpers import as_list, glob
from .uris import lambda_arn_of

ACTION = "execute-api:ManageConnections"
_TEXTS = (
    "goneexception",
    "forbiddenexception",
    "posttoconnection",
    "@connections",
    "manageconnections",
    "getconnection",
    "deleteconnection",
)
_POINTS_AT = ("execute-api", "wss://", "@connections")
_HOST = re.compile(r"^([a-z0-9]+)\.execute-api\.([a-z0-9-]+)\.amazonaws\.com$", re.IGNORECASE)
MAX_VALUE = 300


def is_callback_symptom(api_type: str, symptom: Symptom | None) -> bool:
    """A failing @connections call of a WebSocket API's backend (410, or its error text)."""
    if api_type != "WEBSOCKET" or symptom is None:
        return False
    return symptom.status == 410 or any(t in symptom.text() for t in _TEXTS)


def is_gone(symptom: Symptom) -> bool:
    return symptom.status == 410 or "goneexception" in symptom.text()


def callback_env(variables: dict[str, Any] | None, api_id: str) -> dict[str, str]:
    """Only the variables whose values mention execute-api, wss://, @connections or the API id."""
    kept: dict[str, str] = {}
    for name, value in (variables or {}).items():
        text = str(value)
        low = text.lower()
        if any(p in low for p in _POINTS_AT) or (api_id and api_id in text):
            kept[str(name)] = text[:MAX_VALUE]
    return kept


def backend_functions(facts: Facts) -> dict[str, FunctionFacts]:
    """The WebSocket API's Lambda integrations (not its authorizers): the code that calls back."""
    arns = {lambda_arn_of(str(i.get("IntegrationUri") or "")) for i in facts.integrations}
    return {arn: facts.functions[arn] for arn in sorted(a for a in arns if a) if arn in facts.functions}


@dataclass(frozen=True)
class Endpoint:
    """Where a callback URL points: the API id and stage, or a custom domain (stage unknown)."""

    name: str
    url: str
    api_id: str | None
    stage: str | None


def callback_endpoints(fn: FunctionFacts) -> list[Endpoint]:
    found: list[Endpoint] = []
    for name, value in sorted(fn.callback_env.items()):
        text = value.strip()
        parts = urlsplit(text if "://" in text else f"https://{text}")
        host = (parts.hostname or "").lower()
        segments = [unquote(s) for s in parts.path.split("/") if s and s != "@connections"]
        api = _HOST.match(host)
        stage = segments[0] if segments else None
        found.append(Endpoint(name, text, api.group(1) if api else None, stage))
    return found


def connections_arn(facts: Facts, stage: str, connection: str = "*") -> str:
    api = f"arn:aws:execute-api:{facts.region}:{facts.account}:{facts.api_id}"
    return f"{api}/{stage}/POST/@connections/{connection}"


@dataclass(frozen=True)
class Verdict:
    """Whether the role may call @connections: "allowed", "denied" or "missing", and by which policies."""

    state: str
    policies: list[str]
    read: list[str]


def manage_connections(role: RoleFacts, resource: str) -> Verdict:
    """Judge the role's policies for ManageConnections on ``resource`` (an explicit Deny wins).

    Conditions are not evaluated: an Allow under a condition counts as allowed and is named so.
    """
    documents = [(f"inline {n}", d) for n, d in sorted(role.inline.items())]
    documents += [(f"attached {a}", d) for a, d in sorted(role.attached.items()) if d is not None]
    read = [name for name, _ in documents]
    allows: list[str] = []
    for name, document in documents:
        for statement in _statements(document):
            if not _applies(statement, resource):
                continue
            if statement.get("Effect") == "Deny":
                return Verdict("denied", [name], read)
            allows.append(name + (" (under a condition)" if statement.get("Condition") else ""))
    return Verdict("allowed" if allows else "missing", sorted(set(allows)), read)


def _statements(document: Any) -> list[dict[str, Any]]:
    if isinstance(document, str):
        try:
            document = json.loads(unquote(document))
        except ValueError:
            return []
    items = as_list(document.get("Statement")) if isinstance(document, dict) else []
    return [s for s in items if isinstance(s, dict)]


def _applies(statement: dict[str, Any], resource: str) -> bool:
    return _covers(statement, "Action", ACTION) and _covers(statement, "Resource", resource)


def _covers(statement: dict[str, Any], key: str, value: str) -> bool:
    if f"Not{key}" in statement:
        return not any(glob(str(p), value) for p in as_list(statement[f"Not{key}"]))
    return any(glob(str(p), value) for p in as_list(statement.get(key)))
