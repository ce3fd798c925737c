#!/usr/bin/env python3
"""Generates the package's view of include/virtevent.h: virtevent/_constants.py and
virtevent/_cstructs.py.

The header (itself generated from the Rust sources) is the one statement of the C API, so
Python restates nothing:

- _constants.py: every enum value is a #define in the header; the blocks the package needs
  become IntEnum/IntFlag classes. A block starts at a given member and runs over consecutive
  #defines sharing its prefix, up to a _LAST marker (not a member).
- _cstructs.py: the structures and unions the package reads (virConnectEvent with its union
  and everything they reach, virError, virDomainJob, virTypedParameter), field by field, as
  ctypes.Structure/Union classes.

Usage: gen_from_header.py HEADER PACKAGE_DIR  (--check HEADER PACKAGE_DIR: exit 1 if stale)
"""

import os
import re
import sys
import textwrap

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
    ("GuestUserState", "IntEnum", "VIR_DOMAIN_EVENT_GUEST_USER_", ["LOGON"]),
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
        sys.exit(f"gen_from_header: {prefix + first} is not in the header")
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
        "Generated by python/tools/gen_from_header.py from the header; do not edit",
        '(run `make python-header`)."""',
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


# ---- structures ------------------------------------------------------------------------------

# The structures the package reads; everything they reach is generated too.
STRUCT_ROOTS = ["virConnectEvent", "virError", "virDomainJob", "virTypedParameter"]

SCALARS = {
    "int": "c_int", "unsigned int": "c_uint", "long long": "c_longlong",
    "unsigned long long": "c_ulonglong", "unsigned long": "c_ulong", "unsigned short": "c_ushort",
    "uint8_t": "c_uint8", "size_t": "c_size_t", "double": "c_double", "char": "c_char",
    "unsigned char": "c_ubyte",
}

AGGREGATE = re.compile(r"^(struct|union) (_\w+) \{\n(.*?)\n\};", re.S | re.M)
FIELD = re.compile(r"^(.*?)\b(\w+)(?:\[(\w+)\])?;$")


def structs(header_text):
    """The header's struct and union definitions: {C tag: (kind, [(type, name, length)])}, the
    typedef name of each tag, the pointer typedefs, and the int typedefs."""
    found = {}
    for kind, tag, body in AGGREGATE.findall(header_text):
        members = []
        for line in body.splitlines():
            line = line.strip()
            if not line or line.startswith(("/*", "*")):
                continue
            m = FIELD.match(line)
            if not m:
                sys.exit(f"gen_from_header: cannot read field {line!r} of {tag}")
            members.append((m.group(1).strip(), m.group(2), m.group(3)))
        found[tag] = (kind, members)
    names = dict(re.findall(r"^typedef (?:struct|union) (_\w+) (\w+);", header_text, re.M))
    pointers = {ptr: base for base, ptr in re.findall(r"^typedef (\w+) \*(\w+);", header_text, re.M)}
    ints = set(re.findall(r"^typedef int (\w+);", header_text, re.M))
    return found, names, pointers, ints


def generate_structs(header_text):
    found, names, pointers, ints = structs(header_text)
    values = dict(defines(header_text))
    by_name = {names.get(tag, tag): tag for tag in found}
    order, seen = [], set()

    def ctype(ctext, length, owner):
        depth = ctext.count("*")
        base = " ".join(ctext.replace("*", " ").replace("const ", " ").split())
        base = base.removeprefix("struct ").removeprefix("union ")
        if base in pointers and depth == 0:
            base, depth = pointers[base], 1
        base = names.get(base, base)
        if depth == 0:
            if base in SCALARS:
                text = SCALARS[base]
            elif base in ints:
                text = "c_int"
            elif base in by_name:
                visit(base)
                text = base
            else:
                sys.exit(f"gen_from_header: unknown type {ctext!r} in {owner}")
            if length is not None:
                text = f"{text} * {values.get(length, length)}"
            return text
        if depth == 1 and base == "char":
            return "c_char_p"
        if depth == 1 and base in by_name:
            visit(base)
            return f"POINTER({base})"
        return "c_void_p"  # opaque handles (virConnectPtr, …), void *, pointers to pointers

    def visit(name):
        if name in seen:
            return
        seen.add(name)
        kind, members = found[by_name[name]]
        fields = [(member, ctype(ctext, length, name)) for ctext, member, length in members]
        order.append((name, kind, fields))

    for root in STRUCT_ROOTS:
        visit(root)
    lines = [
        '"""The C structures of include/virtevent.h that the package reads, as ctypes classes.',
        "",
        "Generated by python/tools/gen_from_header.py from the header; do not edit",
        '(run `make python-header`)."""',
        "",
    ]
    used = sorted({word for _, kind, fields in order for word in
                   re.findall(r"\b(POINTER|c_\w+)\b", " ".join(text for _, text in fields))}
                  | {"Union" if kind == "union" else "Structure" for _, kind, _ in order})
    lines += textwrap.wrap(", ".join(used), 96, initial_indent="from ctypes import (",
                           subsequent_indent=" " * len("from ctypes import ("))
    lines[-1] += ")"
    for name, kind, fields in order:
        lines += ["", "", f"class {name}({'Union' if kind == 'union' else 'Structure'}):", "    _fields_ = ["]
        lines += [f"        ({member!r}, {text})," for member, text in fields]
        lines.append("    ]")
    return "\n".join(lines) + "\n"


OUTPUTS = {"_constants.py": generate, "_cstructs.py": generate_structs}


def main():
    args = sys.argv[1:]
    check = args[:1] == ["--check"]
    if check:
        args = args[1:]
    header, package = args
    with open(header) as f:
        header_text = f.read()
    stale = []
    for name, make in OUTPUTS.items():
        path = os.path.join(package, name)
        text = make(header_text)
        if check:
            try:
                with open(path) as f:
                    current = f.read()
            except FileNotFoundError:
                current = None
            if current != text:
                stale.append(path)
        else:
            with open(path, "w") as f:
                f.write(text)
    if stale:
        print(f"{', '.join(stale)} stale: run 'make python-header' and commit", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
