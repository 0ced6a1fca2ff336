"""The one answer per fact (tools/diagnose/facts.py), on the cases where the copies it replaced disagreed.

Each table row is a case two or more of the former copies answered differently; the expected value is the
behaviour now used everywhere (why: the module docstrings and the report of issue 11).
"""

from __future__ import annotations

from typing import Any

import pytest

from apigw_mcp.tools.diagnose import facts as lookups
from apigw_mcp.tools.diagnose.matching import match_request
from apigw_mcp.tools.diagnose.model import Facts, Match, Symptom
from apigw_mcp.tools.diagnose.read_plan import log_group
from apigw_mcp.tools.diagnose.rules_auth_helpers import auth_of
from apigw_mcp.tools.diagnose.rules_integration_helpers import integration
from apigw_mcp.tools.diagnose.rules_routing_helpers import resolves, rest_ids
from apigw_mcp.tools.diagnose.rules_traffic_cors import preflight_route

API = "abc123"
ACCOUNT = "123456789012"


def http(*keys: str, **extra: Any) -> Facts:
    routes = [{"RouteId": f"r{i}", "RouteKey": k, "Target": f"integrations/i{i}"} for i, k in enumerate(keys)]
    return Facts(
        api_type="HTTP", api_id=API, region="us-east-1", account=ACCOUNT, routes=routes,
        integrations=[{"IntegrationId": f"i{i}"} for i in range(len(keys))],
        stages=[{"StageName": "$default"}], **extra,
    )  # fmt: skip


def rest(resources: dict[str, dict[str, Any]], **extra: Any) -> Facts:
    items = [{"id": f"res{i}", "path": p, "resourceMethods": m} for i, (p, m) in enumerate(resources.items())]
    return Facts(
        api_type="REST", api_id=API, region="us-east-1", account=ACCOUNT, resources=items,
        stages=[{"stageName": "prod", "variables": {"fn": "orders"}}], **extra,
    )  # fmt: skip


def proxy(method: str) -> dict[str, Any]:
    return {"httpMethod": method, "methodIntegration": {"type": "AWS_PROXY", "uri": "arn:fn"}}


# -- which route serves a request: a match without a greedy variable beats every greedy one ----------------

EXACT = "GET /pets/dog/1"
ROUTE_CASES = [
    # (routes, method, path, chosen): former matcher ranked left to right only and took the greedy route
    (["ANY /a/{proxy+}", "GET /{x}/b"], "GET", "/a/b", "GET /{x}/b"),
    (
        ["GET /pets/{proxy+}", "GET /pets/dog/{id}", "GET /pets/dog/1"],
        "GET",
        "/pets/dog/1",
        "GET /pets/dog/1",
    ),
    (["GET /pets/{proxy+}", "GET /pets/dog/{id}"], "GET", "/pets/dog/7", "GET /pets/dog/{id}"),
    (["GET /pets/{proxy+}", "ANY /{proxy+}"], "GET", "/pets/cat", "GET /pets/{proxy+}"),
    (["ANY /{proxy+}", "$default"], "POST", "/x", "ANY /{proxy+}"),
    (["GET /x", "$default"], "POST", "/x", "$default"),
]


@pytest.mark.parametrize(("keys", "method", "path", "chosen"), ROUTE_CASES)
def test_the_route_a_request_matches(keys: list[str], method: str, path: str, chosen: str) -> None:
    facts = http(*keys)
    match = match_request(facts, Symptom(method=method, path=path))
    assert match.route_key == chosen
    facts.match = match
    assert (lookups.matched_route(facts) or {}).get("RouteKey") == chosen


