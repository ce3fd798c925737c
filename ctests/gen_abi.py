#!/usr/bin/env python3
"""Generates the assertions of ctests/test_abi.c: every integer constant (enum constant or
#define'd number) that our header and libvirt's installed headers both define must have the
same value.

Both sides are read by the C preprocessor (`cc -E -dD`), so what counts is what a compiler
sees. The names are taken from the preprocessed text of each side's own header files (line
markers tell which file a line comes from): object-like macros whose expansion is an integer
expression, and enum constants. Libvirt's values are computed by compiling and running a small
program against libvirt's headers; ours are checked by `_Static_assert`s compiled against
include/libvirt/libvirt.h, so a mismatch fails the build of the test.

Usage: gen_abi.py OUT.h [--cc CC] [--include DIR]
Writes OUT.h only when its contents change. Without libvirt's headers (pkg-config libvirt),
OUT.h defines ABI_SKIP with the reason instead, and the test reports a skip.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

HEADERS = "#include <libvirt/libvirt.h>\n#include <libvirt/virterror.h>\n"
LINE_MARKER = re.compile(r'^# (\d+) "([^"]*)"')
DEFINE = re.compile(r"^#define ([A-Za-z_]\w*)(\(?)(.*)$")
INT_TOKEN = re.compile(r"\s*(0[xX][0-9a-fA-F]+[uUlL]*|\d+[uUlL]*|<<|>>|[()+\-*/%|&^~])")
IDENT = re.compile(r"[A-Za-z_]\w*")


def preprocess(cc, flags, source):
    """The preprocessed text of `source`, macros included (-dD)."""
    proc = subprocess.run(
        [cc, "-E", "-dD", "-x", "c", "-std=c11", "-"] + flags,
        input=source, capture_output=True, text=True, check=False,
    )
    if proc.returncode != 0:
        sys.exit(f"gen_abi.py: the preprocessor failed on {flags}:\n{proc.stderr}")
    return proc.stdout


def split_by_origin(text, prefix):
    """Returns (lines from files under `prefix`, every macro definition seen)."""
    own, macros = [], {}
    inside = False
    for line in text.splitlines():
        marker = LINE_MARKER.match(line)
        if marker:
            inside = os.path.realpath(marker.group(2)).startswith(prefix)
            continue
        m = DEFINE.match(line)
        if m:
            name, paren, body = m.groups()
            if not paren:  # object-like
                macros[name] = (body.strip(), inside)
            continue
        if line.startswith("#undef "):
            macros.pop(line.split()[1], None)
            continue
        if inside:
            own.append(line)
    return own, macros


def expand(body, macros, depth=0):
    """`body` with object-like macros replaced, as far as they go (no function-like ones)."""
    if depth > 20:
        return body

    def sub(m):
        entry = macros.get(m.group(0))
        if entry is None:
            return m.group(0)
        return "(" + expand(entry[0], macros, depth + 1) + ")"

    return IDENT.sub(sub, body)


def is_integer_expression(text):
    """True when `text` is made only of integer literals, operators and parentheses."""
    pos, saw_number = 0, False
    text = text.strip()
    if not text:
        return False
    while pos < len(text):
        m = INT_TOKEN.match(text, pos)
        if not m:
            return text[pos:].strip() == ""
        saw_number |= m.group(1)[0].isdigit()
        pos = m.end()
    return saw_number


def integer_macros(macros):
    """Names of the macros defined in the side's own headers that expand to an integer."""
    return {
        name
        for name, (body, own) in macros.items()
        if own and is_integer_expression(expand(body, macros))
    }


def enum_constants(lines):
    """Names of the enumeration constants in `lines` (C source, preprocessed)."""
    text = "\n".join(l for l in lines if not l.startswith("#"))
    names = set()
    for m in re.finditer(r"\benum\b\s*(?:[A-Za-z_]\w*\s*)?\{", text):
        depth, i = 1, m.end()
        while depth and i < len(text):
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            i += 1
        body = text[m.end() : i - 1]
        # split on commas outside parentheses
        item, level, items = "", 0, []
        for ch in body:
            level += {"(": 1, ")": -1}.get(ch, 0)
            if ch == "," and level == 0:
                items.append(item)
                item = ""
            else:
                item += ch
        items.append(item)
        for it in items:
            ident = IDENT.match(it.strip())
            if ident:
                names.add(ident.group(0))
    return names


