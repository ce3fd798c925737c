#!/usr/bin/env bash
# The Python package's pytest suite against the library just built, under `python -X dev` with
# ResourceWarning as an error, printed as PASS/FAIL/SKIP lines for ctests/run.sh (which adds
# them to make check's count). The interpreter: PYTHON if set, else Debian's /usr/bin/python3
# (where .ci/run installs python3-pytest), else python3 on PATH; one without pytest is a FAIL.
set -u
cd "$(dirname "$0")"
export VIRTEVENT_LIBRARY="${VIRTEVENT_LIBRARY:-$(cd .. && pwd)/target/release/libvirtevent.so}"
python=${PYTHON:-}
if [ -z "$python" ]; then
    for candidate in /usr/bin/python3 python3; do
        if "$candidate" -c 'import pytest' 2>/dev/null; then
            python=$candidate
            break
        fi
    done
fi
if [ -z "$python" ]; then
    echo "FAIL python_tests: no python3 with pytest (apt-get install python3-pytest)"
    exit 1
fi
out=$("$python" -X dev -W error::ResourceWarning -m pytest -p no:cacheprovider -rA -q tests 2>&1)
rc=$?
# -rA's summary: "PASSED tests/x.py::name", "FAILED …", "ERROR …", "SKIPPED [1] file:line: reason"
sed -n -e 's/^PASSED /PASS /p' -e 's/^FAILED /FAIL /p' -e 's/^ERROR /FAIL /p' -e 's/^SKIPPED /SKIP /p' <<<"$out"
if [ "$rc" -ne 0 ]; then
    grep -v '^PASSED ' <<<"$out" | tail -60
fi
tail -1 <<<"$out"
exit "$rc"
