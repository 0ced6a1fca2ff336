"""Planted credentials, JWTs, API key values and stage variables never leave the server (tools/redact.py).

Distinctive secrets (an AWS access key id and secret key, a real HS256 JWT, Stripe and
GitHub tokens, a bearer value, stage variables named API_KEY / DB_PASSWORD /
clientSecret, and harmless-named variables holding a JWT or an AKIA key) are put
everywhere a user or an attacker can put them: in tool arguments (names, descriptions,
tags, route keys, stage names and variables, diagnose_error's token, message, body and
claims, arguments the server refuses) and into the live sandbox with boto3 (stage
variables, authorizer names and issuers, API names, descriptions and tags, a REST API
key). Every tool result (text and structuredContent), every consent question, every
audit log line, every undo handle (decoded), and the stderr of a real stdio server
process are searched for each secret and its fragments (a JWT's payload and signature,
the body of a key after its prefix).
"""

from __future__ import annotations

import base64
import json
import sys
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import boto3
import jwt
import pytest
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.types import CallToolResult

from apigw_mcp.server.app import build_server
from apigw_mcp.server.sandbox.ext import seed
from apigw_mcp.server.settings import load_settings

from .conftest import HANDLE_KEY, REGION, _post
from .helpers import FUNCTION, text_of
from .test_consent import ACCEPT, Asker
from .test_stdio_robust import serve_args, serve_env

pytestmark = pytest.mark.xdist_group(__name__)  # the typed and live transcripts are made on one worker
AKIA = "AKIAQZ7XPLANTED4KEY1"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYPLANTED9KE"  # '+' is refused in a stage variable
SECRET_KEY_PLAIN = "wJalrXUtnFEMIK7MDENGbPxRfiCYPLANTED9KEYa"
JWT = jwt.encode(
    {"sub": "planted-user", "iss": "https://issuer.example.com", "aud": "shop-api", "exp": 4102444800},
    "planted-signing-key-0123456789abcdef",
    algorithm="HS256",
)
STRIPE = "sk_live_PLANTED0123456789abcdefXYZ"
GITHUB = "ghp_PLANTED0123456789abcdefghijklmnopqrstu"
BEARER = "PLANTEDbearer0123456789abcdef"
REST_KEY = "PLANTEDrestApiKeyValue0123456789"
NAMED = {
    "API_KEY": "plantedApiKeyValue111",
    "DB_PASSWORD": "plantedDbPassword222",
    "clientSecret": "plantedSecret333",
}
VARIABLES = {**NAMED, "note": JWT, "note2": AKIA, "note3": SECRET_KEY_PLAIN, "note4": STRIPE, "note5": GITHUB}
NEEDLES = {
    "akia": AKIA,
    "akia body": AKIA[4:],
    "secret key": SECRET_KEY,
    "secret key head": SECRET_KEY[:20],
    "plain secret key": SECRET_KEY_PLAIN,
    "jwt": JWT,
    "jwt payload": JWT.split(".")[1],
    "jwt signature": JWT.split(".")[2],
    "stripe body": STRIPE.removeprefix("sk_live_"),
    "github body": GITHUB.removeprefix("ghp_"),
    "bearer": BEARER,
    "rest api key": REST_KEY,
    **{f"stage variable {name}": value for name, value in NAMED.items()},
}
assert len(SECRET_KEY) == len(SECRET_KEY_PLAIN) == 40


def leaks(where: str, text: str) -> list[str]:
    return [f"{where}: {label}" for label, needle in NEEDLES.items() if needle in text]


def assert_clean(found: list[str]) -> None:
    if found:
        pytest.fail(f"{len(found)} planted secret(s) found:\n" + "\n".join(found), pytrace=False)


