"""diagnose_error and audit_api through a real MCP session against APIs broken on purpose in moto.

Each scenario breaks one thing and checks the top finding; the product is also
checked on scenarios built the same way that these tests do not show.
"""

from __future__ import annotations

import json
import time
from typing import Any

import boto3
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from apigw_mcp.server.sandbox.ext import SeedInfo

from .conftest import REGION, ClientFactory
from .helpers import FUNCTION, call_ok, preview_and_apply, text_of

pytestmark = pytest.mark.anyio
ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Test123"


def aws(service: Any, endpoint: str) -> Any:
    return boto3.client(service, region_name=REGION, endpoint_url=endpoint)


def token(**claims: Any) -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    body = {"iss": ISSUER, "aud": "client-1", "exp": int(time.time()) + 3600, **claims}
    return jwt.encode(body, key, algorithm="RS256", headers={"kid": "k1"})


def http_api(**extra: Any) -> dict[str, Any]:
    return {
        "name": "shop",
        "routes": [
            {"route_key": "GET /orders", "lambda_arn": FUNCTION},
            {"route_key": "POST /orders", "lambda_arn": FUNCTION, "auth": "jwt", "scopes": ["orders/write"]},
        ],
        "authorizers": [{"name": "jwt", "issuer": ISSUER, "audience": ["client-1"]}],
        **extra,
    }


async def diagnose(session: Any, **args: Any) -> dict[str, Any]:
    return await call_ok(session, "diagnose_error", args)


async def top(session: Any, **args: Any) -> str:
    found = await diagnose(session, **args)
    assert found["findings"], found
    return str(found["findings"][0]["rule_id"])


async def test_http_no_route_is_a_404_finding(client: ClientFactory, sandbox: SeedInfo) -> None:
    async with client() as session:
        api_id = (await preview_and_apply(session, http_api()))["api_id"]
        assert (
            await top(session, api_id=api_id, status=404, method="GET", path="/users")
            == "http-route-not-found"
        )


async def test_missing_lambda_permission(
    client: ClientFactory, sandbox: SeedInfo, moto_endpoint: str
) -> None:
    async with client() as session:
        api_id = (await preview_and_apply(session, http_api()))["api_id"]
        aws("lambda", moto_endpoint).remove_permission(
            FunctionName=FUNCTION, StatementId=f"apigw-mcp-{api_id}"
        )
        found = await diagnose(session, api_id=api_id, status=500, method="GET", path="/orders")
    assert found["findings"][0]["rule_id"] == "lambda-invoke-permission-missing"
    assert found["findings"][0]["fix"]["tool"] == "ensure_lambda_permission"


async def test_jwt_audience_mismatch_never_echoes_the_token(client: ClientFactory, sandbox: SeedInfo) -> None:
    sent = token(aud="other-client")
    async with client() as session:
        api_id = (await preview_and_apply(session, http_api()))["api_id"]
        result = await session.call_tool(
            "diagnose_error",
            {"api_id": api_id, "status": 401, "method": "POST", "path": "/orders", "token": sent},
        )
    assert not result.is_error
    assert result.structured_content is not None
    assert result.structured_content["findings"][0]["rule_id"] == "http-jwt-audience-mismatch"
    assert sent not in text_of(result) and sent not in json.dumps(result.structured_content)


async def test_expired_jwt(client: ClientFactory, sandbox: SeedInfo) -> None:
    async with client() as session:
        api_id = (await preview_and_apply(session, http_api()))["api_id"]
        rule = await top(
            session,
            api_id=api_id,
            status=401,
            method="POST",
            path="/orders",
            token=token(exp=int(time.time()) - 600),
        )
    assert rule == "http-jwt-token-expired"


async def test_missing_scope_is_a_403(client: ClientFactory, sandbox: SeedInfo) -> None:
    async with client() as session:
        api_id = (await preview_and_apply(session, http_api()))["api_id"]
        rule = await top(
            session,
            api_id=api_id,
            status=403,
            method="POST",
            path="/orders",
            token=token(scope="orders/read"),
        )
    assert rule == "http-jwt-insufficient-scope"


async def test_throttling_zero_gives_429(client: ClientFactory, sandbox: SeedInfo) -> None:
    stages = [{"name": "prod", "throttle": {"burst": 0, "rate": 0}}]
    async with client() as session:
        api_id = (await preview_and_apply(session, http_api(stages=stages)))["api_id"]
        assert await top(session, api_id=api_id, status=429, method="GET", path="/prod/orders") == (
            "http-stage-route-throttle-zero"
        )


async def test_cors_not_configured(client: ClientFactory, sandbox: SeedInfo) -> None:
    async with client() as session:
        api_id = (await preview_and_apply(session, http_api()))["api_id"]
        rule = await top(
            session,
            api_id=api_id,
            keyword="cors",
            method="GET",
            path="/orders",
            origin="https://app.example.com",
        )
    assert rule == "http-cors-not-configured"


async def test_no_logs_says_logging_is_off(client: ClientFactory, sandbox: SeedInfo) -> None:
    async with client() as session:
        api_id = (await preview_and_apply(session, http_api()))["api_id"]
        assert await top(session, api_id=api_id, keyword="no-logs", method="GET", path="/orders") == (
            "http-access-logging-not-configured"
        )


