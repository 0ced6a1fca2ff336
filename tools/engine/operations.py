"""The one table of AWS operations the tools may plan or read.

The guard (unknown operation = deny, read-only = reads only, deletes gated),
the tool annotations and the generated IAM policy all read this table, so they
cannot drift apart. ``resource`` is the IAM resource ARN pattern, with
``{region}``, ``{account}`` and ``{api_id}`` filled in per scope.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal, NamedTuple

from apigw_mcp.tools.engine.params import LAMBDA, LOGS, Param
from apigw_mcp.tools.engine.params_v2 import V2

Access = Literal["read", "write", "delete"]

_APIS = "arn:aws:apigateway:{region}::/apis"
_API = "arn:aws:apigateway:{region}::/apis/{api_id}"
_API_CHILD = "arn:aws:apigateway:{region}::/apis/{api_id}/*"
_REST = "arn:aws:apigateway:{region}::/restapis/{api_id}"
_REST_CHILD = "arn:aws:apigateway:{region}::/restapis/{api_id}/*"
_REST_STAGES = "arn:aws:apigateway:{region}::/restapis/*/stages/*"
_DOMAINS = "arn:aws:apigateway:{region}::/domainnames"
_DOMAIN_CHILD = "arn:aws:apigateway:{region}::/domainnames/*"
_PLANS = "arn:aws:apigateway:{region}::/usageplans"
_LOG_GROUPS = "arn:aws:logs:{region}:{account}:log-group:*"
_TAGS = "arn:aws:apigateway:{region}::/tags/*"
_FUNCTION = "arn:aws:lambda:{region}:{account}:function:*"
_ROLES = "arn:aws:iam::{account}:role/*"  # execution roles of WebSocket backends (diagnose_error)
_POLICIES = "arn:aws:iam::*:policy/*"  # their managed policies: this account's and AWS's (account "aws")


class Operation(NamedTuple):
    """``params``: what a write may carry and how the guard judges each value (``params.py``)."""

    service: str
    name: str
    access: Access
    iam_action: str
    resource: str
    params: Mapping[str, Param] = {}


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
    Operation(
        "apigateway", "get_rest_apis", "read", "apigateway:GET", "arn:aws:apigateway:{region}::/restapis"
    ),
    Operation("apigatewayv2", "get_deployments", "read", "apigateway:GET", _API_CHILD),
    Operation("apigatewayv2", "get_domain_names", "read", "apigateway:GET", _DOMAINS),
    Operation("apigatewayv2", "get_api_mappings", "read", "apigateway:GET", _DOMAIN_CHILD),
    Operation("apigateway", "get_rest_api", "read", "apigateway:GET", _REST),
    Operation("apigateway", "get_resources", "read", "apigateway:GET", _REST_CHILD),
    Operation("apigateway", "get_stages", "read", "apigateway:GET", _REST_CHILD),
    Operation("apigateway", "get_deployments", "read", "apigateway:GET", _REST_CHILD),
    Operation("apigateway", "get_authorizers", "read", "apigateway:GET", _REST_CHILD),
    Operation("apigateway", "get_gateway_responses", "read", "apigateway:GET", _REST_CHILD),
    Operation("apigateway", "get_usage_plans", "read", "apigateway:GET", _PLANS),
    Operation("apigateway", "get_usage_plan_keys", "read", "apigateway:GET", _PLANS + "/*"),
    Operation(
        "apigateway", "get_api_keys", "read", "apigateway:GET", "arn:aws:apigateway:{region}::/apikeys"
    ),
    Operation("apigateway", "get_domain_names", "read", "apigateway:GET", _DOMAINS),
    Operation("apigateway", "get_base_path_mappings", "read", "apigateway:GET", _DOMAIN_CHILD),
    Operation("logs", "filter_log_events", "read", "logs:FilterLogEvents", _LOG_GROUPS),
    Operation("wafv2", "get_web_acl_for_resource", "read", "wafv2:GetWebACLForResource", _REST_STAGES),
    Operation("lambda", "get_function", "read", "lambda:GetFunction", _FUNCTION),
    Operation("lambda", "list_functions", "read", "lambda:ListFunctions", "*"),
    Operation("lambda", "get_policy", "read", "lambda:GetPolicy", _FUNCTION),
    Operation("lambda", "get_function_concurrency", "read", "lambda:GetFunctionConcurrency", _FUNCTION),
    Operation("apigateway", "get_account", "read", "apigateway:GET", "arn:aws:apigateway:{region}::/account"),
    Operation("iam", "list_role_policies", "read", "iam:ListRolePolicies", _ROLES),
    Operation("iam", "get_role_policy", "read", "iam:GetRolePolicy", _ROLES),
    Operation("iam", "list_attached_role_policies", "read", "iam:ListAttachedRolePolicies", _ROLES),
    Operation("iam", "get_policy", "read", "iam:GetPolicy", _POLICIES),
    Operation("iam", "get_policy_version", "read", "iam:GetPolicyVersion", _POLICIES),
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
    Operation(
        "logs",
        "list_tags_for_resource",
        "read",
        "logs:ListTagsForResource",
        "arn:aws:logs:{region}:{account}:log-group:*",
    ),
    Operation(
        "logs",
        "delete_log_group",
        "delete",
        "logs:DeleteLogGroup",
        "arn:aws:logs:{region}:{account}:log-group:*",
    ),
)
_PARAMS: dict[str, dict[str, Mapping[str, Param]]] = {"apigatewayv2": V2, "lambda": LAMBDA, "logs": LOGS}
OPERATIONS = tuple(
    op._replace(params=_PARAMS.get(op.service, {}).get(op.name, {})) if op.access != "read" else op
    for op in OPERATIONS
)
_BY_KEY = {(op.service, op.name): op for op in OPERATIONS}


def lookup(service: str, name: str) -> Operation | None:
    return _BY_KEY.get((service, name))


# --- IAM facts for the generated policy (``tools/iam_policy.py``) -----------------------------------


class IamExtra(NamedTuple):
    """A permission AWS checks on the caller for an operation, beyond the operation's own IAM action."""

    service: str
    name: str
    iam_action: str
    resource: str
    reason: str


