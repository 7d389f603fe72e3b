"""Command-line options shared by several subcommands, spelled the same everywhere."""

import argparse


def add_phase(parser, required=True):
    parser.add_argument("--phase", required=required, metavar="NN", help="phase: its number (01), folder (01-goroutines) or slug (goroutines)")


def add_track(parser):
    parser.add_argument("--track", choices=["exercises", "solutions"], default="exercises",
                        help="your stubs (exercises, the default) or the reference (solutions)")


def add_preset(parser, default="default"):
    parser.add_argument("--preset", default=default, metavar="P",
                        help="CMake preset from CMakePresets.json: default, tsan, asan or release; "
                             f"builds in build/<P> (default: {default})")


def add_repeat(parser):
    parser.add_argument("--repeat", type=positive, default=1, metavar="N",
                        help="run the tests N times; a test that fails any run counts as failed (FLAKY)")


def add_chaos(parser):
    parser.add_argument("--chaos", choices=["0", "1"], default="1",
                        help="chaos mode: pause threads at random at locks, notifies and waits, so timing bugs "
                             "fail every run (default: 1; not under tsan/asan)")
    parser.add_argument("--seed", type=positive, default=None, metavar="N",
                        help="chaos mode's seed: replays a failing run's pauses (default: a fresh one each run)")


def add_test_filter(parser):
    parser.add_argument("--test", metavar="FILTER", default="",
                        help="only the tests a gtest filter selects: Suite.Test, 'Suite.*', 'A.*:B.*-*Slow*'; "
                             "a name without wildcards that names no test matches as a substring")


def positive(text):
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value
