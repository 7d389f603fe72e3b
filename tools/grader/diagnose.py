"""What a sanitizer report or a crash says, in the student's terms.

classify.py gives a failed test its one reason line. When the failure is a
report from ThreadSanitizer, AddressSanitizer, UndefinedBehaviorSanitizer or
LeakSanitizer, or a crash, the test's own hint (about the logic it checks) is
beside the point: what the student needs is where, in their code, the report
points. explain() turns the report into a few lines:

  data race: the two accesses (file:line, function, thread, the locks each
    held, the source line), the memory (a global's name, or the heap block
    and where it was allocated), which lock should guard it;
  ASan: the bad access and, for a use after free, where it was freed and
    allocated;
  UBSan: the line and what was undefined, with the student's frame when the
    line is in the standard library;
  LeakSanitizer: where each leaked block was allocated;
  crash: the faulting frame (from the gdb stacks the crash handler prints,
    or, under TSan, from TSan's own SEGV report) and the command that reruns
    the test under ASan.

"The student's frame" is the first frame in exercises/ or solutions/; frames
in the standard library, GoogleTest, support/ and tests/support/ are never
it, and a test's own frame (tests/NN-*/) stands in when no student frame is
on the stack.
"""

import re
from dataclasses import dataclass
from pathlib import Path

TSAN_DOC = "docs/tsan.md#reading-a-report"


@dataclass(frozen=True)
class Frame:
    function: str
    path: str
    line: int

    @property
    def where(self):
        return f"{Path(self.path).name}:{self.line}"


def _is_student(path):
    return "/exercises/" in path or "/solutions/" in path


def _is_test(path):
    return "/tests/" in path and "/tests/support/" not in path


def pick(frames):
    """The student's frame of a stack, else the test's, else None."""
    for wanted in (_is_student, _is_test):
        for frame in frames:
            if wanted(frame.path):
                return frame
    return None


def _without_parameters(name):
    """"f(int, std::string) const" -> "f() const": the last balanced (...) emptied."""
    name = name.strip()
    suffix = " const" if name.endswith(") const") else ""
    body = name[:len(name) - len(suffix)]
    if not body.endswith(")"):
        return name
    depth = 0
    for i in range(len(body) - 1, -1, -1):
        depth += {")": 1, "(": -1}.get(body[i], 0)
        if depth == 0:
            return body[:i] + "()" + suffix
    return name


def _without_template_arguments(name):
    """Every outermost <...> as <…> ("operator<" and "operator<<" are left alone)."""
    out, depth = [], 0
    for i, ch in enumerate(name):
        if ch == "<" and not name[:i].endswith(("operator", "operator<")):
            depth += 1
            if depth == 1:
                out.append("<…>")
            continue
        if ch == ">" and depth > 0:
            depth -= 1
            continue
        if depth == 0:
            out.append(ch)
    return "".join(out) if depth == 0 else name


# A lambda's call operator, as clang ('lambda'(), $_0) and gdb ({lambda()#1}) name it.
_LAMBDA = re.compile(r"::(?:'lambda\d*'\([^()]*\)|\{lambda\([^()]*\)#\d+\}|\$_\d+)::operator\(\)\(.*\)( const)?$")


def _short_function(name, limit=70):
    """A function's name without its parameters and, when it is still longer
    than `limit`, with its template arguments as <…>; never cut inside a word.
    A lambda is named by the function it is in: "a lambda in go::WaitGroup::wait() const"."""
    m = _LAMBDA.search(name.strip())
    if m:
        return "a lambda in " + _short_function(name.strip()[:m.start()], limit)
    name = _without_parameters(name)
    return name if len(name) <= limit else _without_template_arguments(name)


# "#0 func file:12:3 (module+0x1)" (TSan) or "#0 0x4f5a in func file:12:3" (ASan/UBSan).
_SAN_FRAME = re.compile(r"^\s*#(\d+) (?:0x[0-9a-f]+ in )?(.+?) (/\S+?):(\d+)(?::\d+)?(?: \(.*\))?\s*$")


def _stacks(block):
    """The stacks of a report section: a list of frame lists (a new one at each #0)."""
    stacks = []
    for line in block.splitlines():
        m = _SAN_FRAME.match(line)
        if not m:
            continue
        if m.group(1) == "0" or not stacks:
            stacks.append([])
        stacks[-1].append(Frame(m.group(2), m.group(3), int(m.group(4))))
    return stacks


def _source(frame):
    """The source line a frame points at, stripped, or ""."""
    try:
        lines = Path(frame.path).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    return lines[frame.line - 1].strip() if 0 < frame.line <= len(lines) else ""


SOURCE_LIMIT = 100


