"""diagnose_error ranked against broken-API scenarios spread across the catalogue's families and API types.

Each scenario builds an API on the moto sandbox the way a user would, breaks one thing the way it breaks in
real life, then asks diagnose_error with only what the user would report (status, method, the path as the
client sent it, the error body or message seen, origin, token). The expected catalogue rule must rank in the
top 3 for every scenario; the summary test prints the top-1 accuracy across all of them (target >= 90%).
"""

from __future__ import annotations

import contextlib
import io
import json
import time
import urllib.request
import zipfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import boto3
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from apigw_mcp.server.sandbox.ext import SeedInfo, seed
from apigw_mcp.tools.engine.scope import MANAGED_TAG

from .conftest import ACCOUNT, REGION, ClientFactory
from .helpers import FUNCTION, call_ok, preview_and_apply, text_of

pytestmark = pytest.mark.anyio

ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Test123"
OTHER_ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other99"
AUTH0 = "https://shop.eu.auth0.com"
ORIGIN = "https://app.example.com"
LAMBDA_URI = "arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{arn}/invocations"
ISE_REST = '{"message": "Internal server error"}'
ISE_HTTP = '{"message":"Internal Server Error"}'
MAT = '{"message":"Missing Authentication Token"}'
FORBIDDEN = '{"message":"Forbidden"}'
UNAUTHORIZED = '{"message":"Unauthorized"}'
ANONYMOUS = "User: anonymous is not authorized to perform: execute-api:Invoke on resource:"
_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


# ---- plumbing ----------------------------------------------------------------------------------------


def aws(service: Any, endpoint: str) -> Any:
    return boto3.client(service, region_name=REGION, endpoint_url=endpoint)


@dataclass
class Ctx:
    """One scenario's sandbox: the MCP session, moto's endpoint and the seeded role and function."""

    session: Any
    endpoint: str
    seed: SeedInfo

    def client(self, service: str) -> Any:
        return aws(service, self.endpoint)


Build = Callable[[Ctx], Awaitable[dict[str, Any]]]


@dataclass(frozen=True)
class Scenario:
    id: str
    expected: str
    build: Build


SCENARIOS: list[Scenario] = []
XFAIL: dict[str, str] = {}  # scenario id -> why the expected rule is not in the top 3 (see the report)


def scenario(expected: str, scenario_id: str = "") -> Callable[[Build], Build]:
    def register(build: Build) -> Build:
        SCENARIOS.append(Scenario(scenario_id or build.__name__.removeprefix("s_"), expected, build))
        return build

    return register


def token(**claims: Any) -> str:
    body = {"iss": ISSUER, "aud": "client-1", "exp": int(time.time()) + 3600, **claims}
    body = {k: v for k, v in body.items() if v is not None}
    return jwt.encode(body, _KEY, algorithm="RS256", headers={"kid": "k1"})


def function_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", "def handler(event, context):\n    return {'statusCode': 200}\n")
    return buffer.getvalue()


def new_function(ctx: Ctx, name: str, timeout: int = 3) -> str:
    created = ctx.client("lambda").create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=ctx.seed.role_arn,
        Handler="app.handler",
        Code={"ZipFile": function_zip()},
        Timeout=timeout,
    )
    return str(created["FunctionArn"])


def allow_apigw(ctx: Ctx, function: str, source_arn: str, sid: str = "apigw-invoke") -> None:
    ctx.client("lambda").add_permission(
        FunctionName=function,
        StatementId=sid,
        Action="lambda:InvokeFunction",
        Principal="apigateway.amazonaws.com",
        SourceArn=source_arn,
    )


def put_logs(ctx: Ctx, group: str, lines: list[str]) -> None:
    """Log lines as API Gateway writes them, stamped now (diagnose reads the last hour)."""
    logs = ctx.client("logs")
    with contextlib.suppress(logs.exceptions.ResourceAlreadyExistsException):
        logs.create_log_group(logGroupName=group)
    if not lines:
        return
    logs.create_log_stream(logGroupName=group, logStreamName="s1")
    now = int(time.time() * 1000)
    events = [{"timestamp": now - 1000 + i, "message": line} for i, line in enumerate(lines)]
    logs.put_log_events(logGroupName=group, logStreamName="s1", logEvents=events)


def access_line(status: int, route: str, **fields: str) -> str:
    return json.dumps(
        {
            "requestId": "Ab1Cd2Ef3Gh4=",
            "ip": "203.0.113.7",
            "requestTime": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime()),
            "routeKey": route,
            "status": str(status),
            **fields,
        }
    )


# ---- HTTP APIs (built with our own create_http_api tool) ------------------------------------------------


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


async def create_http(ctx: Ctx, args: dict[str, Any]) -> str:
    return str((await preview_and_apply(ctx.session, args))["api_id"])


def log_arn(group: str) -> str:
    return f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{group}"


# ---- REST APIs (plain boto3, as most REST APIs are built) ----------------------------------------------


@dataclass
class Rest:
    ctx: Ctx
    api_id: str
    root: str

    @property
    def apigw(self) -> Any:
        return self.ctx.client("apigateway")

    def resource(self, path: str) -> str:
        parent = self.root
        current = ""
        for part in [p for p in path.split("/") if p]:
            current += "/" + part
            found = [
                r for r in self.apigw.get_resources(restApiId=self.api_id)["items"] if r["path"] == current
            ]
            parent = (
                found[0]["id"]
                if found
                else self.apigw.create_resource(restApiId=self.api_id, parentId=parent, pathPart=part)["id"]
            )
        return parent

    def lambda_method(
        self, path: str, verb: str = "GET", function: str = FUNCTION, proxy: bool = True, **method: Any
    ) -> str:
        resource = self.resource(path)
        self.apigw.put_method(
            restApiId=self.api_id,
            resourceId=resource,
            httpMethod=verb,
            **{"authorizationType": "NONE", **method},
        )
        self.apigw.put_integration(
            restApiId=self.api_id,
            resourceId=resource,
            httpMethod=verb,
            type="AWS_PROXY" if proxy else "AWS",
            integrationHttpMethod="POST",
            uri=LAMBDA_URI.format(region=REGION, arn=function),
        )
        return resource

    def http_method(self, path: str, url: str, verb: str = "GET") -> str:
        resource = self.resource(path)
        self.apigw.put_method(
            restApiId=self.api_id, resourceId=resource, httpMethod=verb, authorizationType="NONE"
        )
        self.apigw.put_integration(
            restApiId=self.api_id,
            resourceId=resource,
            httpMethod=verb,
            type="HTTP_PROXY",
            integrationHttpMethod=verb,
            uri=url,
        )
        return resource

    def deploy(self, stage: str = "prod") -> None:
        self.apigw.create_deployment(restApiId=self.api_id, stageName=stage)

    def patch_stage(self, *ops: tuple[str, str], stage: str = "prod") -> None:
        self.apigw.update_stage(
            restApiId=self.api_id,
            stageName=stage,
            patchOperations=[{"op": "replace", "path": p, "value": v} for p, v in ops],
        )

    def execution_logs(self, lines: list[str], stage: str = "prod") -> None:
        self.patch_stage(("/*/*/logging/loglevel", "INFO"), stage=stage)
        put_logs(self.ctx, f"API-Gateway-Execution-Logs_{self.api_id}/{stage}", lines)

    def arn(self, rest: str = "*") -> str:
        return f"arn:aws:execute-api:{REGION}:{ACCOUNT}:{self.api_id}/{rest}"


