"""Argument strategies for the tool fuzz: a tool's published inputSchema, and near misses of it.

``arguments(schema, plausible, baseline)`` draws, in equal shares: from the schema as published
(hypothesis-jsonschema); from it with objects closed to their declared properties (compaction
dropped ``additionalProperties: false`` from nested models, whose unknown fields the server
refuses; unknown top-level arguments are ignored, as the published schema allows); near misses
of the schema, whose string leaves are each kept, swapped for a value that fits the field in the
seeded sandbox (``plausible``), or swapped for an adversarial string; and mutations of one valid
call (``baseline``), with some strings adversarial and some unknown fields added, since no
schema draw satisfies cross-field rules such as "exactly one backend".

hypothesis-jsonschema 0.23.1 (the newest) calls ``many.more()``, which the installed hypothesis
(6.170) no longer has; the shim below restores it (a test-side patch of a third-party library).
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st
from hypothesis.internal.conjecture import utils as conjecture_utils
from hypothesis_jsonschema import from_schema

from .helpers import FUNCTION

OTHER_ACCOUNT = "999999999999"
ADVERSARIAL = [
    "",
    " ",
    "\r\n",
    "GET /orders\r\nX-Injected: 1",
    "line one\nline two",
    "\x00",
    "nul\x00byte",
    "\x1b[31mred\x1b[0m",
    "\t\x0b\x0c\x7f\x85\u2028",
    "../../../etc/passwd",
    "GET /../admin",
    "..%2f..%2fetc",
    "${api.ApiId}",
    "${stageVariables.url}",
    "$context.requestId",
    "${AWS::AccountId}",
    "{{resolve:secretsmanager:x}}",
    f"arn:aws:lambda:us-east-1:{OTHER_ACCOUNT}:function:evil",
    "arn:aws:lambda:eu-west-1:123456789012:function:apigw-mcp-sandbox-fn",
    f"{FUNCTION}:$LATEST",
    "arn:aws:lambda:us-east-1:123456789012:function:*",
    f"arn:aws:iam::{OTHER_ACCOUNT}:role/admin",
    f"arn:aws:logs:us-east-1:{OTHER_ACCOUNT}:log-group:stolen",
    "arn:aws:logs:us-east-1:123456789012:log-group:/aws/x:*",
    "arn:aws-cn:lambda:cn-north-1:123456789012:function:x",
    "https://169.254.169.254/latest/meta-data/iam/security-credentials/",
    "http://169.254.169.254/",
    "https://[fd00:ec2::254]/",
    "https://[::ffff:169.254.169.254]/",
    "https://0xa9fea9fe/",
    "https://2852039166/",
    "https://0251.0376.0251.0376/",
    "https://169.254.169.254.nip.io/",
    "https://metadata.google.internal/computeMetadata/v1/",
    "https://instance-data/latest/",
    "https://127.1/",
    "https://localhost./admin",
    "https://user:secret@example.com/",
    "https://example.com/${stageVariables.path}",
    "file:///etc/passwd",
    "javascript:alert(1)",
    "\u202eevil\u202c",
    "\u200b\ufeff",
    "ｈｔｔｐｓ://ｅｘａｍｐｌｅ.ｃｏｍ",
    "e\u0301\u0327\u20dd",
    "😀" * 10,
    "*",
    "$default",
    "NONE",
    "AWS_IAM",
    "-1",
    "null",
]
FILLERS = ["a", "/", "é", "😀", "../", "${x}", "\r\n", "Ab1-"]
ROUTE_KEYS = ["GET /orders", "GET /orders/{id}", "ANY /legacy/{proxy+}", "$default", "POST /fuzz/{id}"]


def plausible_values(api_id: str, undo_handle: str) -> dict[str, list[str]]:
    """Values that fit each field in the seeded sandbox, by property name."""
    urls = ["https://legacy.example.com/api", "https://backend.example.com/v1"]
    return {
        "api_id": [api_id, "orders"],
        "handle": [undo_handle],
        "route_key": ROUTE_KEYS,
        "routes": ROUTE_KEYS,
        "route_throttle": ROUTE_KEYS,
        "routes_matching": ["orders", "/legacy"],
        "name_contains": ["ord"],
        "lambda_arn": [FUNCTION],
        "function_arn": [FUNCTION],
        "url": urls,
        "issuer": [
            "https://issuer.example.com",
            "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abc",
        ],
        "audience": ["client-1"],
        "cognito_user_pool_id": ["us-east-1_abc123"],
        "cognito_app_client_id": ["client1"],
        "name": ["orders", "fuzz-api", "jwt-auth", "$default", "prod"],
        "stage_name": ["$default", "prod"],
        "stage": ["$default", "prod"],
        "auth": ["NONE", "AWS_IAM", "jwt-auth"],
        "scopes": ["orders/read"],
        "identity_source": ["$request.header.Authorization"],
        "allow_origins": ["https://app.example.com", "*"],
        "allow_methods": ["GET", "POST", "*"],
        "allow_headers": ["authorization", "content-type"],
        "expose_headers": ["x-request-id"],
        "log_group_arn": ["arn:aws:logs:us-east-1:123456789012:log-group:fuzz"],
        "log_format": ['{"requestId":"$context.requestId"}'],
        "payload_format_version": ["2.0", "1.0"],
        "method": ["GET", "OPTIONS", "POST"],
        "path": ["/orders", "/orders/1", "/legacy/a/b", "/prod/orders"],
        "keyword": ["cors", "timeout", "no-logs", "stale-deploy"],
        "origin": ["https://app.example.com"],
        "error_type": ["AuthorizerConfigurationException"],
        "message": ["Unauthorized", "Internal Server Error", "Not Found"],
        "error_body": ['{"message":"Unauthorized"}'],
        "description": ["fuzz"],
    }


def baselines(api_id: str, undo_handle: str) -> dict[str, dict[str, Any]]:
    """One valid preview per tool on the seeded API: mutating one of these is the classic near miss."""
    backend = "https://backend.example.com/v1"
    on_api: dict[str, dict[str, Any]] = {
        "describe_api": {"routes_matching": "orders"},
        "add_route": {"route": {"route_key": "POST /fuzz/{id}", "url": backend, "timeout_ms": 5000}},
        "update_route": {"route_key": "GET /orders", "change": {"url": backend}},
        "delete_route": {"route_key": "GET /orders"},
        "configure_cors": {
            "cors": {"allow_origins": ["https://app.example.com"], "allow_headers": ["authorization"]}
        },
        "add_jwt_authorizer": {
            "name": "jwt-auth",
            "routes": ["GET /orders"],
            "issuer": "https://issuer.example.com",
            "audience": ["client-1"],
            "scopes": ["orders/read"],
        },
        "add_lambda_authorizer": {
            "name": "fn-auth",
            "function_arn": FUNCTION,
            "routes": ["GET /orders/{id}"],
            "identity_source": ["$request.header.Authorization"],
        },
        "deploy_stage": {
            "stage_name": "prod",
            "variables": {"backend": backend},
            "throttle": {"burst": 10, "rate": 5},
            "access_log": True,
        },
        "delete_stage": {"stage_name": "$default"},
        "ensure_lambda_permission": {},
        "delete_api": {},
        "diagnose_error": {
            "status": 403,
            "method": "GET",
            "path": "/orders",
            "origin": "https://app.example.com",
        },
        "audit_api": {},
    }
    new_api = {
        "name": "fuzz-api",
        "routes": [
            {"route_key": "GET /a/{id}", "lambda_arn": FUNCTION, "auth": "jwt-auth"},
            {"route_key": "ANY /b/{proxy+}", "url": backend},
        ],
        "cors": {"allow_origins": ["https://app.example.com"]},
        "authorizers": [{"name": "jwt-auth", "issuer": "https://issuer.example.com", "audience": ["c"]}],
        "stages": [{"name": "prod", "variables": {"k": "v"}, "access_log": True}],
        "tags": {"team": "fuzz"},
    }
    return {
        **{tool: {"api_id": api_id, **args} for tool, args in on_api.items()},
        "list_apis": {"name_contains": "ord"},
        "create_http_api": new_api,
        "undo": {"handle": undo_handle},
    }


def _many_more(self: Any) -> bool:
    """``many.more()`` as hypothesis-jsonschema 0.23.1 calls it; hypothesis 6.170 replaced it by iteration."""
    if self._depth is None:
        self.__enter__()
        self.compat_steps = iter(self)
    if next(self.compat_steps, False) is None:
        return True
    self.__exit__(None)
    return False


if not hasattr(conjecture_utils.many, "more"):
    # Without it every object schema fails inside hypothesis-jsonschema with AttributeError.
    conjecture_utils.many.more = _many_more  # type: ignore[attr-defined]


def long_strings() -> st.SearchStrategy[str]:
    """Up to 20 KB, built by repetition: drawing 20 KB character by character is slow."""
    return st.builds(
        lambda unit, size: unit * max(1, size // len(unit)), st.sampled_from(FILLERS), st.integers(1, 20_000)
    )


def adversarial() -> st.SearchStrategy[str]:
    plain = st.sampled_from(ADVERSARIAL)
    return st.one_of(
        plain,
        st.builds(lambda head, tail: head + tail, plain, plain),
        long_strings(),
        st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40),
    )


def closed(schema: Any) -> Any:
    """The schema with each object limited to its declared properties, as the server enforces."""
    if isinstance(schema, list):
        return [closed(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: closed(value) for key, value in schema.items()}
    if "properties" in out and "additionalProperties" not in out:
        out["additionalProperties"] = False
    return out


def property_names(schema: Any) -> set[str]:
    if isinstance(schema, list):
        return {name for item in schema for name in property_names(item)}
    if not isinstance(schema, dict):
        return set()
    own = set(schema.get("properties", {}))
    return own.union(*(property_names(value) for value in schema.values()))


@st.composite
def near_miss(draw: st.DrawFn, schema: dict[str, Any], plausible: dict[str, list[str]]) -> Any:
    """A value of the closed schema whose strings (and free-form map keys) are kept or swapped.

    How often a leaf gets a fitting value is drawn once per example, from "mostly fitting" (one
    odd leaf among valid ones, the classic near miss) to "half fitting".
    """
    fields = property_names(schema)
    strange = adversarial()
    fitting = draw(st.sampled_from([8, 2]))
    choices = st.sampled_from(["fits"] * fitting + ["adversarial", "keep"])

    def leaf(field: str, value: str) -> str:
        choice = draw(choices)
        if choice == "fits" and field in plausible:
            return draw(st.sampled_from(plausible[field]))
        return draw(strange) if choice == "adversarial" else value

    def swap(field: str, value: Any) -> Any:
        if isinstance(value, str):
            return leaf(field, value)
        if isinstance(value, list):
            return [swap(field, item) for item in value]
        if isinstance(value, dict):
            return {
                (key if key in fields else leaf(field, key)): swap(key, item) for key, item in value.items()
            }
        return value

    return swap("", draw(from_schema(closed(schema))))


@st.composite
def mutated(draw: st.DrawFn, baseline: dict[str, Any], schema: dict[str, Any]) -> Any:
    """A valid baseline, sometimes over schema-drawn fields: some strings adversarial, some unknown fields."""
    strange = adversarial()
    odds = st.sampled_from([True] + [False] * draw(st.sampled_from([3, 12, 40])))

    def swap(value: Any) -> Any:
        if isinstance(value, str):
            return draw(strange) if draw(odds) else value
        if isinstance(value, list):
            return [swap(item) for item in value]
        if isinstance(value, dict):
            fields = {key: swap(item) for key, item in value.items()}
            return {**fields, draw(strange): "unknown field"} if draw(odds) else fields
        return value

    extra: Any = draw(from_schema(closed(schema))) if draw(st.booleans()) else {}
    return {**extra, **swap(baseline)}


def arguments(
    schema: dict[str, Any], plausible: dict[str, list[str]], baseline: dict[str, Any]
) -> st.SearchStrategy[Any]:
    """Half from the schema (as published, or closed), half near misses of the schema or the baseline."""
    return st.one_of(
        from_schema(schema),
        from_schema(closed(schema)),
        near_miss(schema, plausible),
        mutated(baseline, schema),
    )
