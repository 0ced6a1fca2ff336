"""Shared by the fault suites: AWS faults injected on the server's real botocore clients, and snapshots.

Faults use botocore's own event hooks on the write clients of the ``AwsRuntime`` passed to
``build_server`` (writes use ``runtime.client(service, retries=False)``): a ``before-call``
handler raises before the request is sent, so AWS (moto) never sees it. Nothing of ours is
mocked. ``snapshot`` is the normalised state of one API and what lies around it (invoke
statements, log groups), to compare a before-state with the state after an undo.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError, EndpointConnectionError, ReadTimeoutError
from mcp import Client

from apigw_mcp.server.app import build_server
from apigw_mcp.server.aws import AwsRuntime
from apigw_mcp.server.sandbox.ext import SeedInfo, seed
from apigw_mcp.server.settings import load_settings

from .conftest import HANDLE_KEY, REGION
from .helpers import sandbox_client
from .test_e2e import subject

SERVICES = {
    "create_api": "apigatewayv2",
    "create_authorizer": "apigatewayv2",
    "create_integration": "apigatewayv2",
    "create_route": "apigatewayv2",
    "create_log_group": "logs",
    "create_stage": "apigatewayv2",
    "add_permission": "lambda",
    "remove_permission": "lambda",
}
MakeError = Callable[[str], Exception]
REQUEST_ID = "fault-request-1"


def client_error(code: str, status: int, message: str) -> MakeError:
    def make(operation: str) -> Exception:
        response: Any = {
            "Error": {"Code": code, "Message": message},
            "ResponseMetadata": {"HTTPStatusCode": status, "RequestId": REQUEST_ID},
        }
        return ClientError(response, operation)

    return make


def read_timeout(_: str) -> Exception:
    return ReadTimeoutError(endpoint_url="https://apigateway.example/fault")


# (name, exception factory, fragments the failed step's error must contain)
ERRORS: list[tuple[str, MakeError, list[str]]] = [
    (
        "throttled",
        client_error("TooManyRequestsException", 429, "Too Many Requests"),
        ["TooManyRequestsException", "throttled", REQUEST_ID],
    ),
    (
        "server_error",
        client_error("InternalServerError", 500, "We encountered an internal error"),
        ["InternalServerError", "internal error", REQUEST_ID],
    ),
    (
        "unavailable",
        client_error("ServiceUnavailableException", 503, "Service Unavailable"),
        ["ServiceUnavailableException"],
    ),
    (
        "access_denied",
        client_error("AccessDeniedException", 403, "User is not authorized"),
        ["AccessDeniedException", "lack the IAM permission", "iam-policy"],
    ),
    ("read_timeout", read_timeout, ["Read timeout", "https://apigateway.example/fault"]),
    (
        "no_connection",
        lambda _: EndpointConnectionError(endpoint_url="https://apigateway.example/fault"),
        ["Could not connect", "https://apigateway.example/fault"],
    ),
]
ERROR_BY_NAME = {error[0]: error for error in ERRORS}


def write_event(runtime: AwsRuntime, service: str, operation: str, when: str) -> tuple[Any, str]:
    """The write client of ``service`` and the botocore event name of ``operation`` at ``when``."""
    client = runtime.client(service, retries=False)
    api_name = client.meta.method_to_api_mapping[operation]
    return client, f"{when}.{client.meta.service_model.service_id.hyphenize()}.{api_name}"


class Fault:
    """A before-call handler that raises at the n-th call of one write operation, once armed.

    Persistent (the default) it keeps failing from the n-th call on, so the step fails on every
    retry of ``server/writes.py``; otherwise only the n-th call fails and the retry goes through.
    """

    def __init__(
        self,
        runtime: AwsRuntime,
        operation: str,
        nth: int,
        error: Exception,
        service: str | None = None,
        persistent: bool = True,
    ) -> None:
        client, event = write_event(runtime, service or SERVICES[operation], operation, "before-call")
        self.nth, self.error, self.persistent = nth, error, persistent
        self.seen, self.raised, self.armed = 0, 0, False
        client.meta.events.register(event, self)

    def __call__(self, **_: Any) -> None:
        if not self.armed:
            return
        self.seen += 1
        if self.seen == self.nth or (self.persistent and self.seen > self.nth):
            self.raised += 1
            raise self.error


@asynccontextmanager
async def fault_server(
    endpoint: str, audit: Path, **settings: Any
) -> AsyncIterator[tuple[Client, AwsRuntime]]:
    """A client session on a server whose runtime (retries without delay) the test can hook faults into."""
    values = load_settings(
        region=REGION, endpoint_url=endpoint, audit_log=str(audit), handle_key=HANDLE_KEY, **settings
    )
    runtime = AwsRuntime(values, retry_delay=0)
    async with Client(build_server(values, aws=runtime)) as session:
        yield session, runtime


@asynccontextmanager
async def faulty_server(
    endpoint: str, audit: Path, operation: str, nth: int, error: Exception
) -> AsyncIterator[tuple[Client, Fault]]:
    async with fault_server(endpoint, audit) as (session, runtime):
        yield session, Fault(runtime, operation, nth, error)


def applied_ids(outcome: dict[str, Any]) -> list[tuple[str, str]]:
    """(operation, resource id) of each step a failed apply reports as applied, in order."""
    pairs = [item.split(" ", 1) for item in outcome.get("applied_ids", [])]
    return [(operation, resource_id) for operation, resource_id in pairs]


def service_operation(step: dict[str, Any]) -> tuple[str, str]:
    """A preview step's service and operation, from its ``call`` (``apigatewayv2.create_route``)."""
    service, operation = step["call"].split(".", 1)
    return service, operation