def rest_api(ctx: Ctx, name: str = "legacy", permit: bool = True) -> Rest:
    """A REST API with GET /orders (Lambda proxy) whose function API Gateway may invoke (not yet deployed)."""
    apigw = ctx.client("apigateway")
    api_id = apigw.create_rest_api(name=name, endpointConfiguration={"types": ["REGIONAL"]})["id"]
    root = next(r["id"] for r in apigw.get_resources(restApiId=api_id)["items"] if r["path"] == "/")
    rest = Rest(ctx, str(api_id), str(root))
    rest.lambda_method("/orders")
    if permit:
        allow_apigw(ctx, FUNCTION, rest.arn())
    return rest


def policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


# ---- routing, stages, deployments ----------------------------------------------------------------------


@scenario("http-route-not-found")
async def s_http_named_stage_unknown_route(ctx: Ctx) -> dict[str, Any]:
    api = await create_http(ctx, http_api(stages=[{"name": "prod"}], default_stage=False))
    return {
        "api_id": api,
        "status": 404,
        "method": "GET",
        "path": "/prod/customers",
        "error_body": '{"message":"Not Found"}',
    }


@scenario("wrong-stage-in-url")
async def s_http_stage_segment_on_default_stage(ctx: Ctx) -> dict[str, Any]:
    api = await create_http(ctx, http_api())
    return {
        "api_id": api,
        "status": 404,
        "method": "GET",
        "path": "/prod/orders",
        "error_body": '{"message":"Not Found"}',
    }


@scenario("v2-stage-not-deployed")
async def s_http_route_added_after_manual_deploy(ctx: Ctx) -> dict[str, Any]:
    api = await create_http(
        ctx, http_api(stages=[{"name": "prod", "auto_deploy": False}], default_stage=False)
    )
    v2 = ctx.client("apigatewayv2")
    target = next(r["Target"] for r in v2.get_routes(ApiId=api)["Items"] if r["RouteKey"] == "GET /orders")
    v2.create_route(ApiId=api, RouteKey="GET /customers", Target=target)
    return {
        "api_id": api,
        "status": 404,
        "method": "GET",
        "path": "/prod/customers",
        "error_body": '{"message":"Not Found"}',
    }


@scenario("rest-missing-resource-or-method")
async def s_rest_unknown_child_resource(ctx: Ctx) -> dict[str, Any]:
    rest = rest_api(ctx)
    rest.deploy()
    return {
        "api_id": rest.api_id,
        "status": 403,
        "method": "GET",
        "path": "/prod/orders/42/items",
        "error_body": MAT,
    }


@scenario("wrong-stage-in-url")
async def s_rest_calls_dev_stage(ctx: Ctx) -> dict[str, Any]:
    rest = rest_api(ctx)
    rest.deploy("v1")
    url = f"https://{rest.api_id}.execute-api.{REGION}.amazonaws.com/dev/orders"
    return {"api_id": rest.api_id, "status": 403, "method": "GET", "path": url, "error_body": MAT}


@scenario("rest-changes-not-deployed")
async def s_rest_method_added_after_deploy(ctx: Ctx) -> dict[str, Any]:
    rest = rest_api(ctx)
    rest.deploy()
    rest.lambda_method("/customers")
    return {
        "api_id": rest.api_id,
        "status": 403,
        "method": "GET",
        "path": "/prod/customers",
        "error_body": MAT,
    }


@scenario("execute-api-endpoint-disabled")
async def s_http_default_endpoint_disabled(ctx: Ctx) -> dict[str, Any]:
    api = await create_http(ctx, http_api())
    ctx.client("apigatewayv2").update_api(ApiId=api, DisableExecuteApiEndpoint=True)
    url = f"https://{api}.execute-api.{REGION}.amazonaws.com/orders"
    return {"api_id": api, "status": 403, "method": "GET", "path": url, "error_body": FORBIDDEN}


# ---- auth: JWT authorizers -----------------------------------------------------------------------------


@scenario("http-jwt-audience-mismatch")
async def s_jwt_token_for_another_app(ctx: Ctx) -> dict[str, Any]:
    api = await create_http(ctx, http_api())
    return {
        "api_id": api,
        "status": 401,
        "method": "POST",
        "path": "/orders",
        "error_body": UNAUTHORIZED,
        "token": token(aud=["mobile-app", "admin-app"], scope="orders/write"),
    }


@scenario("http-jwt-cognito-access-token-client-id")
async def s_jwt_cognito_access_token_has_no_aud(ctx: Ctx) -> dict[str, Any]:
    api = await create_http(ctx, http_api())
    sent = token(aud=None, client_id="7f3kq2m9abcdexyz12345678", token_use="access", scope="orders/write")
    return {"api_id": api, "status": 401, "method": "POST", "path": "/orders", "token": sent}


@scenario("http-jwt-issuer-mismatch")
async def s_jwt_token_from_other_user_pool(ctx: Ctx) -> dict[str, Any]:
    api = await create_http(ctx, http_api())
    sent = token(iss=OTHER_ISSUER, scope="orders/write")
    return {
        "api_id": api,
        "status": 401,
        "method": "POST",
        "path": "/orders",
        "error_body": UNAUTHORIZED,
        "token": sent,
    }


