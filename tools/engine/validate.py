"""Syntax rules for route keys, paths, Lambda ARNs, names, tags and CORS values.

Each function raises ValueError with a message that says what is allowed, so it
can serve as a pydantic validator (the field name is added by pydantic) or be
called directly.
"""

from __future__ import annotations

import re

from apigw_mcp.tools.engine.netcheck import url_refusal

HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY")
_LITERAL = re.compile(r"[A-Za-z0-9._~:@!$&'()*+,;=-]+")
_PARAM = re.compile(r"\{([A-Za-z0-9_-]+)(\+?)\}")
LAMBDA_ARN = re.compile(
    r"arn:(aws|aws-cn|aws-us-gov):lambda:([a-z]{2}(?:-[a-z]+)+-\d):(\d{12}):function:"
    r"([A-Za-z0-9_-]{1,64})(?::(\$LATEST|[A-Za-z0-9_-]{1,128}))?"
)
_TAG_CHARS = re.compile(r"[\w .:/=+\-@]*", re.UNICODE)  # AWS allows spaces, never line breaks


MAX_PATH = 8192


def route_key(value: str) -> str:
    """``$default`` or ``METHOD /path``; returns the normalised key (method upper-cased)."""
    if value == "$default":
        return value
    method, sep, path = value.strip().partition(" ")
    if not sep:
        raise ValueError(
            f"{value!r} is not a route key: use 'METHOD /path' (e.g. 'GET /orders/{{id}}') or '$default'"
        )
    method = method.upper()
    if method not in HTTP_METHODS:
        raise ValueError(f"method {method!r} is not one of {', '.join(HTTP_METHODS)}")
    return f"{method} {http_path(path)}"


def http_path(path: str) -> str:
    if path == "/":
        return path
    if len(path) > MAX_PATH:
        raise ValueError(
            f"path is {len(path)} characters: no request can reach it (API Gateway's URL limit is "
            f"{MAX_PATH:,} characters for edge-optimized APIs, 10,240 for Regional)"
        )
    if not path.startswith("/") or path.endswith("/") or "//" in path:
        raise ValueError(f"path {path!r} must start with '/', have no empty segment and no trailing '/'")
    segments = path[1:].split("/")
    names: list[str] = []
    for index, segment in enumerate(segments):
        if segment in (".", ".."):
            raise ValueError(f"path {path!r} has a '{segment}' segment, which clients resolve away")
        match = _PARAM.fullmatch(segment)
        if match is None:
            if not _LITERAL.fullmatch(segment) or "{" in segment or "}" in segment:
                raise ValueError(f"path segment {segment!r} has characters a route path cannot hold")
            continue
        if match.group(2) and index != len(segments) - 1:
            raise ValueError(f"greedy parameter {segment!r} must be the last segment of the path")
        if match.group(1) in names:
            raise ValueError(f"path parameter {{{match.group(1)}}} appears twice")
        names.append(match.group(1))
    return path


def route_shape(key: str) -> str:
    """The key with parameter names erased: two keys of one shape conflict in API Gateway."""
    return _PARAM.sub(lambda m: "{+}" if m.group(2) else "{}", key)


def lambda_arn(value: str) -> str:
    if not LAMBDA_ARN.fullmatch(value):
        raise ValueError(
            f"{value!r} is not a Lambda function ARN: "
            "arn:aws:lambda:REGION:ACCOUNT:function:NAME[:ALIAS_OR_VERSION]"
        )
    return value


def lambda_region_account(arn: str) -> tuple[str, str]:
    match = LAMBDA_ARN.fullmatch(arn)
    if match is None:
        raise ValueError(f"{arn!r} is not a Lambda function ARN")
    return match.group(2), match.group(3)


def integration_url(value: str) -> str:
    """The URL is not quoted back in the error: it may carry a password the check refuses."""
    refusal = url_refusal(value)
    if refusal:
        raise ValueError(f"the URL {refusal}" if refusal.startswith("must") else refusal)
    return value


def api_name(value: str) -> str:
    if not 1 <= len(value) <= 128:
        raise ValueError("must be 1 to 128 characters")
    if any(not c.isprintable() for c in value) or value != value.strip():
        raise ValueError("must be printable with no leading or trailing blanks")
    return value


def description(value: str) -> str:
    if len(value) > 1024 or any(not (c.isprintable() or c in "\n\t") for c in value):
        raise ValueError("a description is at most 1024 characters, with no control characters")
    return value


def tags(value: dict[str, str]) -> dict[str, str]:
    if len(value) > 50:
        raise ValueError("at most 50 tags")
    for key, val in value.items():
        if not 1 <= len(key) <= 128 or len(val) > 256:
            raise ValueError(f"tag {key!r}: keys are 1-128 characters, values at most 256")
        if key.lower().startswith(("aws:", "apigw-mcp:")):
            raise ValueError(f"tag {key!r}: the prefixes 'aws:' and 'apigw-mcp:' are reserved")
        if not (_TAG_CHARS.fullmatch(key) and _TAG_CHARS.fullmatch(val)):
            raise ValueError(f"tag {key!r}: use letters, digits, spaces and _ . : / = + - @")
    return value


