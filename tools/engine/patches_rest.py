"""The paths each REST (apigateway) update may patch, and the judge of each path's value.

REST updates are JSON-patch lists (``patchOperations``). The guard judges them one operation at a
time against a per-operation table of the paths this server sends (``PatchPath``): a path not in
the table is refused, naming the operation and the path (fail closed), and a value is judged like
the create parameter it changes (a URI, a role, a log group, an API stage...).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from apigw_mcp.tools.engine import judges as j
from apigw_mcp.tools.engine import judges_rest as jr
from apigw_mcp.tools.engine import validate
from apigw_mcp.tools.engine.params import Param

METHODS = validate.HTTP_METHODS
REQUEST_PLACES = r"(?:path|querystring|header|multivalueheader|multivaluequerystring)"
HEADER = r"[A-Za-z0-9!#$%&'*+.^_`|~-]{1,128}"
CONTENT_TYPE = re.compile(r"[\w.+*-]{1,64}/[\w.+*-]{1,128}")
_SEGMENT = r"[A-Za-z0-9._:@!$&'()+,;={}-]*"
_ESCAPED_PATH = rf"(?:\*|(?:~1{_SEGMENT})+)"
# A usage plan's method throttle is keyed by the ApiStage.throttle key (/orders/{id}/GET), unescaped.
_THROTTLE_PATH = rf"(?:{_ESCAPED_PATH}|(?:/{_SEGMENT})+)"
_METHOD_KEY = rf"(?:\*|{'|'.join(METHODS)})"
_API_REF = r"(?P<api>[A-Za-z0-9]{1,64}|\$\{[A-Za-z0-9_.]+\})"
_OPS = frozenset({"add", "remove", "replace", "copy"})


def matching(pattern: str, what: str) -> j.Judge:
    compiled = re.compile(pattern)

    def judge(value: Any, _: j.GuardContext) -> str | None:
        return None if isinstance(value, str) and compiled.fullmatch(value) else f"must be {what}"

    return judge


def _numeric(low: float, high: float, integer: bool = False) -> j.Judge:
    """A patch value is a string: it must read as a number within bounds."""
    as_number = j.number(low, high, integer)

    def judge(value: Any, ctx: j.GuardContext) -> str | None:
        try:
            number = int(value) if integer else float(value)
        except (TypeError, ValueError):
            return f"must be a{'n integer' if integer else ' number'} written as text"
        return as_number(number, ctx)

    return judge


def policy(value: object) -> None:
    """A resource policy: a JSON policy document within AWS's 8 192 characters."""
    if not isinstance(value, str) or len(value) > 8192:
        raise ValueError("must be a JSON policy document of at most 8192 characters")
    try:
        document = json.loads(value)
    except json.JSONDecodeError as error:
        raise ValueError(f"the resource policy is not JSON ({error})") from None
    if not isinstance(document, dict) or not isinstance(document.get("Statement"), list):
        raise ValueError("must be a JSON policy document with a Statement list")


def template(value: object) -> None:
    if not isinstance(value, str) or len(value) > 65536:
        raise ValueError("a mapping template is text of at most 65536 characters")
    if any(not (c.isprintable() or c in "\r\n\t") for c in value):
        raise ValueError("a mapping template must not contain control characters")


def path_part(part: object) -> None:
    if not isinstance(part, str) or "/" in part:
        raise ValueError("must be one path segment")
    validate.http_path(f"/{part}")


# --- patchOperations ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PatchPath:
    """Paths (a regex; a group named ``api`` is an API id, judged for scope) one update may patch.

    ``value`` judges the value of add/replace (and of remove, where AWS takes one); ``None``
    means the operation carries no value. ``copy_from`` is the only source a ``copy`` may name.
    """

    path: str
    ops: frozenset[str]
    value: Param | None = None
    copy_from: str | None = None


def paths(*rows: tuple[str, str, Param | None]) -> tuple[PatchPath, ...]:
    return tuple(PatchPath(path, frozenset(ops.split()), value) for path, ops, value in rows)


def patch_operations(operation: str, table: Sequence[PatchPath], target: bool = False) -> Param:
    """A ``patchOperations`` parameter judged against ``table``."""

    def judge(value: Any, ctx: j.GuardContext) -> str | None:
        if not isinstance(value, list) or not 1 <= len(value) <= 100:
            return "must be a list of 1-100 patch operations"
        return next(
            (reason for item in value if (reason := _patch_refusal(operation, item, table, ctx))), None
        )

    return Param(judge, target=target, required=target)