def constants(cc, flags, source, prefix):
    lines, macros = split_by_origin(preprocess(cc, flags, source), prefix)
    enums = enum_constants(lines)
    numbers = integer_macros(macros)
    defined = enums | {n for n, (_, own) in macros.items() if own}
    return enums, numbers, defined


def libvirt_values(cc, cflags, libs, names):
    """Compiles and runs a program that prints each name's value in libvirt's headers."""
    prog = ["#define VIR_ENUM_SENTINELS", HEADERS, "#include <stdio.h>", "int main(void)", "{"]
    for n in names:
        # a negative value prints with its sign; anything else as unsigned, so 1U << 31 stays positive
        prog.append(
            f'    if (({n}) < 0) printf("{n} %lld\\n", (long long)({n}));'
            f' else printf("{n} %llu\\n", (unsigned long long)({n}));'
        )
    prog += ["    return 0;", "}"]
    with tempfile.TemporaryDirectory() as tmp:
        src, exe = os.path.join(tmp, "values.c"), os.path.join(tmp, "values")
        with open(src, "w") as f:
            f.write("\n".join(prog) + "\n")
        proc = subprocess.run(
            [cc, "-std=c11", "-w", "-o", exe, src] + cflags + libs, capture_output=True, text=True, check=False
        )
        if proc.returncode != 0:
            sys.exit(f"gen_abi.py: cannot build the libvirt value printer:\n{proc.stderr[:4000]}")
        out = subprocess.run([exe], capture_output=True, text=True, check=True).stdout
    values = {}
    for line in out.splitlines():
        name, value = line.split()
        values[name] = int(value)
    return values


def pkg_config(*args):
    proc = subprocess.run(["pkg-config"] + list(args), capture_output=True, text=True, check=False)
    return proc.returncode == 0, proc.stdout.strip()


def literal(value):
    if value < 0:
        return f"({value + 1}LL - 1)" if value == -(2**63) else f"({value}LL)"
    return f"{value}ULL"


def generate(args):
    found, version = pkg_config("--modversion", "libvirt")
    if not found:
        return [f'#define ABI_SKIP "libvirt-dev is not installed (pkg-config finds no libvirt)"']
    _, cflags = pkg_config("--cflags", "libvirt")
    _, libs = pkg_config("--libs", "libvirt")
    cflags, libs = cflags.split(), libs.split()
    _, incdir = pkg_config("--variable=includedir", "libvirt")
    theirs_dir = os.path.realpath(os.path.join(incdir or "/usr/include", "libvirt"))
    if not os.path.exists(os.path.join(theirs_dir, "libvirt.h")):
        return [f'#define ABI_SKIP "{theirs_dir}/libvirt.h not found"']

    # libvirt's *_LAST sentinels exist only with VIR_ENUM_SENTINELS; ours are always visible.
    t_enums, t_numbers, _ = constants(
        args.cc, cflags, "#define VIR_ENUM_SENTINELS\n" + HEADERS, theirs_dir
    )
    ours_dir = os.path.realpath(args.include)
    o_enums, o_numbers, o_defined = constants(args.cc, ["-I" + ours_dir], HEADERS, ours_dir)

    theirs_int = t_enums | t_numbers
    shared = sorted(theirs_int & o_defined)
    values = libvirt_values(args.cc, cflags, libs, shared)
    n_enum = len([n for n in shared if n in t_enums])
    out = [
        f'#define ABI_LIBVIRT_VERSION "{version}"',
        f"#define ABI_SHARED_CONSTANTS {len(shared)}",
        f"#define ABI_SHARED_ENUM_CONSTANTS {n_enum}",
        f"#define ABI_SHARED_MACROS {len(shared) - n_enum}",
        f"#define ABI_LIBVIRT_ONLY {len(theirs_int - o_defined)}",
        f"#define ABI_OURS_ONLY {len((o_enums | o_numbers) - (t_enums | t_numbers))}",
    ]
    for name in shared:
        out.append(
            f'_Static_assert(({name}) == {literal(values[name])}, '
            f'"{name} differs from libvirt {version}, where it is {values[name]}");'
        )
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--cc", default=os.environ.get("CC", "cc"))
    ap.add_argument("--include", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "include"))
    args = ap.parse_args()
    body = [
        "/* Generated by ctests/gen_abi.py: do not edit, do not commit. */",
        "#ifndef VIRTEVENT_ABI_ASSERTS_H",
        "#define VIRTEVENT_ABI_ASSERTS_H",
    ] + generate(args) + ["#endif", ""]
    text = "\n".join(body)
    try:
        with open(args.out) as f:
            if f.read() == text:
                return
    except OSError:
        pass
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
