#!/usr/bin/env python3
"""Generates the syscall and capability tables of io.eunomia.abi.

Sources (Debian's linux-libc-dev):
  x86_64   <include>/x86_64-linux-gnu/asm/unistd_64.h
  x86      <include>/x86_64-linux-gnu/asm/unistd_32.h (ia32)
  aarch64  <include>/asm-generic/unistd.h, expanded the way arm64's asm/unistd.h does it
  caps     <include>/linux/capability.h
  errno    <include>/asm-generic/errno-base.h, errno.h
plus syscalls-supplement.tsv (next to this script) for syscalls newer than the headers.

The headers are expanded by the C preprocessor (cpp -dM), not by regular expressions, so the
#if/#ifdef logic of the generic table is evaluated exactly as a compiler for arm64 would.

Usage: gen-syscalls.py [--include DIR] [--out DIR]
The output is deterministic: running it again on the same headers reproduces the files byte for byte.
"""
import argparse
import pathlib
import re
import subprocess
import sys
import tempfile

SCRIPT_DIR = pathlib.Path(__file__).resolve().parent
DEFAULT_OUT = SCRIPT_DIR.parent / "resources" / "io" / "eunomia" / "abi"
SUPPLEMENT = SCRIPT_DIR / "syscalls-supplement.tsv"
SCRIPT_NAME = "abi/src/main/scripts/gen-syscalls.py"

# arch/arm64/include/uapi/asm/unistd.h (Linux 6.1), which only selects the optional parts of the
# generic table; __BITS_PER_LONG 64 selects the 64-bit names (mmap, fcntl, fstat, newfstatat ...).
ARM64_UNISTD = """\
#define __ARCH_WANT_RENAMEAT
#define __ARCH_WANT_NEW_STAT
#define __ARCH_WANT_SET_GET_RLIMIT
#define __ARCH_WANT_TIME32_SYSCALLS
#define __ARCH_WANT_SYS_CLONE3
#define __ARCH_WANT_MEMFD_SECRET
#include <asm-generic/unistd.h>
"""
ARM64_BITSPERLONG = "#define __BITS_PER_LONG 64\n"

# Macros of the generic table that are not syscalls.
NOT_SYSCALLS = {"__NR_syscalls", "__NR_arch_specific_syscall"}
DEFINE = re.compile(r"^#define (\S+) (.*)$")
NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
ARCHES = {"x86_64", "x86", "aarch64"}


def fail(msg):
    sys.exit(f"gen-syscalls: {msg}")


def macros(header, include_dirs):
    """All macros defined after preprocessing header, without any compiler predefined ones."""
    cmd = ["cpp", "-dM", "-undef", "-nostdinc"]
    for d in include_dirs:
        cmd += ["-I", str(d)]
    cmd.append(str(header))
    try:
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    except FileNotFoundError:
        fail("cpp not found (apt-get install cpp)")
    except subprocess.CalledProcessError as e:
        fail(f"{' '.join(cmd)} failed: {e.stderr.strip()}")
    defs = {}
    for line in out.splitlines():
        m = DEFINE.match(line)
        if m:
            defs[m.group(1)] = m.group(2).strip()
    return defs


def resolve(defs, macro, seen=()):
    value = defs[macro]
    if re.fullmatch(r"\d+", value):
        return int(value)
    if value in defs and value not in seen:
        return resolve(defs, value, seen + (macro,))
    fail(f"cannot resolve {macro} = {value!r} to a number")


def syscalls(defs, header):
    table = {}
    for macro in defs:
        if macro.startswith("__NR_") and macro not in NOT_SYSCALLS:
            name = macro[len("__NR_"):]
            if not NAME.match(name):
                fail(f"{header}: unexpected syscall name {name!r}")
            table[name] = resolve(defs, macro)
    if not table:
        fail(f"{header}: no __NR_ macros found")
    return table


def header_version(include):
    path = include / "linux" / "version.h"
    defs = dict(m.groups() for m in map(DEFINE.match, path.read_text().splitlines()) if m)
    try:
        return ".".join(defs[f"LINUX_VERSION_{p}"] for p in ("MAJOR", "PATCHLEVEL", "SUBLEVEL"))
    except KeyError as e:
        fail(f"{path}: no {e.args[0]}")


def x86_64(include):
    header = include / "x86_64-linux-gnu" / "asm" / "unistd_64.h"
    return syscalls(macros(header, []), header), "x86_64-linux-gnu/asm/unistd_64.h"


def x86(include):
    """ia32, the 32-bit ABI x86_64 kernels also serve (int $0x80, sysenter)."""
    header = include / "x86_64-linux-gnu" / "asm" / "unistd_32.h"
    return syscalls(macros(header, []), header), "x86_64-linux-gnu/asm/unistd_32.h"


def aarch64(include):
    header = include / "asm-generic" / "unistd.h"
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        (tmp / "asm").mkdir()
        (tmp / "asm" / "bitsperlong.h").write_text(ARM64_BITSPERLONG)
        (tmp / "arm64-unistd.h").write_text(ARM64_UNISTD)
        table = syscalls(macros(tmp / "arm64-unistd.h", [tmp, include]), header)
        return table, "asm-generic/unistd.h as arm64's asm/unistd.h expands it"