PREFLIGHT_CASES = [
    # former preflight_route counted literal segments (took OPTIONS /{a}/b/c); the router reads left to right
    (["OPTIONS /{a}/b/c", "ANY /x/{y}/{z}"], "/x/b/c", "ANY /x/{y}/{z}"),
    # former preflight_route preferred fewer greedy variables but then a literal count; now: greedy last
    (["ANY /a/{proxy+}", "OPTIONS /{x}/b"], "/a/b", "OPTIONS /{x}/b"),
    # former preflight_route compared a full URL with the template and fell back to $default
    (["ANY /pets", "$default"], f"https://{API}.execute-api.us-east-1.amazonaws.com/pets", "ANY /pets"),
    (["GET /pets", "$default"], "/pets", "$default"),
]


def test_a_rest_path_walks_the_resource_tree() -> None:
    # REST has no published route priority: the tree is walked from the root, so /a/{proxy+} (literal first
    # segment) is chosen where an HTTP API's router takes the full match /{x}/b
    facts = rest({"/a/{proxy+}": {"ANY": proxy("ANY")}, "/{x}/b": {"GET": proxy("GET")}})
    assert match_request(facts, Symptom(method="GET", path="/prod/a/b")).resource_path == "/a/{proxy+}"


@pytest.mark.parametrize(("keys", "path", "chosen"), PREFLIGHT_CASES)
def test_the_route_a_preflight_hits_is_the_routers_choice(keys: list[str], path: str, chosen: str) -> None:
    facts = http(*keys)
    symptom = Symptom(method="OPTIONS", path=path, origin="https://app.example.com")
    assert (preflight_route(facts, symptom) or {}).get("RouteKey") == chosen
    assert match_request(facts, symptom).route_key == chosen


# -- the matched route, method and integration -------------------------------------------------------------

MATCHED_ROUTE_CASES = [
    # (match, expected RouteKey): route_id decides; a match with a key but no id is found by key (the auth and
    # integration copies did so, the matching/routing/traffic copies answered None); no route when nothing
    # matched (the traffic copy compared RouteId None with route_id None and answered an id-less route)
    (Match(kind="route", route_id="r1", route_key="GET /a"), "GET /b"),
    (Match(kind="route", route_key="GET /a"), "GET /a"),
    (Match(kind="none"), None),
]


@pytest.mark.parametrize(("match", "key"), MATCHED_ROUTE_CASES)
def test_the_matched_route(match: Match, key: str | None) -> None:
    facts = http("GET /a", "GET /b")
    facts.routes.append({"RouteKey": "GET /no-id"})
    facts.match = match
    assert (lookups.matched_route(facts) or {}).get("RouteKey") == key


def test_a_rest_method_of_its_own_wins_over_any_even_when_empty() -> None:
    # the auth copy took ``methods.get(verb) or methods.get("ANY")``, so an empty GET entry fell to ANY
    facts = rest({"/pets": {"GET": {}, "ANY": proxy("ANY")}})
    facts.match = Match(
        kind="resource", resource_id="res0", resource_path="/pets", method="GET", stage="prod"
    )
    assert lookups.matched_method_entry(facts) == ("GET", {})


def test_a_rest_integration_served_by_any_is_named_by_any() -> None:
    # the integration copy named the request's verb (update_integration on POST would be NotFound); the
    # routing copy named the method that exists
    facts = rest({"/pets": {"ANY": proxy("ANY")}})
    facts.match = match_request(facts, Symptom(method="POST", path="/prod/pets"))
    found = integration(facts)
    assert found is not None and found.ids["httpMethod"] == "ANY"
    assert rest_ids(facts)["httpMethod"] == "ANY"


RESOLVES_CASES = [
    # (resources, method, path, served): the path selects the resource first; its method (or ANY) must exist.
    # The former resolves() accepted any resource whose template matched with the method (here /{proxy+})
    ({"/pets": {"GET": proxy("GET")}, "/{proxy+}": {"ANY": proxy("ANY")}}, "POST", "/pets", False),
    ({"/pets": {"GET": proxy("GET")}, "/{proxy+}": {"ANY": proxy("ANY")}}, "POST", "/toys", True),
    ({"/pets": {"GET": proxy("GET")}}, None, "/pets", True),
]


