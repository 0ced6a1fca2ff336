"""Reconcile a desired REST API spec against the live one into an ordered plan (pure).

Order matters to AWS: the API; authorizers, validators and models; resources parents first;
methods with their integrations and responses; gateway responses; then deletes of what no
method names any more (methods, resources child-first, authorizers, validators, models);
Lambda permissions; and last the stages (``plan_stages``), whose deployments publish it all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from apigw_mcp.tools.engine.plan import Plan
from apigw_mcp.tools.engine.plan_builder import Builder
from apigw_mcp.tools.engine.scope import MANAGED_TAG
from apigw_mcp.tools.kinds.http.planner import PlanContext, statement_id
from apigw_mcp.tools.kinds.rest.live import LiveRestApi
from apigw_mcp.tools.kinds.rest.plan_checks import check_rest_spec, policy_warnings
from apigw_mcp.tools.kinds.rest.plan_cors import cors_warnings
from apigw_mcp.tools.kinds.rest.plan_delete import plan_delete_rest_api
from apigw_mcp.tools.kinds.rest.plan_methods import Ids
from apigw_mcp.tools.kinds.rest.plan_parts import (
    plan_authorizers,
    plan_gateway_responses,
    plan_models,
    plan_part_deletes,
    plan_validators,
)
from apigw_mcp.tools.kinds.rest.plan_patch import patch_operations
from apigw_mcp.tools.kinds.rest.plan_resources import (
    plan_methods,
    plan_resource_deletes,
    plan_resources,
)
from apigw_mcp.tools.kinds.rest.plan_stages import plan_rest_stages
from apigw_mcp.tools.kinds.rest.spec import RestApiSpec
from apigw_mcp.tools.kinds.rest.stage_live import LiveRestStage

API_REF = "${api}"
ROOT_REF = "${api.rootResourceId}"
SERVICE = "apigateway"
# What a deployment snapshots; API settings, tags and Lambda permissions take effect without one.
DEPLOYED_PARTS = ("resource", "method", "integration", "authorizer", "response", "model", "validator")
UNDEPLOYED = frozenset({"tag_resource", "untag_resource"})
DEPLOYED_API_FIELDS = ("/policy", "/binaryMediaTypes")  # AWS: redeploy for these to take effect


def plan_rest_api(
    live: LiveRestApi | None,
    desired: RestApiSpec | None,
    ctx: PlanContext,
    *,
    permissions: Mapping[str, bool] | None = None,
    live_stages: Sequence[LiveRestStage] = (),
    deploy: bool = False,
    deploy_if_changed: bool = False,
    cloudwatch_role: str | None = None,
) -> Plan:
    """Steps that turn ``live`` (None: absent) into ``desired`` (None: deleted); empty when they match.

    ``permissions``: Lambda ARN -> whether this API's invoke statement is already there.
    ``deploy``: also redeploy existing stages (``plan_stages``); new stages are always deployed.
    ``deploy_if_changed``: redeploy them only when the plan changes what a deployment publishes (a
    desired state that names its stages wants them serving it; an unchanged API stays an empty plan).
    ``cloudwatch_role``: the account's API Gateway CloudWatch role (execution logging needs one).
    """
    if desired is None:
        if live is None:
            raise ValueError("plan_rest_api needs a live or a desired API")
        return plan_delete_rest_api(live, ctx)
    b = Builder()
    changed = build_rest_api(b, live, desired, ctx, permissions or {})
    deploy = deploy or (deploy_if_changed and changed)
    if desired.stages:
        api_id = live.api_id if live else API_REF
        plan_rest_stages(
            b,
            api_id,
            list(live_stages),
            desired.stages,
            deploy,
            region=ctx.scope.region,
            account_cloudwatch_role=cloudwatch_role,
        )
    _deployment_warning(b, live)
    return b.plan(summary(desired.name, live, b), ctx.account, ctx.scope.region, ctx.identity)


def build_rest_api(
    b: Builder,
    live: LiveRestApi | None,
    desired: RestApiSpec,
    ctx: PlanContext,
    permissions: Mapping[str, bool],
) -> bool:
    """Adds the API's steps (not its stages) to ``b``; True when a deployment is needed to publish them."""
    check_rest_spec(desired)
    api_id = live.api_id if live else API_REF
    if live is None:
        _create_api(b, desired)
    else:
        _update_api(b, desired, live, ctx)
    authorizers = plan_authorizers(b, desired, live, api_id, ctx.partition)
    validators = plan_validators(b, desired, live, api_id)
    plan_models(b, desired, live, api_id)
    resources = plan_resources(b, desired, live, api_id, live.root_resource_id if live else ROOT_REF)
    plan_methods(b, desired, live, Ids(api_id, resources, authorizers, validators, ctx.partition))
    plan_gateway_responses(b, desired, live, api_id)
    plan_resource_deletes(b, desired, live)
    plan_part_deletes(b, desired, live)
    _permissions(b, desired, permissions, api_id, ctx)
    _warn(b, desired)
    return needs_deployment(b)


