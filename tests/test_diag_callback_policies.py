"""The pure parts of WebSocket callback diagnosis: which environment values are kept, where a callback
URL points, and how a role's policies are judged for execute-api:ManageConnections."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest

from apigw_mcp.tools.diagnose.callbacks import (
    callback_endpoints,
    callback_env,
    is_callback_symptom,
    manage_connections,
)
from apigw_mcp.tools.diagnose.model import FunctionFacts, RoleFacts, Symptom

API = "a1b2c3d4e5"
TARGET = f"arn:aws:execute-api:us-east-1:123456789012:{API}/prod/POST/@connections/*"


def test_only_values_pointing_at_the_api_are_kept() -> None:
    variables = {
        "CALLBACK_URL": f"https://{API}.execute-api.us-east-1.amazonaws.com/prod",
        "WS_ENDPOINT": "wss://chat.example.com/v1",
        "API_ID": API,
        "MGMT": "https://x.example.com/@connections",
        "DB_PASSWORD": "hunter2-secret",
        "TABLE": "connections",
        "AWS_REGION": "us-east-1",
    }
    assert sorted(callback_env(variables, API)) == ["API_ID", "CALLBACK_URL", "MGMT", "WS_ENDPOINT"]
    assert callback_env(None, API) == {}


@pytest.mark.parametrize(
    ("url", "api", "stage"),
    [
        (f"https://{API}.execute-api.us-east-1.amazonaws.com/prod", API, "prod"),
        (f"https://{API}.execute-api.us-east-1.amazonaws.com", API, None),
        (f"{API}.execute-api.us-east-1.amazonaws.com/dev/@connections", API, "dev"),
        ("wss://chat.example.com/v1", None, "v1"),
    ],
)
def test_callback_endpoints(url: str, api: str | None, stage: str | None) -> None:
    (found,) = callback_endpoints(FunctionFacts(callback_env={"URL": url}))
    assert (found.api_id, found.stage) == (api, stage)


def role(*statements: dict[str, Any], attached: bool = False) -> RoleFacts:
    document = {"Version": "2012-10-17", "Statement": list(statements)}
    if attached:
        return RoleFacts(
            arn="arn:aws:iam::123456789012:role/r", attached={"arn:aws:iam::aws:policy/p": document}
        )
    return RoleFacts(arn="arn:aws:iam::123456789012:role/r", inline={"p": document})


def allow(
    action: Any = "execute-api:ManageConnections", resource: Any = TARGET, **extra: Any
) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


@pytest.mark.parametrize(
    ("facts", "state"),
    [
        (role(allow()), "allowed"),
        (role(allow("execute-api:*", "arn:aws:execute-api:*:*:*")), "allowed"),
        (role(allow(["execute-api:Invoke", "execute-api:manageconnections"])), "allowed"),
        (role(allow(resource=TARGET.replace("/prod/", "/dev/"))), "missing"),
        (role(allow("execute-api:Invoke")), "missing"),
        (role({"Effect": "Allow", "NotAction": "s3:*", "Resource": "*"}), "allowed"),
        (role(allow(resource="*"), {"Effect": "Deny", "Action": "execute-api:*", "Resource": "*"}), "denied"),
        (role(allow(), attached=True), "allowed"),
        (role(), "missing"),
    ],
)
def test_manage_connections_verdicts(facts: RoleFacts, state: str) -> None:
    assert manage_connections(facts, TARGET.replace("*", "Kx1=")).state == state


def test_a_conditional_allow_and_an_encoded_document_are_named() -> None:
    conditional = role(allow(Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}))
    assert manage_connections(conditional, TARGET).policies == ["inline p (under a condition)"]
    encoded = RoleFacts(
        arn="arn:aws:iam::1:role/r", inline={"p": quote(json.dumps({"Statement": [allow()]}))}
    )
    assert manage_connections(encoded, TARGET).state == "allowed"


def test_callback_symptoms() -> None:
    assert is_callback_symptom("WEBSOCKET", Symptom(status=410))
    assert is_callback_symptom("WEBSOCKET", Symptom(message="GoneException when calling PostToConnection"))
    assert not is_callback_symptom("HTTP", Symptom(status=410))
    assert not is_callback_symptom("WEBSOCKET", Symptom(status=403, error_body='{"message":"Forbidden"}'))


def test_a_role_named_only_by_the_error_is_marked_as_the_requests_word() -> None:
    from apigw_mcp.tools.diagnose.engine import diagnose
    from tests.test_diag_integration import WS_ROUTES, ws

    denied = (
        "User: arn:aws:sts::123456789012:assumed-role/chat-backend-role/fn is not authorized to perform: "
        "execute-api:ManageConnections on resource: x"
    )
    found = diagnose(ws(WS_ROUTES, None), Symptom(status=403, message=denied)).findings[0]
    assert found.rule_id == "ws-manage-connections-forbidden"
    assert 'RoleName="chat-backend-role"' in str(found.fix.manual) and found.fix.widens_trust
    assert any("role 'chat-backend-role'" in c for c in found.confirm)
