"""`workbook bench-report`: every phase's reference vs its baselines vs Go, in one JSON and one chart per phase.

Release preset only (timing a debug or sanitizer build measures the
instrumentation). Rounds alternate every phase's C++ program with its Go
twins, so a slow spell of a shared machine hits all sides alike.
"""

import json
import shutil

from .. import bench, bench_report, cmake, context, phases
from . import options
from .bench import build_cpp, go_env, run_cpp


def register(subparsers):
    p = subparsers.add_parser("bench-report", help="every phase's benchmarks, reference vs textbook vs Go: "
                                                   "build/bench/report.json and an SVG chart per phase")
    p.add_argument("--rounds", type=options.positive, default=3, metavar="N",
                   help="alternating rounds; figures are medians over them (default: 3)")
    p.add_argument("--phases", default="", metavar="LIST", help="comma-separated phases (default: all with benchmarks)")
    p.add_argument("--min-time", default="0.2", metavar="S", help="--benchmark_min_time per benchmark (default 0.2)")
    p.set_defaults(func=run)


def _go_binary(ctx, phase, out_dir):
    """The phase's Go twins compiled once (`go test -c`), or None."""
    go_dir = phase.bench_dir / "go"
    if not go_dir.is_dir() or not any(go_dir.glob("*_test.go")):
        return None
    exe = out_dir / f"go-{phase.number}.test"
    proc = context.run(ctx, ["go", "test", "-c", "-o", exe, "."], cwd=go_dir, env=go_env(ctx))
    return exe if proc.returncode == 0 else None


def run(args, ctx):
    context.require("cmake")
    wanted = {p.strip() for p in args.phases.split(",") if p.strip()}
    chosen = [p for p in phases.discover(ctx.root)
              if (not wanted or p.number in wanted or p.folder in wanted) and any(p.bench_dir.glob("*_bench.cpp"))]
    out_dir = ctx.root / "build" / "bench"
    out_dir.mkdir(parents=True, exist_ok=True)
    has_go = shutil.which("go") is not None
    programs = {}
    for phase in chosen:
        exe = build_cpp(ctx, phase, "solutions", "release")
        if exe is not None:
            programs[phase.number] = (phase, exe, _go_binary(ctx, phase, out_dir) if has_go else None)
    cpp_runs = {n: [] for n in programs}
    go_runs = {n: [] for n in programs}
    for k in range(1, args.rounds + 1):
        for number, (phase, exe, go_exe) in programs.items():
            ctx.term.print(ctx.term.bold(f"== round {k}/{args.rounds}: phase {number}"))
            cpp_runs[number].append(run_cpp(ctx, exe, None, out_dir / f"report-{number}-run{k}.json",
                                            extra=[f"--benchmark_min_time={args.min_time}"]))
            if go_exe is not None:
                proc = context.run(ctx, [go_exe, "-test.run", "^$", "-test.bench", ".",
                                         f"-test.benchtime={args.min_time}s"], cwd=phase.bench_dir / "go")
                go_runs[number].append(bench.parse_go(proc.stdout))
    cpu = bench_report.cpu_model()
    records = []
    for number, (phase, _, _) in programs.items():
        found = bench_report.records(number, cpp_runs[number], go_runs[number], cpu)
        records += found
        chart = out_dir / f"phase{number}.svg"
        chart.write_text(bench_report.svg_chart(number, f"Phase {number}: {phase.title} ({cpu})", found),
                         encoding="utf-8")
    report = out_dir / "report.json"
    report.write_text(json.dumps(records, indent=2) + "\n", encoding="utf-8")
    losing = bench_report.slower_than_textbook(records)
    ctx.term.print()
    if losing:
        ctx.term.print(ctx.term.red(f"{len(losing)} scenario(s) where the reference is slower than its textbook "
                                    "baseline:"))
        for phase, scenario, args_, ref, textbook in losing:
            label = scenario + (f" ({args_})" if args_ else "")
            ctx.term.print(f"  phase {phase} {label}: reference {bench.format_time(ref)}, "
                           f"textbook {bench.format_time(textbook)} ({ref / textbook:.2f}x)")
    else:
        ctx.term.print(ctx.term.green("no reference row is slower than its textbook baseline"))
    ctx.term.print(ctx.term.dim(f"wrote {ctx.rel(report)} and {len(programs)} chart(s) in {ctx.rel(out_dir)}"))
    return 0
