"""The MCP tools: thin wrappers that parse input, run the change path and render results."""
