"""The benchmark report: every phase's reference against its baselines and Go, as records and charts.

`make bench-report` runs the reference's benchmark program of every phase and
the phase's Go twins, alternating them round after round so that a slow spell
of the machine hits every side, and reduces each benchmark to one record:

    {"phase": "05", "scenario": "SemaphoreContended", "args": "",
     "implementation": "reference" | "textbook" | "go" | <another baseline: "std_mutex", ...>,
     "median_ns": 14.4, "min_ns": 13.9, "max_ns": 15.8, "runs": 3, "cpu": "<model name>"}

A C++ benchmark `Scenario/variant[/args]` belongs to the reference when its
variant starts with `go_` (the code under go::), to `textbook` when it starts
with `textbook`, and otherwise to the baseline its variant names (std_mutex,
std_thread, ...). The summary names every scenario where the reference is
slower than its textbook baseline.
"""

import html
import math
import statistics
from pathlib import Path

from . import bench


def implementation_of(variant):
    name = variant.split("/", 1)[0]
    if bench.runs_student_code(name):
        return "reference"
    if name.startswith(bench.BASELINE_PREFIX):
        return "textbook"
    return name


def cpu_model(cpuinfo="/proc/cpuinfo"):
    try:
        for line in Path(cpuinfo).read_text(encoding="utf-8", errors="replace").splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def records(phase, cpp_runs, go_runs, cpu):
    """cpp_runs: [{name: Measurement}] (one dict per run); go_runs: [[go row]] (one list per run)."""
    found = []
    times = {}
    for run in cpp_runs:
        for name, m in run.items():
            if m.error or not m.ns_per_op:
                continue
            scenario, variant = bench.split_name(name)
            args = variant.split("/", 1)[1] if "/" in variant else ""
            key = (scenario, args, implementation_of(variant), variant.split("/", 1)[0])
            times.setdefault(key, []).append(m.ns_per_op)
    for run in go_runs:
        for row in run:
            key = (row["scenario"], row.get("variant", ""), "go", row["name"])
            times.setdefault(key, []).append(row["ns_per_op"])
    for (scenario, args, implementation, variant), values in times.items():
        found.append({"phase": phase, "scenario": scenario, "args": args, "implementation": implementation,
                      "variant": variant, "median_ns": statistics.median(values), "min_ns": min(values),
                      "max_ns": max(values), "runs": len(values), "cpu": cpu})
    return found


def slower_than_textbook(all_records):
    """[(phase, scenario, args, reference ns, textbook ns)] where the reference loses."""
    index = {(r["phase"], r["scenario"], r["args"], r["implementation"]): r for r in all_records}
    losing = []
    for (phase, scenario, args, implementation), r in sorted(index.items()):
        if implementation != "reference":
            continue
        textbook = index.get((phase, scenario, args, "textbook"))
        if textbook and r["median_ns"] > textbook["median_ns"]:
            losing.append((phase, scenario, args, r["median_ns"], textbook["median_ns"]))
    return losing


_COLOURS = {"reference": "#1f77b4", "textbook": "#d62728", "go": "#2ca02c"}
_OTHER = "#7f7f7f"


def svg_chart(phase, title, phase_records):
    """Horizontal bars, one group per scenario (reference, textbook, Go, other baselines), log scale."""
    groups = {}
    for r in sorted(phase_records, key=lambda r: (r["scenario"], r["args"], r["implementation"] != "reference",
                                                   r["implementation"])):
        label = r["scenario"] + (f" ({r['args']})" if r["args"] else "")
        groups.setdefault(label, []).append(r)
    if not groups:
        return ""
    lo = min(r["median_ns"] for rs in groups.values() for r in rs)
    hi = max(r["median_ns"] for rs in groups.values() for r in rs)
    lo_exp, hi_exp = math.floor(math.log10(max(lo, 1e-3))), math.ceil(math.log10(max(hi, 1e-3)))
    hi_exp = max(hi_exp, lo_exp + 1)
    left, width, bar, gap, top = 260, 520, 14, 12, 40

    def x(ns):
        return left + width * (math.log10(max(ns, 10 ** lo_exp)) - lo_exp) / (hi_exp - lo_exp)

    rows = sum(len(rs) for rs in groups.values())
    height = top + rows * bar + len(groups) * gap + 40
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 140}" height="{height}" '
           'font-family="sans-serif" font-size="11">',
           f'<text x="10" y="20" font-size="14" font-weight="bold">{html.escape(title)}</text>']
    for k in range(lo_exp, hi_exp + 1):
        gx = x(10 ** k)
        out.append(f'<line x1="{gx:.1f}" y1="{top - 8}" x2="{gx:.1f}" y2="{height - 30}" stroke="#ddd"/>')
        out.append(f'<text x="{gx:.1f}" y="{height - 16}" text-anchor="middle">{bench.format_time(10 ** k)}</text>')
    y = top
    for label, rs in groups.items():
        out.append(f'<text x="{left - 8}" y="{y + bar - 3}" text-anchor="end" font-weight="bold">'
                   f'{html.escape(label)}</text>')
        for r in rs:
            colour = _COLOURS.get(r["implementation"], _OTHER)
            w = max(1.0, x(r["median_ns"]) - left)
            out.append(f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{bar - 2}" fill="{colour}">'
                       f'<title>{html.escape(r["variant"])}: {bench.format_time(r["median_ns"])} '
                       f'(runs {bench.format_time(r["min_ns"])} to {bench.format_time(r["max_ns"])})</title></rect>')
            out.append(f'<text x="{left + w + 4:.1f}" y="{y + bar - 4}">{html.escape(r["implementation"])} '
                       f'{bench.format_time(r["median_ns"])}</text>')
            y += bar
        y += gap
    out.append(f'<text x="10" y="{height - 4}" fill="#555">log scale; time per operation, median of the runs '
               '(shorter is faster)</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"
