"""Routing rules: resources, routes, stages, deployments, custom domains and endpoints; payload, media-type,
validation, logging and cache rules.

This module only registers them, by importing the sibling modules that hold them; the shared helpers are in
``rules_routing_helpers``.
"""

from __future__ import annotations

# Rules register in import order, which breaks ties when ranking the next checks: keep this order.
# isort: off
from . import rules_routing_more  # noqa: F401  (registration)
from . import rules_routing_logging  # noqa: F401  (registration)
from . import rules_routing_cache  # noqa: F401  (registration)
from . import rules_routing_resources  # noqa: F401  (registration)
from . import rules_routing_endpoints  # noqa: F401  (registration)

# isort: on
