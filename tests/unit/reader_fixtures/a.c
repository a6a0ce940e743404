// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The symbols of format_blocks.h's "rich" unit, written out so that the
 * reader and check tests need no plugin: GCC names no functions with dots
 * by itself at -O0, so they are spelled in top-level assembly, in the
 * sections the records claim.
 */
#define FUNC(sect, name, bind)						\
	"	.section " sect ",\"ax\",@progbits\n"			\
	"	." bind " " name "\n"					\
	"	.type " name ", @function\n"				\
	name ":\n"							\
	"	ret\n"							\
	"	.size " name ", .-" name "\n"

__asm__(
	FUNC(".text", "foo", "local")
	FUNC(".text.unlikely", "foo.cold", "local")
	FUNC(".text", "foo.constprop.0.isra.0", "local")
	FUNC(".text.unlikely", "foo.constprop.0.isra.0.cold", "local")
	FUNC(".text", "bar", "globl")
	"	.local bar.localalias\n"
	"	.set bar.localalias, bar\n"
	"	.type bar.localalias, @function\n"
	"	.size bar.localalias, .-bar\n"
	FUNC(".text.qux_sect", "qux.part.0", "local")
);