def touches(plan: dict[str, Any], index: int, resource: str) -> bool:
    """Whether ``resource``, as an apply names what a step touched (``route GET /x``, ``integration
    <id>``, ``permission <function ARN>``), is step ``index`` of the preview: named in its parameters or
    in a diff line. (A preview's steps carry only the call and its parameters.)"""
    name = resource.split(" ", 1)[-1]
    subjects = [subject(line) for line in plan.get("diff", [])]
    in_diff = any(s == resource or s.startswith(f"{resource}.") for s in subjects)
    return in_diff or name in json.dumps(plan["steps"][index]["params"])


def live_ids(endpoint: str, api_id: str) -> set[str]:
    v2 = sandbox_client("apigatewayv2", endpoint)
    ids = {api_id}
    ids |= {r["RouteId"] for r in v2.get_routes(ApiId=api_id)["Items"]}
    ids |= {i["IntegrationId"] for i in v2.get_integrations(ApiId=api_id)["Items"]}
    ids |= {a["AuthorizerId"] for a in v2.get_authorizers(ApiId=api_id)["Items"]}
    ids |= {s["StageName"] for s in v2.get_stages(ApiId=api_id)["Items"]}
    return ids


def _pick(item: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {key: item.get(key) for key in keys}


def api_snapshot(endpoint: str, api: dict[str, Any]) -> dict[str, Any]:
    """One API by natural keys: routes by key, integrations by uri, authorizers by name, stages by name."""
    v2 = sandbox_client("apigatewayv2", endpoint)
    api_id = api["ApiId"]
    integrations = {i["IntegrationId"]: i for i in v2.get_integrations(ApiId=api_id)["Items"]}
    authorizers = {a["AuthorizerId"]: a for a in v2.get_authorizers(ApiId=api_id)["Items"]}
    by_uri: dict[str, list[dict[str, Any]]] = {}
    for i in integrations.values():
        shape = _pick(i, "IntegrationType", "IntegrationMethod", "PayloadFormatVersion", "TimeoutInMillis")
        by_uri.setdefault(i.get("IntegrationUri", ""), []).append(shape)
    routes = {}
    for route in v2.get_routes(ApiId=api_id)["Items"]:
        target = str(route.get("Target", "")).removeprefix("integrations/")
        authorizer = authorizers.get(str(route.get("AuthorizerId")), {}).get("Name")
        routes[route["RouteKey"]] = {
            "target": integrations.get(target, {}).get("IntegrationUri", f"missing {target}"),
            "auth": route.get("AuthorizationType"),
            "authorizer": authorizer,
            "scopes": sorted(route.get("AuthorizationScopes") or []),
        }
    auth_keys = ("AuthorizerType", "IdentitySource", "JwtConfiguration", "AuthorizerUri")
    more = ("AuthorizerPayloadFormatVersion", "EnableSimpleResponses", "AuthorizerResultTtlInSeconds")
    stage_keys = ("AutoDeploy", "StageVariables", "DefaultRouteSettings", "RouteSettings")
    return {
        "api": _pick(api, "Name", "Description", "CorsConfiguration", "Tags"),
        "routes": routes,
        "integrations": {uri: sorted(v, key=json.dumps) for uri, v in by_uri.items()},
        "authorizers": sorted(
            ([a["Name"], _pick(a, *auth_keys, *more)] for a in authorizers.values()), key=json.dumps
        ),
        "stages": {
            s["StageName"]: _pick(s, *stage_keys, "AccessLogSettings", "Description")
            for s in v2.get_stages(ApiId=api_id)["Items"]
        },
    }


def statements(endpoint: str) -> dict[str, dict[str, Any]]:
    """Each Lambda function's policy statements by Sid (principal, action, condition)."""
    lam = sandbox_client("lambda", endpoint)
    found: dict[str, dict[str, Any]] = {}
    for function in lam.list_functions()["Functions"]:
        try:
            policy = json.loads(lam.get_policy(FunctionName=function["FunctionArn"])["Policy"])
        except lam.exceptions.ResourceNotFoundException:
            continue
        found[function["FunctionName"]] = {
            s["Sid"]: _pick(s, "Principal", "Action", "Effect", "Condition") for s in policy["Statement"]
        }
    return found


def snapshot(endpoint: str, name: str) -> Any:
    """APIs named ``name``, invoke statements and log groups; the APIs' ids read as ``<api>``."""
    apis = [a for a in sandbox_client("apigatewayv2", endpoint).get_apis()["Items"] if a["Name"] == name]
    groups = sandbox_client("logs", endpoint).describe_log_groups()["logGroups"]
    state = {
        "apis": [api_snapshot(endpoint, api) for api in apis],
        "statements": statements(endpoint),
        "log_groups": sorted(g["logGroupName"] for g in groups),
    }
    text = json.dumps(state, sort_keys=True, default=str)
    for api in apis:
        text = text.replace(api["ApiId"], "<api>")
    return json.loads(text)


def differences(before: Any, after: Any, path: str = "") -> list[str]:
    """Where two snapshots differ, as 'path: before -> after' lines (for assertion messages)."""
    if isinstance(before, dict) and isinstance(after, dict):
        return [
            line
            for key in sorted(set(before) | set(after), key=str)
            for line in differences(before.get(key), after.get(key), f"{path}/{key}")
        ]
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        return [
            line
            for i, (b, a) in enumerate(zip(before, after, strict=True))
            for line in differences(b, a, f"{path}/{i}")
        ]
    return [] if before == after else [f"{path}: {before!r} -> {after!r}"]


def fresh_sandbox(endpoint: str) -> SeedInfo:
    """What the ``sandbox`` fixture does, for a test that must start over: moto reset and re-seeded."""
    request = urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")
    urllib.request.urlopen(request, timeout=10).read()
    return seed(endpoint, REGION)


def api_id_named(endpoint: str, name: str) -> str | None:
    apis = sandbox_client("apigatewayv2", endpoint).get_apis()["Items"]
    return next((str(a["ApiId"]) for a in apis if a["Name"] == name), None)
