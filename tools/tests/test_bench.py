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

    def test_go_sub_benchmark_matches_args(self):
        self.assertEqual(self.rows[("Fanout", "go_go/4")].go["name"], "BenchmarkFanout/4")

    def test_missing_student_benchmark(self):
        row = self.rows[("SpawnJoin", "std_thread")]
        self.assertIsNone(row.ratio())
        self.assertIn("std_thread", bench.table(self.rows.values()))


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
