#!/bin/sh
# Runs one test process up to N times, each a fresh process, and stops at the
# first run that fails (its exit status is ours); 0 if every run passed.
#
#   tools/tries-launch.sh N [LAUNCHER...] PROGRAM ARGS...
#
# A mutant whose catch depends on timing (mutants/*/*.patch, "Tries: N")
# runs its tests this way: one failing run catches it. Fresh processes, not
# --gtest_repeat, because what hides a race can last as long as the process:
# under load, ThreadSanitizer was seen to miss a race in every repeat of one
# process and report it in the next process.
#
# gtest_discover_tests lists the tests through the same launcher: a listing
# runs once.
n=$1
shift
case " $* " in
  *" --gtest_list_tests "*) exec "$@" ;;
esac
i=1
while :; do
  "$@" || exit $?
  [ "$i" -ge "$n" ] && exit 0
  i=$((i + 1))
done