def _shown(source, limit=SOURCE_LIMIT):
    """A source line as printed: whole, or cut between two words (never inside
    one) and marked with "…" when it is longer than `limit`."""
    if len(source) <= limit:
        return source
    cut = source[:limit - 1]
    head = cut.rsplit(" ", 1)[0] if " " in cut else cut
    return head.rstrip() + " …"


def _at(frame):
    """"wait_group.hpp:77 in go::WaitGroup::wait() const"."""
    if frame is None:
        return "(no frame in your code or the test's)"
    return f"{frame.where} in {_short_function(frame.function)}"


def _with_source(line, frame):
    """`line`, then the source line the frame points at (indented one step
    deeper), when it can be read."""
    source = _shown(_source(frame)) if frame is not None else ""
    depth = len(line) - len(line.lstrip(" "))
    return [line] + ([f"{' ' * (depth + 4)}`{source}`"] if source else [])


# ---------------------------------------------------------------- ThreadSanitizer

_TSAN_START = re.compile(r"^WARNING: ThreadSanitizer: (.+?)(?: \(pid=\d+\))?\s*$", re.M)
_TSAN_END = re.compile(r"^(SUMMARY: ThreadSanitizer|==================)", re.M)
_ACCESS = re.compile(r"^  (Previous )?(?:[Aa]tomic )?(read|write)(?: of size (\d+))? at (0x[0-9a-f]+) by "
                     r"(main thread|thread T\d+)(?: \(mutexes: ([^)]*)\))?:\s*$", re.M | re.I)
_LOCATION = re.compile(r"^  Location is (global '([^']+)'.*|heap block of size (\d+).*?allocated by (.+?):"
                       r"|stack of (.+?)\.)\s*$", re.M)
_MUTEX = re.compile(r"^  Mutex (M\d+) \((0x[0-9a-f]+)\) created at:\s*$", re.M)
_LOCK_NAME = re.compile(r"\b(?:lock_guard|unique_lock|scoped_lock|shared_lock|annotated_lock|\w*[Ll]ock)\b"
                        r"(?:<[^>]*>)?\s+\w+\s*[({]\s*\*?([\w.>\-]+)\s*[)},]"
                        r"|([\w.>\-]+?)(?:\.|->)lock\(\)")


def _sections(report):
    """The report split at its blank-line-separated sections."""
    return [s for s in re.split(r"\n\s*\n", report) if s.strip()]


def _lock_name(frames):
    """The name of the mutex as the student's code spells it, from the line that locked it."""
    frame = pick(frames)
    if frame is None:
        return None, None
    m = _LOCK_NAME.search(_source(frame))
    return (m.group(1) or m.group(2) if m else None), frame


def _tsan_race(report):
    lines = []
    sections = _sections(report)
    accesses, mutexes, location = [], {}, None
    for section in sections:
        m = _ACCESS.search(section)
        if m:
            held = [h.split()[-1] for h in (m.group(6) or "").split(",") if h.strip()]
            accesses.append((m.group(2).lower(), m.group(3), m.group(5), held, pick(_stacks(section)[0] if _stacks(section) else [])))
            continue
        m = _MUTEX.search(section)
        if m:
            stacks = _stacks(section)
            mutexes[m.group(1)] = _lock_name(stacks[0] if stacks else [])
            continue
        m = _LOCATION.search(section)
        if m and location is None:  # the first Location line is TSan's best; a global '??' is none
            if m.group(2) == "??":
                continue
            if m.group(2):
                location = f"the global `{m.group(2)}`"
            elif m.group(3):
                stacks = _stacks(section)
                alloc = pick(stacks[0]) if stacks else None
                where = f", allocated at {alloc.where}" if alloc else ""
                location = f"a heap object ({m.group(3)} bytes{where}): a field of it, named on the lines below"
            else:
                location = (f"an object on the stack of the {m.group(5)} (a local, or a field of one, "
                            "shared with other threads: named on the lines below)")
    if not accesses:
        return lines
    size = accesses[0][1]
    lines.append(f"The race is on {location or 'memory the report does not name'}"
                 + (f", {size} bytes" if size else "") + ". The two accesses:")
    for kind, _, thread, held, frame in accesses[:2]:
        locks = ", ".join(_describe_mutex(mutexes, name) for name in held) or "no lock"
        lines += _with_source(f"  {kind:<5} by {thread}, holding {locks}: {_at(frame)}", frame)
    lines.append(_which_lock(accesses[:2], mutexes))
    return lines


def _describe_mutex(mutexes, name):
    spelled, frame = mutexes.get(name, (None, None))
    if spelled:
        return f"`{spelled}`"
    return f"mutex {name}" + (f" (locked at {frame.where})" if frame else "")


