"""What the one change path asks of an API kind (HTTP, REST, WebSocket), and what it hands the kind.

The reconciler (``server/reconciler.py``) knows only this protocol: reading the live API,
checking and planning the desired spec, the state a plan token binds, and undo records.
Each kind implements it once (``server/kinds/http.py``) and is registered by name in
``server/kinds/registry.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from apigw_mcp.server.aws import AwsRuntime, Identity
from apigw_mcp.tools.engine.plan import Plan
from apigw_mcp.tools.engine.scope import Scope


class LiveApi(Protocol):
    """What the change path reads off any live API."""

    @property
    def api_id(self) -> str: ...

    @property
    def endpoint(self) -> str: ...


LiveT = TypeVar("LiveT", bound=LiveApi)
SpecT = TypeVar("SpecT")


@dataclass(frozen=True)
class Extras:
    """Live facts outside the API: Lambda functions it uses and log groups it writes to.

    ``permissions``: does a statement already let this API invoke the function; ``statements``:
    functions holding this server's statement for the API; ``missing``: functions the desired
    spec uses that do not exist; ``broad``: warnings about over-broad statements;
    ``log_groups``: which of the ``checked_log_groups`` exist; ``managed_log_groups``: which of
    those an undo may delete (created by this server, so tagged managed); ``other_apis``: existing
    APIs besides the changed one that the plan names (a usage plan's API stages), id -> (name,
    tags), which the guard lets the plan name when they are in scope.
    """

    permissions: dict[str, bool]
    statements: list[str]
    log_groups: set[str]
    missing: list[str]
    broad: list[str]
    checked_log_groups: list[str]
    managed_log_groups: set[str]
    other_apis: Mapping[str, tuple[str, Mapping[str, str]]] = field(default_factory=dict)


@dataclass(frozen=True)
class PlanInputs:
    """Everything besides the specs that a plan follows from, settled by the change path.

    ``permissions``: functions whose invoke permission is in place or must not be added;
    ``deploy``: stages to deploy explicitly; ``drop_log_groups`` and ``drop_statements``: what an
    undone apply created outside the API, to remove.
    """

    scope: Scope
    identity: Identity
    extras: Extras
    permissions: Mapping[str, bool]
    deploy: Collection[str]
    drop_log_groups: Collection[str]
    drop_statements: Collection[str]
    deploy_if_changed: bool = False
    exact_stages: bool = False


@dataclass(frozen=True)
class Applied:
    """What an apply did that its undo record keeps: the API it changed and what it made outside it."""

    api_id: str
    permissions: list[str]
    log_groups: list[str]


@dataclass(frozen=True)
class Restore(Generic[LiveT, SpecT]):
    """An opened undo record: which API it is about, what to remove, and the desired spec it restores.

    ``desired(live)`` is the spec to reconcile to (ValueError, naming the field, when it cannot
    be) and notes for the plan; it is not called for ``created`` (the API goes away).
    """

    api_id: str
    name: str
    created: bool
    deleted: bool
    permissions: list[str]
    log_groups: list[str]
    desired: Callable[[LiveT | None], tuple[SpecT, list[str]]]


class Kind(Protocol[LiveT, SpecT]):
    """One API kind, as the change path sees it. ``name``: HTTP, REST or WEBSOCKET."""

    @property
    def name(self) -> str: ...

    def supports(self, tool: str) -> str | None:
        """Why ``tool`` cannot change an API of this kind (what to do instead); None when it can."""
        ...

    async def read(self, aws: AwsRuntime, api_id: str) -> LiveT | None:
        """The live API with this id, or None when there is none of this kind."""
        ...

    def spec_of(self, live: LiveT) -> SpecT: ...

    def check_changeable(self, scope: Scope, live: LiveT, via_name: bool) -> None:
        """OutOfScope when the scope forbids changing this API."""
        ...

    def check_written(self, desired: SpecT, live: LiveT | None, region: str, account: str) -> None:
        """ValueError("field: message") for anything the spec would write that AWS or the scope refuses."""
        ...

    def newly_wired(self, desired: SpecT, live: LiveT | None) -> list[str]:
        """Lambda functions the change newly wires to the API (routes, methods, authorizers)."""
        ...

    async def read_extras(
        self,
        aws: AwsRuntime,
        live: LiveT | None,
        desired: SpecT | None,
        identity: Identity,
        more_log_groups: Collection[str],
    ) -> Extras: ...

    def plan(self, desired: SpecT, live: LiveT | None, inputs: PlanInputs) -> Plan:
        """Steps that turn ``live`` (None: absent) into ``desired``."""
        ...

    def plan_delete(self, live: LiveT | None, inputs: PlanInputs) -> Plan:
        """Steps that delete the API (nothing left to do when ``live`` is None but leftovers)."""
        ...

    def state(self, ref: str, live: LiveT | None, extras: Extras) -> dict[str, Any]:
        """Every resource read, present or not, keyed by what a refused token names when it changed."""
        ...

    def created(self, outputs: Mapping[str, Mapping[str, Any]], region: str) -> tuple[str | None, str | None]:
        """The id and endpoint of the API an apply created, from its steps' outputs (None: none)."""
        ...

    def record(self, live: LiveT | None, desired: SpecT | None, applied: Applied) -> dict[str, Any]:
        """The undo record of an apply, as the JSON a handle seals (with its ``kind``)."""
        ...

    def restore(self, record: dict[str, Any]) -> Restore[LiveT, SpecT]:
        """The record of an opened handle, validated; ValueError when this kind never wrote it."""
        ...
