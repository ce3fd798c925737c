#!/usr/bin/env python3
"""Generates virtevent/_constants.py from include/virtevent.h.

The header (itself generated from the Rust sources) declares every enum value once as a
#define; this script turns the blocks the package needs into IntEnum/IntFlag classes, so
Python never restates a value. A block starts at a given member and runs over consecutive
#defines sharing its prefix, up to a _LAST marker (not a member).

Usage: gen_constants.py HEADER OUTPUT   (or --check HEADER OUTPUT: exit 1 if OUTPUT is stale)
"""

import re
import sys

# (class, base, prefix, first members of the enum's blocks). libvirt's error numbers mix in
# warnings (VIR_WAR_*): see SIBLING_PREFIXES.
ENUMS = [
    ("DomainState", "IntEnum", "VIR_DOMAIN_", ["NOSTATE"]),
    ("NostateReason", "IntEnum", "VIR_DOMAIN_NOSTATE_", ["UNKNOWN"]),
    ("RunningReason", "IntEnum", "VIR_DOMAIN_RUNNING_", ["UNKNOWN"]),
    ("BlockedReason", "IntEnum", "VIR_DOMAIN_BLOCKED_", ["UNKNOWN"]),
    ("PausedReason", "IntEnum", "VIR_DOMAIN_PAUSED_", ["UNKNOWN"]),
    ("ShutdownReason", "IntEnum", "VIR_DOMAIN_SHUTDOWN_", ["UNKNOWN"]),
    ("ShutoffReason", "IntEnum", "VIR_DOMAIN_SHUTOFF_", ["UNKNOWN"]),
    ("CrashedReason", "IntEnum", "VIR_DOMAIN_CRASHED_", ["UNKNOWN"]),
    ("PMSuspendedReason", "IntEnum", "VIR_DOMAIN_PMSUSPENDED_", ["UNKNOWN"]),
    ("LifecycleEvent", "IntEnum", "VIR_DOMAIN_EVENT_", ["DEFINED"]),
    ("DefinedDetail", "IntEnum", "VIR_DOMAIN_EVENT_DEFINED_", ["ADDED"]),
    ("UndefinedDetail", "IntEnum", "VIR_DOMAIN_EVENT_UNDEFINED_", ["REMOVED"]),
    ("StartedDetail", "IntEnum", "VIR_DOMAIN_EVENT_STARTED_", ["BOOTED"]),
    ("SuspendedDetail", "IntEnum", "VIR_DOMAIN_EVENT_SUSPENDED_", ["PAUSED"]),
    ("ResumedDetail", "IntEnum", "VIR_DOMAIN_EVENT_RESUMED_", ["UNPAUSED"]),
    ("StoppedDetail", "IntEnum", "VIR_DOMAIN_EVENT_STOPPED_", ["SHUTDOWN"]),
    ("ShutdownDetail", "IntEnum", "VIR_DOMAIN_EVENT_SHUTDOWN_", ["FINISHED"]),
    ("PMSuspendedDetail", "IntEnum", "VIR_DOMAIN_EVENT_PMSUSPENDED_", ["MEMORY"]),
    ("CrashedDetail", "IntEnum", "VIR_DOMAIN_EVENT_CRASHED_", ["PANICKED"]),
    ("ExistenceType", "IntEnum", "VIR_DOMAIN_EVENT_EXISTENCE_", ["ADDED"]),
    ("WatchdogAction", "IntEnum", "VIR_DOMAIN_EVENT_WATCHDOG_", ["NONE"]),
    ("IOErrorAction", "IntEnum", "VIR_DOMAIN_EVENT_IO_ERROR_", ["NONE"]),
    ("GraphicsPhase", "IntEnum", "VIR_DOMAIN_EVENT_GRAPHICS_", ["CONNECT"]),
    ("GraphicsAddressType", "IntEnum", "VIR_DOMAIN_EVENT_GRAPHICS_ADDRESS_", ["IPV4"]),
    ("BlockJobType", "IntEnum", "VIR_DOMAIN_BLOCK_JOB_TYPE_", ["UNKNOWN"]),
    ("BlockJobStatus", "IntEnum", "VIR_DOMAIN_BLOCK_JOB_", ["COMPLETED"]),
    ("DiskChangeReason", "IntEnum", "VIR_DOMAIN_EVENT_DISK_", ["CHANGE_MISSING_ON_START"]),
    ("TrayChangeReason", "IntEnum", "VIR_DOMAIN_EVENT_TRAY_CHANGE_", ["OPEN"]),
    ("AgentLifecycleState", "IntEnum", "VIR_CONNECT_DOMAIN_EVENT_AGENT_LIFECYCLE_STATE_", ["CONNECTED"]),
    ("AgentLifecycleReason", "IntEnum", "VIR_CONNECT_DOMAIN_EVENT_AGENT_LIFECYCLE_REASON_", ["UNKNOWN"]),
    ("MetadataType", "IntEnum", "VIR_DOMAIN_METADATA_", ["DESCRIPTION"]),
    ("MemoryFailureRecipient", "IntEnum", "VIR_DOMAIN_EVENT_MEMORY_FAILURE_RECIPIENT_", ["HYPERVISOR"]),
    ("MemoryFailureAction", "IntEnum", "VIR_DOMAIN_EVENT_MEMORY_FAILURE_ACTION_", ["IGNORE"]),
    ("JobKind", "IntEnum", "VIR_DOMAIN_JOB_TYPE_", ["NONE"]),
    ("JobState", "IntEnum", "VIR_DOMAIN_JOB_STATE_", ["NONE"]),
    ("JobControl", "IntEnum", "VIR_DOMAIN_JOB_CONTROL_OPERATION_", ["NONE"]),
    ("JobListFlags", "IntFlag", "VIR_DOMAIN_JOB_LIST_", ["ACTIVE"]),
    ("JobXMLFlags", "IntFlag", "VIR_DOMAIN_JOB_XML_", ["NO_STATS"]),
    ("ErrorCode", "IntEnum", "VIR_ERR_", ["OK", "RESOURCE_VERSION_CONFLICT"]),
    ("ErrorDomain", "IntEnum", "VIR_FROM_", ["NONE"]),
    ("ErrorLevel", "IntEnum", "VIR_ERR_", ["NONE"]),
    ("TypedParamType", "IntEnum", "VIR_TYPED_PARAM_", ["INT"]),
    ("DomainXMLFlags", "IntFlag", "VIR_DOMAIN_XML_", ["SECURE", "EVENT_SNAPSHOT"]),
    ("StartFlags", "IntFlag", "VIR_DOMAIN_START_", ["PAUSED"]),
    ("EventRegisterFlags", "IntFlag", "VIR_CONNECT_EVENT_REGISTER_", ["SINCE"]),
]

