"""`workbook bench`: your primitives vs the reference vs real Go.

Benchmarks only exist in the release preset (-O2, WORKBOOK_BENCHMARKS=ON):
timing a debug or sanitizer build would measure the instrumentation.
"""

import json
import os
import shutil

from .. import bench, cmake, context, phases
from . import options


def register(subparsers):
    p = subparsers.add_parser("bench", help="benchmark one phase: yours vs the reference vs Go")
    options.add_phase(p)
    options.add_preset(p, default="release")
    p.add_argument("--filter", metavar="REGEX", help="only benchmarks matching REGEX (--benchmark_filter)")
    p.add_argument("--runs", type=options.positive, default=3, metavar="N",
                   help="run each program N times, alternating yours and the reference; "
                        "figures are medians with their spread (default: 3)")
    p.set_defaults(func=run)


def build_cpp(ctx, phase, track, preset):
    """Builds one track's benchmark program; its path, or None if it does not compile."""
    term = ctx.term
    built = cmake.build(ctx, preset, phase.bench_target(track))
    if built.missing_target:
        raise context.InfraError(f"no target {built.target} in preset {preset!r}: benchmarks are built only "
                                 "with WORKBOOK_BENCHMARKS=ON (use --preset release), and only for phases "
                                 "that declare BENCHES in phases.cmake")
    if not built.ok:
        term.print(term.red(f"the {track} track does not compile:"))
        term.print(cmake.compiler_errors(built.output))
        return None
    exe = cmake.find_executable(ctx, preset, built.target)
    if exe is None:
        term.print(term.red(f"built {built.target}, but found no such program under {ctx.rel(ctx.binary_dir(preset))}"))
    return exe


def run_cpp(ctx, exe, regex, out, extra=()):
    """One run of a benchmark program: {name: Measurement}, {} if it produced nothing."""
    term = ctx.term
    argv = [ctx.rel(exe), "--benchmark_format=json", f"--benchmark_out={ctx.rel(out)}",
            "--benchmark_out_format=json"] + ([f"--benchmark_filter={regex}"] if regex else []) + list(extra)
    proc = context.run(ctx, argv, merge=False)
    if proc.returncode != 0:
        term.print(term.red(f"{exe.name} exited with code {proc.returncode}"))
        term.print("\n".join(proc.stderr.strip().splitlines()[-10:]))
    try:
        return bench.parse_google_json(out.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def run_alternating(ctx, phase, programs, regex, runs, out_dir):
    """{track: combined measurements}: every program `runs` times, in turn."""
    measured = {track: [] for track in programs}
    for k in range(1, runs + 1):
        for track, exe in programs.items():
            out = out_dir / f"{phase.number}-{track}-run{k}.json"
            measured[track].append(run_cpp(ctx, exe, regex, out))
    return {track: bench.combine(found) for track, found in measured.items()}


def go_env(ctx):
    """Go needs a writable build cache; use one under build/ when HOME is not writable."""
    env = dict(os.environ)
    home = env.get("HOME", "")
    if not home or not os.access(home, os.W_OK):
        env.setdefault("GOCACHE", str(ctx.root / "build" / "go-cache"))
        env.setdefault("GOPATH", str(ctx.root / "build" / "go-path"))
    return env


def run_go(ctx, phase, runs):
    """Go's own numbers for the phase's scenarios, or [] with a note why not."""
    go_dir = phase.bench_dir / "go"
    if not go_dir.is_dir() or not any(go_dir.glob("*_test.go")):
        return []
    if shutil.which("go") is None:
        ctx.term.note("go is not installed, so there is no Go column: `make setup` installs golang-go")
        return []
    argv = ["go", "test", "-run", "^$", "-bench", ".", "-benchmem", f"-count={runs}"]
    proc = context.run(ctx, argv, cwd=go_dir, env=go_env(ctx))
    if proc.returncode != 0:
        ctx.term.print(ctx.term.red(f"go test failed with exit code {proc.returncode}:"))
        ctx.term.print("\n".join(proc.stdout.strip().splitlines()[-15:]))
    return bench.combine_go(bench.parse_go(proc.stdout))


def run(args, ctx):
    phase = phases.find(ctx.root, args.phase)
    out_dir = ctx.root / "build" / "bench"
    out_dir.mkdir(parents=True, exist_ok=True)
    programs = {}
    for track in ("exercises", "solutions"):
        exe = build_cpp(ctx, phase, track, args.preset)
        if exe is not None:
            programs[track] = exe
    if "solutions" not in programs:
        return 2
    if "exercises" not in programs:
        ctx.term.print("running the reference alone")
    found = run_alternating(ctx, phase, programs, args.filter, args.runs, out_dir)
    go_rows = run_go(ctx, phase, args.runs)
    rows = bench.merge(found.get("exercises", {}), found["solutions"], go_rows)
    ctx.term.print()
    ctx.term.print(bench.table(rows))
    ctx.term.note(f"Each figure is the median of {args.runs} run(s) (yours and the reference in turn), "
                  "± half their range. yours/ref only where a row runs your code (go_*); "
                  "'within noise': the runs of the two sides overlap, so there is no difference to read.")
    merged = out_dir / f"{phase.number}.json"
    merged.write_text(json.dumps({"phase": phase.number, "preset": args.preset, "filter": args.filter,
                                  "runs": args.runs, "rows": bench.to_json(rows), "go": go_rows},
                                 indent=2) + "\n", encoding="utf-8")
    ctx.term.print(ctx.term.dim(f"wrote {ctx.rel(merged)}"))
    return 0
