"""The least-privilege IAM policy the server needs for a scope, derived from ``operations.OPERATIONS``.

The same table drives the guard and the tool annotations, so the policy cannot drift from the code.
``build_policy`` is pure: it returns the policy document and notes that name every ``Resource: "*"``
action (AWS offers no resource-level permission for it) and every other place IAM cannot be as narrow
as the server's own guard.
"""

from __future__ import annotations

import fnmatch
import json
import re
from typing import Any, Literal

from apigw_mcp.tools.engine.operations import (
    ACTION_CONDITIONS,
    IAM_EXTRAS,
    NO_PERMISSION_NEEDED,
    OPERATIONS,
    RESOURCE_STAR,
    IamExtra,
    Operation,
)
from apigw_mcp.tools.engine.scope import Scope

Mode = Literal["read-only", "operator"]
MODES: tuple[Mode, ...] = ("read-only", "operator")
STAR_NOTE = 'Resource "*": '


class PolicyError(ValueError):
    """The policy cannot be built for these settings; the message says which setting to give."""


def build_policy(
    mode: Mode, scope: Scope, account: str | None, allow_deletes: bool
) -> tuple[dict[str, Any], list[str]]:
    """(IAM policy document, notes) for ``mode`` on ``scope``; PolicyError on settings IAM cannot express."""
    if mode not in MODES:
        raise PolicyError(f"unknown mode {mode!r}: choose read-only or operator")
    account = account or scope.account
    if account is None:
        raise PolicyError(
            "the policy needs the account id for log-group, Lambda and WAF ARNs: "
            "pass --account 123456789012 (or set APIGW_MCP_ACCOUNT)"
        )
    if not re.fullmatch(r"\d{12}", account):
        raise PolicyError(f"{account!r} is not a 12-digit AWS account id")
    functions = _function_patterns(scope, account)
    narrow_ids = bool(scope.api_ids) and not scope.api_name_prefixes
    notes: list[str] = []
    grants: dict[str, list[str]] = {}
    for op in OPERATIONS:
        if not _granted(op, mode, allow_deletes):
            continue
        if op.iam_action in NO_PERMISSION_NEEDED:
            _note(notes, f"{op.iam_action} left out: {NO_PERMISSION_NEEDED[op.iam_action]}")
            continue
        if narrow_ids and op.access != "read" and _creates_api(op):
            _note(
                notes,
                f"{op.service}.{op.name} left out: --api-id limits changes to the listed APIs, and a "
                "new API's id is known only once it exists (leave out --api-id to let it create APIs)",
            )
            continue
        ids = scope.api_ids if narrow_ids and op.access != "read" else ("*",)
        resources = _resources(op, scope.region, account, ids, functions)
        extras = [e for e in IAM_EXTRAS if (e.service, e.name) == (op.service, op.name)]
        _grant(grants, op.iam_action, resources)
        for extra in extras:
            _grant(grants, extra.iam_action, _resources(extra, scope.region, account, ids, functions))
    statements = _statements(grants)
    for statement in statements:
        if statement["Resource"] == "*":
            for action in statement["Action"]:
                notes.append(f"{STAR_NOTE}{action}: {RESOURCE_STAR[action]}")
    notes.extend(_scope_notes(mode, scope, narrow_ids, functions))
    return {"Version": "2012-10-17", "Statement": statements}, notes


def _granted(op: Operation, mode: Mode, allow_deletes: bool) -> bool:
    if op.access == "read":
        return True
    if mode == "read-only":
        return False
    return op.access == "write" or allow_deletes


def _creates_api(op: Operation) -> bool:
    """A write on the collection whose members the table addresses by ``{api_id}`` (e.g. create_api)."""
    return any(other.resource.startswith(op.resource + "/{api_id}") for other in OPERATIONS)


def _function_patterns(scope: Scope, account: str) -> tuple[str, ...]:
    patterns = scope.lambda_patterns(account)
    for pattern in patterns:
        if not re.fullmatch(r"arn:aws[\w-]*:lambda:[\w*?-]+:[\d*?]+:function:[^\s\[\]]+", pattern):
            raise PolicyError(
                f"Lambda pattern {pattern!r} cannot be an IAM resource: give function ARNs with * or ? "
                "wildcards, e.g. arn:aws:lambda:us-east-1:123456789012:function:orders-*"
            )
    return patterns


