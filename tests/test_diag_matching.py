"""Request matching for diagnose_error: stage and path, HTTP routes, REST resources, WebSocket routes."""

from __future__ import annotations

import random
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apigw_mcp.tools.diagnose.facts import matched_integration, matched_method, matched_route, matched_stage
from apigw_mcp.tools.diagnose.matching import match_request
from apigw_mcp.tools.diagnose.matching_paths import split_request, template_ranks
from apigw_mcp.tools.diagnose.model import Facts, Match, Symptom

API = "abc123"
HOST = f"{API}.execute-api.us-east-1.amazonaws.com"


def http(routes: list[str], stages: tuple[str, ...] = ("$default",), **extra: Any) -> Facts:
    items = [
        {"RouteId": f"r{i}", "RouteKey": key, "Target": f"integrations/i{i}"} for i, key in enumerate(routes)
    ]
    return Facts(
        api_type="HTTP", api_id=API, region="us-east-1", account="123456789012", routes=items,
        integrations=[{"IntegrationId": f"i{i}", "IntegrationType": "AWS_PROXY"} for i in range(len(routes))],
        stages=[{"StageName": s} for s in stages], **extra,
    )  # fmt: skip


def rest(resources: dict[str, list[str]], stages: tuple[str, ...] = ("prod",), **extra: Any) -> Facts:
    items = [
        {"id": f"res{i}", "path": path, **({"resourceMethods": {m: {"httpMethod": m, "methodIntegration": {
            "type": "AWS_PROXY", "uri": f"uri-{path}-{m}"}} for m in methods}} if methods else {})}
        for i, (path, methods) in enumerate(resources.items())
    ]  # fmt: skip
    return Facts(
        api_type="REST", api_id=API, region="us-east-1", account="123456789012", resources=items,
        stages=[{"stageName": s} for s in stages], **extra,
    )  # fmt: skip


def ws(
    routes: list[str], expression: str = "$request.body.action", stages: tuple[str, ...] = ("prod",)
) -> Facts:
    return Facts(
        api_type="WEBSOCKET", api_id=API, region="us-east-1", account="123456789012",
        api={"RouteSelectionExpression": expression},
        routes=[{"RouteId": f"r{i}", "RouteKey": key} for i, key in enumerate(routes)],
        stages=[{"StageName": s} for s in stages],
    )  # fmt: skip


def run(facts: Facts, **symptom: Any) -> Match:
    return match_request(facts, Symptom(**symptom))


# -- the request text ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "host", "segments"),
    [
        ("/prod/orders", None, ("prod", "orders")),
        ("/prod/orders/", None, ("prod", "orders")),
        ("/", None, ()),
        ("prod/orders?x=1#frag", None, ("prod", "orders")),
        (f"https://{HOST}/prod/orders?x=1", HOST, ("prod", "orders")),
        (f"{HOST}/prod/orders", HOST, ("prod", "orders")),
        ("https://API.Example.com:443/v1/a%20b/c%2Fd", "api.example.com", ("v1", "a b", "c/d")),
        (f"wss://{HOST}/prod", HOST, ("prod",)),
        ("/files/a+b//c", None, ("files", "a+b", "c")),
        ("orders.json", None, ("orders.json",)),
    ],
)  # fmt: skip
def test_split_request(raw: str, host: str | None, segments: tuple[str, ...]) -> None:
    assert split_request(raw) == (host, segments)


@pytest.mark.parametrize(
    ("template", "path", "ranks"),
    [
        ("/", "/", ()),
        ("/orders", "/orders", (0,)),
        ("/orders/{id}", "/orders/7", (0, 1)),
        ("/{proxy+}", "/a/b/c", (2,)),
        ("/{proxy+}", "/", None),
        ("/orders/{proxy+}", "/orders", None),
        ("/orders/{id}", "/orders/7/items", None),
        ("/Orders", "/orders", None),
    ],
)
def test_template_ranks(template: str, path: str, ranks: tuple[int, ...] | None) -> None:
    assert template_ranks(template, split_request(path)[1]) == ranks


# -- stage and path --------------------------------------------------------------------------------------

