"""`workbook race-demo`: phase 07's legacy aggregator under ThreadSanitizer.

Builds the race demos in the tsan preset, runs them, shows TSan's report and a
one-line verdict (grader/race_demo.py). Exit codes: 0 TSan reported the race,
1 it did not, 3 skipped (no clang, no TSan runtime, a host TSan cannot start
on), with the fix: never a silent pass.
"""

from .. import race_demo


def register(subparsers):
    p = subparsers.add_parser("race-demo", help="phase 07: watch ThreadSanitizer catch the legacy aggregator's race")
    p.set_defaults(func=run)


def run(args, ctx):
    return race_demo.main(ctx)
