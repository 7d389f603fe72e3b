"""Shared plumbing: where the repo is, how to talk to the user, how to start programs.

Every external program (cmake, ctest, the benchmark programs, go) is started
through run(), so each one is echoed the same way and a missing tool always
produces the same "run make setup" advice.
"""

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path


class InfraError(Exception):
    """The grader cannot work at all: a tool is missing or configuring failed."""


@dataclass
class Context:
    """What every command needs: where the repo is and how to talk to the user."""
    root: Path
    term: object  # term.Term
    jobs: int = os.cpu_count() or 2
    test_env: dict = None  # the environment of ctest and the tests (chaos mode's settings), None: ours

    def binary_dir(self, preset):
        return self.root / "build" / preset

    def logs_dir(self, preset):
        path = self.root / "build" / "logs" / preset
        path.mkdir(parents=True, exist_ok=True)
        return path

    def rel(self, path):
        """A path as shown to the user: relative to the repo root when inside it."""
        try:
            return str(Path(path).relative_to(self.root))
        except ValueError:
            return str(path)


def require(*tools):
    """Fails early, with the fix, when cmake/ctest (or another tool) is absent."""
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        raise InfraError(f"{', '.join(missing)} not found on PATH: run `make setup` to install the toolchain")


def run(ctx, argv, cwd=None, env=None, capture=True, merge=True):
    """Echoes and runs a program: the one way the grader starts cmake, ctest & co.

    With capture, stdout (and stderr, merged when `merge`) is returned in the
    CompletedProcess instead of shown; the exit code is always returned as is.
    """
    ctx.term.command(argv, cwd=ctx.rel(cwd) if cwd else None)
    pipe = subprocess.PIPE if capture else None
    try:
        return subprocess.run([str(a) for a in argv], cwd=cwd or ctx.root, env=env, text=True,
                              errors="replace", stdout=pipe,
                              stderr=(subprocess.STDOUT if merge else subprocess.PIPE) if capture else None)
    except FileNotFoundError as err:
        raise InfraError(f"{argv[0]} not found: run `make setup`") from err
