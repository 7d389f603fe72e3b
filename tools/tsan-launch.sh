#!/bin/sh
# Runs one ThreadSanitizer test process. TSan's runtime (clang 14) aborts with
# "unexpected memory mapping" when the kernel randomises mmap addresses with
# more than 28 bits (vm.mmap_rnd_bits=32 on recent kernels). `setarch -R`
# turns address randomisation off for this process only, which avoids it.
# Containers whose seccomp profile forbids that (Docker's default) must lower
# the sysctl on the host instead: sudo sysctl -w vm.mmap_rnd_bits=28
bits=$(cat /proc/sys/vm/mmap_rnd_bits 2>/dev/null || echo 0)
if [ "$bits" -gt 28 ] && setarch -R true 2>/dev/null; then
  exec setarch -R "$@"
fi
exec "$@"
