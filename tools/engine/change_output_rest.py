"""How a REST plan's steps are shown: the API id and the values the steps repeat are said once.

A REST plan (service ``apigateway``) names its API in nearly every step (``restApiId``) and repeats long
values: a Lambda invocation URI per method, the CORS response parameters per resource. The preview shows:

- ``plan.api``: the ``restApiId`` that more than one step sends. A step of ``apigateway`` whose operation
  has a ``restApiId`` parameter (every such operation requires it) and whose ``params`` leave it out sends
  ``plan.api``; a step that sends another API id shows it.
- Same method as the step before: an ``apigateway`` step whose operation has ``resourceId`` and
  ``httpMethod`` parameters (every such operation requires both) and whose ``params`` leave both out acts
  on the method of the step before it (a method's ``put_integration`` after its ``put_method``).
- ``plan.refs``: values (strings, objects, lists) that the steps send more than once and that are long
  enough to be worth a name (``r1``, ``r2``, ...). A parameter value that is exactly ``${r1}`` is
  ``plan.refs.r1``. Ref names never collide with a step id or a placeholder in the params, so any other
  ``${name}`` is still the output of the step with that id; a ref's value may hold such placeholders.

The executor's steps are untouched: this is rendering only. Expanding ``refs``, then adding ``plan.api`` and
the method of the step before, rebuilds exactly the params the executor sends (the README's result shapes;
tests/test_change_output_rest.py).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from apigw_mcp.tools.engine.plan import REF_PATTERN, Step

REST_SERVICE = "apigateway"
SHARED_ID = "restApiId"
METHOD_KEYS = ("resourceId", "httpMethod")
MIN_REF_CHARS = 40  # a shorter value costs about as many tokens as its reference
REF_COST_CHARS = 8  # the characters of a reference: "${r12}" with its quotes
MAX_REFS = 20


@dataclass(frozen=True)
class ShownSteps:
    """Each step's params as shown, and the plan-level values they leave out."""

    params: list[dict[str, Any]]
    api: str | None = None
    refs: dict[str, Any] | None = None


def shown_rest_steps(steps: list[Step]) -> ShownSteps:
    """The steps' params with the shared API id, a repeated method and repeated values said once."""
    api = _shared_api(steps)
    params = [
        _without_shared(step, api, before) for step, before in zip(steps, [None, *steps][:-1], strict=True)
    ]
    refs, params = _define_refs(params, _taken_names(steps))
    return ShownSteps(params=params, api=api, refs=refs or None)


def _shared_api(steps: list[Step]) -> str | None:
    ids = Counter(
        s.params[SHARED_ID]
        for s in steps
        if s.service == REST_SERVICE and isinstance(s.params.get(SHARED_ID), str)
    )
    if not ids:
        return None
    api, count = ids.most_common(1)[0]
    return api if count > 1 else None


def _method_of(step: Step | None) -> tuple[Any, ...] | None:
    """The REST method (API, resource, HTTP method) a step acts on, if it names one."""
    if step is None or step.service != REST_SERVICE or not all(k in step.params for k in METHOD_KEYS):
        return None
    return (step.params.get(SHARED_ID), *(step.params[k] for k in METHOD_KEYS))


def _without_shared(step: Step, api: str | None, before: Step | None) -> dict[str, Any]:
    """The step's params less the API id when it is ``api`` and the method when the step before names it."""
    if step.service != REST_SERVICE:
        return dict(step.params)
    same_method = _method_of(step) is not None and _method_of(step) == _method_of(before)
    return {
        k: v
        for k, v in step.params.items()
        if not (k == SHARED_ID and v == api) and not (same_method and k in METHOD_KEYS)
    }


def _taken_names(steps: list[Step]) -> set[str]:
    """Step ids, and every name a ``${...}`` in the params already uses."""
    text = json.dumps([s.params for s in steps], default=str)
    return {s.id for s in steps} | {m.group(1) for m in REF_PATTERN.finditer(text)}


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def _nested(value: Any) -> Iterator[Any]:
    """Every value inside ``value`` (not ``value`` itself), at any depth."""
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    for item in items:
        yield item
        yield from _nested(item)


def _best_repeat(params: list[dict[str, Any]], references: list[str]) -> tuple[str, Any] | None:
    """The repeated value whose naming saves the most characters, if any saves; a value that holds one of
    ``references`` is not named (refs do not nest)."""
    counts: Counter[str] = Counter()
    values: dict[str, Any] = {}
    for step_params in params:
        for value in _nested(step_params):
            key = _canonical(value)
            if len(key) >= MIN_REF_CHARS and not any(f'"{r}"' in key for r in references):
                counts[key] += 1
                values.setdefault(key, value)
    saving = {key: (n - 1) * len(key) - n * REF_COST_CHARS for key, n in counts.items() if n > 1}
    if not saving:
        return None
    best = max(saving, key=lambda key: (saving[key], key))
    return (best, values[best]) if saving[best] > 0 else None


def _replace(value: Any, target: str, reference: str) -> Any:
    if isinstance(value, (dict, list, str)) and _canonical(value) == target:
        return reference
    if isinstance(value, dict):
        return {k: _replace(v, target, reference) for k, v in value.items()}
    if isinstance(value, list):
        return [_replace(v, target, reference) for v in value]
    return value


def _define_refs(
    params: list[dict[str, Any]], taken: set[str]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Name the repeated values, largest saving first, until none is worth a name."""
    refs: dict[str, Any] = {}
    names = (f"r{n}" for n in range(1, len(taken) + MAX_REFS + 2) if f"r{n}" not in taken)
    while len(refs) < MAX_REFS and (found := _best_repeat(params, [f"${{{n}}}" for n in refs])) is not None:
        name = next(names)
        refs[name] = found[1]
        params = [
            {k: _replace(v, found[0], f"${{{name}}}") for k, v in step_params.items()}
            for step_params in params
        ]
    return refs, params