def _patch_refusal(operation: str, item: Any, table: Sequence[PatchPath], ctx: j.GuardContext) -> str | None:
    if not isinstance(item, dict) or not {"op", "path"} <= set(item) <= {"op", "path", "value", "from"}:
        return j.with_rule(
            "unknown-parameter", "each patch operation is {op, path[, value]} and nothing else"
        )
    op, path = item["op"], item["path"]
    if op not in _OPS or not isinstance(path, str):
        return f"patch op {op!r} is not one of {', '.join(sorted(_OPS))}"
    rows = [(r, m) for r in table if (m := re.fullmatch(r.path, path))]
    if not rows:
        return j.with_rule("unknown-parameter", f"{operation} may not patch path {path!r}; refused")
    row, match = next(((r, m) for r, m in rows if op in r.ops), (None, None))
    if row is None or match is None:
        allowed = sorted({o for r, _ in rows for o in r.ops})
        return f"{operation} may not {op} path {path!r} (only {', '.join(allowed)})"
    if "api" in match.groupdict():
        reason = j.api_id(match["api"], ctx)
        if reason:
            return j.with_rule("api-scope", f"{path}: {reason}")
    if op == "copy":
        return (
            None if item.get("from") == row.copy_from else f"{path} may be copied only from {row.copy_from}"
        )
    if "from" in item:
        return j.with_rule("unknown-parameter", f"{op} {path} takes no 'from'")
    return _patch_value_refusal(op, path, item, row.value, ctx)


def _patch_value_refusal(
    op: str, path: str, item: dict[str, Any], param: Param | None, ctx: j.GuardContext
) -> str | None:
    if "value" not in item:
        return f"{op} {path} needs a value" if param is not None and op != "remove" else None
    if param is None or param.judge is None:
        return f"{op} {path} takes no value"
    if not isinstance(item["value"], str):
        return f"{path}: a patch value is a string"
    reason = param.judge(item["value"], ctx)
    return j.with_rule(getattr(reason, "rule", param.rule), f"{path}: {reason}") if reason else None


def _v(judge: j.Judge, rule: str = "invalid-value") -> Param:
    return Param(judge, rule)


NAME_V = _v(j.text(128, required=True))
DESCRIPTION_V = _v(j.checked(validate.description))
BOOL_V = _v(j.one_of("true", "false"))
ID_V = _v(j.child_id, "invalid-id")
# "" clears the id (as when a method's authorization goes back to NONE): it names no target
ID_OR_EMPTY_V = _v(lambda value, ctx: None if value == "" else j.child_id(value, ctx), "invalid-id")
ROLE_V = _v(jr.role_arn, "role-scope")
_STAGE_VALUE_V = _v(
    matching(
        r"[A-Za-z0-9\-._~:/?#&=,]{0,512}",
        "a stage variable value (at most 512 of letters, digits and - . _ ~ : / ? # & = ,)",
    )
)
_CONTENT = r"[\w.+*-]{1,64}~1[\w.+*-]{1,128}"
_TEMPLATE_V = _v(j.checked(template))
MODEL_NAME = matching(r"[A-Za-z0-9]{1,128}", "a model name (letters and digits)")
_MODEL_V = _v(MODEL_NAME)
_METHOD_SETTINGS = f"/{_ESCAPED_PATH}/{_METHOD_KEY}"
STATUS = matching(r"[1-5]\d\d", "an HTTP status code")

