#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# weaken-undefined.sh OUT.o LD NM OBJCOPY INPUT...
#
# Link the plugin's objects (and the record codec archive) into one
# relocatable object whose undefined symbols are all weak.
#
# Why: cc1 loads a plugin with dlopen (RTLD_NOW), so a plugin built for
# another GCC fails before plugin_init runs, with only "undefined symbol:
# _Z21output_section_asm_opPKc" to show for it.  With weak references the
# plugin always loads, and plugin_init's version check can say which GCC
# the plugin needs.  Once that check passed (the exact GCC build the plugin
# was compiled against), every symbol is there and binds as usual.
set -eu

out=$1 ld=$2 nm=$3 objcopy=$4
shift 4

"$ld" -r -o "$out.combined.o" "$@"
"$nm" -u "$out.combined.o" | awk '{ print $2 }' > "$out.undefined"
"$objcopy" --weaken-symbols="$out.undefined" "$out.combined.o" "$out"
rm -f "$out.combined.o"
