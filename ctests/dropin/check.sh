#!/usr/bin/env bash
# The binary drop-in (libvirt.so.0) checked against the real libvirt 9.0 when libvirt-dev is
# installed: the symbol list is current, every symbol carries libvirt's version, a program
# built against libvirt prints the same on both, and Debian's libvirt-python runs on it.
# Prints PASS/FAIL lines for ctests/run.sh. Needs VIRTEVENT_COMPAT_DIR (where our libvirt.so.0
# is) and VIRTEVENT_DROPIN_DIR (the programs built against libvirt); VIRTEVENT_DROPIN_OURS_DIR, if
# set, holds the same programs built against virtevent's header.
set -u
compat=${VIRTEVENT_COMPAT_DIR:?}
programs=${VIRTEVENT_DROPIN_DIR:?}
cd "$(dirname "$0")/../.."

if ! pkg-config --exists libvirt; then
    echo "SKIP dropin: libvirt-dev is not installed"
    exit 0
fi
result() {
    if [ "$2" -eq 0 ]; then echo "PASS $1"; else echo "FAIL $1"; fi
}
versions() {
    objdump -T "$1" | awk 'NF > 1 && $(NF-1) ~ /^LIBVIRT_[0-9]/ { print $(NF-1), $NF }' | sort
}

python3 tools/libvirt_symbols.py check
result dropin_symbol_list_matches_libvirt $?

real_lib="$(pkg-config --variable=libdir libvirt)/libvirt.so.0"
diff <(versions "$real_lib") <(versions "$compat/libvirt.so.0")
result dropin_every_symbol_with_libvirts_version $?

# Each program's output on our libvirt.so.0 equals its output on libvirt, except for the
# differences its NAME.libvirt-diff (if any) lists exactly (lines starting with # explain them).
# The same source built against our header prints what the libvirt build prints on our library.
for program in "$programs"/*; do
    name=$(basename "$program")
    real=$("$program" 2>&1)
    ours=$(LD_LIBRARY_PATH="$compat" "$program" 2>&1)
    expected=ctests/dropin/$name.libvirt-diff
    if [ -f "$expected" ]; then
        diff <(grep -v '^#' "$expected") <(diff <(echo "$real") <(echo "$ours"))
    else
        diff <(echo "$real") <(echo "$ours")
    fi
    result "dropin_same_output_as_libvirt:$name" $?
    if [ -n "${VIRTEVENT_DROPIN_OURS_DIR:-}" ]; then
        diff <(echo "$ours") <("$VIRTEVENT_DROPIN_OURS_DIR/$name" 2>&1)
        result "dropin_same_output_built_against_our_header:$name" $?
    fi
done

# libvirt's own virsh on our libvirt.so.0. Besides the public API, virsh calls 152 of libvirt's
# private helpers (string buffers, XML and JSON utilities) that a drop-in does not provide: the
# real library, preloaded after ours, lends them, and every public call still resolves to ours
# (first in the lookup order), as `test:///empty`, which libvirt does not know, shows.
if command -v virsh >/dev/null; then
    script="list --all; domstate test; dominfo test; suspend test; domstate --reason test; resume test;
        domstate --reason test; net-list --all; net-info default; net-autostart default; net-info default;
        pool-list --all; pool-info default-pool; nodedev-list; version; nodeinfo; uri; domstate nosuch"
    # libvirt's test driver reports the time of day as CPU time; ours, the time since the start.
    real=$(virsh -c test:///default "$script" 2>&1 | grep -v '^CPU time:')
    ours=$(LD_PRELOAD="$compat/libvirt.so.0 $real_lib" virsh -c test:///default "$script" 2>&1 | grep -v '^CPU time:')
    diff <(grep -v '^#' ctests/dropin/virsh.libvirt-diff) <(diff <(echo "$real") <(echo "$ours"))
    result dropin_virsh_same_output_as_libvirt $?
    LD_PRELOAD="$compat/libvirt.so.0 $real_lib" virsh -c test:///empty "list --all" > /dev/null 2>&1
    result dropin_virsh_calls_our_library $?
else
    echo "SKIP dropin_virsh: libvirt-clients is not installed"
fi

# Debian's binding is built for Debian's python3.
if /usr/bin/python3 -c 'import libvirt' 2>/dev/null; then
    LD_LIBRARY_PATH="$compat" /usr/bin/python3 ctests/dropin/events.py
else
    echo "SKIP dropin_python: python3-libvirt is not installed"
fi
