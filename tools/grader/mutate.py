"""Mutation testing: plant the canonical concurrency bugs in a reference, one at a time.

`make mutate PHASE=NN` asks of a phase's tests the question `make check`
asks of the hand-written mutants in mutants/: would they notice? This module
finds the places in solutions/NN-topic/go/*.hpp where a classic mistake fits
and writes each mistake as a patch; commands/mutate.py builds and runs them.

The operators, each the mistake a lesson warns about:

    drop-notify      a wake-up (notify_one/all, unpark, futex_wake, wake) is never sent
    notify-one       notify_all becomes notify_one; a futex wakes one thread, not all
    drop-lock        a lock_guard / unique_lock / scoped_lock line is gone (built under TSan)
    while-to-if      `while` becomes `if` around a wait (a spurious or stolen wake-up goes on)
    relaxed          one acquire/release/acq_rel/seq_cst ordering becomes relaxed (built under TSan)
    off-by-one       `<` becomes `<=` (or `>=` becomes `>`) in a comparison with a size, count or capacity (built under ASan)

A mutant's id names the operator, the file and the text of the line it
changes, so it survives edits elsewhere in the file. Mutants that cannot be
caught (equivalent ones, and ordering relaxations that neither x86 nor TSan can
observe: TSan sees races on plain data, not a missing acquire between two
atomics) are listed with their reason in mutants/NN-topic/equivalent.txt and
not counted.
"""

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

_WAKE = re.compile(r"\.notify_(one|all)\(\)|(\.|->)unpark\(\)|\bfutex_wake\(|(\.|->)wake\(\)")
_LOCK = re.compile(r"^\s*(std::)?(lock_guard|unique_lock|scoped_lock|annotated_lock)\b[^;]*;\s*(//.*)?$")
_ORDER = re.compile(r"std::memory_order_(acquire|release|acq_rel|seq_cst)\b")
_SIZE_WORDS = re.compile(r"\b\w*(cap|size|capacity|count|limit|len|max|min|live|idle|waiting|n)\w*\b", re.I)
_LESS = re.compile(r"(?<![<\-])<(?![<=])(?=\s)")
_GREATER_EQ = re.compile(r">=(?=\s)")


@dataclass(frozen=True)
class Mutation:
    operator: str
    file: str       # relative to the phase's solutions folder, e.g. "go/chan.hpp"
    line: int       # 1-based
    original: str
    mutated: str

    @property
    def id(self):
        digest = hashlib.sha1(f"{self.original.strip()}|{self.mutated.strip()}".encode()).hexdigest()[:8]
        return f"{self.operator}-{Path(self.file).stem.replace('_', '-')}-{digest}"

    @property
    def preset(self):
        # A dropped lock and a weakened ordering are data races first: TSan
        # reports them even where the answer happens to come out right. An
        # off-by-one on a size or an index reads one element too far first:
        # ASan reports it even where the stray value happens to change nothing.
        if self.operator in ("relaxed", "drop-lock"):
            return "tsan"
        return "asan" if self.operator == "off-by-one" else "default"

    def describe(self):
        return f"{self.file}:{self.line}: {self.original.strip()}  ->  {self.mutated.strip()}"


def _code(line):
    """The line without its // comment, string literals blanked to spaces (same
    length, so positions still match the line): no mutation inside either."""
    blanked = re.sub(r'"(?:[^"\\]|\\.)*"', lambda m: '"' + " " * (len(m.group(0)) - 2) + '"', line)
    cut = blanked.find("//")
    return blanked if cut < 0 else blanked[:cut]


def _is_comment(line):
    stripped = line.strip()
    return not stripped or stripped.startswith(("//", "*", "/*", "#"))


