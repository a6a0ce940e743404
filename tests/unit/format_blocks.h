/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * format_blocks.h - hand-built units for the format and reader tests
 *
 * "rich" uses every record kind and field: a cold split, a constprop+isra
 * clone with parameter changes and a dropped return, a public function
 * with its .localalias, a .part, a body inlined everywhere, a three-deep
 * inline chain, calls to clones.  reader_fixture.c defines symbols that
 * match it exactly, so `klp-prep check` on the pair finds nothing.
 */
#ifndef KLP_TEST_FORMAT_BLOCKS_H
#define KLP_TEST_FORMAT_BLOCKS_H

#include <klp_prep/records.h>

static struct klp_origin rich_origins[] = {
	{ "foo", "demo/a.c", 10, NULL, KLP_ORIGIN_F_DEFINED, 30 },
	{ "bar", "demo/a.c", 40, NULL,
	  KLP_ORIGIN_F_PUBLIC | KLP_ORIGIN_F_DEFINED, 48 },
	{ "baz", "demo/inc/b.h", 3, NULL,
	  KLP_ORIGIN_F_DECLARED_INLINE | KLP_ORIGIN_F_DEFINED, 8 },
	{ "qux", "demo/a.c", 50, ".text.qux_sect",
	  KLP_ORIGIN_F_NOINLINE | KLP_ORIGIN_F_DEFINED, 60 },
	{ "ext\"quoted\\name\n", "demo/a.c", 0, NULL, KLP_ORIGIN_F_PUBLIC, 0 },
};

static struct klp_step rich_steps_cp_isra[] = {
	{ KLP_STEP_CONSTPROP, 0 }, { KLP_STEP_ISRA, 0 },
};
static struct klp_step rich_steps_alias[] = { { KLP_STEP_LOCALALIAS, 0 } };
static struct klp_step rich_steps_part[] = { { KLP_STEP_PART, 0 } };

static struct klp_param rich_params[] = {
	{ 0, KLP_PARAM_CONSTANT, "42" },
	{ 1, KLP_PARAM_REMOVED, NULL },
	{ 2, KLP_PARAM_SPLIT, NULL },
};

static struct klp_func_record rich_funcs[] = {
	{ "foo", 0, KLP_FUNC_F_EMITTED | KLP_FUNC_F_COLD_SPLIT, ".text",
	  "foo.cold", ".text.unlikely", 0, NULL, 0, NULL, 0 },
	{ "foo.constprop.0.isra.0", 0,
	  KLP_FUNC_F_EMITTED | KLP_FUNC_F_CONSTPROP | KLP_FUNC_F_ISRA |
	  KLP_FUNC_F_RETURN_DROPPED | KLP_FUNC_F_COLD_SPLIT, ".text",
	  "foo.constprop.0.isra.0.cold", ".text.unlikely", 0,
	  rich_steps_cp_isra, 2, rich_params, 3 },
	{ "bar", 1, KLP_FUNC_F_EMITTED | KLP_FUNC_F_PUBLIC, ".text",
	  NULL, NULL, 0, NULL, 0, NULL, 0 },
	{ "bar.localalias", 1, KLP_FUNC_F_EMITTED | KLP_FUNC_F_ALIAS, ".text",
	  NULL, NULL, 3, rich_steps_alias, 1, NULL, 0 },
	{ "qux.part.0", 3, KLP_FUNC_F_EMITTED | KLP_FUNC_F_PART,
	  ".text.qux_sect", NULL, NULL, 0, rich_steps_part, 1, NULL, 0 },
	{ "baz", 2, 0, NULL, NULL, NULL, 0, NULL, 0, NULL, 0 },
};

static struct klp_inline rich_inlines[] = {
	{ 2, 0, 2, "demo/a.c", 44, KLP_INLINE_F_EARLY },
	{ 2, 1, 3, "demo/inc/b.h", 5, 0 },
	{ 2, 2, 0, "demo/a.c", 52, KLP_INLINE_F_NO_CODE },
	{ 1, 0, 2, "demo/a.c", 20, 0 },
};

static struct klp_call rich_calls[] = {
	{ 2, "foo.constprop.0.isra.0", "demo/a.c", 45, KLP_CALL_F_TAIL },
	{ 0, "qux.part.0", "demo/a.c", 15, 0 },
};

static inline struct klp_unit rich_unit(void)
{
	struct klp_unit u = {
		.source = "demo/a.c",
		.producer = "GCC 12.2.0",
		.flags = KLP_UNIT_F_PARTITIONING | KLP_UNIT_F_FUNCTION_SECTIONS,
		.origins = rich_origins,
		.nr_origins = sizeof(rich_origins) / sizeof(rich_origins[0]),
		.funcs = rich_funcs,
		.nr_funcs = sizeof(rich_funcs) / sizeof(rich_funcs[0]),
		.inlines = rich_inlines,
		.nr_inlines = sizeof(rich_inlines) / sizeof(rich_inlines[0]),
		.calls = rich_calls,
		.nr_calls = sizeof(rich_calls) / sizeof(rich_calls[0]),
	};
	return u;
}

/*
 * A second unit, as another object of an `ld -r` would bring; its static
 * foo and foo.cold have the names of the rich unit's.
 */
static struct klp_origin second_origins[] = {
	{ "foo", "demo/c.c", 5, NULL, KLP_ORIGIN_F_DEFINED, 9 },
	{ "main_c", "demo/c.c", 12, NULL,
	  KLP_ORIGIN_F_PUBLIC | KLP_ORIGIN_F_DEFINED, 20 },
};
static struct klp_step second_steps_isra[] = { { KLP_STEP_ISRA, 0 } };
static struct klp_func_record second_funcs[] = {
	{ "foo", 0, KLP_FUNC_F_EMITTED | KLP_FUNC_F_COLD_SPLIT, ".text",
	  "foo.cold", ".text.unlikely", 0, NULL, 0, NULL, 0 },
	{ "foo.isra.0", 0, KLP_FUNC_F_EMITTED | KLP_FUNC_F_ISRA, ".text",
	  NULL, NULL, 0, second_steps_isra, 1, NULL, 0 },
	{ "main_c", 1, KLP_FUNC_F_EMITTED | KLP_FUNC_F_PUBLIC, ".text",
	  NULL, NULL, 0, NULL, 0, NULL, 0 },
};
static struct klp_call second_calls[] = {
	{ 2, "foo.isra.0", "demo/c.c", 14, 0 },
};

static inline struct klp_unit second_unit(void)
{
	struct klp_unit u = {
		.source = "demo/c.c",
		.producer = "GCC 12.2.0",
		.origins = second_origins,
		.nr_origins = 2,
		.funcs = second_funcs,
		.nr_funcs = 3,
		.calls = second_calls,
		.nr_calls = 1,
	};
	return u;
}

#endif /* KLP_TEST_FORMAT_BLOCKS_H */
