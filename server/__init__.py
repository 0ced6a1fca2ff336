"""apigw-mcp's edges: settings, the AWS session and executor, the MCP server, the CLI and the sandbox."""


def package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("apigw-mcp")
    except PackageNotFoundError:
        return "0"
