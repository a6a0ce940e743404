// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * index.c - the records of a whole kernel build, read once (klp_prep/index.h)
 *
 * Index file layout (host byte order; the header says which):
 *
 *   "KLPIDX\n\0" u32 version u32 byte_order_mark u32 nr_objects
 *   object*:  str path, str name, u8 kind, u8 is_object_file,
 *             u64 mtime_ns, u64 size,
 *             u64 blob_size, blob (the units as section blocks),
 *             u32 nr_symbols, (str name, u64 value, i32 unit)*
 *   str := u32 length, bytes
 *
 * Units are kept as section blocks (klp_unit__encode) both in the file and
 * in memory, so an object read from ELF and one read from the index are
 * decoded by the same code into the same thing.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <klp_prep/index.h>
#include <klp_prep/object.h>

#include "array.h"
#include "log.h"

#define INDEX_MAGIC	"KLPIDX\n"
#define INDEX_VERSION	1
#define INDEX_BOM	0x01020304u

struct iobj {
	struct klp_index_object pub;
	char *path, *name;
	void *blob;
	size_t blob_size;
	char *strings;		/* symbol names, NUL-separated */
	size_t strings_size;
	size_t units_cap;
	bool seen;		/* found on disk this time */
	bool no_records;	/* an ELF file without the section */
};

struct klp_index {
	struct iobj *objs;
	size_t nr_objs, cap_objs;
	size_t *with_records;		/* indexes into objs */
	size_t nr_with_records;
	size_t nr_loaded;		/* entries the index file had */
	struct klp_index_stats stats;
};

char *klp_module_name(const char *ko_path)
{
	const char *base = strrchr(ko_path, '/');
	char *name, *p;
	size_t l;

	base = base ? base + 1 : ko_path;
	l = strlen(base);
	if (l > 3 && !strcmp(base + l - 3, ".ko"))
		l -= 3;
	name = strndup(base, l);
	if (!name)
		return NULL;
	for (p = name; *p; p++)
		if (*p == '-')
			*p = '_';
	return name;
}

static void iobj_clear(struct iobj *o)
{
	klp_units__free(o->pub.units, o->pub.nr_units);
	free(o->pub.symbols);
	free(o->path);
	free(o->name);
	free(o->blob);
	free(o->strings);
	memset(o, 0, sizeof(*o));
}

void klp_index__free(struct klp_index *ix)
{
	size_t i;

	if (!ix)
		return;
	for (i = 0; i < ix->nr_objs; i++)
		iobj_clear(&ix->objs[i]);
	free(ix->objs);
	free(ix->with_records);
	free(ix);
}

