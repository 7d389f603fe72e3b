"""`workbook watch`: rerun a phase's tests every time you save.

Each run redraws the screen (on a terminal) with what rustlings shows: the
count, the next failing test with its reason line and hint (for a sanitizer
report or a crash, the diagnosis `make test` prints instead); a compile error
shows its first error line.
"""

import signal
import sys
import time

from .. import chaos, next_step, phases, progress, report, runner, selection
from .. import watch as watch_mod
from . import options


def register(subparsers):
    p = subparsers.add_parser("watch", help="rerun one phase's tests whenever its files change")
    options.add_phase(p)
    options.add_track(p)
    options.add_preset(p)
    options.add_test_filter(p)
    options.add_chaos(p)
    p.add_argument("--verbose", action="store_true", help="print every test after each run, not just the summary")
    p.set_defaults(func=run)


def run_once(ctx, phase, args, watching):
    """Builds and runs the phase, then redraws the screen with what to do next."""
    term = ctx.term
    term.clear()
    term.print(term.dim(f"{time.strftime('[%H:%M:%S]')} building and running phase {phase.number}…"))
    only = selection.parse(args.test) if args.test else None
    result = runner.run_phase(ctx, phase, args.track, args.preset, only=only)
    progress.record(ctx.root, result, "watch")
    shown = progress.from_result(result, "watch")  # this run's tests, TEST= or not
    term.clear()
    if args.verbose:
        report.print_phase(ctx, result)
        term.print()
    stamp = term.dim(time.strftime("[%H:%M:%S]"))
    if not result.compiled:
        first = next((ln for ln in result.compile_errors.splitlines() if "error" in ln), "")
        term.print(f"{stamp} phase {phase.number}: {term.red('does not compile')} {first}".rstrip())
    elif not shown.tests:
        term.print(f"{stamp} phase {phase.number}: {term.red(result.run.problem or 'no tests ran')}")
    else:
        done = shown.passed == shown.total
        text = f"phase {phase.number}: {shown.passed}/{shown.total} passed" + (f" (TEST={args.test})" if only else "")
        term.print(f"{stamp} {(term.green if done else term.yellow)(text)}")
        term.print()
        test = next_step.pick(shown)
        if test is None:
            term.print(term.green(f"all passed. Next: make test PHASE={phase.number} PRESET=tsan"))
        else:
            next_step.print_focus(term, phase, test, "next:")
    term.print()
    term.print(term.dim(watching))


def run(args, ctx):
    phase = phases.find(ctx.root, args.phase)
    chaos.apply(args, ctx)
    watched = [phase.track_dir(args.track)]
    ctx.term.echo_commands = args.verbose
    # A plain `kill` must not orphan inotifywait: turn SIGTERM into a normal exit.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    detector = watch_mod.watcher(watched)
    watching = (f"watching {', '.join(ctx.rel(d) for d in watched)} ({type(detector).__name__.lower()}): "
                "save a file to rerun, Ctrl-C stops")
    try:
        while True:
            run_once(ctx, phase, args, watching)
            detector.wait()
    except KeyboardInterrupt:
        ctx.term.print()
        ctx.term.print("stopped watching")
        return 0
    finally:
        detector.close()