def needs_deployment(b: Builder) -> bool:
    """Whether the steps change what a deployment snapshots (resources, methods, authorizers...)."""
    return any(
        s.service == SERVICE and s.operation.endswith(DEPLOYED_PARTS) and s.operation not in UNDEPLOYED
        for s in b.steps
    ) or any(
        op["path"].startswith(DEPLOYED_API_FIELDS)
        for s in b.steps
        if s.operation == "update_rest_api"
        for op in s.params["patchOperations"]
    )


def _deployment_warning(b: Builder, live: LiveRestApi | None) -> None:
    if needs_deployment(b) and not any(s.operation == "create_deployment" for s in b.steps):
        b.warn(
            "REST API changes are not live until deployed: add a stage (stages) or call deploy_stage "
            "with deploy=true."
            if live is None
            else "These changes are not live until the API is deployed: call deploy_stage with deploy=true."
        )


def _api_params(desired: RestApiSpec) -> dict[str, Any]:
    endpoint: dict[str, Any] = {"types": [desired.endpoint_type]}
    if desired.vpc_endpoint_ids:
        endpoint["vpcEndpointIds"] = list(desired.vpc_endpoint_ids)
    optional = {
        "description": desired.description,
        "binaryMediaTypes": list(desired.binary_media_types),
        "disableExecuteApiEndpoint": desired.disable_execute_api_endpoint,
        "policy": desired.policy,
        "apiKeySource": desired.api_key_source if desired.api_key_source != "HEADER" else None,
    }
    return {"name": desired.name, "endpointConfiguration": endpoint} | {
        k: v for k, v in optional.items() if v
    }


def _create_api(b: Builder, desired: RestApiSpec) -> None:
    params = {**_api_params(desired), "tags": {**desired.tags, MANAGED_TAG: "true"}}
    b.add("api", SERVICE, "create_rest_api", "create", f"rest api {desired.name}", params)
    row = desired.model_dump(
        include={"description", "binary_media_types", "api_key_source", "disable_execute_api_endpoint"},
        exclude_defaults=True,
    )
    b.change("+", f"rest api {desired.name}", "", None, {"endpoint_type": desired.endpoint_type, **row})
    if desired.policy:
        b.change("+", "resource policy", "", None, desired.policy)


def _api_view(spec: RestApiSpec) -> dict[str, str]:
    view = {
        "/description": spec.description,
        "/disableExecuteApiEndpoint": str(spec.disable_execute_api_endpoint).lower(),
        "/policy": spec.policy or "",
        "/apiKeySource": spec.api_key_source,
    }
    return view | {f"/binaryMediaTypes/{t.replace('/', '~1')}": "" for t in spec.binary_media_types}