@scenario("http-jwt-token-expired")
async def s_jwt_expired_reported_by_header(ctx: Ctx) -> dict[str, Any]:
    api = await create_http(ctx, http_api())
    said = 'www-authenticate: Bearer scope="" error="invalid_token" error_description="the token has expired"'
    return {
        "api_id": api,
        "status": 401,
        "method": "POST",
        "path": "/orders",
        "error_body": UNAUTHORIZED,
        "message": said,
    }


@scenario("http-jwt-insufficient-scope")
async def s_jwt_read_scope_on_write_route(ctx: Ctx) -> dict[str, Any]:
    api = await create_http(ctx, http_api())
    sent = token(scope="orders/read profile", token_use="access")
    return {
        "api_id": api,
        "status": 403,
        "method": "POST",
        "path": "/orders",
        "error_body": FORBIDDEN,
        "token": sent,
    }


@scenario("http-jwt-missing-or-malformed-header")
async def s_jwt_custom_header_not_sent(ctx: Ctx) -> dict[str, Any]:
    authorizer = {
        "name": "jwt",
        "issuer": AUTH0,
        "audience": ["https://api.shop"],
        "identity_source": ["$request.header.X-Auth-Token"],
    }
    api = await create_http(ctx, http_api(authorizers=[authorizer]))
    return {"api_id": api, "status": 401, "method": "POST", "path": "/orders", "error_body": UNAUTHORIZED}


# ---- auth: Lambda authorizers --------------------------------------------------------------------------


async def lambda_authorized_http(ctx: Ctx, **authorizer: Any) -> tuple[str, str]:
    fn = new_function(ctx, "shop-authorizer")
    args = {
        "name": "shop",
        "routes": [{"route_key": "GET /orders", "lambda_arn": FUNCTION, "auth": "gate"}],
        "authorizers": [{"name": "gate", "function_arn": fn, **authorizer}],
    }
    return await create_http(ctx, args), fn


@scenario("lambda-authorizer-identity-source-missing")
async def s_http_lambda_authorizer_header_not_sent(ctx: Ctx) -> dict[str, Any]:
    api, _ = await lambda_authorized_http(
        ctx, identity_source=["$request.header.X-Api-Token"], simple_responses=True
    )
    return {"api_id": api, "status": 401, "method": "GET", "path": "/orders", "error_body": UNAUTHORIZED}


@scenario("lambda-authorizer-invoke-permission-missing")
async def s_http_lambda_authorizer_permission_removed(ctx: Ctx) -> dict[str, Any]:
    api, fn = await lambda_authorized_http(ctx, simple_responses=True)
    ctx.client("lambda").remove_permission(FunctionName=fn, StatementId=f"apigw-mcp-{api}")
    return {"api_id": api, "status": 500, "method": "GET", "path": "/orders", "error_body": ISE_HTTP}


@scenario("lambda-authorizer-invoke-permission-missing")
async def s_rest_token_authorizer_permission_for_methods_only(ctx: Ctx) -> dict[str, Any]:
    rest = rest_api(ctx)
    fn = new_function(ctx, "legacy-authorizer")
    authorizer = rest.apigw.create_authorizer(
        restApiId=rest.api_id,
        name="token",
        type="TOKEN",
        authorizerUri=LAMBDA_URI.format(region=REGION, arn=fn),
        identitySource="method.request.header.Authorization",
    )["id"]
    rest.lambda_method("/invoices", authorizationType="CUSTOM", authorizerId=authorizer)
    allow_apigw(
        ctx, fn, rest.arn("*/GET/*")
    )  # copied from the integration's permission: wrong for authorizers
    rest.deploy()
    return {
        "api_id": rest.api_id,
        "status": 500,
        "method": "GET",
        "path": "/prod/invoices",
        "error_body": '{"message": null}',
        "error_type": "AuthorizerConfigurationException",
    }


@scenario("lambda-authorizer-returned-deny")
async def s_rest_request_authorizer_denies(ctx: Ctx) -> dict[str, Any]:
    rest = rest_api(ctx)
    fn = new_function(ctx, "legacy-authorizer")
    authorizer = rest.apigw.create_authorizer(
        restApiId=rest.api_id,
        name="req",
        type="REQUEST",
        authorizerUri=LAMBDA_URI.format(region=REGION, arn=fn),
        identitySource="method.request.header.Authorization",
        authorizerResultTtlInSeconds=0,
    )["id"]
    rest.lambda_method("/invoices", authorizationType="CUSTOM", authorizerId=authorizer)
    allow_apigw(ctx, fn, rest.arn(f"authorizers/{authorizer}"), sid="authz")
    rest.deploy()
    body = '{"Message":"User is not authorized to access this resource with an explicit deny"}'
    return {
        "api_id": rest.api_id,
        "status": 403,
        "method": "GET",
        "path": "/prod/invoices",
        "error_body": body,
    }


@scenario("ws-connect-authorizer-rejects")
async def s_ws_connect_authorizer_header_from_browser(ctx: Ctx) -> dict[str, Any]:
    api = websocket_api(ctx)
    v2 = ctx.client("apigatewayv2")
    fn = new_function(ctx, "chat-authorizer")
    authorizer = v2.create_authorizer(
        ApiId=api,
        AuthorizerType="REQUEST",
        AuthorizerUri=LAMBDA_URI.format(region=REGION, arn=fn),
        IdentitySource=["route.request.header.Authorization"],
        Name="gate",
    )["AuthorizerId"]
    connect = next(r for r in v2.get_routes(ApiId=api)["Items"] if r["RouteKey"] == "$connect")
    v2.update_route(
        ApiId=api, RouteId=connect["RouteId"], AuthorizationType="CUSTOM", AuthorizerId=authorizer
    )
    allow_apigw(ctx, fn, f"arn:aws:execute-api:{REGION}:{ACCOUNT}:{api}/*", sid="authz")
    return {
        "api_id": api,
        "status": 401,
        "path": f"wss://{api}.execute-api.{REGION}.amazonaws.com/prod",
        "message": "WebSocket connection failed: Unexpected server response: 401",
    }


# ---- auth: resource policies, IAM, Cognito (REST) -------------------------------------------------------


