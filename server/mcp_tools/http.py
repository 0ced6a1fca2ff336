"""The route, CORS and authorizer tools (HTTP and REST APIs alike) and create_http_api: each builds a Change
(how the desired spec follows from the live API) for the kind of API it is given."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import Field

from apigw_mcp.server.aws import Identity
from apigw_mcp.server.kinds.http import HTTP
from apigw_mcp.server.kinds.rest import REST, LiveRest
from apigw_mcp.server.mcp_tools.registry import (
    Ctx,
    Maker,
    Out,
    Register,
    Text,
    by_kind,
    edit_any_kind,
    require_live,
    run_tool,
)
from apigw_mcp.server.mcp_tools.stages import register_stage_tools
from apigw_mcp.server.reconciler import Change
from apigw_mcp.server.runtime import Runtime
from apigw_mcp.tools.engine.errors import BadInput
from apigw_mcp.tools.kinds.http import edits
from apigw_mcp.tools.kinds.http.cors import Cors
from apigw_mcp.tools.kinds.http.inputs import (
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
from apigw_mcp.tools.kinds.http.live import LiveHttpApi
from apigw_mcp.tools.kinds.http.spec import HttpApiSpec
from apigw_mcp.tools.kinds.rest import edits as rest_edits
from apigw_mcp.tools.kinds.rest.spec import RestApiSpec


def register_http_tools(tool: Register, rt: Runtime) -> None:
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

        def make() -> Change[LiveHttpApi, HttpApiSpec]:
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

            change = Change(HTTP, "create_http_api", args.model_dump(mode="json"), desired, name=name)
            return change

        return await run_tool(rt, make, dry_run, plan_token, ctx)

    @tool("add_route", "Add a route")
    async def add_route(
        api_id: ApiRef, route: RouteInput, dry_run: bool = True, plan_token: str = "", ctx: Ctx | None = None
    ) -> Out:
        """Add a route (Lambda, HTTPS or an existing integration_id; auth NONE/AWS_IAM/authorizer name)."""
        args = {"api_id": api_id, "route": route.model_dump(mode="json")}
        kinds = {
            "HTTP": lambda live: edits.add_route(live, route),
            "REST": lambda live: rest_edits.add_route(live.api, route, live.region),
        }
        return await edit_any_kind(rt, "add_route", args, kinds, dry_run, plan_token, ctx)

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
        kinds = {
            "HTTP": lambda live: edits.update_route(live, route_key, change),
            "REST": lambda live: rest_edits.update_route(live.api, route_key, change, live.region),
        }
        return await edit_any_kind(rt, "update_route", args, kinds, dry_run, plan_token, ctx)

    @tool("delete_route", "Delete a route")
    async def delete_route(
        api_id: ApiRef, route_key: str, dry_run: bool = True, plan_token: str = "", ctx: Ctx | None = None
    ) -> Out:
        """Delete a route (and its integration when no other route uses it). Needs deletes enabled."""
        args = {"api_id": api_id, "route_key": route_key}
        kinds = {
            "HTTP": lambda live: edits.delete_route(live, route_key),
            "REST": lambda live: rest_edits.delete_route(live.api, route_key),
        }
        return await edit_any_kind(rt, "delete_route", args, kinds, dry_run, plan_token, ctx)

    @tool("configure_cors", "Configure CORS")
    async def configure_cors(
        api_id: ApiRef, cors: Cors | None, dry_run: bool = True, plan_token: str = "", ctx: Ctx | None = None
    ) -> Out:
        """Set (or with cors=null remove) an HTTP API's CORS; adds the OPTIONS route preflight needs."""

        args = {"api_id": api_id, "cors": cors.model_dump(mode="json") if cors else None}

        def http(found: str) -> Change[LiveHttpApi, HttpApiSpec]:
            def desired(live: LiveHttpApi | None, _: Identity) -> HttpApiSpec:
                spec, notes = edits.configure_cors(require_live(live), cors)
                change.notes.extend(notes)
                return spec

            change = Change(HTTP, "configure_cors", args, desired, api_id=found)
            return change

        def rest(found: str) -> Change[LiveRest, RestApiSpec]:
            def desired(live: LiveRest | None, _: Identity) -> RestApiSpec:
                return rest_edits.configure_cors(require_live(live).api, cors)

            return Change(REST, "configure_cors", args, desired, api_id=found)

        makers: dict[str, Maker] = {"HTTP": http, "REST": rest}
        return await run_tool(rt, by_kind(rt, "configure_cors", api_id, makers), dry_run, plan_token, ctx)


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
        """Create or update a JWT authorizer (issuer+audience, or Cognito pool+client) for routes; on a
        REST API a Cognito user pool (by id or issuer) becomes a COGNITO_USER_POOLS authorizer."""
        fields = {
            "name": name,
            "issuer": issuer or None,
            "audience": audience or [],
            "identity_source": [identity_source],
            "cognito_user_pool_id": cognito_user_pool_id or None,
            "cognito_app_client_id": cognito_app_client_id or None,
        }
        tool = "add_jwt_authorizer"

        def rest(found: str) -> Change[LiveRest, RestApiSpec]:
            _refuse_for_rest(
                {"audience": audience, "cognito_app_client_id": cognito_app_client_id}, _AUDIENCE
            )
            args = {**fields, "api_id": found, "routes": routes, "scopes": scopes or []}

            def desired(live: LiveRest | None, who: Identity) -> RestApiSpec:
                return rest_edits.add_jwt_authorizer(
                    require_live(live).api,
                    name,
                    routes,
                    issuer,
                    cognito_user_pool_id,
                    identity_source,
                    scopes or [],
                    who.account,
                )

            return Change(REST, tool, args, desired, api_id=found)

        makers: dict[str, Maker] = {
            "HTTP": lambda found: _authorizer_change(tool, found, fields, routes, scopes or []),
            "REST": rest,
        }
        return await run_tool(rt, by_kind(rt, tool, api_id, makers), dry_run, plan_token, ctx)

    @tool("add_lambda_authorizer", "Add a Lambda authorizer")
    async def add_lambda_authorizer(
        api_id: ApiRef,
        name: str,
        function_arn: LambdaArn,
        routes: list[str],
        payload_format_version: Annotated[Text, Field(description="HTTP APIs: 1.0 or 2.0 (default)")] = "",
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
            "payload_format_version": payload_format_version or "2.0",
            "simple_responses": simple_responses,
            "ttl_seconds": ttl_seconds,
            "identity_source": identity_source,
        }
        tool = "add_lambda_authorizer"

        def rest(found: str) -> Change[LiveRest, RestApiSpec]:
            given = {"payload_format_version": payload_format_version, "simple_responses": simple_responses}
            _refuse_for_rest(given, _LAMBDA_EVENT)
            args = {**fields, "api_id": found, "routes": routes}

            def desired(live: LiveRest | None, _: Identity) -> RestApiSpec:
                return rest_edits.add_lambda_authorizer(
                    require_live(live).api, name, function_arn, routes, ttl_seconds, identity_source
                )

            return Change(REST, tool, args, desired, api_id=found)

        makers: dict[str, Maker] = {
            "HTTP": lambda found: _authorizer_change(tool, found, fields, routes, []),
            "REST": rest,
        }
        return await run_tool(rt, by_kind(rt, tool, api_id, makers), dry_run, plan_token, ctx)


_AUDIENCE = (
    "a REST API's Cognito authorizer accepts tokens of every app client of the pool and cannot check "
    "the audience: leave it out (require scopes to limit callers, or use an HTTP API)"
)
_LAMBDA_EVENT = "REST APIs send authorizers one event format (REQUEST, version 1.0): leave it out"


def _refuse_for_rest(given: Mapping[str, object], why: str) -> None:
    """Arguments without a REST meaning: naming the first one given."""
    for field, value in given.items():
        if value not in (None, "", []):
            raise BadInput(field, why)


def _authorizer_change(
    tool: str, api_id: str, fields: dict[str, Any], routes: list[str], scopes: list[str]
) -> Change[LiveHttpApi, HttpApiSpec]:
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

    change = Change(HTTP, tool, args, desired, api_id=api_id)
    return change
