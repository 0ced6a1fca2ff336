"""Routing rules: missing resources and routes, wrong stages, undeployed changes, greedy proxy roots."""

from __future__ import annotations

from difflib import get_close_matches

from .facts import (
    matched_stage,
    route_by_key,
    stage_name_of,
    stage_names,
)
from .model import Facts, Fix, Symptom
from .registry import Hit, rule, seen
from .rules_routing_helpers import (
    RESOURCES,
    ROUTES,
    STAGES,
    V2_STAGES,
    call,
    deploy_call,
    is_mat,
    join,
    kw,
    newest_deployment,
    resolves,
    split,
    stage_read,
)


def _path(facts: Facts, symptom: Symptom) -> str:
    return facts.match.path or symptom.path or "/"


def _proxy_root(facts: Facts, symptom: Symptom) -> str | None:
    """The top-level greedy resource path / route key when "/" was requested and nothing serves it."""
    if facts.match.kind != "none" or split(_path(facts, symptom)):
        return None
    if facts.api_type == "REST":
        greedy = [str(r["path"]) for r in facts.resources if r.get("resourceMethods") and r.get("path")]
    else:
        greedy = [str(r.get("RouteKey", "")) for r in facts.routes]
    return next((g for g in greedy if g.endswith("+}") and len(split(g.partition(" ")[2] or g)) == 1), None)


def _stage_prefixed(facts: Facts, symptom: Symptom) -> str | None:
    """HTTP $default stage: the first segment looks like a stage name and the rest would be routed.

    Not when a route (a greedy ``{proxy+}`` included) already serves the whole path: the first segment
    is then part of a routed path, not a stage name.
    """
    segs = split(_path(facts, symptom))
    if facts.api_type != "HTTP" or facts.match.stage != "$default" or not segs:
        return None
    if facts.match.kind == "route" or resolves(facts, symptom.method, join(segs)):
        return None
    return segs[0] if resolves(facts, symptom.method, join(segs[1:])) else None


@rule("rest-missing-resource-or-method")
def _missing(facts: Facts, symptom: Symptom) -> Hit | None:
    if facts.match.kind != "none" or matched_stage(facts) is None:
        return None
    path, verb, api = _path(facts, symptom), (symptom.method or "GET").upper(), facts.api_id
    known, segs = {str(r.get("path")): r for r in facts.resources}, split(path)
    ev = [seen(RESOURCES, "path", list(known)[:20])]
    ev.append(seen(STAGES, "stageName", facts.match.stage))
    if path in known:
        ev.append(
            seen(
                RESOURCES,
                f"{path} resourceMethods",
                sorted(known[path].get("resourceMethods") or {}),
            )
        )
        step = call(
            "apigateway.put_method",
            restApiId=api,
            resourceId=known[path].get("id"),
            httpMethod=verb,
            authorizationType="NONE",
        )
    else:
        depth = max((i for i in range(len(segs)) if join(segs[:i]) in known), default=0)
        parent = known.get(join(segs[:depth]), {}).get("id", "<root id>")
        step = call(
            "apigateway.create_resource", restApiId=api, parentId=parent, pathPart=segs[depth] if segs else ""
        )
        step += f" (and any deeper parts), then put_method(httpMethod={verb!r})"
    deploy = deploy_call(facts)
    repeats = len(segs) > 1 and segs[0] == facts.match.stage and resolves(facts, verb, join(segs[1:]))
    conf = 0.5 if repeats else 0.7 if _proxy_root(facts, symptom) else 0.9 if facts.resources else 0.6
    tool = f"add_route(api_id={api!r}, route={{'route_key': '{verb} {path}', <backend>}}, dry_run=true)"
    fix = f"{tool}, <backend> being the lambda_arn, http_url, aws_service or mock that serves it"
    boto = f"{step} + put_integration, {deploy}"
    return Hit(conf, ev, Fix(manual=f"{fix}, then deploy_stage(deploy=true) (or {boto})"))


def _stage_hint(facts: Facts, names: list[str]) -> str:
    if names:
        return f"put one of the stages {names} first in the path"
    if facts.api_type == "REST":
        return f"no stage yet: apigateway.create_deployment(restApiId={facts.api_id!r}, stageName='prod')"
    return f"no stage yet: deploy_stage(api_id={facts.api_id!r}, stage_name='$default', dry_run=True)"


@rule("wrong-stage-in-url")
def _wrong_stage(facts: Facts, symptom: Symptom) -> Hit | None:
    names = stage_names(facts)
    ev = [seen(stage_read(facts), "stage names", names)]
    if facts.api_type == "REST" and not facts.match.stage:
        # REST has no $default stage: every invoke URL names one
        return Hit(0.8, [*ev, seen("request", "stage segment", None)], Fix(manual=_stage_hint(facts, names)))
    if facts.match.stage and facts.match.stage not in names:
        near = get_close_matches(facts.match.stage, names, n=1)
        hint = f"use stage {near[0]!r}" if near else _stage_hint(facts, names)
        url = f"https://{facts.api_id}.execute-api.{facts.region}.amazonaws.com/<stage>/<path>"
        return Hit(
            0.9,
            [*ev, seen("request", "stage segment", facts.match.stage)],
            Fix(manual=f"{hint} in {url}, or create it"),
        )
    seg = _stage_prefixed(facts, symptom)
    if seg is None:
        return None
    ev.append(seen("request", "first path segment (routed by $default as part of the path)", seg))
    return Hit(0.85, ev, Fix(manual=f"drop /{seg} from the URL: the $default stage serves the root"))


