"""make check's -Werror: cmake.ensure_werror reconfigures a build only when it is off."""

import tempfile
import unittest
from pathlib import Path
from types import SimpleNamespace
from unittest import mock

from grader import cmake


class EnsureWerrorTest(unittest.TestCase):
    def ctx_with_cache(self, text):
        root = Path(self.enterContext(tempfile.TemporaryDirectory()))
        (root / "build" / "default").mkdir(parents=True)
        (root / "build" / "default" / "CMakeCache.txt").write_text(text)
        return SimpleNamespace(binary_dir=lambda preset: root / "build" / preset)

    def calls(self, cache_text):
        ctx = self.ctx_with_cache(cache_text)
        with mock.patch.object(cmake, "run", return_value=SimpleNamespace(returncode=0)) as run:
            cmake.ensure_werror(ctx, "default")
        return [call.args[1] for call in run.call_args_list]

    def test_a_grading_build_is_reconfigured_with_werror(self):
        self.assertEqual(self.calls("WORKBOOK_WERROR:BOOL=OFF\n"),
                         [["cmake", "--preset", "default", "-DWORKBOOK_WERROR=ON"]])

    def test_a_build_that_has_it_is_left_alone(self):
        self.assertEqual(self.calls("WORKBOOK_WERROR:BOOL=ON\n"), [])


if __name__ == "__main__":
    unittest.main()
