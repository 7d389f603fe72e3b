"""`workbook check`: the maintainer's suite; run it before every commit.

It guards the promises the workbook makes to students:
  * every reference solution passes, under every sanitizer preset, and so
    does the support code every phase stands on (tests/00-support);
  * every test fails against the stubs (a test that passes on a stub is a
    free point that teaches nothing);
  * every mutant (a deliberately wrong reference, mutants/) is caught by the
    tests its patch names;
  * every test has a hint, and every hint belongs to a test;
  * every stub's contract block is its reference's (grader/contracts.py);
  * every relative link and anchor in the markdown resolves;
  * every test file tests/NN-slug/*_test.cpp is declared in phases.cmake;
  * the benchmark programs of both tracks compile (release preset), so that
    `make bench` works on the untouched stubs and on the reference;
  * the grader's own unit tests (tools/tests) pass;
  * all of it in chaos mode (tools/grader/chaos.py) where the preset has it,
    so the reference passes with its race windows widened and the timing
    mutants are caught every run;
  * in the tsan preset, every race demo (a program that must make TSan report
    a race: phase 07's legacy aggregator) does: the preset detects races.
"""

import re
import sys
from collections import defaultdict

from .. import chaos, cmake, context, contracts, hints, links, mutants, phases, race_demo, report, results, runner, sanitizers
from . import options
from .links import print_broken


