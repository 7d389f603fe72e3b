"""`workbook test`: build one phase, run its tests, explain every failure."""

from .. import chaos, next_step, phases, progress, report, runner, sanitizers, selection, stack
from . import options

EXIT_FAILED, EXIT_COMPILE = 1, 2


def register(subparsers):
    p = subparsers.add_parser("test", help="build and run one phase's tests, with hints for failures")
    options.add_phase(p)
    options.add_track(p)
    options.add_preset(p)
    options.add_repeat(p)
    options.add_test_filter(p)
    options.add_chaos(p)
    p.set_defaults(func=run)


def exit_code(result):
    """0 all passed, 1 something failed, 2 the code does not compile."""
    if not result.compiled:
        return EXIT_COMPILE
    return 0 if result.total and result.passed == result.total else EXIT_FAILED


def run(args, ctx):
    phase = phases.find(ctx.root, args.phase)
    term = ctx.term
    earlier = [p for p in phases.discover(ctx.root) if p.number < phase.number]
    stack_in_use = stack.configured(ctx.binary_dir(args.preset))
    term.print(term.bold(f"== phase {phase.number} {phase.slug}: "
                         f"{stack.describe(phase, args.track, stack_in_use, earlier)}, {args.preset} preset"))
    for note in sanitizers.host_notes(args.preset):
        term.note(note)
    settings = chaos.apply(args, ctx)
    term.print(term.dim(settings.describe(args.preset)))
    only = selection.parse(args.test) if args.test else None
    result = runner.run_phase(ctx, phase, args.track, args.preset, args.repeat, only=only)
    from_earlier = stack.earlier_stub_failures(result, earlier, stack_in_use)
    progress.record(ctx.root, result, "test")
    report.print_phase(ctx, result, args.repeat)
    if settings.active(args.preset) and any(t.kind != "todo" for t in result.run.failed):
        term.print(term.dim(f"replay this run's chaos: {settings.replay(phase.number)}"))
    first = None if from_earlier else next_step.start_here(progress.from_result(result, "test"))
    if first is not None:
        term.print()
        next_step.print_focus(term, phase, first, "start here:")
    for note in sanitizers.output_notes(result.tests) + [stack.note(from_earlier, phase, args.preset)]:
        if note:
            term.note(note)
    return exit_code(result)