# Within the block of `prefix`, names with one of these prefixes are members too, named with
# the part after "VIR_".
SIBLING_PREFIXES = {"VIR_ERR_": ["VIR_WAR_"]}

# Single values the package needs.
VALUES = [
    "VIR_DOMAIN_EVENT_ID_LAST",
    "VIR_DOMAIN_EVENT_ID_EXT_FIRST",
    "VIR_DOMAIN_EVENT_ID_EXT_LAST",
    "VIR_UUID_BUFLEN",
    "VIR_TYPED_PARAM_FIELD_LENGTH",
    "LIBVIR_VERSION_NUMBER",
    "VIR_DOMAIN_JOB_PERSIST",
]

DEFINE = re.compile(r"^#define ((?:VIR|LIBVIR)_[A-Z0-9_]+) (-?\d+|\(1 << \d+\))\s*$")


def defines(header_text):
    """The header's integer #defines, in order, as (name, value)."""
    out = []
    for line in header_text.splitlines():
        m = DEFINE.match(line)
        if m:
            raw = m.group(2)
            value = 1 << int(raw[6:-1]) if raw.startswith("(") else int(raw)
            out.append((m.group(1), value))
    return out


def block(defs, prefix, first):
    """The members of the block starting at prefix+first, as (member, value)."""
    names = [n for n, _ in defs]
    try:
        i = names.index(prefix + first)
    except ValueError:
        sys.exit(f"gen_constants: {prefix + first} is not in the header")
    members = []
    for name, value in defs[i:]:
        if name.endswith("_LAST"):
            break
        if name.startswith(prefix):
            members.append((name[len(prefix):], value))
        elif any(name.startswith(p) for p in SIBLING_PREFIXES.get(prefix, [])):
            members.append((name[len("VIR_"):], value))
        else:
            break
    return members


def generate(header_text):
    defs = defines(header_text)
    table = dict(defs)
    lines = [
        '"""Constants of include/virtevent.h as Python enums.',
        "",
        "Generated by python/tools/gen_constants.py from the header; do not edit",
        '(run `make python-constants`)."""',
        "",
        "from enum import IntEnum, IntFlag",
        "",
    ]
    for cls, base, prefix, firsts in ENUMS:
        members = [m for first in firsts for m in block(defs, prefix, first)]
        lines += ["", f"class {cls}({base}):", f'    """{prefix}*"""', ""]
        lines += [f"    {name} = {value}" for name, value in members]
        lines.append("")
    lines.append("")
    for name in VALUES:
        lines.append(f"{name} = {table[name]}")
    return "\n".join(lines) + "\n"


def main():
    args = sys.argv[1:]
    check = args[:1] == ["--check"]
    if check:
        args = args[1:]
    header, output = args
    with open(header) as f:
        text = generate(f.read())
    if check:
        try:
            with open(output) as f:
                current = f.read()
        except FileNotFoundError:
            current = None
        if current != text:
            print(f"{output} is stale: run 'make python-constants' and commit it", file=sys.stderr)
            sys.exit(1)
        return
    with open(output, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
