"""Run the six benchmarks and print one summary table next to the targets.

Run (from the README venv, in the checkout): .venv/bin/python bench/run_all.py
Each script runs in its own process and stops by itself; its full report is printed first.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SCRIPTS = ("coldstart.py", "tokens.py", "describe.py", "task.py", "diagnose.py", "load.py")


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
        print(done.stderr, file=sys.stderr)
        raise SystemExit(f"{script} failed with exit code {done.returncode}")
    return dict(json.loads(lines[-1]))


def main() -> None:
    figures: dict[str, Any] = {}
    for script in SCRIPTS:
        figures.update(run(script))
    d20, d100, task = figures["describe_20"], figures["describe_100"], figures["task"]
    reduced = figures["tools_list_reduced"]
    preview, apply = task["per_call"]
    diag, audit = figures["diagnose"], figures["audit"]
    rows = [
        (
            "cold start: spawn -> tools/list, median of 7",
            f"{figures['coldstart_tools_list_median_s']:.3f} s",
            "<= 0.75 s",
            figures["coldstart_tools_list_median_s"] <= 0.75,
        ),
        ("  (min / max)", f"{figures['coldstart_min_s']:.3f} / {figures['coldstart_max_s']:.3f} s", "", None),
        (
            "cold start: spawn -> initialize, median",
            f"{figures['coldstart_initialize_median_s']:.3f} s",
            "",
            None,
        ),
        (
            f"tools/list o200k tokens, all {figures['tools_count']} tools",
            str(figures["tools_list_tokens"]),
            "<= 4,000",
            figures["tools_list_tokens"] <= 4000,
        ),
        *[(f"  {name}", str(count), "", None) for name, count in figures["per_tool"].items()],
        *[
            (f"tools/list, toolset {name} alone", str(count), "", None)
            for name, count in figures["tools_list_by_toolset"].items()
        ],
        ("tools/list, toolsets read,http,diagnose", str(figures["tools_list_no_delete"]), "", None),
        (
            f"tools/list, toolsets {reduced['toolsets']} ({reduced['tools_count']} tools)",
            str(reduced["tokens"]),
            "",
            None,
        ),
        (
            "describe_api 20 routes: text + structured",
            str(d20["describe"]["both"]),
            "<= 1,500",
            d20["describe"]["both"] <= 1500,
        ),
        ("  text / structured", f"{d20['describe']['text']} / {d20['describe']['structured']}", "", None),
        ("describe_api 20 routes: AWS calls / rounds", f"{d20['calls']} / {d20['rounds']}", "", None),
        (
            "describe_api 100 routes: AWS calls / rounds",
            f"{d100['calls']} / {d100['rounds']}",
            "<= 4 rounds",
            d100["rounds"] <= 4,
        ),
        (
            "describe_api 100 routes: text / structured / both",
            f"{d100['describe']['text']} / {d100['describe']['structured']} / {d100['describe']['both']}",
            "",
            None,
        ),
        (
            "create_http_api dry run 20 routes: text / structured / both",
            f"{d20['dry_run']['text']} / {d20['dry_run']['structured']} / {d20['dry_run']['both']}",
            "",
            None,
        ),
        ("task (secured API): tool calls", str(task["tool_calls"]), "2", task["tool_calls"] <= 2),
        (
            "task: response tokens, both calls (text + structured)",
            str(task["response_tokens"]["both"]),
            "<= 1,400",
            task["response_tokens"]["both"] <= 1400,
        ),
        (
            "  text / structured",
            f"{task['response_tokens']['text']} / {task['response_tokens']['structured']}",
            "",
            None,
        ),
        (
            "task: largest single response",
            str(task["largest_response"]),
            "<= 1,500",
            task["largest_response"] <= 1500,
        ),
        (
            "  preview / apply response (both)",
            f"{preview['response']['both']} / {apply['response']['both']}",
            "",
            None,
        ),
        ("task: request tokens (arguments JSON)", str(task["request_tokens"]), "", None),
        (
            "task: AWS calls / HTTP requests (preview + apply)",
            f"{preview['aws_calls']}+{apply['aws_calls']} / {task['http_requests']}",
            "",
            None,
        ),
        (
            "task: wall time preview / apply / session",
            f"{preview['seconds']:.3f} / {apply['seconds']:.3f} / {task['seconds_total']:.3f} s",
            "",
            None,
        ),
        (
            "diagnose_error: most sequential rounds (any family)",
            str(diag["max_rounds"]),
            "<= 3",
            diag["max_rounds"] <= 3,
        ),
        (
            "diagnose_error: median response (text + structured)",
            f"{diag['median_both']:.0f}",
            "<= 1,000",
            diag["median_both"] <= 1000,
        ),
        (
            "diagnose_error: largest response (text + structured)",
            str(diag["max_both"]),
            "<= 1,500",
            diag["max_both"] <= 1500,
        ),
        ("diagnose_error: top finding as built, every family", str(diag["all_expected"]), "", None),
        *[
            (
                f"  {f['family']}: {f['rule_id']} {f['confidence']:.2f}",
                f"{f['calls']}c {f['rounds']}r {f['response']['text']}/{f['response']['structured']}t "
                f"{f['seconds']:.3f}s",
                "",
                None,
            )
            for f in diag["families"]
        ],
        (
            "audit_api, one API: calls / rounds / text / structured",
            f"{audit['calls']} / {audit['rounds']} / {audit['response']['text']} / "
            f"{audit['response']['structured']}",
            "",
            None,
        ),
        *_load_rows(figures["load"]),
    ]
    width = max(len(row[0]) for row in rows)
    print("===== summary")
    print(f"{'figure':<{width}}  {'measured':>20}  {'target':>12}  result")
    for name, value, target, ok in rows:
        result = "" if ok is None else ("PASS" if ok else "MISS")
        print(f"{name:<{width}}  {value:>20}  {target:>12}  {result}")


def _load_rows(load: dict[str, Any]) -> list[tuple[str, str, str, bool | None]]:
    overall = load["overall"]
    return [
        (
            "load: 2 HTTP servers, 20 sessions x 25 calls: errors",
            str(load["errors"]),
            "0",
            load["errors"] == 0,
        ),
        (
            "  overall p50 / p99 / max ms; calls/s",
            f"{overall['p50_ms']:.0f} / {overall['p99_ms']:.0f} / {overall['max_ms']:.0f}; "
            f"{load['calls_per_s']}",
            "",
            None,
        ),
        ("  peak RSS A / B (MB)", f"{load['rss_peak_mb']['A']} / {load['rss_peak_mb']['B']}", "", None),
    ]


if __name__ == "__main__":
    main()
