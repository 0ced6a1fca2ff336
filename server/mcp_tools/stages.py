"""The tools for stages, permissions, deletes and undo, on HTTP and REST APIs (the kind follows the API)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from apigw_mcp.server.aws import Identity
from apigw_mcp.server.kinds.base import Kind, LiveT, Restore, SpecT
from apigw_mcp.server.kinds.http import HTTP
from apigw_mcp.server.kinds.registry import kind_of_handle
from apigw_mcp.server.kinds.rest import REST, LiveRest
from apigw_mcp.server.mcp_tools.registry import (
    Ctx,
    Maker,
    Out,
    Register,
    Text,
    by_kind,
    edit_any_kind,
    kind_of,
    require_live,
    run_tool,
)
from apigw_mcp.server.reconciler import Change
from apigw_mcp.server.runtime import Runtime
from apigw_mcp.tools.engine.errors import BadInput
from apigw_mcp.tools.engine.handle import open_handle
from apigw_mcp.tools.kinds.http import edits
from apigw_mcp.tools.kinds.http.inputs import ApiRef, StageName
from apigw_mcp.tools.kinds.http.live import LiveHttpApi
from apigw_mcp.tools.kinds.http.spec import HttpApiSpec, Throttle
from apigw_mcp.tools.kinds.rest import stage_edits
from apigw_mcp.tools.kinds.rest.spec import RestApiSpec


def register_stage_tools(tool: Register, rt: Runtime) -> None:
    @tool("deploy_stage", "Create or update a stage")
    async def deploy_stage(
        api_id: ApiRef,
        stage_name: StageName,
        auto_deploy: bool | None = None,
        deploy: Annotated[bool, Field(description="deploy now (HTTP: auto_deploy=false stages)")] = False,
        variables: dict[str, str] | None = None,
        throttle: Throttle | None = None,
        route_throttle: dict[str, Throttle] | None = None,
        access_log: bool | None = None,
        log_group_arn: Text = "",
        log_format: Text = "",
        description: Text = "",
        rest: Annotated[
            dict[str, Any] | None,
            Field(
                description="REST only: caching, logging, tracing, canary, web_acl_arn as in create_rest_api"
            ),
        ] = None,
        dry_run: bool = True,
        plan_token: str = "",
        ctx: Ctx | None = None,
    ) -> Out:
        """Create or update a stage: deployment, variables, throttling, access logs (creates the log group).
        Omitted settings keep their values."""
        given = {
            "auto_deploy": auto_deploy,
            "description": description or None,
            "variables": variables,
            "throttle": throttle,
            "route_throttle": route_throttle,
            "access_log": access_log,
            "log_group_arn": log_group_arn or None,
            "log_format": log_format or None,
        }

        def on_http(_: str) -> Change[Any, Any]:
            if rest is not None:
                raise BadInput("rest", "REST APIs only: this is an HTTP API")
            return _deploy_http_stage(rt, api_id, stage_name, given, deploy)

        makers: dict[str, Maker] = {
            REST.name: lambda found_id: _deploy_rest_stage(found_id, api_id, stage_name, given, rest, deploy),
            HTTP.name: on_http,
        }
        return await run_tool(rt, by_kind(rt, "deploy_stage", api_id, makers), dry_run, plan_token, ctx)

    @tool("delete_stage", "Delete a stage")
    async def delete_stage(
        api_id: ApiRef, stage_name: str, dry_run: bool = True, plan_token: str = "", ctx: Ctx | None = None
    ) -> Out:
        """Delete a stage and its invoke URL. Needs deletes enabled."""
        args = {"api_id": api_id, "stage_name": stage_name}

        makers: dict[str, Maker] = {
            REST.name: lambda found_id: Change(
                REST,
                "delete_stage",
                args,
                lambda live, _: stage_edits.delete_stage(REST.spec_of(require_live(live)), stage_name),
                api_id=found_id,
                exact_stages=True,
            ),
            HTTP.name: lambda _: Change(
                HTTP,
                "delete_stage",
                args,
                lambda live, _: edits.delete_stage(require_live(live), stage_name),
                api_id=api_id,
            ),
        }
        return await run_tool(rt, by_kind(rt, "delete_stage", api_id, makers), dry_run, plan_token, ctx)

    @tool("ensure_lambda_permission", "Ensure Lambda invoke permissions")
    async def ensure_lambda_permission(
        api_id: ApiRef, dry_run: bool = True, plan_token: str = "", ctx: Ctx | None = None
    ) -> Out:
        """Add missing Lambda invoke permissions (scoped to this API); warn about over-broad ones."""
        return await edit_any_kind(
            rt,
            "ensure_lambda_permission",
            {"api_id": api_id},
            {HTTP.name: HTTP.spec_of, REST.name: REST.spec_of},
            dry_run,
            plan_token,
            ctx,
        )

    @tool("delete_api", "Delete an API")
    async def delete_api(
        api_id: ApiRef, dry_run: bool = True, plan_token: str = "", ctx: Ctx | None = None
    ) -> Out:
        """Delete an API and this server's invoke permissions for it; the plan lists all that is lost."""

        async def make() -> Change[Any, Any]:
            kind, found_id = await kind_of(rt, api_id)
            return Change(kind, "delete_api", {"api_id": api_id}, lambda live, _: None, api_id=found_id)

        return await run_tool(rt, make, dry_run, plan_token, ctx)

    @tool("undo", "Undo an apply")
    async def undo(handle: str, dry_run: bool = True, plan_token: str = "", ctx: Ctx | None = None) -> Out:
        """Preview (then apply) the change back to the state before an apply, from its `undo` handle."""
        return await run_tool(rt, lambda: _undo_change(rt, handle), dry_run, plan_token, ctx)


