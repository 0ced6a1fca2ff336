"""No duplicate after a write whose reply was lost: AWS acted, then the reply did not arrive.

An ``after-call`` hook on the server's write client raises once for one operation, after moto
processed the request (botocore emits ``after-call`` once the response is parsed, and an
exception from a handler propagates out of the client call in this botocore version: the
first test checks that on a plain boto3 client, so the premise cannot silently rot). The
raised error is what botocore raises for a lost reply (``ReadTimeoutError``) or a 500 after
the server acted. ``server/writes.py`` must then find the create by its natural key instead of
sending it again: the apply completes, warns that the reply was lost, and exactly one resource
of each natural key exists. A lost reply on an update or a delete is retried, and a delete that
then finds nothing counts as done.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ReadTimeoutError

from apigw_mcp.server.aws import AwsRuntime
from apigw_mcp.server.sandbox.ext import SeedInfo

from .conftest import REGION
from .faults_scenarios import LEGACY, SCENARIOS, Env, make_functions, shop_request
from .faults_support import (
    MakeError,
    client_error,
    fault_server,
    live_ids,
    read_timeout,
    service_operation,
    write_event,
)
from .helpers import FUNCTION, call_ok, full_steps, ops, sandbox_client
from .recorder import Recording

pytestmark = pytest.mark.anyio

LOST = "AWS's reply was lost; a read found the change applied"
KINDS: dict[str, MakeError] = {
    "read_timeout": read_timeout,
    "server_error_500": client_error("InternalServerError", 500, "We encountered an internal error"),
}
CREATES = [
    "create_api",
    "create_authorizer",
    "create_integration",
    "create_route",
    "create_log_group",
    "create_stage",
    "add_permission",
]


class LostReply:
    """An after-call handler: the n-th call of one write operation reached AWS, its reply is lost."""

    def __init__(self, runtime: AwsRuntime, service: str, operation: str, nth: int, error: Exception) -> None:
        client, event = write_event(runtime, service, operation, "after-call")
        self.nth, self.error, self.seen, self.lost = nth, error, 0, 0
        client.meta.events.register(event, self)

    def __call__(self, **_: Any) -> None:
        self.seen += 1
        if self.seen == self.nth:
            self.lost += 1
            raise self.error


def lose_the_reply(**_: Any) -> None:
    raise read_timeout("create_api")


def test_after_call_hook_exceptions_reach_the_caller_after_aws_acted(
    moto_endpoint: str, sandbox: SeedInfo
) -> None:
    """The premise of this file, on a plain boto3 client of this botocore version."""
    v2 = boto3.client("apigatewayv2", region_name=REGION, endpoint_url=moto_endpoint)
    v2.meta.events.register("after-call.apigatewayv2.CreateApi", lose_the_reply)
    with pytest.raises(ReadTimeoutError):
        v2.create_api(Name="premise", ProtocolType="HTTP")
    assert [a["Name"] for a in v2.get_apis()["Items"]] == ["premise"]


def audited_calls(audit: Path) -> list[str]:
    """The AWS call of each audit line (one per applied step), in order."""
    return [json.loads(line)["operation"] for line in audit.read_text().splitlines()]


def one_of_each(endpoint: str, request: dict[str, Any], api_id: str) -> None:
    """Exactly one API named as asked, and one of each natural key in it and around it."""
    v2 = sandbox_client("apigatewayv2", endpoint)
    assert [a["ApiId"] for a in v2.get_apis()["Items"] if a["Name"] == request["name"]] == [api_id]
    routes = Counter(r["RouteKey"] for r in v2.get_routes(ApiId=api_id)["Items"])
    assert routes == Counter(r["route_key"] for r in request["routes"])
    second, authorizer = request["routes"][1]["lambda_arn"], request["authorizers"][1]["function_arn"]
    uris = Counter(i["IntegrationUri"] for i in v2.get_integrations(ApiId=api_id)["Items"])
    assert uris == Counter([FUNCTION, second, LEGACY])
    authorizers = Counter(a["Name"] for a in v2.get_authorizers(ApiId=api_id)["Items"])
    assert authorizers == Counter(a["name"] for a in request["authorizers"])
    stages = Counter(s["StageName"] for s in v2.get_stages(ApiId=api_id)["Items"])
    assert stages == Counter(s["name"] for s in request["stages"])
    groups = sandbox_client("logs", endpoint).describe_log_groups()["logGroups"]
    assert Counter(g["logGroupName"] for g in groups) == Counter(["/aws/apigateway/shop/prod"])
    lam = sandbox_client("lambda", endpoint)
    for function in (FUNCTION, second, authorizer):
        statements = json.loads(lam.get_policy(FunctionName=function)["Policy"])["Statement"]
        assert len([s for s in statements if api_id in s["Sid"]]) == 1, statements


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("operation", CREATES)
async def test_a_create_whose_reply_was_lost_is_found_not_sent_again(
    operation: str, kind: str, sandbox: SeedInfo, recording: Recording, moto_endpoint: str, tmp_path: Path
) -> None:
    request = shop_request(make_functions(moto_endpoint, sandbox))
    audit = tmp_path / "audit.jsonl"
    async with fault_server(moto_endpoint, audit) as (session, runtime):
        plan = (await call_ok(session, "create_http_api", request))["plan"]
        steps = full_steps(plan)
        operations = ops(plan)
        nth = operations.count(operation)  # the last one: its siblings exist when the probe looks
        k = [i for i, o in enumerate(operations, start=1) if o == operation][-1]
        service = service_operation(steps[k - 1])[0]
        lost = LostReply(runtime, service, operation, nth, KINDS[kind](operation))
        recording.clear()
        outcome = await call_ok(
            session, "create_http_api", {**request, "dry_run": False, "plan_token": plan["token"]}
        )
        writes = recording.writes()
        again = await call_ok(session, "create_http_api", request)
    assert lost.lost == 1
    assert "failed" not in outcome, outcome["failed"]
    assert outcome["applied"] == len(operations)
    assert audited_calls(audit) == [s["call"] for s in steps]
    warned = [w for w in outcome["plan"].get("warnings", []) if LOST in w]
    assert len(warned) == 1 and warned[0].startswith(f"{operation} "), outcome["plan"]
    probed = warned[0].removeprefix(f"{operation} ").split(f": {LOST}", 1)[0]
    assert probed and probed == json.loads(audit.read_text().splitlines()[k - 1])["resource"]
    assert len(writes) == len(steps), writes
    assert "steps" not in again["plan"]
    if service == "apigatewayv2":
        assert probed in live_ids(moto_endpoint, outcome["api_id"])
    one_of_each(moto_endpoint, request, outcome["api_id"])


# (scenario, the operation whose reply is lost)
NOT_CREATES = [
    ("update_route", "update_route"),
    ("delete_route", "delete_route"),
    ("delete_route", "delete_integration"),
    ("delete_stage", "delete_stage"),
    ("delete_api", "delete_api"),
    ("delete_api", "remove_permission"),
]


@pytest.mark.parametrize(("name", "operation"), NOT_CREATES, ids=[f"{n}-{o}" for n, o in NOT_CREATES])
async def test_an_update_or_delete_whose_reply_was_lost_is_retried_to_done(
    name: str, operation: str, sandbox: SeedInfo, moto_endpoint: str, tmp_path: Path
) -> None:
    scenario = SCENARIOS[name]
    audit = tmp_path / "audit.jsonl"
    async with fault_server(moto_endpoint, audit, allow_deletes=True) as (session, runtime):
        args = await scenario.setup(session, Env(moto_endpoint, make_functions(moto_endpoint, sandbox)))
        audited = len(audited_calls(audit))
        plan = (await call_ok(session, scenario.tool, args))["plan"]
        steps = full_steps(plan)
        service = next(service_operation(s)[0] for s in steps if service_operation(s)[1] == operation)
        lost = LostReply(runtime, service, operation, 1, read_timeout(operation))
        outcome = await call_ok(
            session, scenario.tool, {**args, "dry_run": False, "plan_token": plan["token"]}
        )
        again = None if scenario.again is None else await call_ok(session, scenario.tool, args)
    assert lost.lost == 1
    assert "failed" not in outcome, outcome["failed"]
    assert outcome["applied"] == len(steps)
    assert audited_calls(audit)[audited:] == [s["call"] for s in steps]
    assert again is None or "steps" not in again["plan"]