def rest_api(endpoint: str) -> str:
    """A REST API with GET /orders (Lambda proxy) deployed to stage prod."""
    apigw = aws("apigateway", endpoint)
    api_id: str = apigw.create_rest_api(name="legacy", endpointConfiguration={"types": ["REGIONAL"]})["id"]
    root = next(r["id"] for r in apigw.get_resources(restApiId=api_id)["items"] if r["path"] == "/")
    orders = apigw.create_resource(restApiId=api_id, parentId=root, pathPart="orders")["id"]
    apigw.put_method(restApiId=api_id, resourceId=orders, httpMethod="GET", authorizationType="NONE")
    uri = f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{FUNCTION}/invocations"
    apigw.put_integration(
        restApiId=api_id,
        resourceId=orders,
        httpMethod="GET",
        type="AWS_PROXY",
        integrationHttpMethod="POST",
        uri=uri,
    )
    apigw.create_deployment(restApiId=api_id, stageName="prod")
    return api_id


async def test_rest_missing_method_is_missing_authentication_token(
    client: ClientFactory, sandbox: SeedInfo, moto_endpoint: str
) -> None:
    api_id = rest_api(moto_endpoint)
    async with client() as session:
        rule = await top(
            session,
            api_id=api_id,
            status=403,
            method="POST",
            path="/prod/orders",
            error_body='{"message":"Missing Authentication Token"}',
        )
    assert rule == "rest-missing-resource-or-method"


async def test_rest_wrong_stage(client: ClientFactory, sandbox: SeedInfo, moto_endpoint: str) -> None:
    api_id = rest_api(moto_endpoint)
    async with client() as session:
        found = await diagnose(
            session,
            api_id=api_id,
            status=403,
            method="GET",
            path="/production/orders",
            error_body='{"message":"Missing Authentication Token"}',
        )
    assert [f["rule_id"] for f in found["findings"]][:1] == ["wrong-stage-in-url"]
    assert "production" in found["assumed"]


async def test_diagnose_rejects_bad_input(client: ClientFactory, sandbox: SeedInfo) -> None:
    async with client() as session:
        api_id = (await preview_and_apply(session, http_api()))["api_id"]
        bad_token = await session.call_tool("diagnose_error", {"api_id": api_id, "token": "not.a.jwt-secret"})
        unknown = await session.call_tool("diagnose_error", {"api_id": "nope"})
    assert bad_token.is_error and "token" in text_of(bad_token) and "jwt-secret" not in text_of(bad_token)
    assert unknown.is_error and "list_apis" in text_of(unknown)


async def test_an_unknown_keyword_is_a_hint_not_an_error(client: ClientFactory, sandbox: SeedInfo) -> None:
    async with client() as session:
        api_id = (await preview_and_apply(session, http_api()))["api_id"]
        args = {"api_id": api_id, "status": 404, "method": "GET", "path": "/users"}
        unknown = await call_ok(session, "diagnose_error", {**args, "keyword": "broken"})
        misspelt = await call_ok(session, "diagnose_error", {**args, "keyword": "timeouts"})
        without = await call_ok(session, "diagnose_error", args)
    assert "keyword 'broken' is not one I know (cors, timeout," in unknown["assumed"]
    assert "diagnosed from the other fields" in unknown["assumed"]
    assert unknown["findings"] == without["findings"]
    assert "keyword 'timeouts' taken as 'timeout'" in misspelt["assumed"]


async def test_a_401_without_the_token_asks_for_it(client: ClientFactory, sandbox: SeedInfo) -> None:
    async with client() as session:
        api_id = (await preview_and_apply(session, http_api()))["api_id"]
        args = {"api_id": api_id, "status": 401, "method": "POST", "path": "/orders"}
        blind = await call_ok(session, "diagnose_error", {**args, "error_body": '{"message":"Unauthorized"}'})
        told = await call_ok(session, "diagnose_error", {**args, "token": token(aud="someone-else")})
    assert "pass the failing request's token as `token`" in blind["next_checks"][0]
    assert "its claims as `claims`" in blind["next_checks"][0]
    assert all(f["confidence"] < 0.5 for f in blind["findings"]), blind["findings"]
    assert told["findings"][0]["rule_id"] == "http-jwt-audience-mismatch"
    assert told["findings"][0]["confidence"] >= 0.9
    assert not any("`token`" in check for check in told.get("next_checks", []))


async def test_audit_finds_open_routes_no_logs_and_broad_permissions(
    client: ClientFactory, sandbox: SeedInfo, moto_endpoint: str
) -> None:
    aws("lambda", moto_endpoint).add_permission(
        FunctionName=FUNCTION,
        StatementId="any-api",
        Action="lambda:InvokeFunction",
        Principal="apigateway.amazonaws.com",
    )
    async with client() as session:
        api_id = (await preview_and_apply(session, http_api()))["api_id"]
        audited = await call_ok(session, "audit_api", {"api_id": api_id})
        everything = await call_ok(session, "audit_api", {})
    rules = {f["rule_id"] for f in audited["apis"][0]["findings"]}
    assert {
        "audit-route-without-authorization",
        "audit-access-logging-off",
        "audit-lambda-permission-broader-than-api",
        "audit-no-throttling",
    } <= rules
    assert [a["api_id"] for a in everything["apis"]] == [api_id]


async def test_audit_reads_custom_domain_mappings(
    client: ClientFactory, sandbox: SeedInfo, moto_endpoint: str
) -> None:
    async with client() as session:
        api_id = (await preview_and_apply(session, http_api()))["api_id"]
        v2 = aws("apigatewayv2", moto_endpoint)
        v2.create_domain_name(
            DomainName="api.example.com", DomainNameConfigurations=[{"SecurityPolicy": "TLS_1_0"}]
        )
        v2.create_api_mapping(DomainName="api.example.com", ApiId=api_id, Stage="$default")
        audited = await call_ok(session, "audit_api", {"api_id": api_id})
    rules = {f["rule_id"] for f in audited["apis"][0]["findings"]}
    assert {"audit-default-endpoint-with-custom-domain", "audit-tls-1-0"} <= rules
