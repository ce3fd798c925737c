#!/usr/bin/env bash
# Runs each C test program (under valgrind when VALGRIND=1, also in the programs it execs),
# adds up the PASS/FAIL lines the cases print, counts a program that fails without saying so
# (a crash) as one failure, and closes with "N passed, N failed". An argument may carry the
# program's own arguments ("build/soak/soak --seconds 10"); SKIP lines are shown and count
# neither way.
set -u
passed=0
failed=0
for arg in "$@"; do
    read -ra cmd <<<"$arg"
    name=$(basename "${cmd[0]}")
    if [ "${VALGRIND:-0}" = 1 ]; then
        out=$(valgrind -q --trace-children=yes --trace-children-skip='*/qemu-system-*,qemu-system-*' --error-exitcode=99 --leak-check=full \
              --errors-for-leak-kinds=definite --show-leak-kinds=definite "${cmd[@]}" 2>&1)
    else
        out=$(timeout 120 "${cmd[@]}" 2>&1)
    fi
    rc=$?
    p=$(grep -c '^PASS ' <<<"$out")
    f=$(grep -c '^FAIL ' <<<"$out")
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        f=1
        echo "$out" | tail -20
        echo "FAIL $name exited with status $rc"
    elif [ "$f" -ne 0 ]; then
        echo "$out" | grep -v '^PASS '
    else
        grep '^SKIP ' <<<"$out"
    fi
    echo "$name: $p passed, $f failed"
    passed=$((passed + p))
    failed=$((failed + f))
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