@scenario("rest-resource-policy-explicit-deny")
async def s_rest_policy_denies_outside_office_ip(ctx: Ctx) -> dict[str, Any]:
    rest = rest_api(ctx)
    allow = {
        "Effect": "Allow",
        "Principal": "*",
        "Action": "execute-api:Invoke",
        "Resource": "execute-api:/*",
    }
    deny = {**allow, "Effect": "Deny", "Condition": {"NotIpAddress": {"aws:SourceIp": ["198.51.100.0/24"]}}}
    rest.apigw.update_rest_api(
        restApiId=rest.api_id,
        patchOperations=[{"op": "replace", "path": "/policy", "value": policy(allow, deny)}],
    )
    rest.deploy()
    arn = rest.arn("prod/GET/orders")
    body = json.dumps({"Message": f"{ANONYMOUS} {arn} with an explicit deny"})
    return {"api_id": rest.api_id, "status": 403, "method": "GET", "path": "/prod/orders", "error_body": body}


@scenario("rest-resource-policy-implicit-deny")
async def s_rest_policy_allows_other_paths_only(ctx: Ctx) -> dict[str, Any]:
    rest = rest_api(ctx)
    allow = {
        "Effect": "Allow",
        "Principal": "*",
        "Action": "execute-api:Invoke",
        "Resource": rest.arn("prod/GET/health"),
    }
    rest.apigw.update_rest_api(
        restApiId=rest.api_id, patchOperations=[{"op": "replace", "path": "/policy", "value": policy(allow)}]
    )
    rest.deploy()
    body = json.dumps({"Message": f"{ANONYMOUS} {rest.arn('prod/GET/orders')}"})
    return {"api_id": rest.api_id, "status": 403, "method": "GET", "path": "/prod/orders", "error_body": body}


@scenario("rest-iam-method-unsigned-request")
async def s_rest_iam_method_called_with_curl(ctx: Ctx) -> dict[str, Any]:
    rest = rest_api(ctx)
    rest.lambda_method("/reports", authorizationType="AWS_IAM")
    rest.deploy()
    return {"api_id": rest.api_id, "status": 403, "method": "GET", "path": "/prod/reports", "error_body": MAT}


@scenario("rest-cognito-user-pool-mismatch")
async def s_rest_cognito_token_from_staging_pool(ctx: Ctx) -> dict[str, Any]:
    rest = rest_api(ctx)
    authorizer = rest.apigw.create_authorizer(
        restApiId=rest.api_id,
        name="pool",
        type="COGNITO_USER_POOLS",
        providerARNs=[f"arn:aws:cognito-idp:{REGION}:{ACCOUNT}:userpool/us-east-1_Test123"],
        identitySource="method.request.header.Authorization",
    )["id"]
    rest.lambda_method("/profile", authorizationType="COGNITO_USER_POOLS", authorizerId=authorizer)
    rest.deploy()
    sent = token(iss=OTHER_ISSUER, token_use="id", aud="client-1")
    return {
        "api_id": rest.api_id,
        "status": 401,
        "method": "GET",
        "path": "/prod/profile",
        "error_body": UNAUTHORIZED,
        "token": sent,
    }


# ---- API keys, usage plans, throttling -----------------------------------------------------------------


def keyed_rest(ctx: Ctx, *, link: bool = True, enabled: bool = True, **plan: Any) -> Rest:
    rest = rest_api(ctx)
    rest.lambda_method("/catalog", apiKeyRequired=True)
    rest.deploy()
    key = rest.apigw.create_api_key(name="partner", enabled=enabled)["id"]
    plan_id = rest.apigw.create_usage_plan(
        name="partners", apiStages=[{"apiId": rest.api_id, "stage": "prod"}], **plan
    )["id"]
    if link:
        rest.apigw.create_usage_plan_key(usagePlanId=plan_id, keyId=key, keyType="API_KEY")
    return rest


@scenario("rest-api-key-missing-or-unknown")
async def s_rest_api_key_header_not_sent(ctx: Ctx) -> dict[str, Any]:
    rest = keyed_rest(ctx)
    return {
        "api_id": rest.api_id,
        "status": 403,
        "method": "GET",
        "path": "/prod/catalog",
        "error_body": FORBIDDEN,
    }


@scenario("rest-api-key-not-linked-to-stage")
async def s_rest_new_key_never_added_to_plan(ctx: Ctx) -> dict[str, Any]:
    rest = keyed_rest(ctx, link=False)
    return {
        "api_id": rest.api_id,
        "status": 403,
        "method": "GET",
        "path": "/prod/catalog",
        "error_body": FORBIDDEN,
    }


@scenario("rest-api-key-disabled")
async def s_rest_only_key_disabled(ctx: Ctx) -> dict[str, Any]:
    rest = keyed_rest(ctx, enabled=False)
    return {
        "api_id": rest.api_id,
        "status": 403,
        "method": "GET",
        "path": "/prod/catalog",
        "error_body": FORBIDDEN,
    }


@scenario("rest-usage-plan-quota-exceeded")
async def s_rest_daily_quota_used_up(ctx: Ctx) -> dict[str, Any]:
    rest = keyed_rest(
        ctx, quota={"limit": 100, "period": "DAY"}, throttle={"rateLimit": 50.0, "burstLimit": 100}
    )
    return {
        "api_id": rest.api_id,
        "status": 429,
        "method": "GET",
        "path": "/prod/catalog",
        "error_body": '{"message":"Limit Exceeded"}',
    }


@scenario("rest-usage-plan-throttle-exceeded")
async def s_rest_plan_throttle_too_low(ctx: Ctx) -> dict[str, Any]:
    rest = keyed_rest(ctx, throttle={"rateLimit": 1.0, "burstLimit": 1})
    return {
        "api_id": rest.api_id,
        "status": 429,
        "method": "GET",
        "path": "/prod/catalog",
        "error_body": '{"message":"Too Many Requests"}',
    }


@scenario("rest-stage-method-throttle-too-low")
async def s_rest_stage_throttled_to_one_rps(ctx: Ctx) -> dict[str, Any]:
    rest = rest_api(ctx)
    rest.deploy()
    rest.patch_stage(("/*/*/throttling/rateLimit", "1"), ("/*/*/throttling/burstLimit", "2"))
    return {
        "api_id": rest.api_id,
        "status": 429,
        "method": "GET",
        "path": "/prod/orders",
        "error_body": '{"message":"Too Many Requests"}',
    }