def read_supplement():
    entries = []
    for lineno, line in enumerate(SUPPLEMENT.read_text().splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) != 4 or not NAME.match(fields[0]) or not fields[1].isdigit():
            fail(f"{SUPPLEMENT}:{lineno}: expected name<TAB>number<TAB>arches<TAB>since, got {line!r}")
        arches = fields[2].split(",")
        if not set(arches) <= ARCHES:
            fail(f"{SUPPLEMENT}:{lineno}: arches must be among {sorted(ARCHES)}, got {fields[2]!r}")
        entries.append((fields[0], int(fields[1]), arches, fields[3], lineno))
    return entries


def merge(arch, table, supplement):
    """Adds the supplement entries for arch; a contradiction with the headers is an error."""
    merged = dict(table)
    for name, number, arches, _since, lineno in supplement:
        if arch not in arches:
            continue
        where = f"{SUPPLEMENT.name}:{lineno}"
        if name in table and table[name] != number:
            fail(f"{where}: {arch} {name} is {number} here but {table[name]} in the headers")
        merged[name] = number
    by_number = {}
    for name, number in merged.items():
        if number in by_number:
            fail(f"{arch}: number {number} is both {by_number[number]} and {name}")
        by_number[number] = name
    return merged


def write(path, lines):
    path.write_text("".join(line + "\n" for line in lines))


def syscall_file(out, arch, table, header, version):
    rows = sorted(table.items(), key=lambda e: e[1])
    write(out / f"syscalls-{arch}.tsv", [
        f"# {arch} syscall numbers. Generated by {SCRIPT_NAME}; do not edit.",
        f"# Source: Linux {version} UAPI header {header} (linux-libc-dev)",
        f"# plus {SUPPLEMENT.name} (syscalls added after {version}).",
        "# name<TAB>number, ordered by number",
    ] + [f"{name}\t{number}" for name, number in rows])


def capabilities(include):
    path = include / "linux" / "capability.h"
    caps, last = {}, None
    for line in path.read_text().splitlines():
        m = re.match(r"^#define\s+(CAP_[A-Z0-9_]+)\s+(\S+)", line)
        if not m:
            continue
        name, value = m.groups()
        if name == "CAP_LAST_CAP":
            last = value
        elif value.isdigit():
            caps[name] = int(value)
    if last not in caps:
        fail(f"{path}: CAP_LAST_CAP {last!r} is not a capability")
    numbers = sorted(caps.values())
    if numbers != list(range(caps[last] + 1)):
        fail(f"{path}: capabilities are not numbered 0..{caps[last]} without gaps: {numbers}")
    return caps


def capability_file(out, caps, version):
    write(out / "capabilities.tsv", [
        f"# Linux capabilities. Generated by {SCRIPT_NAME}; do not edit.",
        f"# Source: Linux {version} UAPI header linux/capability.h (linux-libc-dev).",
        "# name<TAB>number, ordered by number",
    ] + [f"{name}\t{number}" for name, number in sorted(caps.items(), key=lambda e: e[1])])


def errnos(include):
    """errno names shared by x86_64 and aarch64 (asm-generic), aliases (EWOULDBLOCK) left out."""
    names = {}
    for header in ("errno-base.h", "errno.h"):
        path = include / "asm-generic" / header
        for line in path.read_text().splitlines():
            m = re.match(r"^#define\s+(E[A-Z0-9]+)\s+(\d+)\b", line)
            if m and int(m.group(2)) not in names.values():
                names[m.group(1)] = int(m.group(2))
    if names.get("EPERM") != 1 or names.get("ENOSYS") != 38:
        fail(f"{include}/asm-generic: errno headers not as expected (EPERM={names.get('EPERM')})")
    return names


def errno_file(out, names, version):
    write(out / "errno.tsv", [
        f"# errno names (x86_64, aarch64: asm-generic). Generated by {SCRIPT_NAME}; do not edit.",
        f"# Source: Linux {version} UAPI headers asm-generic/errno-base.h, asm-generic/errno.h (linux-libc-dev).",
        "# name<TAB>number, ordered by number; aliases (EWOULDBLOCK, EDEADLOCK) left out",
    ] + [f"{name}\t{number}" for name, number in sorted(names.items(), key=lambda e: e[1])])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--include", type=pathlib.Path, default=pathlib.Path("/usr/include"))
    parser.add_argument("--out", type=pathlib.Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    version = header_version(args.include)
    supplement = read_supplement()
    for arch, read in (("x86_64", x86_64), ("x86", x86), ("aarch64", aarch64)):
        table, header = read(args.include)
        syscall_file(args.out, arch, merge(arch, table, supplement), header, version)
    caps = capabilities(args.include)
    capability_file(args.out, caps, version)
    errno_file(args.out, errnos(args.include), version)


if __name__ == "__main__":
    main()
