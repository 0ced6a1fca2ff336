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
_REST = "apigateway."
_READ_REST = (
    "sts.get_caller_identity",
    *(
        _REST + op
        for op in (
            "get_rest_apis",
            "get_rest_api",
            "get_resources",
            "get_method",
            "get_integration",
            "get_authorizers",
            "get_request_validators",
            "get_models",
            "get_gateway_responses",
            "get_stages",
            "get_stage",
            "get_deployments",
            "get_tags",
            "get_account",
        )
    ),
    "lambda.get_function",
    "lambda.get_policy",
    "logs.describe_log_groups",
    "wafv2.get_web_acl_for_resource",
)
_REST_DEPLOY = (_REST + "create_deployment",)
_REST_ROUTES = (
    tuple(
        _REST + op
        for op in (
            "create_resource",
            "put_method",
            "put_method_response",
            "put_integration",
            "put_integration_response",
            "update_method",
            "update_method_response",
            "update_integration",
            "update_integration_response",
            "create_request_validator",
            "create_model",
        )
    )
    + _REST_DEPLOY
)
_REST_ROUTE_DELETES = tuple(
    _REST + op
    for op in (
        "delete_method",
        "delete_resource",
        "delete_integration",
        "delete_method_response",
        "delete_integration_response",
    )
)
_REST_AUTH = tuple(_REST + op for op in ("create_authorizer", "update_authorizer", "update_method"))
_REST_CORS = (
    tuple(
        _REST + op
        for op in (
            "put_method",
            "put_method_response",
            "put_integration",
            "put_integration_response",
            "update_method_response",
            "update_integration_response",
            "put_gateway_response",
            "update_gateway_response",
        )
    )
    + _REST_DEPLOY
)
_REST_STAGES = (
    *tuple(
        _REST + op
        for op in (
            "create_deployment",
            "create_stage",
            "update_stage",
            "flush_stage_cache",
            "update_account",
            "tag_resource",
            "untag_resource",
        )
    ),
    "wafv2.associate_web_acl",
    "wafv2.disassociate_web_acl",
    "logs.create_log_group",
)
REST_API_OPS: tuple[str, ...] = (
    _READ_REST
    + _REST_ROUTES
    + _REST_ROUTE_DELETES
    + _REST_AUTH
    + _REST_CORS
    + _REST_STAGES
    + tuple(
        _REST + op
        for op in (
            "create_rest_api",
            "update_rest_api",
            "update_resource",
            "delete_authorizer",
            "update_request_validator",
            "delete_request_validator",
            "update_model",
            "delete_model",
            "delete_gateway_response",
            "delete_stage",
            "tag_resource",
            "untag_resource",
        )
    )
    + ("lambda.add_permission", "lambda.remove_permission")
)
USAGE_PLAN_OPS: tuple[str, ...] = (
    "sts.get_caller_identity",
    *(
        _REST + op
        for op in (
            "get_rest_apis",
            "get_rest_api",
            "get_stages",
            "get_usage_plans",
            "get_usage_plan_keys",
            "get_api_keys",
            "create_usage_plan",
            "update_usage_plan",
            "create_api_key",
            "update_api_key",
            "create_usage_plan_key",
            "delete_usage_plan_key",
            "delete_usage_plan",
        )
    ),
)
_REST_UNDO = REST_API_OPS + USAGE_PLAN_OPS + (_REST + "delete_rest_api", _REST + "delete_api_key")
_DIAGNOSE = (
    _READ_HTTP
    + _READ_REST
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
    "describe_api": (*_READ_HTTP, *_READ_REST, "apigateway.get_usage_plans"),
    "list_functions": ("sts.get_caller_identity", "lambda.list_functions"),
    "create_rest_api": REST_API_OPS,
    "configure_usage_plan": USAGE_PLAN_OPS,
    "create_http_api": _READ_HTTP + _API + _AUTH + _ROUTES + _STAGES + _DELETES + _PERMISSION,
    "add_route": _READ_HTTP + _ROUTES + _PERMISSION + _READ_REST + _REST_ROUTES,
    "update_route": _READ_HTTP
    + _ROUTES
    + ("apigatewayv2.delete_integration",)
    + _PERMISSION
    + _READ_REST
    + _REST_ROUTES
    + (_REST + "delete_method_response", _REST + "delete_integration_response"),
    "delete_route": (
        *_READ_HTTP,
        "apigatewayv2.delete_route",
        "apigatewayv2.delete_integration",
        *_READ_REST,
        *_REST_ROUTE_DELETES,
        *_REST_DEPLOY,
    ),
    "configure_cors": (
        *_READ_HTTP,
        "apigatewayv2.update_api",
        "apigatewayv2.delete_cors_configuration",
        *_ROUTES,
        *_READ_REST,
        *_REST_CORS,
        # removing CORS from a REST API deletes its preflight methods and CORS gateway responses
        *_REST_ROUTE_DELETES,
        _REST + "delete_gateway_response",
    ),
    "add_jwt_authorizer": _READ_HTTP + _AUTH + _ROUTES + _READ_REST + _REST_AUTH + _REST_DEPLOY,
    "add_lambda_authorizer": _READ_HTTP
    + _AUTH
    + _ROUTES
    + _PERMISSION
    + _READ_REST
    + _REST_AUTH
    + _REST_DEPLOY,
    "deploy_stage": _READ_HTTP + _STAGES + _READ_REST + _REST_STAGES,
    "delete_stage": (*_READ_HTTP, "apigatewayv2.delete_stage", *_READ_REST, _REST + "delete_stage"),
    "ensure_lambda_permission": _READ_HTTP + _PERMISSION + _READ_REST,
    "delete_api": (
        *_READ_HTTP,
        "apigatewayv2.delete_api",
        "lambda.remove_permission",
        *_READ_REST,
        _REST + "delete_rest_api",
    ),
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
    )
    + _REST_UNDO,
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
