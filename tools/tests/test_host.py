"""Sanitizer host notes, compiler-error extraction and change detection."""

import shutil
import tempfile
import threading
import time
import unittest
from pathlib import Path

from grader import cmake, sanitizers, watch
from grader.runner import TestResult

NINJA_FAILURE = """[1/4] Building CXX object tests/CMakeFiles/phase01_exercises_tests.dir/01-goroutines/wait_group_test.cpp.o
FAILED: tests/CMakeFiles/phase01_exercises_tests.dir/01-goroutines/wait_group_test.cpp.o
/usr/bin/g++ -I/src/exercises/01-goroutines -g -std=c++20 -o x.o -c /src/tests/01-goroutines/wait_group_test.cpp
In file included from /src/tests/01-goroutines/wait_group_test.cpp:3:
/src/exercises/01-goroutines/go/wait_group.hpp:12:5: error: 'count_' was not declared in this scope
   12 |     count_ += delta;
      |     ^~~~~~
ninja: build stopped: subcommand failed.
"""


class SanitizerNotesTest(unittest.TestCase):
    def bits_file(self, text):
        tmp = tempfile.NamedTemporaryFile("w", delete=False)
        tmp.write(text)
        tmp.close()
        self.addCleanup(Path(tmp.name).unlink)
        return Path(tmp.name)

    def test_high_entropy_only_matters_for_tsan(self):
        self.assertEqual(len(sanitizers.host_notes("tsan", self.bits_file("32\n"))), 1)
        self.assertEqual(sanitizers.host_notes("tsan", self.bits_file("28\n")), [])
        self.assertEqual(sanitizers.host_notes("asan", self.bits_file("32\n")), [])

    def test_unexpected_memory_mapping_note(self):
        [note] = sanitizers.output_notes([TestResult("a", kind="tsan-setup")])
        self.assertIn("unexpected memory mapping", note)
        self.assertEqual(sanitizers.output_notes([TestResult("a", kind="race")]), [])


class CompilerErrorsTest(unittest.TestCase):
    def test_keeps_include_context_and_drops_noise(self):
        text = cmake.compiler_errors(NINJA_FAILURE)
        lines = text.splitlines()
        self.assertTrue(lines[0].startswith("In file included from"))
        self.assertIn("error: 'count_' was not declared", lines[1])
        self.assertFalse(any(ln.startswith(("FAILED", "/usr/bin/g++", "ninja", "[1/4]")) for ln in lines))

    def test_limit(self):
        many = "\n".join(f"a.cpp:{i}: error: e{i}" for i in range(100))
        self.assertEqual(len(cmake.compiler_errors(many, limit=40).splitlines()), 40)

    def test_missing_target(self):
        result = cmake.BuildResult("phase01_exercises_bench", 1, "ninja: error: unknown target 'phase01_exercises_bench'\n", None)
        self.assertTrue(result.missing_target)


class PollerTest(unittest.TestCase):
    def test_snapshot_sees_edits_but_not_editor_droppings(self):
        with tempfile.TemporaryDirectory() as tmp:
            src = Path(tmp) / "go" / "wait_group.hpp"
            src.parent.mkdir()
            src.write_text("a")
            before = watch.snapshot([tmp])
            (Path(tmp) / "go" / ".wait_group.hpp.swp").write_text("x")
            (Path(tmp) / "go" / "wait_group.hpp~").write_text("x")
            self.assertEqual(watch.snapshot([tmp]), before)
            time.sleep(0.01)
            src.write_text("ab")
            self.assertNotEqual(watch.snapshot([tmp]), before)


class DetectorTest(unittest.TestCase):
    """Both change detectors return once a file is saved (takes ~1-2 s)."""

    def wait_for_save(self, make):
        with tempfile.TemporaryDirectory() as tmp:
            src = Path(tmp) / "a.hpp"
            src.write_text("a")
            detector = make([tmp])
            try:
                time.sleep(0.3)  # let inotify set its watches up
                threading.Timer(0.2, lambda: src.write_text("b")).start()
                started = time.monotonic()
                detector.wait()
                self.assertLess(time.monotonic() - started, 5)
            finally:
                detector.close()

    def test_poller(self):
        self.wait_for_save(watch.Poller)

    @unittest.skipUnless(shutil.which("inotifywait"), "inotify-tools not installed")
    def test_inotify(self):
        self.wait_for_save(watch.Inotify)


if __name__ == "__main__":
    unittest.main()
