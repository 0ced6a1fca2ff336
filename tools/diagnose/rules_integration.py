"""Integration rules: Lambda permissions and errors, proxy response formats, timeouts, HTTP backends.

This module only registers them, by importing the sibling modules that hold them; the shared helpers are in
``rules_integration_helpers`` and ``rules_lambda_helpers``.
"""

from __future__ import annotations

# Rules register in import order, which breaks ties when ranking the next checks: keep this order.
# isort: off
from . import rules_lambda  # noqa: F401  (registration)
from . import rules_integration_responses  # noqa: F401  (registration)
from . import rules_timeout  # noqa: F401  (registration)
from . import rules_backend  # noqa: F401  (registration)
from . import rules_websocket  # noqa: F401  (registration)
from . import rules_websocket_callbacks  # noqa: F401  (registration)

# isort: on