@scenario("http-stage-route-throttle-zero")
async def s_http_route_throttle_zero(ctx: Ctx) -> dict[str, Any]:
    stage = {"name": "prod", "route_throttle": {"GET /orders": {"burst": 0, "rate": 0}}}
    api = await create_http(ctx, http_api(stages=[stage], default_stage=False))
    return {
        "api_id": api,
        "status": 429,
        "method": "GET",
        "path": "/prod/orders",
        "error_body": '{"message":"Too Many Requests"}',
    }


# ---- CORS ----------------------------------------------------------------------------------------------


@scenario("http-cors-config-overrides-backend")
async def s_http_cors_origin_not_listed(ctx: Ctx) -> dict[str, Any]:
    api = await create_http(ctx, http_api(cors={"allow_origins": [ORIGIN], "allow_methods": ["GET", "POST"]}))
    return {
        "api_id": api,
        "keyword": "cors",
        "method": "GET",
        "path": "/orders",
        "origin": "https://admin.example.com",
        "message": "No 'Access-Control-Allow-Origin' header is present on the requested resource.",
    }


@scenario("http-cors-preflight-hits-authorizer")
async def s_http_default_route_with_jwt_no_cors(ctx: Ctx) -> dict[str, Any]:
    v2 = ctx.client("apigatewayv2")
    api = str(v2.create_api(Name="spa-backend", ProtocolType="HTTP")["ApiId"])
    integration = v2.create_integration(
        ApiId=api,
        IntegrationType="AWS_PROXY",
        IntegrationUri=FUNCTION,
        PayloadFormatVersion="2.0",
    )["IntegrationId"]
    authorizer = v2.create_authorizer(
        ApiId=api,
        AuthorizerType="JWT",
        IdentitySource=["$request.header.Authorization"],
        JwtConfiguration={"Issuer": ISSUER, "Audience": ["client-1"]},
        Name="jwt",
    )["AuthorizerId"]
    v2.create_route(
        ApiId=api,
        RouteKey="$default",
        Target=f"integrations/{integration}",
        AuthorizationType="JWT",
        AuthorizerId=authorizer,
    )
    v2.create_stage(ApiId=api, StageName="$default", AutoDeploy=True)
    allow_apigw(ctx, FUNCTION, f"arn:aws:execute-api:{REGION}:{ACCOUNT}:{api}/*")
    said = "Response to preflight request doesn't pass access control check: It does not have HTTP ok status."
    return {
        "api_id": api,
        "status": 401,
        "method": "OPTIONS",
        "path": "/orders",
        "origin": ORIGIN,
        "message": said,
    }


@scenario("rest-cors-options-method-missing")
async def s_rest_preflight_without_options_method(ctx: Ctx) -> dict[str, Any]:
    rest = rest_api(ctx)
    rest.lambda_method("/orders", verb="POST")
    rest.deploy()
    said = (
        "Access to fetch has been blocked by CORS policy: "
        "Response to preflight request doesn't pass access control check"
    )
    return {
        "api_id": rest.api_id,
        "keyword": "cors",
        "method": "POST",
        "path": "/prod/orders",
        "origin": ORIGIN,
        "message": said,
    }


@scenario("rest-cors-response-missing-allow-origin")
async def s_rest_nonproxy_response_without_origin_header(ctx: Ctx) -> dict[str, Any]:
    rest = rest_api(ctx)
    resource = rest.lambda_method("/prices", proxy=False)
    ids = {"restApiId": rest.api_id, "resourceId": resource, "httpMethod": "GET", "statusCode": "200"}
    rest.apigw.put_method_response(**ids)
    rest.apigw.put_integration_response(**ids, selectionPattern="")
    rest.apigw.put_method(
        restApiId=rest.api_id, resourceId=resource, httpMethod="OPTIONS", authorizationType="NONE"
    )
    rest.apigw.put_integration(
        restApiId=rest.api_id,
        resourceId=resource,
        httpMethod="OPTIONS",
        type="MOCK",
        requestTemplates={"application/json": '{"statusCode": 200}'},
    )
    rest.deploy()
    said = "No 'Access-Control-Allow-Origin' header is present on the requested resource."
    return {
        "api_id": rest.api_id,
        "keyword": "cors",
        "status": 200,
        "method": "GET",
        "path": "/prod/prices",
        "origin": ORIGIN,
        "message": said,
    }


@scenario("rest-cors-gateway-responses-missing-headers")
async def s_rest_cors_error_hides_a_502(ctx: Ctx) -> dict[str, Any]:
    rest = rest_api(ctx)
    rest.apigw.put_gateway_response(
        restApiId=rest.api_id,
        responseType="DEFAULT_4XX",
        responseParameters={"gatewayresponse.header.Access-Control-Allow-Origin": "'*'"},
    )
    rest.deploy()
    said = "No 'Access-Control-Allow-Origin' header is present on the requested resource. net::ERR_FAILED 504"
    return {
        "api_id": rest.api_id,
        "keyword": "cors",
        "status": 504,
        "method": "GET",
        "path": "/prod/orders",
        "origin": ORIGIN,
        "message": said,
    }


# ---- Lambda integrations -------------------------------------------------------------------------------


@scenario("lambda-invoke-permission-missing")
async def s_rest_lambda_permission_never_added(ctx: Ctx) -> dict[str, Any]:
    rest = rest_api(ctx, permit=False)
    rest.deploy()
    return {
        "api_id": rest.api_id,
        "status": 500,
        "method": "GET",
        "path": "/prod/orders",
        "error_body": ISE_REST,
    }


@scenario("lambda-permission-source-arn-mismatch")
async def s_http_permission_copied_from_old_api(ctx: Ctx) -> dict[str, Any]:
    api = await create_http(ctx, http_api())
    lam = ctx.client("lambda")
    lam.remove_permission(FunctionName=FUNCTION, StatementId=f"apigw-mcp-{api}")
    allow_apigw(ctx, FUNCTION, f"arn:aws:execute-api:{REGION}:{ACCOUNT}:oldapi1234/*/*/orders")
    return {"api_id": api, "status": 500, "method": "GET", "path": "/orders", "error_body": ISE_HTTP}


