"""Auth diagnosis rules: each rule hits on confirming evidence and is silent when the facts contradict it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from apigw_mcp.tools.diagnose import rules_auth
from apigw_mcp.tools.diagnose.catalogue import catalogue
from apigw_mcp.tools.diagnose.model import Claims, Facts, FunctionFacts, LogFacts, Match, Symptom
from apigw_mcp.tools.diagnose.registry import RULES

from .helpers import check_rule_case

REGION, ACCOUNT, NOW = "us-east-1", "123456789012", 1_700_000_000.0
FN = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:authz"
URI = f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{FN}/invocations"
POOL = "us-east-1_AbCdEf123"
ISS = f"https://cognito-idp.{REGION}.amazonaws.com/{POOL}"
CLIENT = "1example23456789abcdefghij"
JWT_AUTHZ = {
    "AuthorizerId": "jw1",
    "Name": "cognito",
    "AuthorizerType": "JWT",
    "IdentitySource": ["$request.header.Authorization"],
    "JwtConfiguration": {"Issuer": ISS, "Audience": [CLIENT]},
}
ANON_DENIED = (
    "User: anonymous is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api"
)


def doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def escaped(policy: str) -> str:
    """The policy as get_rest_api returns it: quotes and slashes backslash-escaped."""
    return policy.replace('"', '\\"').replace("/", "\\/")


def allow(resource: str = "execute-api:/*", **extra: Any) -> dict[str, Any]:
    return {
        "Effect": "Allow",
        "Principal": "*",
        "Action": "execute-api:Invoke",
        "Resource": resource,
        **extra,
    }


def lambda_policy(source_arn: str) -> str:
    return doc(
        {
            "Effect": "Allow",
            "Principal": {"Service": "apigateway.amazonaws.com"},
            "Action": "lambda:InvokeFunction",
            "Resource": FN,
            "Condition": {"ArnLike": {"AWS:SourceArn": source_arn}},
        }
    )


def rest(
    method: dict[str, Any] | None = None,
    *,
    authorizers: list[dict[str, Any]] | None = None,
    policy: str | None = None,
    endpoint: str = "REGIONAL",
    more_methods: dict[str, Any] | None = None,
    **kw: Any,
) -> Facts:
    api: dict[str, Any] = {"id": "r1", "name": "orders", "endpointConfiguration": {"types": [endpoint]}}
    if policy is not None:
        api["policy"] = policy
    methods = {
        "GET": {"httpMethod": "GET", "authorizationType": "NONE", **(method or {})},
        **(more_methods or {}),
    }
    resources: list[dict[str, Any]] = [
        {"id": "root", "path": "/"},
        {
            "id": "res1",
            "parentId": "root",
            "path": "/orders",
            "pathPart": "orders",
            "resourceMethods": methods,
        },
    ]
    return Facts(
        api_type="REST",
        api_id="r1",
        region=REGION,
        account=ACCOUNT,
        api=api,
        resources=resources,
        authorizers=authorizers or [],
        stages=[{"stageName": "prod", "deploymentId": "d1"}],
        match=Match(
            kind="resource",
            resource_id="res1",
            resource_path="/orders",
            method="GET",
            stage="prod",
            path="/orders",
        ),
        **kw,
    )


def http(
    route: dict[str, Any] | None = None,
    *,
    authorizers: list[dict[str, Any]] | None = None,
    more_routes: list[dict[str, Any]] | None = None,
    **kw: Any,
) -> Facts:
    first = {
        "RouteId": "rt1",
        "RouteKey": "GET /orders",
        "Target": "integrations/i1",
        "AuthorizationType": "NONE",
    }
    return Facts(
        api_type="HTTP",
        api_id="h1",
        region=REGION,
        account=ACCOUNT,
        api={"ApiId": "h1", "ProtocolType": "HTTP"},
        routes=[{**first, **(route or {})}, *(more_routes or [])],
        authorizers=authorizers or [],
        stages=[{"StageName": "$default", "AutoDeploy": True}],
        match=Match(
            kind="route",
            route_key="GET /orders",
            route_id="rt1",
            stage="$default",
            method="GET",
            path="/orders",
        ),
        **kw,
    )


def ws(connect: dict[str, Any], authorizers: list[dict[str, Any]] | None = None) -> Facts:
    return Facts(
        api_type="WEBSOCKET",
        api_id="w1",
        region=REGION,
        account=ACCOUNT,
        api={"ApiId": "w1", "ProtocolType": "WEBSOCKET"},
        routes=[{"RouteId": "c1", "RouteKey": "$connect", **connect}],
        authorizers=authorizers or [],
        match=Match(kind="route", route_key="$connect", route_id="c1", stage="prod"),
    )


def jwt_route(**route: Any) -> Facts:
    return http({"AuthorizationType": "JWT", "AuthorizerId": "jw1", **route}, authorizers=[JWT_AUTHZ])


def said(status: int, body: str | None = None, **kw: Any) -> Symptom:
    return Symptom(status=status, method="GET", path="/orders", error_body=body, now=NOW, **kw)


def token(status: int = 401, header: dict[str, Any] | None = None, **claims: Any) -> Symptom:
    """A decoded token (claims set to None are left out)."""
    payload = {"iss": ISS, "aud": CLIENT, "token_use": "id", "exp": NOW + 3600, "iat": NOW - 60, **claims}
    payload = {k: v for k, v in payload.items() if v is not None}
    header = {"alg": "RS256", "kid": "k1"} if header is None else header
    return said(status, '{"message":"Unauthorized"}', claims=Claims(header=header, payload=payload))


# REST methods with authorizers
IAM_METHOD = {"authorizationType": "AWS_IAM"}
CUSTOM = {"authorizationType": "CUSTOM", "authorizerId": "au1"}
TOKEN_AUTHZ = {
    "id": "au1",
    "name": "tok",
    "type": "TOKEN",
    "authorizerUri": URI,
    "identitySource": "method.request.header.Authorization",
}
REST_CUSTOM: dict[str, Any] = {"method": CUSTOM, "authorizers": [TOKEN_AUTHZ]}
GOOD_FN = {
    FN: FunctionFacts(policy=lambda_policy(f"arn:aws:execute-api:{REGION}:{ACCOUNT}:r1/authorizers/au1"))
}
BAD_FN = {FN: FunctionFacts(policy=lambda_policy(f"arn:aws:execute-api:{REGION}:{ACCOUNT}:r1/*/*/*"))}
HTTP_LAMBDA = {
    "AuthorizerId": "la1",
    "Name": "lam",
    "AuthorizerType": "REQUEST",
    "AuthorizerUri": URI,
    "IdentitySource": ["$request.header.Authorization"],
    "AuthorizerPayloadFormatVersion": "2.0",
    "EnableSimpleResponses": True,
    "AuthorizerResultTtlInSeconds": 300,
}
HTTP_CUSTOM = {"AuthorizationType": "CUSTOM", "AuthorizerId": "la1"}
SECOND_ROUTE = {"RouteId": "rt2", "RouteKey": "POST /orders", **HTTP_CUSTOM}
COGNITO = {
    "id": "cg1",
    "name": "pool",
    "type": "COGNITO_USER_POOLS",
    "identitySource": "method.request.header.Authorization",
    "providerARNs": [f"arn:aws:cognito-idp:{REGION}:{ACCOUNT}:userpool/{POOL}"],
}
REST_JWT = {
    "id": "rj1",
    "name": "jwt",
    "type": "JWT",
    "identitySource": "method.request.header.Authorization",
    "jwtConfiguration": {"issuers": [{"issuer": ISS, "audiences": [CLIENT]}], "defaultAlgorithms": ["RS256"]},
}
DENY_OUTSIDE_IP = {
    "Effect": "Deny",
    "Principal": "*",
    "Action": "execute-api:Invoke",
    "Resource": "execute-api:/*",
    "Condition": {"NotIpAddress": {"aws:SourceIp": ["203.0.113.0/24"]}},
}
MTLS_DOMAIN = {
    "domainName": "api.example.com",
    "mutualTlsAuthentication": {"truststoreUri": "s3://trust/ca.pem", "truststoreVersion": "1"},
    "mappings": [{"restApiId": "r1", "stage": "prod", "basePath": "(none)"}],
}
UNAUTHORIZED = '{"message":"Unauthorized"}'
# the www-authenticate header of an HTTP API JWT authorizer's 401
BAD_AUDIENCE = (
    'Bearer scope="" error="invalid_token" error_description="the token does not have a valid audience"'
)
SIG_MISMATCH = "The request signature we calculated does not match the signature you provided."

# (rule id, facts, symptom, hits?)
CASES: list[tuple[str, Facts, Symptom, bool]] = [
    # resource policies
    (
        "rest-resource-policy-explicit-deny",
        rest(policy=escaped(doc(allow(), DENY_OUTSIDE_IP))),
        said(403, f'{{"Message":"{ANON_DENIED} with an explicit deny"}}'),
        True,
    ),
    (
        "rest-resource-policy-explicit-deny",
        rest(policy=doc(allow(), {**DENY_OUTSIDE_IP, "Condition": {}})),
        said(403),
        True,
    ),
    (
        "rest-resource-policy-explicit-deny",
        rest(policy=doc(allow())),
        said(403, f'{{"Message":"{ANON_DENIED} with an explicit deny"}}'),
        False,
    ),
    (
        "rest-resource-policy-explicit-deny",
        rest(policy=doc(allow(), {**DENY_OUTSIDE_IP, "Resource": "execute-api:/test/*"})),
        said(403),
        False,
    ),
    (
        "rest-resource-policy-implicit-deny",
        rest(policy=escaped(doc(allow("execute-api:/test/*")))),
        said(403, f'{{"Message":"{ANON_DENIED}"}}'),
        True,
    ),
    (
        "rest-resource-policy-implicit-deny",
        rest(policy=doc(allow("execute-api:/*/GET/orders"))),
        said(403, f'{{"Message":"{ANON_DENIED}"}}'),
        False,
    ),
    ("private-api-missing-resource-policy", rest(endpoint="PRIVATE"), said(403), True),
    (
        "private-api-missing-resource-policy",
        rest(endpoint="PRIVATE", policy=doc(allow(Condition={"StringEquals": {"aws:SourceVpce": "vpce-1"}}))),
        said(403),
        False,
    ),
    # WAF and mutual TLS
    (
        "waf-web-acl-block",
        rest(waf_acl_arn="arn:aws:wafv2:us-east-1:123456789012:regional/webacl/a/1"),
        said(403, '{"message":"Forbidden"}'),
        True,
    ),
    ("waf-web-acl-block", rest(), said(403, '{"message":"Forbidden"}'), False),
    (
        "custom-domain-mtls-rejected",
        rest(
            domains=[MTLS_DOMAIN],
            logs=LogFacts(
                enabled=True, lines=["(a1) Access denied. Reason: Could not find issuer for certificate"]
            ),
        ),
        said(403, '{"message":"Forbidden"}'),
        True,
    ),
    (
        "custom-domain-mtls-rejected",
        rest(domains=[{"domainName": "api.example.com", "mappings": []}]),
        said(403, '{"message":"Forbidden"}'),
        False,
    ),
    (
        "custom-domain-mtls-rejected",
        rest(
            domains=[MTLS_DOMAIN],
            logs=LogFacts(enabled=True, lines=["(a1) Method completed with status: 403"]),
        ),
        said(403, '{"message":"Forbidden"}'),
        False,
    ),
    # IAM
    (
        "rest-iam-method-unsigned-request",
        rest(IAM_METHOD),
        said(403, '{"message":"Missing Authentication Token"}'),
        True,
    ),
    (
        "rest-iam-method-unsigned-request",
        rest(),
        said(403, '{"message":"Missing Authentication Token"}'),
        False,
    ),
    (
        "iam-caller-lacks-execute-api-invoke",
        rest(IAM_METHOD),
        said(
            403,
            f'{{"Message":"User: arn:aws:sts::{ACCOUNT}:assumed-role/app/s1 is not authorized to perform: '
            "execute-api:Invoke on resource: arn:aws:execute-api:us-east-1:123456789012:r1/prod/GET/orders "
            "because "
            'no identity-based policy allows the execute-api:Invoke action"}',
        ),
        True,
    ),
    (
        "iam-caller-lacks-execute-api-invoke",
        rest(),
        said(
            403,
            f'{{"Message":"User: arn:aws:sts::{ACCOUNT}:assumed-role/app/s1 is not authorized to perform: '
            'execute-api:Invoke on resource"}',
        ),
        False,
    ),
    (
        "iam-caller-lacks-execute-api-invoke",
        rest(IAM_METHOD),
        said(403, f'{{"Message":"{ANON_DENIED}"}}'),
        False,
    ),
    ("iam-signature-mismatch", http({"AuthorizationType": "AWS_IAM"}), said(403, SIG_MISMATCH), True),
    ("iam-signature-mismatch", http(), said(403, SIG_MISMATCH), False),
    (
        "iam-signature-mismatch",
        http({"AuthorizationType": "AWS_IAM"}),
        said(403, "Signature expired: x"),
        False,
    ),
    (
        "iam-expired-or-invalid-credentials",
        rest(IAM_METHOD),
        said(
            403,
            "Signature expired: 20240101T000000Z is now earlier than 20240101T000500Z",
            error_type="InvalidSignatureException",
        ),
        True,
    ),
    ("iam-expired-or-invalid-credentials", rest(IAM_METHOD), said(403, SIG_MISMATCH), False),
    # HTTP JWT authorizers
    ("http-jwt-audience-mismatch", jwt_route(), token(aud="https://api.example.com"), True),
    ("http-jwt-audience-mismatch", jwt_route(), token(aud=["other", CLIENT]), False),
    ("http-jwt-audience-mismatch", jwt_route(), token(aud="other", client_id=CLIENT), True),
    ("http-jwt-audience-mismatch", jwt_route(), said(401, UNAUTHORIZED, message=BAD_AUDIENCE), True),
    ("http-jwt-audience-mismatch", http(), said(401, '{"message":"Unauthorized"}'), False),
    (
        "http-jwt-cognito-access-token-client-id",
        http(
            {"AuthorizationType": "JWT", "AuthorizerId": "jw1"},
            authorizers=[
                {**JWT_AUTHZ, "JwtConfiguration": {"Issuer": ISS, "Audience": ["https://api.example.com"]}}
            ],
        ),
        token(token_use="access", aud=None, client_id=CLIENT),
        True,
    ),
    (
        "http-jwt-cognito-access-token-client-id",
        jwt_route(),
        token(token_use="access", client_id=CLIENT),
        False,
    ),
    ("http-jwt-issuer-mismatch", jwt_route(), token(iss=ISS + "/"), True),
    ("http-jwt-issuer-mismatch", jwt_route(), token(), False),
    ("http-jwt-issuer-mismatch", jwt_route(), token(header={"alg": "HS256", "kid": "k1"}), True),
    ("http-jwt-token-expired", jwt_route(), token(exp=NOW - 60), True),
    ("http-jwt-token-expired", jwt_route(), token(), False),
    ("http-jwt-token-expired", jwt_route(), token(nbf=NOW + 600), True),
    (
        "http-jwt-insufficient-scope",
        jwt_route(AuthorizationScopes=["orders/read"]),
        token(403, token_use="access", scope="openid profile"),
        True,
    ),
    (
        "http-jwt-insufficient-scope",
        jwt_route(AuthorizationScopes=["orders/read"]),
        token(403, token_use="access", scope="openid orders/read"),
        False,
    ),
    (
        "http-jwt-insufficient-scope",
        jwt_route(AuthorizationScopes=["orders/read"]),
        token(403, token_use="access", scp=["orders/read"]),
        False,
    ),
    ("http-jwt-insufficient-scope", jwt_route(), token(403, token_use="access", scope="openid"), False),
    ("http-jwt-missing-or-malformed-header", jwt_route(), token(), True),
    ("http-jwt-missing-or-malformed-header", jwt_route(), token(aud="someone-else"), False),
    # REST JWT and Cognito authorizers
    (
        "rest-jwt-authorizer-rejects",
        rest({"authorizationType": "JWT", "authorizerId": "rj1"}, authorizers=[REST_JWT]),
        token(iss="https://login.example.com/"),
        True,
    ),
    (
        "rest-jwt-authorizer-rejects",
        rest({"authorizationType": "JWT", "authorizerId": "rj1"}, authorizers=[REST_JWT]),
        token(),
        False,
    ),
    (
        "rest-cognito-token-type-mismatch",
        rest(
            {
                "authorizationType": "COGNITO_USER_POOLS",
                "authorizerId": "cg1",
                "authorizationScopes": ["orders/read"],
            },
            authorizers=[COGNITO],
        ),
        token(token_use="id"),
        True,
    ),
    (
        "rest-cognito-token-type-mismatch",
        rest(
            {
                "authorizationType": "COGNITO_USER_POOLS",
                "authorizerId": "cg1",
                "authorizationScopes": ["orders/read"],
            },
            authorizers=[COGNITO],
        ),
        token(token_use="access", scope="orders/read"),
        False,
    ),
    (
        "rest-cognito-user-pool-mismatch",
        rest({"authorizationType": "COGNITO_USER_POOLS", "authorizerId": "cg1"}, authorizers=[COGNITO]),
        token(iss=f"https://cognito-idp.{REGION}.amazonaws.com/us-east-1_Other"),
        True,
    ),
    (
        "rest-cognito-user-pool-mismatch",
        rest({"authorizationType": "COGNITO_USER_POOLS", "authorizerId": "cg1"}, authorizers=[COGNITO]),
        token(),
        False,
    ),
    # Lambda authorizers
    (
        "lambda-authorizer-identity-source-missing",
        rest(**REST_CUSTOM),
        said(401, '{"message":"Unauthorized"}'),
        True,
    ),
    (
        "lambda-authorizer-identity-source-missing",
        rest(CUSTOM, authorizers=[{**TOKEN_AUTHZ, "type": "REQUEST", "identitySource": ""}]),
        said(401, '{"message":"Unauthorized"}'),
        False,
    ),
    (
        "lambda-authorizer-returned-deny",
        rest(**REST_CUSTOM),
        said(403, '{"Message":"User is not authorized to access this resource with an explicit deny"}'),
        True,
    ),
    (
        "lambda-authorizer-returned-deny",
        rest(),
        said(403, '{"Message":"User is not authorized to access this resource with an explicit deny"}'),
        False,
    ),
    (
        "rest-lambda-authorizer-cached-policy-too-narrow",
        rest(**REST_CUSTOM, more_methods={"POST": {"httpMethod": "POST", **CUSTOM}}),
        said(403, '{"Message":"User is not authorized to access this resource"}'),
        True,
    ),
    (
        "rest-lambda-authorizer-cached-policy-too-narrow",
        rest(
            CUSTOM,
            authorizers=[{**TOKEN_AUTHZ, "authorizerResultTtlInSeconds": 0}],
            more_methods={"POST": {"httpMethod": "POST", **CUSTOM}},
        ),
        said(403, '{"Message":"User is not authorized to access this resource"}'),
        False,
    ),
    (
        "http-lambda-authorizer-cache-shared-across-routes",
        http(HTTP_CUSTOM, authorizers=[HTTP_LAMBDA], more_routes=[SECOND_ROUTE]),
        said(403, '{"message":"Forbidden"}'),
        True,
    ),
    (
        "http-lambda-authorizer-cache-shared-across-routes",
        http(
            HTTP_CUSTOM,
            more_routes=[SECOND_ROUTE],
            authorizers=[
                {**HTTP_LAMBDA, "IdentitySource": ["$request.header.Authorization", "$context.routeKey"]}
            ],
        ),
        said(403, '{"message":"Forbidden"}'),
        False,
    ),
    (
        "lambda-authorizer-invoke-permission-missing",
        rest(**REST_CUSTOM, functions=BAD_FN),
        said(500, '{"message": null}', error_type="AuthorizerConfigurationException"),
        True,
    ),
    (
        "lambda-authorizer-invoke-permission-missing",
        rest(**REST_CUSTOM, functions={FN: FunctionFacts(policy=None)}),
        said(500, '{"message": null}'),
        True,
    ),
    (
        "lambda-authorizer-invoke-permission-missing",
        rest(**REST_CUSTOM, functions=GOOD_FN),
        said(500, '{"message": null}', error_type="AuthorizerConfigurationException"),
        False,
    ),
    (
        "lambda-authorizer-invalid-response",
        rest(
            **REST_CUSTOM,
            functions=GOOD_FN,
            logs=LogFacts(
                enabled=True,
                lines=["(a1) Execution failed due to configuration error: Could not parse policy"],
            ),
        ),
        said(500, '{"message": null}'),
        True,
    ),
    (
        "lambda-authorizer-invalid-response",
        rest(**REST_CUSTOM, functions=BAD_FN),
        said(500, '{"message": null}'),
        False,
    ),
    (
        "lambda-authorizer-error-or-timeout",
        rest(
            **REST_CUSTOM,
            functions=GOOD_FN,
            logs=LogFacts(enabled=True, lines=["2024-01-01T00:00:00Z a1 Task timed out after 3.00 seconds"]),
        ),
        said(500, '{"message": null}'),
        True,
    ),
    (
        "lambda-authorizer-error-or-timeout",
        rest(**REST_CUSTOM, functions=BAD_FN),
        said(500, '{"message": null}'),
        False,
    ),
    # WebSocket $connect
    (
        "ws-connect-authorizer-rejects",
        ws(
            {"AuthorizationType": "CUSTOM", "AuthorizerId": "la1"},
            [{**HTTP_LAMBDA, "IdentitySource": ["route.request.header.Auth"]}],
        ),
        said(401, "Unexpected server response: 401"),
        True,
    ),
    (
        "ws-connect-authorizer-rejects",
        ws({"AuthorizationType": "NONE"}),
        said(401, "Unexpected server response: 401"),
        False,
    ),
]

MINE = {
    "rest-resource-policy-explicit-deny": ["REST"],
    "rest-resource-policy-implicit-deny": ["REST"],
    "private-api-missing-resource-policy": ["REST"],
    "waf-web-acl-block": ["REST"],
    "custom-domain-mtls-rejected": ["REST", "HTTP"],
    "rest-iam-method-unsigned-request": ["REST", "HTTP", "WEBSOCKET"],
    "iam-caller-lacks-execute-api-invoke": ["REST", "HTTP", "WEBSOCKET"],
    "iam-signature-mismatch": ["REST", "HTTP", "WEBSOCKET"],
    "iam-expired-or-invalid-credentials": ["REST", "HTTP", "WEBSOCKET"],
    "http-jwt-audience-mismatch": ["HTTP"],
    "http-jwt-cognito-access-token-client-id": ["HTTP"],
    "http-jwt-issuer-mismatch": ["HTTP"],
    "http-jwt-token-expired": ["HTTP"],
    "http-jwt-insufficient-scope": ["HTTP"],
    "http-jwt-missing-or-malformed-header": ["HTTP"],
    "rest-jwt-authorizer-rejects": ["REST"],
    "lambda-authorizer-identity-source-missing": ["REST", "HTTP", "WEBSOCKET"],
    "lambda-authorizer-returned-deny": ["REST", "HTTP", "WEBSOCKET"],
    "rest-lambda-authorizer-cached-policy-too-narrow": ["REST"],
    "http-lambda-authorizer-cache-shared-across-routes": ["HTTP"],
    "lambda-authorizer-invoke-permission-missing": ["REST", "HTTP", "WEBSOCKET"],
    "lambda-authorizer-invalid-response": ["REST", "HTTP", "WEBSOCKET"],
    "lambda-authorizer-error-or-timeout": ["REST", "HTTP", "WEBSOCKET"],
    "ws-connect-authorizer-rejects": ["WEBSOCKET"],
    "rest-cognito-token-type-mismatch": ["REST"],
    "rest-cognito-user-pool-mismatch": ["REST"],
}


@pytest.mark.parametrize(
    ("rule_id", "facts", "symptom", "hits"),
    CASES,
    ids=[f"{c[0]}-{i}-{'hit' if c[3] else 'none'}" for i, c in enumerate(CASES)],
)
def test_rule(rule_id: str, facts: Facts, symptom: Symptom, hits: bool) -> None:
    check_rule_case(rule_id, facts, symptom, hits)


def test_every_rule_has_a_positive_and_a_negative_case() -> None:
    for rule_id in MINE:
        assert {c[3] for c in CASES if c[0] == rule_id} == {True, False}, rule_id


def test_registered_ids_are_in_the_catalogue_with_their_api_types() -> None:
    mine = {rid for rid, fn in RULES.items() if fn.__module__.startswith(rules_auth.__name__)}
    assert mine == set(MINE)
    rules = catalogue()
    for rule_id, api_types in MINE.items():
        assert sorted(rules[rule_id].api_types) == sorted(api_types), rule_id


def test_confirmed_causes_outrank_consistent_ones() -> None:
    facts = jwt_route()
    unsure = RULES["http-jwt-audience-mismatch"](facts, said(401, '{"message":"Unauthorized"}'))
    sure = RULES["http-jwt-audience-mismatch"](facts, token(aud="other"))
    assert unsure is not None and sure is not None and sure.confidence >= 0.9 > 0.5 > unsure.confidence
    assert {e.field for e in unsure.evidence} >= {"JwtConfiguration.Issuer", "JwtConfiguration.Audience"}


def test_audience_fix_is_a_dry_run_adding_the_token_audience() -> None:
    hit = RULES["http-jwt-audience-mismatch"](jwt_route(), token(aud="web-client"))
    assert hit is not None and hit.fix is not None and hit.fix.args is not None
    assert hit.fix.tool == "add_jwt_authorizer"
    assert hit.fix.args["audience"] == [CLIENT, "web-client"]
    assert hit.fix.args["issuer"] == ISS and hit.fix.args["routes"] == ["GET /orders"]
    assert hit.fix.args["dry_run"] is True


def test_cognito_access_token_fix_lists_the_app_client() -> None:
    facts = http(
        {"AuthorizationType": "JWT", "AuthorizerId": "jw1"},
        authorizers=[{**JWT_AUTHZ, "JwtConfiguration": {"Issuer": ISS, "Audience": [POOL]}}],
    )
    hit = RULES["http-jwt-cognito-access-token-client-id"](
        facts, token(token_use="access", aud=None, client_id=CLIENT)
    )
    assert hit is not None and hit.fix is not None and hit.fix.args is not None
    assert CLIENT in hit.fix.args["audience"]


def test_client_id_is_checked_only_when_aud_is_absent() -> None:
    symptom = token(token_use="access", aud=None, client_id=CLIENT)
    assert RULES["http-jwt-audience-mismatch"](jwt_route(), symptom) is None


def test_explicit_deny_statement_and_condition_are_evidence() -> None:
    hit = RULES["rest-resource-policy-explicit-deny"](
        rest(policy=escaped(doc(allow(), DENY_OUTSIDE_IP))), said(403)
    )
    assert (
        hit is not None and 0.5 <= hit.confidence < 0.9
    )  # the caller's IP decides: consistent, not confirmed
    assert any("Condition" in e.field and "NotIpAddress" in e.value for e in hit.evidence)
    assert hit.fix is not None and "update_rest_api(restApiId='r1'" in (hit.fix.manual or "")


def test_iam_caller_fix_names_the_role_not_the_session() -> None:
    body = (
        f"User: arn:aws:sts::{ACCOUNT}:assumed-role/app-role/sess is not authorized to perform: "
        "execute-api:Invoke on resource: x"
    )
    hit = RULES["iam-caller-lacks-execute-api-invoke"](rest(IAM_METHOD), said(403, body))
    assert hit is not None and hit.fix is not None
    assert f"arn:aws:iam::{ACCOUNT}:role/app-role" in (hit.fix.manual or "")


def test_authorizer_permission_for_all_routes_does_not_cover_the_authorizer() -> None:
    hit = RULES["lambda-authorizer-invoke-permission-missing"](
        http(
            HTTP_CUSTOM,
            authorizers=[HTTP_LAMBDA],
            functions={
                FN: FunctionFacts(policy=lambda_policy(f"arn:aws:execute-api:{REGION}:{ACCOUNT}:h1/*/*/*"))
            },
        ),
        said(500),
    )
    assert hit is not None and hit.confidence >= 0.9
    assert hit.fix is not None and hit.fix.tool == "ensure_lambda_permission"


def test_http_cache_fix_adds_the_route_key_to_the_identity_source() -> None:
    facts = http(HTTP_CUSTOM, authorizers=[HTTP_LAMBDA], more_routes=[SECOND_ROUTE])
    hit = RULES["http-lambda-authorizer-cache-shared-across-routes"](facts, said(403))
    assert hit is not None and hit.fix is not None and hit.fix.args is not None
    assert hit.fix.args["identity_source"] == ["$request.header.Authorization", "$context.routeKey"]
    assert sorted(hit.fix.args["routes"]) == ["GET /orders", "POST /orders"]


def test_log_evidence_never_echoes_tokens() -> None:
    jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"
    facts = rest(
        **REST_CUSTOM,
        functions=GOOD_FN,
        logs=LogFacts(
            enabled=True,
            lines=[f'(a1) Authorization: Bearer {jwt} authorizer error: "Effect":"Deny" Task timed out'],
        ),
    )
    for rule_id in ("lambda-authorizer-error-or-timeout", "lambda-authorizer-returned-deny"):
        hit = RULES[rule_id](facts, said(500))
        assert hit is not None
        assert all(jwt not in str(e.value) for e in hit.evidence)


def test_authorizer_that_cannot_be_invoked_did_not_decide() -> None:
    facts = rest(**REST_CUSTOM, functions=BAD_FN, more_methods={"POST": {"httpMethod": "POST", **CUSTOM}})
    symptom = said(403, '{"Message":"User is not authorized to access this resource"}')
    for rule_id in ("lambda-authorizer-returned-deny", "rest-lambda-authorizer-cached-policy-too-narrow"):
        assert RULES[rule_id](facts, symptom) is None, rule_id
