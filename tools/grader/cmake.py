"""Running cmake and ctest: configure once, build one target, run selected tests.

Everything the build knows (compilers, sanitizer flags, the TSan launcher,
timeouts) lives in CMakePresets.json and the CMake files; this module only
invokes them, echoes each command so students can run it themselves, and never
hides a failing exit code.
"""

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from .context import InfraError, require, run


def ensure_configured(ctx, preset):
    """Runs `cmake --preset P` unless build/P already has a CMakeCache.txt."""
    if (ctx.binary_dir(preset) / "CMakeCache.txt").is_file():
        return
    require("cmake")
    proc = run(ctx, ["cmake", "--preset", preset], capture=False)
    if proc.returncode != 0:
        raise InfraError(f"`cmake --preset {preset}` failed with exit code {proc.returncode}")


_WERROR_ON = re.compile(r"^WORKBOOK_WERROR:BOOL=(ON|TRUE|1)$", re.M | re.I)


def ensure_werror(ctx, preset):
    """Configures build/P with WORKBOOK_WERROR=ON (warnings are errors in the
    reference) unless it already is. Only `make check` asks for it: a
    student's grading build keeps the default, OFF, so that a newer
    compiler's new warning in the reference never fails their grade."""
    ensure_configured(ctx, preset)
    cache = ctx.binary_dir(preset) / "CMakeCache.txt"
    if _WERROR_ON.search(cache.read_text(errors="replace")):
        return
    proc = run(ctx, ["cmake", "--preset", preset, "-DWORKBOOK_WERROR=ON"], capture=False)
    if proc.returncode != 0:
        raise InfraError(f"`cmake --preset {preset} -DWORKBOOK_WERROR=ON` failed with exit code {proc.returncode}")


@dataclass
class BuildResult:
    target: str
    returncode: int
    output: str
    log: Path

    @property
    def ok(self):
        return self.returncode == 0

    @property
    def missing_target(self):
        """True when the target does not exist in this preset (e.g. benches outside release)."""
        return not self.ok and bool(re.search(
            r"unknown target '|No rule to make target|Unknown target", self.output))


def build(ctx, preset, target):
    """Builds one target, keeping the full compiler output in build/logs/<preset>/."""
    require("cmake")
    ensure_configured(ctx, preset)
    proc = run(ctx, ["cmake", "--build", "--preset", preset, "--target", target])
    log = ctx.logs_dir(preset) / f"build-{target}.log"
    log.write_text(proc.stdout, encoding="utf-8")
    return BuildResult(target, proc.returncode, proc.stdout, log)


_ERROR_LINE = re.compile(r"(\berror\b|undefined reference|ld returned|fatal error)", re.I)
_NOISE = re.compile(r"^(\[\d+/\d+\]|FAILED: |ninja: |gmake|make(\[\d+\])?: |/usr/bin/\S*(c\+\+|g\+\+|clang\+\+|ld)\s)")


def compiler_errors(output, limit=40):
    """The part of a build log a student must read: from the first error on.

    Context lines that lead up to the first error ("In file included from",
    "In instantiation of") are kept; ninja progress lines and the long
    compiler command lines are dropped.
    """
    lines = [ln for ln in output.splitlines() if not _NOISE.match(ln)]
    first = next((i for i, ln in enumerate(lines) if _ERROR_LINE.search(ln)), None)
    if first is None:
        return "\n".join(lines[-limit:])
    start = first
    while start > 0 and re.match(r"^(In file included|\s+from |.*: In |.*: (required|note))", lines[start - 1]):
        start -= 1
    return "\n".join(lines[start:start + limit])


@dataclass
class CtestRun:
    returncode: int
    console: str
    junit: Path


def ctest_argv(ctx, preset, regex, junit=None, exclude=None):
    """The ctest command line for one selection of tests (-R regex, -E exclude).

    `ctest --test-dir build/P` rather than `ctest --preset P`: the test
    presets carry a label filter (e.g. `default` includes only the exercises
    track) that would silently combine with -R and select nothing for the
    other track. The per-test settings that matter (TIMEOUT, the TSan
    launcher) live in the tests themselves, not in the preset.
    """
    argv = ["ctest", "--test-dir", ctx.rel(ctx.binary_dir(preset)), "-R", regex]
    if exclude:
        argv += ["-E", exclude]
    if junit is not None:
        argv += ["--output-junit", str(Path(junit).resolve())]
    return argv


def run_ctest(ctx, preset, regex, log_stem, exclude=None):
    """Runs the selected tests in parallel.

    ctest's JUnit report goes to `<log_stem>.junit.xml` and its console output
    to `<log_stem>.ctest.log`; both are kept for the student to read in full.
    """
    require("ctest")
    junit = Path(f"{log_stem}.junit.xml")
    if junit.exists():
        junit.unlink()
    argv = ctest_argv(ctx, preset, regex, junit, exclude) + ["-j", str(ctx.jobs), "--no-tests=error"]
    proc = run(ctx, argv, env=ctx.test_env)
    Path(f"{log_stem}.ctest.log").write_text(proc.stdout, encoding="utf-8")
    return CtestRun(proc.returncode, proc.stdout, junit)


def list_tests(ctx, preset, regex):
    """Names of the tests ctest knows for a selection (needs the target built)."""
    require("ctest")
    proc = run(ctx, ctest_argv(ctx, preset, regex) + ["-N", "--show-only=json-v1"], merge=False)
    if proc.returncode != 0:
        return []
    try:
        return [t["name"] for t in json.loads(proc.stdout).get("tests", [])]
    except (ValueError, KeyError, TypeError):
        return []


def find_executable(ctx, preset, target):
    """Where a target's program landed in the binary dir (layout-agnostic)."""
    for path in ctx.binary_dir(preset).rglob(target):
        if path.is_file() and os.access(path, os.X_OK) and "CMakeFiles" not in path.parts:
            return path
    return None