def _update_api(b: Builder, desired: RestApiSpec, live: LiveRestApi, ctx: PlanContext) -> None:
    current = live.spec
    ops = patch_operations(
        _api_view(current),
        _api_view(desired),
        {
            "/endpointConfiguration/vpcEndpointIds": (
                set(current.vpc_endpoint_ids),
                set(desired.vpc_endpoint_ids),
            )
        },
    )
    if desired.endpoint_type != current.endpoint_type:  # AWS names the type being replaced in the path
        path = f"/endpointConfiguration/types/{current.endpoint_type}"
        ops.insert(0, {"op": "replace", "path": path, "value": desired.endpoint_type})
    if ops:
        params = {"restApiId": live.api_id, "patchOperations": ops}
        b.add("update_api", SERVICE, "update_rest_api", "update", f"rest api {live.api_id}", params)
        fields = {
            "description",
            "endpoint_type",
            "vpc_endpoint_ids",
            "binary_media_types",
            "policy",
            "disable_execute_api_endpoint",
            "api_key_source",
        }
        b.changes(
            f"rest api {desired.name}", current.model_dump(include=fields), desired.model_dump(include=fields)
        )
    # An API in scope by id or name prefix is changed as it is: never tagged managed behind the user's back.
    wanted = {k: v for k, v in desired.tags.items() if current.tags.get(k) != v}
    if wanted:
        arn = f"arn:{ctx.partition}:apigateway:{ctx.scope.region}::/restapis/{live.api_id}"
        b.add(
            "tags",
            SERVICE,
            "tag_resource",
            "update",
            f"rest api {live.api_id}",
            {"resourceArn": arn, "tags": wanted},
        )
        for key, value in sorted(wanted.items()):
            b.change("~", f"rest api {desired.name}", f"tags.{key}", current.tags.get(key), value)


def api_arn(ctx: PlanContext, api_id: str) -> str:
    return f"arn:{ctx.partition}:execute-api:{ctx.scope.region}:{ctx.account}:{api_id}"


def source_arn(ctx: PlanContext, api_id: str, caller: str) -> str:
    """What API Gateway presents to Lambda: ``API/STAGE/METHOD/path`` (variables and ANY as ``*``)."""
    base = api_arn(ctx, api_id)
    if caller.startswith("authorizer "):
        return f"{base}/authorizers/*"
    verb, _, path = caller.partition(" ")
    parts = ["*" if p.startswith("{") else p for p in path.strip("/").split("/")]
    return f"{base}/*/{'*' if verb == 'ANY' else verb}/{'/'.join(parts)}"


def _permissions(
    b: Builder, desired: RestApiSpec, permissions: Mapping[str, bool], api_id: str, ctx: PlanContext
) -> None:
    """One statement per function and API (the guard allows only ``apigw-mcp-API_ID``): the one method's
    ARN when a single method invokes it, else the whole API."""
    for index, (arn, callers) in enumerate(sorted(desired.functions().items()), start=1):
        if permissions.get(arn):
            continue
        sources = {source_arn(ctx, api_id, c) for c in callers}
        source = sources.pop() if len(sources) == 1 else f"{api_arn(ctx, api_id)}/*"
        params = {
            "FunctionName": arn,
            "StatementId": statement_id(api_id),
            "Action": "lambda:InvokeFunction",
            "Principal": "apigateway.amazonaws.com",
            "SourceArn": source,
        }
        b.add(f"perm{index}", "lambda", "add_permission", "create", f"permission {arn}", params)
        b.change("+", f"permission {arn.split(':function:')[-1]}", "", None, {"source_arn": source})


def _warn(b: Builder, desired: RestApiSpec) -> None:
    for warning in policy_warnings(desired.policy) + cors_warnings(desired):
        b.warn(warning)
    open_methods = sorted(
        f"{verb} {path}"
        for path, resource in desired.resources.items()
        for verb, method in resource.methods.items()
        if method.authorization == "NONE" and verb != "OPTIONS"
    )
    if open_methods:
        b.warn(
            f"{len(open_methods)} method(s) have no authorization: anyone who knows the URL can call them."
        )
    if any(m.api_key_required for r in desired.resources.values() for m in r.methods.values()):
        b.warn(
            "API keys identify callers for usage plans (throttling, quotas); they are not authentication: "
            "pair them with IAM, Cognito or a Lambda authorizer."
        )
    if any(s.effect == "delete" for s in b.steps):
        b.warn("This plan deletes live resources (listed with '-' in the diff).")


def summary(name: str, live: LiveRestApi | None, b: Builder) -> str:
    return b.summary(f"REST API {name!r}", live.api_id if live else None)