def mutations_of_line(lines, i):
    """Every mutation of line i (0-based) of a file's lines."""
    line = lines[i]
    if _is_comment(line):
        return []
    code = _code(line)
    found = []
    indent = line[: len(line) - len(line.lstrip())]
    if _WAKE.search(code) and code.rstrip().endswith(";") and "return" not in code:
        found.append(("drop-notify", f"{indent}// (mutant: no wake-up) {line.strip()}"))
    if ".notify_all()" in code:
        found.append(("notify-one", line.replace(".notify_all()", ".notify_one()", 1)))
    if "futex_wake(" in code and "max()" in code:
        found.append(("notify-one", re.sub(r"futex_wake\(([^,]+),[^;]*\);", r"futex_wake(\1, 1);", line, count=1)))
    if _LOCK.match(line):
        found.append(("drop-lock", f"{indent}// (mutant: no lock) {line.strip()}"))
    if re.search(r"\bwhile \(", code):
        window = " ".join(_code(x) for x in lines[i:i + 4])
        if re.search(r"\.wait\(|park\(|futex_wait", window):
            found.append(("while-to-if", line.replace("while (", "if (", 1)))
    for m in _ORDER.finditer(code):
        found.append(("relaxed", line[:m.start()] + "std::memory_order_relaxed" + line[m.end():]))
    if _SIZE_WORDS.search(code) and ("if (" in code or "while (" in code or "return" in code):
        for m in _LESS.finditer(code):
            found.append(("off-by-one", line[:m.start()] + "<=" + line[m.end():]))
        for m in _GREATER_EQ.finditer(code):
            found.append(("off-by-one", line[:m.start()] + ">" + line[m.end():]))
    return [op_and_text for op_and_text in found if op_and_text[1] != line]


def find(solution_dir):
    """Every mutation of every header of one phase's reference, in file order."""
    root = Path(solution_dir)
    found = []
    for path in sorted(root.rglob("*.hpp")):
        lines = path.read_text(encoding="utf-8").splitlines()
        rel = str(path.relative_to(root))
        for i in range(len(lines)):
            for operator, mutated in mutations_of_line(lines, i):
                found.append(Mutation(operator, rel, i + 1, lines[i], mutated))
    return _unique(found)


def _unique(mutations):
    """Drops a mutation whose id repeats (the same line text twice in a file)."""
    seen, kept = set(), []
    for m in mutations:
        if m.id not in seen:
            seen.add(m.id)
            kept.append(m)
    return kept


def patch_text(mutation, solution_dir):
    """The mutation as a patch for the CMake mutant machinery (cmake/Workbook.cmake)."""
    lines = (Path(solution_dir) / mutation.file).read_text(encoding="utf-8").splitlines()
    i = mutation.line - 1
    start, end = max(0, i - 3), min(len(lines), i + 4)
    before = lines[start:end]
    after = before[: i - start] + [mutation.mutated] + before[i - start + 1:]
    hunk = [f"@@ -{start + 1},{len(before)} +{start + 1},{len(after)} @@"]
    hunk += [f" {x}" for x in lines[start:i]] + [f"-{lines[i]}", f"+{mutation.mutated}"]
    hunk += [f" {x}" for x in lines[i + 1:end]]
    header = [f"Mutant: {mutation.operator}: {mutation.describe()}", "Caught by: any test of the phase"]
    if mutation.preset != "default":
        header.append(f"Preset: {mutation.preset}")
    return "\n".join(header + ["", f"--- a/{mutation.file}", f"+++ b/{mutation.file}"] + hunk) + "\n"


def read_equivalent(path):
    """{mutant id: reason} from an equivalent.txt (`<id>  <reason>` per line, # comments)."""
    listed = {}
    if not Path(path).is_file():
        return listed
    for raw in Path(path).read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        mutant_id, _, reason = line.partition(" ")
        listed[mutant_id] = reason.strip()
    return listed


def score(outcomes, equivalent):
    """(caught, counted, percent) over outcomes {id: "caught"|"survived"|"did not compile"},
    leaving out the equivalent ones and those that did not compile."""
    counted = [i for i, o in outcomes.items() if o != "did not compile" and i not in equivalent]
    caught = sum(outcomes[i] == "caught" for i in counted)
    return caught, len(counted), (100.0 * caught / len(counted)) if counted else 100.0
