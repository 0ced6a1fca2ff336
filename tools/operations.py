"""The one table of AWS operations the tools may plan or read.

The guard (unknown operation = deny, read-only = reads only, deletes gated),
the tool annotations and the generated IAM policy all read this table, so they
cannot drift apart. ``resource`` is the IAM resource ARN pattern, with
``{region}``, ``{account}`` and ``{api_id}`` filled in per scope.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

Access = Literal["read", "write", "delete"]

_APIS = "arn:aws:apigateway:{region}::/apis"
_API = "arn:aws:apigateway:{region}::/apis/{api_id}"
_API_CHILD = "arn:aws:apigateway:{region}::/apis/{api_id}/*"
_TAGS = "arn:aws:apigateway:{region}::/tags/*"
_FUNCTION = "arn:aws:lambda:{region}:{account}:function:*"


class Operation(NamedTuple):
    service: str
    name: str
    access: Access
    iam_action: str
    resource: str


OPERATIONS: tuple[Operation, ...] = (
    Operation("sts", "get_caller_identity", "read", "sts:GetCallerIdentity", "*"),
    Operation("apigatewayv2", "get_apis", "read", "apigateway:GET", _APIS),
    Operation("apigatewayv2", "get_api", "read", "apigateway:GET", _API),
    Operation("apigatewayv2", "get_routes", "read", "apigateway:GET", _API_CHILD),
    Operation("apigatewayv2", "get_integrations", "read", "apigateway:GET", _API_CHILD),
    Operation("apigatewayv2", "get_authorizers", "read", "apigateway:GET", _API_CHILD),
    Operation("apigatewayv2", "get_stages", "read", "apigateway:GET", _API_CHILD),
    Operation("apigatewayv2", "create_api", "write", "apigateway:POST", _APIS),
    Operation("apigatewayv2", "update_api", "write", "apigateway:PATCH", _API),
    Operation("apigatewayv2", "delete_cors_configuration", "write", "apigateway:DELETE", _API_CHILD),
    Operation("apigatewayv2", "create_route", "write", "apigateway:POST", _API_CHILD),
    Operation("apigatewayv2", "update_route", "write", "apigateway:PATCH", _API_CHILD),
    Operation("apigatewayv2", "delete_route", "delete", "apigateway:DELETE", _API_CHILD),
    Operation("apigatewayv2", "create_integration", "write", "apigateway:POST", _API_CHILD),
    Operation("apigatewayv2", "update_integration", "write", "apigateway:PATCH", _API_CHILD),
    Operation("apigatewayv2", "delete_integration", "delete", "apigateway:DELETE", _API_CHILD),
    Operation("apigatewayv2", "delete_api", "delete", "apigateway:DELETE", _API),
    Operation("apigatewayv2", "create_authorizer", "write", "apigateway:POST", _API_CHILD),
    Operation("apigatewayv2", "update_authorizer", "write", "apigateway:PATCH", _API_CHILD),
    Operation("apigatewayv2", "delete_authorizer", "delete", "apigateway:DELETE", _API_CHILD),
    Operation("apigatewayv2", "create_stage", "write", "apigateway:POST", _API_CHILD),
    Operation("apigatewayv2", "update_stage", "write", "apigateway:PATCH", _API_CHILD),
    Operation("apigatewayv2", "delete_stage", "delete", "apigateway:DELETE", _API_CHILD),
    Operation("apigatewayv2", "delete_route_settings", "write", "apigateway:DELETE", _API_CHILD),
    Operation("apigatewayv2", "delete_access_log_settings", "write", "apigateway:DELETE", _API_CHILD),
    Operation("apigatewayv2", "create_deployment", "write", "apigateway:POST", _API_CHILD),
    Operation("apigatewayv2", "tag_resource", "write", "apigateway:POST", _TAGS),
    Operation("apigatewayv2", "untag_resource", "write", "apigateway:DELETE", _TAGS),
    Operation(
        "apigateway", "get_rest_apis", "read", "apigateway:GET", "arn:aws:apigateway:{region}::/restapis"
    ),
    Operation("lambda", "get_function", "read", "lambda:GetFunction", _FUNCTION),
    Operation("lambda", "get_policy", "read", "lambda:GetPolicy", _FUNCTION),
    Operation("lambda", "add_permission", "write", "lambda:AddPermission", _FUNCTION),
    Operation("lambda", "remove_permission", "delete", "lambda:RemovePermission", _FUNCTION),
    Operation(
        "logs",
        "describe_log_groups",
        "read",
        "logs:DescribeLogGroups",
        "arn:aws:logs:{region}:{account}:log-group:*",
    ),
    Operation(
        "logs",
        "create_log_group",
        "write",
        "logs:CreateLogGroup",
        "arn:aws:logs:{region}:{account}:log-group:*",
    ),
)

_BY_KEY = {(op.service, op.name): op for op in OPERATIONS}


def lookup(service: str, name: str) -> Operation | None:
    return _BY_KEY.get((service, name))
