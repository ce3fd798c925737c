#!/usr/bin/env bash
# The event monitor (tools/virtevent-event.c) on the scripted session examples/demo/session.
# ctests/monitor/expected.txt holds the lines `virsh event --all --loop --timeout 1` prints for
# those events, written from virsh's format strings (tools/virsh-domain-event.c in libvirt 9.0),
# plus the extension events (existence, guest-user) in the same style. Prints PASS/FAIL lines
# for ctests/run.sh.
# Usage: test_event_monitor.sh PATH/TO/virtevent-event
set -u
cd "$(dirname "$0")/.."
monitor=${1:-build/virtevent-event}
session=examples/demo/session
expected=ctests/monitor/expected.txt
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

result() {
    if [ "$2" -eq 0 ]; then echo "PASS $1"; else echo "FAIL $1"; fi
}

# Line by line, as virsh prints them.
"$monitor" --all --loop --timeout 1 --run "$session" > "$out/text" 2> "$out/err"
rc=$?
diff -u "$expected" "$out/text" && [ "$rc" -eq 0 ] && [ ! -s "$out/err" ]
result session_prints_what_virsh_prints $?

# --timestamp: each event's first line starts with its time, the rest is the same.
"$monitor" --all --loop --timeout 1 --timestamp --run "$session" > "$out/stamped" 2>&1
stamp='^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}\+0000: '
events=$(grep -c "^event '" "$expected")
[ "$(grep -cE "${stamp}event '" "$out/stamped")" -eq "$events" ] &&
    sed -E "s/${stamp}//" "$out/stamped" | diff -u "$expected" - &&
    in_order() {
        local previous="" t
        while read -r t; do
            [[ "$t" < "$previous" ]] && return 1
            previous=$t
        done < <(grep -oE "$stamp" "$out/stamped")
        return 0
    } && in_order
result timestamp_prefixes_every_event $?

# --json: one object per event, with the common header and the union member.
"$monitor" --all --loop --timeout 1 --json --run "$session" > "$out/json" 2>&1
python3 - "$out/json" "$expected" <<'PYTHON'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert lines[-2:] == ["event loop timed out", "events received: 35"], lines[-2:]
objs = [json.loads(l) for l in lines[:-2]]
# The text has one more line for each event libvirt reports under two IDs.
names = [l.split("'")[1] for l in open(sys.argv[2]) if l.startswith("event '")]
text = [n for i, n in enumerate(names) if not (n == "io-error" and i + 1 < len(names) and names[i + 1] == "io-error")]
assert [o["event"] if o["event"] != "io-error-reason" else "io-error" for o in objs] == text, ([o["event"] for o in objs], text)
versions = [o["resourceVersion"] for o in objs]
assert versions == sorted(set(versions)), versions
for o in objs:
    assert o["domain"] == "vm" and len(o["uuid"]) == 36 and o["timestamp"] > 1600000000000000, o
by = {}
for o in objs:
    by.setdefault(o["event"], []).append(o)
io = by["io-error-reason"][0]
assert io["ioError"] == {"srcPath": "/var/lib/images/vm.qcow2", "devAlias": "virtio-disk0", "action": 1, "reason": "enospc"}, io
assert io["state"] == 1, "the I/O error comes before the pause"
assert by["lifecycle"][3]["state"] == 3 and by["lifecycle"][3]["reason"] == 5, "paused by the I/O error"
g = by["graphics"][1]["graphics"]
assert g["subject"] == [{"type": "x509dname", "name": "CN=client"}, {"type": "saslUsername", "name": "fred"}], g
assert g["local"] == {"family": 0, "node": "192.168.122.1", "service": "5901"}, g
assert [u["guestUser"] for u in by["guest-user"]] == [
    {"user": "alice", "domain": None, "state": 0}, {"user": "bob", "domain": "CORP", "state": 0},
    {"user": "alice", "domain": None, "state": 1}], by["guest-user"]
assert by["block-threshold"][0]["blockThreshold"] == {
    "dev": "vda", "path": "/var/lib/images/vm.qcow2", "threshold": 600000000, "excess": 36870912}
assert by["existence"][-1]["existence"] == {"type": 1} and by["existence"][-1]["domainID"] == -1
assert "lifecycle" not in by["reboot"][0] and by["balloon-change"][0]["balloonChange"] == {"actual": 262144}
PYTHON
result json_carries_the_header_and_the_member $?

# --since: the history first (test:///default starts with domain test: ADDED, then STARTED).
[ "$("$monitor" --all --since 0)" = "event 'existence' for domain 'test': added
events received: 1" ] &&
    [ "$("$monitor" --event lifecycle --since 1)" = "event 'lifecycle' for domain 'test': Started Booted
events received: 1" ] &&
    ! "$monitor" --all --since 1000000 > "$out/future" 2>&1 && grep -q "^error: cannot watch events: " "$out/future"
result since_replays_the_history_then_watches $?

# The history and the session's live events, in one order, filtered by domain and by event.
"$monitor" --all --loop --timeout 1 --since 0 --domain test --run "$session" > "$out/test" 2>&1
[ "$(cat "$out/test")" = "event 'existence' for domain 'test': added
event 'lifecycle' for domain 'test': Started Booted
event loop timed out
events received: 2" ]
result domain_filter $?
"$monitor" --event io-error --loop --timeout 1 --run "$session" > "$out/io" 2>&1
[ "$(cat "$out/io")" = "$(grep "'io-error'" "$expected" | grep -v "due to")
event loop timed out
events received: 2" ]
result event_filter_takes_one_id $?
"$monitor" --since 0 --all --loop --timeout 1 --run "$session" > "$out/all" 2>&1
[ "$(head -2 "$out/all" | cut -d: -f1)" = "event 'existence' for domain 'test'
event 'lifecycle' for domain 'test'" ] && tail -n +3 "$out/all" | sed 's/received: 39/received: 37/' | diff -u "$expected" -
result since_then_live_without_gap_or_duplicate $?

# Without --loop, the first event only, as virsh.
[ "$("$monitor" --all --run "$session")" = "event 'existence' for domain 'vm': added
events received: 1" ]
result one_shot $?

# Refusals, on stderr, with a failing status.
! "$monitor" --event no-such-event > "$out/e1" 2>&1 && grep -q "^error: unknown event type no-such-event" "$out/e1" &&
    ! "$monitor" --loop > "$out/e2" 2>&1 && grep -q "^error: one of --list, --all, or --event <type> is required" "$out/e2" &&
    ! "$monitor" --all --domain nope > "$out/e3" 2>&1 && grep -q "^error: failed to get domain 'nope'" "$out/e3" &&
    ! "$monitor" --all --loop --timeout 1 --run /nonexistent/session > "$out/e4" 2>&1 && grep -q "cannot read" "$out/e4" &&
    printf 'create %s\ninject vm watchdog colour=red\n' "$PWD/examples/demo/vm.xml" > "$out/bad" &&
    ! "$monitor" --all --loop --timeout 1 --run "$out/bad" > "$out/e5" 2>&1 && grep -q "line 2: .*colour" "$out/e5"
result refusals $?
[ "$("$monitor" --list | wc -l)" -eq 30 ] && "$monitor" --list | grep -qx guest-user && ! "$monitor" --list | grep -qx bookmark
result list_names_every_event $?
