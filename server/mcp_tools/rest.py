"""The REST API tools whose intent is new: create_rest_api (the whole API as one desired state)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from apigw_mcp.server.aws import Identity
from apigw_mcp.server.kinds.rest import REST, LiveRest
from apigw_mcp.server.mcp_tools.registry import Ctx, Out, Register, run_tool
from apigw_mcp.server.reconciler import Change
from apigw_mcp.server.runtime import Runtime
from apigw_mcp.tools.kinds.http.cors import Cors
from apigw_mcp.tools.kinds.http.inputs import ApiName, Description, Tags
from apigw_mcp.tools.kinds.rest.inputs import (
    CreateRestApiArgs,
    GatewayResponseInput,
    ModelInput,
    RequestValidatorInput,
    RestAuthorizerInput,
)
from apigw_mcp.tools.kinds.rest.route_inputs import RestRouteInput
from apigw_mcp.tools.kinds.rest.spec import RestApiSpec
from apigw_mcp.tools.kinds.rest.stage_inputs import RestStageInput


def register_rest_tools(tool: Register, rt: Runtime) -> None:
    @tool("create_rest_api", "Create or reconcile a REST API")
    async def create_rest_api(
        name: ApiName,
        routes: list[RestRouteInput],
        description: Description = "",
        endpoint_type: Literal["REGIONAL", "EDGE", "PRIVATE"] = "REGIONAL",
        vpc_endpoint_ids: list[str] | None = None,
        authorizers: list[RestAuthorizerInput] | None = None,
        cors: Cors | None = None,
        stages: list[RestStageInput] | None = None,
        validators: list[RequestValidatorInput] | None = None,
        models: list[ModelInput] | None = None,
        gateway_responses: list[GatewayResponseInput] | None = None,
        binary_media_types: list[str] | None = None,
        disable_execute_api_endpoint: bool = False,
        policy: str = Field(
            "", description="resource policy JSON (PRIVATE: generated from vpc_endpoint_ids)"
        ),
        api_key_source: Literal["HEADER", "AUTHORIZER"] = "HEADER",
        tags: Tags | None = None,
        dry_run: bool = True,
        plan_token: str = "",
        ctx: Ctx | None = None,
    ) -> Out:
        """The whole REST API as one desired state: resources from "GET /a/{id}" routes, integrations,
        authorizers, CORS, stages (deployed), Lambda permissions; reconciles the managed API of this name."""

        def make() -> Change[LiveRest, RestApiSpec]:
            args = CreateRestApiArgs(
                name=name,
                routes=routes,
                description=description,
                endpoint_type=endpoint_type,
                vpc_endpoint_ids=vpc_endpoint_ids or [],
                authorizers=authorizers or [],
                cors=cors,
                stages=stages or [],
                validators=validators or [],
                models=models or [],
                gateway_responses=gateway_responses or [],
                binary_media_types=binary_media_types or [],
                disable_execute_api_endpoint=disable_execute_api_endpoint,
                policy=policy or None,
                api_key_source=api_key_source,
                tags=tags or {},
            )

            def desired(live: LiveRest | None, who: Identity) -> RestApiSpec:
                return args.to_spec(rt.scope.region, who.account)

            return Change(
                REST,
                "create_rest_api",
                args.model_dump(mode="json"),
                desired,
                name=name,
                deploy_if_changed=True,  # the stages it names serve the API it describes
            )

        return await run_tool(rt, make, dry_run, plan_token, ctx)