def _deploy_http_stage(
    rt: Runtime, api_id: str, stage_name: str, given: dict[str, Any], deploy: bool
) -> Change[LiveHttpApi, HttpApiSpec]:
    settings = edits.StageChange.model_validate(given)
    args = {
        "api_id": api_id,
        "stage_name": stage_name,
        "settings": settings.model_dump(mode="json"),
        "deploy": deploy,
    }

    def desired(live: LiveHttpApi | None, who: Identity) -> HttpApiSpec:
        return edits.deploy_stage(
            require_live(live), stage_name, settings, rt.scope.region, who.account, deploy
        )

    return Change(HTTP, "deploy_stage", args, desired, api_id=api_id, deploy=[stage_name] if deploy else [])


def _deploy_rest_stage(
    found_id: str,
    api_ref: str,
    stage_name: str,
    given: dict[str, Any],
    rest: dict[str, Any] | None,
    deploy: bool,
) -> Change[LiveRest, RestApiSpec]:
    shared = {k: v for k, v in given.items() if v is not None}
    stage = stage_edits.rest_stage_args(stage_name, shared, rest)
    args = {
        "api_id": api_ref,
        "stage": stage.model_dump(mode="json", exclude_unset=True),
        "deploy": deploy,
    }

    def desired(live: LiveRest | None, _: Identity) -> RestApiSpec:
        return stage_edits.deploy_stage(REST.spec_of(require_live(live)), stage)

    return Change(REST, "deploy_stage", args, desired, api_id=found_id, deploy=[stage_name] if deploy else [])


def _undo_change(rt: Runtime, handle: str) -> Change[Any, Any]:
    """An ordinary change to the handle's before-state; what it restores is checked like any input."""
    try:
        kind_name, record = open_handle(handle, rt.signer)
        kind = kind_of_handle(kind_name)
        restoring = kind.restore(record)
    except ValueError as error:
        raise BadInput("handle", str(error)) from None
    return _restore_change(kind, restoring, handle)


def _restore_change(
    kind: Kind[LiveT, SpecT], record: Restore[LiveT, SpecT], handle: str
) -> Change[LiveT, SpecT]:
    def desired(live: LiveT | None, _: Identity) -> SpecT | None:
        if record.created:
            return None
        restored, more_notes = record.desired(live)
        notes.extend(more_notes)
        return restored

    notes = ["Undo restores settings; ids and invoke URLs of deleted resources cannot come back."]
    return Change(
        kind,
        "undo",
        {"handle": handle},
        desired,
        api_id=record.api_id,
        may_be_missing=record.created or record.deleted,
        name=record.name if record.deleted else None,
        notes=notes,
        drop_log_groups=record.log_groups,
        drop_permissions=record.permissions,
        add_permissions=record.deleted,
        field_prefix="handle.",
        exact_stages=True,  # a record holds the whole before-state, its stages included
    )
