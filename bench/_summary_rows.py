"""The rows of run_all.py's summary: one builder per bench script, each from that script's JSON figures.

A row is (figure, measured, target, verdict: True/False, or None when no target applies). A response's
tokens are shown as text / structured / larger, and token targets are judged on the larger.
"""

from __future__ import annotations

from typing import Any

Row = tuple[str, str, str, bool | None]


def three(counts: dict[str, Any]) -> str:
    """A response's tokens as text / structured / larger."""
    return f"{counts['text']} / {counts['structured']} / {counts['larger']}"


def judged(name: str, counts: dict[str, Any], target: int) -> Row:
    """A response (or sum of responses) judged on the larger of its text and structured counts."""
    return (name, three(counts), f"<= {target:,}", counts["larger"] <= target)


def coldstart_rows(figures: dict[str, Any]) -> list[Row]:
    median = figures["coldstart_tools_list_median_s"]
    return [
        ("cold start: spawn -> tools/list, median of 7", f"{median:.3f} s", "<= 0.75 s", median <= 0.75),
        ("  (min / max)", f"{figures['coldstart_min_s']:.3f} / {figures['coldstart_max_s']:.3f} s", "", None),
        (
            "cold start: spawn -> initialize, median",
            f"{figures['coldstart_initialize_median_s']:.3f} s",
            "",
            None,
        ),
    ]


def tools_rows(figures: dict[str, Any]) -> list[Row]:
    reduced, read_diagnose = figures["tools_list_reduced"], figures["tools_list_read_diagnose"]
    total = figures["tools_list_tokens"]
    return [
        (
            f"tools/list o200k tokens, all {figures['tools_count']} tools",
            str(total),
            "<= 6,000",
            total <= 6000,
        ),
        *[(f"  {name}", str(count), "", None) for name, count in figures["per_tool"].items()],
        *[
            (f"tools/list, toolset {name} alone", str(count), "", None)
            for name, count in figures["tools_list_by_toolset"].items()
        ],
        (
            f"tools/list, toolsets {read_diagnose['toolsets']} ({read_diagnose['tools_count']} tools)",
            str(read_diagnose["tokens"]),
            "<= 1,500",
            read_diagnose["tokens"] <= 1500,
        ),
        ("tools/list, toolsets read,http,diagnose", str(figures["tools_list_no_delete"]), "", None),
        (
            f"tools/list, toolsets {reduced['toolsets']} ({reduced['tools_count']} tools)",
            str(reduced["tokens"]),
            "",
            None,
        ),
    ]


def describe_rows(figures: dict[str, Any]) -> list[Row]:
    d20, d100 = figures["describe_20"], figures["describe_100"]
    return [
        judged("describe_api 20 routes: tokens", d20["describe"], 800),
        ("describe_api 20 routes: AWS calls / rounds", f"{d20['calls']} / {d20['rounds']}", "", None),
        (
            "describe_api 100 routes: AWS calls / rounds",
            f"{d100['calls']} / {d100['rounds']}",
            "<= 4 rounds",
            d100["rounds"] <= 4,
        ),
        ("describe_api 100 routes: tokens", three(d100["describe"]), "", None),
        judged("create_http_api dry run 20 routes: tokens", d20["dry_run"], 1500),
        ("create_http_api dry run 100 routes: tokens", three(d100["dry_run"]), "", None),
    ]


def task_rows(task: dict[str, Any]) -> list[Row]:
    preview, apply = task["per_call"]
    return [
        ("task (secured API): tool calls", str(task["tool_calls"]), "2", task["tool_calls"] <= 2),
        judged("task: preview + apply tokens", task["response_tokens"], 1200),
        ("  preview", three(preview["response"]), "", None),
        ("  apply", three(apply["response"]), "", None),
        ("task: request tokens (arguments JSON)", str(task["request_tokens"]), "", None),
        (
            "task: AWS calls / rounds, preview + apply",
            f"{preview['aws_calls']}+{apply['aws_calls']} / {preview['rounds']}+{apply['rounds']}",
            "",
            None,
        ),
        ("task: HTTP requests (preview + apply)", str(task["http_requests"]), "", None),
        (
            "task: wall time preview / apply / session",
            f"{preview['seconds']:.3f} / {apply['seconds']:.3f} / {task['seconds_total']:.3f} s",
            "",
            None,
        ),
    ]


