"""What diagnose_error reads for WebSocket @connections failures and Lambda throttling, on the sandbox.

A WebSocket backend's 403 ForbiddenException or 410 GoneException is judged from the backend's own
configuration: its execution role's inline and attached policies (a fourth round of reads, only for
these symptoms) and the callback URL in its environment, where every other variable stays unread in the
result. A reserved concurrency of 0 is read and confirms lambda-throttled. moto's get_function drops a
reservation of 0, which AWS returns, so one test answers get_function as AWS does through botocore's
``before-call`` event hook on the server's real client (Stubber's fixed call order does not fit reads
that run concurrently); an IAM AccessDenied is injected the same way.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse, HTTPHeaders
from botocore.exceptions import ClientError
from mcp import Client

from apigw_mcp.server.app import build_server
from apigw_mcp.server.aws import AwsRuntime
from apigw_mcp.server.sandbox.ext import SeedInfo
from apigw_mcp.server.settings import load_settings

from .conftest import ACCOUNT, HANDLE_KEY, REGION, ClientFactory
from .helpers import call_ok, preview_and_apply
from .recorder import Recording

pytestmark = pytest.mark.anyio
SECRET = "hunter2-very-secret-value"
FORBIDDEN = "An error occurred (ForbiddenException) when calling the PostToConnection operation: Forbidden"
GONE = "An error occurred (GoneException) when calling the PostToConnection operation: "
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ],
}
OK = AWSResponse("https://lambda.us-east-1.amazonaws.com", 200, HTTPHeaders(), None)
IAM_READS = {"ListRolePolicies", "ListAttachedRolePolicies", "GetRolePolicy", "GetPolicy", "GetPolicyVersion"}


def aws(service: str, endpoint: str) -> Any:
    make: Any = boto3.client
    return make(service, region_name=REGION, endpoint_url=endpoint)


def code() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", "def handler(event, context):\n    return {'statusCode': 200}\n")
    return buffer.getvalue()


def backend(endpoint: str, name: str, env: dict[str, str]) -> tuple[str, str]:
    """A function with a role of its own (no policies yet): (function ARN, role name)."""
    role = aws("iam", endpoint).create_role(
        RoleName=f"{name}-role", AssumeRolePolicyDocument=json.dumps(TRUST)
    )
    created = aws("lambda", endpoint).create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=role["Role"]["Arn"],
        Handler="app.handler",
        Code={"ZipFile": code()},
        Environment={"Variables": env},
    )
    return str(created["FunctionArn"]), f"{name}-role"


def websocket(endpoint: str, function: str) -> str:
    """A WebSocket API on stage prod whose routes all invoke ``function``; created before the function's
    environment names it, so the environment is set afterwards (see ``point``)."""
    v2 = aws("apigatewayv2", endpoint)
    api = str(
        v2.create_api(Name="chat", ProtocolType="WEBSOCKET", RouteSelectionExpression="$request.body.action")[
            "ApiId"
        ]
    )
    uri = f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{function}/invocations"
    target = v2.create_integration(ApiId=api, IntegrationType="AWS_PROXY", IntegrationUri=uri)[
        "IntegrationId"
    ]
    for key in ("$connect", "$disconnect", "sendMessage"):
        v2.create_route(ApiId=api, RouteKey=key, Target=f"integrations/{target}")
    v2.create_stage(ApiId=api, StageName="prod", AutoDeploy=True)
    return api


def point(endpoint: str, function: str, url: str) -> None:
    """The backend's environment: the callback URL, a secret and an unrelated table name."""
    variables = {"CALLBACK_URL": url, "DB_PASSWORD": SECRET, "TABLE": "connections-table"}
    aws("lambda", endpoint).update_function_configuration(
        FunctionName=function, Environment={"Variables": variables}
    )


def connections(api: str, stage: str = "prod") -> str:
    return f"arn:aws:execute-api:{REGION}:{ACCOUNT}:{api}/{stage}/POST/@connections/*"


def allow_statement(resource: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "execute-api:ManageConnections", "Resource": resource}
            ],
        }
    )


async def chat_backend(endpoint: str, stage_in_url: str | None) -> tuple[str, str, str]:
    """(api id, function ARN, role name) of a chat API whose backend calls back on ``stage_in_url``."""
    function, role = backend(endpoint, "chat-backend", {})
    api = websocket(endpoint, function)
    base = f"https://{api}.execute-api.{REGION}.amazonaws.com"
    point(endpoint, function, f"{base}/{stage_in_url}" if stage_in_url else base)
    aws("lambda", endpoint).add_permission(
        FunctionName=function,
        StatementId="apigw",
        Action="lambda:InvokeFunction",
        Principal="apigateway.amazonaws.com",
        SourceArn=f"arn:aws:execute-api:{REGION}:{ACCOUNT}:{api}/*",
    )
    return api, function, role