_STAGE_SETTINGS = paths(
    (rf"{_METHOD_SETTINGS}/throttling/rateLimit", "replace", _v(_numeric(0, 10000))),
    (rf"{_METHOD_SETTINGS}/throttling/burstLimit", "replace", _v(_numeric(0, 5000, integer=True))),
    (rf"{_METHOD_SETTINGS}/caching/ttlInSeconds", "replace", _v(_numeric(0, 3600, integer=True))),
    (
        rf"{_METHOD_SETTINGS}/(caching/(enabled|dataEncrypted|requireAuthorizationForCacheControl)"
        r"|logging/dataTrace|metrics/enabled)",
        "replace",
        BOOL_V,
    ),
    (
        rf"{_METHOD_SETTINGS}/caching/unauthorizedCacheControlHeaderStrategy",
        "replace",
        _v(j.one_of("FAIL_WITH_403", "SUCCEED_WITH_RESPONSE_HEADER", "SUCCEED_WITHOUT_RESPONSE_HEADER")),
    ),
    (rf"{_METHOD_SETTINGS}/logging/loglevel", "replace", _v(j.one_of("OFF", "ERROR", "INFO"))),
    (rf"{_METHOD_SETTINGS}", "remove", None),
    (
        "/accessLogSettings/destinationArn",
        "replace",
        Param(jr.access_log_destination, "log-scope", target=True),
    ),
    ("/accessLogSettings/format", "replace", _v(j.checked(validate.access_log_format))),
    ("/accessLogSettings", "remove", None),
    ("/canarySettings/percentTraffic", "replace", _v(_numeric(0, 100))),
    ("/canarySettings/deploymentId", "replace", ID_V),
    ("/canarySettings/stageVariableOverrides/[A-Za-z0-9_]{1,64}", "replace remove", _STAGE_VALUE_V),
    ("/canarySettings/useStageCache", "replace", BOOL_V),
    ("/canarySettings", "remove", None),
    ("/variables/[A-Za-z0-9_]{1,64}", "add replace remove", _STAGE_VALUE_V),
    ("/cacheClusterEnabled|/tracingEnabled", "replace", BOOL_V),
    ("/cacheClusterSize", "replace", _v(j.one_of("0.5", "1.6", "6.1", "13.5", "28.4", "58.2", "118", "237"))),
    ("/description", "replace", DESCRIPTION_V),
)
_CANARY_PROMOTION = (
    # Promoting a canary: AWS's documented form copies the canary's deployment and variables.
    PatchPath("/deploymentId", frozenset({"replace", "copy"}), ID_V, "/canarySettings/deploymentId"),
    PatchPath("/variables", frozenset({"copy"}), None, "/canarySettings/stageVariableOverrides"),
)
STAGE_PATCHES = (*_STAGE_SETTINGS, *_CANARY_PROMOTION)
NAME_PART = r"[\w.-]{1,128}"
_BODY_PATH = r"(?:\.[\w.$\[\]-]{1,256})?"
_LITERAL = r"'[^'\r\n]{0,512}'"
_VARIABLES = (r"context\.[\w.]{1,128}", r"stageVariables\.\w{1,64}")
SOURCE = "|".join(
    [
        rf"method\.request\.{REQUEST_PLACES}\.{NAME_PART}",
        rf"method\.request\.body{_BODY_PATH}",
        _LITERAL,
        *_VARIABLES,
    ]
)
RESPONSE_SOURCE = "|".join(
    [
        rf"integration\.response\.(?:header|multivalueheader)\.{NAME_PART}",
        rf"integration\.response\.body{_BODY_PATH}",
        _LITERAL,
        *_VARIABLES,
    ]
)
URI = Param(jr.rest_integration_uri, "integration-target", target=True)
CREDENTIALS = Param(jr.credentials, "role-scope", target=True)
AUTHORIZER_URI = Param(j.authorizer_uri, "lambda-scope", target=True)
_USER_POOL = Param(jr.user_pool_arn, "user-pool-scope", target=True)
TIMEOUT = 300000  # above 29 000 ms only for Regional/private APIs with the quota raised (limits.md)

