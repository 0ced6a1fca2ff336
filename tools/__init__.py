"""Pure core of apigw-mcp: specs, validation, planning, scope and guard.

Nothing here imports boto3, botocore or mcp: every function is a function of data,
testable with no AWS and no MCP session.
"""