@scenario("lambda-permission-source-arn-mismatch")
async def s_rest_permission_scoped_to_test_stage(ctx: Ctx) -> dict[str, Any]:
    rest = rest_api(ctx, permit=False)
    allow_apigw(ctx, FUNCTION, rest.arn("test/GET/orders"))
    rest.deploy()
    return {
        "api_id": rest.api_id,
        "status": 500,
        "method": "GET",
        "path": "/prod/orders",
        "error_body": ISE_REST,
    }


@scenario("lambda-integration-function-not-found")
async def s_http_function_deleted(ctx: Ctx) -> dict[str, Any]:
    fn = new_function(ctx, "orders-v2")
    api = await create_http(ctx, {"name": "shop", "routes": [{"route_key": "GET /orders", "lambda_arn": fn}]})
    ctx.client("lambda").delete_function(FunctionName=fn)
    return {"api_id": api, "status": 500, "method": "GET", "path": "/orders", "error_body": ISE_HTTP}


@scenario("rest-lambda-proxy-malformed-response")
async def s_rest_function_returns_plain_dict(ctx: Ctx) -> dict[str, Any]:
    rest = rest_api(ctx)
    rest.deploy()
    rest.execution_logs(
        [
            "(5f2c0e3a-1111) Received response. Status: 200, Integration latency: 41 ms",
            '(5f2c0e3a-1111) Endpoint response body before transformations: {"items": [1, 2, 3]}',
            "(5f2c0e3a-1111) Execution failed due to configuration error: Malformed Lambda proxy response",
            "(5f2c0e3a-1111) Method completed with status: 502",
        ]
    )
    return {
        "api_id": rest.api_id,
        "status": 502,
        "method": "GET",
        "path": "/prod/orders",
        "error_body": ISE_REST,
    }


@scenario("http-lambda-payload-v1-malformed-response")
async def s_http_v1_payload_headers_wrong_type(ctx: Ctx) -> dict[str, Any]:
    group = "/aws/apigateway/shop-prod"
    stage = {"name": "prod", "access_log": True, "log_group_arn": log_arn(group)}
    routes = [{"route_key": "GET /orders", "lambda_arn": FUNCTION, "payload_format_version": "1.0"}]
    api = await create_http(
        ctx, {"name": "shop", "routes": routes, "stages": [stage], "default_stage": False}
    )
    error = (
        "The response from the Lambda function doesn't match the format that API Gateway expects. "
        'Lambda body contains the wrong type for field "headers"'
    )
    put_logs(
        ctx, group, [access_line(500, "GET /orders", integrationErrorMessage=error, integrationStatus="200")]
    )
    return {"api_id": api, "status": 500, "method": "GET", "path": "/prod/orders", "error_body": ISE_HTTP}


@scenario("lambda-function-error")
async def s_rest_function_raises(ctx: Ctx) -> dict[str, Any]:
    rest = rest_api(ctx)
    rest.deploy()
    rest.execution_logs(
        [
            "(9a8b7c6d-2222) Lambda execution failed with status 200 due to customer function error: "
            "'customerId'. Lambda request id: 3f1e2d4c-5b6a-7980-a1b2-c3d4e5f60718",
            "(9a8b7c6d-2222) Method completed with status: 502",
        ]
    )
    return {
        "api_id": rest.api_id,
        "status": 502,
        "method": "GET",
        "path": "/prod/orders",
        "error_body": ISE_REST,
    }


# ---- timeouts and HTTP backends ------------------------------------------------------------------------


@scenario("rest-integration-timeout")
async def s_rest_slow_report_lambda(ctx: Ctx) -> dict[str, Any]:
    rest = rest_api(ctx)
    fn = new_function(ctx, "legacy-reports", timeout=120)
    rest.lambda_method("/reports", function=fn)
    allow_apigw(ctx, fn, rest.arn())
    rest.deploy()
    return {
        "api_id": rest.api_id,
        "status": 504,
        "method": "GET",
        "path": "/prod/reports",
        "error_body": '{"message": "Endpoint request timed out"}',
    }


@scenario("http-integration-timeout")
async def s_http_slow_lambda_503(ctx: Ctx) -> dict[str, Any]:
    fn = new_function(ctx, "shop-export", timeout=60)
    routes = [{"route_key": "POST /exports", "lambda_arn": fn, "timeout_ms": 10000}]
    api = await create_http(ctx, {"name": "shop", "routes": routes})
    return {
        "api_id": api,
        "status": 503,
        "method": "POST",
        "path": "/exports",
        "error_body": '{"message":"Service Unavailable"}',
    }


@scenario("http-backend-unreachable")
async def s_http_proxy_backend_down_in_access_logs(ctx: Ctx) -> dict[str, Any]:
    group = "/aws/apigateway/shop-access"
    stage = {"name": "prod", "access_log": True, "log_group_arn": log_arn(group)}
    routes = [{"route_key": "ANY /legacy/{proxy+}", "url": "https://legacy.example.com/api/{proxy}"}]
    api = await create_http(
        ctx, {"name": "shop", "routes": routes, "stages": [stage], "default_stage": False}
    )
    lines = [
        access_line(
            503,
            "ANY /legacy/{proxy+}",
            integrationErrorMessage="Network error communicating with endpoint",
            integrationStatus="-",
        )
        for _ in range(3)
    ]
    put_logs(ctx, group, lines)
    return {
        "api_id": api,
        "status": 503,
        "method": "GET",
        "path": "/prod/legacy/customers/7",
        "error_body": '{"message":"Service Unavailable"}',
    }


@scenario("http-backend-unreachable")
async def s_rest_http_proxy_invalid_endpoint(ctx: Ctx) -> dict[str, Any]:
    rest = rest_api(ctx)
    rest.http_method("/inventory", "http://inventory.internal.corp:8080/stock")
    rest.deploy()
    rest.execution_logs(
        [
            "(77aa-3333) Sending request to http://inventory.internal.corp:8080/stock",
            "(77aa-3333) Execution failed due to configuration error: Invalid endpoint address",
            "(77aa-3333) Method completed with status: 500",
        ]
    )
    return {
        "api_id": rest.api_id,
        "status": 500,
        "method": "GET",
        "path": "/prod/inventory",
        "error_body": ISE_REST,
    }


# ---- WebSocket -----------------------------------------------------------------------------------------