STAGE_CASES: list[tuple[str, Facts, dict[str, Any], str | None, str]] = [
    ("http first segment names a stage", http(["ANY /{proxy+}"], ("$default", "prod")),
     {"path": "/prod/orders"}, "prod", "/orders"),
    ("http unknown first segment goes to $default whole", http(["ANY /{proxy+}"], ("$default", "prod")),
     {"path": "/prd/orders"}, "$default", "/prd/orders"),
    ("http root on $default", http(["ANY /{proxy+}"]), {"path": "/"}, "$default", "/"),
    ("http greedy route on $default takes the whole path", http(["ANY /{proxy+}"]),
     {"path": "/orders/5"}, "$default", "/orders/5"),
    ("http stage-like first segment routed whole by a greedy route", http(["GET /orders", "ANY /{proxy+}"]),
     {"path": "/prod/orders"}, "$default", "/prod/orders"),
    ("http given stage wins", http(["ANY /{proxy+}"], ("$default", "prod")),
     {"path": "/orders", "stage": "prod"}, "prod", "/orders"),
    ("http given stage also in path", http(["ANY /{proxy+}"], ("prod",)),
     {"path": "/prod/orders", "stage": "prod"}, "prod", "/orders"),
    ("http given $default keeps path", http(["ANY /{proxy+}"], ("$default", "prod")),
     {"path": "/prod/orders", "stage": "$default"}, "$default", "/prod/orders"),
    ("http no $default: first segment is the stage", http(["ANY /{proxy+}"], ("prod",)),
     {"path": "/prd/orders"}, "prd", "/orders"),
    ("http full URL", http(["ANY /{proxy+}"], ("prod",)),
     {"path": f"https://{HOST}/prod/orders?x=1"}, "prod", "/orders"),
    ("rest first segment is the stage", rest({"/orders": ["GET"]}),
     {"path": "/prod/orders/"}, "prod", "/orders"),
    ("rest unknown stage kept", rest({"/orders": ["GET"]}), {"path": "/orders"}, "orders", "/"),
    ("rest full URL with query", rest({"/orders": ["GET"]}),
     {"path": f"https://{HOST}/prod/orders?x=1"}, "prod", "/orders"),
    ("rest root without stage", rest({"/": ["GET"]}), {"path": "/"}, None, "/"),
    ("rest percent-decoded", rest({"/files/{name}": ["GET"]}),
     {"path": "/prod/files/my%20file.txt"}, "prod", "/files/my file.txt"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("facts", "symptom", "stage", "path"), [c[1:] for c in STAGE_CASES], ids=[c[0] for c in STAGE_CASES]
)
def test_stage_and_path(facts: Facts, symptom: dict[str, Any], stage: str | None, path: str) -> None:
    match = run(facts, method="GET", **symptom)
    assert (match.stage, match.path) == (stage, path)
    assert match.assumed and path in match.assumed


def test_assumed_says_where_the_stage_came_from() -> None:
    match = run(rest({"/orders/{id}": ["GET"]}), method="GET", path="/prod/orders/7")
    assert match.assumed == "stage 'prod' taken from the first path segment; path /orders/7"
    assert "not an existing stage" in run(rest({}), method="GET", path="/prd/orders").assumed
    assert "method GET assumed" in run(rest({"/orders": ["GET"]}), path="/prod/orders").assumed


def _domain(name: str, *mappings: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"DomainName": name, "EndpointType": "REGIONAL", "mappings": list(mappings)}]


