"""Sandbox support: moto extensions for AWS operations moto lacks, and the seed data.

Product code speaks only AWS's real API; where moto lacks an operation the
product calls, it is added here, in the shapes botocore expects, and loaded by
the sandbox process and the test fixture alike. The moto patches themselves, and why
each exists, are in ``moto_v2``.
"""

from __future__ import annotations

import io
import json
import zipfile

from pydantic import BaseModel

SEED_ROLE = "apigw-mcp-sandbox-role"
SEED_FUNCTION = "apigw-mcp-sandbox-fn"
_HANDLER = (
    "import json\n\n"
    "def handler(event, context):\n"
    "    return {'statusCode': 200, 'body': json.dumps({'ok': True})}\n"
)
_TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ],
}


class SeedInfo(BaseModel):
    role_arn: str
    function_arn: str


def apply_moto_extensions() -> None:
    """Add to moto the apigatewayv2 operations it lacks (see ``moto_v2``), make its REST APIs behave as AWS's
    (see ``moto_rest``); run Lambda without Docker."""
    from moto.core.config import default_user_config

    from apigw_mcp.server.sandbox.moto_rest import patch_apigateway_rest
    from apigw_mcp.server.sandbox.moto_v2 import patch_apigatewayv2

    patch_apigatewayv2()
    patch_apigateway_rest()
    default_user_config["lambda"] = {"use_docker": False}


def _function_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", _HANDLER)
    return buffer.getvalue()


def seed(endpoint_url: str, region: str) -> SeedInfo:
    """Create the sample IAM role and Lambda function everything can be tried with."""
    import boto3

    fake = "testing"  # the sandbox accepts any credentials
    session = boto3.Session(aws_access_key_id=fake, aws_secret_access_key=fake, region_name=region)
    iam = session.client("iam", endpoint_url=endpoint_url)
    role = iam.create_role(RoleName=SEED_ROLE, AssumeRolePolicyDocument=json.dumps(_TRUST))["Role"]["Arn"]
    function = session.client("lambda", endpoint_url=endpoint_url).create_function(
        FunctionName=SEED_FUNCTION,
        Runtime="python3.12",
        Role=role,
        Handler="app.handler",
        Code={"ZipFile": _function_zip()},
    )
    return SeedInfo(role_arn=role, function_arn=function["FunctionArn"])
