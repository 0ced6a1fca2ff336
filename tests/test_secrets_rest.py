"""Planted secrets never leave the server through create_rest_api, undo or the reads of a REST API.

The needles are tests/test_secrets.py's (an AWS key pair, a JWT, Stripe and GitHub tokens, a bearer
value, stage variables named API_KEY / DB_PASSWORD / clientSecret, an API key value). They are typed
into create_rest_api (stage and canary variables, harmless-named variables holding a JWT or an AKIA
key, an ``Authorization`` header in a mapping template and as a static integration header, the
description) and planted into the live sandbox with boto3 (stage variables, an API key with its value
in a usage plan on the API's stage). Every result (text and structuredContent), audit line and undo
handle of a preview, apply, re-preview, describe, audit, diagnosis, deploy_stage and
configure_usage_plan on the REST API, a change of the planted stage and the undos is searched for each
needle, and for the value AWS generated for the key configure_usage_plan made.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
import pytest

from .conftest import REGION
from .helpers import FUNCTION
from .test_secrets import (
    AKIA,
    BEARER,
    GITHUB,
    JWT,
    NAMED,
    REST_KEY,
    SECRET_KEY_PLAIN,
    Caller,
    Transcript,
    assert_clean,
    in_memory,
    leaks,
)

pytestmark = pytest.mark.xdist_group(__name__)  # the transcript is made once, on one worker
MARKS: dict[str, Any] = {}  # the audit line count before the keyed API, and the generated key values

TEMPLATE = (
    f'#set($context.requestOverride.header.Authorization = "Bearer {BEARER}")\n'
    f'{{"key": "{SECRET_KEY_PLAIN}"}}'
)
# The value of the request's API_KEY stage variable, also written into a template as a JSON field.
KEYED_TEMPLATE = f'{{"api_key": "{NAMED["API_KEY"]}", "password": "{NAMED["DB_PASSWORD"]}"}}'
VARIABLES = {**NAMED, "note": JWT, "note2": AKIA}
REQUEST: dict[str, Any] = {
    "name": "secret-rest",
    "description": f"rotated {GITHUB}",
    "routes": [
        {"route_key": "GET /orders", "lambda_arn": FUNCTION},
        {
            "route_key": "POST /legacy",
            "http_url": "https://legacy.example.com/v1",
            "proxy": False,
            "request_templates": {"application/json": TEMPLATE},
            "integration_request_parameters": {
                "integration.request.header.Authorization": f"'Bearer {BEARER}'"
            },
        },
    ],
    "stages": [
        {
            "name": "prod",
            "variables": VARIABLES,
            "canary": {"percent_traffic": 10, "variables": {"API_KEY": NAMED["API_KEY"], "note": JWT}},
        }
    ],
}


def plant(endpoint: str, api_id: str) -> None:
    """Another person's changes: stage variables and an API key whose value is a needle."""
    rest: Any = boto3.client("apigateway", region_name=REGION, endpoint_url=endpoint)
    patches = [{"op": "replace", "path": f"/variables/{k}", "value": v} for k, v in VARIABLES.items()]
    rest.update_stage(restApiId=api_id, stageName="prod", patchOperations=patches)
    key = rest.create_api_key(name="partner", value=REST_KEY, enabled=True)
    plan = rest.create_usage_plan(name="gold", apiStages=[{"apiId": api_id, "stage": "prod"}])
    rest.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")


def keyed_request() -> dict[str, Any]:
    """A second API whose template writes the secret stage variables' values as JSON fields."""
    route = {**REQUEST["routes"][1], "request_templates": {"application/json": KEYED_TEMPLATE}}
    route.pop("integration_request_parameters")
    return {"name": "secret-rest-keyed", "routes": [route], "stages": [{"name": "prod", "variables": NAMED}]}


def generated_key_values(endpoint: str) -> list[str]:
    """The values AWS generated for the keys configure_usage_plan made (read here, never by the server)."""
    rest: Any = boto3.client("apigateway", region_name=REGION, endpoint_url=endpoint)
    keys = rest.get_api_keys(includeValues=True)["items"]
    return [k["value"] for k in keys if k["name"] != "partner"]