_LOG_DELIVERY = (
    "logs:CreateLogDelivery",
    "logs:GetLogDelivery",
    "logs:UpdateLogDelivery",
    "logs:DeleteLogDelivery",
    "logs:ListLogDeliveries",
    "logs:PutResourcePolicy",
    "logs:DescribeResourcePolicies",
)
_ACCESS_LOGGING = "API Gateway checks it on the caller when a stage's access logging is set or removed"

IAM_EXTRAS: tuple[IamExtra, ...] = (
    IamExtra(
        "logs",
        "create_log_group",
        "logs:TagResource",
        "arn:aws:logs:{region}:{account}:log-group:*",
        "CreateLogGroup with tags also needs permission to tag the new group",
    ),
    *(
        IamExtra("apigatewayv2", name, action, "*", _ACCESS_LOGGING)
        for name in ("create_stage", "update_stage", "delete_access_log_settings")
        for action in _LOG_DELIVERY
    ),
    IamExtra(
        "wafv2",
        "get_web_acl_for_resource",
        "wafv2:GetWebACLForResource",
        "arn:aws:wafv2:{region}:{account}:regional/webacl/*/*",
        "IAM authorizes GetWebACLForResource on the web ACL as well as on the protected stage",
    ),
)

# IAM actions for which AWS offers no resource-level permission (the Service Authorization Reference
# lists no resource type), so a policy can only grant them on Resource "*"; the value says why.
RESOURCE_STAR: dict[str, str] = {
    "logs:DescribeLogGroups": "lists log groups; IAM has no resource type for it (log-group ARNs fail)",
    "lambda:ListFunctions": "lists functions; IAM has no resource type for it (list_functions then shows "
    "only those the server's Lambda scope allows)",
    **{
        action: f"log-delivery and resource-policy action with no resource type; {_ACCESS_LOGGING}"
        for action in _LOG_DELIVERY
    },
}

# IAM actions every principal may call without any policy: left out of the generated policy.
NO_PERMISSION_NEEDED: dict[str, str] = {
    "sts:GetCallerIdentity": "AWS allows it to every principal without a policy (it cannot even be denied)",
}
