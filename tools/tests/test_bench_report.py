import unittest

from grader import bench_report
from grader.bench import Measurement


class BenchReportTest(unittest.TestCase):
    def runs(self):
        def run(ref, textbook, other):
            return {"WaitGroupAddDone/go_WaitGroup": Measurement("WaitGroupAddDone/go_WaitGroup", ref),
                    "WaitGroupAddDone/textbook_mutex_condvar": Measurement("x", textbook),
                    "SpawnJoin/std_thread/real_time": Measurement("y", other),
                    "SpawnJoin/go_go": Measurement("z", error="not implemented yet: go::go")}
        return [run(7.0, 20.0, 100.0), run(6.5, 16.0, 90.0), run(9.0, 24.0, 120.0)]

    def test_records_are_medians_per_implementation(self):
        go = [[{"name": "BenchmarkWaitGroupAddDone", "scenario": "WaitGroupAddDone", "variant": "", "ns_per_op": 12.0}]]
        found = {(r["scenario"], r["implementation"]): r
                 for r in bench_report.records("01", self.runs(), go, "cpu")}
        ref = found[("WaitGroupAddDone", "reference")]
        self.assertEqual((ref["median_ns"], ref["min_ns"], ref["max_ns"], ref["runs"]), (7.0, 6.5, 9.0, 3))
        self.assertEqual(found[("WaitGroupAddDone", "textbook")]["median_ns"], 20.0)
        self.assertEqual(found[("WaitGroupAddDone", "go")]["median_ns"], 12.0)
        self.assertIn(("SpawnJoin", "std_thread"), found)
        self.assertNotIn(("SpawnJoin", "reference"), found, "a benchmark that errored has no record")

    def test_the_summary_names_the_rows_that_lose_to_the_textbook(self):
        recs = bench_report.records("01", self.runs(), [], "cpu")
        self.assertEqual(bench_report.slower_than_textbook(recs), [])
        for r in recs:
            if r["implementation"] == "reference":
                r["median_ns"] = 50.0
        self.assertEqual(bench_report.slower_than_textbook(recs), [("01", "WaitGroupAddDone", "", 50.0, 20.0)])

    def test_chart_is_svg_with_a_bar_per_record(self):
        recs = bench_report.records("01", self.runs(), [], "cpu")
        svg = bench_report.svg_chart("01", "Phase 01", recs)
        self.assertTrue(svg.startswith("<svg"))
        self.assertEqual(svg.count("<rect"), len(recs))


if __name__ == "__main__":
    unittest.main()
