"""The mutating HTTP API tools: each builds a Change (how the desired spec follows from the live API)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any

from mcp.server import MCPServer
from mcp.server.mcpserver import Context
from mcp.types import CallToolResult, InputRequiredResult, ToolAnnotations
from pydantic import Field

from apigw_mcp.tools import http_edits as edits
from apigw_mcp.tools.change_output import ChangeOutput, change_output
from apigw_mcp.tools.cors import Cors
from apigw_mcp.tools.http_inputs import (
    ApiName,
    ApiRef,
    AuthorizerInput,
    CreateHttpApiArgs,
    Description,
    LambdaArn,
    RouteInput,
    StageInput,
    Tags,
)
from apigw_mcp.tools.http_live import LiveHttpApi
from apigw_mcp.tools.http_spec import HttpApiSpec
from apigw_mcp.tools.tool_operations import tool_access

from .aws import Identity
from .change import Change, run_change
from .consent import Consent, NeedsConsent
from .results import guarded, result
from .runtime import Runtime

# Only what differs from MCP's defaults (not read-only, destructive, not idempotent, open world) is sent;
# which applies follows from the access of the tool's operations in the operations table.
ANNOTATIONS = {
    "read": ToolAnnotations(read_only_hint=True),
    "write": ToolAnnotations(destructive_hint=False, idempotent_hint=True),
    "delete": ToolAnnotations(idempotent_hint=True),
}
Out = Annotated[CallToolResult, ChangeOutput] | InputRequiredResult
if TYPE_CHECKING:
    Ctx = Context[Any, Any]
else:
    Ctx = Context  # the SDK finds the context parameter by its bare class
Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]
Register = Callable[[str, str], Decorator]
# Optional text arguments are plain `str` with "" for "not given": the SDK parses JSON-looking text
# (a JSON log format, a numeric client id) into objects for any argument not annotated exactly `str`.
Text = str


async def run_tool(
    rt: Runtime, make: Callable[[], Change], dry_run: bool, plan_token: str, ctx: Ctx | None
) -> CallToolResult | InputRequiredResult:
    """Build the change inside the guard, so that argument errors come back as actionable tool errors.

    Destructive applies first ask the user where the client can (``consent.py``); the question
    goes back to the client as an ``InputRequiredResult`` on protocol 2026-07-28.
    """

    async def work() -> CallToolResult:
        change = make()
        changed = await run_change(rt, change, dry_run, plan_token or None, Consent(ctx))
        return result(change_output(changed.public(), change.tool, dry_run))

    try:
        return await guarded(work)
    except NeedsConsent as asking:
        return asking.question


def require_live(live: LiveHttpApi | None) -> LiveHttpApi:
    assert live is not None  # run_change refuses a missing API before asking for the desired spec
    return live


async def edit_change(
    rt: Runtime,
    tool: str,
    args: dict[str, Any],
    edit: Callable[[LiveHttpApi], HttpApiSpec],
    dry_run: bool,
    plan_token: str,
    ctx: Ctx | None,
) -> Out:
    """A change that edits the live spec of the API named in ``args``."""
    api_id = str(args["api_id"])
    return await run_tool(
        rt,
        lambda: Change(tool, args, lambda live, _: edit(require_live(live)), api_id=api_id),
        dry_run,
        plan_token,
        ctx,
    )


def registrar(server: MCPServer, enabled: set[str]) -> Register:
    """A decorator factory that registers a tool only when its toolset is enabled."""

    def tool(name: str, title: str) -> Decorator:
        if name not in enabled:
            return lambda fn: fn
        decorate: Decorator = server.tool(name=name, title=title, annotations=ANNOTATIONS[tool_access(name)])
        return decorate

    return tool


def register_http_tools(tool: Register, rt: Runtime) -> None:
    from .http_stage_tools import register_stage_tools

    register_route_tools(tool, rt)
    register_auth_tools(tool, rt)
    register_stage_tools(tool, rt)


def register_route_tools(tool: Register, rt: Runtime) -> None:
    @tool("create_http_api", "Create or reconcile an HTTP API")
    async def create_http_api(
        name: ApiName,
        routes: list[RouteInput],
        description: Description = "",
        cors: Cors | None = None,
        authorizers: list[AuthorizerInput] | None = None,
        stages: list[StageInput] | None = None,
        default_stage: Annotated[
            bool | None, Field(description="$default auto-deploy stage; default: only when no stages given")
        ] = None,
        tags: Tags | None = None,
        dry_run: bool = True,
        plan_token: str = "",
        ctx: Ctx | None = None,
    ) -> Out:
        """The whole HTTP API as one desired state (routes, CORS, authorizers, stages, Lambda permissions);
        reconciles the managed API of this name."""

        def make() -> Change:
            args = CreateHttpApiArgs(
                name=name,
                routes=routes,
                description=description,
                cors=cors,
                authorizers=authorizers or [],
                stages=stages or [],
                default_stage=default_stage,
                tags=tags or {},
            )

            def desired(live: LiveHttpApi | None, who: Identity) -> HttpApiSpec:
                spec, notes = edits.preflight_routes(args.spec(rt.scope.region, who.account))
                change.notes.extend(n for n in notes if not n.startswith("No OPTIONS"))
                return spec

            change = Change("create_http_api", args.model_dump(mode="json"), desired, name=name)
            return change

        return await run_tool(rt, make, dry_run, plan_token, ctx)

    @tool("add_route", "Add a route")
    async def add_route(
        api_id: ApiRef, route: RouteInput, dry_run: bool = True, plan_token: str = "", ctx: Ctx | None = None
    ) -> Out:
        """Add a route (Lambda, HTTPS or an existing integration_id; auth NONE/AWS_IAM/authorizer name)."""
        args = {"api_id": api_id, "route": route.model_dump(mode="json")}
        return await edit_change(
            rt, "add_route", args, lambda live: edits.add_route(live, route), dry_run, plan_token, ctx
        )

    @tool("update_route", "Update a route")
    async def update_route(
        api_id: ApiRef,
        route_key: str,
        change: edits.RouteUpdate,
        dry_run: bool = True,
        plan_token: str = "",
        ctx: Ctx | None = None,
    ) -> Out:
        """Change a route's backend or auth; fields left out keep their values."""
        args = {
            "api_id": api_id,
            "route_key": route_key,
            "change": change.model_dump(mode="json", exclude_unset=True),
        }
        return await edit_change(
            rt,
            "update_route",
            args,
            lambda live: edits.update_route(live, route_key, change),
            dry_run,
            plan_token,
            ctx,
        )

    @tool("delete_route", "Delete a route")
    async def delete_route(
        api_id: ApiRef, route_key: str, dry_run: bool = True, plan_token: str = "", ctx: Ctx | None = None
    ) -> Out:
        """Delete a route (and its integration when no other route uses it). Needs deletes enabled."""
        args = {"api_id": api_id, "route_key": route_key}
        return await edit_change(
            rt,
            "delete_route",
            args,
            lambda live: edits.delete_route(live, route_key),
            dry_run,
            plan_token,
            ctx,
        )

    @tool("configure_cors", "Configure CORS")
    async def configure_cors(
        api_id: ApiRef, cors: Cors | None, dry_run: bool = True, plan_token: str = "", ctx: Ctx | None = None
    ) -> Out:
        """Set (or with cors=null remove) an HTTP API's CORS; adds the OPTIONS route preflight needs."""

        def make() -> Change:
            def desired(live: LiveHttpApi | None, _: Identity) -> HttpApiSpec:
                spec, notes = edits.configure_cors(require_live(live), cors)
                change.notes.extend(notes)
                return spec

            args = {"api_id": api_id, "cors": cors.model_dump(mode="json") if cors else None}
            change = Change("configure_cors", args, desired, api_id=api_id)
            return change

        return await run_tool(rt, make, dry_run, plan_token, ctx)


