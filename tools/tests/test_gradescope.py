"""make gradescope: the autograder zip, and run_autograder in a scratch /autograder layout."""

import json
import os
import subprocess
import tempfile
import unittest
import zipfile
from pathlib import Path

from grader import gradescope

# Stands in for tools/workbook.py inside the bundle: records what it was asked
# to grade, and what the student's header says, as a results.json.
FAKE_WORKBOOK = """import json, sys
from pathlib import Path
args = sys.argv[1:]
out = Path(args[args.index("--out") + 1])
if "FAIL" in Path("exercises/01-goroutines/go/a.hpp").read_text():
    print("error: cmake not found")
    sys.exit(3)
out.mkdir(parents=True, exist_ok=True)
(out / "results.json").write_text(json.dumps({"score": 1, "tests": [], "extra_data": {
    "args": args, "header": Path("exercises/01-goroutines/go/a.hpp").read_text(),
    "other": Path("exercises/02-channels/go/b.hpp").read_text()}}))
"""


class BundleTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        base = Path(self.tmp.name)
        self.repo = base / "repo"
        for rel, text in {"exercises/01-goroutines/go/a.hpp": "stub a", "exercises/02-channels/go/b.hpp": "stub b",
                          "tools/workbook.py": FAKE_WORKBOOK, "tools/setup.sh": "#!/bin/sh\n",
                          "build/default/junk": "not shipped"}.items():
            (self.repo / rel).parent.mkdir(parents=True, exist_ok=True)
            (self.repo / rel).write_text(text)
        os.chmod(self.repo / "tools" / "setup.sh", 0o755)
        self.zip = base / "autograder.zip"
        gradescope.write_bundle(self.repo, self.zip, "tsan", "01")
        self.root = base / "autograder"
        for folder in ("source", "submission", "results"):
            (self.root / folder).mkdir(parents=True)
        gradescope.unpack(self.zip, self.root / "source")

    def tearDown(self):
        self.tmp.cleanup()

    def submit(self, files):
        for rel, text in files.items():
            (self.root / "submission" / rel).parent.mkdir(parents=True, exist_ok=True)
            (self.root / "submission" / rel).write_text(text)
        proc = subprocess.run(["bash", str(self.root / "source" / "run_autograder")], capture_output=True, text=True,
                              env=dict(os.environ, AUTOGRADER_ROOT=str(self.root)), timeout=60)
        return proc, json.loads((self.root / "results" / "results.json").read_text())

    def test_the_zip_has_the_scripts_at_its_root_executable_and_no_build(self):
        with zipfile.ZipFile(self.zip) as archive:
            names = archive.namelist()
            modes = {i.filename: (i.external_attr >> 16) & 0o777 for i in archive.infolist()}
        self.assertEqual(names[:2], ["setup.sh", "run_autograder"])
        self.assertEqual((modes["setup.sh"], modes["run_autograder"], modes["tools/setup.sh"]), (0o755,) * 3)
        self.assertIn("exercises/01-goroutines/go/a.hpp", names)
        self.assertFalse(any(n.startswith("build/") for n in names))
        self.assertIn("cmake --preset tsan", (self.root / "source" / "setup.sh").read_text())

    def test_run_autograder_grades_the_students_phase_folders(self):
        proc, results = self.submit({"my-clone/exercises/01-goroutines/go/a.hpp": "student a",
                                     "my-clone/exercises/99-bogus/go/x.hpp": "ignored"})
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        seen = results["extra_data"]
        self.assertEqual((seen["header"], seen["other"]), ("student a", "stub b"))
        self.assertEqual(seen["args"], ["grade", "--preset", "tsan", "--phases", "01", "--out",
                                        str(self.root / "results")])
        self.assertIn("graded your exercises/01-goroutines", proc.stdout)
        self.assertFalse((self.root / "source" / "exercises" / "99-bogus").exists())

    def test_phase_folders_submitted_alone(self):
        _, results = self.submit({"01-goroutines/go/a.hpp": "student a"})
        self.assertEqual(results["extra_data"]["header"], "student a")

    def test_a_grader_that_cannot_run_still_leaves_a_results_json(self):
        _, results = self.submit({"exercises/01-goroutines/go/a.hpp": "FAIL"})
        self.assertEqual((results["score"], results["tests"]), (0, []))
        self.assertIn("error: cmake not found", results["output"])


if __name__ == "__main__":
    unittest.main()
