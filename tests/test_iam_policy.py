"""The generated IAM policy: parliament-clean, no wildcard actions, Resource "*" only where IAM forces it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import parliament  # type: ignore[import-untyped]
import pytest

from apigw_mcp.tools.engine.iam_policy import STAR_NOTE, Mode, PolicyError, build_policy
from apigw_mcp.tools.engine.operations import IAM_EXTRAS, NO_PERMISSION_NEEDED, OPERATIONS, RESOURCE_STAR
from apigw_mcp.tools.engine.scope import Scope

ACCOUNT = "123456789012"
FUNCTIONS = ("arn:aws:lambda:eu-west-1:123456789012:function:orders-*",)
SCOPES = {
    "default": Scope(region="us-east-1"),
    "api-ids": Scope(region="eu-west-1", api_ids=("a1b2c3d4e5", "f6g7h8i9j0")),
    "api-ids-and-prefix": Scope(region="eu-west-1", api_ids=("a1b2c3d4e5",), api_name_prefixes=("shop-",)),
    "lambda-patterns": Scope(region="eu-west-1", lambda_arns=FUNCTIONS),
    "pinned-account": Scope(
        region="ap-southeast-2", account=ACCOUNT, api_ids=("zz9",), lambda_arns=FUNCTIONS
    ),
}
CASES = [
    pytest.param(mode, name, deletes, id=f"{mode}-{name}-{'deletes' if deletes else 'no-deletes'}")
    for mode in ("read-only", "operator")
    for name in SCOPES
    for deletes in (False, True)
]


def _build(mode: Mode, name: str, deletes: bool) -> tuple[dict[str, Any], list[str]]:
    scope = SCOPES[name]
    return build_policy(mode, scope, None if scope.account else ACCOUNT, deletes)


def _actions(policy: dict[str, Any]) -> set[str]:
    return {action for statement in policy["Statement"] for action in statement["Action"]}


def _resources(policy: dict[str, Any], action: str) -> list[str]:
    found: list[str] = []
    for statement in policy["Statement"]:
        if action in statement["Action"]:
            resource = statement["Resource"]
            found += [resource] if isinstance(resource, str) else resource
    return found


def _resource_types(action: str) -> list[str]:
    """Parliament's copy of the Service Authorization Reference: the action's resource types."""
    prefix, name = action.split(":", 1)
    return [
        resource["resource_type"]
        for service in parliament.iam_definition
        if service["prefix"] == prefix
        for privilege in service["privileges"]
        if privilege["privilege"] == name
        for resource in privilege["resource_types"]
    ]


@pytest.mark.parametrize(("mode", "name", "deletes"), CASES)
def test_parliament_finds_nothing(mode: Mode, name: str, deletes: bool) -> None:
    policy, _ = _build(mode, name, deletes)
    found = parliament.analyze_policy_string(json.dumps(policy))
    assert [(f.issue, f.detail) for f in found.findings] == []


# Permissions-management actions the server needs: Lambda invoke permissions for API Gateway
# (ensure_lambda_permission) and the log resource policy AWS sets when a stage's access logging is turned on.
PERMISSIONS_MANAGEMENT = {
    "lambda:AddPermission",
    "lambda:RemovePermission",
    "logs:PutResourcePolicy",
    "iam:PassRole",
}


@pytest.mark.parametrize(("mode", "name", "deletes"), CASES)
def test_community_auditors_flag_only_needed_permission_actions(mode: Mode, name: str, deletes: bool) -> None:
    policy, _ = _build(mode, name, deletes)
    found = parliament.analyze_policy_string(json.dumps(policy), include_community_auditors=True)
    expected = {a.lower() for a in PERMISSIONS_MANAGEMENT & _actions(policy)}
    assert [f.issue for f in found.findings] == (["PERMISSIONS_MANAGEMENT_ACTIONS"] if expected else [])
    flagged = {a for f in found.findings for a in f.location["actions"]}
    assert flagged == expected
    assert mode == "operator" or not expected


@pytest.mark.parametrize(("mode", "name", "deletes"), CASES)
def test_no_wildcard_actions_and_every_resource_star_is_named(mode: Mode, name: str, deletes: bool) -> None:
    policy, notes = _build(mode, name, deletes)
    assert not [a for a in _actions(policy) if "*" in a]
    sids = [s["Sid"] for s in policy["Statement"]]
    assert len(sids) == len(set(sids))
    starred = {a for s in policy["Statement"] if s["Resource"] == "*" for a in s["Action"]}
    named = {note.removeprefix(STAR_NOTE).split(": ", 1)[0] for note in notes if note.startswith(STAR_NOTE)}
    assert starred == named
    assert starred <= set(RESOURCE_STAR)
    for statement in policy["Statement"]:
        if statement["Resource"] != "*":
            assert "*" not in statement["Resource"]
            assert all(r.startswith("arn:aws:") for r in statement["Resource"])


def test_resource_star_only_where_iam_has_no_resource_type() -> None:
    for action in RESOURCE_STAR:
        assert _resource_types(action) and set(_resource_types(action)) == {""}, action
    policy, _ = build_policy("operator", SCOPES["default"], ACCOUNT, allow_deletes=True)
    for action in _actions(policy) - set(RESOURCE_STAR):
        assert set(_resource_types(action)) - {""}, f"{action} has resource types but got Resource *"


def test_every_table_operation_reaches_the_policy() -> None:
    """The table is the only source: every action it names is granted (or needs no permission)."""
    policy, notes = build_policy("operator", SCOPES["default"], ACCOUNT, allow_deletes=True)
    table = {op.iam_action for op in OPERATIONS} | {extra.iam_action for extra in IAM_EXTRAS}
    assert _actions(policy) == table - set(NO_PERMISSION_NEEDED)
    assert any(note.startswith("sts:GetCallerIdentity left out") for note in notes)
    keys = {(op.service, op.name) for op in OPERATIONS}
    assert all((extra.service, extra.name) in keys for extra in IAM_EXTRAS)
    assert set(RESOURCE_STAR) <= table


def test_read_only_grants_reads_only() -> None:
    policy, notes = build_policy("read-only", SCOPES["default"], ACCOUNT, allow_deletes=True)
    reads = {op.iam_action for op in OPERATIONS if op.access == "read"}
    reads |= {
        e.iam_action
        for e in IAM_EXTRAS
        for op in OPERATIONS
        if (op.service, op.name) == (e.service, e.name) and op.access == "read"
    }
    assert _actions(policy) == reads - set(NO_PERMISSION_NEEDED)
    assert "apigateway:GET" in _actions(policy)
    assert not {
        "apigateway:POST",
        "apigateway:PATCH",
        "apigateway:DELETE",
        "lambda:AddPermission",
    } & _actions(policy)
    assert not any(note.startswith("changes ") for note in notes)


def test_deletes_only_when_allowed() -> None:
    scope = SCOPES["default"]
    without, _ = build_policy("operator", scope, ACCOUNT, allow_deletes=False)
    with_deletes, _ = build_policy("operator", scope, ACCOUNT, allow_deletes=True)
    assert "lambda:RemovePermission" not in _actions(without)
    assert "lambda:RemovePermission" in _actions(with_deletes)
    api = "arn:aws:apigateway:us-east-1::/apis/*"
    assert api not in _resources(without, "apigateway:DELETE")
    assert api in _resources(with_deletes, "apigateway:DELETE")


def test_api_ids_narrow_changes_but_not_reads() -> None:
    policy, notes = build_policy("operator", SCOPES["api-ids"], ACCOUNT, allow_deletes=True)
    base = "arn:aws:apigateway:eu-west-1::"
    listed = [f"{base}/{kind}/{api}" for kind in ("apis", "restapis") for api in ("a1b2c3d4e5", "f6g7h8i9j0")]
    narrowed = (f"{base}/usageplans", f"{base}/apikeys", *listed)
    for action in ("apigateway:POST", "apigateway:PATCH", "apigateway:DELETE"):
        for resource in _resources(policy, action):
            # usage plans, API keys and the account are not per API: IAM cannot narrow them by API id
            assert resource in (f"{base}/tags/*", f"{base}/account") or resource.startswith(narrowed), (
                action,
                resource,
            )
    assert f"{base}/apis" not in _resources(policy, "apigateway:POST")
    assert f"{base}/apis/*" in _resources(policy, "apigateway:GET")
    assert any("create_api left out" in note for note in notes)
    prefixed, notes = build_policy("operator", SCOPES["api-ids-and-prefix"], ACCOUNT, allow_deletes=False)
    assert f"{base}/apis/*" in _resources(prefixed, "apigateway:PATCH")
    assert any("--api-name-prefix" in note for note in notes)


def test_lambda_actions_only_on_allowed_functions() -> None:
    policy, _ = build_policy("operator", SCOPES["lambda-patterns"], ACCOUNT, allow_deletes=True)
    for action in (
        "lambda:GetFunction",
        "lambda:GetPolicy",
        "lambda:AddPermission",
        "lambda:RemovePermission",
    ):
        assert _resources(policy, action) == list(FUNCTIONS)
    default, _ = build_policy("read-only", SCOPES["default"], ACCOUNT, allow_deletes=False)
    assert _resources(default, "lambda:GetFunction") == [f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:*"]


def test_sids_are_stable_across_scopes() -> None:
    one, _ = build_policy("operator", SCOPES["default"], ACCOUNT, allow_deletes=True)
    two, _ = build_policy("operator", SCOPES["lambda-patterns"], ACCOUNT, allow_deletes=True)
    assert [s["Sid"] for s in one["Statement"]] == [s["Sid"] for s in two["Statement"]]


def test_account_is_required_and_checked() -> None:
    with pytest.raises(PolicyError, match="APIGW_MCP_ACCOUNT"):
        build_policy("read-only", SCOPES["default"], None, allow_deletes=False)
    with pytest.raises(PolicyError, match="12-digit"):
        build_policy("read-only", SCOPES["default"], "12345", allow_deletes=False)
    odd = Scope(region="us-east-1", lambda_arns=("my-function",))
    with pytest.raises(PolicyError, match="Lambda pattern"):
        build_policy("operator", odd, ACCOUNT, allow_deletes=False)


def _cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "APIGW_MCP_"))}
    return subprocess.run(
        [sys.executable, "-m", "apigw_mcp.server.cli", "iam-policy", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**keep, **env},
        check=False,
    )


def test_cli_prints_policy_and_notes() -> None:
    done = _cli(
        "--mode",
        "operator",
        "--api-id",
        "a1b2c3d4e5",
        "--allow-deletes",
        APIGW_MCP_REGION="eu-west-1",
        APIGW_MCP_ACCOUNT=ACCOUNT,
    )
    assert done.returncode == 0, done.stderr
    policy = json.loads(done.stdout)
    assert (
        policy
        == build_policy(
            "operator",
            SCOPES["api-ids"].model_copy(update={"api_ids": ("a1b2c3d4e5",)}),
            ACCOUNT,
            allow_deletes=True,
        )[0]
    )
    assert parliament.analyze_policy_string(done.stdout).findings == []
    assert 'note: Resource "*": logs:DescribeLogGroups' in done.stderr
    missing = _cli("--region", "us-east-1")
    assert missing.returncode == 2
    assert missing.stderr.strip().count("\n") == 0
    assert "--account" in missing.stderr and "Traceback" not in missing.stderr
    assert missing.stdout == ""