INTEGRATION_PATCHES = paths(
    ("/uri", "replace", URI),
    ("/credentials", "replace", CREDENTIALS),
    ("/credentials", "remove", None),
    ("/httpMethod", "replace", _v(j.one_of(*METHODS))),
    ("/timeoutInMillis", "replace", _v(_numeric(50, TIMEOUT, integer=True))),
    ("/passthroughBehavior", "replace", _v(j.one_of("WHEN_NO_MATCH", "WHEN_NO_TEMPLATES", "NEVER"))),
    ("/contentHandling", "replace remove", _v(j.one_of("CONVERT_TO_BINARY", "CONVERT_TO_TEXT"))),
    (rf"/requestTemplates/{_CONTENT}", "add replace remove", _TEMPLATE_V),
    (
        rf"/requestParameters/integration\.request\.{REQUEST_PLACES}\.[\w.-]{{1,128}}",
        "add replace remove",
        _v(matching(SOURCE, "a request mapping expression")),
    ),
    (r"/cacheKeyParameters/method\.request\.(?:path|querystring|header)\.[\w.-]{1,128}", "add remove", None),
    ("/cacheNamespace", "replace", ID_V),
)
INTEGRATION_RESPONSE_PATCHES = paths(
    ("/selectionPattern", "replace", _v(j.text(1024))),
    (
        rf"/responseParameters/method\.response\.header\.{HEADER}",
        "add replace remove",
        _v(matching(RESPONSE_SOURCE, "a response mapping expression")),
    ),
    (rf"/responseTemplates/{_CONTENT}", "add replace remove", _TEMPLATE_V),
    ("/contentHandling", "replace remove", _v(j.one_of("CONVERT_TO_BINARY", "CONVERT_TO_TEXT"))),
)
METHOD_PATCHES = paths(
    ("/authorizationType", "replace", _v(j.one_of("NONE", "AWS_IAM", "CUSTOM", "COGNITO_USER_POOLS"))),
    ("/authorizerId|/requestValidatorId", "replace remove", ID_OR_EMPTY_V),
    ("/apiKeyRequired", "replace", BOOL_V),
    ("/operationName", "replace", NAME_V),
    ("/authorizationScopes", "add remove", _v(j.text(256, required=True))),
    (
        rf"/requestParameters/method\.request\.{REQUEST_PLACES}\.[\w.-]{{1,128}}",
        "add replace remove",
        BOOL_V,
    ),
    (rf"/requestModels/{_CONTENT}", "add replace remove", _MODEL_V),
)
METHOD_RESPONSE_PATCHES = paths(
    (rf"/responseParameters/method\.response\.header\.{HEADER}", "add replace remove", BOOL_V),
    (rf"/responseModels/{_CONTENT}", "add replace remove", _MODEL_V),
)
AUTHORIZER_PATCHES = paths(
    ("/name", "replace", NAME_V),
    ("/authorizerUri", "replace", AUTHORIZER_URI),
    ("/authorizerCredentials", "replace", ROLE_V),
    ("/authorizerCredentials", "remove", None),
    ("/identitySource", "replace", _v(j.text(512, required=True))),
    ("/identityValidationExpression", "replace", _v(j.text(1024))),
    ("/authorizerResultTtlInSeconds", "replace", _v(_numeric(0, 3600, integer=True))),
    ("/providerARNs", "add remove", _USER_POOL),
)
REST_API_PATCHES = paths(
    ("/name", "replace", _v(j.checked(validate.api_name))),
    ("/description", "replace", DESCRIPTION_V),
    (rf"/binaryMediaTypes/{_CONTENT}", "add remove", None),
    ("/minimumCompressionSize", "replace", _v(_numeric(0, 10485760, integer=True))),
    ("/apiKeySource", "replace", _v(j.one_of("HEADER", "AUTHORIZER"))),
    ("/disableExecuteApiEndpoint", "replace", BOOL_V),
    ("/policy", "replace", _v(j.checked(policy))),
    (
        "/endpointConfiguration/types/(?:0|EDGE|REGIONAL|PRIVATE)",
        "replace",
        _v(j.one_of("REGIONAL", "EDGE", "PRIVATE")),
    ),
    (
        "/endpointConfiguration/vpcEndpointIds",
        "add remove",
        _v(matching(r"vpce-[0-9a-f]{8,17}", "a VPC endpoint id")),
    ),
)
_PLAN_STAGE = rf"/apiStages/{_API_REF}:[A-Za-z0-9_-]{{1,128}}"
USAGE_PLAN_PATCHES = paths(
    ("/name", "replace", NAME_V),
    ("/description", "replace", DESCRIPTION_V),
    ("/throttle/rateLimit", "replace", _v(_numeric(0, 10000))),
    ("/throttle/burstLimit", "replace", _v(_numeric(0, 5000, integer=True))),
    ("/quota/limit", "replace", _v(_numeric(0, 2**31 - 1, integer=True))),
    ("/quota/offset", "replace", _v(_numeric(0, 30, integer=True))),
    ("/quota/period", "replace", _v(j.one_of("DAY", "WEEK", "MONTH"))),
    ("/throttle|/quota", "remove", None),
    ("/apiStages", "add remove", _v(jr.api_stage, "api-scope")),
    (
        rf"{_PLAN_STAGE}/throttle/{_THROTTLE_PATH}/{_METHOD_KEY}/rateLimit",
        "add replace",
        _v(_numeric(0, 10000)),
    ),
    (
        rf"{_PLAN_STAGE}/throttle/{_THROTTLE_PATH}/{_METHOD_KEY}/burstLimit",
        "add replace",
        _v(_numeric(0, 5000, integer=True)),
    ),
    (
        rf"{_PLAN_STAGE}/throttle(?:/{_THROTTLE_PATH}/{_METHOD_KEY})?",
        "remove",
        None,
    ),
)


GATEWAY_SOURCE = matching(SOURCE, "a mapping expression")
GATEWAY_RESPONSE_PATCHES = paths(
    ("/statusCode", "replace", Param(STATUS)),
    (
        rf"/responseParameters/gatewayresponse\.(?:header|path|querystring)\.{HEADER}",
        "add replace remove",
        _v(GATEWAY_SOURCE),
    ),
    (rf"/responseTemplates/{_CONTENT}", "add replace remove", _TEMPLATE_V),
)
PATH_PART = Param(j.checked(path_part))
