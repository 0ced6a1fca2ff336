"""One package per API kind."""
