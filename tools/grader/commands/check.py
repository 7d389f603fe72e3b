"""`workbook check`: the maintainer's suite; run it before every commit.

It guards the promises the workbook makes to students:
  * every reference solution passes, under every sanitizer preset;
  * every test fails against the stubs (a test that passes on a stub is a
    free point that teaches nothing);
  * every test has a hint, and every hint belongs to a test;
  * every relative link and anchor in the markdown resolves.
"""

from collections import defaultdict

from .. import cmake, hints, links, phases, report, results, runner, sanitizers
from . import options
from .links import print_broken


def register(subparsers):
    p = subparsers.add_parser("check", help="maintainers: solutions pass, stubs fail, hints and links complete")
    p.add_argument("--presets", default="default,tsan,asan", metavar="LIST",
                   help="comma-separated presets to check the solutions under (default: default,tsan,asan)")
    options.add_repeat(p)
    p.set_defaults(func=run)


class Checklist:
    """Collects problems and the one-line result of each check for the summary."""

    def __init__(self, term):
        self.term = term
        self.problems = []
        self.lines = []

    def problem(self, text):
        self.problems.append(text)
        self.term.print(f"  {self.term.red('✗')} {text}")

    def result(self, ok, text):
        self.lines.append(f"{self.term.green('ok  ') if ok else self.term.red('FAIL')}  {text}")


def _build_and_run(ctx, checks, preset, track, repeat):
    """Builds <track>_tests and runs every test of the track; None if it did not compile."""
    built = cmake.build(ctx, preset, f"{track}_tests")
    if not built.ok:
        checks.problem(f"{preset}: the {track} track does not compile "
                       f"(full log: {ctx.rel(built.log)})")
        ctx.term.print(cmake.compiler_errors(built.output))
        return None
    run = runner.run_tests(ctx, preset, f"^{track}/", ctx.logs_dir(preset) / f"check-{track}", repeat)
    if run.problem:
        checks.problem(f"{preset}: {run.problem}")
    return run


def check_solutions(ctx, checks, preset, repeat):
    ctx.term.print(ctx.term.bold(f"== {preset}: reference solutions must pass"))
    for note in sanitizers.host_notes(preset):
        ctx.term.note(note)
    run = _build_and_run(ctx, checks, preset, "solutions", repeat)
    if run is None:
        checks.result(False, f"{preset}: solutions do not compile")
        return None
    for test in run.failed:
        checks.problem(f"{preset}: {test.name} {report.verdict(test)}: {report.failure_text(test)}")
    for note in sanitizers.output_notes(run.tests):
        ctx.term.note(note)
    checks.result(not run.failed and not run.problem,
                  f"{preset}: solutions {run.passed}/{len(run.tests)} passed" + (f" ({repeat} runs)" if repeat > 1 else ""))
    return run


def check_stubs(ctx, checks, preset):
    ctx.term.print(ctx.term.bold(f"== {preset}: every test must fail against the stubs"))
    run = _build_and_run(ctx, checks, preset, "exercises", 1)
    if run is None:
        checks.result(False, "exercises: the stubs do not compile")
        return
    free = [t for t in run.tests if t.passes]
    for test in free:
        checks.problem(f"free point: {test.name} passes against the stubs")
    checks.result(not free and not run.problem,
                  f"exercises: {len(run.tests) - len(free)}/{len(run.tests)} fail against the stubs, {len(free)} free point(s)")


def check_hints(ctx, checks, test_names):
    ctx.term.print(ctx.term.bold("== hints: one `## Suite.Test` per test, no orphans"))
    by_phase = defaultdict(list)
    for name in test_names:
        _, number, test = results.split_name(name)
        by_phase[number].append(test)
    known = {p.number: p for p in phases.discover(ctx.root)}
    missing_total = orphan_total = 0
    for number in sorted(set(by_phase) - set(known)):
        checks.problem(f"tests of phase {number!r} have no phases/{number}-slug folder")
    for number, phase in known.items():
        if number not in by_phase:
            checks.problem(f"phase {number} has no tests in the solutions track")
        phase_hints = hints.load(phase.hints_file)
        missing, orphaned = hints.coverage(by_phase.get(number, []), phase_hints)
        where = ctx.rel(phase.hints_file)
        for key in missing:
            checks.problem(f"{where}: missing hint `## {key}`")
        for hint in orphaned:
            checks.problem(f"{where}:{hint.line}: `## {hint.name}` names no test")
        missing_total += len(missing)
        orphan_total += len(orphaned)
    checks.result(not missing_total and not orphan_total,
                  f"hints: {missing_total} missing, {orphan_total} naming no test")


def check_links(ctx, checks):
    ctx.term.print(ctx.term.bold("== links: relative links and anchors resolve"))
    broken = links.check(ctx.root)
    print_broken(ctx, broken)
    for b in broken:
        checks.problems.append(f"broken link {ctx.rel(b.file)}:{b.line}: {b.target}")
    checks.result(not broken, f"links: {len(broken)} broken")


def run(args, ctx):
    checks = Checklist(ctx.term)
    names = None
    for preset in [p.strip() for p in args.presets.split(",") if p.strip()]:
        solutions = check_solutions(ctx, checks, preset, args.repeat)
        if solutions is not None and names is None:
            names = [t.name for t in solutions.tests]
        if preset == "default":
            check_stubs(ctx, checks, preset)
    if names is None:
        checks.result(False, "hints: not checked (no solutions run succeeded)")
    else:
        check_hints(ctx, checks, names)
    check_links(ctx, checks)
    term = ctx.term
    term.print()
    term.print(term.bold("== check summary"))
    for line in checks.lines:
        term.print(f"  {line}")
    if checks.problems:
        term.print(term.red(term.bold(f"{len(checks.problems)} problem(s)")))
        return 1
    term.print(term.green(term.bold("all checks passed")))
    return 0
