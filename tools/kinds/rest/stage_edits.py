"""deploy_stage and delete_stage on a REST API: the desired spec each asks for, and the plan of a spec whose
stages are the whole list (pure).

deploy_stage's arguments are shared with HTTP APIs; those with a REST meaning map onto ``RestStageInput``
(``rest_stage_args``), and its ``rest`` object holds the REST-only settings (``RestStageOptions``). The
desired spec lists only the stage deployed: the REST planner leaves stages a spec leaves out alone, so
``deploy=true`` redeploys that stage and no other.

delete_stage and undo need the opposite reading: a stage left out goes, and a live canary the spec does not
keep is rolled back (``exact_stages_plan``).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from apigw_mcp.tools.engine.errors import BadInput, validation_message
from apigw_mcp.tools.engine.plan import Plan
from apigw_mcp.tools.engine.plan_builder import Builder
from apigw_mcp.tools.kinds.rest.live import LiveRestApi
from apigw_mcp.tools.kinds.rest.plan_stages import plan_delete_rest_stage
from apigw_mcp.tools.kinds.rest.planner import summary
from apigw_mcp.tools.kinds.rest.spec import RestApiSpec
from apigw_mcp.tools.kinds.rest.stage_inputs import CachingInput, CanaryInput, LoggingInput, RestStageInput
from apigw_mcp.tools.kinds.rest.stage_live import LiveRestStage
from apigw_mcp.tools.kinds.rest.stage_overlay import overlay_stage
from apigw_mcp.tools.kinds.rest.stage_spec import CanaryAction

# deploy_stage's arguments as RestStageInput names them (to name the argument in errors).
_ARGUMENT_OF = {
    "name": "stage_name",
    "method_throttles": "route_throttle",
    "access_log_destination_arn": "log_group_arn",
    "access_log_format": "log_format",
}
HTTP_ONLY = ("auto_deploy",)


class RestStageOptions(BaseModel):
    """deploy_stage's REST-only settings, as create_rest_api's ``stages[]`` takes them."""

    model_config = ConfigDict(extra="forbid")

    caching: CachingInput | None = None
    logging: LoggingInput | None = None
    tracing: bool = False
    canary: CanaryInput | CanaryAction | None = None
    web_acl_arn: str | None = None


def rest_stage_args(stage_name: str, shared: dict[str, Any], rest: dict[str, Any] | None) -> RestStageInput:
    """The stage input for deploy_stage's arguments: ``shared`` holds the given shared arguments by their
    deploy_stage names (``throttle`` as ``{burst, rate}``, ``access_log`` false to stop access logs).
    BadInput naming the argument when one has no REST meaning or a value REST refuses."""
    for name in HTTP_ONLY:
        if name in shared:
            raise BadInput(
                name, "HTTP APIs only: a REST stage serves the deployment it is given (deploy=true)"
            )
    options = _options(rest or {})
    given: dict[str, Any] = {"name": stage_name, **options.model_dump(exclude_unset=True)}
    if "throttle" in shared:
        given["throttle"] = _throttle(shared["throttle"])
    if "route_throttle" in shared:
        given["method_throttles"] = {k: _throttle(v) for k, v in shared["route_throttle"].items()}
    for argument in ("variables", "description"):
        if argument in shared:
            given[argument] = shared[argument]
    if shared.get("access_log") is False:
        given["access_log_destination_arn"] = None
    elif shared.get("access_log") and "log_group_arn" not in shared:
        raise BadInput("log_group_arn", "a REST stage's access logs need the log group's (or Firehose) ARN")
    if "log_group_arn" in shared:
        given["access_log_destination_arn"] = shared["log_group_arn"]
    if "log_format" in shared:
        given["access_log_format"] = shared["log_format"]
    try:
        return RestStageInput.model_validate(given)
    except ValidationError as error:
        first = error.errors()[0]
        top = str(first["loc"][0]) if first["loc"] else ""
        field_name = _ARGUMENT_OF.get(top) or (f"rest.{top}" if top in RestStageOptions.model_fields else top)
        raise BadInput(field_name or "rest", validation_message(error)) from None


def _options(rest: dict[str, Any]) -> RestStageOptions:
    try:
        options = RestStageOptions.model_validate(rest)
    except ValidationError as error:
        loc = error.errors()[0]["loc"]
        raise BadInput(f"rest.{loc[0]}" if loc else "rest", validation_message(error)) from None
    if options.caching and options.caching.cache_key_parameters:
        raise BadInput(
            "rest.caching.cache_key_parameters",
            "cache keys live on the methods' integrations: set them with create_rest_api",
        )
    return options


def _throttle(value: Any) -> dict[str, Any]:
    data = value.model_dump() if isinstance(value, BaseModel) else dict(value)
    return {"rate_limit": data["rate"], "burst_limit": data["burst"]}


def deploy_stage(spec: RestApiSpec, args: RestStageInput) -> RestApiSpec:
    """The live spec with only the stage ``args`` names: the live stage with the given settings laid
    over it, or a new stage."""
    live = next((s for s in spec.stages if s.name == args.name), None)
    stage = overlay_stage(live, args) if live else args.to_spec()
    return spec.model_copy(update={"stages": [stage]})


def delete_stage(spec: RestApiSpec, stage_name: str) -> RestApiSpec:
    """The live spec without the stage (to plan with ``exact_stages_plan``)."""
    names = [s.name for s in spec.stages]
    if stage_name not in names:
        have = ", ".join(sorted(names)) or "none"
        raise BadInput("stage_name", f"REST API {spec.name!r} has no stage {stage_name!r} (stages: {have})")
    return spec.model_copy(update={"stages": [s for s in spec.stages if s.name != stage_name]})


def with_canary_rollbacks(desired: RestApiSpec, live: list[LiveRestStage]) -> RestApiSpec:
    """Each desired stage without a canary whose live stage has one rolls it back (the planner otherwise
    keeps a live canary that a spec leaves out)."""
    canaried = {s.name for s in live if s.spec.canary is not None}
    stages = [
        s.model_copy(update={"canary_action": "rollback"})
        if s.name in canaried and s.canary is None and s.canary_action is None
        else s
        for s in desired.stages
    ]
    return desired.model_copy(update={"stages": stages})


def exact_stages_plan(
    plan: Plan, live: LiveRestApi, stages: list[LiveRestStage], desired: RestApiSpec
) -> Plan:
    """``plan`` (of ``desired``, made with ``with_canary_rollbacks``) plus deleting each live stage that
    ``desired`` leaves out."""
    kept = {s.name for s in desired.stages}
    dropped = [s for s in stages if s.name not in kept]
    if not dropped:
        return plan
    b = Builder(steps=list(plan.steps), diff=list(plan.diff), warnings=list(plan.warnings))
    for stage in sorted(dropped, key=lambda s: s.name):
        plan_delete_rest_stage(b, live.api_id, stage)
        b.warn(f"Deleting stage {stage.name} loses its invoke URL, cache cluster and canary.")
    return plan.model_copy(
        update={
            "steps": b.steps,
            "diff": b.diff,
            "warnings": b.warnings,
            "summary": summary(desired.name, live, b),
        }
    )
