"""Host problems that make sanitizer builds fail for reasons unrelated to the code.

ThreadSanitizer in the LLVM versions Debian ships cannot cope with the 32-bit
mmap randomisation newer kernels default to: every test dies at startup with
"FATAL: ThreadSanitizer: unexpected memory mapping". The tsan preset starts
every test through tools/tsan-launch.sh, which uses `setarch -R` (no ASLR) to
dodge it where the container allows; these notes explain the rest.
"""

from pathlib import Path

MMAP_RND_BITS = Path("/proc/sys/vm/mmap_rnd_bits")
TSAN_SAFE_BITS = 28


def host_notes(preset, rnd_bits_file=MMAP_RND_BITS):
    """Notes to print before running tests of a preset on this machine."""
    if preset != "tsan":
        return []
    try:
        bits = int(rnd_bits_file.read_text().strip())
    except (OSError, ValueError):
        return []
    if bits <= TSAN_SAFE_BITS:
        return []
    return [f"note: vm.mmap_rnd_bits is {bits} (> {TSAN_SAFE_BITS}); ThreadSanitizer needs at most "
            f"{TSAN_SAFE_BITS}. The tsan preset runs every test under `setarch -R` (tools/tsan-launch.sh) "
            "to work around it; where the container forbids that, run "
            f"`sudo sysctl -w vm.mmap_rnd_bits={TSAN_SAFE_BITS}` on the host."]


def output_notes(tests):
    """Notes derived from the failures themselves (tests: runner.TestResult list)."""
    if any(t.kind == "tsan-setup" for t in tests):
        return ["ThreadSanitizer reported `unexpected memory mapping`: it could not start on this host "
                "(kernel ASLR entropy too high, and `setarch -R` was not possible here). Fix: "
                f"`sudo sysctl -w vm.mmap_rnd_bits={TSAN_SAFE_BITS}` on the host. The failures above say "
                "nothing about your code."]
    return []
