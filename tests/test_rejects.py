"""Every validation and guard rule: a clear error naming the field or setting, and no AWS write."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import ClientFactory
from .helpers import FUNCTION, orders_request, preview_and_apply, text_of
from .recorder import Recording

pytestmark = pytest.mark.anyio


def route(**fields: Any) -> dict[str, Any]:
    return orders_request(routes=[{"route_key": "GET /x", "lambda_arn": FUNCTION, **fields}])


def with_url(url: str) -> dict[str, Any]:
    return orders_request(routes=[{"route_key": "GET /x", "url": url}])


BAD_INPUTS: list[tuple[str, dict[str, Any], list[str]]] = [
    ("rejects_route_key_without_method", route(route_key="/orders"), ["route_key", "METHOD /path"]),
    ("rejects_unknown_method", route(route_key="FETCH /orders"), ["route_key", "FETCH"]),
    ("rejects_path_without_slash", route(route_key="GET orders"), ["route_key", "must start with '/'"]),
    ("rejects_trailing_slash", route(route_key="GET /orders/"), ["route_key", "trailing"]),
    ("rejects_greedy_not_last", route(route_key="GET /{proxy+}/x"), ["route_key", "greedy"]),
    ("rejects_bad_path_chars", route(route_key="GET /a b"), ["route_key"]),
    (
        "rejects_duplicate_route_keys",
        orders_request(routes=[{"route_key": "GET /x", "lambda_arn": FUNCTION}] * 2),
        ["routes.1.route_key", "duplicates"],
    ),
    (
        "rejects_conflicting_param_names",
        orders_request(
            routes=[
                {"route_key": "GET /o/{id}", "lambda_arn": FUNCTION},
                {"route_key": "GET /o/{key}", "lambda_arn": FUNCTION},
            ]
        ),
        ["routes.1.route_key"],
    ),
    (
        "rejects_malformed_lambda_arn",
        route(lambda_arn="arn:aws:lambda:us-east-1:123:function:x"),
        ["lambda_arn"],
    ),
    (
        "rejects_lambda_in_other_region",
        route(lambda_arn=FUNCTION.replace("us-east-1", "eu-west-1")),
        ["routes.0.lambda_arn", "region us-east-1"],
    ),
    (
        "rejects_lambda_in_other_account",
        route(lambda_arn=FUNCTION.replace("123456789012", "999999999999")),
        ["routes.0.lambda_arn", "account 123456789012"],
    ),
    (
        "rejects_missing_lambda_function",
        route(lambda_arn=FUNCTION.replace("sandbox-fn", "nope")),
        ["lambda_arn", "does not exist"],
    ),
    (
        "rejects_both_backends",
        route(url="https://example.com"),
        ["exactly one of lambda_arn, url or integration_id"],
    ),
    (
        "rejects_no_backend",
        orders_request(routes=[{"route_key": "GET /x"}]),
        ["exactly one of lambda_arn, url or integration_id"],
    ),
    ("rejects_http_url", with_url("http://example.com/api"), ["url", "https://"]),
    ("rejects_loopback_url", with_url("https://127.0.0.1/api"), ["url", "loopback"]),
    ("rejects_short_loopback_url", with_url("https://127.1/api"), ["url", "loopback"]),
    ("rejects_private_url", with_url("https://10.0.0.5/api"), ["url", "private"]),
    ("rejects_metadata_url", with_url("https://169.254.169.254/latest"), ["url", "link-local"]),
    ("rejects_ipv6_metadata_url", with_url("https://[fd00:ec2::254]/"), ["url"]),
    ("rejects_metadata_name", with_url("https://metadata.google.internal/"), ["url", "metadata"]),
    ("rejects_localhost_url", with_url("https://localhost:8443/"), ["url", "loopback"]),
    ("rejects_credentials_in_url", with_url("https://user:pw@example.com/"), ["url", "credentials"]),
    (
        "rejects_payload_2_for_http",
        route(lambda_arn=None, url="https://example.com", payload_format_version="2.0"),
        ["payload 1.0"],
    ),
    ("rejects_timeout_below_50", route(timeout_ms=49), ["timeout_ms", "50"]),
    ("rejects_timeout_above_30000", route(timeout_ms=30001), ["timeout_ms", "30000"]),
    (
        "rejects_mixed_timeouts_for_one_backend",
        orders_request(
            routes=[
                {"route_key": "GET /a", "lambda_arn": FUNCTION, "timeout_ms": 1000},
                {"route_key": "GET /b", "lambda_arn": FUNCTION},
            ]
        ),
        ["routes.1.timeout_ms"],
    ),
    (
        "rejects_too_many_routes",
        orders_request(routes=[{"route_key": f"GET /r{i}", "lambda_arn": FUNCTION} for i in range(301)]),
        ["routes", "300"],
    ),
    ("rejects_empty_name", orders_request(name=""), ["name", "1 to 128"]),
    ("rejects_long_name", orders_request(name="x" * 129), ["name", "1 to 128"]),
    ("rejects_long_description", orders_request(description="d" * 1025), ["description"]),
    ("rejects_reserved_tag", orders_request(tags={"aws:owner": "x"}), ["tags", "reserved"]),
    (
        "rejects_managed_tag_from_user",
        orders_request(tags={"apigw-mcp:managed": "true"}),
        ["tags", "reserved"],
    ),
    (
        "rejects_cors_wildcard_with_credentials",
        orders_request(cors={"allow_origins": ["*"], "allow_credentials": True}),
        ["cors", "credentials"],
    ),
    (
        "rejects_cors_origin_with_path",
        orders_request(cors={"allow_origins": ["https://a.example.com/app"]}),
        ["cors.allow_origins", "no path"],
    ),
    (
        "rejects_cors_max_age",
        orders_request(cors={"allow_origins": ["*"], "max_age": 86401}),
        ["cors.max_age"],
    ),
    (
        "rejects_cors_unknown_method",
        orders_request(cors={"allow_origins": ["*"], "allow_methods": ["FETCH"]}),
        ["cors.allow_methods"],
    ),
    ("rejects_apply_without_token", {**orders_request(), "dry_run": False}, ["plan_token", "dry_run=true"]),
    ("rejects_malformed_token", {**orders_request(), "dry_run": False, "plan_token": "x"}, ["plan_token"]),
]


@pytest.mark.parametrize(("case", "args", "expected"), BAD_INPUTS, ids=[c[0] for c in BAD_INPUTS])
async def test_bad_input(
    case: str,
    args: dict[str, Any],
    expected: list[str],
    client: ClientFactory,
    recording: Recording,
) -> None:
    async with client() as session:
        result = await session.call_tool("create_http_api", args)
    assert result.is_error, case
    for fragment in expected:
        assert fragment in text_of(result), (case, text_of(result))
    assert "Traceback" not in text_of(result)
    assert recording.writes() == []


SCOPE_RULES: list[tuple[str, dict[str, Any], list[str]]] = [
    (
        "rejects_writes_in_read_only_mode",
        {"read_only": True},  # given like the --read-only flag (the environment is the next test)
        ["refused (read-only)", "the server is read-only (--read-only)", "restart it without that"],
    ),
    ("rejects_wrong_account", {"account": "999999999999"}, ["account", "APIGW_MCP_ACCOUNT"]),
    (
        "rejects_lambda_outside_allowed_patterns",
        {"lambda_arns": ["arn:aws:lambda:us-east-1:123456789012:function:prod-*"]},
        ["lambda-scope", "APIGW_MCP_LAMBDA_ARNS"],
    ),
]


@pytest.mark.parametrize(("case", "settings", "expected"), SCOPE_RULES, ids=[c[0] for c in SCOPE_RULES])
async def test_scope_rule(
    case: str,
    settings: dict[str, Any],
    expected: list[str],
    client: ClientFactory,
    recording: Recording,
) -> None:
    async with client(**settings) as session:
        result = await session.call_tool("create_http_api", orders_request())
    assert result.is_error, case
    for fragment in expected:
        assert fragment in text_of(result), (case, text_of(result))
    assert recording.writes() == []


async def test_read_only_from_the_environment_is_refused_once_naming_the_variable(
    client: ClientFactory, recording: Recording, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A dry run too: one refusal for the whole call, naming how read-only was set."""
    monkeypatch.setenv("APIGW_MCP_READ_ONLY", "true")
    async with client() as session:
        result = await session.call_tool("create_http_api", orders_request())
    assert result.is_error and "refused (read-only)" in text_of(result), text_of(result)
    assert "(APIGW_MCP_READ_ONLY=true)" in text_of(result)
    assert text_of(result).count("the server is read-only") == 1, text_of(result)
    assert recording.writes() == []


async def test_rejects_apply_in_read_only_even_with_a_token(
    client: ClientFactory, recording: Recording
) -> None:
    async with client() as session:
        token = (await session.call_tool("create_http_api", orders_request())).structured_content["plan"][
            "token"
        ]
    recording.clear()
    async with client(read_only=True) as session:
        result = await session.call_tool(
            "create_http_api", {**orders_request(), "dry_run": False, "plan_token": token}
        )
    assert result.is_error and "read-only" in text_of(result)
    assert recording.writes() == []


async def test_rejects_token_after_scope_changed(client: ClientFactory, recording: Recording) -> None:
    async with client() as session:
        await preview_and_apply(session, orders_request())
        token = (
            await session.call_tool("create_http_api", orders_request(description="x"))
        ).structured_content["plan"]["token"]
    recording.clear()
    async with client(api_name_prefixes=["orders"]) as session:
        result = await session.call_tool(
            "create_http_api", {**orders_request(description="x"), "dry_run": False, "plan_token": token}
        )
    assert result.is_error and "scope settings changed" in text_of(result)
    assert recording.writes() == []