def register(subparsers):
    p = subparsers.add_parser("check", help="maintainers: solutions pass, stubs fail, hints and links complete")
    p.add_argument("--presets", default="default,tsan,asan", metavar="LIST",
                   help="comma-separated presets to check the solutions under (default: default,tsan,asan)")
    options.add_repeat(p)
    options.add_chaos(p)
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
    """Builds <track>_tests and runs every test of the track; None if it did not build."""
    built = cmake.build(ctx, preset, f"{track}_tests")
    if not built.ok:
        checks.problem(f"{preset}: {track}_tests does not build "
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
        checks.result(False, f"{preset}: solutions do not build")
        return None
    for test in run.failed:
        checks.problem(f"{preset}: {test.name} {report.verdict(test)}: {report.failure_text(test)}")
    for note in sanitizers.output_notes(run.tests):
        ctx.term.note(note)
    checks.result(not run.failed and not run.problem,
                  f"{preset}: solutions {run.passed}/{len(run.tests)} passed" + (f" ({repeat} runs)" if repeat > 1 else ""))
    return run


def check_support(ctx, checks, preset, repeat):
    """The given code's own tests (tests/00-support: the clocks, the harness)."""
    ctx.term.print(ctx.term.bold(f"== {preset}: support code (clocks, test harness) must pass"))
    run = _build_and_run(ctx, checks, preset, "support", repeat)
    if run is None:
        checks.result(False, f"{preset}: support tests do not build")
        return
    for test in run.failed:
        checks.problem(f"{preset}: {test.name} {report.verdict(test)}: {report.failure_text(test)}")
    checks.result(not run.failed and not run.problem, f"{preset}: support {run.passed}/{len(run.tests)} passed")


def check_stubs(ctx, checks, preset):
    ctx.term.print(ctx.term.bold(f"== {preset}: every test must fail against the stubs"))
    run = _build_and_run(ctx, checks, preset, "exercises", 1)
    if run is None:
        checks.result(False, "exercises: the stubs do not build")
        return
    free = [t for t in run.tests if t.passes]
    for test in free:
        checks.problem(f"free point: {test.name} passes against the stubs")
    checks.result(not free and not run.problem,
                  f"exercises: {len(run.tests) - len(free)}/{len(run.tests)} fail against the stubs, {len(free)} free point(s)")


def check_mutants(ctx, checks, preset):
    """Runs the mutants the build compiles in this preset (their `Preset:` header)."""
    found = [m for m in mutants.discover(ctx.root) if m.preset == preset]
    if not found:
        return
    ctx.term.print(ctx.term.bold(f"== {preset}: every mutant is caught by the tests its patch names"))
    run = _build_and_run(ctx, checks, preset, "mutants", 1)
    if run is None:
        checks.result(False, f"{preset}: mutants do not build")
        return
    skipped_suites = hints.skipped_suites(ctx.binary_dir(preset))
    by_mutant = defaultdict(dict)
    for test in run.tests:
        _, number, rest = results.split_name(test.name)
        name, _, gtest_name = rest.partition("/")
        by_mutant[(number, name)][gtest_name] = test.passed
    caught = 0
    unchecked = 0
    for mutant in found:
        where = ctx.rel(mutant.path)
        tests = by_mutant.get((mutant.phase, mutant.name), {})
        if not tests:
            checks.problem(f"{where}: no tests ran against this mutant (is WORKBOOK_MUTANTS on in {preset}?)")
            continue
        if not mutant.caught_by:
            checks.problem(f"{where}: no `Caught by:` line")
        verdict = mutants.judge(mutant, tests, skipped_suites)
        if verdict.skipped:
            ctx.term.print(ctx.term.yellow(f"  note: {where}: {', '.join(verdict.skipped)} not built here "
                                           f"({skipped_suites[verdict.skipped[0].partition('.')[0]]})"))
        if mutant.caught_by and not verdict.checked:
            unchecked += 1
            continue
        for test in verdict.survivors:
            checks.problem(f"{where}: mutant survives {test} ({mutant.what})")
        for test in verdict.unknown:
            checks.problem(f"{where}: `Caught by:` names {test}, which is not a test of phase {mutant.phase}")
        caught += verdict.caught
    counted = len(found) - unchecked
    note = f" ({unchecked} not checked: every test they name is in a suite this build skipped)" if unchecked else ""
    checks.result(caught == counted, f"{preset}: mutants {caught}/{counted} caught{note}")


def note_unchecked_mutants(ctx, checks, presets):
    """Mutants whose preset was not among --presets were not verified: say so."""
    skipped = [m for m in mutants.discover(ctx.root) if m.preset not in presets]
    for mutant in skipped:
        ctx.term.print(ctx.term.yellow(f"  note: {ctx.rel(mutant.path)} needs preset {mutant.preset}, not checked"))
    if skipped:
        checks.result(True, f"mutants: {len(skipped)} not checked (their preset is not in --presets)")


def check_race_demos(ctx, checks, preset):
    """tsan only: each race demo must make ThreadSanitizer report its race."""
    if preset != race_demo.PRESET:
        return
    ctx.term.print(ctx.term.bold(f"== {preset}: race demos: TSan must report the race they contain"))
    for ok, text in race_demo.check_line(ctx):
        if not ok:
            checks.problem(text)
        checks.result(ok, text)


def check_hints(ctx, checks, test_names, skipped=None):
    """skipped: {suite: reason} of suites the build left out (their hints are not orphans)."""
    ctx.term.print(ctx.term.bold("== hints: one `## Suite.Test` per test, no orphans"))
    skipped = skipped or {}
    for suite, reason in sorted(skipped.items()):
        ctx.term.note(f"suite {suite} was not built ({reason}): its hints are not checked")
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
        where = ctx.rel(phase.hints_file)
        if not phase.hints_file.is_file():
            count = len({hints.canonical_key(t) for t in by_phase.get(number, [])})
            checks.problem(f"{where} does not exist ({count} test(s) need a `## Suite.Test` hint)")
            missing_total += count
            continue
        missing, orphaned = hints.coverage(by_phase.get(number, []), hints.load(phase.hints_file))
        orphaned = [h for h in orphaned if h.name.partition(".")[0] not in skipped]
        for key in missing:
            checks.problem(f"{where}: missing hint `## {key}`")
        for hint in orphaned:
            checks.problem(f"{where}:{hint.line}: `## {hint.name}` names no test")
        missing_total += len(missing)
        orphan_total += len(orphaned)
    checks.result(not missing_total and not orphan_total,
                  f"hints: {missing_total} missing, {orphan_total} naming no test")


BENCH_PRESET = "release"


def check_benches(ctx, checks):
    """The benchmarks only build in the release preset, which no other check
    compiles: a bench that no longer compiles against the stubs (it used a
    header only the reference includes) would first show in a student's
    `make bench`. Compiled, not run: timings are no part of the check."""
    ctx.term.print(ctx.term.bold(f"== {BENCH_PRESET}: the benchmarks of both tracks must compile"))
    ok = True
    for track in ("exercises", "solutions"):
        cmake.ensure_werror(ctx, BENCH_PRESET)
        built = cmake.build(ctx, BENCH_PRESET, f"{track}_bench")
        if not built.ok:
            ok = False
            checks.problem(f"{BENCH_PRESET}: {track}_bench does not build (full log: {ctx.rel(built.log)})")
            ctx.term.print(cmake.compiler_errors(built.output))
    checks.result(ok, f"{BENCH_PRESET}: benchmarks " + ("compile for both tracks" if ok else "do not compile"))


def check_contracts(ctx, checks):
    """Each stub promises what its reference does: the two contract blocks agree
    (grader/contracts.py has the rule). Reads files only; builds nothing."""
    ctx.term.print(ctx.term.bold("== contracts: each stub's `// Contract` block is its reference's"))
    count, differences = contracts.check(ctx.root)
    for difference in differences:
        checks.problem(difference.why)
        for line in difference.diff:
            colour = ctx.term.red if line.startswith("-") else ctx.term.green if line.startswith("+") else str
            ctx.term.print("      " + colour(line))
    checks.result(not differences, f"contracts: {count - len(differences)}/{count} header pairs agree")
    bare = contracts.bare_todos(ctx.root)
    for where in bare:
        checks.problem(f"{where}: a bare `// TODO`: say the goal (`// TODO: <what the code must do>`)")
    checks.result(not bare, f"stubs: {len(bare)} bare `// TODO` comment(s)")


def check_declared_tests(ctx, checks):
    """phases.cmake is the truth for which test files build: none left out."""
    ctx.term.print(ctx.term.bold("== tests: every tests/NN-slug/*_test.cpp is declared in phases.cmake"))
    undeclared = phases.undeclared_tests(ctx.root)
    for path in undeclared:
        checks.problem(f"{path} is in no workbook_phase() TESTS list (phases.cmake): it is never built")
    checks.result(not undeclared, f"tests: {len(undeclared)} test file(s) not declared in phases.cmake")


def check_links(ctx, checks):
    ctx.term.print(ctx.term.bold("== links: relative links and anchors resolve"))
    broken = links.check(ctx.root)
    print_broken(ctx, broken)
    for b in broken:
        checks.problems.append(f"broken link {ctx.rel(b.file)}:{b.line}: {b.target}")
    checks.result(not broken, f"links: {len(broken)} broken")


def check_grader(ctx, checks):
    """The grader's own unit tests: the scorecard is only as good as its parser."""
    ctx.term.print(ctx.term.bold("== grader: its unit tests (tools/tests) must pass"))
    proc = context.run(ctx, [sys.executable, "-m", "unittest", "discover", "-s", "tools/tests", "-t", "tools"])
    ran = re.search(r"^Ran (\d+) tests?", proc.stdout, re.MULTILINE)
    count = ran.group(1) if ran else "?"
    if proc.returncode != 0:
        ctx.term.print(proc.stdout[-3000:])
        checks.problem("grader: unit tests fail (python3 -m unittest discover -s tools/tests -t tools)")
    checks.result(proc.returncode == 0, f"grader: {count} unit tests " + ("passed" if proc.returncode == 0 else "FAILED"))


def run(args, ctx):
    context.require("cmake", "ctest")  # fail before any output, not halfway
    checks = Checklist(ctx.term)
    settings = chaos.apply(args, ctx)
    ctx.term.print(ctx.term.dim(f"{settings.describe('default')} (a failure replays with --seed {settings.seed})"))
    names = None
    skipped = {}
    presets = [p.strip() for p in args.presets.split(",") if p.strip()]
    for preset in presets:
        cmake.ensure_werror(ctx, preset)  # the reference builds warning-free (grading does not ask it)
        solutions = check_solutions(ctx, checks, preset, args.repeat)
        if solutions is not None and names is None:
            names = [t.name for t in solutions.tests]
            skipped = hints.skipped_suites(ctx.binary_dir(preset))
        check_support(ctx, checks, preset, args.repeat)
        if preset == "default":
            check_stubs(ctx, checks, preset)
        check_mutants(ctx, checks, preset)
        check_race_demos(ctx, checks, preset)
    note_unchecked_mutants(ctx, checks, presets)
    if names is None:
        checks.result(False, "hints: not checked (no solutions run succeeded)")
    else:
        check_hints(ctx, checks, names, skipped)
    check_benches(ctx, checks)
    check_contracts(ctx, checks)
    check_declared_tests(ctx, checks)
    check_links(ctx, checks)
    check_grader(ctx, checks)
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
