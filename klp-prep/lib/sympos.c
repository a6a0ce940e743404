// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sympos.c - old_sympos, counted once for the whole toolchain (see
 * klp_prep/sympos.h)
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <klp_prep/sympos.h>

struct sympos_sym {
	const char *name;
	uint64_t value;
};

struct klp_sympos_table {
	enum klp_sympos_order order;
	struct sympos_sym *syms;	/* .symtab order */
	size_t nr, cap;
	size_t *walk;			/* places -> indexes */
	size_t *place;			/* indexes -> places */
};

struct klp_sympos_table *klp_sympos_table__new(enum klp_sympos_order order)
{
	struct klp_sympos_table *t = calloc(1, sizeof(*t));

	if (t)
		t->order = order;
	return t;
}

void klp_sympos_table__free(struct klp_sympos_table *t)
{
	if (!t)
		return;
	free(t->syms);
	free(t->walk);
	free(t->place);
	free(t);
}

int klp_sympos_table__add(struct klp_sympos_table *t, const char *name,
			  uint64_t value)
{
	if (t->walk)
		return -EBUSY;
	if (t->nr == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 256;
		struct sympos_sym *s = realloc(t->syms, cap * sizeof(*s));

		if (!s)
			return -ENOMEM;
		t->syms = s;
		t->cap = cap;
	}
	t->syms[t->nr++] = (struct sympos_sym){ .name = name, .value = value };
	return 0;
}

static int compare_in_walk(const struct klp_sympos_table *t, size_t a, size_t b)
{
	const struct sympos_sym *x = &t->syms[a], *y = &t->syms[b];
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	/* scripts/kallsyms.c compare_names(): name, address, nm -n order */
	if (t->order == KLP_SYMPOS_VMLINUX && x->value != y->value)
		return x->value < y->value ? -1 : 1;
	/* module_kallsyms_on_each_symbol(): .symtab order */
	return a < b ? -1 : a > b;
}

/* A merge sort: qsort() has no context argument in C99. */
static void sort_walk(const struct klp_sympos_table *t, size_t *v, size_t *tmp,
		      size_t n)
{
	size_t half = n / 2, i = 0, j = half, k = 0;

	if (n < 2)
		return;
	sort_walk(t, v, tmp, half);
	sort_walk(t, v + half, tmp, n - half);
	while (i < half && j < n)
		tmp[k++] = compare_in_walk(t, v[i], v[j]) <= 0 ? v[i++] : v[j++];
	while (i < half)
		tmp[k++] = v[i++];
	while (j < n)
		tmp[k++] = v[j++];
	memcpy(v, tmp, n * sizeof(*v));
}

int klp_sympos_table__sort(struct klp_sympos_table *t)
{
	size_t i, n = t->nr ? t->nr : 1;

	if (t->walk)
		return 0;
	t->walk = malloc(n * sizeof(*t->walk));
	t->place = malloc(n * sizeof(*t->place));
	if (!t->walk || !t->place) {
		free(t->walk);
		free(t->place);
		t->walk = t->place = NULL;
		return -ENOMEM;
	}
	for (i = 0; i < t->nr; i++)
		t->walk[i] = i;
	/* place[] is the scratch space of the sort, then the inverse. */
	sort_walk(t, t->walk, t->place, t->nr);
	for (i = 0; i < t->nr; i++)
		t->place[t->walk[i]] = i;
	return 0;
}

size_t klp_sympos_table__nr(const struct klp_sympos_table *t)
{
	return t->walk ? t->nr : 0;
}

const size_t *klp_sympos_table__order(const struct klp_sympos_table *t)
{
	return t->walk;
}

size_t klp_sympos_table__lower_bound(const struct klp_sympos_table *t,
				     const char *name)
{
	size_t lo = 0, hi = klp_sympos_table__nr(t);

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(t->syms[t->walk[mid]].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

size_t klp_sympos_table__named(const struct klp_sympos_table *t,
			       const char *name, size_t *first)
{
	size_t lo = klp_sympos_table__lower_bound(t, name), n = 0;

	*first = lo;
	while (lo + n < klp_sympos_table__nr(t) &&
	       !strcmp(t->syms[t->walk[lo + n]].name, name))
		n++;
	return n;
}

unsigned long klp_sympos_table__sympos(const struct klp_sympos_table *t,
				       size_t index)
{
	size_t first, n;

	if (index >= klp_sympos_table__nr(t))
		return 0;
	n = klp_sympos_table__named(t, t->syms[index].name, &first);
	return n > 1 ? (unsigned long)(t->place[index] - first + 1) : 0;
}

long klp_sympos_table__find(const struct klp_sympos_table *t, const char *name,
			    unsigned long sympos)
{
	size_t first, n = klp_sympos_table__named(t, name, &first);

	if (!sympos)
		return n == 1 ? (long)t->walk[first] : -1;
	return sympos <= n ? (long)t->walk[first + sympos - 1] : -1;
}

unsigned long klp_sympos__estimate(const struct klp_unit *const *units,
				   size_t nr_units, size_t unit,
				   const char *name)
{
	size_t u, k;
	unsigned long pos = 0, count = 0;

	for (u = 0; u < nr_units; u++) {
		const struct klp_unit *un = units[u];

		for (k = 0; k < un->nr_funcs; k++) {
			const struct klp_func_record *f = &un->funcs[k];

			if (!(f->flags & KLP_FUNC_F_EMITTED))
				continue;
			if ((f->symbol && !strcmp(f->symbol, name)) ||
			    (f->cold_symbol && !strcmp(f->cold_symbol, name))) {
				count++;
				if (u == unit && !pos)
					pos = count;
			}
		}
	}
	return count > 1 ? pos : 0;
}