def _which_lock(accesses, mutexes):
    held = [set(a[3]) for a in accesses]
    common = set.intersection(*held) if held else set()
    if common:
        return ("Which lock should guard it: both accesses hold the same lock, so the race is through a "
                "path that the report's stacks show only in part; look for a copy of the data taken "
                "under the lock and used after it.")
    anyone = set.union(*held) if held else set()
    if anyone:
        names = ", ".join(_describe_mutex(mutexes, n) for n in sorted(anyone))
        return (f"Which lock should guard it: {names}, which one access holds; take it around the other "
                "access too (every read and write of the field under the same lock), or, for a lone "
                "counter or flag that nothing else depends on, make the field a std::atomic.")
    return ("Which lock should guard it: neither access holds a lock. Guard every read and write of this "
            "field with the mutex that guards the object's other state (or, for a lone counter or flag, "
            "make it a std::atomic); a thread that only reads needs the lock too.")


def _tsan(output):
    m = _TSAN_START.search(output)
    if not m:
        return []
    rest = output[m.end():]
    end = _TSAN_END.search(rest)
    report = rest[:end.start()] if end else rest
    if m.group(1) == "data race":
        return _tsan_race(report)
    stacks = _stacks(report)
    frame = pick(stacks[0]) if stacks else None
    return _with_source(f"ThreadSanitizer: {m.group(1)} at {_at(frame)}", frame) if frame else []


# A deadly signal, reported by the sanitizer that caught it: "==12==ERROR:
# ThreadSanitizer: SEGV on unknown address 0x000000000000 (pc ...)", then the
# cause, the zero-page hint and the faulting thread's stack.
_TSAN_FATAL = re.compile(r"^==\d+==ERROR: ThreadSanitizer: ([\w-]+)(.*)$", re.M)
_ZERO_PAGE = "Hint: address points to the zero page."
_BAD_POINTER = "A bad pointer: null, dangling (the object was destroyed), or out of bounds."
_RERUN_ASAN = "Rerun it with PRESET=asan, which names the bad access and where the memory was freed:"


def _tsan_fatal(output, asan_command):
    """TSan's report of a crash (SEGV, BUS, ...): the faulting frame, as for ASan's."""
    m = _TSAN_FATAL.search(output)
    if not m:
        return []
    what = m.group(1)
    report = output[m.end():]
    end = re.search(r"^SUMMARY: ThreadSanitizer", report, re.M)
    report = report[:end.start()] if end else report
    stacks = _stacks(report)
    frame = pick(stacks[0]) if stacks else None
    cause = _SIGNAL_CAUSE.search(report)
    verb = (f"the {cause.group(1).lower()} through a bad pointer" + (" (null)" if _ZERO_PAGE in report else "")
            if cause else "the access")
    lines = _with_source(f"ThreadSanitizer: {what}: {verb} at {_at(frame)}", frame)
    if what in ("SEGV", "BUS"):
        lines.append(_BAD_POINTER)
        if asan_command:
            lines += [_RERUN_ASAN, f"  {asan_command}"]
    return lines


# ---------------------------------------------------------------- AddressSanitizer, LeakSanitizer

_ASAN_START = re.compile(r"^==\d+==ERROR: AddressSanitizer: ([\w-]+)(.*)$", re.M)
_ASAN_ACCESS = re.compile(r"^(READ|WRITE) of size (\d+) at 0x[0-9a-f]+ thread (T\d+)", re.M)
_SIGNAL_CAUSE = re.compile(r"==\d+==The signal is caused by a (READ|WRITE) memory access\.")
_FREED = re.compile(r"^freed by thread (T\d+) here:\s*$", re.M)
_ALLOCATED = re.compile(r"^previously allocated by thread (T\d+) here:\s*$", re.M)
_LEAK = re.compile(r"^(Direct|Indirect) leak of (\d+) byte\(s\) in (\d+) object\(s\) allocated from:\s*$", re.M)


def _stack_after(text, m):
    stacks = _stacks(text[m.end():])
    return stacks[0] if stacks else []


