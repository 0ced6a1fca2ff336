"""Which AWS operations each tool may call, over the one operations table.

The guard refuses a planned step whose operation is not listed for the tool that
planned it, and each tool's MCP annotations (read-only, destructive) follow from the
access of its operations, so the two cannot drift from the table or from each other.
"""

from __future__ import annotations

from typing import Literal

from apigw_mcp.tools.engine.operations import lookup

Access = Literal["read", "write", "delete"]
_V2 = "apigatewayv2."
_READ_HTTP = (
    "sts.get_caller_identity",
    "apigatewayv2.get_apis",
    "apigatewayv2.get_api",
    "apigatewayv2.get_routes",
    "apigatewayv2.get_integrations",
    "apigatewayv2.get_authorizers",
    "apigatewayv2.get_stages",
    "lambda.get_function",
    "lambda.get_policy",
    "logs.describe_log_groups",
)
_ROUTES = tuple(
    _V2 + op for op in ("create_route", "update_route", "create_integration", "update_integration")
)
_AUTH = tuple(_V2 + op for op in ("create_authorizer", "update_authorizer"))
_STAGES = (
    *tuple(
        _V2 + op
        for op in (
            "create_stage",
            "update_stage",
            "delete_route_settings",
            "delete_access_log_settings",
            "create_deployment",
        )
    ),
    "logs.create_log_group",
)
_DELETES = tuple(
    _V2 + op for op in ("delete_route", "delete_integration", "delete_authorizer", "delete_stage")
)
_API = tuple(_V2 + op for op in ("create_api", "update_api", "delete_cors_configuration", "tag_resource"))
_PERMISSION = ("lambda.add_permission",)
_DIAGNOSE = (
    _READ_HTTP
    + tuple(
        f"apigateway.{op}"
        for op in (
            "get_rest_apis",
            "get_rest_api",
            "get_resources",
            "get_stages",
            "get_deployments",
            "get_authorizers",
            "get_gateway_responses",
            "get_usage_plans",
            "get_usage_plan_keys",
            "get_api_keys",
            "get_domain_names",
            "get_base_path_mappings",
        )
    )
    + (
        "apigatewayv2.get_deployments",
        "apigatewayv2.get_domain_names",
        "apigatewayv2.get_api_mappings",
        "logs.filter_log_events",
        "wafv2.get_web_acl_for_resource",
        "lambda.get_function_concurrency",
        "apigateway.get_account",
        "iam.list_role_policies",
        "iam.get_role_policy",
        "iam.list_attached_role_policies",
        "iam.get_policy",
        "iam.get_policy_version",
    )
)

TOOL_OPERATIONS: dict[str, tuple[str, ...]] = {
    "list_apis": ("sts.get_caller_identity", "apigatewayv2.get_apis", "apigateway.get_rest_apis"),
    "describe_api": (*_READ_HTTP, "apigateway.get_rest_apis"),
    "list_functions": ("sts.get_caller_identity", "lambda.list_functions"),
    "create_http_api": _READ_HTTP + _API + _AUTH + _ROUTES + _STAGES + _DELETES + _PERMISSION,
    "add_route": _READ_HTTP + _ROUTES + _PERMISSION,
    "update_route": _READ_HTTP + _ROUTES + ("apigatewayv2.delete_integration",) + _PERMISSION,
    "delete_route": (*_READ_HTTP, "apigatewayv2.delete_route", "apigatewayv2.delete_integration"),
    "configure_cors": (
        *_READ_HTTP,
        "apigatewayv2.update_api",
        "apigatewayv2.delete_cors_configuration",
        *_ROUTES,
    ),
    "add_jwt_authorizer": _READ_HTTP + _AUTH + _ROUTES,
    "add_lambda_authorizer": _READ_HTTP + _AUTH + _ROUTES + _PERMISSION,
    "deploy_stage": _READ_HTTP + _STAGES,
    "delete_stage": (*_READ_HTTP, "apigatewayv2.delete_stage"),
    "ensure_lambda_permission": _READ_HTTP + _PERMISSION,
    "delete_api": (*_READ_HTTP, "apigatewayv2.delete_api", "lambda.remove_permission"),
    "undo": _READ_HTTP
    + _API
    + _AUTH
    + _ROUTES
    + _STAGES
    + _DELETES
    + _PERMISSION
    + (
        "apigatewayv2.delete_api",
        "lambda.remove_permission",
        "logs.delete_log_group",
        "logs.list_tags_for_resource",
    ),
    "diagnose_error": _DIAGNOSE,
    "audit_api": _DIAGNOSE,
}
_RANK: dict[Access, int] = {"read": 0, "write": 1, "delete": 2}


def tool_access(tool: str) -> Access:
    """The strongest access among the tool's operations: read, write or delete."""
    accesses: list[Access] = []
    for name in TOOL_OPERATIONS[tool]:
        service, operation = name.split(".", 1)
        found = lookup(service, operation)
        if found is None:
            raise KeyError(f"{tool}: {name} is not in the operations table")
        accesses.append(found.access)
    return max(accesses, key=_RANK.__getitem__)


def allows(tool: str, service: str, operation: str) -> bool:
    return f"{service}.{operation}" in TOOL_OPERATIONS.get(tool, ())
