"""The subcommands of tools/workbook.py, one module each.

Every module exposes `register(subparsers)`, which adds its parser and sets
`func` to its `run(args, ctx) -> exit code`. Orchestration lives here; the
parsing, classifying and formatting they share lives in the grader package.
"""

from . import bench, bench_report, check, grade, gradescope, hint, links, listing, mutate, race_demo, test, watch

ALL = [test, hint, grade, gradescope, check, mutate, links, bench, bench_report, listing, watch, race_demo]

