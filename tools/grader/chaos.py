"""Chaos mode: how the grader switches on tests/support/chaos.cpp.

The test programs of a build without a sanitizer carry pause points at every
lock, unlock, notify, condition wait, futex call and thread start; they pause
(sometimes) only when WORKBOOK_CHAOS=1 is in their environment. The pauses
widen the windows of timing bugs so that a lost wake-up fails its test every
run, not one run in fifty. Every run draws a fresh seed unless one is given;
the seed of a failing run replays the same choices (`make test ... SEED=n`).
"""

import os
import random
from dataclasses import dataclass

SANITIZER_PRESETS = ("tsan", "asan")  # their interceptors own the same functions: no chaos there


@dataclass(frozen=True)
class Chaos:
    on: bool
    seed: int

    def env(self):
        """The environment for ctest and the test programs it starts (a
        sanitizer build has no pause points and ignores it)."""
        env = dict(os.environ)
        env["WORKBOOK_CHAOS"] = "1" if self.on else "0"
        env["WORKBOOK_CHAOS_SEED"] = str(self.seed)
        return env

    def active(self, preset):
        """On, and the preset's test programs carry the pause points."""
        return self.on and preset not in SANITIZER_PRESETS

    def describe(self, preset):
        if self.active(preset):
            return f"chaos mode on, seed {self.seed}"
        if self.on:
            return f"chaos mode off under {preset} (its sanitizer owns the same calls)"
        return "chaos mode off"

    def replay(self, phase_number):
        """The command that replays a failing run's pauses."""
        return f"make test PHASE={phase_number} SEED={self.seed}"


def from_options(args):
    """From --chaos "0"/"1" and --seed (None: a fresh one)."""
    on = str(args.chaos).strip().lower() not in ("0", "off", "false", "no")
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1, 2**31)
    return Chaos(on=on, seed=int(seed))


def apply(args, ctx):
    """Sets the tests' environment from the options; returns the settings."""
    settings = from_options(args)
    ctx.test_env = settings.env()
    return settings
