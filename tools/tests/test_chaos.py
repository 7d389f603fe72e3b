import argparse
import unittest

from grader import chaos
from grader.commands import options


def parse(*argv):
    p = argparse.ArgumentParser()
    options.add_chaos(p)
    return p.parse_args(list(argv))


class ChaosTest(unittest.TestCase):
    def test_on_by_default_with_a_fresh_seed(self):
        a, b = chaos.from_options(parse()), chaos.from_options(parse())
        self.assertTrue(a.on)
        self.assertGreater(a.seed, 0)
        self.assertNotEqual(a.seed, b.seed, "each run draws its own seed (equal twice: 1 in 2^31)")

    def test_seed_replays(self):
        settings = chaos.from_options(parse("--seed", "42"))
        self.assertEqual(settings.env()["WORKBOOK_CHAOS_SEED"], "42")
        self.assertEqual(settings.replay("01"), "make test PHASE=01 SEED=42")

    def test_off_reaches_the_tests(self):
        self.assertEqual(chaos.from_options(parse("--chaos", "0")).env()["WORKBOOK_CHAOS"], "0")
        self.assertEqual(chaos.from_options(parse("--chaos", "1")).env()["WORKBOOK_CHAOS"], "1")

    def test_sanitizer_presets_have_no_pause_points(self):
        settings = chaos.from_options(parse("--seed", "7"))
        self.assertTrue(settings.active("default"))
        self.assertFalse(settings.active("tsan"))
        self.assertFalse(settings.active("asan"))
        self.assertIn("seed 7", settings.describe("default"))
        self.assertIn("off under tsan", settings.describe("tsan"))


if __name__ == "__main__":
    unittest.main()