async def diagnose(session: Client, api: str, **symptom: Any) -> dict[str, Any]:
    path = f"wss://{api}.execute-api.{REGION}.amazonaws.com/prod"
    found = await call_ok(session, "diagnose_error", {"api_id": api, "path": path, **symptom})
    assert SECRET not in json.dumps(found) and "connections-table" not in json.dumps(found)
    return found


def iam_reads(recording: Recording) -> set[str]:
    return {r.operation for r in recording.requests()} & IAM_READS


async def test_a_role_without_manage_connections_is_named_in_cause_and_fix(
    client: ClientFactory, sandbox: SeedInfo, moto_endpoint: str, recording: Recording
) -> None:
    api, _, role = await chat_backend(moto_endpoint, "prod")
    recording.clear()
    async with client() as session:
        found = await diagnose(session, api, status=403, message=FORBIDDEN)
    top = found["findings"][0]
    assert top["rule_id"] == "ws-manage-connections-forbidden" and top["confidence"] >= 0.8
    assert role in top["cause"] and connections(api) in top["cause"]
    assert f'RoleName="{role}"' in top["fix"]["manual"] and "<backend role>" not in top["fix"]["manual"]
    assert any("missing" in str(e.get("value")) for e in top["evidence"])
    assert {"ListRolePolicies", "ListAttachedRolePolicies"} <= iam_reads(recording)


async def test_a_callback_url_without_the_stage_is_the_cause_when_the_role_allows_it(
    client: ClientFactory, sandbox: SeedInfo, moto_endpoint: str
) -> None:
    api, function, role = await chat_backend(moto_endpoint, None)
    aws("iam", moto_endpoint).put_role_policy(
        RoleName=role, PolicyName="callbacks", PolicyDocument=allow_statement(connections(api))
    )
    async with client() as session:
        found = await diagnose(session, api, status=403, message=FORBIDDEN)
    top = found["findings"][0]
    assert top["rule_id"] == "ws-manage-connections-forbidden" and top["confidence"] >= 0.8
    assert "has no stage" in top["cause"]
    shown = {e["field"]: e["value"] for e in top["evidence"]}
    assert any(f.endswith("Environment.CALLBACK_URL") for f in shown)
    assert any("allowed (inline callbacks)" in str(v) for v in shown.values())
    assert (
        f"set CALLBACK_URL of chat-backend to https://{api}.execute-api.{REGION}.amazonaws.com/prod"
        in top["fix"]["manual"]
    )
    assert "put_role_policy" not in top["fix"]["manual"]
    assert function


async def test_an_attached_managed_policy_is_read_to_its_default_version(
    client: ClientFactory, sandbox: SeedInfo, moto_endpoint: str, recording: Recording
) -> None:
    api, _, role = await chat_backend(moto_endpoint, "prod")
    iam = aws("iam", moto_endpoint)
    arn = iam.create_policy(
        PolicyName="ws-callbacks",
        PolicyDocument=allow_statement("arn:aws:execute-api:*:*:*/*/POST/@connections/*"),
    )["Policy"]["Arn"]
    iam.attach_role_policy(RoleName=role, PolicyArn=arn)
    recording.clear()
    async with client() as session:
        found = await diagnose(session, api, status=403, message=FORBIDDEN)
    top = found["findings"][0]
    assert top["rule_id"] == "ws-manage-connections-forbidden"
    assert any(f"allowed (attached {arn})" in str(e["value"]) for e in top["evidence"])
    assert "put_role_policy" not in top["fix"]["manual"]  # the role is not what is wrong
    assert {"GetPolicy", "GetPolicyVersion"} <= iam_reads(recording)


async def test_gone_from_a_callback_url_on_another_stage(
    client: ClientFactory, sandbox: SeedInfo, moto_endpoint: str
) -> None:
    api, _, _ = await chat_backend(moto_endpoint, "dev")
    async with client() as session:
        found = await diagnose(session, api, status=410, message=GONE)
    top = found["findings"][0]
    assert top["rule_id"] == "ws-post-to-connection-gone" and top["confidence"] >= 0.8
    assert "names stage 'dev', not 'prod'" in top["cause"]
    assert f"{api}.execute-api.{REGION}.amazonaws.com/prod" in top["fix"]["manual"]


