"""REST APIs (API Gateway v1): spec, tool inputs, live reader and reconciler."""