DOMAIN_CASES: list[tuple[str, Facts, str, str, str | None, str]] = [
    ("v2 mapping key selects stage", http(["GET /orders"], ("prod",), domains=_domain(
        "api.example.com", {"ApiId": API, "Stage": "prod", "ApiMappingKey": "v1"})),
     "https://api.example.com/v1/orders", "route", "prod", "/orders"),
    ("v2 empty key: stage repeated in URL stays in path", http(["GET /orders"], ("prod",), domains=_domain(
        "api.example.com", {"ApiId": API, "Stage": "prod", "ApiMappingKey": ""})),
     "https://api.example.com/prod/orders", "none", "prod", "/prod/orders"),
    ("longest multi-level base path wins", http(["GET /orders"], ("prod", "beta"), domains=_domain(
        "api.example.com", {"ApiId": API, "Stage": "prod", "ApiMappingKey": "v1"},
        {"ApiId": API, "Stage": "beta", "ApiMappingKey": "v1/beta"})),
     "https://api.example.com/v1/beta/orders", "route", "beta", "/orders"),
    ("rest basePath (none)", rest({"/orders": ["GET"]}, domains=_domain(
        "api.example.com", {"restApiId": API, "stage": "prod", "basePath": "(none)"})),
     "api.example.com/orders", "resource", "prod", "/orders"),
    ("rest mapping without stage: stage follows base path", rest({"/orders": ["GET"]}, domains=_domain(
        "api.example.com", {"restApiId": API, "basePath": "shop"})),
     "https://api.example.com/shop/prod/orders", "resource", "prod", "/orders"),
    ("no mapping matches the base path", rest({"/orders": ["GET"]}, domains=_domain(
        "api.example.com", {"restApiId": API, "stage": "prod", "basePath": "v1"})),
     "https://api.example.com/orders", "none", None, "/orders"),
    ("base path maps to another API", rest({"/orders": ["GET"]}, domains=_domain(
        "api.example.com", {"restApiId": "other9", "stage": "prod", "basePath": "v2"})),
     "https://api.example.com/v2/orders", "none", None, "/orders"),
    ("wildcard domain", http(["GET /orders"], ("prod",), domains=_domain(
        "*.example.com", {"ApiId": API, "Stage": "prod", "ApiMappingKey": ""})),
     "https://tenant1.example.com/orders", "route", "prod", "/orders"),
    ("unknown host treated as default endpoint", rest({"/orders": ["GET"]}),
     "https://cdn.example.net/prod/orders", "resource", "prod", "/orders"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("facts", "url", "kind", "stage", "path"), [c[1:] for c in DOMAIN_CASES], ids=[c[0] for c in DOMAIN_CASES]
)
def test_custom_domains(facts: Facts, url: str, kind: str, stage: str | None, path: str) -> None:
    match = run(facts, method="GET", path=url)
    assert (match.kind, match.stage, match.path) == (kind, stage, path)
    assert match.assumed


def test_host_of_another_api_is_noted() -> None:
    url = "https://zzz999.execute-api.us-east-1.amazonaws.com/prod/orders"
    match = run(rest({"/orders": ["GET"]}), method="GET", path=url)
    assert match.kind == "resource"
    assert "names API zzz999" in match.assumed


def test_private_api_vpce_host_is_the_default_endpoint() -> None:
    url = "https://vpce-0abc-1def.execute-api.us-east-1.vpce.amazonaws.com/prod/orders"
    match = run(rest({"/orders": ["GET"]}), method="GET", path=url)
    assert (match.kind, match.stage, match.path) == ("resource", "prod", "/orders")
    assert "host" not in match.assumed


def test_given_stage_that_clashes_with_the_path_is_noted() -> None:
    match = run(http(["ANY /{proxy+}"], ("prod", "dev")), method="GET", path="/dev/orders", stage="prod")
    assert (match.stage, match.path) == ("prod", "/dev/orders")
    assert "'dev' in the path is also a stage" in match.assumed


def test_no_path_given() -> None:
    match = run(http(["GET /orders"]), method="GET")
    assert (match.kind, match.path, match.stage) == ("none", None, "$default")
    assert "no request path" in match.assumed


# -- HTTP routes -----------------------------------------------------------------------------------------

AWS_EXAMPLE = ["GET /pets/dog/1", "GET /pets/dog/{id}", "GET /pets/{proxy+}", "ANY /{proxy+}", "$default"]
HTTP_CASES: list[tuple[str, list[str], str, str, str | None]] = [
    ("doc: full literal", AWS_EXAMPLE, "GET", "/pets/dog/1", "GET /pets/dog/1"),
    ("doc: param", AWS_EXAMPLE, "GET", "/pets/dog/2", "GET /pets/dog/{id}"),
    ("doc: greedy with method", AWS_EXAMPLE, "GET", "/pets/cat/1", "GET /pets/{proxy+}"),
    ("doc: greedy ANY for other method", AWS_EXAMPLE, "POST", "/pets/cat/1", "ANY /{proxy+}"),
    ("doc: root falls to $default", AWS_EXAMPLE, "GET", "/", "$default"),
    ("method-specific over ANY", ["ANY /pets", "GET /pets"], "GET", "/pets", "GET /pets"),
    ("ANY covers other methods", ["ANY /pets", "GET /pets"], "DELETE", "/pets", "ANY /pets"),
    ("literal path beats method", ["GET /pets/{id}", "ANY /pets/dog"], "GET", "/pets/dog", "ANY /pets/dog"),
    ("param beats greedy", ["GET /{proxy+}", "GET /pets/{id}"], "GET", "/pets/1", "GET /pets/{id}"),
    ("earlier literal segment decides", ["GET /{a}/1", "GET /pets/{id}"], "GET", "/pets/1", "GET /pets/{id}"),
    ("deeper literal beats shallow greedy", ["ANY /a/{proxy+}", "ANY /a/b/{proxy+}"], "GET", "/a/b/c",
     "ANY /a/b/{proxy+}"),
    ("greedy needs a segment", ["ANY /pets/{proxy+}"], "GET", "/pets", None),
    ("greedy does not match root", ["ANY /{proxy+}"], "GET", "/", None),
    ("ANY / serves root", ["ANY /{proxy+}", "ANY /"], "GET", "/", "ANY /"),
    ("wrong method, no $default", ["GET /orders"], "POST", "/orders", None),
    ("case-sensitive paths", ["GET /Orders"], "GET", "/orders", None),
    ("lower-case method", ["POST /orders"], "post", "/orders", "POST /orders"),
    ("only $default", ["$default"], "PATCH", "/anything/at/all", "$default"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("routes", "method", "path", "expected"), [c[1:] for c in HTTP_CASES], ids=[c[0] for c in HTTP_CASES]
)
def test_http_route_selection(routes: list[str], method: str, path: str, expected: str | None) -> None:
    facts = http(routes)
    match = run(facts, method=method, path=path)
    assert match.route_key == expected
    assert match.kind == ("route" if expected else "none")
    assert (match.method, match.stage, match.path) == (method.upper(), "$default", path)
    if expected:
        assert match.route_id == f"r{routes.index(expected)}"


# -- REST resources --------------------------------------------------------------------------------------

REST_CASES: list[tuple[str, dict[str, list[str]], str, str, str, str | None]] = [
    ("literal resource", {"/": [], "/orders": ["GET"], "/{proxy+}": ["ANY"]}, "GET", "/prod/orders",
     "resource", "/orders"),
    ("proxy for other paths", {"/": [], "/orders": ["GET"], "/{proxy+}": ["ANY"]}, "GET", "/prod/a/b",
     "resource", "/{proxy+}"),
    ("proxy does not match root", {"/": [], "/{proxy+}": ["ANY"]}, "GET", "/prod", "none", "/"),
    ("root with a method", {"/": ["GET"], "/{proxy+}": ["ANY"]}, "GET", "/prod/", "resource", "/"),
    ("method missing on matched resource: no fallback to proxy", {"/orders": ["GET"], "/{proxy+}": ["ANY"]},
     "POST", "/prod/orders", "none", "/orders"),
    ("ANY on resource", {"/orders": ["ANY"]}, "DELETE", "/prod/orders", "resource", "/orders"),
    ("param beats proxy", {"/orders/{id}": ["GET"], "/orders/{proxy+}": ["GET"]}, "GET", "/prod/orders/7",
     "resource", "/orders/{id}"),
    ("literal beats param", {"/orders/{id}": ["GET"], "/orders/new": ["GET"]}, "GET", "/prod/orders/new",
     "resource", "/orders/new"),
    ("nested proxy", {"/orders/{id}": ["GET"], "/orders/{proxy+}": ["GET"]}, "GET", "/prod/orders/7/items",
     "resource", "/orders/{proxy+}"),
    ("nothing matches", {"/": [], "/orders": ["GET"]}, "GET", "/prod/users", "none", None),
]  # fmt: skip


@pytest.mark.parametrize(
    ("resources", "method", "path", "kind", "resource_path"),
    [c[1:] for c in REST_CASES],
    ids=[c[0] for c in REST_CASES],
)
def test_rest_resource_matching(
    resources: dict[str, list[str]], method: str, path: str, kind: str, resource_path: str | None
) -> None:
    facts = rest(resources)
    match = run(facts, method=method, path=path)
    assert (match.kind, match.resource_path, match.stage) == (kind, resource_path, "prod")
    assert match.method == method
    if resource_path is not None:
        assert match.resource_id == f"res{list(resources).index(resource_path)}"
    else:
        assert match.resource_id is None


def test_rest_wrong_stage_still_matches_resource() -> None:
    match = run(rest({"/orders": ["GET"]}, stages=("prod",)), method="GET", path="/production/orders")
    assert (match.kind, match.stage, match.resource_path) == ("resource", "production", "/orders")


# -- WebSocket -------------------------------------------------------------------------------------------

WS_CASES: list[tuple[str, Facts, dict[str, Any], str | None]] = [
    ("action in message", ws(["$connect", "sendmessage", "$default"]),
     {"message": '{"action": "sendmessage", "data": 1}'}, "sendmessage"),
    ("action in error_body", ws(["sendmessage"]), {"error_body": '{"action":"sendmessage"}'}, "sendmessage"),
    ("unknown action falls back to $default", ws(["sendmessage", "$default"]),
     {"message": '{"action": "send"}'}, "$default"),
    ("unknown action without $default", ws(["sendmessage"]), {"message": '{"action": "send"}'}, None),
    ("missing field without $default", ws(["sendmessage"]), {"message": '{"type": "sendmessage"}'}, None),
    ("not JSON falls back to $default", ws(["sendmessage", "$default"]), {"message": "hello"}, "$default"),
    ("nested expression", ws(["chat.post"], "$request.body.meta.kind"),
     {"message": '{"meta": {"kind": "chat.post"}}'}, "chat.post"),
    ("braced expression", ws(["join"], "${request.body.op}"), {"message": '{"op": "join"}'}, "join"),
    ("numeric value", ws(["1"]), {"message": '{"action": 1}'}, "1"),
    ("boolean value is no key", ws(["True", "$default"]), {"message": '{"action": true}'}, "$default"),
    ("$connect by method", ws(["$connect", "$default"]), {"method": "$connect"}, "$connect"),
    ("$connect by upper-case method", ws(["$connect"]), {"method": "$CONNECT"}, "$connect"),
    ("$disconnect by path", ws(["$disconnect"]), {"path": "/prod/$disconnect"}, "$disconnect"),
    ("$connect without a route is not $default", ws(["$default"]), {"method": "$connect"}, None),
    ("header expression unsupported", ws(["x", "$default"], "$request.header.op"),
     {"message": '{"op": "x"}'}, "$default"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("facts", "symptom", "route_key"), [c[1:] for c in WS_CASES], ids=[c[0] for c in WS_CASES]
)
def test_websocket_route_selection(facts: Facts, symptom: dict[str, Any], route_key: str | None) -> None:
    match = run(facts, **symptom)
    assert match.route_key == route_key
    assert match.kind == ("route" if route_key else "none")
    assert match.stage == "prod"
    assert match.assumed


def test_websocket_stage_from_url() -> None:
    facts = ws(["$default"], stages=("dev", "prod"))
    assert run(facts, path=f"wss://{HOST}/dev").stage == "dev"
    assert run(facts, path="$connect").stage is None
    assert run(facts, path="/dev", stage="prod").stage == "prod"


# -- helpers for rule modules ----------------------------------------------------------------------------


def test_helpers_http() -> None:
    facts = http(["GET /orders", "$default"], ("$default", "prod"))
    facts = facts.model_copy(update={"match": run(facts, method="GET", path="/prod/orders")})
    assert matched_route(facts) == facts.routes[0]
    assert matched_integration(facts) == facts.integrations[0]
    assert matched_stage(facts) == {"StageName": "prod"}
    assert matched_method(facts) is None
    missing = facts.model_copy(update={"match": Match(kind="route", route_id="nope", stage="nope")})
    assert matched_route(missing) is None
    assert matched_integration(missing) is None
    assert matched_stage(missing) is None
    untargeted = facts.model_copy(update={"routes": [{"RouteId": "r0", "RouteKey": "GET /orders"}]})
    assert matched_integration(untargeted) is None


def test_helpers_rest() -> None:
    facts = rest({"/orders": ["GET", "ANY"], "/items": ["GET"]})
    get = facts.model_copy(update={"match": run(facts, method="GET", path="/prod/orders")})
    assert matched_method(get) == facts.resources[0]["resourceMethods"]["GET"]
    assert matched_integration(get) == {"type": "AWS_PROXY", "uri": "uri-/orders-GET"}
    assert matched_stage(get) == {"stageName": "prod"}
    put = facts.model_copy(update={"match": run(facts, method="PUT", path="/prod/orders")})
    assert matched_method(put) == facts.resources[0]["resourceMethods"]["ANY"]
    post = facts.model_copy(update={"match": run(facts, method="POST", path="/prod/items")})
    assert (post.match.kind, matched_method(post), matched_integration(post)) == ("none", None, None)
    assert matched_route(get) is None


# -- properties ------------------------------------------------------------------------------------------

SEGMENT = st.text(alphabet="abcXYZ019-_.~ é+%", min_size=1, max_size=6)
SEGMENTS = st.lists(SEGMENT, max_size=5).map(tuple)


@given(SEGMENTS, st.booleans(), st.booleans(), st.sampled_from(["", "?a=1&b=%2F", "#top"]))
def test_split_request_roundtrip(segs: tuple[str, ...], as_url: bool, slash: bool, tail: str) -> None:
    path = "/" + "/".join(quote(s, safe="") for s in segs) + ("/" if slash and segs else "")
    raw = (f"https://{HOST}" if as_url else "") + path + tail
    assert split_request(raw) == ((HOST if as_url else None), segs)


def _template_for(segs: tuple[str, ...], choices: list[int]) -> str:
    parts: list[str] = []
    for seg, choice in zip(segs, choices, strict=False):
        if choice == 3:
            return "/" + "/".join([*parts, "{proxy+}"])
        parts.append({0: seg, 1: "{p}", 2: "zz"}[choice])
    return "/" + "/".join(parts)


ROUTES = st.lists(
    st.tuples(st.sampled_from(["GET", "POST", "ANY"]), st.lists(st.integers(0, 3), min_size=6, max_size=6)),
    max_size=8,
)


@settings(max_examples=200)
@given(SEGMENTS, ROUTES, st.booleans(), st.randoms())
def test_http_most_specific_route_wins(
    segs: tuple[str, ...], specs: list[tuple[str, list[int]]], default: bool, rnd: random.Random
) -> None:
    keys = sorted({f"{verb} {_template_for(segs, choices)}" for verb, choices in specs})
    keys += ["$default"] if default else []
    path = "/" + "/".join(quote(s, safe="") for s in segs)
    match = run(http(keys), method="GET", path=path)
    fitting = {k: r for k in keys if k != "$default" and k.split(" ")[0] in ("GET", "ANY")
               and (r := template_ranks(k.split(" ", 1)[1], segs)) is not None}  # fmt: skip
    if not fitting:
        assert match.route_key == ("$default" if default else None)
        return
    assert match.route_key in fitting

    def rank(key: str) -> tuple[bool, tuple[int, ...], bool]:  # a full match before any greedy one (AWS docs)
        return fitting[key][-1:] == (2,), fitting[key], key.startswith("ANY")

    assert all(rank(match.route_key) <= rank(k) for k in fitting)
    shuffled = keys[:]
    rnd.shuffle(shuffled)
    assert run(http(shuffled), method="GET", path=path).route_key == match.route_key


@given(SEGMENTS, st.sampled_from(["GET", "ANY"]))
def test_exact_literal_route_always_wins(segs: tuple[str, ...], verb: str) -> None:
    literal = "/" + "/".join(segs)
    keys = [f"{verb} {literal}", "ANY /{proxy+}", "$default", "GET /{a}/{proxy+}"]
    path = "/" + "/".join(quote(s, safe="") for s in segs)
    assert run(http(keys), method="GET", path=path).route_key == f"{verb} {literal}"


@given(SEGMENTS)
def test_rest_root_proxy_only_matches_children(segs: tuple[str, ...]) -> None:
    facts = rest({"/": [], "/{proxy+}": ["ANY"]})
    match = run(facts, method="GET", path="/prod/" + "/".join(quote(s, safe="") for s in segs))
    assert match.kind == ("resource" if segs else "none")
    assert match.resource_path == ("/{proxy+}" if segs else "/")
    assert match.path == "/" + "/".join(segs)


@given(st.permutations(["/", "/orders", "/orders/{id}", "/orders/{proxy+}", "/{proxy+}", "/{x}/7"]), SEGMENTS)
def test_rest_order_does_not_matter(order: list[str], segs: tuple[str, ...]) -> None:
    path = "/prod/" + "/".join(quote(s, safe="") for s in ("orders", *segs))
    a = run(rest({p: ["ANY"] for p in order}), method="GET", path=path)
    b = run(rest({p: ["ANY"] for p in sorted(order)}), method="GET", path=path)
    assert (a.kind, a.resource_path) == (b.kind, b.resource_path)
