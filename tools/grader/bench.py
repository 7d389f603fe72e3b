"""Benchmark results: Google Benchmark JSON, `go test -bench` text, and their merge.

The point of a phase's benchmarks is comparison: the student's go:: primitive
against the reference one, and the reference against real Go. Benchmarks are
named `<Scenario>/<variant>[/args...]` in C++ and `BenchmarkScenario[/sub]` in
Go, so the scenario is the join key.

Only the `go_*` variants run the track's go:: code (see each bench file's
header); the others (std::thread, the textbook baselines, the spinning floors)
are the same code in both programs, so a yours/ref ratio there would measure
nothing but noise, and none is given. Each program runs several times,
alternating yours and the reference so that a machine's slow spell hits both;
a figure is the median of its runs, shown with its spread, and a ratio whose
two sides' runs overlap is said to be within the noise.
"""

import json
import re
import statistics
from dataclasses import dataclass, field

_UNIT_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}
# Suffixes Google Benchmark appends to names for run options, not arguments.
_OPTION = re.compile(r"^(real_time|manual_time|process_time|threads:\d+|iterations:\d+|"
                     r"repeats:\d+|min_time:[\d.]+s?|min_warmup_time:[\d.]+s?)$")


@dataclass
class Measurement:
    name: str                   # full benchmark name, options included
    ns_per_op: float = None     # real time per iteration, in ns (the median of the runs)
    items_per_second: float = None
    error: str = ""             # set when the benchmark reported an error
    runs: tuple = ()            # ns_per_op of each run, when several were combined

    @property
    def not_implemented(self):
        return "not implemented yet" in self.error

    @property
    def spread(self):
        """Half the range of the runs relative to the median (0.04: ±4%); None for one run."""
        if len(self.runs) < 2 or not self.ns_per_op:
            return None
        return (max(self.runs) - min(self.runs)) / 2 / self.ns_per_op


def combine(runs):
    """{name: Measurement} of several runs of one program -> medians with their runs.

    A benchmark that reported an error in any run keeps that error."""
    combined = {}
    for name in dict.fromkeys(n for run in runs for n in run):
        found = [run[name] for run in runs if name in run]
        failed = next((m for m in found if m.error), None)
        if failed is not None:
            combined[name] = failed
            continue
        times = tuple(m.ns_per_op for m in found if m.ns_per_op)
        rates = [m.items_per_second for m in found if m.items_per_second]
        combined[name] = Measurement(name, statistics.median(times) if times else None,
                                     statistics.median(rates) if rates else None, runs=times)
    return combined


# The variants that run the track's go:: code; every other variant is the same
# code in the student's program and the reference's.
STUDENT_PREFIX = "go_"


def runs_student_code(variant):
    return variant.startswith(STUDENT_PREFIX)


@dataclass
class Row:
    """One scenario/variant across yours, the reference and Go."""
    scenario: str
    variant: str
    yours: Measurement = None
    reference: Measurement = None
    go: dict = field(default=None)   # {"name", "ns_per_op", ...} from Go
    baseline: Measurement = None     # the reference run of the scenario's textbook variant

    @property
    def runs_student_code(self):
        return runs_student_code(self.variant)

    def ratio(self):
        """yours/reference by time, for rows that run the student's code; < 1 means theirs is faster."""
        y, r = self.yours, self.reference
        if (self.runs_student_code and y and r and y.ns_per_op and r.ns_per_op
                and not y.error and not r.error):
            return y.ns_per_op / r.ns_per_op
        return None

    def within_noise(self):
        """Whether the runs of yours and of the reference overlap (None: too few runs to say)."""
        y, r = self.yours, self.reference
        if self.ratio() is None or len(y.runs) < 2 or len(r.runs) < 2:
            return None
        return min(y.runs) <= max(r.runs) and min(r.runs) <= max(y.runs)

    def go_ratio(self):
        """reference/Go by time."""
        r = self.reference
        if r and r.ns_per_op and not r.error and self.go and self.go.get("ns_per_op"):
            return r.ns_per_op / self.go["ns_per_op"]
        return None

    def baseline_ratio(self):
        """reference/textbook baseline by time; < 1 means the reference is faster."""
        r, b = self.reference, self.baseline
        if r and b and r.ns_per_op and b.ns_per_op and not r.error and not b.error:
            return r.ns_per_op / b.ns_per_op
        return None


