"""Google Benchmark JSON, go test -bench output and their merge."""

import json
import unittest

from grader import bench

GOOGLE = {
    "context": {"num_cpus": 2},
    "benchmarks": [
        {"name": "SpawnJoin/go_go", "run_name": "SpawnJoin/go_go", "run_type": "iteration",
         "real_time": 2.5, "cpu_time": 2.0, "time_unit": "us"},
        {"name": "SpawnJoin/std_thread", "run_name": "SpawnJoin/std_thread", "run_type": "iteration",
         "real_time": 5000, "cpu_time": 4000, "time_unit": "ns", "items_per_second": 2.0e5},
        {"name": "Fanout/go_go/4/real_time", "run_name": "Fanout/go_go/4/real_time", "run_type": "iteration",
         "error_occurred": True, "error_message": "not implemented yet: WaitGroup::add"},
    ],
}
REPEATED = {"benchmarks": [
    {"name": "X/a", "run_name": "X/a", "run_type": "iteration", "real_time": 10, "time_unit": "ns"},
    {"name": "X/a", "run_name": "X/a", "run_type": "iteration", "real_time": 30, "time_unit": "ns"},
    {"name": "X/a_mean", "run_name": "X/a", "run_type": "aggregate", "aggregate_name": "mean",
     "real_time": 20, "time_unit": "ns"},
    {"name": "X/a_stddev", "run_name": "X/a", "run_type": "aggregate", "aggregate_name": "stddev",
     "real_time": 10, "time_unit": "ns"},
]}
GO = """goos: linux
goarch: amd64
pkg: example.com/bench01
cpu: Intel(R) Xeon(R)
BenchmarkSpawnJoin-2   	 3401052	       352.1 ns/op	      16 B/op	       1 allocs/op
BenchmarkFanout/4-2    	  500000	      2400 ns/op
PASS
ok  	example.com/bench01	3.1s
"""


class ParseTest(unittest.TestCase):
    def test_google_units_and_counters(self):
        found = bench.parse_google_json(json.dumps(GOOGLE))
        self.assertEqual(found["SpawnJoin/go_go"].ns_per_op, 2500)
        self.assertEqual(found["SpawnJoin/std_thread"].items_per_second, 2.0e5)

    def test_a_batch_reports_its_time_per_operation(self):
        # PoolThroughput: one iteration is a million jobs; ns_per_job (seconds
        # per job, an inverted rate) is the time its Go twin's ns/op matches.
        entry = {"name": "PoolThroughput/go_WorkerPool/workers:1/iterations:3/real_time",
                 "run_type": "iteration", "real_time": 335.0, "time_unit": "ms", "ns_per_job": 3.35e-07}
        found = bench.parse_google_json(json.dumps({"benchmarks": [entry]}))
        self.assertAlmostEqual(found[entry["name"]].ns_per_op, 335.0)

    def test_google_error_is_not_implemented(self):
        found = bench.parse_google_json(json.dumps(GOOGLE))
        self.assertTrue(found["Fanout/go_go/4/real_time"].not_implemented)
        self.assertEqual(bench.format_measurement(found["Fanout/go_go/4/real_time"]), "not implemented")

    def test_mean_aggregate_wins(self):
        self.assertEqual(bench.parse_google_json(json.dumps(REPEATED))["X/a"].ns_per_op, 20)

    def test_split_name_drops_options(self):
        self.assertEqual(bench.split_name("Fanout/go_go/4/real_time"), ("Fanout", "go_go/4"))
        self.assertEqual(bench.split_name("SpawnJoin/std_thread/threads:4"), ("SpawnJoin", "std_thread"))

    def test_go(self):
        rows = bench.parse_go(GO)
        self.assertEqual([(r["scenario"], r["variant"], r["ns_per_op"]) for r in rows],
                         [("SpawnJoin", "", 352.1), ("Fanout", "4", 2400.0)])
        self.assertEqual(rows[0]["allocs_per_op"], 1)


class MergeTest(unittest.TestCase):
    def setUp(self):
        reference = bench.parse_google_json(json.dumps(GOOGLE))
        reference["Fanout/go_go/4/real_time"] = bench.Measurement("Fanout/go_go/4/real_time", ns_per_op=1200)
        yours = {"SpawnJoin/go_go": bench.Measurement("SpawnJoin/go_go", ns_per_op=5000)}
        self.rows = {(r.scenario, r.variant): r for r in bench.merge(yours, reference, bench.parse_go(GO))}

    def test_ratios(self):
        row = self.rows[("SpawnJoin", "go_go")]
        self.assertAlmostEqual(row.ratio(), 2.0)
        self.assertAlmostEqual(row.go_ratio(), 2500 / 352.1)
        self.assertEqual(bench.format_ratio(row.ratio()), "2.00 (slower)")
        self.assertEqual(bench.format_ratio(0.5), "0.50 (faster)")

    def test_only_rows_that_run_the_students_code_get_a_ratio(self):
        row = self.rows[("SpawnJoin", "std_thread")]
        row.yours = bench.Measurement("SpawnJoin/std_thread", ns_per_op=10000)
        self.assertIsNone(row.ratio())
        line = next(ln for ln in bench.table(self.rows.values()).splitlines() if "std_thread" in ln)
        self.assertIn("(same code)", line)
        self.assertNotIn("slower", line)

    def test_go_sub_benchmark_matches_args(self):
        self.assertEqual(self.rows[("Fanout", "go_go/4")].go["name"], "BenchmarkFanout/4")

    def test_go_spells_arguments_with_an_equals_sign(self):
        go_rows = bench.parse_go("BenchmarkPoolThroughput/workers=1-2  100  900 ns/op\n"
                                 "BenchmarkPoolThroughput/workers=8-2  100  300 ns/op\n")
        reference = {"PoolThroughput/go_WorkerPool/workers:8":
                     bench.Measurement("PoolThroughput/go_WorkerPool/workers:8", ns_per_op=250)}
        row = bench.merge({}, reference, go_rows)[0]
        self.assertEqual(row.go["name"], "BenchmarkPoolThroughput/workers=8")

    def test_missing_student_benchmark(self):
        row = self.rows[("SpawnJoin", "std_thread")]
        self.assertIsNone(row.ratio())
        self.assertIn("std_thread", bench.table(self.rows.values()))


