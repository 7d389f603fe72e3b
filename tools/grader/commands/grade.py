"""`workbook grade`: every phase, one scorecard, Gradescope/JUnit exports.

Grading never stops at a broken phase: a phase that does not compile scores 0
of its tests and the run goes on, so one bad header costs one phase, not the
whole grade. Only infrastructure problems (no cmake, configure failed) make
the command itself fail.
"""

import time
from pathlib import Path

from .. import chaos, context, export, phases, progress, report, runner, sanitizers
from . import options


def register(subparsers):
    p = subparsers.add_parser("grade", help="run every phase and write a scorecard, results.json and junit.xml")
    options.add_track(p)
    options.add_preset(p)
    options.add_repeat(p)
    options.add_chaos(p)
    p.add_argument("--out", default="build/grade", metavar="DIR",
                   help="where results.json, junit.xml and scorecard.txt go (default: build/grade)")
    p.add_argument("--phases", default="", metavar="LIST",
                   help="only these phases, comma-separated (01,02 or goroutines,channels); default: all")
    p.set_defaults(func=run)


def chosen_phases(root, spec):
    """The phases a --phases list names, in curriculum order (all of them for "")."""
    if not spec.strip():
        return phases.discover(root)
    wanted = {phases.find(root, part).number for part in spec.split(",") if part.strip()}
    return [p for p in phases.discover(root) if p.number in wanted]


def run(args, ctx):
    context.require("cmake", "ctest")  # fail before any output, not halfway
    term = ctx.term
    for note in sanitizers.host_notes(args.preset):
        term.note(note)
    term.print(term.dim(chaos.apply(args, ctx).describe(args.preset)))
    results = []
    started = time.monotonic()
    for phase in chosen_phases(ctx.root, args.phases):
        term.print(term.bold(f"== phase {phase.number}: {phase.title}"))
        result = runner.run_phase(ctx, phase, args.track, args.preset, args.repeat, list_on_failure=True)
        if result.run.problem:
            term.print(term.red(result.run.problem))
        term.print(report.summary_line(result))
        progress.record(ctx.root, result, "grade")
        results.append(result)
    text = report.scorecard(results, with_tsan=args.preset == "tsan")
    term.print()
    term.print(text)
    out = Path(args.out) if Path(args.out).is_absolute() else ctx.root / args.out
    written = export.write_all(out, results, args.preset, args.track, args.repeat, text,
                               time.monotonic() - started)
    term.print(term.dim("wrote " + ", ".join(ctx.rel(p) for p in written)))
    for note in sanitizers.output_notes([t for r in results for t in r.tests]):
        term.note(note)
    return 0
