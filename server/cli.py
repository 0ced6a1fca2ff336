"""The ``apigw-mcp`` command: serve, demo, iam-policy, --version."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from . import package_version

EXAMPLES = """examples:
  apigw-mcp demo                               walk through a preview and an apply on the sandbox
  apigw-mcp serve --sandbox                    stdio server against an embedded moto sandbox
  APIGW_MCP_REGION=eu-west-1 apigw-mcp serve   stdio server on your AWS credentials
  apigw-mcp serve --region us-east-1 --read-only --transport http --port 8765
"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="apigw-mcp",
        description="MCP server for AWS API Gateway: previewed, scoped, token-applied changes.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {package_version()}")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser(
        "serve",
        help="run the MCP server",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _scope_flags(serve)
    serve.add_argument(
        "--transport", choices=["stdio", "http"], default="stdio", help="stdio (default) or streamable HTTP"
    )
    serve.add_argument(
        "--host",
        default="127.0.0.1",
        help="HTTP bind address (default 127.0.0.1); any other needs a bearer token and --allowed-host",
    )
    serve.add_argument("--port", type=int, default=8000, help="HTTP port (default 8000)")
    serve.add_argument(
        "--http-token-file",
        help="file holding the bearer token HTTP clients must send (or APIGW_MCP_HTTP_TOKEN)",
    )
    serve.add_argument(
        "--allowed-host", action="append", dest="allowed_hosts", help="Host header value HTTP accepts"
    )
    serve.add_argument(
        "--allowed-origin", action="append", dest="allowed_origins", help="browser Origin HTTP accepts"
    )
    serve.add_argument(
        "--sandbox",
        action="store_true",
        help="serve an embedded moto sandbox (no AWS account; deletes on unless --no-allow-deletes)",
    )
    demo = commands.add_parser("demo", help="an end-to-end walk on the sandbox")
    demo.add_argument("--json", action="store_true", help="print one JSON document instead of text")
    policy = commands.add_parser(
        "iam-policy",
        help="print the least-privilege IAM policy for the configured scope",
        description='Print the IAM policy JSON to stdout and notes (every Resource "*" and why) to stderr.',
    )
    policy.add_argument(
        "--mode",
        choices=["read-only", "operator"],
        default="read-only",
        help="read-only: the reads; operator: also the writes (deletes only with --allow-deletes)",
    )
    _change_scope_flags(policy)
    return parser


def _change_scope_flags(parser: argparse.ArgumentParser) -> None:
    """What may change: shared by serve and iam-policy, so a policy is printed for the scope served."""
    parser.add_argument("--region", help="AWS region to work in (or APIGW_MCP_REGION / AWS_REGION); required")
    parser.add_argument(
        "--account", help="the account id: serve refuses other credentials; iam-policy needs it"
    )
    parser.add_argument(
        "--api-id",
        action="append",
        dest="api_ids",
        help="an existing API (not created by apigw-mcp) that may change; repeat for more",
    )
    parser.add_argument(
        "--api-name-prefix",
        action="append",
        dest="api_name_prefixes",
        help="APIs whose name starts with this may change; repeat for more",
    )
    parser.add_argument(
        "--allow-lambda",
        action="append",
        dest="lambda_arns",
        help="Lambda ARN pattern (* wildcards) routes and authorizers may use (default: this region)",
    )
    parser.add_argument(
        "--allow-deletes",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="allow applying plans that delete (default: off, on with --sandbox); previews always work",
    )


def _scope_flags(parser: argparse.ArgumentParser) -> None:
    from .settings import TOOLSETS

    _change_scope_flags(parser)
    parser.add_argument("--profile", help="AWS profile for credentials (default: boto3's chain)")
    parser.add_argument("--endpoint-url", help="AWS endpoint override (set by --sandbox)")
    parser.add_argument(
        "--read-only", action="store_true", default=None, help="refuse every change; reads and diagnosis work"
    )
    parser.add_argument("--audit-log", help="JSONL audit log path, or 'off'")
    groups = "; ".join(f"{name}: {', '.join(tools)}" for name, tools in TOOLSETS.items())
    parser.add_argument("--toolsets", help=f"comma-separated tool groups to expose (default: all). {groups}")


def main(argv: Sequence[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    from .settings import SettingsError

    try:
        if args.command == "demo":
            from .demo import run_demo

            sys.exit(run_demo(as_json=args.json))
        if args.command == "iam-policy":
            sys.exit(_iam_policy(args))
        _serve(args)
    except SettingsError as error:
        sys.exit(f"apigw-mcp: {error}")
    except KeyboardInterrupt:
        sys.exit(130)


def _iam_policy(args: argparse.Namespace) -> int:
    import json

    from apigw_mcp.tools.engine.iam_policy import PolicyError, build_policy

    from .settings import SettingsError, load_settings

    try:
        settings = load_settings(
            region=args.region,
            account=args.account,
            api_ids=args.api_ids,
            api_name_prefixes=args.api_name_prefixes,
            lambda_arns=args.lambda_arns,
            allow_deletes=args.allow_deletes,
        )
        policy, notes = build_policy(args.mode, settings.scope(), settings.account, settings.allow_deletes)
    except (SettingsError, PolicyError) as error:
        print(f"apigw-mcp: {error}", file=sys.stderr)
        return 2
    print(json.dumps(policy, indent=2))
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    return 0


def _serve(args: argparse.Namespace) -> None:
    from apigw_mcp.server.sandbox.launcher import Sandbox, SandboxError

    from .cli_support import sandbox_credentials

    flags = {
        name: getattr(args, name)
        for name in (
            "region",
            "profile",
            "endpoint_url",
            "account",
            "api_ids",
            "api_name_prefixes",
            "lambda_arns",
            "read_only",
            "allow_deletes",
            "audit_log",
            "toolsets",
            "allowed_hosts",
            "allowed_origins",
        )
    }
    if args.http_token_file:
        flags["http_token"] = _read_token(args.http_token_file)
    if not args.sandbox:
        _run(flags, args)
        return
    region = flags["region"] or os.environ.get("APIGW_MCP_REGION") or "us-east-1"
    if flags["allow_deletes"] is None and "APIGW_MCP_ALLOW_DELETES" not in os.environ:
        flags["allow_deletes"] = (
            True  # the sandbox is an account of its own: deletes on unless said otherwise
        )
    try:
        with Sandbox(region) as box:
            sandbox_credentials()
            print(
                f"apigw-mcp sandbox: {box.endpoint} ({region}); role {box.seed.role_arn}; "
                f"function {box.seed.function_arn}",
                file=sys.stderr,
                flush=True,
            )
            note = (
                "Sandbox (moto on this machine, no AWS account): the Lambda function "
                f"{box.seed.function_arn} is ready for routes and authorizers (list_functions shows it); "
                "deletes are on."
            )
            _run({**flags, "region": region, "endpoint_url": box.endpoint}, args, note)
    except SandboxError as error:
        sys.exit(f"apigw-mcp: {error}")


def _read_token(path: str) -> str:
    from .settings import SettingsError

    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read().strip()
    except OSError as error:
        raise SettingsError(f"--http-token-file {path}: {error.strerror}") from None


def _run(flags: dict[str, object], args: argparse.Namespace, note: str = "") -> None:
    from .settings import load_settings

    settings = load_settings(**flags)
    from .app import build_server

    if args.transport != "http":
        build_server(settings, note=note).run("stdio")
        return
    from .http_serve import HttpBinding, transport_security

    binding = HttpBinding(args.host, args.port)
    security = transport_security(settings, binding)
    server = build_server(settings, http=binding, note=note)
    server.run("streamable-http", host=args.host, port=args.port, transport_security=security)


if __name__ == "__main__":
    main()
