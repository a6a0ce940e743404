// SPDX-License-Identifier: GPL-2.0-or-later
/* record_names.c - names of the record flags (klp_partition.h) */
#include <stdio.h>

#include <klp_prep/record_names.h>
#include <klp_prep/records.h>

#define NAME(flag, word) [__builtin_ctz(flag)] = word

static const char *const unit_flags[32] = {
	NAME(KLP_UNIT_F_LTO, "lto"),
	NAME(KLP_UNIT_F_FUNCTION_SECTIONS, "function_sections"),
	NAME(KLP_UNIT_F_PARTITIONING, "partitioning"),
	NAME(KLP_UNIT_F_LIVE_PATCHING, "live_patching"),
};

static const char *const origin_flags[32] = {
	NAME(KLP_ORIGIN_F_PUBLIC, "public"),
	NAME(KLP_ORIGIN_F_DECLARED_INLINE, "declared_inline"),
	NAME(KLP_ORIGIN_F_NOINLINE, "noinline"),
	NAME(KLP_ORIGIN_F_NOTRACE, "notrace"),
	NAME(KLP_ORIGIN_F_COLD, "cold"),
	NAME(KLP_ORIGIN_F_DEFINED, "defined"),
};

static const char *const func_flags[32] = {
	NAME(KLP_FUNC_F_EMITTED, "emitted"),
	NAME(KLP_FUNC_F_PUBLIC, "public"),
	NAME(KLP_FUNC_F_PART, "part"),
	NAME(KLP_FUNC_F_ISRA, "isra"),
	NAME(KLP_FUNC_F_CONSTPROP, "constprop"),
	NAME(KLP_FUNC_F_ALIAS, "alias"),
	NAME(KLP_FUNC_F_LTO_PRIV, "lto_priv"),
	NAME(KLP_FUNC_F_COLD_SPLIT, "cold_split"),
	NAME(KLP_FUNC_F_RETURN_DROPPED, "return_dropped"),
	NAME(KLP_FUNC_F_OTHER_CLONE, "other_clone"),
	NAME(KLP_FUNC_F_FENTRY, "fentry"),
};

static const char *const inline_flags[32] = {
	NAME(KLP_INLINE_F_EARLY, "early"),
	NAME(KLP_INLINE_F_NO_CODE, "no_code"),
};

static const char *const call_flags[32] = {
	NAME(KLP_CALL_F_TAIL, "tail"),
};

const char *klp_flag__name(enum klp_flag_set set, unsigned int bit)
{
	static const char *const *const sets[] = {
		[KLP_FLAGS_UNIT] = unit_flags,
		[KLP_FLAGS_ORIGIN] = origin_flags,
		[KLP_FLAGS_FUNC] = func_flags,
		[KLP_FLAGS_INLINE] = inline_flags,
		[KLP_FLAGS_CALL] = call_flags,
	};

	if ((unsigned int)set >= sizeof(sets) / sizeof(sets[0]) || bit >= 32)
		return NULL;
	return sets[set][bit];
}

char *klp_flags__format(enum klp_flag_set set, unsigned int flags,
			const char *sep, char *buf, size_t size)
{
	size_t used = 0;
	unsigned int bit;

	if (!size)
		return buf;
	buf[0] = '\0';
	for (bit = 0; bit < 32 && used < size; bit++) {
		const char *name;
		int n;

		if (!(flags & (1u << bit)))
			continue;
		name = klp_flag__name(set, bit);
		if (name)
			n = snprintf(buf + used, size - used, "%s%s",
				     used ? sep : "", name);
		else
			n = snprintf(buf + used, size - used, "%sbit%u",
				     used ? sep : "", bit);
		if (n < 0)
			break;
		used += (size_t)n;
	}
	return buf;
}

const char *klp_param_change__name(unsigned int change)
{
	switch (change) {
	case KLP_PARAM_REMOVED:		return "removed";
	case KLP_PARAM_SPLIT:		return "split";
	case KLP_PARAM_CONSTANT:	return "constant";
	}
	return NULL;
}