def websocket_api(ctx: Ctx) -> str:
    v2 = ctx.client("apigatewayv2")
    api = str(
        v2.create_api(Name="chat", ProtocolType="WEBSOCKET", RouteSelectionExpression="$request.body.action")[
            "ApiId"
        ]
    )
    integration = v2.create_integration(
        ApiId=api, IntegrationType="AWS_PROXY", IntegrationUri=LAMBDA_URI.format(region=REGION, arn=FUNCTION)
    )["IntegrationId"]
    for key in ("$connect", "$disconnect", "sendMessage"):
        v2.create_route(ApiId=api, RouteKey=key, Target=f"integrations/{integration}")
    v2.create_stage(ApiId=api, StageName="prod", AutoDeploy=True)
    allow_apigw(ctx, FUNCTION, f"arn:aws:execute-api:{REGION}:{ACCOUNT}:{api}/*")
    return api


@scenario("ws-route-selection-no-match")
async def s_ws_action_in_wrong_case(ctx: Ctx) -> dict[str, Any]:
    api = websocket_api(ctx)
    reply = '{"message": "Forbidden", "connectionId":"Kx1abcDEF=", "requestId":"Kx1b2FhUoAMF3kQ="}'
    return {
        "api_id": api,
        "path": f"wss://{api}.execute-api.{REGION}.amazonaws.com/prod",
        "message": '{"action":"sendmessage","text":"hi"}',
        "error_body": reply,
    }


@scenario("ws-connect-integration-fails")
async def s_ws_connect_handler_permission_removed(ctx: Ctx) -> dict[str, Any]:
    api = websocket_api(ctx)
    ctx.client("lambda").remove_permission(FunctionName=FUNCTION, StatementId="apigw-invoke")
    return {
        "api_id": api,
        "keyword": "websocket-disconnect",
        "status": 500,
        "path": f"wss://{api}.execute-api.{REGION}.amazonaws.com/prod",
        "message": "Unexpected server response: 500",
    }


# ---- logging -------------------------------------------------------------------------------------------


@scenario("rest-execution-logging-off")
async def s_rest_no_logs_anywhere(ctx: Ctx) -> dict[str, Any]:
    rest = rest_api(ctx)
    rest.deploy()
    return {"api_id": rest.api_id, "keyword": "no-logs", "method": "GET", "path": "/prod/orders"}


@scenario("vpce-private-dns-blocks-public-api")
async def s_http_open_route_403_with_nothing_logged(ctx: Ctx) -> dict[str, Any]:
    group = "/aws/apigateway/shop-quiet"
    stage = {"name": "prod", "access_log": True, "log_group_arn": log_arn(group)}
    api = await create_http(ctx, http_api(stages=[stage], default_stage=False))
    put_logs(ctx, group, [])
    return {
        "api_id": api,
        "keyword": "no-logs",
        "status": 403,
        "method": "GET",
        "path": "/prod/orders",
        "error_body": FORBIDDEN,
    }


@scenario("http-integration-timeout")
async def s_http_proxy_backend_slow_503(ctx: Ctx) -> dict[str, Any]:
    routes = [{"route_key": "GET /search", "url": "https://search.example.com/q", "timeout_ms": 3000}]
    api = await create_http(ctx, {"name": "shop", "routes": routes})
    return {
        "api_id": api,
        "status": 503,
        "method": "GET",
        "path": "/search?q=shoes",
        "error_body": '{"message":"Service Unavailable"}',
    }


@scenario("rest-proxy-resource-does-not-match-root")
async def s_rest_greedy_proxy_root_request(ctx: Ctx) -> dict[str, Any]:
    rest = rest_api(ctx)
    rest.lambda_method("/{proxy+}", verb="ANY")
    rest.deploy()
    url = f"https://{rest.api_id}.execute-api.{REGION}.amazonaws.com/prod/"
    return {"api_id": rest.api_id, "status": 403, "method": "GET", "path": url, "error_body": MAT}


@scenario("lambda-throttled")
async def s_rest_lambda_reserved_concurrency_hit(ctx: Ctx) -> dict[str, Any]:
    rest = rest_api(ctx)
    rest.deploy()
    ctx.client("lambda").put_function_concurrency(FunctionName=FUNCTION, ReservedConcurrentExecutions=0)
    rest.execution_logs(
        [
            "(c0ffee-4444) Sending request to https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/"
            f"{FUNCTION}/invocations",
            "(c0ffee-4444) Lambda invocation failed with status: 429. Lambda request id: 0b1c2d3e",
            "(c0ffee-4444) Execution failed due to configuration error: Rate Exceeded.",
            "(c0ffee-4444) Method completed with status: 500",
        ]
    )
    return {
        "api_id": rest.api_id,
        "status": 500,
        "method": "GET",
        "path": "/prod/orders",
        "error_body": ISE_REST,
    }


@scenario("rest-mapping-configuration-error")
async def s_rest_nonproxy_without_integration_response(ctx: Ctx) -> dict[str, Any]:
    rest = rest_api(ctx)
    resource = rest.lambda_method("/quotes", proxy=False)
    ids = {"restApiId": rest.api_id, "resourceId": resource, "httpMethod": "GET", "statusCode": "200"}
    rest.apigw.put_method_response(**ids)
    rest.deploy()
    rest.execution_logs(
        [
            '(beef-5555) Endpoint response body before transformations: {"quote": 42}',
            "(beef-5555) Execution failed due to configuration error: No match for output mapping and no "
            "default output mapping specified for Endpoint Response Status Code: 200",
            "(beef-5555) Method completed with status: 500",
        ]
    )
    return {
        "api_id": rest.api_id,
        "status": 500,
        "method": "GET",
        "path": "/prod/quotes",
        "error_body": ISE_REST,
    }


@scenario("lambda-authorizer-error-or-timeout")
async def s_rest_authorizer_times_out(ctx: Ctx) -> dict[str, Any]:
    rest = rest_api(ctx)
    fn = new_function(ctx, "legacy-authorizer", timeout=3)
    authorizer = rest.apigw.create_authorizer(
        restApiId=rest.api_id,
        name="token",
        type="TOKEN",
        authorizerUri=LAMBDA_URI.format(region=REGION, arn=fn),
        identitySource="method.request.header.Authorization",
    )["id"]
    rest.lambda_method("/invoices", authorizationType="CUSTOM", authorizerId=authorizer)
    allow_apigw(ctx, fn, rest.arn(f"authorizers/{authorizer}"), sid="authz")
    rest.deploy()
    rest.execution_logs(
        [
            f"(dead-6666) Starting authorizer: {authorizer} for request: dead-6666",
            "(dead-6666) Execution failed due to configuration error: Authorizer error",
            "(dead-6666) Task timed out after 3.00 seconds",
            "(dead-6666) Method completed with status: 500",
        ]
    )
    return {
        "api_id": rest.api_id,
        "status": 500,
        "method": "GET",
        "path": "/prod/invoices",
        "error_body": '{"message": null}',
    }


