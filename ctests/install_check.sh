#!/usr/bin/env bash
# `make install` into a fresh prefix, a program built with the README's line against that copy
# runs, and `make uninstall` leaves the prefix empty. Prints PASS/FAIL lines for ctests/run.sh.
set -u
cd "$(dirname "$0")/.."
prefix=$(mktemp -d)
trap 'rm -rf "$prefix" "$prefix.c" "$prefix.app" "$prefix.log"' EXIT
result() {
    if [ "$2" -eq 0 ]; then echo "PASS $1"; else echo "FAIL $1"; fi
}

make --no-print-directory install PREFIX="$prefix" > "$prefix.log" 2>&1
result install $?
# Each check below needs what it looks at to be there: a failed install fails them all.
[ -e "$prefix/lib/virtevent/libvirt.so.0" ] && [ -e "$prefix/include/virtevent/libvirt/libvirt.h" ] &&
    ! find "$prefix" -name libvirt.so.0 | grep -v "/lib/virtevent/" | grep -q . &&
    ! [ -e "$prefix/include/libvirt" ]
result install_never_shadows_libvirt $?
sections=$(readelf -S "$prefix/lib/libvirtevent.so.0" 2>/dev/null) && echo "$sections" | grep -q "\.text" &&
    ! echo "$sections" | grep -q "\.debug_info"
result installed_library_is_stripped $?

cat > "$prefix.c" <<'PROGRAM'
#include <libvirt/libvirt.h>
#include <stdio.h>
int main(void)
{
    virConnectPtr conn = virConnectOpen("test:///default");
    printf("%d\n", conn ? virConnectNumOfDomains(conn) : -1);
    return conn ? virConnectClose(conn) : 1;
}
PROGRAM
# The README's line.
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
cc "$prefix.c" $(pkg-config --cflags --libs virtevent) -o "$prefix.app" && [ "$("$prefix.app")" = 1 ]
result program_built_against_the_installed_copy_runs $?

# The Python package, copied away from the checkout, finds the installed library through the
# dynamic loader's path.
mkdir -p "$prefix.py" && cp -r python/virtevent "$prefix.py/" &&
    [ "$(cd / && env -u VIRTEVENT_LIBRARY LD_LIBRARY_PATH="$prefix/lib" PYTHONPATH="$prefix.py" \
        python3 -c 'import virtevent; print(virtevent.LIBRARY_PATH, virtevent.open().num_of_domains())')" = \
      "libvirtevent.so.0 1" ]
result python_package_finds_the_installed_library $?
rm -rf "$prefix.py"
# The event monitor, installed beside the library it runs on.
[ "$("$prefix/bin/virtevent-event" --event lifecycle --since 0)" = "event 'lifecycle' for domain 'test': Started Booted
events received: 1" ] && ldd "$prefix/bin/virtevent-event" | grep -q "$prefix/lib/libvirtevent.so.0"
result installed_event_monitor_runs $?

make --no-print-directory uninstall PREFIX="$prefix" >> "$prefix.log" 2>&1 && [ -z "$(ls -A "$prefix" 2>/dev/null)" ]
result uninstall_leaves_the_prefix_empty $?
