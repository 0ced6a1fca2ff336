"""Short human text for tool results; the structured content carries the full data."""

from __future__ import annotations

import json
from typing import Any

from .describe import ApiDescription, ApiSummary
from .plan import DiffRow, Plan
from .results import ChangeResult


def _value(value: Any) -> str:
    if isinstance(value, dict):
        return json.dumps(value, separators=(",", ":"), sort_keys=True)
    return json.dumps(value) if not isinstance(value, str) else value


def diff_line(row: DiffRow) -> str:
    name = f"{row.resource}.{row.field}" if row.field else row.resource
    if row.action == "+":
        return f"  + {name}" + (f" = {_value(row.after)}" if row.after is not None else "")
    if row.action == "-":
        return f"  - {name}"
    return f"  {row.action} {name}: {_value(row.before)} -> {_value(row.after)}"


def plan_text(plan: Plan, dry_run: bool = True) -> str:
    lines = [f"{plan.summary} (account {plan.account}, {plan.region}, as {plan.caller})"]
    lines += [diff_line(row) for row in plan.diff]
    lines += [f"! {warning}" for warning in plan.warnings]
    if dry_run and plan.steps:
        lines.append(
            f"Nothing written. To apply, call again with the same arguments, dry_run=false, "
            f"plan_token={plan.token}"
        )
    return "\n".join(lines)


def change_text(result: ChangeResult, dry_run: bool) -> str:
    if dry_run or not (result.applied or result.failed):
        return plan_text(result.plan, dry_run)
    total = len(result.applied) + len(result.remaining) + (1 if result.failed else 0)
    lines = [f"Applied {len(result.applied)}/{total} step(s) of: {result.plan.summary}"]
    lines += [f"  ok {a.operation} {a.resource_id}" for a in result.applied]
    if result.failed:
        lines.append(f"  FAILED {result.failed.operation} {result.failed.resource}: {result.failed.error}")
        lines += [f"  not run: {r}" for r in result.remaining]
    lines += [f"! {warning}" for warning in result.plan.warnings]
    if result.api_id:
        lines.append(f"api_id {result.api_id}" + (f", endpoint {result.endpoint}" if result.endpoint else ""))
    if result.undo:
        lines.append(f"undo handle (pass to `undo` to revert): {result.undo}")
    return "\n".join(lines)


def listing_text(apis: list[ApiSummary], truncated: bool) -> str:
    if not apis:
        return "No APIs in this region."
    lines = [f"{a.api_id} {a.type} {a.name!r} {a.endpoint}{' managed' if a.managed else ''}" for a in apis]
    if truncated:
        lines.append("(more APIs exist: narrow with name_contains)")
    return "\n".join(lines)


def description_text(d: ApiDescription) -> str:
    lines = [f"{d.type} API {d.name!r} {d.api_id} {d.endpoint}{' (managed)' if d.managed else ''}"]
    if d.description:
        lines.append(f"description: {d.description}")
    if d.default_endpoint_disabled:
        lines.append("default execute-api endpoint: disabled")
    if d.cors:
        lines.append(f"cors: {_value(d.cors)}")
    if d.tags:
        lines.append(f"tags: {_value(d.tags)}")
    shown = (
        f"{len(d.routes)} of {d.routes_total}, narrow with routes_matching"
        if len(d.routes) < d.routes_total
        else len(d.routes)
    )
    lines.append(f"routes ({shown}):")
    lines += [f"  {r.key} -> {r.target} | {r.auth}" for r in d.routes]
    for a in d.authorizers or []:
        detail = a.issuer or a.function or ""
        aud = f" aud={','.join(a.audience)}" if a.audience else ""
        lines.append(f"authorizer {a.name} ({a.id}) {a.type} {detail}{aud} from {a.identity_source}")
    for s in d.stages:
        extras = [
            f"auto-deploy={'on' if s.auto_deploy else 'off'}",
            f"throttle={s.throttle or 'account default'}",
            f"logs={s.access_log or 'off'}",
        ]
        if s.route_throttle:
            extras.append(f"route throttle={_value(s.route_throttle)}")
        if s.variables:
            extras.append(f"vars={_value(s.variables)}")
        if s.deployment:
            extras.append(f"deployment={s.deployment}")
        lines.append(f"stage {s.name} {s.url} " + " ".join(extras))
    if d.unused_integrations:
        lines.append(f"unused integrations: {', '.join(d.unused_integrations)}")
    return "\n".join(lines)
