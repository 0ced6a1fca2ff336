"""The HTTP API tools for stages, permissions, deletes and undo (the rest are in mcp_tools/http.py)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from apigw_mcp.server.aws import Identity
from apigw_mcp.server.kinds.base import Kind, LiveT, Restore, SpecT
from apigw_mcp.server.kinds.http import HTTP
from apigw_mcp.server.kinds.registry import kind_of_handle
from apigw_mcp.server.mcp_tools.registry import Ctx, Out, Register, Text, edit_change, require_live, run_tool
from apigw_mcp.server.reconciler import Change
from apigw_mcp.server.runtime import Runtime
from apigw_mcp.tools.engine.errors import BadInput
from apigw_mcp.tools.engine.handle import open_handle
from apigw_mcp.tools.kinds.http import edits
from apigw_mcp.tools.kinds.http.inputs import ApiRef, StageName
from apigw_mcp.tools.kinds.http.live import LiveHttpApi
from apigw_mcp.tools.kinds.http.spec import HttpApiSpec, Throttle


def register_stage_tools(tool: Register, rt: Runtime) -> None:
    @tool("deploy_stage", "Create or update a stage")
    async def deploy_stage(
        api_id: ApiRef,
        stage_name: StageName,
        auto_deploy: bool | None = None,
        deploy: Annotated[bool, Field(description="explicit deployment (auto_deploy=false stages)")] = False,
        variables: dict[str, str] | None = None,
        throttle: Throttle | None = None,
        route_throttle: dict[str, Throttle] | None = None,
        access_log: bool | None = None,
        log_group_arn: Text = "",
        log_format: Text = "",
        description: Text = "",
        dry_run: bool = True,
        plan_token: str = "",
        ctx: Ctx | None = None,
    ) -> Out:
        """Create or update a stage: deployment, variables, throttling, access logs (creates the log group).
        Omitted settings keep their values."""

        def make() -> Change[LiveHttpApi, HttpApiSpec]:
            settings = edits.StageChange.model_validate(
                {
                    "auto_deploy": auto_deploy,
                    "description": description or None,
                    "variables": variables,
                    "throttle": throttle,
                    "route_throttle": route_throttle,
                    "access_log": access_log,
                    "log_group_arn": log_group_arn or None,
                    "log_format": log_format or None,
                }
            )
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

            return Change(
                HTTP, "deploy_stage", args, desired, api_id=api_id, deploy=[stage_name] if deploy else []
            )

        return await run_tool(rt, make, dry_run, plan_token, ctx)

    @tool("delete_stage", "Delete a stage")
    async def delete_stage(
        api_id: ApiRef, stage_name: str, dry_run: bool = True, plan_token: str = "", ctx: Ctx | None = None
    ) -> Out:
        """Delete a stage and its invoke URL. Needs deletes enabled."""
        args = {"api_id": api_id, "stage_name": stage_name}
        return await edit_change(
            rt,
            HTTP,
            "delete_stage",
            args,
            lambda live: edits.delete_stage(live, stage_name),
            dry_run,
            plan_token,
            ctx,
        )

    @tool("ensure_lambda_permission", "Ensure Lambda invoke permissions")
    async def ensure_lambda_permission(
        api_id: ApiRef, dry_run: bool = True, plan_token: str = "", ctx: Ctx | None = None
    ) -> Out:
        """Add missing Lambda invoke permissions (scoped to this API); warn about over-broad ones."""
        return await edit_change(
            rt,
            HTTP,
            "ensure_lambda_permission",
            {"api_id": api_id},
            HTTP.spec_of,
            dry_run,
            plan_token,
            ctx,
        )

    @tool("delete_api", "Delete an HTTP API")
    async def delete_api(
        api_id: ApiRef, dry_run: bool = True, plan_token: str = "", ctx: Ctx | None = None
    ) -> Out:
        """Delete an HTTP API and this server's invoke permissions for it; the plan lists all that is lost."""
        return await run_tool(
            rt,
            lambda: Change(HTTP, "delete_api", {"api_id": api_id}, lambda live, _: None, api_id=api_id),
            dry_run,
            plan_token,
            ctx,
        )

    @tool("undo", "Undo an apply")
    async def undo(handle: str, dry_run: bool = True, plan_token: str = "", ctx: Ctx | None = None) -> Out:
        """Preview (then apply) the change back to the state before an apply, from its `undo` handle."""
        return await run_tool(rt, lambda: _undo_change(rt, handle), dry_run, plan_token, ctx)


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
    )
