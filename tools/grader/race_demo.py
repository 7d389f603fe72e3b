"""Race demos: programs that must make ThreadSanitizer report a data race.

Phase 07 ships the legacy aggregator, whose threads write a global map with no
lock, and a demo program that runs it (tests/07-legacy-refactor/
legacy_race_demo.cpp). In the tsan preset cmake/Workbook.cmake's
workbook_race_demo() registers it as the ctest test demo/07/LegacyAggregatorRace,
which passes only when TSan's report names the legacy file. Two users:

  * `make race-demo` (students): builds the demos in the tsan preset, runs
    them, shows TSan's report and a one-line verdict. Where TSan cannot be
    used (no clang, no TSan runtime, a host TSan cannot start on) it says
    "skipped: ..." with the fix and exits non-zero: never a silent pass.
  * `make check` (maintainers): one line per demo in the tsan preset, through
    check_line(), so a tsan preset that stopped detecting races fails the check.

    python3 tools/workbook.py race-demo          (`make race-demo` does it)
"""

import re
import shutil
from dataclasses import dataclass

from . import cmake
from .context import run

PRESET = "tsan"
TARGET = "race_demos"
REGEX = "^demo/"
RACE = "WARNING: ThreadSanitizer: data race"
EXIT_CAUGHT, EXIT_MISSED, EXIT_SKIPPED = 0, 1, 3

HOW_TO_GET_TSAN = ("ThreadSanitizer needs clang++ with its runtime (Debian/Ubuntu: `sudo apt-get install clang`, "
                   "or `make setup`); see docs/tsan.md")


@dataclass
class Verdict:
    status: str   # "caught", "missed" or "skipped"
    line: str     # the one-line verdict shown to the user

    @property
    def exit_code(self):
        return {"caught": EXIT_CAUGHT, "missed": EXIT_MISSED}.get(self.status, EXIT_SKIPPED)


def judge(output, expect=None):
    """The verdict on one demo run from its output (TSan writes to stderr, merged).

    expect: a regex the report must also match (the racy file), or None.
    """
    if "unexpected memory mapping" in output:
        return Verdict("skipped", "skipped: ThreadSanitizer could not start on this host (kernel ASLR entropy "
                                  "too high): run `sudo sysctl -w vm.mmap_rnd_bits=28`; see docs/tsan.md")
    if RACE not in output:
        if "ThreadSanitizer" not in output and "==" not in output:
            return Verdict("missed", "FAIL: no ThreadSanitizer report at all: was the demo built with "
                                     "-fsanitize=thread (the tsan preset)?")
        return Verdict("missed", "FAIL: ThreadSanitizer ran but reported no data race")
    report = first_report(output)
    if expect and not re.search(expect, report):
        return Verdict("missed", f"FAIL: TSan reported a data race, but not in {expect}")
    return Verdict("caught", "TSan reported the race")


def first_report(output):
    """The first TSan warning block (from its ==== line to the next one)."""
    start = output.find(RACE)
    if start < 0:
        return ""
    end = output.find("==================", start)
    return output[start:end if end >= 0 else len(output)]


def short_report(output, frames=2):
    """The report trimmed for reading: the warning, each access with its first frames, the summary."""
    # first_report() stops at the closing ==== line, after the SUMMARY line.
    keep, left = [], 0
    for line in first_report(output).splitlines():
        text = line.rstrip()
        if re.match(r"\s*(WARNING|Write|Read|Previous|Atomic|SUMMARY)", text):
            keep.append(text)
            left = frames
        elif re.match(r"\s*(Location|Thread|Mutex) ", text):
            left = 0
        elif left and re.match(r"\s*#\d+ ", text):
            keep.append(re.sub(r" \((?:\S+\+0x[0-9a-f]+)\).*$", "", text))
            left -= 1
    return "\n".join(keep)


def tsan_missing():
    """Why TSan cannot be used here (a sentence), or None when clang++ is present."""
    if shutil.which("clang++") is None:
        return "clang++ not found"
    return None


def build(ctx):
    """Configures the tsan preset if needed and builds every demo; a BuildResult."""
    return cmake.build(ctx, PRESET, TARGET)


def run_demos(ctx):
    """Runs every demo test verbosely; (ctest exit code, output)."""
    argv = cmake.ctest_argv(ctx, PRESET, REGEX) + ["--output-on-failure", "-V", "--no-tests=error"]
    proc = run(ctx, argv)
    return proc.returncode, proc.stdout


def check_line(ctx):
    """For `make check` in the tsan preset: (ok, text) per demo test, [] when there are none."""
    names = cmake.list_tests(ctx, PRESET, REGEX)
    if not names:
        return []
    built = build(ctx)
    if not built.ok:
        return [(False, f"{PRESET}: race demos do not build (full log: {ctx.rel(built.log)})")]
    lines = []
    for name in names:
        argv = cmake.ctest_argv(ctx, PRESET, "^" + re.escape(name) + "$") + ["-V"]
        proc = run(ctx, argv)
        verdict = judge(proc.stdout) if proc.returncode != 0 else Verdict("caught", "TSan reported the race")
        lines.append((verdict.status == "caught", f"{PRESET}: race demo {name}: {verdict.line}"))
    return lines


def main(ctx):
    """`make race-demo`: build, run, show the report and the verdict."""
    term = ctx.term
    missing = tsan_missing()
    if missing:
        term.print(term.yellow(f"skipped: {missing}. {HOW_TO_GET_TSAN}"))
        return EXIT_SKIPPED
    built = build(ctx)
    if built.missing_target:
        term.print(term.yellow("skipped: this tsan build has no race demos (is phase 07 declared in phases.cmake?)"))
        return EXIT_SKIPPED
    if not built.ok:
        term.print(cmake.compiler_errors(built.output))
        term.print(term.yellow(f"skipped: the demo did not build with -fsanitize=thread (log: {ctx.rel(built.log)}). "
                               + HOW_TO_GET_TSAN))
        return EXIT_SKIPPED
    returncode, output = run_demos(ctx)
    program_lines = [ln for ln in output.splitlines() if re.match(r"^\d+: (part|  )", ln)]
    for line in program_lines:
        term.print(re.sub(r"^\d+: ", "", line))
    report = short_report(re.sub(r"(?m)^\d+: ", "", output))
    if report:
        term.print()
        term.print(report)
        term.print(term.dim("(the full report: build/logs/tsan/race-demo.log)"))
    (ctx.logs_dir(PRESET) / "race-demo.log").write_text(output, encoding="utf-8")
    verdict = judge(output) if returncode != 0 else Verdict("caught", "TSan reported the race")
    colour = {"caught": term.green, "missed": term.red}.get(verdict.status, term.yellow)
    term.print()
    term.print(colour(f"race demo: {verdict.line}"))
    return verdict.exit_code

