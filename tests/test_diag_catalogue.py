"""The packaged catalogue is the source of truth: every rule has a predicate, every predicate a rule."""

from __future__ import annotations

from apigw_mcp.tools.diagnose.catalogue import catalogue
from apigw_mcp.tools.diagnose.engine import _load_rules, symptom_weight
from apigw_mcp.tools.diagnose.model import Symptom
from apigw_mcp.tools.diagnose.registry import RULES


def test_every_catalogue_rule_has_a_predicate_and_back() -> None:
    _load_rules()
    assert set(RULES) == set(catalogue())
    assert len(RULES) >= 94


def test_catalogue_entries_are_complete() -> None:
    for rule in catalogue().values():
        assert rule.cause and rule.fix and rule.source.startswith("https://"), rule.id
        assert set(rule.api_types) <= {"REST", "HTTP", "WEBSOCKET"}, rule.id
        assert rule.redeploy in {"required", "required-unless-autodeploy", "not-required", "n/a"}, rule.id


def test_symptom_weight_rules_out_what_neither_status_nor_keyword_fits() -> None:
    rule = catalogue()["http-route-not-found"]
    assert symptom_weight(rule, Symptom(status=404)) == 1.0
    assert symptom_weight(rule, Symptom(status=502)) == 0.0
    assert symptom_weight(rule, Symptom(status=404, error_body='{"message":"Not Found"}')) >= 1.0
