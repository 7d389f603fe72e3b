"""What the student reads in the terminal: per-test lines, hints, scorecards.

Machine-readable exports (results.json, junit.xml) live in export.py; this
module only formats text, so the same wording appears in both places.
"""

import shlex

from . import diagnose
from . import hints as hints_mod


def rate(test, repeat):
    return f"  {test.passes}/{test.runs}" if repeat > 1 else ""


def verdict(test):
    if test.passed:
        return "PASS"
    return "FLAKY" if test.flaky else "FAIL"


def failure_text(test):
    """The reason line as stored in reports: "passed 9/10 runs; <reason>" for flakes."""
    if test.flaky:
        return f"passed {test.passes}/{test.runs} runs; {test.reason}"
    return test.reason


def hint_lines(phase, test, hints, full=False):
    """The hint's first paragraph (every paragraph when full) and its Reread pointer, or nothing."""
    hint = hints_mod.lookup(hints, test)
    if hint is None:
        return []
    lines = [p for p in [hint.first] + (list(hint.more) if full else []) if p]
    reread = hint.reread_for_terminal(f"phases/{phase.folder}")
    if reread:
        lines.append(f"Reread: {reread}")
    return lines


def diagnosis_lines(result, test):
    """Where a sanitizer report or a crash points in the student's code
    (diagnose.py), or [] for any other failure. `make test` prints it under
    the failure; progress.json keeps it so that `make hint` and `make watch`
    print the same lines."""
    if test.kind not in diagnose.SANITIZER_KINDS:
        return []
    asan = rerun_command(result, test, preset="asan") if result.preset != "asan" else None
    return diagnose.explain(test.kind, test.output, asan)


def explanation_lines(result, test, hints):
    """What is printed under a failure. A sanitizer report or a crash: its
    diagnosis, then only the hint's Reread line (the lesson's section on the
    primitive), since the hint's advice is about the logic the test checks,
    not about the report. Otherwise the hint."""
    return with_hint(diagnosis_lines(result, test), hint_lines(result.phase, test.test, hints))


def with_hint(diagnosis, hint):
    """A diagnosis and the hint's Reread line, or, without a diagnosis, the hint."""
    if not diagnosis:
        return hint
    return list(diagnosis) + [line for line in hint if line.startswith("Reread: ")]


def print_explanation(term, lines, indent=8):
    """Explanation lines under a test, wrapped; lines of a diagnosis that
    start with spaces are its sub-items, indented one step deeper."""
    for line in lines:
        depth = len(line) - len(line.lstrip(" "))
        term.wrapped(line, indent=" " * (indent + depth + (2 if depth else 0)), first=" " * (indent + depth))


def print_tests(term, result, repeat=1):
    """One line per test, with the hint under each failure."""
    hints = hints_mod.load(result.phase.hints_file)
    for test in result.tests:
        word = verdict(test)
        colour = term.green if word == "PASS" else term.yellow if word == "FLAKY" else term.red
        line = f"{test.test}{rate(test, repeat)}" + ("" if test.passed else f" — {failure_text(test)}")
        term.wrapped(line, indent=" " * 8, first="  ", lead=colour(f"{word:<5}") + " ")
        # A hint explains a wrong answer; for code not written yet the
        # "not implemented yet: X" line says all there is to say.
        if not test.passed and not failure_text(test).startswith("not implemented yet"):
            print_explanation(term, explanation_lines(result, test, hints))


def summary_line(result):
    """"phase 01 (exercises, default): 3/12 passed" (+ flaky count, + TEST=...)."""
    only = f", TEST={result.only.text}" if result.only is not None else ""
    head = f"phase {result.phase.number} ({result.track}, {result.preset}{only})"
    if not result.compiled:
        return f"{head}: does not compile" + (f" (0/{result.total} passed)" if result.total else "")
    text = f"{head}: {result.passed}/{result.total} passed"
    if result.flaky:
        text += f", {len(result.flaky)} flaky"
    return text


def rerun_command(result, test, preset=None):
    """The make command that rebuilds and reruns one test (under `preset`,
    default: the run's own), printing its whole output."""
    extra = "".join(f" {k}={v}" for k, v, default in (("TRACK", result.track, "exercises"),
                                                      ("PRESET", preset or result.preset, "default"))
                    if v != default)
    # Quoted for the shell where a name needs it (a typed test's `<int>`).
    return f"make test PHASE={result.phase.number} TEST={shlex.quote(test.test)}{extra}"


OUTPUT_LINES = 150


def print_output(term, test, limit=OUTPUT_LINES):
    """A failed test's own output (its last `limit` lines), for a run of that one test."""
    lines = test.output.rstrip().splitlines()
    term.print(term.dim(f"-- output of {test.test}" + (f" (last {limit} lines)" if len(lines) > limit else "")))
    term.print("\n".join(lines[-limit:]))
    term.print(term.dim("--"))


def print_phase(ctx, result, repeat=1):
    """The full report of `workbook test`."""
    term = ctx.term
    if result.only is not None and result.only.widened:
        term.print(f"no test is named {result.only.text!r}: running those whose name contains it")
    if not result.compiled:
        term.print(term.red(f"phase {result.phase.number} ({result.track}) does not compile:"))
        term.print(result.compile_errors)
        term.print(term.dim(f"full compiler output: {ctx.rel(result.build_log)}"))
        term.print(term.bold(summary_line(result)))
        return
    if result.run.problem:
        term.print(term.red(result.run.problem))
    if result.total == 1 and result.run.failed:
        print_output(term, result.tests[0])
    print_tests(term, result, repeat)
    term.print()
    good = result.total and result.passed == result.total
    term.print(term.bold((term.green if good else term.red)(summary_line(result))))
    failed = result.run.failed
    if failed:
        logs = ", ".join(ctx.rel(p) for p in result.run.logs)
        term.print(term.dim(f"full output of the failures: {logs}"))
        if result.total > 1:
            term.print(term.dim(f"one test with its whole output: {rerun_command(result, failed[0])}"))


def tsan_verdict(result):
    """The TSan column of the scorecard."""
    if not result.compiled or not any(t.runs for t in result.tests):
        return "not run"
    racy = sum(t.tsan_report for t in result.tests)
    return f"races in {racy} tests" if racy else "clean"


def scorecard(results, with_tsan=False):
    """A fixed-width table: phase, title, passed/total, percent (+ TSan)."""
    header = ["phase", "title", "passed", "%"] + (["TSan"] if with_tsan else [])
    rows = [header]
    total = passed = 0
    for r in results:
        pct = f"{100 * r.passed // r.total}%" if r.total else "-"
        note = "" if r.compiled else " (does not compile)"
        row = [r.phase.number, r.phase.title, f"{r.passed}/{r.total}{note}", pct]
        rows.append(row + ([tsan_verdict(r)] if with_tsan else []))
        total += r.total
        passed += r.passed
    pct = f"{100 * passed // total}%" if total else "-"
    rows.append(["all", "", f"{passed}/{total}", pct] + ([""] if with_tsan else []))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    rule = "-" * max(len(ln) for ln in lines)
    return "\n".join([lines[0], rule] + lines[1:-1] + [rule, lines[-1]])