class RunsTest(unittest.TestCase):
    """Several alternating runs: medians, their spread, and ratios inside the noise."""

    @staticmethod
    def runs(name, *times):
        return [{name: bench.Measurement(name, ns_per_op=t)} for t in times]

    def row(self, yours, reference):
        name = "Chan/go_Chan"
        merged = bench.merge(bench.combine(self.runs(name, *yours)), bench.combine(self.runs(name, *reference)), [])
        return merged[0]

    def test_median_and_spread(self):
        m = bench.combine(self.runs("X/go_a", 30, 10, 20))["X/go_a"]
        self.assertEqual((m.ns_per_op, m.runs), (20, (30, 10, 20)))
        self.assertAlmostEqual(m.spread, 0.5)
        self.assertEqual(bench.format_measurement(m), "20 ns ±50%")
        self.assertIsNone(bench.combine(self.runs("X/go_a", 30))["X/go_a"].spread)

    def test_an_error_in_any_run_stays(self):
        runs = self.runs("X/go_a", 10) + [{"X/go_a": bench.Measurement("X/go_a", error="not implemented yet: f")}]
        self.assertTrue(bench.combine(runs)["X/go_a"].not_implemented)

    def test_overlapping_runs_are_within_noise(self):
        row = self.row((100, 190, 150), (120, 130, 125))
        self.assertTrue(row.within_noise())
        self.assertEqual(bench.format_ratio(row.ratio(), row.within_noise()), "1.20 (within noise)")

    def test_separate_runs_are_a_real_difference(self):
        row = self.row((200, 210, 205), (100, 104, 102))
        self.assertFalse(row.within_noise())
        self.assertEqual(bench.format_ratio(row.ratio(), row.within_noise()), "2.01 (slower)")

    def test_go_runs_combine_to_a_median(self):
        text = GO.replace("BenchmarkFanout/4-2    \t  500000\t      2400 ns/op\n",
                          "BenchmarkSpawnJoin-2   \t 3401052\t       300.0 ns/op\n"
                          "BenchmarkSpawnJoin-2   \t 3401052\t       400.0 ns/op\n")
        [row] = bench.combine_go(bench.parse_go(text))
        self.assertEqual((row["ns_per_op"], row["runs"]), (352.1, [352.1, 300.0, 400.0]))
        self.assertEqual(bench.format_go(row), "352 ns ±14%")
        self.assertEqual(bench.format_go(None), "-")

    def test_one_run_cannot_tell(self):
        self.assertIsNone(self.row((200,), (100,)).within_noise())


class BaselineTest(unittest.TestCase):
    """ref/textbook: the reference against its scenario's textbook variant, same arguments."""

    def setUp(self):
        times = {"Queue/go_Chan/real_time": 10, "Queue/textbook_mutex_condvar/real_time": 50,
                 "Pool/go_WorkerPool/workers:4": 10, "Pool/textbook_mutex_condvar/workers:4": 40,
                 "Pool/go_WorkerPool/workers:8": 20, "Pool/textbook_mutex_condvar/workers:8": 80,
                 "Floor/two_spinning_atomics": 5}
        reference = {n: bench.Measurement(n, ns_per_op=t) for n, t in times.items()}
        self.rows = {(r.scenario, r.variant): r for r in bench.merge({}, reference, [])}

    def test_ratio_to_the_textbook_variant(self):
        self.assertAlmostEqual(self.rows[("Queue", "go_Chan")].baseline_ratio(), 0.2)

    def test_arguments_must_match(self):
        self.assertAlmostEqual(self.rows[("Pool", "go_WorkerPool/workers:4")].baseline_ratio(), 0.25)
        self.assertAlmostEqual(self.rows[("Pool", "go_WorkerPool/workers:8")].baseline_ratio(), 0.25)

    def test_no_baseline(self):
        self.assertIsNone(self.rows[("Queue", "textbook_mutex_condvar")].baseline_ratio())
        self.assertIsNone(self.rows[("Floor", "two_spinning_atomics")].baseline_ratio())

    def test_table_and_json_carry_it(self):
        text = bench.table(self.rows.values())
        self.assertIn("ref/textbook", text.splitlines()[0])
        self.assertIn("0.2", text)
        by_variant = {r["variant"]: r for r in bench.to_json(self.rows.values())}
        self.assertAlmostEqual(by_variant["go_Chan"]["reference_over_textbook"], 0.2)


if __name__ == "__main__":
    unittest.main()
