import tempfile
import unittest
from pathlib import Path

from grader import mutate


def ops(text):
    lines = text.splitlines()
    return [(op, new.strip()) for i in range(len(lines)) for op, new in mutate.mutations_of_line(lines, i)]


class OperatorsTest(unittest.TestCase):
    def test_a_wake_up_is_dropped_or_narrowed(self):
        found = ops("    cv_.notify_all();")
        self.assertIn(("drop-notify", "// (mutant: no wake-up) cv_.notify_all();"), found)
        self.assertIn(("notify-one", "cv_.notify_one();"), found)
        found = ops("  detail::futex_wake(word_, std::numeric_limits<int>::max());")
        self.assertIn(("notify-one", "detail::futex_wake(word_, 1);"), found)

    def test_a_lock_guard_is_dropped(self):
        self.assertIn(("drop-lock", "// (mutant: no lock) std::lock_guard lock(mu_);"),
                      ops("    std::lock_guard lock(mu_);"))

    def test_races_are_built_under_tsan(self):
        preset = {op: mutate.Mutation(op, "go/x.hpp", 1, "a", "b").preset
                  for op in ("drop-lock", "relaxed", "drop-notify", "notify-one", "while-to-if", "off-by-one")}
        self.assertEqual({op for op, p in preset.items() if p == "tsan"}, {"drop-lock", "relaxed"})
        self.assertEqual({op for op, p in preset.items() if p == "asan"}, {"off-by-one"})

    def test_while_becomes_if_only_around_a_wait(self):
        self.assertIn(("while-to-if", "if (count_ != 0) cv_.wait(lock);"), ops("  while (count_ != 0) cv_.wait(lock);"))
        self.assertEqual(ops("  while (i < 3) ++i;"), [])

    def test_each_ordering_is_relaxed_on_its_own(self):
        found = [new for op, new in ops("  x.compare_exchange_strong(e, 1, std::memory_order_acq_rel, "
                                         "std::memory_order_acquire);") if op == "relaxed"]
        self.assertEqual(len(found), 2)

    def test_off_by_one_on_sizes_not_in_strings_or_comments(self):
        self.assertIn(("off-by-one", "if (size <= cap_) return;"), ops("  if (size < cap_) return;"))
        self.assertEqual(ops('  throw std::invalid_argument("count must be >= 1");'), [])
        self.assertEqual(ops("  // if (size < cap_) wake();"), [])

    def test_ids_survive_edits_elsewhere(self):
        text = "int f() {\n  cv_.notify_one();\n}\n"
        with tempfile.TemporaryDirectory() as tmp:
            (Path(tmp) / "go").mkdir()
            path = Path(tmp) / "go" / "x.hpp"
            path.write_text(text)
            first = [m.id for m in mutate.find(tmp)]
            path.write_text("// a new comment line\n" + text)
            self.assertEqual([m.id for m in mutate.find(tmp)], first)

    def test_the_patch_applies(self):
        with tempfile.TemporaryDirectory() as tmp:
            (Path(tmp) / "go").mkdir()
            (Path(tmp) / "go" / "x.hpp").write_text("a\nb\nc\n  cv_.notify_all();\nd\n")
            m = [m for m in mutate.find(tmp) if m.operator == "notify-one"][0]
            patch = mutate.patch_text(m, tmp)
            self.assertIn("-  cv_.notify_all();\n+  cv_.notify_one();\n", patch)
            self.assertIn("@@ -1,5 +1,5 @@", patch)


class ScoreTest(unittest.TestCase):
    def test_equivalent_and_uncompilable_mutants_are_not_counted(self):
        outcomes = {"a": "caught", "b": "survived", "c": "did not compile", "d": "survived"}
        self.assertEqual(mutate.score(outcomes, {"d": "equivalent"}), (1, 2, 50.0))

    def test_equivalent_file(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "equivalent.txt"
            path.write_text("# comment\nrelaxed-x-123  TSan cannot see it\n\n")
            self.assertEqual(mutate.read_equivalent(path), {"relaxed-x-123": "TSan cannot see it"})


if __name__ == "__main__":
    unittest.main()


class PartialRunTest(unittest.TestCase):
    def test_only_updates_the_mutants_it_ran(self):
        from grader.commands import mutate as command
        with tempfile.TemporaryDirectory() as d:
            path = Path(d) / "phase05.json"
            path.write_text('{"outcomes": {"a": "survived", "b": "caught", "gone": "survived"}}')
            merged = command._merged(path, {"a": "caught"}, {"a", "b", "c"})
            self.assertEqual(merged, {"a": "caught", "b": "caught"})
            self.assertEqual(command._merged(Path(d) / "none.json", {"a": "caught"}, {"a"}), {"a": "caught"})
