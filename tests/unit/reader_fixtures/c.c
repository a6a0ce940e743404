// SPDX-License-Identifier: GPL-2.0-or-later
/* The symbols of format_blocks.h's "second" unit (see a.c). */
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
	FUNC(".text", "foo.isra.0", "local")
	FUNC(".text", "main_c", "globl")
);
