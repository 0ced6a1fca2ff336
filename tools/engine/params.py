"""The parameters each write operation may carry, and the judge of each (the guard's half of the table).

A write step may carry only parameters declared here (anything else is refused), every
value is judged, and at least one declared *target* (what the call acts on: an API, a
function, a log group, a URL, an issuer, a role) must be present: a write whose target
the guard cannot find is refused, never waved through.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from apigw_mcp.tools.engine import judges as j
from apigw_mcp.tools.engine import validate
from apigw_mcp.tools.kinds.http.cors import Cors


@dataclass(frozen=True)
class Param:
    """How one parameter is judged: a value judge, or fixed keys of a nested object (``fields``)."""

    judge: j.Judge | None = None
    rule: str = "invalid-value"
    target: bool = False
    fields: Mapping[str, Param] = field(default_factory=dict)
    each_key: j.Judge | None = None  # a map whose keys are judged by this and whose values are `fields`
    required: bool = False  # the operation's own target: a step without it is refused


def _cors(value: object) -> None:
    if not isinstance(value, dict):
        raise ValueError("must be a CORS configuration object")
    keys = {
        "AllowOrigins": "allow_origins",
        "AllowMethods": "allow_methods",
        "AllowHeaders": "allow_headers",
        "ExposeHeaders": "expose_headers",
        "MaxAge": "max_age",
        "AllowCredentials": "allow_credentials",
    }
    unknown = sorted(set(value) - set(keys))
    if unknown:
        raise ValueError(f"unknown CORS field {unknown[0]}")
    Cors.model_validate({keys[k]: v for k, v in value.items()})


API = Param(j.api_id, "api-scope", target=True, required=True)
API_ARN = Param(j.api_arn, "api-scope", target=True, required=True)
CHILD = Param(j.child_id, "invalid-id")
FUNCTION = Param(j.function_arn, "lambda-scope", target=True, required=True)
INTEGRATION_URI = Param(j.integration_uri, "integration-target", target=True)
AUTHORIZER_URI = Param(j.authorizer_uri, "lambda-scope", target=True)
ISSUER = Param(j.issuer, "issuer-target", target=True)
LOG_ARN = Param(j.log_arn, "log-scope", target=True)
LOG_GROUP = Param(j.log_group_name, "log-scope", target=True, required=True)
SOURCE_ARN = Param(j.source_arn, "permission-scope", target=True)
STATEMENT = Param(j.statement_id, "permission-scope", target=True)
NAME = Param(j.text(128, required=True))
DESCRIPTION = Param(j.checked(validate.description))
BOOL = Param(j.boolean)
ROUTE_KEY = Param(j.normal(validate.route_key))
STAGE_NAME = Param(j.checked(validate.stage_name))
STAGE_VARIABLES = Param(j.checked(validate.stage_variables))
TAGS = Param(j.checked(validate.tags))
CORS = Param(j.checked(_cors))
THROTTLE_FIELDS = {
    "ThrottlingBurstLimit": Param(j.number(0, 5000, integer=True)),
    "ThrottlingRateLimit": Param(j.number(0, 10000)),
}
ACCESS_LOG = Param(fields={"DestinationArn": LOG_ARN, "Format": Param(j.checked(validate.access_log_format))})

LAMBDA: dict[str, Mapping[str, Param]] = {
    "add_permission": {
        "FunctionName": FUNCTION,
        "StatementId": STATEMENT,
        "Action": Param(j.equals("lambda:InvokeFunction"), "permission-scope"),
        "Principal": Param(j.equals("apigateway.amazonaws.com"), "permission-scope"),
        "SourceArn": SOURCE_ARN,
    },
    "remove_permission": {"FunctionName": FUNCTION, "StatementId": STATEMENT},
}


def _managed_only(value: object) -> None:
    if value != {"apigw-mcp:managed": "true"}:
        raise ValueError("a log group this server creates carries exactly the managed tag")


LOGS: dict[str, Mapping[str, Param]] = {
    "create_log_group": {"logGroupName": LOG_GROUP, "tags": Param(j.checked(_managed_only))},
    "delete_log_group": {"logGroupName": LOG_GROUP},
}
