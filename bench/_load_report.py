"""Figures and the human table of load.py: nearest-rank latency percentiles, the audit log check, RSS."""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile (the value at rank ceil(fraction * n))."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def latency(seconds: Sequence[float]) -> dict[str, float]:
    ms = [value * 1000 for value in seconds]
    return {
        "n": len(ms),
        "p50_ms": round(percentile(ms, 0.50), 1),
        "p99_ms": round(percentile(ms, 0.99), 1),
        "max_ms": round(max(ms), 1),
    }


def latencies(timed: Sequence[tuple[str, float]], wall: float) -> dict[str, Any]:
    """Call count, throughput, and latency overall and per call label, from (label, seconds) pairs."""
    labels = sorted({label for label, _ in timed})
    return {
        "calls": len(timed),
        "seconds": round(wall, 2),
        "calls_per_s": round(len(timed) / wall, 1),
        "overall": latency([seconds for _, seconds in timed]) if timed else {},
        "per_tool": {name: latency([s for label, s in timed if label == name]) for name in labels},
    }


def audit_lines(path: Path) -> tuple[int, int]:
    """(lines, lines that are not one JSON object) of the shared audit log."""
    lines = path.read_text().splitlines() if path.exists() else []
    broken = 0
    for line in lines:
        try:
            broken += not isinstance(json.loads(line), dict)
        except ValueError:
            broken += 1
    return len(lines), broken


def mb(kb: int | None) -> float | None:
    return None if kb is None else round(kb / 1024, 1)


def report(figures: dict[str, Any]) -> None:
    print(f"mode {figures['mode']} (protocol {figures['protocol']})")
    print(f"{'call':<28} {'n':>4} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    rows = [*figures["per_tool"].items(), *([("overall", figures["overall"])] if figures["overall"] else [])]
    for label, row in rows:
        print(f"{label:<28} {row['n']:>4} {row['p50_ms']:>8.1f} {row['p99_ms']:>8.1f} {row['max_ms']:>8.1f}")
    print(
        f"\n{figures['calls']}/{figures['calls_expected']} calls in {figures['seconds']:.2f}s "
        f"({figures['calls_per_s']:.1f} calls/s); errors {figures['errors']}; "
        f"expected refusals {figures['expected_refusals']}"
    )
    print(
        f"plan tokens applied on the other server: {figures['cross_server_plan_tokens']}; undo handles "
        f"undone on the other server: {figures['cross_server_undo_handles']}; "
        f"audit lines {figures['audit_lines']}"
    )
    print(f"no/wrong bearer token -> HTTP {figures['unauthenticated_statuses']}")
    print(f"first call on a fresh server (warm-up, not in the table), s: {figures['first_call_s']}")
    print(f"RSS MB before the load {figures['rss_before_load_mb']}; peak (VmHWM) {figures['rss_peak_mb']}")
    print(f"server CPU seconds during the load (user + system): {figures['server_cpu_s']}")
    sys.stdout.flush()
    for sample in figures["error_samples"]:
        print(f"error: {sample}", file=sys.stderr)