def register_auth_tools(tool: Register, rt: Runtime) -> None:
    @tool("add_jwt_authorizer", "Add a JWT authorizer")
    async def add_jwt_authorizer(
        api_id: ApiRef,
        name: str,
        routes: list[str],
        issuer: Text = "",
        audience: list[str] | None = None,
        cognito_user_pool_id: Text = "",
        cognito_app_client_id: Text = "",
        identity_source: str = "$request.header.Authorization",
        scopes: Annotated[list[str], Field(max_length=10)] | None = None,
        dry_run: bool = True,
        plan_token: str = "",
        ctx: Ctx | None = None,
    ) -> Out:
        """Create or update a JWT authorizer (issuer+audience, or Cognito pool+client) for routes."""
        fields = {
            "name": name,
            "issuer": issuer or None,
            "audience": audience or [],
            "identity_source": [identity_source],
            "cognito_user_pool_id": cognito_user_pool_id or None,
            "cognito_app_client_id": cognito_app_client_id or None,
        }
        return await run_tool(
            rt,
            lambda: _authorizer_change(rt, "add_jwt_authorizer", api_id, fields, routes, scopes or []),
            dry_run,
            plan_token,
            ctx,
        )

    @tool("add_lambda_authorizer", "Add a Lambda authorizer")
    async def add_lambda_authorizer(
        api_id: ApiRef,
        name: str,
        function_arn: LambdaArn,
        routes: list[str],
        payload_format_version: str = "2.0",
        simple_responses: bool | None = None,
        ttl_seconds: Annotated[int, Field(ge=0, le=3600)] = 0,
        identity_source: list[str] | None = None,
        dry_run: bool = True,
        plan_token: str = "",
        ctx: Ctx | None = None,
    ) -> Out:
        """Create or update a Lambda (REQUEST) authorizer, its invoke permission, and attach it to routes."""
        fields = {
            "name": name,
            "function_arn": function_arn,
            "payload_format_version": payload_format_version,
            "simple_responses": simple_responses,
            "ttl_seconds": ttl_seconds,
            "identity_source": identity_source,
        }
        return await run_tool(
            rt,
            lambda: _authorizer_change(rt, "add_lambda_authorizer", api_id, fields, routes, []),
            dry_run,
            plan_token,
            ctx,
        )


def _authorizer_change(
    rt: Runtime, tool: str, api_id: str, fields: dict[str, Any], routes: list[str], scopes: list[str]
) -> Change:
    authorizer = AuthorizerInput.model_validate(fields)
    args = {
        "api_id": api_id,
        "authorizer": authorizer.model_dump(mode="json"),
        "routes": routes,
        "scopes": scopes,
    }

    def desired(live: LiveHttpApi | None, _: Identity) -> HttpApiSpec:
        spec, notes = edits.add_authorizer(require_live(live), authorizer, routes, scopes)
        change.notes.extend(notes)
        return spec

    change = Change(tool, args, desired, api_id=api_id)
    return change