# The variant every phase's bench keeps as its baseline: the textbook version
# (a mutex and condition variables) that the lesson explains and improves on.
BASELINE_PREFIX = "textbook"


def split_name(name):
    """("SpawnJoin", "go_go/1000") from "SpawnJoin/go_go/1000/real_time"."""
    parts = [p for p in name.split("/") if not _OPTION.match(p)]
    return parts[0], "/".join(parts[1:])


def parse_google_json(text):
    """{name: Measurement} from a --benchmark_out JSON file.

    With repetitions, the "mean" aggregate stands for the benchmark; without,
    the single iteration entry does. A benchmark whose iteration is a batch
    (a million jobs through a pool) reports its time per operation in an
    inverted-rate counter named ns_per_<thing> (seconds per thing, as Google
    Benchmark stores it): that is its time per operation, the unit its Go
    twin uses.
    """
    data = json.loads(text)
    found = {}
    for entry in data.get("benchmarks", []):
        run_type = entry.get("run_type", "iteration")
        if run_type == "aggregate" and entry.get("aggregate_name") != "mean":
            continue
        name = entry.get("run_name") or entry.get("name", "")
        if run_type == "iteration" and name in found and not found[name].error:
            continue  # keep the first repetition until the mean replaces it
        m = Measurement(name)
        if entry.get("error_occurred"):
            m.error = entry.get("error_message") or "error"
        else:
            per_thing = [v for k, v in entry.items() if k.startswith("ns_per_") and isinstance(v, (int, float))]
            m.ns_per_op = (per_thing[0] * 1e9 if per_thing
                           else entry.get("real_time", 0) * _UNIT_NS.get(entry.get("time_unit", "ns"), 1.0))
            m.items_per_second = entry.get("items_per_second")
        found[name] = m
    return found


_GO_LINE = re.compile(r"^Benchmark(\S+?)(?:-\d+)?\s+(\d+)\s+([\d.]+) ns/op(.*)$")


def parse_go(text):
    """[{"scenario", "variant", "ns_per_op", ...}] from `go test -bench` output.

    "BenchmarkSpawnJoin-8  123  456 ns/op" -> scenario SpawnJoin, variant "";
    "BenchmarkX/sub-8 ..." -> scenario X, variant "sub".
    """
    rows = []
    for line in text.splitlines():
        m = _GO_LINE.match(line.strip())
        if not m:
            continue
        scenario, _, variant = m.group(1).partition("/")
        row = {"name": "Benchmark" + m.group(1), "scenario": scenario, "variant": variant,
               "iterations": int(m.group(2)), "ns_per_op": float(m.group(3))}
        for value, unit in re.findall(r"([\d.]+) (B/op|allocs/op)", m.group(4)):
            row["bytes_per_op" if unit == "B/op" else "allocs_per_op"] = float(value)
        rows.append(row)
    return rows


def combine_go(rows):
    """`go test -count N` rows -> one row per benchmark: the median ns/op, its runs in "runs"."""
    by_name = {}
    for row in rows:
        by_name.setdefault(row["name"], []).append(row)
    combined = []
    for found in by_name.values():
        row = dict(found[0])
        row["runs"] = [r["ns_per_op"] for r in found]
        row["ns_per_op"] = statistics.median(row["runs"])
        combined.append(row)
    return combined


def _go_spread(go):
    """± half the range of Go's runs relative to their median, or None for one run."""
    runs = go.get("runs", [])
    return (max(runs) - min(runs)) / 2 / go["ns_per_op"] if len(runs) > 1 and go["ns_per_op"] else None


def format_go(go):
    if not go:
        return "-"
    spread = _go_spread(go)
    text = format_time(go["ns_per_op"])
    return text if spread is None else f"{text} ±{spread * 100:.0f}%"


