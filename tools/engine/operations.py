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
from apigw_mcp.tools.engine.params_rest import REST, WAF
from apigw_mcp.tools.engine.params_v2 import V2

Access = Literal["read", "write", "delete"]

_APIS = "arn:aws:apigateway:{region}::/apis"
_API = "arn:aws:apigateway:{region}::/apis/{api_id}"
_API_CHILD = "arn:aws:apigateway:{region}::/apis/{api_id}/*"
_REST = "arn:aws:apigateway:{region}::/restapis/{api_id}"
_REST_CHILD = "arn:aws:apigateway:{region}::/restapis/{api_id}/*"
_REST_STAGES = "arn:aws:apigateway:{region}::/restapis/*/stages/*"
_RESTS = "arn:aws:apigateway:{region}::/restapis"
_REST_STAGE = "arn:aws:apigateway:{region}::/restapis/{api_id}/stages/*"
_REST_CACHE = "arn:aws:apigateway:{region}::/restapis/{api_id}/stages/*/cache/data"
_KEYS = "arn:aws:apigateway:{region}::/apikeys"
_ACCOUNT = "arn:aws:apigateway:{region}::/account"
_WEB_ACLS = "arn:aws:wafv2:{region}:{account}:regional/webacl/*/*"
_DOMAINS = "arn:aws:apigateway:{region}::/domainnames"
_DOMAIN_CHILD = "arn:aws:apigateway:{region}::/domainnames/*"
_PLANS = "arn:aws:apigateway:{region}::/usageplans"
_LOG_GROUPS = "arn:aws:logs:{region}:{account}:log-group:*"
_TAGS = "arn:aws:apigateway:{region}::/tags/*"
_FUNCTION = "arn:aws:lambda:{region}:{account}:function:*"
_REST_PARTS = (
    "resource",
    "method",
    "method_response",
    "integration",
    "integration_response",
    "authorizer",
    "request_validator",
    "model",
    "gateway_response",
    "stage",
)
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


def _rest(name: str, access: Access, action: str, resource: str) -> Operation:
    return Operation("apigateway", name, access, f"apigateway:{action}", resource)


REST_WRITES: tuple[Operation, ...] = (
    _rest("create_rest_api", "write", "POST", _RESTS),
    _rest("update_rest_api", "write", "PATCH", _REST),
    _rest("delete_rest_api", "delete", "DELETE", _REST),
    *(
        _rest(name, "write", action, _REST_CHILD)
        for action, names in (
            ("POST", ("create_resource", "create_authorizer", "create_request_validator", "create_model")),
            ("PUT", ("put_method", "put_method_response", "put_integration", "put_integration_response")),
            ("PUT", ("put_gateway_response",)),
            ("POST", ("create_stage", "create_deployment")),
        )
        for name in names
    ),
    *(_rest(f"update_{part}", "write", "PATCH", _REST_CHILD) for part in _REST_PARTS),
    *(_rest(f"delete_{part}", "delete", "DELETE", _REST_CHILD) for part in _REST_PARTS),
    _rest("flush_stage_cache", "write", "DELETE", _REST_CACHE),
    _rest("create_usage_plan", "write", "POST", _PLANS),
    _rest("update_usage_plan", "write", "PATCH", _PLANS + "/*"),
    _rest("delete_usage_plan", "delete", "DELETE", _PLANS + "/*"),
    _rest("create_usage_plan_key", "write", "POST", _PLANS + "/*/keys"),
    _rest("delete_usage_plan_key", "delete", "DELETE", _PLANS + "/*/keys/*"),
    _rest("create_api_key", "write", "POST", _KEYS),
    _rest("update_api_key", "write", "PATCH", _KEYS + "/*"),
    _rest("delete_api_key", "delete", "DELETE", _KEYS + "/*"),
    _rest("tag_resource", "write", "PUT", _TAGS),
    _rest("untag_resource", "write", "DELETE", _TAGS),
    _rest("update_account", "write", "PATCH", _ACCOUNT),
)

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
    Operation("apigateway", "get_rest_apis", "read", "apigateway:GET", _RESTS),
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
    Operation("apigateway", "get_api_keys", "read", "apigateway:GET", _KEYS),
    Operation("apigateway", "get_domain_names", "read", "apigateway:GET", _DOMAINS),
    Operation("apigateway", "get_base_path_mappings", "read", "apigateway:GET", _DOMAIN_CHILD),
    Operation("logs", "filter_log_events", "read", "logs:FilterLogEvents", _LOG_GROUPS),
    Operation("wafv2", "get_web_acl_for_resource", "read", "wafv2:GetWebACLForResource", _REST_STAGES),
    *(
        Operation("apigateway", name, "read", "apigateway:GET", resource)
        for name, resource in (
            ("get_method", _REST_CHILD),
            ("get_integration", _REST_CHILD),
            ("get_request_validators", _REST_CHILD),
            ("get_models", _REST_CHILD),
            ("get_stage", _REST_CHILD),
            ("get_tags", _TAGS),
        )
    ),
    *REST_WRITES,
    Operation("wafv2", "associate_web_acl", "write", "wafv2:AssociateWebACL", _WEB_ACLS),
    Operation("wafv2", "disassociate_web_acl", "write", "wafv2:DisassociateWebACL", _REST_STAGE),
    Operation("lambda", "get_function", "read", "lambda:GetFunction", _FUNCTION),
    Operation("lambda", "list_functions", "read", "lambda:ListFunctions", "*"),
    Operation("lambda", "get_policy", "read", "lambda:GetPolicy", _FUNCTION),
    Operation("lambda", "get_function_concurrency", "read", "lambda:GetFunctionConcurrency", _FUNCTION),
    Operation("apigateway", "get_account", "read", "apigateway:GET", _ACCOUNT),
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
_PARAMS: dict[str, dict[str, Mapping[str, Param]]] = {
    "apigatewayv2": V2,
    "apigateway": REST,
    "wafv2": WAF,
    "lambda": LAMBDA,
    "logs": LOGS,
}
OPERATIONS = tuple(
    op._replace(params=_PARAMS.get(op.service, {}).get(op.name, {})) if op.access != "read" else op
    for op in OPERATIONS
)
_BY_KEY = {(op.service, op.name): op for op in OPERATIONS}


