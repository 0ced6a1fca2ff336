"""Logging rules: the account CloudWatch role, execution and access logging, requests rejected before logs."""

from __future__ import annotations

from .facts import effective_method_settings, matched_stage, stage_name_of
from .model import Facts, Fix, Symptom
from .registry import Hit, rule, seen
from .rules_routing_helpers import (
    LOG_ON,
    STAGES,
    V2_STAGES,
    Raw,
    call,
    kw,
    stage_logging_on,
    stage_read,
)


@rule("rest-account-cloudwatch-role-missing")
def _account_role(facts: Facts, symptom: Symptom) -> Hit | None:
    note = seen("apigateway.get_account", "cloudwatchRoleArn", "not read (not in Facts)")
    if "cloudwatch logs role arn must be set" in symptom.text():
        return Hit(0.9, [seen("client response", "message", "CloudWatch Logs role ARN must be set"), note])
    stage = matched_stage(facts)
    if facts.api_type != "REST" or kw(symptom) != "no-logs" or stage is None:
        return None
    levels = {k: v.get("loggingLevel") for k, v in (stage.get("methodSettings") or {}).items()}
    if not any(lv in LOG_ON for lv in levels.values()):
        return None
    on = seen(STAGES, "methodSettings loggingLevel", levels)
    if facts.apigw_account is None:
        return Hit(0.5, [on, note])
    role = facts.apigw_account.get("cloudwatchRoleArn")
    read = seen("apigateway.get_account", "cloudwatchRoleArn", role)
    # set: only a role that is no longer assumable is left, which the reads cannot see
    return Hit(0.3 if role else 0.9, [on, read])


@rule("rest-execution-logging-off")
def _exec_logging(facts: Facts, symptom: Symptom) -> Hit | None:
    stage = matched_stage(facts)
    if stage is None or facts.logs.enabled:
        return None
    name, conf = stage_name_of(stage), 0.9 if kw(symptom) == "no-logs" else 0.3
    level = effective_method_settings(facts).get("loggingLevel") or "OFF"
    rest_on = level in LOG_ON or (stage.get("accessLogSettings") or {}).get("destinationArn")
    if rest_on if facts.api_type == "REST" else stage_logging_on(facts, stage):
        return None
    if facts.api_type == "REST":
        ev = [seen(STAGES, "methodSettings loggingLevel", level)]
        ev.append(seen(STAGES, "accessLogSettings", stage.get("accessLogSettings")))
        return Hit(conf, ev, _rest_logging_fix(facts, str(name)))
    settings: Raw = {**(stage.get("DefaultRouteSettings") or {}), "LoggingLevel": "ERROR"}
    ev = [seen(V2_STAGES, "DefaultRouteSettings.LoggingLevel", None)]
    fix = call("apigatewayv2.update_stage", ApiId=facts.api_id, StageName=name, DefaultRouteSettings=settings)
    return Hit(
        conf, ev, Fix(manual=fix + " (keeps the other route settings; needs the account CloudWatch role)")
    )


def _rest_logging_fix(facts: Facts, stage: str) -> Fix:
    """deploy_stage turning execution logging on (ERROR); first the account's CloudWatch role when the
    account was read and has none (an IAM role we cannot create for the user)."""
    logging = {"logging": {"level": "ERROR"}}
    args = {"api_id": facts.api_id, "stage_name": stage, "rest": logging, "dry_run": True}
    if facts.apigw_account is None or facts.apigw_account.get("cloudwatchRoleArn"):
        return Fix(tool="deploy_stage", args=args)
    role = "a role apigateway.amazonaws.com may assume, with AmazonAPIGatewayPushToCloudWatchLogs"
    patch = "[{'op': 'replace', 'path': '/cloudwatchRoleArn', 'value': ROLE_ARN}]"
    return Fix(
        manual=f"create {role}; apigateway.update_account(patchOperations={patch}); "
        f"then deploy_stage(api_id={facts.api_id!r}, stage_name={stage!r}, rest={logging}, dry_run=true)"
    )


_HTTP_FORMAT = (
    '{"requestId":"$context.requestId","status":"$context.status","error":"$context.error.message",'
    '"integrationError":"$context.integrationErrorMessage","authorizerError":"$context.authorizer.error"}'
)


@rule("http-access-logging-not-configured")
def _http_access_log(facts: Facts, symptom: Symptom) -> Hit | None:
    stage = matched_stage(facts)
    if stage is None:
        return None
    log: Raw = stage.get("AccessLogSettings") or {}
    args = {
        "api_id": facts.api_id,
        "stage_name": stage_name_of(stage),
        "access_log": True,
        "log_format": _HTTP_FORMAT,
    }
    fix = Fix(tool="deploy_stage", args={**args, "dry_run": True})
    if not log.get("DestinationArn"):
        conf = 0.9 if kw(symptom) == "no-logs" else 0.5 if (symptom.status or 0) >= 500 else 0.3
        return Hit(conf, [seen(V2_STAGES, f"{stage_name_of(stage)}.AccessLogSettings", None)], fix)
    fmt = str(log.get("Format") or "")
    if (symptom.status or 0) >= 500 and "$context.integrationErrorMessage" not in fmt:
        return Hit(0.45, [seen(V2_STAGES, "AccessLogSettings.Format", fmt)], fix)
    return None


@rule("no-logs-request-rejected-before-logging")
def _rejected_early(facts: Facts, symptom: Symptom) -> Hit | None:
    stage = matched_stage(facts)
    if not (facts.logs.enabled or (stage is not None and stage_logging_on(facts, stage))):
        return None
    ev = [seen(stage_read(facts), "logging enabled for stage", facts.match.stage)]
    ev.append(seen("logs.filter_log_events", f"lines in window ({facts.logs.group})", len(facts.logs.lines)))
    if facts.logs.lines:
        return Hit(0.5, ev) if kw(symptom) == "no-logs" else None
    if symptom.status == 413:
        return Hit(0.8, ev)
    if kw(symptom) == "no-logs":
        return Hit(0.7, ev)
    return Hit(0.6, ev) if facts.logs.group else None  # the window was read and holds nothing