def _go_match(go_rows, scenario, variant):
    """Go's benchmark for a C++ scenario/variant: same args, same variant, or the scenario itself.

    Arguments are spelt `workers:8` by Google Benchmark and `workers=8` by
    the Go twins' b.Run names: the two spellings match.
    """
    candidates = [g for g in go_rows if g["scenario"] == scenario]
    args = _args(variant)
    for wanted in (args, variant, ""):
        for g in candidates:
            if _same_args(g["variant"], wanted):
                return g
    return candidates[0] if len(candidates) == 1 else None


def _same_args(go_variant, wanted):
    return go_variant.replace("=", ":") == wanted.replace("=", ":")


def merge(yours, reference, go_rows):
    """Rows in the reference's order (student-only benchmarks appended)."""
    rows = []
    for name in list(reference) + [n for n in yours if n not in reference]:
        scenario, variant = split_name(name)
        rows.append(Row(scenario, variant, yours.get(name), reference.get(name),
                        _go_match(go_rows, scenario, variant)))
    for row in rows:
        if not row.variant.startswith(BASELINE_PREFIX):
            row.baseline = _baseline_match(rows, row)
    return rows


def _args(variant):
    """"workers:8" from "go_WorkerPool/workers:8"; "" without arguments."""
    return variant.split("/", 1)[1] if "/" in variant else ""


def _baseline_match(rows, row):
    """The reference measurement of row's scenario's textbook variant, same arguments."""
    for other in rows:
        if (other.scenario == row.scenario and other.variant.startswith(BASELINE_PREFIX)
                and _args(other.variant) == _args(row.variant)):
            return other.reference
    return None


def format_time(ns):
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.3g} {unit}"
    return f"{ns:.3g} ns"


def format_rate(per_second):
    for unit, scale in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if per_second >= scale:
            return f"{per_second / scale:.3g}{unit} items/s"
    return f"{per_second:.3g} items/s"


def format_measurement(m):
    if m is None:
        return "-"
    if m.error:
        return "not implemented" if m.not_implemented else f"error: {m.error[:30]}"
    text = format_rate(m.items_per_second) if m.items_per_second else format_time(m.ns_per_op)
    return text if m.spread is None else f"{text} ±{m.spread * 100:.0f}%"


def format_ratio(ratio, within_noise=None):
    if ratio is None:
        return "-"
    if within_noise:
        return f"{ratio:.2f} (within noise)"
    word = "faster" if ratio < 0.95 else "slower" if ratio > 1.05 else "same"
    return f"{ratio:.2f} ({word})"


def table(rows):
    """The comparison table `workbook bench` prints."""
    header = ["scenario", "variant", "yours", "reference", "yours/ref", "Go", "ref/Go", "ref/textbook"]
    lines = [header]
    for row in rows:
        go_time = format_go(row.go)
        yours = format_measurement(row.yours) if row.runs_student_code else "(same code)"
        lines.append([row.scenario, row.variant, yours,
                      format_measurement(row.reference), format_ratio(row.ratio(), row.within_noise()), go_time,
                      f"{row.go_ratio():.3g}" if row.go_ratio() else "-",
                      f"{row.baseline_ratio():.3g}" if row.baseline_ratio() else "-"])
    widths = [max(len(ln[i]) for ln in lines) for i in range(len(header))]
    text = ["  ".join(c.ljust(w) for c, w in zip(ln, widths)).rstrip() for ln in lines]
    return "\n".join([text[0], "-" * max(map(len, text))] + text[1:])


def to_json(rows):
    def m(x):
        return None if x is None else {"name": x.name, "ns_per_op": x.ns_per_op, "runs_ns_per_op": list(x.runs),
                                       "items_per_second": x.items_per_second, "error": x.error or None}
    return [{"scenario": r.scenario, "variant": r.variant, "yours": m(r.yours), "reference": m(r.reference),
             "go": r.go, "runs_your_code": r.runs_student_code, "yours_over_reference": r.ratio(),
             "within_noise": r.within_noise(), "reference_over_go": r.go_ratio(),
             "reference_over_textbook": r.baseline_ratio()} for r in rows]
