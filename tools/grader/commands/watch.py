"""`workbook watch`: rerun a phase's tests every time you save."""

import signal
import sys
import time

from .. import phases, progress, report, runner
from .. import watch as watch_mod
from . import options


def register(subparsers):
    p = subparsers.add_parser("watch", help="rerun one phase's tests whenever its files change")
    options.add_phase(p)
    options.add_track(p)
    options.add_preset(p)
    p.add_argument("--verbose", action="store_true", help="print every test after each run, not just the summary")
    p.set_defaults(func=run)


def run_once(ctx, phase, args):
    result = runner.run_phase(ctx, phase, args.track, args.preset)
    progress.record(ctx.root, result, "watch")
    term = ctx.term
    stamp = term.dim(time.strftime("[%H:%M:%S]"))
    if args.verbose:
        report.print_phase(ctx, result)
    if not result.compiled:
        first = next((ln for ln in result.compile_errors.splitlines() if "error" in ln), "")
        term.print(f"{stamp} phase {phase.number}: {term.red('does not compile')} {first}".rstrip())
    else:
        done = result.total and result.passed == result.total
        text = f"phase {phase.number}: {result.passed}/{result.total} passed"
        term.print(f"{stamp} {(term.green if done else term.yellow)(text)}")


def run(args, ctx):
    phase = phases.find(ctx.root, args.phase)
    watched = [phase.track_dir(args.track)]
    ctx.term.echo_commands = args.verbose
    # A plain `kill` must not orphan inotifywait: turn SIGTERM into a normal exit.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    detector = watch_mod.watcher(watched)
    ctx.term.print(ctx.term.dim(f"watching {', '.join(ctx.rel(d) for d in watched)} "
                                f"({type(detector).__name__.lower()}); Ctrl-C stops"))
    try:
        while True:
            run_once(ctx, phase, args)
            detector.wait()
    except KeyboardInterrupt:
        ctx.term.print()
        ctx.term.print("stopped watching")
        return 0
    finally:
        detector.close()
