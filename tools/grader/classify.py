"""One readable line per failed test: why did it fail?

A test's raw output can be hundreds of lines (gdb stacks, sanitizer reports).
Students need the one fact that tells them what to do next, so the markers the
test harness prints are checked in priority order, most actionable first:

  not implemented yet > deadlock > data race > TSan's own crash report (SEGV)
  > ASan/UBSan > crash > thread leak
  > first gtest failure > whatever ctest said.

A stub's go::todo comes first because it explains everything after it (a
thread that died of go::todo can also leave a deadlock or a leak behind).
"""

import re
from dataclasses import dataclass

from . import diagnose

# A reason line is printed whole and wrapped; this only bounds what a runaway
# message (a dumped container, a long stack) can add to it.
MAX_REASON = 400


@dataclass(frozen=True)
class Failure:
    kind: str    # todo, tsan-setup, deadlock, timeout, race, tsan, asan, ubsan, crash, leak, assertion, other
    reason: str  # one line for the student


def _short(text, limit=MAX_REASON):
    """One line of at most `limit` characters, cut between words, never inside one."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit - 1]
    head = cut.rsplit(" ", 1)[0] if " " in cut else cut
    return head.rstrip(" ,;:") + "…"


def _basename(path):
    return path.replace("\\", "/").rsplit("/", 1)[-1]


_TODO = re.compile(r"not implemented yet: ([^\"\n]+)")
_TSAN_MAPPING = re.compile(r"ThreadSanitizer: unexpected memory mapping")
_DEADLOCK = re.compile(r"go-workbook: timed out after (\S+) s: probably a deadlock")
_WAITING_FOR = re.compile(r"go-workbook: still waiting for: (.+)$", re.M)
_TSAN = re.compile(r"WARNING: ThreadSanitizer: (.+?)(?: \(pid=\d+\))?\s*$", re.M)
# TSan's own report of a deadly signal: "==12==ERROR: ThreadSanitizer: SEGV on unknown address ...".
_TSAN_FATAL = re.compile(r"^==\d+==ERROR: ThreadSanitizer: ([\w-]+)", re.M)
# "#0 func file:12:3 (module+0x1)" (TSan) or "#0 0x4f5a in func file:12:3" (ASan).
_FRAME = re.compile(r"^\s+#(\d+) (?:0x[0-9a-f]+ in )?(.+?) (\S+?):(\d+)(?::\d+)?(?: \(.*)?$", re.M)
_ASAN = re.compile(r"ERROR: (AddressSanitizer|LeakSanitizer): ([\w-]+(?: [\w-]+)*?)(?: on | at |\s*$)", re.M)
_UBSAN = re.compile(r"^(\S+?):(\d+):\d+: runtime error: (.+)$", re.M)
_CRASH = re.compile(r"go-workbook: crashed: (SIG[A-Z]+)")
_UNCAUGHT = re.compile(r"terminate called after throwing an instance of '([^']+)'\n\s*what\(\):\s*(.*)")
# "thread leak: 2 thread(s) still running after the test (threads now: ...). ..." -> up to "test".
_LEAK = re.compile(r"go-workbook: (thread leak: (?:.*?after the test|.+))")
_GTEST_FAILURE = re.compile(r"^(.+?):(\d+): Failure$", re.M)

# ctest's word for a signal death -> the signal's name.
_CTEST_SIGNALS = [("segfault", "SIGSEGV"), ("abort", "SIGABRT"), ("bus", "SIGBUS"),
                  ("illegal", "SIGILL"), ("numerical", "SIGFPE"), ("interrupt", "SIGINT")]


def _first_frame(report):
    """" in func (file.hpp:12)" for the most telling frame of a sanitizer
    report's first stack (diagnose.pick: the student's code, else the test's),
    else frame #0."""
    frames = []
    for m in _FRAME.finditer(report):
        if frames and m.group(1) == "0":
            break  # the next stack of the report begins
        frames.append(diagnose.Frame(m.group(2), m.group(3), int(m.group(4))))
    if not frames:
        return ""
    best = diagnose.pick(frames) or frames[0]
    return f" in {_short(best.function, 60)} ({_basename(best.path)}:{best.line})"


# gtest's own lines in a failure block; what follows them is the message the
# test streamed in with `<<`, its own words for what went wrong.
_GTEST_FORMAT = re.compile(r"^(\s|Value of: |Expected: |Actual: |Expected equality of these values:|"
                           r"Which is: |The difference between |Failed$|Expected: \(|Death test: )")