@pytest.mark.parametrize(("resources", "method", "path", "served"), RESOLVES_CASES)
def test_whether_a_rest_request_is_served(
    resources: dict[str, dict[str, Any]], method: str | None, path: str, served: bool
) -> None:
    facts = rest(resources)
    assert resolves(facts, method, path) is served
    match = match_request(facts, Symptom(method=method or "GET", path=f"/prod{path}"))
    assert (match.kind == "resource") is served


# -- stages, authorization, method settings ---------------------------------------------------------------


def test_no_matched_stage_means_no_stage_for_logs_or_stage_variables() -> None:
    # read_plan compared None with the spelling a stage lacks and took the first stage; the integration copy
    # resolved stage variables from the stage the user named when the request reached none (a custom domain
    # whose mappings serve no stage of this API)
    facts = rest({"/pets": {"GET": proxy("GET")}})
    facts.stages[0]["accessLogSettings"] = {"destinationArn": "arn:aws:logs:us-east-1:1:log-group:g"}
    assert log_group(facts) is None
    assert lookups.matched_stage(facts) is None
    assert lookups.with_stage_variables(facts, "${stageVariables.fn}") == "${stageVariables.fn}"
    facts.match = Match(stage="prod")
    assert log_group(facts) == "g"
    assert lookups.with_stage_variables(facts, "${stageVariables.fn}") == "orders"


def test_a_websocket_api_is_authorized_on_connect_whatever_route_matched() -> None:
    # asks.py read the matched route's authorization, the auth rules $connect's (AWS authorizes only there)
    facts = Facts(
        api_type="WEBSOCKET", api_id=API, region="us-east-1", account=ACCOUNT,
        routes=[{"RouteId": "c", "RouteKey": "$connect", "AuthorizationType": "CUSTOM"},
                {"RouteId": "s", "RouteKey": "send", "AuthorizationType": "NONE"}],
    )  # fmt: skip
    facts.match = Match(kind="route", route_id="s", route_key="send")
    assert (lookups.authorizing_route(facts) or {}).get("RouteKey") == "$connect"
    found = auth_of(facts)
    assert found is not None and (found.type, found.key) == ("CUSTOM", "$connect")


SETTINGS_CASES = [
    # (methodSettings keys, expected effective throttlingRateLimit): the method's own entry over */*, its key
    # read with / as ~1 or plain slashes (the logging/cache copy knew three spellings, the throttle copy any)
    ({"*/*": 100.0, "~1pets~1{id}/GET": 5.0}, 5.0),
    ({"*/*": 100.0, "pets/{id}/GET": 5.0}, 5.0),
    ({"*/*": 100.0, "~1pets~1{id}/POST": 5.0}, 100.0),
    ({"~1pets~1{id}/get": 5.0}, 5.0),
]


@pytest.mark.parametrize(("settings", "rate"), SETTINGS_CASES)
def test_the_method_settings_of_the_matched_method(settings: dict[str, float], rate: float) -> None:
    facts = rest({"/pets/{id}": {"GET": proxy("GET")}})
    facts.stages[0]["methodSettings"] = {k: {"throttlingRateLimit": v} for k, v in settings.items()}
    facts.match = match_request(facts, Symptom(method="GET", path="/prod/pets/7"))
    assert lookups.effective_method_settings(facts)["throttlingRateLimit"] == rate


def test_lookups_are_computed_once_and_follow_a_new_match() -> None:
    facts = rest({"/pets": {"GET": proxy("GET"), "ANY": proxy("ANY")}})
    facts.match = Match(kind="resource", resource_id="res0", resource_path="/pets", method="GET")
    first = lookups.matched_method_entry(facts)
    assert first is not None and first[0] == "GET"
    assert lookups.matched_method_entry(facts) is first  # a fresh tuple each time, were it not cached
    copy = facts.model_copy(update={"match": facts.match.model_copy(update={"method": "PUT"})})
    assert (lookups.matched_method_entry(copy) or ("",))[0] == "ANY"
    assert lookups.matched_method_entry(facts) is first
