// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * diff.c - parse unified diffs and apply them in memory
 *
 * Changed ranges.  A run of '+' lines is a range on the new side; a run of
 * '-' lines one on the old side.  A change that has nothing on one side
 * (a pure deletion seen from the new side, a pure addition seen from the
 * old side) still belongs to whatever encloses it there, so it becomes
 * the two lines around the gap (one at a file's edge): a deleted
 * statement maps to the function it was deleted from.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"

#include "log.h"

struct parser {
	const char *name;
	const char *p, *end;
	unsigned int line;	/* of the current line, 1-based */
	char *buf;		/* the current line, without '\n' */
	size_t cap;
};

/* Read the next line into p->buf; false at the end. */
static bool next_line(struct parser *p)
{
	const char *nl;
	size_t n;

	if (p->p >= p->end)
		return false;
	nl = memchr(p->p, '\n', p->end - p->p);
	n = nl ? (size_t)(nl - p->p) : (size_t)(p->end - p->p);
	if (n + 1 > p->cap) {
		char *b = realloc(p->buf, n + 1);

		if (!b)
			return false;
		p->buf = b;
		p->cap = n + 1;
	}
	memcpy(p->buf, p->p, n);
	/* Step over the line as read: a CR dropped below is still in it. */
	p->p += n + (nl ? 1 : 0);
	if (n && p->buf[n - 1] == '\r')
		n--;
	p->buf[n] = '\0';
	p->line++;
	return true;
}

/* Peek: does the next line start with @prefix? */
static bool next_starts(const struct parser *p, const char *prefix)
{
	size_t n = strlen(prefix);

	return (size_t)(p->end - p->p) >= n && !strncmp(p->p, prefix, n);
}

/* "--- a/x.c\t2024-01-01 ..." -> "x.c" with @strip components removed. */
static int parse_path(const char *s, int strip, char **out)
{
	const char *e;
	char *path;
	int i;

	*out = NULL;
	while (*s == ' ')
		s++;
	e = strchr(s, '\t');
	if (!e)
		e = s + strlen(s);
	while (e > s && e[-1] == ' ')
		e--;
	path = strndup(s, e - s);
	if (!path)
		return -ENOMEM;
	if (!strcmp(path, "/dev/null")) {
		free(path);
		return 0;
	}
	s = path;
	for (i = 0; i < strip; i++) {
		const char *slash = strchr(s, '/');

		if (!slash)
			break;
		s = slash + 1;
	}
	memmove(path, s, strlen(s) + 1);
	*out = path;
	return 0;
}

static int add_range(struct klp_line_range **ranges, size_t *nr,
		     unsigned int first, unsigned int last)
{
	struct klp_line_range *r;

	if (first == 0)
		first = 1;
	if (last < first)
		last = first;
	if (*nr && (*ranges)[*nr - 1].last + 1 >= first) {
		if ((*ranges)[*nr - 1].last < last)
			(*ranges)[*nr - 1].last = last;
		return 0;
	}
	r = realloc(*ranges, (*nr + 1) * sizeof(*r));
	if (!r)
		return -ENOMEM;
	r[*nr].first = first;
	r[*nr].last = last;
	*ranges = r;
	(*nr)++;
	return 0;
}

/*
 * Walk a hunk's lines and record its changed ranges.  Runs are maximal
 * sequences of '-' and '+' lines between context lines.
 */
static int hunk_ranges(struct klp_diff_file *f, const struct klp_diff_hunk *h)
{
	unsigned int o = h->old_start + h->offset, n = h->new_start + h->offset;
	size_t i = 0;
	int err;

	/* A zero count means the start is the line before the gap. */
	if (!h->old_count)
		o++;
	if (!h->new_count)
		n++;
	while (i < h->nr_lines) {
		unsigned int o0 = o, n0 = n;

		if (h->lines[i][0] == ' ') {
			o++, n++, i++;
			continue;
		}
		while (i < h->nr_lines && h->lines[i][0] != ' ') {
			if (h->lines[i][0] == '-')
				o++;
			else
				n++;
			i++;
		}
		/* Old lines o0..o-1 became new lines n0..n-1. */
		err = o > o0 ? add_range(&f->old_ranges, &f->nr_old_ranges, o0, o - 1)
			     : add_range(&f->old_ranges, &f->nr_old_ranges,
					 o0 > 1 ? o0 - 1 : 1, o0);
		if (!err)
			err = n > n0 ? add_range(&f->new_ranges, &f->nr_new_ranges, n0, n - 1)
				     : add_range(&f->new_ranges, &f->nr_new_ranges,
						 n0 > 1 ? n0 - 1 : 1, n0);
		if (err)
			return err;
	}
	return 0;
}

static int parse_count(const char *s, unsigned int *start, unsigned int *count,
		       const char **end)
{
	char *e;

	*start = strtoul(s, &e, 10);
	if (e == s)
		return -1;
	*count = 1;
	if (*e == ',') {
		s = e + 1;
		*count = strtoul(s, &e, 10);
		if (e == s)
			return -1;
	}
	*end = e;
	return 0;
}

static int parse_hunk(struct parser *p, struct klp_diff_file *f)
{
	struct klp_diff_hunk *h, *hunks;
	unsigned int old_left, new_left;
	const char *s;

	hunks = realloc(f->hunks, (f->nr_hunks + 1) * sizeof(*hunks));
	if (!hunks)
		return -ENOMEM;
	f->hunks = hunks;
	h = &hunks[f->nr_hunks++];
	memset(h, 0, sizeof(*h));
	h->line = p->line;

	s = p->buf + 3;		/* "@@ " */
	if (*s != '-' || parse_count(s + 1, &h->old_start, &h->old_count, &s) ||
	    strncmp(s, " +", 2) || parse_count(s + 2, &h->new_start, &h->new_count, &s) ||
	    strncmp(s, " @@", 3)) {
		log_err("%s:%u: error: malformed hunk header '%s'\n",
			p->name, p->line, p->buf);
		return -EBADMSG;
	}

	old_left = h->old_count;
	new_left = h->new_count;
	while (old_left || new_left) {
		char kind, **lines;

		if (!next_line(p)) {
			log_err("%s:%u: error: hunk at line %u ends early (%u old and %u new lines missing)\n",
				p->name, p->line, h->line, old_left, new_left);
			return -EBADMSG;
		}
		kind = p->buf[0];
		/* Some mailers strip the ' ' of an empty context line. */
		if (kind == '\0')
			kind = ' ';
		if (kind == '\\')
			continue;
		if ((kind == ' ' && (!old_left || !new_left)) ||
		    (kind == '-' && !old_left) || (kind == '+' && !new_left) ||
		    (kind != ' ' && kind != '-' && kind != '+')) {
			log_err("%s:%u: error: line does not fit the hunk at line %u (counts in its header are wrong?)\n",
				p->name, p->line, h->line);
			return -EBADMSG;
		}
		if (kind != '+')
			old_left--;
		if (kind != '-')
			new_left--;
		lines = realloc(h->lines, (h->nr_lines + 1) * sizeof(*lines));
		if (!lines)
			return -ENOMEM;
		h->lines = lines;
		if (asprintf(&lines[h->nr_lines], "%c%s", kind,
			     p->buf[0] ? p->buf + 1 : "") < 0)
			return -ENOMEM;
		h->nr_lines++;
	}
	/* "\ No newline at end of file" after the hunk's last line. */
	while (next_starts(p, "\\")) {
		char last = h->nr_lines ? h->lines[h->nr_lines - 1][0] : ' ';

		next_line(p);
		if (last != '+')
			h->old_no_newline = 1;
		if (last != '-')
			h->new_no_newline = 1;
	}
	return hunk_ranges(f, h);
}

static void free_file(struct klp_diff_file *f)
{
	size_t i, j;

	for (i = 0; i < f->nr_hunks; i++) {
		for (j = 0; j < f->hunks[i].nr_lines; j++)
			free(f->hunks[i].lines[j]);
		free(f->hunks[i].lines);
	}
	free(f->hunks);
	free(f->old_path);
	free(f->new_path);
	free(f->old_ranges);
	free(f->new_ranges);
}

void klp_diff__free(struct klp_diff *diff)
{
	size_t i;

	if (!diff)
		return;
	for (i = 0; i < diff->nr_files; i++)
		free_file(&diff->files[i]);
	free(diff->files);
	free(diff->name);
	free(diff);
}

/* "Binary files a/x and b/x differ" -> "a/x and b/x", for messages. */
static const char *binary_names(const char *line, int *len)
{
	const char *s = line + strlen("Binary files ");
	const char *e = strstr(s, " differ");

	*len = e ? (int)(e - s) : (int)strlen(s);
	return s;
}

/*
 * What a git diff's extended header lines say that the hunks cannot:
 * renames, copies and binary changes have no hunks (or none of their
 * own), so they are refused here, where the line is known, rather than
 * dropped.  Mode changes mean nothing to a livepatch and pass.
 */
static int git_header_line(const struct parser *p, const char *diff_line)
{
	static const char *const moved[] = { "rename from ", "copy from " };
	const char *where = diff_line ? diff_line : "the diff";
	int n;

	for (size_t i = 0; i < sizeof(moved) / sizeof(moved[0]); i++) {
		if (strncmp(p->buf, moved[i], strlen(moved[i])))
			continue;
		log_err("%s:%u: error: the fix %s %s ('%s'); a livepatch cannot %s files: "
			"leave that out of the fix\n", p->name, p->line,
			i ? "copies" : "renames", p->buf + strlen(moved[i]), where,
			i ? "add" : "rename");
		return -EBADMSG;
	}
	if (!strcmp(p->buf, "GIT binary patch")) {
		log_err("%s:%u: error: the fix changes a binary file ('%s'); a livepatch "
			"carries code only: leave it out of the fix\n", p->name, p->line, where);
		return -EBADMSG;
	}
	if (!strncmp(p->buf, "Binary files ", 13) && strstr(p->buf, " differ")) {
		const char *names = binary_names(p->buf, &n);

		log_err("%s:%u: error: the fix changes a binary file (%.*s); a livepatch "
			"carries code only (and this diff has not even its contents): leave "
			"it out of the fix\n", p->name, p->line, n, names);
		return -EBADMSG;
	}
	return 0;
}

/* A mail whose body is encoded: its hunks are not the source's lines. */
static int mail_encoding(const struct parser *p)
{
	static const char field[] = "Content-Transfer-Encoding:";
	const char *v;

	if (strncasecmp(p->buf, field, sizeof(field) - 1))
		return 0;
	for (v = p->buf + sizeof(field) - 1; *v == ' ' || *v == '\t'; v++)
		;
	if (strncasecmp(v, "quoted-printable", 16) && strncasecmp(v, "base64", 6))
		return 0;
	log_err("%s:%u: error: the mail's body is %s-encoded; save the patch decoded "
		"('git am', 'b4 am' or the mail client's raw/decoded save) and give that\n",
		p->name, p->line, v);
	return -EBADMSG;
}

/* A series can change a file twice; its hunks then do not apply at once. */
static int changed_before(const struct parser *p, const struct klp_diff *diff,
			  const struct klp_diff_file *f)
{
	const char *path = f->new_path ? f->new_path : f->old_path;

	for (const struct klp_diff_file *o = diff->files; o < f; o++) {
		const char *op = o->new_path ? o->new_path : o->old_path;

		if (path && op && !strcmp(path, op)) {
			log_err("%s:%u: error: %s is changed a second time (a series of "
				"patches?); give one diff of the whole fix "
				"('git diff BASE..TOP')\n", p->name, p->line, path);
			return -EBADMSG;
		}
	}
	return 0;
}

int klp_diff__parse(const char *text, size_t size, const char *name,
		    int strip, struct klp_diff **out)
{
	struct parser p = { .name = name, .p = text, .end = text + size };
	struct klp_diff *diff;
	struct klp_diff_file *f = NULL;
	char *diff_line = NULL;	/* the last "diff ..." line, for messages */
	int err = 0;

	*out = NULL;
	diff = calloc(1, sizeof(*diff));
	if (!diff || !(diff->name = strdup(name))) {
		free(diff);
		return -ENOMEM;
	}
	while (!err && next_line(&p)) {
		if (!strncmp(p.buf, "--- ", 4) && next_starts(&p, "+++ ")) {
			struct klp_diff_file *files;

			files = realloc(diff->files, (diff->nr_files + 1) * sizeof(*files));
			if (!files) {
				err = -ENOMEM;
				break;
			}
			diff->files = files;
			f = &files[diff->nr_files++];
			memset(f, 0, sizeof(*f));
			err = parse_path(p.buf + 4, strip, &f->old_path);
			if (!err && next_line(&p))
				err = parse_path(p.buf + 4, strip, &f->new_path);
			if (!err && !f->old_path && !f->new_path) {
				log_err("%s:%u: error: both sides are /dev/null\n", name, p.line);
				err = -EBADMSG;
			}
			if (!err)
				err = changed_before(&p, diff, f);
		} else if (!strncmp(p.buf, "@@ ", 3)) {
			if (!f) {
				log_err("%s:%u: error: hunk before any '--- '/'+++ ' file header\n",
					name, p.line);
				err = -EBADMSG;
				break;
			}
			err = parse_hunk(&p, f);
		} else if (!strncmp(p.buf, "diff ", 5)) {
			f = NULL;
			free(diff_line);
			diff_line = strdup(p.buf);
			if (!diff_line)
				err = -ENOMEM;
		} else {
			/* The mail's header and message, "index ...", mode
			 * changes; "Binary files" stands alone in diff -r. */
			if (!diff->nr_files && !diff_line)
				err = mail_encoding(&p);
			if (!err && ((!f && diff_line) || !strncmp(p.buf, "Binary files ", 13)))
				err = git_header_line(&p, f ? NULL : diff_line);
		}
	}
	free(diff_line);
	free(p.buf);
	if (!err && !diff->nr_files) {
		log_err("%s: error: no file changes found (not a unified diff?)\n", name);
		err = -ENODATA;
	}
	if (err) {
		klp_diff__free(diff);
		return err;
	}
	*out = diff;
	return 0;
}

/* ---- a diff of two texts (Myers' greedy algorithm) ---------------------- */

struct text_lines {
	const char **s;
	size_t *n;
	size_t nr;
};

static int text_lines(const char *t, size_t size, struct text_lines *l)
{
	size_t i = 0, cap = 0;

	memset(l, 0, sizeof(*l));
	while (i < size) {
		const char *nl = memchr(t + i, '\n', size - i);
		size_t n = nl ? (size_t)(nl - (t + i)) : size - i;

		if (l->nr == cap) {
			const char **s = realloc(l->s, (cap = cap * 2 + 256) * sizeof(*s));
			size_t *ln;

			if (!s)
				return -ENOMEM;
			l->s = s;
			ln = realloc(l->n, cap * sizeof(*ln));
			if (!ln)
				return -ENOMEM;
			l->n = ln;
		}
		l->s[l->nr] = t + i;
		l->n[l->nr++] = n;
		i += n + 1;
	}
	return 0;
}

static bool same_line(const struct text_lines *a, size_t i, const struct text_lines *b, size_t j)
{
	return a->n[i] == b->n[j] && !memcmp(a->s[i], b->s[j], a->n[i]);
}

/* Add one hunk line: @kind and the text. */
static int hunk_line(struct klp_diff_hunk *h, char kind, const char *s, size_t n)
{
	char **lines = realloc(h->lines, (h->nr_lines + 1) * sizeof(*lines));

	if (!lines)
		return -ENOMEM;
	h->lines = lines;
	lines[h->nr_lines] = malloc(n + 2);
	if (!lines[h->nr_lines])
		return -ENOMEM;
	lines[h->nr_lines][0] = kind;
	memcpy(lines[h->nr_lines] + 1, s, n);
	lines[h->nr_lines][n + 1] = '\0';
	h->nr_lines++;
	return 0;
}

#define DIFF_MAX_EDITS 4000

int klp_diff__from_texts(const char *path, const char *old, size_t old_size,
			 const char *new, size_t new_size, struct klp_diff **out)
{
	struct text_lines a = { 0 }, b = { 0 };
	struct klp_diff *d = NULL;
	struct klp_diff_file *f;
	struct klp_diff_hunk *h;
	long *v = NULL, **trace = NULL, n, m, max, dd = -1, k, x, y;
	char *ops = NULL;	/* the edit script, backwards: '=', '-', '+' */
	size_t nr_ops = 0, i;
	int err;

	*out = NULL;
	err = text_lines(old, old_size, &a);
	if (!err)
		err = text_lines(new, new_size, &b);
	if (err)
		goto out;
	n = a.nr;
	m = b.nr;
	max = n + m;
	err = -ENOMEM;
	v = calloc(2 * max + 3, sizeof(*v));
	trace = calloc(DIFF_MAX_EDITS + 1, sizeof(*trace));
	ops = malloc(max + 1);
	if (!v || !trace || !ops)
		goto out;
	/* Forward: the furthest x on each diagonal k after d edits. */
	for (long d_ = 0; d_ <= max && d_ <= DIFF_MAX_EDITS && dd < 0; d_++) {
		for (k = -d_; k <= d_; k += 2) {
			if (k == -d_ || (k != d_ && v[max + k - 1] < v[max + k + 1]))
				x = v[max + k + 1];
			else
				x = v[max + k - 1] + 1;
			y = x - k;
			while (x < n && y < m && same_line(&a, x, &b, y))
				x++, y++;
			v[max + k] = x;
			if (x >= n && y >= m) {
				dd = d_;
				break;
			}
		}
		trace[d_] = malloc((2 * max + 3) * sizeof(**trace));
		if (!trace[d_])
			goto out;
		memcpy(trace[d_], v, (2 * max + 3) * sizeof(*v));
	}
	if (dd < 0) {
		log_err("%s: error: the patched copy differs in more than %d lines; "
			"name the changed functions instead\n", path, DIFF_MAX_EDITS);
		err = -E2BIG;
		goto out;
	}
	/* Backwards through the trace: the edit script. */
	x = n;
	y = m;
	for (long d_ = dd; d_ >= 0; d_--) {
		long pk, px, py;

		k = x - y;
		if (d_ == 0) {
			while (x > 0 && y > 0) {
				ops[nr_ops++] = '=';
				x--, y--;
			}
			break;
		}
		if (k == -d_ || (k != d_ && trace[d_ - 1][max + k - 1] < trace[d_ - 1][max + k + 1]))
			pk = k + 1;
		else
			pk = k - 1;
		px = trace[d_ - 1][max + pk];
		py = px - pk;
		while (x > px && y > py) {
			ops[nr_ops++] = '=';
			x--, y--;
		}
		ops[nr_ops++] = x == px ? '+' : '-';
		x = px;
		y = py;
	}

	/* One hunk over the whole file. */
	d = calloc(1, sizeof(*d));
	if (!d || !(d->name = strdup(path)))
		goto out;
	d->files = calloc(1, sizeof(*d->files));
	if (!d->files)
		goto out;
	d->nr_files = 1;
	f = &d->files[0];
	f->old_path = strdup(path);
	f->new_path = strdup(path);
	f->hunks = calloc(1, sizeof(*f->hunks));
	if (!f->old_path || !f->new_path || !f->hunks)
		goto out;
	f->nr_hunks = 1;
	h = &f->hunks[0];
	h->old_start = n ? 1 : 0;
	h->old_count = n;
	h->new_start = m ? 1 : 0;
	h->new_count = m;
	x = y = 0;
	for (i = nr_ops; i-- > 0;) {
		if (ops[i] == '=') {
			err = hunk_line(h, ' ', a.s[x], a.n[x]);
			x++, y++;
		} else if (ops[i] == '-') {
			err = hunk_line(h, '-', a.s[x], a.n[x]);
			x++;
		} else {
			err = hunk_line(h, '+', b.s[y], b.n[y]);
			y++;
		}
		if (err)
			goto out;
	}
	err = hunk_ranges(f, h);
out:
	if (trace)
		for (long t = 0; t <= DIFF_MAX_EDITS; t++)
			free(trace[t]);
	free(trace);
	free(v);
	free(ops);
	free(a.s);
	free(a.n);
	free(b.s);
	free(b.n);
	if (err) {
		klp_diff__free(d);
		return err;
	}
	*out = d;
	return 0;
}

int klp_diff__parse_file(const char *path, int strip, struct klp_diff **diff)
{
	char *text = NULL;
	size_t size = 0, cap = 0, n;
	FILE *fp;
	int err;

	*diff = NULL;
	fp = fopen(path, "r");
	if (!fp) {
		err = -errno;
		log_err("%s: error: %s\n", path, strerror(errno));
		return err;
	}
	do {
		if (size + 4096 > cap) {
			char *t = realloc(text, cap = cap * 2 + 8192);

			if (!t) {
				free(text);
				fclose(fp);
				return -ENOMEM;
			}
			text = t;
		}
		n = fread(text + size, 1, cap - size, fp);
		size += n;
	} while (n);
	if (ferror(fp)) {
		log_err("%s: error: read failed\n", path);
		free(text);
		fclose(fp);
		return -EIO;
	}
	fclose(fp);
	err = klp_diff__parse(text ? text : "", size, path, strip, diff);
	free(text);
	return err;
}

const struct klp_diff_file *klp_diff__find_file(const struct klp_diff *diff,
						const char *path)
{
	size_t i;

	for (i = 0; i < diff->nr_files; i++) {
		const struct klp_diff_file *f = &diff->files[i];
		const char *p = f->new_path ? f->new_path : f->old_path;

		if (!strcmp(p, path))
			return f;
	}
	return NULL;
}

/* The original split into lines (pointers into it, with lengths). */
struct lines {
	const char **start;
	size_t *len;		/* without the '\n' */
	size_t nr;
};

static int split_lines(const char *text, size_t size, struct lines *l)
{
	size_t cap = 0, i = 0;

	l->start = NULL;
	l->len = NULL;
	l->nr = 0;
	while (i < size) {
		const char *nl = memchr(text + i, '\n', size - i);
		size_t n = nl ? (size_t)(nl - (text + i)) : size - i;

		if (l->nr == cap) {
			const char **s;
			size_t *len;

			cap = cap * 2 + 64;
			s = realloc(l->start, cap * sizeof(*s));
			if (!s)
				return -ENOMEM;
			l->start = s;
			len = realloc(l->len, cap * sizeof(*len));
			if (!len)
				return -ENOMEM;
			l->len = len;
		}
		l->start[l->nr] = text + i;
		l->len[l->nr++] = n;
		i += n + 1;
	}
	return 0;
}

/* Do the hunk's old lines match the original at line index @at? */
static bool hunk_matches(const struct klp_diff_hunk *h, const struct lines *l,
			 size_t at)
{
	size_t i, k = at;

	for (i = 0; i < h->nr_lines; i++) {
		const char *s = h->lines[i];

		if (s[0] == '+')
			continue;
		if (k >= l->nr || l->len[k] != strlen(s + 1) ||
		    memcmp(l->start[k], s + 1, l->len[k]))
			return false;
		k++;
	}
	return true;
}

struct buf {
	char *p;
	size_t len, cap;
};

static int buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = (b->len + n + 1) * 2;
		char *p = realloc(b->p, cap);

		if (!p)
			return -ENOMEM;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

/* The changed ranges again, from the hunks as they applied. */
static int recompute_ranges(struct klp_diff_file *f)
{
	size_t i;
	int err = 0;

	free(f->old_ranges);
	free(f->new_ranges);
	f->old_ranges = f->new_ranges = NULL;
	f->nr_old_ranges = f->nr_new_ranges = 0;
	for (i = 0; i < f->nr_hunks && !err; i++)
		err = hunk_ranges(f, &f->hunks[i]);
	return err;
}

int klp_diff_file__apply(struct klp_diff_file *f, const char *orig,
			 size_t size, char **out, size_t *out_size)
{
	const char *path = f->new_path ? f->new_path : f->old_path;
	struct buf b = { 0 };
	struct lines l;
	size_t copied = 0, h_i, i;
	bool final_newline = size == 0 || orig[size - 1] == '\n';
	int err;

	*out = NULL;
	err = split_lines(orig, size, &l);
	if (err)
		goto out;
	for (h_i = 0; h_i < f->nr_hunks; h_i++) {
		struct klp_diff_hunk *h = &f->hunks[h_i];
		size_t want = h->old_start ? h->old_start - (h->old_count ? 1 : 0) : 0;
		size_t at = (size_t)-1, d;

		/* Nearest match at or around the hunk's line, not before
		 * what earlier hunks consumed, never past the end: a hunk
		 * with no old lines matches anywhere, and one that adds
		 * beyond the last line goes after it. */
		for (d = 0; d <= l.nr + 1 && at == (size_t)-1; d++) {
			if (want + d >= copied && want + d <= l.nr &&
			    hunk_matches(h, &l, want + d))
				at = want + d;
			else if (d && want >= d && want - d >= copied &&
				 want - d <= l.nr && hunk_matches(h, &l, want - d))
				at = want - d;
			if (want + d > l.nr && (want < d || want - d < copied))
				break;
		}
		if (at == (size_t)-1) {
			log_err("%s: error: hunk #%zu (@@ -%u,%u +%u,%u @@) does not apply to %s\n",
				path, h_i + 1, h->old_start, h->old_count,
				h->new_start, h->new_count, path);
			err = -EILSEQ;
			goto out;
		}
		/* Where it applied, against where its header said. */
		f->hunks[h_i].offset = (int)at - (int)want;
		for (; copied < at; copied++) {
			err = buf_add(&b, l.start[copied], l.len[copied]);
			if (!err)
				err = buf_add(&b, "\n", 1);
			if (err)
				goto out;
		}
		for (i = 0; i < h->nr_lines; i++) {
			const char *s = h->lines[i];

			if (s[0] == '-') {
				copied++;
				continue;
			}
			if (s[0] == ' ')
				copied++;
			err = buf_add(&b, s + 1, strlen(s + 1));
			if (!err)
				err = buf_add(&b, "\n", 1);
			if (err)
				goto out;
		}
		if (h_i == f->nr_hunks - 1 && copied >= l.nr)
			final_newline = !h->new_no_newline;
	}
	for (; copied < l.nr; copied++) {
		err = buf_add(&b, l.start[copied], l.len[copied]);
		if (!err)
			err = buf_add(&b, "\n", 1);
		if (err)
			goto out;
	}
	if (!final_newline && b.len && b.p[b.len - 1] == '\n')
		b.p[--b.len] = '\0';
	if (!b.p)
		err = buf_add(&b, "", 0);
	if (!err)
		err = recompute_ranges(f);
out:
	free(l.start);
	free(l.len);
	if (err) {
		free(b.p);
		return err;
	}
	*out = b.p;
	*out_size = b.len;
	return 0;
}
