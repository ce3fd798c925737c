#!/usr/bin/env bash
# Each public header compiles on its own in C (c99, c11) and in C++ (c++11), warning-free with
# -Wall -Wextra -Werror (and -pedantic in C); ctests/header_cxx.cpp, including the libvirt
# shims from C++, links against the library and runs. One PASS/FAIL line per compile, for
# ctests/run.sh. CC and CXX pick the compilers; the library must be built (make lib).
set -u
cd "$(dirname "$0")/.."
CC=${CC:-cc}
CXX=${CXX:-g++}
out=build/headers
mkdir -p "$out"
status=0
try() { # name, command...
    local name=$1 log
    shift
    if log=$("$@" 2>&1); then
        echo "PASS $name"
    else
        echo "$log" | head -20
        echo "FAIL $name"
        status=1
    fi
}
for h in virtevent.h libvirt/libvirt.h libvirt/virterror.h; do
    for std in c99 c11; do
        try "header_alone_${h//\//_}_$std" \
            "$CC" -std=$std -pedantic -Wall -Wextra -Werror -Iinclude -x c -fsyntax-only - <<<"#include <$h>"
    done
    try "header_alone_${h//\//_}_c++11" \
        "$CXX" -std=c++11 -Wall -Wextra -Werror -Iinclude -x c++ -fsyntax-only - <<<"#include <$h>"
done
rm -f "$out/header_cxx"
if command -v "$CXX" >/dev/null; then
    try header_cxx_compiles "$CXX" -std=c++11 -Wall -Wextra -Werror -Iinclude -o "$out/header_cxx" \
        ctests/header_cxx.cpp -Ltarget/release -Wl,-rpath,"$PWD/target/release" -lvirtevent
    [ -x "$out/header_cxx" ] && { "$out/header_cxx" || status=1; }
else
    echo "FAIL header_cxx_compiles: no C++ compiler ($CXX)"
    status=1
fi
exit $status
