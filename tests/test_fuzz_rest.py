"""Property fuzz of create_rest_api over its published inputSchema (tests/test_fuzz_tools.py's machinery).

Hypothesis draws 200 argument sets from the schema tools/list publishes (as published, closed to the
declared fields, near misses with adversarial strings, and mutations of one valid REST request that
uses every backend kind, an authorizer, CORS and a stage). Every example proves what the tool fuzz
proves: the call returns, an error is one line naming the tool, no AWS write reached the sandbox
(counted at the endpoint), a result validates against the published outputSchema; and enough
examples get through validation to reach the REST planner and the guard.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given

from .fuzz_values import arguments
from .helpers import FUNCTION
from .test_fuzz_tools import FUZZ, MIN_RESULTS, Target, check_example, portal, seeded, target

__all__ = ["portal", "seeded", "target"]  # the shared fixtures, used by name
POOL = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_fuzz"
ROLE = "arn:aws:iam::123456789012:role/apigw-mcp-sandbox-role"
BASELINE: dict[str, Any] = {
    "name": "fuzz-rest",
    "routes": [
        {"route_key": "GET /a/{id}", "lambda_arn": FUNCTION, "auth": "users", "scopes": ["orders/read"]},
        {"route_key": "ANY /b/{proxy+}", "http_url": "https://backend.example.com/{proxy}"},
        {
            "route_key": "POST /q",
            "aws_service": {"service": "sqs", "path": "123456789012/q", "role_arn": ROLE},
            "request_templates": {"application/json": "Action=SendMessage&MessageBody=$input.body"},
        },
        {"route_key": "GET /health", "mock": True, "api_key_required": True},
    ],
    "authorizers": [{"name": "users", "cognito_user_pool_arns": [POOL]}],
    "cors": {"allow_origins": ["https://app.example.com"]},
    "stages": [{"name": "prod", "variables": {"k": "v"}, "throttle": {"rate_limit": 10, "burst_limit": 5}}],
    "tags": {"team": "fuzz"},
}
PLAUSIBLE: dict[str, list[str]] = {
    "lambda_arn": [FUNCTION],
    "role_arn": [ROLE],
    "name": ["fuzz-rest", "prod", "users"],
    "http_url": ["https://backend.example.com/v1"],
    "service": ["sqs"],
    "auth": ["NONE", "AWS_IAM", "users"],
}


def test_fuzz_create_rest_api(target: Target) -> None:
    tool = target.tools["create_rest_api"]
    assert tool.output_schema is not None
    plausible = {**target.seeded.plausible, **PLAUSIBLE}

    @FUZZ
    @given(arguments(tool.input_schema, plausible, BASELINE))
    def one_example(args: dict[str, Any]) -> None:
        check_example(target, tool, args)

    one_example()
    assert target.tally["examples"] >= 200, dict(target.tally)
    assert target.tally["result"] >= MIN_RESULTS, (
        f"create_rest_api: {dict(target.tally)}: stops at validation"
    )
