#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Cost of the partition plugin, measured on real kernel units.

For each unit of a built kernel tree (its compile_commands.json), compile it
three ways, interleaved unit by unit so machine noise hits all three alike:

  plain     the kernel's own command line
  plugin    the same with -fplugin=klp_partition.so
  ipaclones the same with -fdump-ipa-clones (what SUSE builds use today)

and print: the compile-time ratio plugin/plain (and ipaclones/plain), the
section's bytes as a share of the object size and of .text, and the section
size against the size of the .ipa-clones dumps of the same units.

Usage: bench/partition-overhead.py --build-dir KERNEL_O_DIR --plugin PATH
       [--units N] [--filter REGEX] [--repeat R]
The tree must have been built (so compile_commands.json can be generated
from its .cmd files).  Benchmarks are run on demand, never in CI.
"""
import argparse
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

SECTION = ".klp_prep.partition"


def compile_commands(build_dir):
    path = os.path.join(build_dir, "compile_commands.json")
    if not os.path.exists(path):
        source = os.path.realpath(os.path.join(build_dir, "source"))
        gen = os.path.join(source, "scripts/clang-tools/gen_compile_commands.py")
        if not os.path.exists(gen):
            sys.exit(f"bench: error: {path} missing and no {gen} to make it")
        subprocess.run([sys.executable, gen, "-d", build_dir, "-o", path],
                       check=True)
    with open(path) as f:
        return json.load(f)


def retarget(command, output, extra):
    """The unit's command line, writing to @output, with @extra flags."""
    args = shlex.split(command)
    out = []
    skip = False
    for i, arg in enumerate(args):
        if skip:
            skip = False
            continue
        if arg == "-o":
            skip = True
            continue
        if arg.startswith("-Wp,-MMD") or arg.startswith("-Wp,-MD"):
            continue  # dependency files would land in the kernel tree
        if arg.startswith("-fplugin"):
            continue  # a tree built with the plugin (KCFLAGS) records it
        out.append(arg)
    return out[:1] + extra + out[1:] + ["-o", output]


def section_sizes(obj):
    """(section bytes, .text bytes, file bytes) of an object."""
    text = part = 0
    res = subprocess.run(["readelf", "-SW", obj], capture_output=True,
                         text=True, check=True)
    for line in res.stdout.splitlines():
        m = re.match(r"\s*\[\s*\d+\]\s+(\S+)\s+\S+\s+[0-9a-f]+\s+[0-9a-f]+\s+([0-9a-f]+)", line)
        if not m:
            continue
        name, size = m.group(1), int(m.group(2), 16)
        if name == SECTION:
            part += size
        elif name == ".text" or name.startswith(".text."):
            text += size
    return part, text, os.path.getsize(obj)


def timed(argv, cwd):
    start = time.perf_counter()
    res = subprocess.run(argv, cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if res.returncode:
        sys.exit(f"bench: error: compile failed in {cwd}: {' '.join(argv)}\n{res.stderr}")
    return elapsed


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build-dir", required=True)
    ap.add_argument("--plugin", required=True)
    ap.add_argument("--units", type=int, default=200,
                    help="how many units (spread over the tree), default 200")
    ap.add_argument("--filter", default=r"\.c$", help="regex on the source path")
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()

    entries = [e for e in compile_commands(args.build_dir)
               if re.search(args.filter, e["file"])]
    if not entries:
        sys.exit("bench: error: no units match")
    step = max(1, len(entries) // args.units)
    entries = entries[::step][:args.units]
    plugin = os.path.realpath(args.plugin)

    totals = {"plain": 0.0, "plugin": 0.0, "ipaclones": 0.0}
    part = text = size = dump = 0
    tmp = tempfile.mkdtemp(prefix="klp-bench-")
    try:
        for r in range(args.repeat):
            for n, e in enumerate(entries):
                cmd = e.get("command") or shlex.join(e["arguments"])
                base = os.path.join(tmp, f"u{n}")
                variants = {
                    "plain": [],
                    "plugin": [f"-fplugin={plugin}"],
                    "ipaclones": ["-fdump-ipa-clones", f"-dumpdir", base + "-"],
                }
                for name, extra in variants.items():
                    out = f"{base}.{name}.o"
                    totals[name] += timed(retarget(cmd, out, extra), e["directory"])
                if r == 0:
                    p, t, s = section_sizes(f"{base}.plugin.o")
                    part, text, size = part + p, text + t, size + s
                    for f in os.listdir(tmp):
                        if f.startswith(f"u{n}-") and f.endswith(".ipa-clones"):
                            dump += os.path.getsize(os.path.join(tmp, f))
                for f in os.listdir(tmp):
                    if f.startswith(f"u{n}."):
                        os.unlink(os.path.join(tmp, f))
    finally:
        shutil.rmtree(tmp)

    print(f"units: {len(entries)} (x{args.repeat}) from {args.build_dir}")
    for name, t in totals.items():
        print(f"compile time {name:10s} {t:8.2f} s")
    print(f"ratio plugin/plain:     {totals['plugin'] / totals['plain']:.3f}")
    print(f"ratio ipaclones/plain:  {totals['ipaclones'] / totals['plain']:.3f}")
    print(f"section bytes:          {part}")
    print(f"  share of object size: {100.0 * part / size:.2f} % (of {size} bytes)")
    print(f"  share of .text:       {100.0 * part / text:.2f} % (of {text} bytes)")
    print(f"ipa-clones dump bytes:  {dump}")
    if dump:
        print(f"section/dump size:      {part / dump:.3f}")


if __name__ == "__main__":
    main()