def _resources(
    op: Operation | IamExtra, region: str, account: str, ids: tuple[str, ...], functions: tuple[str, ...]
) -> list[str]:
    action, pattern = op.iam_action, op.resource
    if action in RESOURCE_STAR:
        return ["*"]
    if action.startswith("lambda:"):
        return list(functions)
    filled = pattern.replace("{region}", region).replace("{account}", account)
    if "{api_id}" not in filled:
        return [filled]
    return [filled.replace("{api_id}", api_id) for api_id in ids]


def _grant(grants: dict[str, list[str]], action: str, resources: list[str]) -> None:
    held = grants.setdefault(action, [])
    held.extend(r for r in resources if r not in held)


def _statements(grants: dict[str, list[str]]) -> list[dict[str, Any]]:
    """One statement per (service, resource set), in table order, with Sids named by their actions."""
    groups: dict[tuple[str, tuple[str, ...], str], list[str]] = {}
    for action, resources in grants.items():
        kept = _without_covered(resources)
        condition = json.dumps(ACTION_CONDITIONS.get(action, {}), sort_keys=True)
        key = (action.split(":", 1)[0], tuple(kept), condition)
        groups.setdefault(key, []).append(action)
    statements: list[dict[str, Any]] = []
    for (service, kept_resources, condition), actions in groups.items():
        star = kept_resources == ("*",)
        sid = _sid(service, actions, star=star)
        statement = {
            "Sid": sid,
            "Effect": "Allow",
            "Action": actions,
            "Resource": "*" if star else list(kept_resources),
        }
        statements.append(
            {**statement, "Condition": json.loads(condition)} if condition != "{}" else statement
        )
    return statements


def _without_covered(resources: list[str]) -> list[str]:
    """Drop ARN patterns another pattern of the list already matches (IAM's * also spans '/')."""
    if "*" in resources:
        return ["*"]

    def covered(index: int, resource: str) -> bool:
        """Matched by another pattern (of two that match each other, the first one stays)."""
        return any(
            j != index
            and fnmatch.fnmatchcase(resource, other)
            and (j < index or not fnmatch.fnmatchcase(other, resource))
            for j, other in enumerate(resources)
        )

    return [r for i, r in enumerate(resources) if not covered(i, r)]


def _sid(service: str, actions: list[str], star: bool) -> str:
    """Named by service and actions, so a Sid stays the same across scopes."""
    names = [_pascal(a.split(":", 1)[1]) for a in actions]
    if star and len(names) > 2:
        return f"{_pascal(service)}NoResourceLevel"
    if len(names) > 2:
        return f"{_pascal(service)}{names[0]}And{len(names) - 1}More"
    return _pascal(service) + "".join(names)


def _pascal(word: str) -> str:
    if word.isupper():
        return word.capitalize()
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^0-9A-Za-z]+", word))


def _note(notes: list[str], note: str) -> None:
    if note not in notes:
        notes.append(note)


def _scope_notes(mode: Mode, scope: Scope, narrow_ids: bool, functions: tuple[str, ...]) -> list[str]:
    notes = [
        "reads cover every API in the region (id segment *): list_apis, describe_api, diagnose_error and "
        "audit_api read any API; the scope limits changes only"
    ]
    if mode == "operator" and narrow_ids:
        notes.append(f"changes are limited to the listed APIs: {', '.join(scope.api_ids)}")
    elif mode == "operator":
        why = (
            "--api-name-prefix names APIs by name, which IAM ARNs do not carry"
            if scope.api_name_prefixes
            else ("APIs the server creates get ids unknown ahead")
        )
        notes.append(
            f"changes use id segment * (every API in the region): {why}; the server's guard still limits "
            "changes to managed or listed APIs"
        )
    if mode == "operator":
        notes.append(
            "usage plans, API keys and the account's CloudWatch role are account-wide, not per API: IAM "
            "grants them on every plan and key of the region; the guard keeps plans' stages to APIs in scope"
        )
    notes.append(
        f"Lambda actions only on {', '.join(functions)}; diagnose_error cannot read functions outside them"
    )
    return notes