_BOOLEAN_CHECK = re.compile(r"^Value of: .*\bActual: (true|false)\b.*Expected: (true|false)$")


def _gtest_message(output):
    """First `file:line: Failure` block as one line: "wg_test.cpp:42: <the test's message>",
    with gtest's description of the values after it in parentheses (none for a
    plain true/false check, where it says nothing the message does not)."""
    m = _GTEST_FAILURE.search(output)
    if not m:
        return None
    body = []
    for line in output[m.end():].lstrip("\n").splitlines():
        if not line.strip() or line.startswith("[  FAILED  ]") or _GTEST_FAILURE.match(line):
            break
        body.append(line)
    where = "" if m.group(1) == "unknown file" else f"{_basename(m.group(1))}:{m.group(2)}: "
    own = len(body)
    while own > 0 and not _GTEST_FORMAT.match(body[own - 1]):
        own -= 1
    message = " ".join(line.strip() for line in body[own:])
    details = " ".join(line.strip() for line in body[:own])
    if not message or not details:
        return where + (message or details)
    if _BOOLEAN_CHECK.match(details):
        return where + message
    return f"{where}{message} ({details})"


def _ctest_signal(ctest_status):
    word = ctest_status.lower()
    for needle, signal in _CTEST_SIGNALS:
        if needle in word:
            return signal
    if "exception" in word or "fault" in word:
        return ctest_status
    return None


def classify(output, ctest_status="", seconds=0.0):
    """The Failure that best explains a failed test's output."""
    m = _TODO.search(output)
    if m:
        return Failure("todo", f"not implemented yet: {m.group(1).strip()}")
    if _TSAN_MAPPING.search(output):
        return Failure("tsan-setup", "ThreadSanitizer could not start: unexpected memory mapping")
    m = _DEADLOCK.search(output)
    if m:
        message = _gtest_message(output[:m.start()])
        if message:
            # The test said what it waited for before the watchdog fired: its words first.
            return Failure("deadlock", _short(f"{message} (then timed out after {m.group(1)} s)"))
        waiting = _WAITING_FOR.search(output)
        # The watchdog's own "test X to finish" says nothing the test name does not.
        detail = f" (waiting for {waiting.group(1)})" if waiting and not waiting.group(1).startswith("test ") else ""
        return Failure("deadlock", _short(f"timed out after {m.group(1)} s: probably a deadlock{detail}"))
    if ctest_status == "Timeout":
        return Failure("timeout", f"killed by ctest's timeout after {seconds:.0f} s: probably a deadlock")
    m = _TSAN.search(output)
    if m:
        what = m.group(1)
        frame = _first_frame(output[m.end():])
        if what == "data race":
            return Failure("race", _short(f"data race (ThreadSanitizer){frame}"))
        return Failure("tsan", _short(f"ThreadSanitizer: {what}{frame}"))
    m = _TSAN_FATAL.search(output)
    if m:
        return Failure("tsan", _short(f"ThreadSanitizer: {m.group(1)}{_first_frame(output[m.end():])}"))
    m = _ASAN.search(output)
    if m:
        return Failure("asan", _short(f"{m.group(1)}: {m.group(2)}{_first_frame(output[m.end():])}"))
    m = _UBSAN.search(output)
    if m:
        return Failure("ubsan", _short(f"UBSan: {m.group(3)} ({_basename(m.group(1))}:{m.group(2)})"))
    m = _CRASH.search(output)
    signal = m.group(1) if m else _ctest_signal(ctest_status)
    uncaught = _UNCAUGHT.search(output)
    if signal or uncaught:
        # An exception escaping a thread ends in std::terminate -> SIGABRT; name it.
        detail = f" (uncaught {uncaught.group(1)}: {uncaught.group(2).strip()})" if uncaught else ""
        frame = diagnose.crash_frame(output)
        where = f" in {_short(frame.function, 60)} ({frame.where})" if frame else ""
        return Failure("crash", _short(f"crashed: {signal or 'SIGABRT'}{where}{detail}"))
    m = _LEAK.search(output)
    if m:
        return Failure("leak", _short(m.group(1)))
    message = _gtest_message(output)
    if message:
        return Failure("assertion", _short(message))
    if ctest_status == "Not Run":
        return Failure("other", "not run (is the test program built?)")
    return Failure("other", f"failed ({ctest_status or 'no failure message'}); see the full output")


def is_tsan_report(output):
    """Whether any ThreadSanitizer warning appears (for the tsan verdict column)."""
    return bool(_TSAN.search(output))