@scenario("lambda-function-timeout")
async def s_http_lambda_times_out_before_gateway(ctx: Ctx) -> dict[str, Any]:
    group = "/aws/apigateway/shop-timeouts"
    stage = {"name": "prod", "access_log": True, "log_group_arn": log_arn(group)}
    api = await create_http(ctx, http_api(stages=[stage], default_stage=False))
    error = "2024-05-01T10:00:03.512Z 1f2e3d4c Task timed out after 3.00 seconds"
    put_logs(
        ctx, group, [access_line(500, "GET /orders", integrationErrorMessage=error, integrationStatus="200")]
    )
    return {"api_id": api, "status": 500, "method": "GET", "path": "/prod/orders", "error_body": ISE_HTTP}


# ---- the tests -----------------------------------------------------------------------------------------


def _reset(endpoint: str) -> SeedInfo:
    urllib.request.urlopen(
        urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST"), timeout=10
    ).read()
    return seed(endpoint, REGION)


RANKINGS: dict[str, list[tuple[str, float]]] = {}
FIX_RUNS: dict[str, list[FixRun]] = {}  # scenario id -> every tool-call fix of its findings, as run


@dataclass(frozen=True)
class FixRun:
    """One finding's fix, called through the session exactly as diagnose_error returned it."""

    rule_id: str
    tool: str
    error: str  # "" when the dry run succeeded
    unmanaged: bool  # the scenario built the API outside our tools, so the default scope refuses changes

    @property
    def allowed(self) -> bool:
        """Success, or the api-scope refusal that the scenario's default settings cause for its own API."""
        return not self.error or (self.unmanaged and self.error.startswith("refused (api-scope)"))


def _managed(endpoint: str, api_id: str) -> bool:
    v2, rest = aws("apigatewayv2", endpoint), aws("apigateway", endpoint)
    try:
        tags = v2.get_api(ApiId=api_id).get("Tags") or {}
    except v2.exceptions.NotFoundException:
        try:
            tags = rest.get_rest_api(restApiId=api_id).get("tags") or {}
        except rest.exceptions.NotFoundException:
            return False
    return tags.get(MANAGED_TAG) == "true"


async def run_fixes(session: Any, endpoint: str, found: dict[str, Any]) -> list[FixRun]:
    runs: list[FixRun] = []
    for finding in found["findings"]:
        fix = finding.get("fix") or {}
        if not fix.get("tool"):
            continue
        assert fix["args"].get("dry_run") is True, finding
        result = await session.call_tool(fix["tool"], fix["args"])
        error = (
            text_of(result).removeprefix("Error executing tool ").split(": ", 1)[-1]
            if result.is_error
            else ""
        )
        unmanaged = not _managed(endpoint, str(fix["args"]["api_id"]))
        runs.append(FixRun(str(finding["rule_id"]), str(fix["tool"]), error, unmanaged))
    return runs


async def run(
    case: Scenario, client: ClientFactory, endpoint: str, sandbox: SeedInfo
) -> list[tuple[str, float]]:
    async with client() as session:
        args = await case.build(Ctx(session, endpoint, sandbox))
        found = await call_ok(session, "diagnose_error", args)
        FIX_RUNS[case.id] = await run_fixes(session, endpoint, found)
    ranking = [(str(f["rule_id"]), float(f["confidence"])) for f in found["findings"]]
    RANKINGS[case.id] = ranking
    return ranking


def _params() -> list[Any]:
    return [
        pytest.param(
            case,
            id=case.id,
            marks=[pytest.mark.xfail(strict=True, reason=XFAIL[case.id])] if case.id in XFAIL else [],
        )
        for case in SCENARIOS
    ]


@pytest.mark.parametrize("case", _params())
async def test_expected_cause_in_top_three(
    case: Scenario, client: ClientFactory, sandbox: SeedInfo, moto_endpoint: str
) -> None:
    ranking = await run(case, client, moto_endpoint, sandbox)
    print(case.id, case.expected, ranking, FIX_RUNS[case.id])
    assert case.expected in [rule for rule, _ in ranking[:3]], ranking
    assert [run for run in FIX_RUNS[case.id] if not run.allowed] == []


async def test_summary_top1_accuracy(client: ClientFactory, moto_endpoint: str) -> None:
    """Top-1 accuracy over every scenario (runs those not yet run in this session)."""
    for case in SCENARIOS:
        if case.id not in RANKINGS:
            await run(case, client, moto_endpoint, _reset(moto_endpoint))
    rows = [(case, RANKINGS[case.id]) for case in SCENARIOS]
    top1 = [case.id for case, ranking in rows if ranking and ranking[0][0] == case.expected]
    top3 = [case.id for case, ranking in rows if case.expected in [r for r, _ in ranking[:3]]]
    accuracy = len(top1) / len(rows)
    print(f"\ndiagnose_error scenarios: {len(rows)}; top-1 {len(top1)} ({accuracy:.0%}); top-3 {len(top3)}")
    runs = {case.id: FIX_RUNS[case.id] for case in SCENARIOS if FIX_RUNS[case.id]}
    calls = [run for found in runs.values() for run in found]
    errors = [(cid, r) for cid, found in runs.items() for r in found if r.error]
    print(
        f"fixes run as given: {len(calls)} tool calls in {len(runs)} scenarios, {len(errors)} not previewed"
    )
    for cid, r in errors:
        why = "the scenario built the API with boto3, outside our tools" if r.allowed else "FAILED"
        print(f"  {cid}: {r.rule_id} -> {r.tool}: {why}: {r.error}")
    for case, ranking in rows:
        if case.id not in top1:
            print(f"  MISS {case.id}: expected {case.expected}, got {ranking[:3]}")
    assert len({case.id for case in SCENARIOS}) == len(SCENARIOS) >= 30
    assert accuracy >= 0.9
