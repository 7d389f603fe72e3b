"""`workbook list`: the phases, named as PHASE= takes them, and how the last
run of each went (make test, watch or grade): the student's track only,
since running the reference is not progress."""

from .. import phases, progress


def register(subparsers):
    p = subparsers.add_parser("list", help="list the phases and the last result of each")
    p.set_defaults(func=run)


def status(record):
    """"33/34 passed", "does not compile", ... for one progress.Record (None: never run)."""
    if record is None:
        return "not run yet"
    if not record.compiled:
        return "does not compile"
    text = f"{record.passed}/{record.total} passed"
    if not record.complete:
        text += " (of the tests run so far)"
    return text


def provenance(record):
    """"make test, 2026-12-07 09:40" (+ the preset when it is not the default)."""
    preset = "" if record.preset == "default" else f" PRESET={record.preset}"
    return f"make {record.command}{preset}, {record.when()}"


def run(args, ctx):
    all_phases = phases.discover(ctx.root)
    if not all_phases:
        ctx.term.print("no phases yet (no phases/NN-slug folders)")
        return 0
    width = max(len(p.folder) for p in all_phases)
    rows = [(phase, progress.load(ctx.root, progress.STUDENT, phase.number)) for phase in all_phases]
    status_width = max(len(status(r)) for _, r in rows)
    for phase, record in rows:
        text = status(record).ljust(status_width)
        if record is not None:
            done = record.compiled and record.total and record.passed == record.total and record.complete
            text = (ctx.term.green if done else ctx.term.yellow)(text) + "  " + ctx.term.dim(provenance(record))
        ctx.term.print(f"  {phase.folder.ljust(width)}  {text}".rstrip())
    return 0