@dataclass
class Transcript:
    results: dict[str, CallToolResult] = field(default_factory=dict)
    asked: list[str] = field(default_factory=list)
    audit: list[str] = field(default_factory=list)

    def responses(self) -> Iterator[tuple[str, str]]:
        for label, result in self.results.items():
            yield label, text_of(result) + json.dumps(result.structured_content)

    def handles(self) -> Iterator[tuple[str, str]]:
        """What anyone holding a handle can read of it: its bytes, and its record were it only compressed."""
        for label, result in self.results.items():
            if handle := (result.structured_content or {}).get("undo"):
                payload = handle.split(".")[1] + "=" * (-len(handle.split(".")[1]) % 4)
                raw = base64.urlsafe_b64decode(payload)
                try:
                    readable = zlib.decompress(raw).decode(errors="replace")
                except zlib.error:
                    readable = raw.decode(errors="replace")
                yield label, handle + readable


class Caller:
    def __init__(self, client: Client, transcript: Transcript) -> None:
        self.client, self.transcript = client, transcript

    async def __call__(self, label: str, tool: str, args: dict[str, Any]) -> dict[str, Any]:
        result = await self.client.call_tool(tool, args)
        self.transcript.results[label] = result
        return result.structured_content or {}

    async def change(self, label: str, tool: str, args: dict[str, Any]) -> dict[str, Any]:
        preview = await self(f"{label} preview", tool, args)
        assert "plan" in preview, text_of(self.transcript.results[f"{label} preview"])
        if "token" not in preview["plan"]:
            return preview  # an empty plan: nothing to apply (e.g. an undo of what AWS cannot take back)
        token = preview["plan"]["token"]
        return await self(f"{label} apply", tool, {**args, "dry_run": False, "plan_token": token})


def diagnose_calls(api_id: str) -> dict[str, dict[str, Any]]:
    claims = {"iss": f"https://x.example.com/{GITHUB}", "aud": STRIPE, "clientSecret": NAMED["clientSecret"]}
    body = f'{{"token": "{GITHUB}", "auth": "Bearer {BEARER}", "k": "{SECRET_KEY}"}}'
    calls: dict[str, dict[str, Any]] = {
        "diagnose token": {"status": 401, "token": f"Bearer {JWT}", "path": f"/prod/k/{STRIPE}"},
        "diagnose fields": {"status": 403, "message": f"no {AKIA}", "error_body": body, "error_type": STRIPE},
        "diagnose claims": {"status": 401, "claims": {**claims, "note": JWT}},
        "diagnose bad token": {"status": 401, "token": f"notajwt.{AKIA}.{BEARER}"},
        "diagnose unknown api": {"status": 500, "api_id": STRIPE},
    }
    return {label: {"api_id": api_id, **args} for label, args in calls.items()}


async def typed_scenario(call: Caller, secret_stage_names: bool = True) -> None:
    """Secrets typed into tool arguments: a create, reads, changes, refusals, diagnoses, a delete, an undo."""
    stages: list[dict[str, Any]] = [{"name": "prod", "variables": VARIABLES}]
    stages += [{"name": AKIA}, {"name": GITHUB}] if secret_stage_names else []
    request = {
        "name": f"shop-{AKIA}",
        "description": f"keys {AKIA} {GITHUB} {SECRET_KEY} Bearer {BEARER}",
        "routes": [
            {"route_key": "GET /orders", "lambda_arn": FUNCTION},
            {"route_key": f"GET /k/{STRIPE}", "lambda_arn": FUNCTION},
            {"route_key": f"GET /j/{JWT}", "lambda_arn": FUNCTION},
        ],
        "tags": {"note": JWT, "owner": f"Bearer {BEARER}", "k": SECRET_KEY},
        "stages": stages,
    }
    api_id = (await call.change("create", "create_http_api", request))["api_id"]
    await call("describe", "describe_api", {"api_id": api_id, "routes_matching": STRIPE})
    await call("list", "list_apis", {"name_contains": AKIA})
    await call("audit", "audit_api", {})
    changed = {**VARIABLES, "API_KEY": "plantedApiKeyValue111b", "note2": AKIA, "note": JWT}
    stage = {"api_id": api_id, "stage_name": "prod", "variables": changed, "description": f"rotated {JWT}"}
    deployed = await call.change("deploy", "deploy_stage", stage)
    authorizer = {"name": f"users-{GITHUB}", "issuer": "https://issuer.example.com", "audience": [STRIPE]}
    await call.change(
        "authorizer", "add_jwt_authorizer", {"api_id": api_id, "routes": ["GET /orders"], **authorizer}
    )
    for label, value in (("plus and slash", SECRET_KEY), ("bearer", f"Bearer {BEARER}")):
        await call(
            f"refused {label}",
            "deploy_stage",
            {"api_id": api_id, "stage_name": "prod", "variables": {"note": value}},
        )
    for label, args in diagnose_calls(api_id).items():
        await call(label, "diagnose_error", args)
    route = {"route_key": "GET /t", "lambda_arn": FUNCTION}
    await call("bad type", "add_route", {"api_id": api_id, "route": {**route, "timeout_ms": AKIA}})
    await call("unknown auth", "add_route", {"api_id": api_id, "route": {**route, "auth": JWT}})
    await call(
        "unknown route", "update_route", {"api_id": api_id, "route_key": f"GET /x/{GITHUB}", "change": {}}
    )
    await call.change("delete", "delete_route", {"api_id": api_id, "route_key": f"GET /j/{JWT}"})
    await call.change("undo", "undo", {"handle": deployed["undo"]})


