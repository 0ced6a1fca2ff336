"""list_functions shows what the Lambda scope allows; describe_api and the change tools take a name or id."""

from __future__ import annotations

import io
import zipfile

import boto3
import pytest

from apigw_mcp.server.sandbox.ext import SeedInfo

from .conftest import REGION, ClientFactory
from .helpers import FUNCTION, call_ok, orders_request, preview_and_apply, text_of

pytestmark = pytest.mark.anyio


def _function(endpoint: str, role: str, name: str) -> str:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("app.py", "def handler(event, context):\n    return {}\n")
    lam = boto3.client("lambda", region_name=REGION, endpoint_url=endpoint)
    made = lam.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=role,
        Handler="app.handler",
        Code={"ZipFile": archive.getvalue()},
    )
    return str(made["FunctionArn"])


async def test_list_functions_shows_only_the_allowed_functions(
    client: ClientFactory, sandbox: SeedInfo, moto_endpoint: str
) -> None:
    orders = _function(moto_endpoint, sandbox.role_arn, "orders-api")
    _function(moto_endpoint, sandbox.role_arn, "payments-core")
    async with client() as session:
        everything = await call_ok(session, "list_functions", {})
        filtered = await call_ok(session, "list_functions", {"name_contains": "ORDERS"})
    async with client(lambda_arns=[orders.replace("orders-api", "orders-*")]) as session:
        narrow = await call_ok(session, "list_functions", {})
    assert [f["name"] for f in everything["functions"]] == [
        "apigw-mcp-sandbox-fn",
        "orders-api",
        "payments-core",
    ]
    assert everything["functions"][0] == {
        "name": "apigw-mcp-sandbox-fn",
        "arn": FUNCTION,
        "runtime": "python3.12",
        "last_modified": everything["functions"][0]["last_modified"],
    }
    assert [f["arn"] for f in filtered["functions"]] == [orders]
    assert [f["name"] for f in narrow["functions"]] == ["orders-api"]


async def test_an_api_is_named_by_id_or_name_everywhere(client: ClientFactory, sandbox: SeedInfo) -> None:
    async with client() as session:
        built = await preview_and_apply(session, orders_request())
        by_name = await call_ok(session, "describe_api", {"api_id": "orders"})
        by_id = await call_ok(session, "describe_api", {"api_id": built["api_id"]})
        route = {"route_key": "POST /orders", "lambda_arn": FUNCTION}
        added = await preview_and_apply(session, {"api_id": "orders", "route": route}, tool="add_route")
        missing = await session.call_tool("describe_api", {"api_id": "no-such-api"})
    assert by_name == by_id and added["api_id"] == built["api_id"]
    assert missing.is_error and "list_apis shows what exists" in text_of(missing)
    assert by_name["name"] == "orders"
