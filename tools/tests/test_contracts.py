"""The contract block of a header, and the check that a stub and its reference agree (grader/contracts.py)."""

import tempfile
import unittest
from pathlib import Path

from grader import contracts

SOLUTION = """\
#pragma once
// go::WaitGroup: Go's sync.WaitGroup.
//
//   go::WaitGroup wg;
//
// Contract (the tests check each point):
//   - done() is add(-1).
//   - wait() blocks until the counter is zero; returns at once if it is zero
//     already.
//
// Memory ordering: everything a goroutine did before its done() happens
// before wait() returns.
//
// Implementation: one atomic counter and a futex.
#include <atomic>
"""

STUB = """\
// go::WaitGroup: Go's sync.WaitGroup.
// Lesson: phases/01-goroutines/README.md, "Waiting with a WaitGroup".
//
// Contract (the tests check each point):
//   - done() is add(-1).
//   - wait() blocks until the counter is zero;
//     returns at once if it is zero already.
//
// Memory ordering: everything a goroutine did before its done()
// happens before wait() returns.
//
// Hints:
//   - A mutex, a counter, a condition variable.
#pragma once
"""


class BlockTest(unittest.TestCase):
    def test_the_block_runs_through_the_memory_ordering_paragraph(self):
        block = contracts.contract_block(SOLUTION)
        self.assertEqual(block[0], "// Contract (the tests check each point):")
        self.assertEqual(block[-1], "// before wait() returns.")

    def test_a_heading_other_than_memory_ordering_ends_the_block(self):
        text = "// Contract:\n//   - a.\n//\n// Hints:\n//   - b.\n//\n// Memory ordering: c.\n"
        self.assertEqual(contracts.contract_block(text), ["// Contract:", "//   - a."])

    def test_prose_after_the_memory_ordering_paragraph_is_outside(self):
        text = "// Contract:\n//   - a.\n//\n// Memory ordering: b.\n//\n// Why no wake-up is lost: c.\n"
        self.assertEqual(contracts.contract_block(text)[-1], "// Memory ordering: b.")
        text = "// Contract:\n//   - a.\n//\n// Memory ordering: b.\n//\n// The trick is c.\n"
        self.assertEqual(contracts.contract_block(text)[-1], "// Memory ordering: b.")

    def test_an_indented_or_mid_paragraph_colon_is_not_a_heading(self):
        text = "// Contract:\n//   Backoff(policy):\n//   - throws.\n// Throws: x.\n//\n// Hints: y.\n"
        self.assertEqual(contracts.contract_block(text)[-1], "// Throws: x.")

    def test_the_block_ends_with_the_leading_comment(self):
        text = "// Contract:\n//   - a.\n\n// Hints: not the leading comment.\n"
        self.assertEqual(contracts.contract_block(text), ["// Contract:", "//   - a."])

    def test_no_contract_heading_no_block(self):
        self.assertIsNone(contracts.contract_block("// go::X: a thing.\n//\n// Hints: none.\n"))

    def test_rewrapping_is_no_difference(self):
        self.assertEqual(contracts.normalise(contracts.contract_block(SOLUTION)),
                         contracts.normalise(contracts.contract_block(STUB)))


class CheckTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.root = Path(self.tmp.name)
        for track, text in (("exercises", STUB), ("solutions", SOLUTION)):
            (self.root / track / "01-goroutines" / "go" / "detail").mkdir(parents=True)
            (self.root / track / "01-goroutines" / "go" / "wait_group.hpp").write_text(text)
        (self.root / "solutions" / "01-goroutines" / "go" / "only_here.hpp").write_text("// Contract: x.\n")

    def tearDown(self):
        self.tmp.cleanup()

    def write(self, track, name, text):
        (self.root / track / "01-goroutines" / "go" / name).write_text(text)

    def test_agreeing_pairs_pass(self):
        self.assertEqual(contracts.check(self.root), (1, []))

    def test_a_planted_difference_names_the_pair_and_shows_a_diff(self):
        self.write("exercises", "wait_group.hpp", STUB.replace("returns at once", "blocks forever"))
        count, differences = contracts.check(self.root)
        self.assertEqual((count, len(differences)), (1, 1))
        self.assertIn("exercises/01-goroutines/go/wait_group.hpp and solutions/01-goroutines/go/wait_group.hpp",
                      differences[0].why)
        self.assertIn("-- wait() blocks until the counter is zero; blocks forever if it is zero already.",
                      differences[0].diff)
        self.assertIn("+- wait() blocks until the counter is zero; returns at once if it is zero already.",
                      differences[0].diff)

    def test_a_missing_memory_ordering_paragraph_is_a_difference(self):
        self.write("exercises", "wait_group.hpp", STUB.replace(
            "// Memory ordering: everything a goroutine did before its done()\n// happens before wait() returns.\n//\n",
            ""))
        self.assertEqual(len(contracts.check(self.root)[1]), 1)

    def test_a_side_without_a_contract_block_is_a_difference(self):
        self.write("solutions", "wait_group.hpp", "// go::WaitGroup.\n#pragma once\n")
        _, differences = contracts.check(self.root)
        self.assertIn("solutions/01-goroutines/go/wait_group.hpp has no `// Contract` block", differences[0].why)

    def test_headers_in_detail_are_paired_too(self):
        self.write("exercises", "detail/ring.hpp", "// Contract: a.\n")
        self.write("solutions", "detail/ring.hpp", "// Contract: b.\n")
        self.assertEqual([d.pair.name for d in contracts.check(self.root)[1]], ["01-goroutines/go/detail/ring.hpp"])

    def test_main_prints_the_differences_and_fails(self):
        self.write("exercises", "wait_group.hpp", STUB.replace("done() is add(-1)", "done() is add(1)"))
        printed = []
        self.assertEqual(contracts.main(self.root, printed.append), 1)
        self.assertEqual(printed[-1], "contracts: 0/1 header pairs agree")


class BareTodoTest(unittest.TestCase):
    def test_a_todo_without_a_goal_is_found_and_one_with_a_goal_is_not(self):
        with tempfile.TemporaryDirectory() as tmp:
            stub = Path(tmp) / "exercises" / "01-goroutines" / "go" / "wait_group.hpp"
            stub.parent.mkdir(parents=True)
            stub.write_text('  void done() {\n    throw go::todo("WaitGroup::done");  // TODO\n  }\n'
                            '  void wait() {  // TODO: sleep until the counter is zero\n  }\n'
                            '  // TODO:\n')
            self.assertEqual(contracts.bare_todos(tmp),
                             ["exercises/01-goroutines/go/wait_group.hpp:2", "exercises/01-goroutines/go/wait_group.hpp:6"])