async def test_other_websocket_symptoms_read_no_role(
    client: ClientFactory, sandbox: SeedInfo, moto_endpoint: str, recording: Recording
) -> None:
    api, _, _ = await chat_backend(moto_endpoint, "prod")
    recording.clear()
    async with client() as session:
        await diagnose(
            session, api, message='{"action":"sendmessage"}', error_body='{"message": "Forbidden"}'
        )
    assert iam_reads(recording) == set()


@asynccontextmanager
async def hooked(endpoint: str, tmp_path: Path, **answers: Any) -> AsyncIterator[Client]:
    """A session on a server whose botocore clients answer ``service_Operation=handler`` before calling."""
    audit = str(tmp_path / "audit.jsonl")
    settings = load_settings(region=REGION, endpoint_url=endpoint, audit_log=audit, handle_key=HANDLE_KEY)
    runtime = AwsRuntime(settings, retry_delay=0)
    for name, answer in answers.items():
        service, operation = name.split("_", 1)
        runtime.client(service).meta.events.register(f"before-call.{service}.{operation}", answer)
    async with Client(build_server(settings, aws=runtime)) as session:
        yield session


async def test_unreadable_roles_fall_back_to_the_function_role_name(
    sandbox: SeedInfo, moto_endpoint: str, tmp_path: Path
) -> None:
    api, _, role = await chat_backend(moto_endpoint, "prod")

    def denied(**_: Any) -> None:
        error = {
            "Error": {"Code": "AccessDenied", "Message": "not allowed"},
            "ResponseMetadata": {"HTTPStatusCode": 403},
        }
        raise ClientError(error, "ListRolePolicies")  # type: ignore[arg-type]

    async with hooked(moto_endpoint, tmp_path, iam_ListRolePolicies=denied) as session:
        found = await diagnose(session, api, status=403, message=FORBIDDEN)
    top = found["findings"][0]
    assert top["rule_id"] == "ws-manage-connections-forbidden"
    assert f'RoleName="{role}"' in top["fix"]["manual"]


async def test_reserved_concurrency_of_zero_confirms_throttling(
    client: ClientFactory, sandbox: SeedInfo, moto_endpoint: str
) -> None:
    function, _ = backend(moto_endpoint, "orders-fn", {})
    aws("lambda", moto_endpoint).put_function_concurrency(
        FunctionName=function, ReservedConcurrentExecutions=0
    )
    async with client() as session:
        spec = {"name": "shop", "routes": [{"route_key": "GET /orders", "lambda_arn": function}]}
        api = (await preview_and_apply(session, spec))["api_id"]
        args = {"api_id": api, "status": 500, "method": "GET", "path": "/orders"}
        found = await call_ok(
            session, "diagnose_error", {**args, "error_body": '{"message":"Internal Server Error"}'}
        )
    top = found["findings"][0]
    assert top["rule_id"] == "lambda-throttled" and top["confidence"] >= 0.8
    assert {
        "field": "Concurrency.ReservedConcurrentExecutions",
        "value": 0,
        "read": "lambda.get_function",
    } in top["evidence"]
    assert f'lambda.delete_function_concurrency(FunctionName="{function}")' in top["fix"]["manual"]


async def test_concurrency_is_taken_from_get_function_as_aws_returns_it(
    sandbox: SeedInfo, moto_endpoint: str, tmp_path: Path
) -> None:
    api, function, _ = await chat_backend(moto_endpoint, "prod")
    configuration = aws("lambda", moto_endpoint).get_function(FunctionName=function)

    def as_aws(**_: Any) -> tuple[AWSResponse, dict[str, Any]]:  # the API's only function
        return OK, {**configuration, "Concurrency": {"ReservedConcurrentExecutions": 0}}

    def no_reservation(**_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        return OK, {}  # get_function_concurrency disagreeing: get_function's own value wins

    hooks = {"lambda_GetFunction": as_aws, "lambda_GetFunctionConcurrency": no_reservation}
    async with hooked(moto_endpoint, tmp_path, **hooks) as session:
        found = await diagnose(
            session, api, status=500, message='{"action":"sendMessage"}', error_body="Internal server error"
        )
    top = found["findings"][0]
    assert top["rule_id"] == "lambda-throttled"
    assert any(
        e["field"] == "Concurrency.ReservedConcurrentExecutions" and e["value"] == 0 for e in top["evidence"]
    )