@rule("rest-changes-not-deployed")
def _changes_not_deployed(facts: Facts, symptom: Symptom) -> Hit | None:
    stage = matched_stage(facts)
    if stage is None or (facts.match.kind == "none" and is_mat(symptom)):
        return None
    name, dep = stage_name_of(stage), stage.get("deploymentId")
    args = {"api_id": facts.api_id, "stage_name": name, "deploy": True, "dry_run": True}
    fix = Fix(tool="deploy_stage", args=args)
    ev = [seen(STAGES, f"{name}.deploymentId", dep)]
    newest = newest_deployment(facts)
    if not dep:
        return Hit(0.9, ev, fix)
    if newest is not None and newest.get("id") != dep:
        current = next((d for d in facts.deployments if d.get("id") == dep), {})
        ev.append(
            seen(
                "apigateway.get_deployments", "stage deployment createdDate", str(current.get("createdDate"))
            )
        )
        ev.append(
            seen(
                "apigateway.get_deployments",
                "newest id/createdDate",
                f"{newest.get('id')} {newest.get('createdDate')}",
            )
        )
        return Hit(0.8, ev, fix)
    if facts.match.kind == "resource" and (is_mat(symptom) or kw(symptom) == "stale-deploy"):
        ev.append(
            seen(
                RESOURCES,
                "method exists",
                f"{facts.match.method} {facts.match.resource_path}",
            )
        )
        return Hit(0.55, ev, fix)
    return None


@rule("rest-proxy-resource-does-not-match-root")
def _proxy_root_rule(facts: Facts, symptom: Symptom) -> Hit | None:
    greedy = _proxy_root(facts, symptom)
    if greedy is None:
        return None
    if facts.api_type == "REST":
        root = next((r for r in facts.resources if r.get("path") == "/"), {})
        ev = [seen(RESOURCES, "greedy resource", greedy)]
        ev.append(seen(RESOURCES, "/ resourceMethods", sorted(root.get("resourceMethods") or {})))
        put = call(
            "apigateway.put_method",
            restApiId=facts.api_id,
            resourceId=root.get("id", "<root id>"),
            httpMethod="ANY",
            authorizationType="NONE",
        )
        return Hit(
            0.9,
            ev,
            Fix(manual=f"{put} + put_integration, then create_deployment(stageName={facts.match.stage!r})"),
        )
    ev = [seen(ROUTES, "RouteKey", [r.get("RouteKey") for r in facts.routes])]
    target = str((route_by_key(facts, greedy) or {}).get("Target") or "")
    route = {"route_key": "ANY /", "integration_id": target.removeprefix("integrations/")}
    return Hit(
        0.9,
        ev,
        Fix(tool="add_route", args={"api_id": facts.api_id, "route": route, "dry_run": True})
        if target
        else None,
    )


@rule("http-route-not-found")
def _route_not_found(facts: Facts, symptom: Symptom) -> Hit | None:
    keys = [str(r.get("RouteKey")) for r in facts.routes]
    if facts.match.kind != "none" or "$default" in keys or matched_stage(facts) is None:
        return None
    key = f"{(symptom.method or 'GET').upper()} {_path(facts, symptom)}"
    ev = [seen(ROUTES, "RouteKey", keys[:30]), seen("request", "route key", key)]
    conf = 0.5 if _stage_prefixed(facts, symptom) else 0.7 if _proxy_root(facts, symptom) else 0.9
    targets = {str(r["Target"]).removeprefix("integrations/") for r in facts.routes if r.get("Target")}
    if len(targets) != 1:
        create = call(
            "apigatewayv2.create_route",
            ApiId=facts.api_id,
            RouteKey=key,
            Target="integrations/<IntegrationId>",
        )
        return Hit(conf, ev, Fix(manual=create))
    route = {"route_key": key, "integration_id": targets.pop()}
    return Hit(
        conf, ev, Fix(tool="add_route", args={"api_id": facts.api_id, "route": route, "dry_run": True})
    )


@rule("v2-stage-not-deployed")
def _v2_not_deployed(facts: Facts, symptom: Symptom) -> Hit | None:
    stage = matched_stage(facts)
    if stage is None:
        return None
    name, dep, status = (
        stage_name_of(stage),
        stage.get("DeploymentId"),
        str(stage.get("LastDeploymentStatusMessage") or ""),
    )
    ev = [seen(V2_STAGES, f"{name}.AutoDeploy", bool(stage.get("AutoDeploy")))]
    ev.append(seen(V2_STAGES, "DeploymentId", dep))
    args = {"api_id": facts.api_id, "stage_name": name, "deploy": True, "dry_run": True}
    fix = Fix(tool="deploy_stage", args=args)
    if facts.api_type != "HTTP":
        fix = Fix(manual=call("apigatewayv2.create_deployment", ApiId=facts.api_id, StageName=name))
    newest = newest_deployment(facts)
    if stage.get("AutoDeploy"):
        failed = "fail" in status.lower()
        return (
            Hit(0.85, [*ev, seen(V2_STAGES, "LastDeploymentStatusMessage", status)], fix) if failed else None
        )
    if not dep:
        return Hit(0.9, ev, fix)
    if newest is not None and newest.get("DeploymentId") != dep:
        newer = f"{newest.get('DeploymentId')} {newest.get('CreatedDate')}"
        return Hit(
            0.75, [*ev, seen("apigatewayv2.get_deployments", "newest DeploymentId/CreatedDate", newer)], fix
        )
    if symptom.status == 404 and facts.match.kind == "route":
        return Hit(0.6, [*ev, seen(ROUTES, "route exists yet 404", facts.match.route_key)], fix)
    return Hit(0.5, ev, fix) if kw(symptom) == "stale-deploy" else None
