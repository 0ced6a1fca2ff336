"""Resources (parents first), methods, integrations and their responses of a REST API (pure).

Resources are matched by path, methods by HTTP method, responses by status code. A resource
that goes is deleted with its subtree, so only the top-most removed path gets a step.
"""

from __future__ import annotations

from apigw_mcp.tools.engine.plan_builder import Builder
from apigw_mcp.tools.kinds.rest.live import LiveRestApi
from apigw_mcp.tools.kinds.rest.plan_methods import SERVICE, Ids, MethodPlan
from apigw_mcp.tools.kinds.rest.spec import RestApiSpec


def parent_of(path: str) -> str:
    return path.rsplit("/", 1)[0] or "/"


def plan_resources(
    b: Builder, desired: RestApiSpec, live: LiveRestApi | None, api_id: str, root: str
) -> dict[str, str]:
    ids = dict(live.resource_ids) if live else {"/": root}
    ordered = sorted(desired.resources, key=lambda p: (0 if p == "/" else p.count("/"), p))
    for index, path in enumerate(ordered, start=1):
        if path in ids:
            continue
        params = {"restApiId": api_id, "parentId": ids[parent_of(path)], "pathPart": path.rsplit("/", 1)[1]}
        b.add(f"res{index}", SERVICE, "create_resource", "create", f"resource {path}", params)
        b.change("+", f"resource {path}")
        ids[path] = f"${{res{index}}}"
    return ids


def plan_resource_deletes(b: Builder, desired: RestApiSpec, live: LiveRestApi | None) -> None:
    if live is None:
        return
    gone = sorted(set(live.resource_ids) - set(desired.resources) - {"/"})
    for path in gone:
        if parent_of(path) in gone:
            continue
        resource_id = live.resource_ids[path]
        b.add(
            f"del_res_{resource_id}",
            SERVICE,
            "delete_resource",
            "delete",
            f"resource {path}",
            {"restApiId": live.api_id, "resourceId": resource_id},
        )
        subtree = [p for p in gone if p == path or p.startswith(f"{path}/")]
        methods = [f"{verb} {p}" for p in subtree for verb in sorted(live.spec.resources[p].methods)]
        b.change("-", f"resource {path}", "", {"resources": subtree, "methods": methods}, None)


def plan_methods(b: Builder, desired: RestApiSpec, live: LiveRestApi | None, ids: Ids) -> None:
    current = live.spec.resources if live else {}
    count = 0
    for path, resource in sorted(desired.resources.items()):
        live_methods = current[path].methods if path in current else {}
        for verb, spec in sorted(resource.methods.items()):
            count += 1
            where = {"restApiId": ids.api, "resourceId": ids.resources[path], "httpMethod": verb}
            MethodPlan(b, f"{verb} {path}", str(count), where, ids).run(live_methods.get(verb), spec)
        for verb in sorted(set(live_methods) - set(resource.methods)):
            where = {"restApiId": ids.api, "resourceId": ids.resources[path], "httpMethod": verb}
            b.add(
                f"del_m_{ids.resources[path]}_{verb}",
                SERVICE,
                "delete_method",
                "delete",
                f"method {verb} {path}",
                where,
            )
            b.change("-", f"method {verb} {path}", "", live_methods[verb].label(), None)
