"""The generated IAM policy for the REST API (apigateway) and WAF operations.

Parliament-clean in both modes, no wildcard actions, every REST operation of the table granted
on its resource, changes narrowed to the listed APIs, and no delete without --allow-deletes.
"""

from __future__ import annotations

import json
from typing import Any

import parliament  # type: ignore[import-untyped]
import pytest

from apigw_mcp.tools.engine.iam_policy import Mode, build_policy
from apigw_mcp.tools.engine.operations import IAM_EXTRAS, OPERATIONS
from apigw_mcp.tools.engine.scope import Scope

ACCOUNT = "123456789012"
REGION = "eu-west-1"
BASE = f"arn:aws:apigateway:{REGION}::"
SCOPES = {
    "default": Scope(region=REGION),
    "api-ids": Scope(region=REGION, api_ids=("a1b2c3d4e5", "f6g7h8i9j0")),
    "prefix": Scope(region=REGION, api_name_prefixes=("shop-",)),
}
REST_OPS = [op for op in OPERATIONS if op.service in ("apigateway", "wafv2")]
WRITES = {"apigateway:POST", "apigateway:PUT", "apigateway:PATCH", "apigateway:DELETE"}
WRITES |= {"apigateway:SetWebACL", "apigateway:UpdateRestApiPolicy", "wafv2:AssociateWebACL"}
WRITES |= {"wafv2:DisassociateWebACL", "iam:PassRole"}
CASES = [
    pytest.param(mode, name, deletes, id=f"{mode}-{name}-{'deletes' if deletes else 'no-deletes'}")
    for mode in ("read-only", "operator")
    for name in SCOPES
    for deletes in (False, True)
]


def _build(mode: Mode, name: str, deletes: bool) -> tuple[dict[str, Any], list[str]]:
    return build_policy(mode, SCOPES[name], ACCOUNT, deletes)


def _actions(policy: dict[str, Any]) -> set[str]:
    return {action for statement in policy["Statement"] for action in statement["Action"]}


def _resources(policy: dict[str, Any], action: str) -> list[str]:
    found: list[str] = []
    for statement in policy["Statement"]:
        if action in statement["Action"]:
            resource = statement["Resource"]
            found += [resource] if isinstance(resource, str) else resource
    return found


@pytest.mark.parametrize(("mode", "name", "deletes"), CASES)
def test_parliament_finds_nothing_and_no_action_is_a_wildcard(mode: Mode, name: str, deletes: bool) -> None:
    policy, _ = _build(mode, name, deletes)
    assert parliament.analyze_policy_string(json.dumps(policy)).findings == []
    assert not [a for a in _actions(policy) if "*" in a]


def test_every_rest_and_waf_operation_is_granted_on_its_resource() -> None:
    policy, _ = build_policy("operator", SCOPES["default"], ACCOUNT, allow_deletes=True)
    for op in REST_OPS:
        resource = op.resource.format(region=REGION, account=ACCOUNT, api_id="*")
        assert op.iam_action in _actions(policy), op.name
        assert any(
            resource == granted or (granted.endswith("*") and resource.startswith(granted[:-1]))
            for granted in _resources(policy, op.iam_action)
        ), (op.name, resource)


def test_waf_association_needs_the_stage_and_the_web_acl() -> None:
    policy, _ = build_policy("operator", SCOPES["default"], ACCOUNT, allow_deletes=False)
    stages = f"{BASE}/restapis/*/stages/*"
    acls = f"arn:aws:wafv2:{REGION}:{ACCOUNT}:regional/webacl/*/*"
    assert set(_resources(policy, "wafv2:AssociateWebACL")) == {acls, stages}
    assert _resources(policy, "apigateway:SetWebACL") == [stages]
    assert _resources(policy, "wafv2:DisassociateWebACL") == [stages]
    assert {e.iam_action for e in IAM_EXTRAS if e.name == "associate_web_acl"} >= {"apigateway:SetWebACL"}


def test_the_cloudwatch_role_is_passed_only_within_this_account() -> None:
    policy, _ = build_policy("operator", SCOPES["default"], ACCOUNT, allow_deletes=False)
    assert _resources(policy, "iam:PassRole") == [f"arn:aws:iam::{ACCOUNT}:role/*"]
    (passing,) = [s for s in policy["Statement"] if "iam:PassRole" in s["Action"]]
    assert passing["Action"] == ["iam:PassRole"]
    assert passing["Condition"] == {"StringEquals": {"iam:PassedToService": "apigateway.amazonaws.com"}}
    assert _resources(policy, "apigateway:PATCH").count(f"{BASE}/account") == 1


@pytest.mark.parametrize("name", sorted(SCOPES))
def test_read_only_grants_no_rest_change(name: str) -> None:
    policy, _ = build_policy("read-only", SCOPES[name], ACCOUNT, allow_deletes=True)
    assert not _actions(policy) & WRITES
    assert f"{BASE}/restapis/*" in _resources(policy, "apigateway:GET")
    assert f"{BASE}/apikeys" in _resources(policy, "apigateway:GET")


def test_rest_deletes_only_when_allowed() -> None:
    without, _ = build_policy("operator", SCOPES["default"], ACCOUNT, allow_deletes=False)
    with_deletes, _ = build_policy("operator", SCOPES["default"], ACCOUNT, allow_deletes=True)
    # Without deletes, DELETE stays on what is not a resource: tags and a stage's cache. With them,
    # /restapis/* covers each API and its children (IAM's * spans '/').
    rest_deletes = [r for r in _resources(without, "apigateway:DELETE") if "/apis/" not in r]
    assert set(rest_deletes) == {f"{BASE}/tags/*", f"{BASE}/restapis/*/stages/*/cache/data"}
    for resource in (
        f"{BASE}/restapis/*",
        f"{BASE}/usageplans/*",
        f"{BASE}/apikeys/*",
    ):
        assert resource in _resources(with_deletes, "apigateway:DELETE"), resource


def test_api_ids_narrow_rest_changes_but_not_reads() -> None:
    policy, notes = build_policy("operator", SCOPES["api-ids"], ACCOUNT, allow_deletes=True)
    for action in (
        "apigateway:PUT",
        "apigateway:PATCH",
        "apigateway:SetWebACL",
        "apigateway:UpdateRestApiPolicy",
    ):
        for resource in _resources(policy, action):
            if "/restapis/" in resource:
                assert resource.startswith((f"{BASE}/restapis/a1b2c3d4e5", f"{BASE}/restapis/f6g7h8i9j0"))
    assert f"{BASE}/restapis" not in _resources(policy, "apigateway:POST")
    assert f"{BASE}/restapis/*" in _resources(policy, "apigateway:GET")
    assert any(note.startswith("apigateway.create_rest_api left out") for note in notes)
    assert any(note.startswith("usage plans, API keys and the account's CloudWatch role") for note in notes)


def test_community_auditors_flag_only_the_permission_actions_the_server_needs() -> None:
    policy, _ = build_policy("operator", SCOPES["default"], ACCOUNT, allow_deletes=True)
    found = parliament.analyze_policy_string(json.dumps(policy), include_community_auditors=True)
    flagged = {a for f in found.findings for a in f.location["actions"]}
    needed = {"lambda:addpermission", "lambda:removepermission", "logs:putresourcepolicy", "iam:passrole"}
    assert flagged == needed
