"""What the MCP-client benches measure about one tool call: its AWS calls and rounds, and its response tokens.

A response is counted twice, as its text content and as the compact JSON of its structuredContent (a
client gives the model one or the other); targets are judged on the larger. A change preview's tokens are
also broken down by field (plan.steps, plan.diff, plan.warnings, plan.token, next, ...) and its steps by
AWS call, to show what a cut would save.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from _shared import compact, tokens


@dataclass
class Call:
    what: str
    start: float
    end: float = 0.0


class Recorder:
    """Wraps AwsRuntime.call/paginate (logical calls) and counts botocore HTTP sends; measuring only."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.http_requests = 0
        self._lock = threading.Lock()

    def reset(self) -> None:
        with self._lock:
            self.calls, self.http_requests = [], 0

    def install(self) -> None:
        from apigw_mcp.server.aws import AwsRuntime

        recorder = self

        def timed(original: Callable[..., Any], label: Callable[..., str]) -> Callable[..., Any]:
            async def wrapper(rt: Any, *args: Any, **kwargs: Any) -> Any:
                entry = Call(label(*args), time.perf_counter())
                with recorder._lock:
                    recorder.calls.append(entry)
                try:
                    return await original(rt, *args, **kwargs)
                finally:
                    entry.end = time.perf_counter()

            return wrapper

        def count_send(**_: Any) -> None:
            with recorder._lock:
                recorder.http_requests += 1

        new_client = AwsRuntime._new_client

        def counted_client(rt: Any, service: str, retries: bool) -> Any:
            client = new_client(rt, service, retries)
            client.meta.events.register("before-send", count_send)
            return client

        AwsRuntime.call = timed(AwsRuntime.call, lambda s, o, *a: f"{s}.{o}")  # type: ignore[method-assign]
        AwsRuntime.paginate = timed(  # type: ignore[method-assign]
            AwsRuntime.paginate, lambda s, o, *a: f"{s}.{o} (paginate)"
        )
        AwsRuntime._new_client = counted_client  # type: ignore[method-assign,assignment]

    def rounds(self) -> int:
        """A new round starts when a call starts after every earlier call has ended."""
        return len(self.round_names())

    def round_names(self) -> list[list[str]]:
        """The calls of each sequential round, in order."""
        grouped: list[list[str]] = []
        busy_until = float("-inf")
        for call in sorted(self.calls, key=lambda c: c.start):
            if call.start >= busy_until:
                grouped.append([])
            grouped[-1].append(call.what)
            busy_until = max(busy_until, call.end)
        return grouped


def text_of(result: Any) -> str:
    return "\n".join(getattr(block, "text", "") for block in result.content)


def response_tokens(result: Any) -> dict[str, int]:
    """o200k tokens of the text content, of the structuredContent (compact JSON), and the larger."""
    text = tokens(text_of(result))
    structured = tokens(compact(result.structured_content)) if result.structured_content is not None else 0
    return {"text": text, "structured": structured, "larger": max(text, structured)}


def key_costs(value: dict[str, Any], nested: str = "") -> dict[str, int]:
    """Tokens of each top-level key's compact ``"key":value`` fragment (and of ``nested``'s keys)."""
    costs = {key: tokens(compact({key: item})) - 2 for key, item in value.items()}
    if isinstance(value.get(nested), dict):
        costs.update({f"{nested}.{k}": v for k, v in key_costs(value[nested]).items()})
        costs.pop(nested)
    return dict(sorted(costs.items(), key=lambda item: -item[1]))


def step_label(step: dict[str, Any]) -> str:
    """A plan step's call and the name it acts on (route key, stage, resource name)."""
    params = step.get("params") or {}
    call = str(step.get("call", "?")).split(".")[-1]
    for key in ("RouteKey", "StageName", "logGroupName", "Name", "FunctionName"):
        if isinstance(params.get(key), str):
            return f"{call} {params[key].split(':')[-1]}"
    return call


def preview_breakdown(structured: dict[str, Any]) -> dict[str, Any]:
    """Where a change preview's tokens go: its fields (plan.* and the top-level ones), each step, and the
    steps summed per AWS call (count, tokens). Fragments leave out the separators, so parts sum a little
    under ``total``."""
    steps = (structured.get("plan") or {}).get("steps") or []
    per_call: dict[str, list[int]] = {}
    for step in steps:
        entry = per_call.setdefault(str(step.get("call", "?")), [0, 0])
        entry[0] += 1
        entry[1] += tokens(compact(step))
    return {
        "total": tokens(compact(structured)),
        "fields": key_costs(structured, nested="plan"),
        "steps": [(step_label(s), tokens(compact(s))) for s in steps],
        "per_call": dict(sorted(per_call.items(), key=lambda item: -item[1][1])),
    }


def print_breakdown(title: str, breakdown: dict[str, Any], each_step: bool) -> None:
    print(f"{title}: {breakdown['total']} tokens (compact structuredContent)")
    print("  by field: " + ", ".join(f"{k} {v}" for k, v in breakdown["fields"].items()))
    print(
        "  steps per AWS call (count, tokens): "
        + ", ".join(f"{call} {n}x {cost}" for call, (n, cost) in breakdown["per_call"].items())
    )
    if each_step:
        print("  each step: " + ", ".join(f"{name} {cost}" for name, cost in breakdown["steps"]))