def _asan(output):
    m = _ASAN_START.search(output)
    if not m:
        return []
    what = m.group(1)
    report = output[m.end():]
    end = re.search(r"^SUMMARY: AddressSanitizer", report, re.M)
    report = report[:end.start()] if end else report
    access = _ASAN_ACCESS.search(report)
    cause = _SIGNAL_CAUSE.search(report)
    stacks = _stacks(report)
    frame = pick(stacks[0]) if stacks else None
    if access:
        verb = f"{access.group(1).lower()} of {access.group(2)} bytes by thread {access.group(3)}"
    elif cause:
        verb = f"{cause.group(1).lower()} through a bad pointer" + (" (null)" if "unknown address 0x0000" in m.group(2) else "")
    else:
        verb = "the access"
    lines = _with_source(f"AddressSanitizer: {what}: the {verb} at {_at(frame)}", frame)
    if what in ("SEGV", "BUS"):
        lines.append(_BAD_POINTER)
    freed = _FREED.search(report)
    if freed:
        where = pick(_stack_after(report, freed))
        lines += _with_source(f"  freed by thread {freed.group(1)} at {_at(where)}", where)
    allocated = _ALLOCATED.search(report)
    if allocated:
        where = pick(_stack_after(report, allocated))
        lines += _with_source(f"  allocated by thread {allocated.group(1)} at {_at(where)}", where)
    if what == "heap-use-after-free":
        lines.append("The memory was freed before the access: who owns this object, and does every thread that "
                     "uses it finish before the owner destroys it (join before destroy; a shared_ptr where "
                     "the lifetime is shared)?")
    return lines


def _lsan(output):
    if "ERROR: LeakSanitizer: detected memory leaks" not in output:
        return []
    lines = []
    for m in _LEAK.finditer(output):
        if m.group(1) != "Direct":
            continue
        frame = pick(_stack_after(output, m))
        lines += _with_source(f"LeakSanitizer: {m.group(2)} bytes in {m.group(3)} object(s) never freed, "
                              f"allocated at {_at(frame)}", frame)
        if len(lines) >= 6:
            break
    if lines:
        lines.append("Each allocation needs an owner that frees it (a std::unique_ptr, a container), also on the "
                     "paths that return early or throw.")
    return lines


# ---------------------------------------------------------------- UndefinedBehaviorSanitizer

_UBSAN = re.compile(r"^(/\S+?):(\d+):\d+: runtime error: (.+)$", re.M)


def _ubsan(output):
    m = _UBSAN.search(output)
    if not m:
        return []
    here = Frame("", m.group(1), int(m.group(2)))
    stacks = _stacks(output[m.end():])
    frame = pick(stacks[0]) if stacks else None
    top = stacks[0][0] if stacks and stacks[0] else None
    if top is not None and (top.path, top.line) == (here.path, here.line):
        here = top  # the same place, with its function's name
    function = f" in {_short_function(here.function)}" if here.function else ""
    # The reason line already says what was undefined; this says where.
    lines = _with_source(f"UndefinedBehaviorSanitizer stopped the test at {here.where}{function}", here)
    if frame is not None and (frame.path, frame.line) != (here.path, here.line):
        lines += _with_source(f"  reached from your code at {_at(frame)}", frame)
    return lines


# ---------------------------------------------------------------- crashes

_CRASHED = re.compile(r"go-workbook: crashed: (SIG[A-Z]+)")
_GDB_FRAME = re.compile(r"^#(\d+)\s+(?:0x[0-9a-f]+ in )?(.+?) at (\S+):(\d+)\s*$")


def crash_frames(output):
    """The frames below "<signal handler called>" in the crashed thread's gdb stack."""
    m = _CRASHED.search(output)
    if not m:
        return []
    frames, below = [], False
    for line in output[m.end():].splitlines():
        if "<signal handler called>" in line:
            below, frames = True, []
            continue
        if below:
            if line.startswith("Thread ") or not line.strip():
                break
            f = _GDB_FRAME.match(line)
            if f:
                function = re.sub(r" \(.*$", "", f.group(2))
                frames.append(Frame(function, f.group(3), int(f.group(4))))
    return frames


def crash_frame(output):
    """The student's (else the test's) frame of a crash, or None."""
    return pick(crash_frames(output))


def _crash(output, asan_command):
    m = _CRASHED.search(output)
    if not m:
        return []
    frame = crash_frame(output)
    lines = []
    if frame is not None:
        lines += _with_source(f"{m.group(1)} at {_at(frame)}", frame)
    if m.group(1) == "SIGSEGV" or m.group(1) == "SIGBUS":
        lines.append(_BAD_POINTER)
    if asan_command and m.group(1) != "SIGABRT":
        lines += [_RERUN_ASAN, f"  {asan_command}"]
    return lines


# ---------------------------------------------------------------- the entry point

SANITIZER_KINDS = ("race", "tsan", "asan", "ubsan", "crash")


def explain(kind, output, asan_command=None):
    """Lines that explain a sanitizer report or a crash, or [] for other failures."""
    if kind in ("race", "tsan"):
        lines = _tsan(output)
        if lines:
            lines.append(f"How to read the full report: {TSAN_DOC}")
            return lines
        return _tsan_fatal(output, asan_command)
    if kind == "asan":
        return _asan(output) or _lsan(output)
    if kind == "ubsan":
        return _ubsan(output)
    if kind == "crash":
        return _crash(output, asan_command)
    return []