def reset_sandbox(endpoint: str) -> None:
    _post(f"{endpoint}/moto-api/reset")
    seed(endpoint, REGION)


def in_memory(endpoint: str, audit: Path, scenario: Any) -> Transcript:
    """``scenario(call)`` on a fresh sandbox, in memory, with a user who accepts every question."""
    reset_sandbox(endpoint)
    transcript, asker = Transcript(), Asker()

    async def run() -> None:
        settings = load_settings(
            region=REGION,
            endpoint_url=endpoint,
            audit_log=str(audit),
            handle_key=HANDLE_KEY,
            allow_deletes=True,
        )
        async with Client(build_server(settings), elicitation_callback=asker) as client:
            asker.answers = [ACCEPT] * 20
            await scenario(Caller(client, transcript))

    anyio.run(run)
    transcript.asked, transcript.audit = asker.asked, audit.read_text().splitlines()
    return transcript


@pytest.fixture(scope="module")
def typed(moto_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> Transcript:
    return in_memory(moto_endpoint, tmp_path_factory.mktemp("typed") / "audit.jsonl", typed_scenario)


def plant_live(endpoint: str, api_id: str) -> str:
    """Secrets put straight into the sandbox, as another tool or person could; returns a REST API's id."""
    v2 = boto3.client("apigatewayv2", region_name=REGION, endpoint_url=endpoint)
    v2.update_stage(ApiId=api_id, StageName="prod", StageVariables={**NAMED, "note": JWT, "note2": AKIA})
    v2.update_api(ApiId=api_id, Description=f"rotated {SECRET_KEY} and {GITHUB}")
    arn = f"arn:aws:apigateway:{REGION}::/apis/{api_id}"
    v2.tag_resource(ResourceArn=arn, Tags={"deployer": f"Bearer {BEARER}", "token": JWT})
    v2.create_authorizer(
        ApiId=api_id,
        Name=f"Bearer {BEARER}",
        AuthorizerType="JWT",
        IdentitySource=["$request.header.Authorization"],
        JwtConfiguration={"Issuer": f"https://issuer.example.com/{GITHUB}", "Audience": [STRIPE]},
    )
    v2.create_api(Name=f"partner-{AKIA}", ProtocolType="HTTP", Description=JWT)
    gateway = boto3.client("apigateway", region_name=REGION, endpoint_url=endpoint)
    rest = gateway.create_rest_api(name=f"rest-{STRIPE}")["id"]
    root = gateway.get_resources(restApiId=rest)["items"][0]["id"]
    gateway.put_method(
        restApiId=rest, resourceId=root, httpMethod="GET", authorizationType="NONE", apiKeyRequired=True
    )
    gateway.put_integration(restApiId=rest, resourceId=root, httpMethod="GET", type="MOCK")
    gateway.create_deployment(restApiId=rest, stageName="v1", variables={**NAMED, "note": AKIA})
    key = gateway.create_api_key(name="partner", value=REST_KEY, enabled=True)
    plan = gateway.create_usage_plan(name="gold", apiStages=[{"apiId": rest, "stage": "v1"}])
    gateway.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
    return str(rest)


def live_scenario(endpoint: str) -> Any:
    async def scenario(call: Caller) -> None:
        shop = {"name": "live-shop", "routes": [{"route_key": "GET /orders", "lambda_arn": FUNCTION}]}
        shop["stages"] = [{"name": "prod"}]
        api_id = (await call.change("create", "create_http_api", shop))["api_id"]
        rest = plant_live(endpoint, api_id)
        await call("list", "list_apis", {})
        await call("describe", "describe_api", {"api_id": api_id})
        await call("audit", "audit_api", {})
        await call("audit rest", "audit_api", {"api_id": rest})
        await call("diagnose", "diagnose_error", {"api_id": api_id, "status": 401, "path": "/prod/orders"})
        await call(
            "diagnose rest",
            "diagnose_error",
            {"api_id": rest, "status": 403, "path": "/v1/", "message": "Forbidden"},
        )
        throttle = {"api_id": api_id, "stage_name": "prod", "throttle": {"burst": 10, "rate": 5.0}}
        deployed = await call.change("deploy", "deploy_stage", throttle)
        variables = {"api_id": api_id, "stage_name": "prod", "variables": {"API_KEY": "rotatedValue"}}
        rotated = await call.change("rotate", "deploy_stage", variables)
        await call.change("undo rotate", "undo", {"handle": rotated["undo"]})
        await call.change("undo deploy", "undo", {"handle": deployed["undo"]})
        await call(
            "auth none",
            "update_route",
            {"api_id": api_id, "route_key": "GET /orders", "change": {"auth": "NONE"}},
        )
        await call(
            "cors", "configure_cors", {"api_id": api_id, "cors": {"allow_origins": ["https://a.example.com"]}}
        )
        await call.change("delete", "delete_api", {"api_id": api_id})

    return scenario


@pytest.fixture(scope="module")
def live(moto_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> Transcript:
    audit = tmp_path_factory.mktemp("live") / "audit.jsonl"
    return in_memory(moto_endpoint, audit, live_scenario(moto_endpoint))


REFUSED = [
    "refused plus and slash",
    "refused bearer",
    "diagnose bad token",
    "diagnose unknown api",
    "bad type",
    "unknown auth",
    "unknown route",
]


def test_typed_secrets_never_come_back_in_results(typed: Transcript) -> None:
    assert len(typed.results) == 23
    assert [label for label, result in typed.results.items() if result.is_error] == REFUSED
    assert_clean([f for label, text in typed.responses() for f in leaks(label, text)])


def test_refused_secret_values_are_named_not_echoed(typed: Transcript) -> None:
    for label in ("refused plus and slash", "refused bearer"):
        result = typed.results[label]
        assert result.is_error and "stage variable 'note'" in text_of(result), text_of(result)


def test_live_secrets_never_come_back_in_results(live: Transcript) -> None:
    errors = [label for label, result in live.results.items() if result.is_error]
    assert errors == [], [text_of(live.results[label]) for label in errors]
    assert_clean([f for label, text in live.responses() for f in leaks(label, text)])


def test_audit_log_masks_stage_variables_by_name_and_by_value(typed: Transcript) -> None:
    written = [json.loads(line) for line in typed.audit]
    staged = [e["params"]["StageVariables"] for e in written if "StageVariables" in e["params"]]
    assert len(staged) >= 3, written  # the create, the deploy and the undo
    for variables in staged:
        assert variables["API_KEY"] == variables["DB_PASSWORD"] == "***", variables
        assert variables["note"] == variables["note2"] == "***", variables


def test_audit_log_never_carries_a_secret(typed: Transcript, live: Transcript) -> None:
    """Stage names are typed by the user and may hold a token: the line's `resource` must be masked too."""
    lines = [(f"typed audit {i}", line) for i, line in enumerate(typed.audit)]
    lines += [(f"live audit {i}", line) for i, line in enumerate(live.audit)]
    assert_clean([f for where, line in lines for f in leaks(where, line)])


def test_consent_questions_never_carry_a_secret(typed: Transcript) -> None:
    """The question about deleting `GET /j/<JWT>` is shown to the user: masked like every other output."""
    assert typed.asked, "the delete was not asked"
    assert_clean([f for i, asked in enumerate(typed.asked) for f in leaks(f"question {i}", asked)])


def test_undo_handles_carry_no_secret_readable(typed: Transcript, live: Transcript) -> None:
    """A handle goes back through the conversation: sealed, so its before-state cannot be read from it."""
    handles = [*typed.handles(), *live.handles()]
    assert len(handles) >= 6
    assert_clean([f for label, record in handles for f in leaks(f"{label} undo handle", record)])


def test_url_credentials_never_come_back(sandbox: Any, moto_endpoint: str, tmp_path: Path) -> None:
    """A URL's user:password@ is a credential (the guard refuses writing one): never shown."""
    password = "PLANTEDurlPassw0rd"
    v2 = boto3.client("apigatewayv2", region_name=REGION, endpoint_url=moto_endpoint)
    api_id = v2.create_api(Name="legacy", ProtocolType="HTTP", Tags={"apigw-mcp:managed": "true"})["ApiId"]
    uri = f"https://admin:{password}@legacy.example.com/api"
    target = v2.create_integration(
        ApiId=api_id,
        IntegrationType="HTTP_PROXY",
        IntegrationMethod="ANY",
        IntegrationUri=uri,
        PayloadFormatVersion="1.0",
    )["IntegrationId"]
    v2.create_route(ApiId=api_id, RouteKey="GET /x", Target=f"integrations/{target}")
    transcript = Transcript()

    async def run() -> None:
        settings = load_settings(
            region=REGION, endpoint_url=moto_endpoint, audit_log="off", handle_key=HANDLE_KEY
        )
        async with Client(build_server(settings)) as client:
            call = Caller(client, transcript)
            await call("describe", "describe_api", {"api_id": api_id})
            await call("diagnose", "diagnose_error", {"api_id": api_id, "status": 502, "path": "/x"})
            await call(
                "update",
                "update_route",
                {"api_id": api_id, "route_key": "GET /x", "change": {"timeout_ms": 5000}},
            )
            route = {"route_key": "GET /y", "url": f"https://bob:{password}@backend.example.com"}
            await call("typed", "add_route", {"api_id": api_id, "route": route})

    anyio.run(run)
    assert_clean([f"{label}: url password" for label, text in transcript.responses() if password in text])


def test_stdio_server_keeps_secrets_out_of_stderr_results_and_audit(
    sandbox: Any, moto_endpoint: str, tmp_path: Path
) -> None:
    """A real `apigw-mcp serve` over stdio: its stderr, results and audit log hold no planted secret."""
    audit, errlog = tmp_path / "audit.jsonl", tmp_path / "stderr.txt"
    params = StdioServerParameters(
        command=sys.executable,
        args=serve_args(moto_endpoint, "--audit-log", str(audit), "--allow-deletes")[1:],
        env=serve_env(),
    )
    transcript, asker = Transcript(), Asker()

    async def run() -> None:
        with errlog.open("w") as handle:
            async with Client(
                stdio_client(params, errlog=handle), elicitation_callback=asker, read_timeout_seconds=60
            ) as client:
                asker.answers = [ACCEPT] * 5
                await typed_scenario(Caller(client, transcript), secret_stage_names=False)

    anyio.run(run)
    assert [label for label, result in transcript.results.items() if result.is_error] == REFUSED
    stderr = errlog.read_text()
    assert "Traceback" not in stderr
    found = [f for label, text in transcript.responses() for f in leaks(label, text)]
    found += leaks("stderr", stderr) + [
        f for line in audit.read_text().splitlines() for f in leaks("audit", line)
    ]
    assert_clean(found)