def rest_task_rows(task: dict[str, Any]) -> list[Row]:
    calls = task["per_call"]
    return [
        (
            "REST task (keys + usage plan): tool calls",
            str(task["tool_calls"]),
            "<= 4",
            task["tool_calls"] <= 4,
        ),
        *(
            []
            if task["usage_tool"]
            else [("  configure_usage_plan not a tool yet: create_rest_api only", "", "", False)]
        ),
        judged("REST task: response tokens, all calls", task["response_tokens"], 2500),
        *[(f"  {c['step']}", three(c["response"]), "", None) for c in calls],
        (
            "REST task: AWS calls / rounds per call",
            ", ".join(f"{c['aws_calls']}/{c['rounds']}" for c in calls),
            "",
            None,
        ),
        ("REST task: wall time, session", f"{task['seconds_total']:.3f} s", "", None),
    ]


def describe_rest_rows(figures: dict[str, Any]) -> list[Row]:
    small, large = figures["describe_rest_60"], figures["describe_rest_300"]
    return [
        judged("describe_api REST 30 resources x 2 methods: tokens", small["describe"], 1200),
        *[
            (
                f"describe_api REST {count} methods: AWS calls / rounds",
                f"{d['calls']} / {d['rounds']}",
                "<= 3 rounds",
                d["rounds"] <= 3,
            )
            for count, d in ((60, small), (300, large))
        ],
        ("describe_api REST 300 methods: tokens", three(large["describe"]), "", None),
        ("create_rest_api dry run 60 methods + CORS: tokens", three(small["dry_run"]), "", None),
        ("create_rest_api dry run 300 methods + CORS: tokens", three(large["dry_run"]), "", None),
    ]


def diagnose_rows(diag: dict[str, Any], audit: dict[str, Any]) -> list[Row]:
    answered = len(diag["families"]) - len(diag["errors"])
    return [
        (
            "diagnose_error: answered without a tool error",
            f"{answered}/{len(diag['families'])}",
            "all",
            not diag["errors"],
        ),
        (
            "diagnose_error: most sequential rounds (any family)",
            str(diag["max_rounds"]),
            "<= 3",
            diag["max_rounds"] <= 3,
        ),
        (
            "diagnose_error: median response (larger)",
            f"{diag['median_larger']:.0f}",
            "<= 1,000",
            diag["median_larger"] <= 1000,
        ),
        ("diagnose_error: top finding as built, every family", str(diag["all_expected"]), "", None),
        *[
            (
                f"  {f['family']}: {f['rule_id']} {f['confidence']:.2f}",
                f"{f['calls']}c {f['rounds']}r {three(f['response'])}t {f['seconds']:.3f}s",
                "",
                None,
            )
            for f in diag["families"]
        ],
        (
            "audit_api, one API: calls / rounds",
            f"{audit['calls']} / {audit['rounds']}",
            "",
            None,
        ),
        ("audit_api, one API: tokens", three(audit["response"]), "", None),
    ]


def every_response_rows(figures: dict[str, Any]) -> list[Row]:
    """The largest response measured (larger count), except the 100-route dry run and the REST dry runs,
    which no target names; diagnoses that failed with a tool error, and scripts that did not finish, are
    left out (their rows say so)."""
    responses: dict[str, dict[str, Any]] = {}
    if "task" in figures:
        responses |= {f"task {c['step']}": c["response"] for c in figures["task"]["per_call"]}
    for count in (20, 100):
        if f"describe_{count}" in figures:
            responses[f"describe {count}"] = figures[f"describe_{count}"]["describe"]
    if "describe_20" in figures:
        responses["dry run 20"] = figures["describe_20"]["dry_run"]
    if "rest_task" in figures:
        responses |= {f"REST task {c['step']}": c["response"] for c in figures["rest_task"]["per_call"]}
    for count in (60, 300):
        if f"describe_rest_{count}" in figures:
            responses[f"describe REST {count}"] = figures[f"describe_rest_{count}"]["describe"]
    if "audit" in figures:
        responses["audit_api"] = figures["audit"]["response"]
    for family in figures.get("diagnose", {}).get("families", []):
        if not family.get("error"):
            responses[f"diagnose {family['family']}"] = family["response"]
    if not responses:
        return [("every response (larger)", "not measured", "<= 1,500", False)]
    name, counts = max(responses.items(), key=lambda item: int(item[1]["larger"]))
    over = [f"{n} {c['larger']}" for n, c in responses.items() if c["larger"] > 1500]
    return [
        (f"every response (larger); largest: {name}", str(counts["larger"]), "<= 1,500", not over),
        *([(f"  over 1,500: {', '.join(over)}", "", "", None)] if over else []),
    ]


def load_rows(load: dict[str, Any]) -> list[Row]:
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
