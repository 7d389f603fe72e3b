"""Phase discovery from phases/NN-slug folders."""

import tempfile
import unittest
from pathlib import Path

from grader import phases


class DiscoverTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.root = Path(self.tmp.name)
        for folder, readme in [("02-channels", "Intro\n```\n# not a title\n```\n# Channels\n"),
                               ("01-goroutines", "# Goroutines and `WaitGroup`\n## More\n"),
                               ("03-select", None)]:
            (self.root / "phases" / folder).mkdir(parents=True)
            if readme:
                (self.root / "phases" / folder / "README.md").write_text(readme)
        (self.root / "phases" / "notes").mkdir()

    def tearDown(self):
        self.tmp.cleanup()

    def test_order_titles_and_fallback(self):
        found = phases.discover(self.root)
        self.assertEqual([(p.number, p.title) for p in found],
                         [("01", "Goroutines and `WaitGroup`"), ("02", "Channels"), ("03", "select")])

    def test_names_and_targets(self):
        phase = phases.find(self.root, "1")
        self.assertEqual(phase.folder, "01-goroutines")
        self.assertEqual(phase.label, "01 goroutines")
        self.assertEqual(phase.tests_target("exercises"), "phase01_exercises_tests")
        self.assertEqual(phase.bench_target("solutions"), "phase01_solutions_bench")
        self.assertEqual(phase.test_regex("solutions"), "^solutions/01/")
        self.assertEqual(phase.track_dir("exercises"), self.root / "exercises" / "01-goroutines")

    def test_find_by_folder_and_unknown(self):
        self.assertEqual(phases.find(self.root, "02-channels").number, "02")
        self.assertEqual(phases.find(self.root, "channels").number, "02")
        self.assertEqual(phases.find(self.root, "Goroutines").number, "01")
        with self.assertRaises(phases.UnknownPhase):
            phases.find(self.root, "09")
        with self.assertRaisesRegex(phases.UnknownPhase, r"did you mean 01-goroutines\?"):
            phases.find(self.root, "gorutines")

    def test_grade_phases_option(self):
        from grader.commands.grade import chosen_phases
        self.assertEqual([p.number for p in chosen_phases(self.root, "")], ["01", "02", "03"])
        self.assertEqual([p.number for p in chosen_phases(self.root, "select, 01")], ["01", "03"])


if __name__ == "__main__":
    unittest.main()


class UndeclaredTestsTest(unittest.TestCase):
    """phases.cmake is the truth for which test files build: none may be left out."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.root = Path(self.tmp.name)
        (self.root / "tests" / "01-goroutines").mkdir(parents=True)
        (self.root / "tests" / "support").mkdir(parents=True)
        (self.root / "cmake").mkdir()
        for name in ("goroutine_test.cpp", "wait_group_test.cpp", "grpc_test.cpp", "helpers.hpp"):
            (self.root / "tests" / "01-goroutines" / name).write_text("")
        (self.root / "tests" / "support" / "harness_test.cpp").write_text("")
        (self.root / "phases.cmake").write_text(
            "workbook_phase(\n  NUMBER 01 SLUG goroutines\n  TESTS goroutine_test.cpp\n        wait_group_test.cpp)\n")

    def tearDown(self):
        self.tmp.cleanup()

    def test_a_test_file_no_cmake_file_names_is_reported(self):
        self.assertEqual(phases.undeclared_tests(self.root), ["tests/01-goroutines/grpc_test.cpp"])

    def test_a_file_declared_by_a_cmake_helper_counts(self):
        (self.root / "cmake" / "Grpc.cmake").write_text('add_executable(x "${dir}/grpc_test.cpp")\n')
        self.assertEqual(phases.undeclared_tests(self.root), [])

    def test_a_name_that_only_ends_like_a_declared_one_does_not_count(self):
        (self.root / "tests" / "01-goroutines" / "group_test.cpp").write_text("")
        self.assertIn("tests/01-goroutines/group_test.cpp", phases.undeclared_tests(self.root))
