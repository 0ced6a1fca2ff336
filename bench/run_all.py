"""Run the eight benchmarks and print one summary table next to the targets.

Each response's tokens are shown as text / structured / larger; token targets are judged on the larger.

Run (from the README venv, in the checkout): .venv/bin/python bench/run_all.py
Each script runs in its own process and stops by itself; its full report is printed first. A script that
fails is reported in the summary (a MISS row) and the others still run; the exit status is then 1.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _summary_rows import (
    Row,
    coldstart_rows,
    describe_rest_rows,
    describe_rows,
    diagnose_rows,
    every_response_rows,
    load_rows,
    rest_task_rows,
    task_rows,
    tools_rows,
)

HERE = Path(__file__).resolve().parent
SCRIPTS = (
    "coldstart.py",
    "tokens.py",
    "describe.py",
    "task.py",
    "rest_task.py",
    "describe_rest.py",
    "diagnose.py",
    "load.py",
)


class ScriptFailed(Exception):
    """A bench script exited non-zero; its output has been printed."""


def run(script: str) -> dict[str, Any]:
    print(f"===== {script}", flush=True)
    done = subprocess.run(
        [sys.executable, str(HERE / script), "--json"],
        capture_output=True,
        text=True,
        timeout=600,
        env=os.environ.copy(),
        check=False,
    )
    lines = done.stdout.rstrip().splitlines()
    print("\n".join(lines[:-1]) if done.returncode == 0 else done.stdout)
    if done.returncode != 0:
        print(done.stderr, file=sys.stderr, flush=True)
        said = [line.strip(" |+-") for line in done.stderr.splitlines()]
        last = next((line for line in reversed(said) if line), "")
        raise ScriptFailed(f"exit {done.returncode}: {last}")
    return dict(json.loads(lines[-1]))


def main() -> None:
    figures: dict[str, Any] = {}
    failed: dict[str, str] = {}
    for script in SCRIPTS:
        try:
            figures.update(run(script))
        except ScriptFailed as error:
            failed[script] = str(error)
    rows = [
        *section("coldstart.py", failed, lambda: coldstart_rows(figures)),
        *section("tokens.py", failed, lambda: tools_rows(figures)),
        *section("describe.py", failed, lambda: describe_rows(figures)),
        *section("task.py", failed, lambda: task_rows(figures["task"])),
        *section("rest_task.py", failed, lambda: rest_task_rows(figures["rest_task"])),
        *section("describe_rest.py", failed, lambda: describe_rest_rows(figures)),
        *section("diagnose.py", failed, lambda: diagnose_rows(figures["diagnose"], figures["audit"])),
        *every_response_rows(figures),
        *section("load.py", failed, lambda: load_rows(figures["load"])),
    ]
    width = max(len(row[0]) for row in rows)
    print("===== summary")
    print("(tokens: o200k; a response shows text / structured / larger, targets are judged on the larger)")
    print(f"{'figure':<{width}}  {'measured':>22}  {'target':>12}  result")
    for name, value, target, ok in rows:
        result = "" if ok is None else ("PASS" if ok else "MISS")
        print(f"{name:<{width}}  {value:>22}  {target:>12}  {result}")
    print_breakdowns(figures)
    for script, why in failed.items():
        print(f"{script} did not finish: {why}")
    if failed:
        raise SystemExit(f"failed: {', '.join(failed)} (summary above)")


def section(script: str, failed: dict[str, str], build: Callable[[], list[Row]]) -> list[Row]:
    """The script's rows, or one MISS row saying it failed."""
    if script in failed:
        return [(f"{script}: did not finish (why: below the table)", "failed", "finishes", False)]
    return build()


def print_breakdowns(figures: dict[str, Any]) -> None:
    parts = (
        ("task preview, by field", ("task", "preview_fields")),
        ("20-route dry run, by field", ("dry_run_20_fields",)),
        ("20-route dry run, steps per AWS call [count, tokens]", ("dry_run_20_per_call",)),
        ("describe_api 20 routes, by field", ("describe_20_fields",)),
        ("REST task create_rest_api preview, by field", ("rest_task", "preview_fields")),
        ("REST 60-method dry run, by field", ("dry_run_rest_60_fields",)),
    )
    print("\nwhere the tokens go (compact structuredContent):")
    for label, path in parts:
        fields: Any = figures
        for key in path:
            fields = fields.get(key) or {}
        print(f"  {label}: " + (", ".join(f"{k} {v}" for k, v in fields.items()) or "(not measured)"))


if __name__ == "__main__":
    main()
