"""The shared core of every change: plans, the guard, tokens, scope, the operations table, validation."""