_JWT_SOURCE = re.compile(r"\$request\.(header|querystring)\.[A-Za-z0-9!#$%&'*+.^_`|~-]+")
_LAMBDA_SOURCE = re.compile(
    r"\$(request\.(header|querystring)|context|stageVariables)\.[A-Za-z0-9!#$%&'*+.^_`|~-]+"
)
_STAGE_NAME = re.compile(r"\$default|[A-Za-z0-9_-]{1,128}")
_STAGE_VAR_KEY = re.compile(r"[A-Za-z0-9_]{1,64}")
_STAGE_VAR_VALUE = re.compile(r"[A-Za-z0-9\-._~:/?#&=,]{0,512}")


def jwt_identity_source(value: str) -> str:
    if not _JWT_SOURCE.fullmatch(value):
        raise ValueError(
            f"{value!r}: a JWT authorizer reads $request.header.NAME or $request.querystring.NAME"
        )
    return value


def lambda_identity_source(value: str) -> str:
    if not _LAMBDA_SOURCE.fullmatch(value):
        raise ValueError(
            f"{value!r}: use $request.header.X, $request.querystring.X, $context.X or $stageVariables.X"
        )
    return value


def issuer(value: str) -> str:
    refusal = url_refusal(value)
    if refusal:
        raise ValueError(f"the issuer {refusal}" if refusal.startswith("must") else f"issuer: {refusal}")
    return value  # kept exactly as given: it must equal the token's iss claim, trailing '/' and all (Auth0)


def stage_name(value: str) -> str:
    if not _STAGE_NAME.fullmatch(value):
        raise ValueError(f"stage name {value!r}: use '$default' or 1-128 letters, digits, '-' and '_'")
    return value


def stage_variables(value: dict[str, str]) -> dict[str, str]:
    if len(value) > 100:
        raise ValueError("at most 100 stage variables")
    for key, val in value.items():
        if not _STAGE_VAR_KEY.fullmatch(key):
            raise ValueError(f"stage variable name {key!r}: 1-64 letters, digits and '_'")
        if not _STAGE_VAR_VALUE.fullmatch(val):
            raise ValueError(
                f"stage variable {key!r}: at most 512 of letters, digits and - . _ ~ : / ? # & = ,"
            )
    return value


def access_log_format(value: str) -> str:
    if "$context.requestId" not in value and "$context.extendedRequestId" not in value:
        raise ValueError("an access log format must contain $context.requestId or $context.extendedRequestId")
    if len(value.encode()) > 3072:
        raise ValueError("an access log format is at most 3 KB")
    return value


def partition_of(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    return "aws-us-gov" if region.startswith("us-gov-") else "aws"


def log_group_in(arn: str, region: str, account: str) -> None:
    """A log group ARN must name this server's partition, region and account: access logs go nowhere else."""
    partition = partition_of(region)
    parts = arn.split(":")
    if (parts[1], parts[3], parts[4]) != (partition, region, account):
        raise ValueError(
            f"log_group_arn: {arn} must be in this server's partition, region and account "
            f"(arn:{partition}:logs:{region}:{account}:log-group:NAME)"
        )


def log_group_arn(value: str) -> str:
    if not re.fullmatch(r"arn:aws[a-z-]*:logs:[a-z0-9-]+:\d{12}:log-group:[A-Za-z0-9_./#-]{1,512}", value):
        raise ValueError(
            f"{value!r} is not a CloudWatch Logs log group ARN (arn:aws:logs:REGION:ACCOUNT:log-group:NAME)"
        )
    return value


# The gateway response types AWS accepts for a REST API (put_gateway_response responseType).
GATEWAY_RESPONSE_TYPES = (
    "DEFAULT_4XX",
    "DEFAULT_5XX",
    "RESOURCE_NOT_FOUND",
    "UNAUTHORIZED",
    "INVALID_API_KEY",
    "ACCESS_DENIED",
    "AUTHORIZER_FAILURE",
    "AUTHORIZER_CONFIGURATION_ERROR",
    "INVALID_SIGNATURE",
    "EXPIRED_TOKEN",
    "MISSING_AUTHENTICATION_TOKEN",
    "INTEGRATION_FAILURE",
    "INTEGRATION_TIMEOUT",
    "API_CONFIGURATION_ERROR",
    "UNSUPPORTED_MEDIA_TYPE",
    "BAD_REQUEST_PARAMETERS",
    "BAD_REQUEST_BODY",
    "REQUEST_TOO_LARGE",
    "THROTTLED",
    "QUOTA_EXCEEDED",
    "WAF_FILTERED",
)
