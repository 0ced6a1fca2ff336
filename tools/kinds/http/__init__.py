"""Everything about HTTP APIs: spec, inputs, live reader, planner, edits, describe, undo record."""