def scenario(endpoint: str, audit: Path, marks: dict[str, Any]) -> Any:
    async def run(call: Caller) -> None:
        created = await call.change("create", "create_rest_api", REQUEST)
        api_id = created["api_id"]
        await call("again", "create_rest_api", REQUEST)
        plant(endpoint, api_id)
        await call("list", "list_apis", {})
        await call("describe", "describe_api", {"api_id": api_id})
        await call("audit", "audit_api", {"api_id": api_id})
        await call("diagnose", "diagnose_error", {"api_id": api_id, "status": 403, "path": "/prod/orders"})
        deploy = {
            "api_id": api_id,
            "stage_name": "prod",
            "variables": {**VARIABLES, "clientSecret": "rotated2"},
        }
        await call.change("deploy", "deploy_stage", deploy)
        usage = {
            "name": "gold-2",
            "api_stages": [{"api_id": api_id, "stage": "prod"}],
            "api_keys": ["partner-2"],
        }
        await call.change("usage plan", "configure_usage_plan", usage)
        marks["generated"] = generated_key_values(endpoint)
        await call("describe again", "describe_api", {"api_id": api_id})
        await call("usage plan again", "configure_usage_plan", usage)
        rotated = {**REQUEST, "stages": [{"name": "prod", "variables": {"API_KEY": "rotatedValue1"}}]}
        changed = await call.change("rotate", "create_rest_api", rotated)
        await call.change("undo rotate", "undo", {"handle": changed["undo"]})
        await call.change("undo create", "undo", {"handle": created["undo"]})
        refused = {**REQUEST, "routes": [{**REQUEST["routes"][0], "lambda_arn": f"{FUNCTION}:{JWT}"}]}
        await call("refused", "create_rest_api", refused)
        marks["keyed"] = len(audit.read_text().splitlines())
        await call.change("keyed", "create_rest_api", keyed_request())

    return run


@pytest.fixture(scope="module")
def runs(moto_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[Transcript, int]:
    audit = tmp_path_factory.mktemp("rest-secrets") / "audit.jsonl"
    made = in_memory(moto_endpoint, audit, scenario(moto_endpoint, audit, MARKS))
    return made, MARKS["keyed"]


@pytest.fixture(scope="module")
def transcript(runs: tuple[Transcript, int]) -> Transcript:
    """Everything before the keyed-template API."""
    made, mark = runs
    results = {label: r for label, r in made.results.items() if not label.startswith("keyed")}
    return Transcript(results, made.asked, made.audit[:mark])


def test_the_scenario_ran_every_step(runs: tuple[Transcript, int]) -> None:
    errors = {label for label, result in runs[0].results.items() if result.is_error}
    assert errors == {"refused"}, errors
    applied = {
        "keyed apply",
        "create apply",
        "deploy apply",
        "usage plan apply",
        "rotate apply",
        "undo create apply",
    }
    assert applied <= set(runs[0].results)


def test_rest_results_never_carry_a_secret(transcript: Transcript) -> None:
    assert_clean([hit for label, text in transcript.responses() for hit in leaks(label, text)])


def test_rest_audit_lines_never_carry_a_secret(transcript: Transcript) -> None:
    assert transcript.audit
    assert_clean([hit for i, line in enumerate(transcript.audit) for hit in leaks(f"audit line {i}", line)])


def test_rest_undo_handles_carry_no_secret_readable(transcript: Transcript) -> None:
    assert_clean([hit for label, text in transcript.handles() for hit in leaks(label, text)])


def test_known_secret_values_in_a_template_are_masked(runs: tuple[Transcript, int]) -> None:
    """Values of stage variables named as secrets (API_KEY, DB_PASSWORD), typed again as a mapping
    template's "api_key" / "password" fields, are masked in the plan, the result and the audit line."""
    made, mark = runs
    hits = [
        hit for label, text in made.responses() if label.startswith("keyed") for hit in leaks(label, text)
    ]
    hits += [hit for i, line in enumerate(made.audit[mark:]) for hit in leaks(f"audit line {mark + i}", line)]
    assert_clean(hits)


def test_generated_api_key_values_never_come_back(runs: tuple[Transcript, int]) -> None:
    made, _ = runs
    values = MARKS["generated"]
    assert len(values) == 1 and len(values[0]) >= 20, values
    texts = [*made.responses(), *made.handles(), *(("audit", line) for line in made.audit)]
    assert [label for label, text in texts if values[0] in text] == []