def lookup(service: str, name: str) -> Operation | None:
    return _BY_KEY.get((service, name))


def read_refusal(service: str, name: str, params: Mapping[str, object]) -> str | None:
    """Why a read may not run: it is not in the table, or it would return a secret (API key values).

    Reads may name any API of the region (the scope limits changes only), so their ids are not
    judged; the server's read path calls this before every read it makes.
    """
    operation = lookup(service, name)
    if operation is None or operation.access != "read":
        return f"{service}.{name} is not a read this server makes"
    if (service, name) == ("apigateway", "get_api_keys") and params.get("includeValues", False) is not False:
        return "apigateway.get_api_keys.includeValues must be false: API key values never pass this server"
    return None


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
        "associate_web_acl",
        "wafv2:AssociateWebACL",
        _REST_STAGE,
        "IAM authorizes AssociateWebACL on the protected stage as well as on the web ACL",
    ),
    *(
        IamExtra(
            "wafv2",
            name,
            "apigateway:SetWebACL",
            _REST_STAGE,
            "API Gateway checks it on the caller when a web ACL is associated with or removed from a stage",
        )
        for name in ("associate_web_acl", "disassociate_web_acl")
    ),
    IamExtra(
        "apigateway",
        "create_rest_api",
        "apigateway:UpdateRestApiPolicy",
        _RESTS + "/*",
        "API Gateway checks it on the caller when a REST API is created or updated with a resource policy",
    ),
    IamExtra(
        "apigateway",
        "update_rest_api",
        "apigateway:UpdateRestApiPolicy",
        _REST,
        "API Gateway checks it on the caller when a REST API is created or updated with a resource policy",
    ),
    IamExtra(
        "apigateway",
        "update_account",
        "iam:PassRole",
        _ROLES,
        "setting the account's CloudWatch role passes that role to API Gateway",
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

# Conditions that narrow an action below what its resource can say: the role is passed to API Gateway only.
ACTION_CONDITIONS: dict[str, dict[str, dict[str, str]]] = {
    "iam:PassRole": {"StringEquals": {"iam:PassedToService": "apigateway.amazonaws.com"}},
}

# IAM actions every principal may call without any policy: left out of the generated policy.
NO_PERMISSION_NEEDED: dict[str, str] = {
    "sts:GetCallerIdentity": "AWS allows it to every principal without a policy (it cannot even be denied)",
}