static uint32_t le32(const unsigned char *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* Does the string table hold @want, whole or as the end of a path? */
static bool strtab_has(const unsigned char *tab, size_t size,
		       const char *const *want)
{
	size_t l;

	for (; *want; want++) {
		const unsigned char *p = tab, *end = tab + size, *hit;

		l = strlen(*want);
		while (l && (hit = memmem(p, (size_t)(end - p), *want, l))) {
			if (hit + l < end && !hit[l] &&
			    (hit == tab || !hit[-1] || hit[-1] == '/'))
				return true;
			p = hit + 1;
		}
	}
	return false;
}

/*
 * Decode the blob into units (all, or those only_strings asks for);
 * symbols' unit indexes follow the units kept.
 */
static int iobj_finish(struct iobj *o, const char *const *only,
		       size_t *skipped)
{
	const unsigned char *b = o->blob;
	struct klp_decode_error err;
	size_t off = 0, cap = 0, total = 0, k, size = o->blob_size;
	int *map = NULL, ret = 0;

	o->pub.path = o->path;
	o->pub.name = o->name;
	while (off < size) {
		struct klp_unit *unit;
		uint32_t bsize, hsize, tsize;
		bool keep;

		while (off < size && !b[off])
			off++;		/* padding between blocks */
		if (off >= size)
			break;
		if (size - off < KLP_PARTITION_HEADER_SIZE ||
		    memcmp(b + off, KLP_PARTITION_MAGIC, KLP_PARTITION_MAGIC_SIZE)) {
			ret = -EBADMSG;
			break;
		}
		hsize = b[off + 6] | (uint32_t)b[off + 7] << 8;
		bsize = le32(b + off + 8);
		tsize = le32(b + off + 12);
		if (bsize > size - off || (uint64_t)hsize + tsize > bsize) {
			ret = -EBADMSG;
			break;
		}
		keep = !only || strtab_has(b + off + hsize, tsize, only);
		if (array_grow((void **)&map, &cap, total + 1, sizeof(*map))) {
			ret = -ENOMEM;
			break;
		}
		if (!keep) {
			map[total++] = -2;
			(*skipped)++;
			off += bsize;
			continue;
		}
		ret = klp_unit__decode(o->blob, size, &off, &unit, &err);
		if (ret || !unit) {
			if (!ret)
				ret = -EBADMSG;
			break;
		}
		k = o->pub.nr_units;
		if (array_grow((void **)&o->pub.units, &o->units_cap, k + 1,
			       sizeof(*o->pub.units))) {
			klp_unit__free(unit);
			ret = -ENOMEM;
			break;
		}
		o->pub.units[k] = unit;
		o->pub.nr_units++;
		map[total++] = (int)k;
	}
	if (ret) {
		klp_log(KLP_LOG_ERROR, "%s: error: index entry: %s\n", o->path,
			ret == -ENOMEM ? "out of memory" : "corrupt unit block");
		free(map);
		return ret;
	}
	for (k = 0; k < o->pub.nr_symbols; k++) {
		int u = o->pub.symbols[k].unit;

		if (u >= 0)
			o->pub.symbols[k].unit = (size_t)u < total ? map[u] : -1;
	}
	free(map);
	return 0;
}

/* ---- reading one ELF file ------------------------------------------------ */

/*
 * The unit of each file group, -1 for none: the library's tie
 * (klp_objfile__unit_file()), by the group's content, never by order.
 */
static int *group_units(const struct klp_objfile *obj)
{
	size_t nr_files = klp_objfile__nr_files(obj), u, g;
	int *unit_of = malloc((nr_files + 1) * sizeof(int));

	if (!unit_of)
		return NULL;
	for (g = 0; g <= nr_files; g++)
		unit_of[g] = -1;
	for (u = 0; u < klp_objfile__nr_units(obj); u++) {
		g = klp_objfile__unit_file(obj, u);
		if (g && g <= nr_files)
			unit_of[g] = (int)u;
	}
	return unit_of;
}

static int read_elf(struct iobj *o, const char *path)
{
	struct klp_objfile *obj;
	const struct klp_unit *unit;
	const struct klp_symbol *sym;
	size_t i, nr_syms, strsz = 0, pos = 0;
	int *unit_of = NULL, ret = 0;

	obj = klp_objfile__open(path, 0);
	if (!obj)
		return -errno;
	if (!klp_objfile__has_records(obj)) {
		klp_objfile__free(obj);
		return -ENODATA;
	}
	/* The units, as section blocks. */
	klp_objfile__for_each_unit(obj, i, unit) {
		void *data;
		size_t size;
		char *b;

		ret = klp_unit__encode(unit, &data, &size);
		if (ret) {
			klp_log(KLP_LOG_ERROR, "%s: error: unit %s: cannot re-encode: %s\n",
				path, unit->source, strerror(-ret));
			goto out;
		}
		b = realloc(o->blob, o->blob_size + size);
		if (!b) {
			free(data);
			ret = -ENOMEM;
			goto out;
		}
		memcpy(b + o->blob_size, data, size);
		free(data);
		o->blob = b;
		o->blob_size += size;
	}
	/* The function symbols, with the unit of each local one. */
	nr_syms = klp_objfile__nr_symbols(obj);
	unit_of = group_units(obj);
	if (!unit_of) {
		ret = -ENOMEM;
		goto out;
	}
	klp_objfile__for_each_symbol(obj, i, sym)
		strsz += strlen(sym->name) + 1;
	o->strings = malloc(strsz ? strsz : 1);
	o->pub.symbols = calloc(nr_syms ? nr_syms : 1, sizeof(*o->pub.symbols));
	if (!o->strings || !o->pub.symbols) {
		ret = -ENOMEM;
		goto out;
	}
	o->strings_size = strsz;
	klp_objfile__for_each_symbol(obj, i, sym) {
		struct klp_index_symbol *s = &o->pub.symbols[i];
		size_t l = strlen(sym->name) + 1;

		memcpy(o->strings + pos, sym->name, l);
		s->name = o->strings + pos;
		pos += l;
		s->value = sym->value;
		s->unit = sym->file && sym->file <= klp_objfile__nr_files(obj) &&
			  sym->bind == 0 /* STB_LOCAL */ ? unit_of[sym->file] : -1;
	}
	o->pub.nr_symbols = nr_syms;
out:
	free(unit_of);
	klp_objfile__free(obj);
	return ret;
}

/* ---- the index file ------------------------------------------------------ */

struct rbuf {
	const unsigned char *p, *end;
	bool bad;
};

static void rd(struct rbuf *b, void *out, size_t n)
{
	if (b->bad || (size_t)(b->end - b->p) < n) {
		b->bad = true;
		memset(out, 0, n);
		return;
	}
	memcpy(out, b->p, n);
	b->p += n;
}

static char *rd_str(struct rbuf *b)
{
	uint32_t l;
	char *s;

	rd(b, &l, sizeof(l));
	if (b->bad || (size_t)(b->end - b->p) < l) {
		b->bad = true;
		return NULL;
	}
	s = strndup((const char *)b->p, l);
	b->p += l;
	return s;
}

static int load_index(struct klp_index *ix, const char *file)
{
	unsigned char *data = NULL;
	struct rbuf b;
	struct stat st;
	char magic[8];
	uint32_t version, bom, nr, i;
	ssize_t n;
	size_t len = 0;
	int fd, ret = 0;

	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	if (fstat(fd, &st) || !(data = malloc((size_t)st.st_size + 1))) {
		close(fd);
		free(data);
		return -ENOMEM;
	}
	while (len < (size_t)st.st_size) {
		n = read(fd, data + len, (size_t)st.st_size - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	b = (struct rbuf){ data, data + len, false };
	rd(&b, magic, sizeof(magic));
	rd(&b, &version, sizeof(version));
	rd(&b, &bom, sizeof(bom));
	rd(&b, &nr, sizeof(nr));
	if (b.bad || memcmp(magic, INDEX_MAGIC, sizeof(magic)) ||
	    version != INDEX_VERSION || bom != INDEX_BOM) {
		klp_log(KLP_LOG_WARN, "%s: warning: not an index of this version: rebuilding it\n",
			file);
		free(data);
		return 0;
	}
	for (i = 0; i < nr && !b.bad; i++) {
		struct iobj o = { 0 };
		uint8_t kind, isobj;
		uint64_t blob_size;
		uint32_t nsym, k;
		size_t strsz = 0, pos = 0;
		const unsigned char *symstart;

		o.path = rd_str(&b);
		o.name = rd_str(&b);
		rd(&b, &kind, 1);
		rd(&b, &isobj, 1);
		o.no_records = isobj & 2;
		isobj &= 1;
		rd(&b, &o.pub.mtime_ns, 8);
		rd(&b, &o.pub.size, 8);
		rd(&b, &blob_size, 8);
		if (b.bad || (uint64_t)(b.end - b.p) < blob_size) {
			b.bad = true;
			iobj_clear(&o);
			break;
		}
		o.blob = malloc(blob_size ? blob_size : 1);
		if (!o.blob) {
			iobj_clear(&o);
			ret = -ENOMEM;
			break;
		}
		rd(&b, o.blob, blob_size);
		o.blob_size = blob_size;
		o.pub.kind = kind ? KLP_AFFECTED_MODULE : KLP_AFFECTED_VMLINUX;
		o.pub.is_object_file = isobj;
		rd(&b, &nsym, 4);
		/* Names first, in one block: measure, then copy. */
		symstart = b.p;
		for (k = 0; k < nsym && !b.bad; k++) {
			uint32_t l;

			rd(&b, &l, 4);
			if ((size_t)(b.end - b.p) < (size_t)l + 12) {
				b.bad = true;
				break;
			}
			b.p += l + 12;
			strsz += l + 1;
		}
		if (b.bad) {
			iobj_clear(&o);
			break;
		}
		b.p = symstart;
		o.strings = malloc(strsz ? strsz : 1);
		o.pub.symbols = calloc(nsym ? nsym : 1, sizeof(*o.pub.symbols));
		if (!o.strings || !o.pub.symbols) {
			iobj_clear(&o);
			ret = -ENOMEM;
			break;
		}
		for (k = 0; k < nsym; k++) {
			struct klp_index_symbol *s = &o.pub.symbols[k];
			uint32_t l;
			int32_t unit;

			rd(&b, &l, 4);
			memcpy(o.strings + pos, b.p, l);
			o.strings[pos + l] = 0;
			s->name = o.strings + pos;
			pos += l + 1;
			b.p += l;
			rd(&b, &s->value, 8);
			rd(&b, &unit, 4);
			s->unit = unit;
		}
		o.pub.nr_symbols = nsym;
		o.strings_size = strsz;
		if (b.bad || !o.path || !o.name ||
		    array_grow((void **)&ix->objs, &ix->cap_objs, ix->nr_objs + 1,
			       sizeof(*ix->objs))) {
			iobj_clear(&o);
			break;
		}
		ix->objs[ix->nr_objs++] = o;
	}
	ix->nr_loaded = ix->nr_objs;
	if (b.bad) {
		klp_log(KLP_LOG_WARN, "%s: warning: truncated or corrupt index: rebuilding it\n",
			file);
		for (i = 0; i < ix->nr_objs; i++)
			iobj_clear(&ix->objs[i]);
		ix->nr_objs = 0;
		ix->nr_loaded = 0;
	}
	free(data);
	return ret;
}

static int wr(FILE *f, const void *p, size_t n)
{
	return fwrite(p, 1, n, f) == n ? 0 : -EIO;
}

static int wr_str(FILE *f, const char *s)
{
	uint32_t l = (uint32_t)strlen(s);

	return wr(f, &l, 4) ?: wr(f, s, l);
}

static int save_index(const struct klp_index *ix, const char *file)
{
	char *tmp, *dir, *slash;
	uint32_t version = INDEX_VERSION, bom = INDEX_BOM, nr = 0;
	size_t i, k;
	FILE *f;
	int ret = 0;

	dir = strdup(file);
	if (!dir)
		return -ENOMEM;
	slash = strrchr(dir, '/');
	if (slash) {
		*slash = 0;
		if (*dir)
			mkdir(dir, 0755);
	}
	free(dir);
	if (asprintf(&tmp, "%s.tmp.%d", file, (int)getpid()) < 0)
		return -ENOMEM;
	f = fopen(tmp, "wbe");
	if (!f) {
		ret = -errno;
		klp_log(KLP_LOG_WARN, "%s: warning: cannot write the index: %s\n",
			tmp, strerror(errno));
		free(tmp);
		return ret;
	}
	for (i = 0; i < ix->nr_objs; i++)
		nr += ix->objs[i].seen;
	ret = wr(f, INDEX_MAGIC, 8) ?: wr(f, &version, 4) ?: wr(f, &bom, 4) ?:
	      wr(f, &nr, 4);
	for (i = 0; !ret && i < ix->nr_objs; i++) {
		const struct iobj *o = &ix->objs[i];
		uint8_t kind = o->pub.kind == KLP_AFFECTED_MODULE;
		uint8_t isobj = o->pub.is_object_file | (o->no_records ? 2 : 0);
		uint64_t bs = o->blob_size;
		uint32_t nsym = (uint32_t)o->pub.nr_symbols;

		if (!o->seen)
			continue;
		ret = wr_str(f, o->path) ?: wr_str(f, o->name) ?: wr(f, &kind, 1) ?:
		      wr(f, &isobj, 1) ?: wr(f, &o->pub.mtime_ns, 8) ?:
		      wr(f, &o->pub.size, 8) ?: wr(f, &bs, 8) ?:
		      wr(f, o->blob, o->blob_size) ?: wr(f, &nsym, 4);
		for (k = 0; !ret && k < o->pub.nr_symbols; k++) {
			const struct klp_index_symbol *s = &o->pub.symbols[k];
			int32_t unit = s->unit;

			ret = wr_str(f, s->name) ?: wr(f, &s->value, 8) ?:
			      wr(f, &unit, 4);
		}
	}
	if (fclose(f) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, file))
		ret = -errno;
	if (ret) {
		klp_log(KLP_LOG_WARN, "%s: warning: cannot write the index: %s\n",
			file, strerror(-ret));
		unlink(tmp);
	}
	free(tmp);
	return ret;
}

/* ---- finding objects ----------------------------------------------------- */

struct found {
	char **paths;
	size_t nr, cap;
	char **mods;			/* kbuild's MODULE.mod files */
	size_t nr_mods, cap_mods;
	bool objects;
	size_t root_len;
};

static struct found *walk_found;

static bool ends_with(const char *s, const char *suffix)
{
	size_t l = strlen(s), ls = strlen(suffix);

	return l >= ls && !strcmp(s + l - ls, suffix);
}

static int walk_one(const char *path, const struct stat *st, int type,
		    struct FTW *ftw)
{
	const char *base = path + ftw->base;
	const char *rel = path + walk_found->root_len;
	bool want;

	(void)st;
	if (type == FTW_D && (!strcmp(base, ".git") || !strcmp(base, ".klp-prep")))
		return FTW_SKIP_SUBTREE;
	if (type != FTW_F)
		return FTW_CONTINUE;
	while (*rel == '/')
		rel++;
	want = ends_with(base, ".ko") || !strcmp(rel, "vmlinux");
	if (walk_found->objects && ends_with(base, ".mod")) {
		if (array_grow((void **)&walk_found->mods, &walk_found->cap_mods,
			       walk_found->nr_mods + 1, sizeof(char *)))
			return FTW_STOP;
		walk_found->mods[walk_found->nr_mods] = strdup(path);
		if (!walk_found->mods[walk_found->nr_mods])
			return FTW_STOP;
		walk_found->nr_mods++;
		return FTW_CONTINUE;
	}
	if (!want && walk_found->objects && ends_with(base, ".o") &&
	    !ends_with(base, ".mod.o") && strncmp(base, ".tmp", 4) &&
	    strcmp(rel, "vmlinux.o"))
		want = true;
	if (!want)
		return FTW_CONTINUE;
	if (array_grow((void **)&walk_found->paths, &walk_found->cap,
		       walk_found->nr + 1, sizeof(char *)))
		return FTW_STOP;
	walk_found->paths[walk_found->nr] = strdup(path);
	if (!walk_found->paths[walk_found->nr])
		return FTW_STOP;
	walk_found->nr++;
	return FTW_CONTINUE;
}

/*
 * Which module each object file went into: kbuild writes MODULE.mod with
 * the module's object files, one path (relative to the build directory)
 * per line.  Object files in none of them went into vmlinux.  Returns a
 * malloc'd array of (object path, module name) pairs, NULL-terminated.
 */
static char **read_membership(char **mods, size_t nr_mods, size_t root_len)
{
	char **pairs = NULL, *line = NULL;
	size_t nr = 0, cap = 0, lcap = 0, i;

	for (i = 0; i < nr_mods; i++) {
		const char *rel = mods[i] + root_len;
		char *modname, *base;
		FILE *f;
		ssize_t n;

		while (*rel == '/')
			rel++;
		base = strndup(rel, strlen(rel) - 4);	/* drop ".mod" */
		modname = base ? klp_module_name(base) : NULL;
		free(base);
		f = fopen(mods[i], "re");
		if (!f || !modname) {
			free(modname);
			if (f)
				fclose(f);
			continue;
		}
		while ((n = getline(&line, &lcap, f)) > 0) {
			while (n && (line[n - 1] == '\n' || line[n - 1] == ' '))
				line[--n] = 0;
			if (!n)
				continue;
			if (array_grow((void **)&pairs, &cap, nr + 3, sizeof(char *)))
				break;
			pairs[nr] = strdup(line);
			pairs[nr + 1] = strdup(modname);
			nr += 2;
			pairs[nr] = NULL;
		}
		fclose(f);
		free(modname);
	}
	free(line);
	return pairs;
}

static int name_object_files(struct klp_index *ix, char **membership)
{
	size_t i, k;

	for (i = 0; i < ix->nr_objs; i++) {
		struct iobj *o = &ix->objs[i];
		const char *name = "vmlinux";

		if (!o->pub.is_object_file)
			continue;
		for (k = 0; membership && membership[k]; k += 2)
			if (membership[k + 1] && !strcmp(membership[k], o->path))
				name = membership[k + 1];
		free(o->name);
		o->name = strdup(name);
		if (!o->name)
			return -ENOMEM;
		o->pub.kind = strcmp(name, "vmlinux") ? KLP_AFFECTED_MODULE :
							KLP_AFFECTED_VMLINUX;
	}
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static struct iobj *find_cached(struct klp_index *ix, const char *path)
{
	size_t i;

	for (i = 0; i < ix->nr_objs; i++)
		if (!strcmp(ix->objs[i].path, path))
			return &ix->objs[i];
	return NULL;
}

static void progress(size_t n, size_t total, const char *path)
{
	struct klp_progress p = {
		.step = "reading records", .item = path, .done = n, .total = total,
	};

	klp_report_progress(&p);
}

/*
 * Bring the entry for @path up to date: keep the cached one if mtime and
 * size match, else read the ELF file.  Returns 0, -ENODATA for a file
 * without records, -errno.
 */
static int refresh(struct klp_index *ix, const char *path, const char *rel,
		   bool is_object_file)
{
	struct stat st;
	struct iobj *o, fresh = { 0 };
	uint64_t mtime;
	int ret;

	if (stat(path, &st)) {
		ret = -errno;
		klp_log(KLP_LOG_ERROR, "%s: error: %s\n", path, strerror(errno));
		return ret;
	}
	mtime = (uint64_t)st.st_mtim.tv_sec * 1000000000ull + st.st_mtim.tv_nsec;
	o = find_cached(ix, rel);
	if (o && o->pub.mtime_ns == mtime && o->pub.size == (uint64_t)st.st_size) {
		o->seen = true;
		ix->stats.cached++;
		return o->no_records ? -ENODATA : 0;
	}
	ret = read_elf(&fresh, path);
	ix->stats.read++;
	if (ret == -ENODATA) {
		/* Remembered too, so that it is not opened again next time. */
		iobj_clear(&fresh);
		fresh.no_records = true;
	} else if (ret) {
		iobj_clear(&fresh);
		if (o)
			o->seen = false;
		return ret;
	}
	fresh.path = strdup(rel);
	if (is_object_file)
		fresh.name = strdup(rel);
	else if (ends_with(rel, ".ko"))
		fresh.name = klp_module_name(rel);
	else
		fresh.name = strdup("vmlinux");
	if (!fresh.path || !fresh.name) {
		iobj_clear(&fresh);
		return -ENOMEM;
	}
	fresh.pub.kind = ends_with(rel, ".ko") ? KLP_AFFECTED_MODULE :
						 KLP_AFFECTED_VMLINUX;
	fresh.pub.is_object_file = is_object_file;
	fresh.pub.mtime_ns = mtime;
	fresh.pub.size = (uint64_t)st.st_size;
	fresh.seen = true;
	ret = fresh.no_records ? -ENODATA : 0;
	if (o) {
		iobj_clear(o);
		*o = fresh;
		return ret;
	}
	if (array_grow((void **)&ix->objs, &ix->cap_objs, ix->nr_objs + 1,
		       sizeof(*ix->objs))) {
		iobj_clear(&fresh);
		return -ENOMEM;
	}
	ix->objs[ix->nr_objs++] = fresh;
	return ret;
}

/* Drop entries not found this time. */
static void drop_unseen(struct klp_index *ix)
{
	size_t i, j = 0;

	for (i = 0; i < ix->nr_objs; i++) {
		if (!ix->objs[i].seen) {
			iobj_clear(&ix->objs[i]);
			continue;
		}
		ix->objs[j++] = ix->objs[i];
	}
	ix->nr_objs = j;
}

/* Decode the units of every entry with records. */
static int settle(struct klp_index *ix, const char *const *only)
{
	size_t i;
	int ret;

	ix->with_records = calloc(ix->nr_objs + 1, sizeof(size_t));
	if (!ix->with_records)
		return -ENOMEM;
	for (i = 0; i < ix->nr_objs; i++) {
		if (ix->objs[i].no_records)
			continue;
		ret = iobj_finish(&ix->objs[i], only, &ix->stats.units_skipped);
		if (ret)
			return ret;
		ix->stats.units += ix->objs[i].pub.nr_units;
		ix->with_records[ix->nr_with_records++] = i;
	}
	ix->stats.objects = ix->nr_with_records;
	return 0;
}

static int open_common(const char *root, char **paths, size_t nr,
		       char **membership,
		       const struct klp_index_options *opts, const char *cache,
		       struct klp_index **out)
{
	struct klp_index *ix;
	size_t i, rl = root ? strlen(root) : 0;
	int ret = 0;

	ix = calloc(1, sizeof(*ix));
	if (!ix)
		return -ENOMEM;
	if (cache && *cache) {
		ret = load_index(ix, cache);
		if (ret)
			goto fail;
	}
	for (i = 0; i < nr; i++) {
		const char *rel = paths[i];

		if (rl && !strncmp(rel, root, rl)) {
			rel += rl;
			while (*rel == '/')
				rel++;
		}
		progress(i + 1, nr, rel);
		ret = refresh(ix, paths[i], rel, ends_with(rel, ".o"));
		if (ret == -ENODATA) {
			ix->stats.without_records++;
			ret = 0;
			continue;
		}
		if (ret)
			break;
	}
	progress(0, nr, NULL);
	if (ret)
		goto fail;
	drop_unseen(ix);
	ret = name_object_files(ix, membership);
	if (ret)
		goto fail;
	/* Write back when anything was read, or an entry went away. */
	if (cache && *cache &&
	    (ix->stats.read || ix->nr_loaded != ix->stats.cached)) {
		if (!save_index(ix, cache))
			ix->stats.written = true;
	}
	ret = settle(ix, opts ? opts->only_strings : NULL);
	if (ret)
		goto fail;
	*out = ix;
	return 0;
fail:
	klp_index__free(ix);
	return ret;
}

int klp_index__open_dir(const char *dir, const struct klp_index_options *opts,
			struct klp_index **out)
{
	struct found found = { 0 };
	char **membership = NULL;
	char *cache = NULL;
	struct stat st;
	size_t i;
	int ret;

	*out = NULL;
	if (stat(dir, &st) || !S_ISDIR(st.st_mode)) {
		ret = errno ? -errno : -ENOTDIR;
		klp_log(KLP_LOG_ERROR, "%s: error: not a directory\n", dir);
		return ret ? ret : -ENOTDIR;
	}
	found.objects = opts && opts->objects;
	found.root_len = strlen(dir);
	walk_found = &found;
	ret = nftw(dir, walk_one, 32, FTW_PHYS | FTW_ACTIONRETVAL);
	walk_found = NULL;
	if (ret) {
		ret = ret < 0 ? -errno : -ENOMEM;
		klp_log(KLP_LOG_ERROR, "%s: error: cannot walk: %s\n", dir,
			strerror(-ret));
		goto out;
	}
	/* vmlinux first, then modules and objects in name order: stable output. */
	qsort(found.paths, found.nr, sizeof(char *), cmp_str);
	for (i = 0; i < found.nr; i++) {
		const char *rel = found.paths[i] + found.root_len;

		while (*rel == '/')
			rel++;
		if (!strcmp(rel, "vmlinux") && i) {
			char *v = found.paths[i];

			memmove(&found.paths[1], &found.paths[0], i * sizeof(char *));
			found.paths[0] = v;
		}
	}
	if (!opts || !opts->cache) {
		if (asprintf(&cache, "%s/.klp-prep/affected.idx", dir) < 0) {
			ret = -ENOMEM;
			goto out;
		}
	} else {
		cache = strdup(opts->cache);
		if (!cache) {
			ret = -ENOMEM;
			goto out;
		}
	}
	membership = read_membership(found.mods, found.nr_mods, found.root_len);
	ret = open_common(dir, found.paths, found.nr, membership, opts, cache, out);
out:
	for (i = 0; membership && membership[i]; i++)
		free(membership[i]);
	free(membership);
	for (i = 0; i < found.nr; i++)
		free(found.paths[i]);
	free(found.paths);
	for (i = 0; i < found.nr_mods; i++)
		free(found.mods[i]);
	free(found.mods);
	free(cache);
	return ret;
}

int klp_index__open_files(const char *const *paths, size_t nr,
			  const struct klp_index_options *opts,
			  struct klp_index **out)
{
	*out = NULL;
	return open_common(NULL, (char **)paths, nr, NULL, opts, NULL, out);
}

size_t klp_index__nr_objects(const struct klp_index *ix)
{
	return ix ? ix->nr_with_records : 0;
}

const struct klp_index_object *klp_index__object(const struct klp_index *ix,
						 size_t i)
{
	return ix && i < ix->nr_with_records ?
	       &ix->objs[ix->with_records[i]].pub : NULL;
}

/*
 * With object files, a composite object (`foo-y := a.o b.o` makes foo.o
 * by `ld -r`) repeats its members' units: skip one whose units all come
 * in single-unit object files too.
 */
static bool is_repeat(const struct klp_index *ix, const struct klp_index_object *o)
{
	size_t u, i;

	if (!o->is_object_file || o->nr_units < 2)
		return false;
	for (u = 0; u < o->nr_units; u++) {
		bool found = false;

		for (i = 0; i < klp_index__nr_objects(ix) && !found; i++) {
			const struct klp_index_object *p = klp_index__object(ix, i);

			found = p->is_object_file && p->nr_units == 1 &&
				p->units[0]->source && o->units[u]->source &&
				!strcmp(p->units[0]->source, o->units[u]->source);
		}
		if (!found)
			return false;
	}
	return true;
}

const struct klp_index_stats *klp_index__stats(const struct klp_index *ix)
{
	return ix ? &ix->stats : NULL;
}

/*
 * Object files that went into one linked object (vmlinux, or a module by
 * its .mod file) become one object of the closure, their units in name
 * order: old_sympos can then only be estimated, and says so.
 */
static int add_object_files(const struct klp_index *ix, struct klp_affected *a)
{
	size_t n = klp_index__nr_objects(ix), i, j, k, nr;
	const struct klp_unit **units = NULL;
	unsigned char *skip;
	int ret = 0;

	skip = calloc(n + 1, 1);
	if (!skip)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		const struct klp_index_object *o = klp_index__object(ix, i);

		skip[i] = !o->is_object_file || is_repeat(ix, o);
	}
	for (i = 0; i < n; i++) {
		const struct klp_index_object *o = klp_index__object(ix, i);

		if (skip[i])
			continue;
		nr = 0;
		for (j = i; j < n; j++)
			if (!skip[j] && !strcmp(klp_index__object(ix, j)->name, o->name))
				nr += klp_index__object(ix, j)->nr_units;
		units = calloc(nr + 1, sizeof(*units));
		if (!units) {
			ret = -ENOMEM;
			break;
		}
		nr = 0;
		for (j = i; j < n; j++) {
			const struct klp_index_object *p = klp_index__object(ix, j);

			if (skip[j] || strcmp(p->name, o->name))
				continue;
			for (k = 0; k < p->nr_units; k++)
				units[nr++] = p->units[k];
			if (j > i)
				skip[j] = 1;	/* taken into this group */
		}
		ret = klp_affected__add_object(a, o->name, o->kind,
					       KLP_AFFECTED_FROM_PLUGIN, units, nr);
		free(units);
		if (ret < 0)
			break;
		ret = 0;
	}
	free(skip);
	return ret;
}

int klp_index__add_to(const struct klp_index *ix, struct klp_affected *a)
{
	size_t i, k;
	int obj, ret;

	ret = add_object_files(ix, a);
	if (ret)
		return ret;
	for (i = 0; i < klp_index__nr_objects(ix); i++) {
		const struct klp_index_object *o = klp_index__object(ix, i);

		if (o->is_object_file)
			continue;
		obj = klp_affected__add_object(a, o->name, o->kind,
					       KLP_AFFECTED_FROM_PLUGIN,
					       (const struct klp_unit *const *)o->units,
					       o->nr_units);
		if (obj < 0)
			return obj;
		for (k = 0; k < o->nr_symbols; k++) {
			const struct klp_index_symbol *s = &o->symbols[k];

			ret = klp_affected__add_symbol(a, obj, s->name, s->value,
						       s->unit < (int)o->nr_units ?
						       s->unit : -1);
			if (ret)
				return ret;
		}
	}
	return 0;
}
