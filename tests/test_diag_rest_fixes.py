"""REST fixes diagnose_error offers are ready dry-run calls of our tools, and they preview on the sandbox.

Each case builds a REST API our tools manage (tagged, as create_rest_api tags it) with boto3 the way it
breaks in real life, asks diagnose_error what a user would report, and checks that the expected rule ranks
first, that its fix is the expected tool call (validated by the tool's own argument model as
``test_diag_fixes.check_fix`` does), and that calling it exactly as given previews a plan with no write
reaching the sandbox. Fixes that would write a value the request supplied (an origin) are marked
``widens_trust`` and name the value to confirm.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from apigw_mcp.server.sandbox.ext import SeedInfo
from apigw_mcp.tools.diagnose.model import Fix
from apigw_mcp.tools.engine.scope import MANAGED_TAG

from .conftest import REGION, ClientFactory
from .helpers import call_ok, text_of
from .recorder import Recording
from .test_diag_fixes import check_fix
from .test_diag_scenarios import (
    ISE_REST,
    LAMBDA_URI,
    MAT,
    ORIGIN,
    Ctx,
    Rest,
    allow_apigw,
    new_function,
)

pytestmark = pytest.mark.anyio

TOO_MANY = '{"message":"Too Many Requests"}'
BLOCKED = "Access to fetch has been blocked by CORS policy: Response to preflight request doesn't pass"
NO_ORIGIN = "No 'Access-Control-Allow-Origin' header is present on the requested resource."


def managed_rest(ctx: Ctx, permit: bool = True) -> Rest:
    """A REST API our tools manage with GET /orders (Lambda proxy), invokable unless ``permit`` is false."""
    apigw = ctx.client("apigateway")
    created = apigw.create_rest_api(
        name="shop", endpointConfiguration={"types": ["REGIONAL"]}, tags={MANAGED_TAG: "true"}
    )
    root = next(r["id"] for r in apigw.get_resources(restApiId=created["id"])["items"] if r["path"] == "/")
    rest = Rest(ctx, str(created["id"]), str(root))
    rest.lambda_method("/orders")
    if permit:
        allow_apigw(ctx, ctx.seed.function_arn, rest.arn())
    return rest


def asked(rest: Rest, **symptom: Any) -> dict[str, Any]:
    return {"api_id": rest.api_id, "method": "GET", "path": "/prod/orders", **symptom}


def not_deployed(ctx: Ctx) -> dict[str, Any]:
    rest = managed_rest(ctx)
    rest.deploy()
    rest.lambda_method("/customers")
    return asked(rest, status=403, path="/prod/customers", error_body=MAT)


def no_permission(ctx: Ctx) -> dict[str, Any]:
    rest = managed_rest(ctx, permit=False)
    rest.deploy()
    return asked(rest, status=500, error_body=ISE_REST)


def authorizer_without_permission(ctx: Ctx) -> dict[str, Any]:
    rest = managed_rest(ctx)
    fn = new_function(ctx, "shop-authorizer")
    authorizer = rest.apigw.create_authorizer(
        restApiId=rest.api_id,
        name="token",
        type="TOKEN",
        authorizerUri=LAMBDA_URI.format(region=REGION, arn=fn),
        identitySource="method.request.header.Authorization",
    )["id"]
    rest.lambda_method("/invoices", authorizationType="CUSTOM", authorizerId=authorizer)
    allow_apigw(ctx, fn, rest.arn("*/GET/*"))  # copied from the integration's permission
    rest.deploy()
    said = {"error_body": '{"message": null}', "error_type": "AuthorizerConfigurationException"}
    return asked(rest, status=500, path="/prod/invoices", **said)


def stage_throttled(ctx: Ctx) -> dict[str, Any]:
    rest = managed_rest(ctx)
    rest.deploy()
    rest.patch_stage(("/*/*/throttling/rateLimit", "1"), ("/*/*/throttling/burstLimit", "2"))
    return asked(rest, status=429, error_body=TOO_MANY)


def method_throttled(ctx: Ctx) -> dict[str, Any]:
    rest = managed_rest(ctx)
    rest.lambda_method("/customers")
    rest.deploy()
    rest.patch_stage(
        ("/~1orders/GET/throttling/rateLimit", "0"),
        ("/~1orders/GET/throttling/burstLimit", "0"),
        ("/~1customers/GET/throttling/rateLimit", "50"),
        ("/~1customers/GET/throttling/burstLimit", "100"),
    )
    return asked(rest, status=429, error_body=TOO_MANY)


def logging_off(ctx: Ctx) -> dict[str, Any]:
    rest = managed_rest(ctx)
    rest.deploy()
    ops = [{"op": "replace", "path": "/cloudwatchRoleArn", "value": ctx.seed.role_arn}]
    rest.apigw.update_account(patchOperations=ops)
    return asked(rest, keyword="no-logs")


def preflight_unanswered(ctx: Ctx) -> dict[str, Any]:
    rest = managed_rest(ctx)
    rest.lambda_method("/orders", verb="POST")
    rest.deploy()
    return asked(rest, keyword="cors", method="POST", origin=ORIGIN, message=BLOCKED)


def nonproxy_without_origin(ctx: Ctx) -> dict[str, Any]:
    rest = managed_rest(ctx)
    resource = rest.lambda_method("/prices", proxy=False)
    ids = {"restApiId": rest.api_id, "resourceId": resource, "httpMethod": "GET", "statusCode": "200"}
    rest.apigw.put_method_response(**ids)
    rest.apigw.put_integration_response(**ids, selectionPattern="")
    rest.deploy()
    return asked(rest, keyword="cors", status=200, path="/prod/prices", origin=ORIGIN, message=NO_ORIGIN)


def error_without_cors_headers(ctx: Ctx) -> dict[str, Any]:
    rest = managed_rest(ctx)
    rest.deploy()
    return asked(rest, keyword="cors", status=504, origin=ORIGIN, message=f"{NO_ORIGIN} net::ERR_FAILED 504")


@dataclass(frozen=True)
class Case:
    rule_id: str
    build: Callable[[Ctx], dict[str, Any]]
    tool: str
    args: dict[str, Any]  # what the fix's arguments hold besides api_id and dry_run
    widens_trust: bool = False


CASES = [
    Case("rest-changes-not-deployed", not_deployed, "deploy_stage", {"stage_name": "prod", "deploy": True}),
    Case("lambda-invoke-permission-missing", no_permission, "ensure_lambda_permission", {}),
    Case(
        "lambda-authorizer-invoke-permission-missing",
        authorizer_without_permission,
        "ensure_lambda_permission",
        {},
    ),
    Case(
        "rest-stage-method-throttle-too-low",
        stage_throttled,
        "deploy_stage",
        {"stage_name": "prod", "throttle": {"burst": 5000, "rate": 10000.0}},
    ),
    Case(
        "rest-stage-method-throttle-too-low",
        method_throttled,
        "deploy_stage",
        {
            "stage_name": "prod",
            "route_throttle": {
                "GET /orders": {"burst": 5000, "rate": 10000.0},
                "GET /customers": {"burst": 100, "rate": 50.0},
            },
        },
    ),
    Case(
        "rest-execution-logging-off",
        logging_off,
        "deploy_stage",
        {"stage_name": "prod", "rest": {"logging": {"level": "ERROR"}}},
    ),
    Case(
        "rest-cors-options-method-missing",
        preflight_unanswered,
        "configure_cors",
        {"cors": {"allow_origins": [ORIGIN]}},
        widens_trust=True,
    ),
    Case(
        "rest-cors-response-missing-allow-origin",
        nonproxy_without_origin,
        "configure_cors",
        {"cors": {"allow_origins": [ORIGIN]}},
        widens_trust=True,
    ),
    Case(
        "rest-cors-gateway-responses-missing-headers",
        error_without_cors_headers,
        "configure_cors",
        {"cors": {"allow_origins": [ORIGIN]}},
        widens_trust=True,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.rule_id}-{c.build.__name__}")
async def test_rest_fix_ranks_first_and_previews(
    case: Case, client: ClientFactory, moto_endpoint: str, sandbox: SeedInfo, recording: Recording
) -> None:
    async with client() as session:
        ctx = Ctx(session, moto_endpoint, sandbox)
        symptom = case.build(ctx)
        found = await call_ok(session, "diagnose_error", symptom)
        first = found["findings"][0]
        assert first["rule_id"] == case.rule_id, [f["rule_id"] for f in found["findings"]]
        fix = Fix.model_validate(first["fix"])
        assert fix.tool == case.tool
        assert fix.args == {"api_id": symptom["api_id"], **case.args, "dry_run": True}
        check_fix(fix, case.rule_id)
        assert fix.widens_trust is case.widens_trust
        if case.widens_trust:
            assert any(ORIGIN in c for c in first["confirm"]), first
        recording.clear()
        result = await session.call_tool(fix.tool, fix.args)
        assert not result.is_error, text_of(result)
        preview = result.structured_content or {}
        assert preview["plan"]["steps"], preview
        assert recording.writes() == []


async def test_a_missing_method_names_add_route_and_the_backend_to_fill_in(
    client: ClientFactory, moto_endpoint: str, sandbox: SeedInfo
) -> None:
    async with client() as session:
        rest = managed_rest(Ctx(session, moto_endpoint, sandbox))
        rest.deploy()
        symptom = asked(rest, status=403, path="/prod/orders/42/items", error_body=MAT)
        found = await call_ok(session, "diagnose_error", symptom)
    first = found["findings"][0]
    assert first["rule_id"] == "rest-missing-resource-or-method"
    assert not first["fix"].get("tool")
    manual = str(first["fix"]["manual"])
    route = "{'route_key': 'GET /orders/42/items', <backend>}"
    assert f"add_route(api_id='{rest.api_id}', route={route}" in manual
    assert "lambda_arn, http_url, aws_service or mock" in manual and "deploy_stage(deploy=true)" in manual


async def test_logging_without_the_account_role_is_manual(
    client: ClientFactory, moto_endpoint: str, sandbox: SeedInfo
) -> None:
    async with client() as session:
        rest = managed_rest(Ctx(session, moto_endpoint, sandbox))
        rest.deploy()
        found = await call_ok(session, "diagnose_error", asked(rest, keyword="no-logs"))
    fixes = {f["rule_id"]: f["fix"] for f in found["findings"]}
    manual = str(fixes["rest-execution-logging-off"].get("manual"))
    assert not fixes["rest-execution-logging-off"].get("tool")
    assert "cloudwatchRoleArn" in manual and "rest={'logging': {'level': 'ERROR'}}" in manual
