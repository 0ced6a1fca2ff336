"""Escape suite, fields: no extra field, and no number or expression out of range, gets through.

Unknown fields in nested arguments (a route's ``credentials_arn`` or ``request_parameters``,
which would let API Gateway call with a role or rewrite the Host header; CORS, authorizer,
stage and throttle objects with fields of the raw AWS shape) must be refused, not dropped
in silence. Throttles negative, huge, fractional or not a number, timeouts and authorizer
TTLs out of range, identity sources that read the body or carry line breaks, scopes with
control characters and access log formats without a request id are refused too, each
naming the field (or the guard's rule) before any AWS write.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from .escape_support import (
    Attempt,
    World,
    add_route,
    attempt,
    create,
    create_route,
    deploy,
    ids,
    jwt_authorizer,
    lambda_authorizer,
    on_api,
    open_world,
    refused,
    row,
    update_route,
)
from .helpers import FUNCTION

pytestmark = [pytest.mark.anyio, pytest.mark.xdist_group(__name__)]  # the world is built on one worker

ROLE = "arn:aws:iam::123456789012:role/admin"
HOST = {"overwrite:header.Host": "169.254.169.254"}
OTHER_LOG = "arn:aws:logs:us-east-1:999999999999:log-group:x"
EXTRA = "Extra inputs are not permitted"
JWT = {"name": "j", "issuer": "https://idp.example.com", "audience": ["a"]}
ONE = {"burst": 1, "rate": 1}
EXTRA_ROWS = [
    row(
        "extra:create-route-credentials",
        create_route(credentials_arn=ROLE),
        "routes.0.credentials_arn",
        EXTRA,
    ),
    row(
        "extra:create-route-parameters",
        create_route(request_parameters=HOST),
        "routes.0.request_parameters",
        EXTRA,
    ),
    row("extra:add-route-credentials", add_route(credentials_arn=ROLE), "route.credentials_arn", EXTRA),
    row(
        "extra:add-route-integration-type", add_route(integration_type="AWS"), "route.integration_type", EXTRA
    ),
    row(
        "extra:update-route-credentials", update_route(credentials_arn=ROLE), "change.credentials_arn", EXTRA
    ),
    row(
        "extra:update-route-parameters",
        update_route(request_parameters=HOST),
        "change.request_parameters",
        EXTRA,
    ),
    row(
        "extra:create-cors",
        create(cors={"allow_origins": ["https://a.example.com"], "allow_private_network": True}),
        "cors.allow_private_network",
        EXTRA,
    ),
    row(
        "extra:configure-cors-aws-shape",
        on_api("configure_cors", cors={"allow_origins": ["https://a.example.com"], "AllowOrigins": ["*"]}),
        "cors.AllowOrigins",
        EXTRA,
    ),
    row(
        "extra:create-authorizer-jwt-configuration",
        create(authorizers=[{**JWT, "jwt_configuration": {"Issuer": "https://127.0.0.1"}}]),
        "authorizers.0.jwt_configuration",
        EXTRA,
    ),
    row(
        "extra:create-authorizer-uri",
        create(authorizers=[{**JWT, "authorizer_uri": "arn:aws:apigateway:us-east-1:lambda:path/x"}]),
        "authorizers.0.authorizer_uri",
        EXTRA,
    ),
    row(
        "extra:create-stage-access-log-settings",
        create(stages=[{"name": "s", "access_log_settings": {"DestinationArn": OTHER_LOG}}]),
        "stages.0.access_log_settings",
        EXTRA,
    ),
    row(
        "extra:create-stage-client-certificate",
        create(stages=[{"name": "s", "client_certificate_id": "abc"}]),
        "stages.0.client_certificate_id",
        EXTRA,
    ),
    row(
        "extra:deploy-throttle",
        deploy(throttle={**ONE, "logging_level": "INFO"}),
        "throttle.logging_level",
        EXTRA,
    ),
    row(
        "extra:deploy-route-throttle",
        deploy(route_throttle={"GET /a": {**ONE, "data_trace_enabled": True}}),
        "route_throttle",
        EXTRA,
    ),
    row(
        "extra:create-stage-throttle",
        create(stages=[{"name": "s", "throttle": {**ONE, "logging_level": "INFO"}}]),
        "stages.0.throttle.logging_level",
        EXTRA,
    ),
]
THROTTLES: list[tuple[str, Any, str]] = [
    ("burst-negative", {"burst": -1, "rate": 1}, "burst"),
    ("burst-huge", {"burst": 5001, "rate": 1}, "burst"),
    ("burst-fraction", {"burst": 1.5, "rate": 1}, "burst"),
    ("burst-max-int", {"burst": 2**63, "rate": 1}, "burst"),
    ("rate-negative", {"burst": 1, "rate": -0.5}, "rate"),
    ("rate-huge", {"burst": 1, "rate": 10001}, "rate"),
    ("rate-1e308", {"burst": 1, "rate": 1e308}, "rate"),
    ("rate-nan", {"burst": 1, "rate": "NaN"}, "rate"),
    ("rate-infinity", {"burst": 1, "rate": "Infinity"}, "rate"),
    ("not-an-object", "fast", "throttle"),
]
THROTTLE_ROWS = (
    [row(f"throttle:deploy-{c}", deploy(throttle=t), "throttle", f) for c, t, f in THROTTLES]
    + [
        row(f"throttle:route-{c}", deploy(route_throttle={"GET /a": t}), "route_throttle", f)
        for c, t, f in THROTTLES[:4]
    ]
    + [
        row(f"throttle:create-{c}", create(stages=[{"name": "s", "throttle": t}]), "stages.0.throttle", f)
        for c, t, f in THROTTLES[4:8]
    ]
    + [
        row(
            "throttle:route-throttle-for-missing-route",
            deploy(route_throttle={"GET /nope": ONE}),
            "route_throttle",
        )
    ]
)
TIMEOUTS: list[tuple[str, Any, str]] = [
    ("49", 49, "greater than or equal to 50"),
    ("30001", 30001, "less than or equal to 30000"),
    ("zero", 0, "greater than or equal to 50"),
    ("negative", -1, "greater than or equal to 50"),
    ("huge", 10**12, "less than or equal to 30000"),
    ("text", "soon", "valid integer"),
]
TIMEOUT_ROWS = (
    [row(f"timeout:create-{c}", create_route(timeout_ms=t), "routes.0.timeout_ms", r) for c, t, r in TIMEOUTS]
    + [
        row(f"timeout:add-route-{c}", add_route(timeout_ms=t), "route.timeout_ms", r)
        for c, t, r in TIMEOUTS[:3]
    ]
    + [
        row(f"timeout:update-{c}", update_route(timeout_ms=t), "change.timeout_ms", r)
        for c, t, r in TIMEOUTS[:3]
    ]
)
INVALID_VALUE = refused("invalid-value")
LAMBDA_SOURCE = "use $request.header.X"
JWT_SOURCE = "a JWT authorizer reads"
OTHER_ROWS = [
    row("ttl:negative", lambda_authorizer(ttl_seconds=-1), "ttl_seconds", "greater than or equal to 0"),
    row("ttl:3601", lambda_authorizer(ttl_seconds=3601), "ttl_seconds", "less than or equal to 3600"),
    row(
        "ttl:create-3601",
        create(authorizers=[{"name": "l", "function_arn": FUNCTION, "ttl_seconds": 3601}]),
        "authorizers.0.ttl_seconds",
    ),
    row(
        "source:lambda-crlf",
        lambda_authorizer(identity_source=["$request.header.X\r\nY"]),
        "identity_source",
        LAMBDA_SOURCE,
    ),
    row(
        "source:lambda-body",
        lambda_authorizer(identity_source=["$request.body.password"]),
        "identity_source",
        LAMBDA_SOURCE,
    ),
    row(
        "source:jwt-body",
        jwt_authorizer(identity_source="$request.body.token"),
        "identity_source",
        JWT_SOURCE,
    ),
    row(
        "source:jwt-crlf",
        jwt_authorizer(identity_source="$request.header.A\r\nB"),
        "identity_source",
        JWT_SOURCE,
    ),
    row("scopes:eleven", jwt_authorizer(scopes=[f"s{i}" for i in range(11)]), "scopes", "at most 10"),
    row(
        "scopes:route-crlf",
        update_route("GET /secure", scopes=["read\r\nadmin"]),
        INVALID_VALUE,
        "AuthorizationScopes",
    ),
    row(
        "scopes:jwt-nul",
        jwt_authorizer(name="jwt", scopes=["read\x00"]),
        INVALID_VALUE,
        "AuthorizationScopes",
    ),
    row("audience:51", jwt_authorizer(audience=[f"a{i}" for i in range(51)]), "audience", "at most 50"),
    row("log-format:no-request-id", deploy(log_format='{"ip":"$context.identity.sourceIp"}'), "log_format"),
    row(
        "log-format:over-3KB",
        deploy(log_format="$context.requestId " + "x" * 3100),
        "log_format",
        "at most 3 KB",
    ),
    row("payload-version:3.0", lambda_authorizer(payload_format_version="3.0"), "payload_format_version"),
    row("http-method:trace", add_route(http_method="TRACE"), "route.http_method"),
]
ROWS = EXTRA_ROWS + THROTTLE_ROWS + TIMEOUT_ROWS + OTHER_ROWS


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
async def world(moto_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    async with open_world(moto_endpoint, tmp_path_factory.mktemp("escape-fields"), []) as built:
        yield built


@pytest.mark.parametrize("case", ROWS, ids=ids(ROWS))
async def test_field_attempt_is_refused_before_any_write(world: World, case: Attempt) -> None:
    await attempt(world, case)
