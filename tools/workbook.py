#!/usr/bin/env python3
"""The workbook's command-line tool: test, hint, grade, check, links, bench, list, watch, race-demo.

    python3 tools/workbook.py test --phase 01             # your stubs, with hints
    python3 tools/workbook.py test --phase 01 --test 'WaitGroup.*'
    python3 tools/workbook.py hint --phase 01             # the next failing test, explained
    python3 tools/workbook.py test --phase 01 --preset tsan --repeat 10
    python3 tools/workbook.py grade [--preset tsan]       # scorecard + build/grade/
    python3 tools/workbook.py check                       # maintainers, before committing
    python3 tools/workbook.py bench --phase 01            # yours vs reference vs Go
    python3 tools/workbook.py watch --phase 01            # rerun on every save
    python3 tools/workbook.py race-demo                   # phase 07: TSan catches the legacy race

It only drives cmake/ctest through CMakePresets.json and echoes every command it
runs, so anything it does can be done by hand. Standard library only.

Exit codes: 0 success; 1 tests failed or check found problems; 2 the code does
not compile (test, bench); 3 infrastructure problem (cmake missing, configure
failed, unknown phase).

The tool's own unit tests (no cmake needed):

    python3 -m unittest discover -s tools/tests -t tools
"""

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from grader import commands  # noqa: E402  (needs the path above)
from grader.context import Context, InfraError  # noqa: E402
from grader.phases import UnknownPhase  # noqa: E402
from grader.term import Term  # noqa: E402

EXIT_INFRA = 3
REPO_ROOT = Path(__file__).resolve().parent.parent


def parser():
    p = argparse.ArgumentParser(prog="workbook", description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="command", required=True, metavar="command")
    for command in commands.ALL:
        command.register(sub)
    return p


def main(argv=None):
    args = parser().parse_args(argv)
    sys.stdout.reconfigure(errors="replace")  # never die on a non-UTF-8 terminal
    term = Term()
    ctx = Context(root=REPO_ROOT, term=term)
    try:
        return args.func(args, ctx)
    except (InfraError, UnknownPhase) as err:
        term.print(term.red(f"error: {err}"))
        return EXIT_INFRA
    except KeyboardInterrupt:
        term.print("interrupted")
        return 130
    except BrokenPipeError:
        # `make list | head`: the reader left; say nothing more (Python's own advice:
        # point stdout at /dev/null so the exit-time flush cannot fail again).
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    sys.exit(main())
