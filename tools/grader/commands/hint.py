"""`workbook hint`: the next failing test's hint and its lesson section.

For a sanitizer report or a crash it prints, instead of the hint, the
diagnosis `make test` printed under that failure (kept in progress.json), so
that `make test`, `make hint` and `make watch` say the same thing.

It reads what the last run recorded (build/progress.json) and runs the tests
first only when there is no record or a file of the student's changed since.
"""

from .. import diagnose, next_step, phases, progress, runner, selection
from . import options


def register(subparsers):
    p = subparsers.add_parser("hint", help="the next failing test of a phase: its reason, hint and lesson section")
    options.add_phase(p)
    options.add_preset(p)
    options.add_test_filter(p)
    p.set_defaults(func=run)


def newest_change(phase):
    """The latest modification time of the student's files of a phase (0 if none)."""
    files = [p for p in phase.track_dir(progress.STUDENT).rglob("*") if p.is_file()]
    return max((p.stat().st_mtime for p in files), default=0)


def stale(record, phase, preset="default"):
    """Why the record cannot be used as it is, or "". A record of another
    preset answers `make hint` without PRESET=; PRESET=tsan (or asan) asks for
    that preset's failures, which only a run under it can know."""
    if record is None:
        return f"no recorded run of phase {phase.number} yet"
    if newest_change(phase) > record.at:
        return f"your files changed since the last run ({record.when()})"
    if preset != "default" and record.preset != preset:
        return f"the last run ({record.when()}) used the {record.preset} preset"
    if any(t.diagnosis is None and t.kind in diagnose.SANITIZER_KINDS for t in record.failed):
        return "the last run was recorded without the diagnosis of its sanitizer report"
    return ""


def run(args, ctx):
    phase = phases.find(ctx.root, args.phase)
    only = selection.parse(args.test) if args.test else None
    term = ctx.term
    record = progress.load(ctx.root, progress.STUDENT, phase.number)
    why = stale(record, phase, args.preset)
    if why:
        term.print(term.dim(f"{why}: running the tests of phase {phase.number} first"))
        term.echo_commands = False
        result = runner.run_phase(ctx, phase, progress.STUDENT, args.preset)
        record = progress.record(ctx.root, result, "test")
        if record is None:
            term.print(term.red(result.run.problem or "the tests did not run"))
            return 1
    if not record.compiled:
        term.print(term.red(f"phase {phase.number} does not compile; fix the first error:"))
        term.print(record.compile_errors)
        return 0
    if only is not None:
        only = selection.select(only, [t.name for t in record.tests])[0]
    test = next_step.pick(record, only)
    if test is None:
        if only is not None:
            term.print(f"no recorded test of phase {phase.number} matches TEST={only.text!r}")
        else:
            term.print(term.green(f"phase {phase.number}: all {record.total} tests passed at the last run "
                                  f"({record.when()}). Next: `make test PHASE={phase.number} PRESET=tsan`, "
                                  "then the next phase."))
        return 0
    failing = len(record.failed)
    term.print(term.dim(f"phase {phase.number}: {failing} of {record.total} tests failing at the last run "
                        f"({record.when()}, {record.preset} preset)"))
    next_step.print_focus(term, phase, test, "next:", indent="  ", full=True)
    term.print()
    next_step.print_lesson_section(term, ctx, phase, test)
    return 0
