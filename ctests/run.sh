#!/usr/bin/env bash
# Runs each C test program (under valgrind when VALGRIND=1), adds up the PASS/FAIL lines the
# cases print, counts a program that fails without saying so (a crash) as one failure, and
# closes with "N passed, N failed".
set -u
passed=0
failed=0
for bin in "$@"; do
    name=$(basename "$bin")
    if [ "${VALGRIND:-0}" = 1 ]; then
        out=$(valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
              --show-leak-kinds=definite "$bin" 2>&1)
    else
        out=$(timeout 120 "$bin" 2>&1)
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
    fi
    echo "$name: $p passed, $f failed"
    passed=$((passed + p))
    failed=$((failed + f))
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
