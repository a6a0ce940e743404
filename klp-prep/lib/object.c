// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * object.c - read an ELF file's partition records and function symbols
 *
 * Works the same on every kind of ELF file the toolchain meets: the
 * section is non-allocated and needs no relocation, so its bytes are read
 * as they are; symbols come from .symtab, with extended section indexes
 * (vmlinux and large `ld -r` outputs have more than 0xff00 sections).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gelf.h>

#include "log.h"
#include "object_internal.h"

static bool elf_version_done;

/* The object's section names, indexed by section number. */
static int read_section_names(struct klp_objfile *obj)
{
	size_t shstrndx, i;
	Elf_Scn *scn = NULL;

	if (elf_getshdrnum(obj->elf, &obj->nr_sections) ||
	    elf_getshdrstrndx(obj->elf, &shstrndx)) {
		pr_err(obj->path, "cannot read the section headers: %s",
		       elf_errmsg(-1));
		return -ENOEXEC;
	}
	obj->section_names = calloc(obj->nr_sections ? obj->nr_sections : 1,
				    sizeof(*obj->section_names));
	if (!obj->section_names)
		return -ENOMEM;
	while ((scn = elf_nextscn(obj->elf, scn))) {
		GElf_Shdr shdr;
		const char *name;

		i = elf_ndxscn(scn);
		if (!gelf_getshdr(scn, &shdr) ||
		    !(name = elf_strptr(obj->elf, shstrndx, shdr.sh_name))) {
			pr_err(obj->path, "cannot read section %zu: %s", i,
			       elf_errmsg(-1));
			return -ENOEXEC;
		}
		if (i < obj->nr_sections)
			obj->section_names[i] = name;
	}
	/* elf_nextscn() stops quietly on a corrupt header table too. */
	if (elf_errno()) {
		pr_err(obj->path, "cannot read the section headers: %s",
		       elf_errmsg(-1));
		return -ENOEXEC;
	}
	return 0;
}

static int add_units(struct klp_objfile *obj, struct klp_unit **units,
		     size_t nr_units)
{
	struct klp_unit **all;

	all = realloc(obj->units, (obj->nr_units + nr_units) * sizeof(*all));
	if (!all)
		return -ENOMEM;
	memcpy(all + obj->nr_units, units, nr_units * sizeof(*units));
	obj->units = all;
	obj->nr_units += nr_units;
	return 0;
}

static int read_partition(struct klp_objfile *obj, Elf_Scn *scn,
			  const GElf_Shdr *shdr)
{
	struct klp_decode_error derr = { 0 };
	struct klp_unit **units;
	size_t nr_units;
	Elf_Data *data;
	int err;

	obj->has_records = true;
	if (shdr->sh_type == SHT_NOBITS) {
		pr_err(obj->path, "%s has no contents (SHT_NOBITS)",
		       KLP_PARTITION_SECTION_NAME);
		return -EBADMSG;
	}
	if (shdr->sh_flags & SHF_COMPRESSED) {
		pr_err(obj->path, "%s is compressed; decompress the file first (objcopy --decompress-debug-sections)",
		       KLP_PARTITION_SECTION_NAME);
		return -EBADMSG;
	}
	data = elf_rawdata(scn, NULL);
	if (!data && shdr->sh_size) {
		pr_err(obj->path, "cannot read %s: %s",
		       KLP_PARTITION_SECTION_NAME, elf_errmsg(-1));
		return -ENOEXEC;
	}
	err = klp_partition__decode(data && data->d_buf ? data->d_buf : "",
				    data && data->d_buf ? data->d_size : 0,
				    &units, &nr_units,
				    &derr);
	if (err == -ENODATA) {
		pr_err(obj->path, "%s: %s", KLP_PARTITION_SECTION_NAME,
		       derr.message);
		return -EBADMSG;
	}
	if (err == -EPROTONOSUPPORT) {
		pr_err(obj->path, "%s: block at 0x%zx: %s (rebuild with the plugin of this klp-prep, or update klp-prep)",
		       KLP_PARTITION_SECTION_NAME, derr.block, derr.message);
		return err;
	}
	if (err == -EBADMSG) {
		pr_err(obj->path, "%s: corrupt block at 0x%zx: at 0x%zx: %s (a damaged file, or not written by the klp_partition plugin: rebuild it)",
		       KLP_PARTITION_SECTION_NAME, derr.block, derr.offset,
		       derr.message);
		return err;
	}
	if (err)
		return err;
	err = add_units(obj, units, nr_units);
	if (err) {
		klp_units__free(units, nr_units);
		return err;
	}
	free(units);	/* the units themselves now belong to obj */
	return 0;
}

/* The format uses no relocations; a producer that adds some is not ours. */
static void warn_relocations(struct klp_objfile *obj, size_t partition)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(obj->elf, scn))) {
		GElf_Shdr shdr;

		if (!gelf_getshdr(scn, &shdr))
			continue;
		if ((shdr.sh_type == SHT_REL || shdr.sh_type == SHT_RELA) &&
		    shdr.sh_info == partition)
			pr_warn(obj->path, "%s has relocations (%s); the format uses none, they are ignored",
				KLP_PARTITION_SECTION_NAME,
				obj->section_names[elf_ndxscn(scn)]);
	}
}

static int read_sections(struct klp_objfile *obj)
{
	Elf_Scn *scn = NULL;
	int err;

	while ((scn = elf_nextscn(obj->elf, scn))) {
		size_t i = elf_ndxscn(scn);
		GElf_Shdr shdr;

		if (!gelf_getshdr(scn, &shdr))
			return -ENOEXEC;	/* read once already */
		if (shdr.sh_type == SHT_SYMTAB && !obj->symtab)
			obj->symtab = scn;
		else if (shdr.sh_type == SHT_SYMTAB_SHNDX && !obj->symtab_shndx)
			obj->symtab_shndx = scn;
		if (!obj->section_names[i] ||
		    strcmp(obj->section_names[i], KLP_PARTITION_SECTION_NAME))
			continue;
		if (shdr.sh_flags & SHF_ALLOC)
			pr_warn(obj->path, "%s is allocated (SHF_ALLOC); it should take no memory at run time",
				KLP_PARTITION_SECTION_NAME);
		err = read_partition(obj, scn, &shdr);
		if (err)
			return err;
		warn_relocations(obj, i);
	}
	return 0;
}

static int compare_by_name(const void *a, const void *b)
{
	const struct klp_symbol *x = *(const struct klp_symbol *const *)a;
	const struct klp_symbol *y = *(const struct klp_symbol *const *)b;
	int cmp = strcmp(x->name, y->name);

	if (cmp)
		return cmp;
	return x->sym_index < y->sym_index ? -1 : x->sym_index > y->sym_index;
}

static int index_symbols(struct klp_objfile *obj)
{
	size_t i;

	obj->by_name = calloc(obj->nr_symbols ? obj->nr_symbols : 1,
			      sizeof(*obj->by_name));
	obj->name_rank = calloc(obj->nr_symbols ? obj->nr_symbols : 1,
				sizeof(*obj->name_rank));
	if (!obj->by_name || !obj->name_rank)
		return -ENOMEM;
	for (i = 0; i < obj->nr_symbols; i++)
		obj->by_name[i] = &obj->symbols[i];
	qsort(obj->by_name, obj->nr_symbols, sizeof(*obj->by_name),
	      compare_by_name);
	for (i = 0; i < obj->nr_symbols; i++)
		obj->name_rank[obj->by_name[i] - obj->symbols] = i;
	return 0;
}

static int add_file(struct klp_objfile *obj, const char *name)
{
	const char **files;

	files = realloc(obj->files, (obj->nr_files + 2) * sizeof(*files));
	if (!files)
		return -ENOMEM;
	obj->files = files;
	obj->files[0] = NULL;		/* group 0: none */
	obj->files[++obj->nr_files] = name;
	return 0;
}

static int read_symbols(struct klp_objfile *obj)
{
	Elf_Data *data, *xdata = NULL;
	size_t nr, i, strndx, entsize;
	unsigned int file = 0;
	GElf_Shdr shdr;
	int err;

	if (!obj->symtab)
		return 0;
	obj->has_symtab = true;
	if (!gelf_getshdr(obj->symtab, &shdr) ||
	    !(data = elf_getdata(obj->symtab, NULL))) {
		pr_err(obj->path, "cannot read .symtab: %s", elf_errmsg(-1));
		return -ENOEXEC;
	}
	strndx = shdr.sh_link;
	if (obj->symtab_shndx &&
	    !(xdata = elf_getdata(obj->symtab_shndx, NULL))) {
		pr_err(obj->path, "cannot read .symtab_shndx: %s",
		       elf_errmsg(-1));
		return -ENOEXEC;
	}
	entsize = gelf_fsize(obj->elf, ELF_T_SYM, 1, EV_CURRENT);
	nr = entsize ? data->d_size / entsize : 0;
	obj->symbols = calloc(nr ? nr : 1, sizeof(*obj->symbols));
	if (!obj->symbols)
		return -ENOMEM;

	for (i = 1; i < nr; i++) {
		struct klp_symbol *sym;
		Elf32_Word xndx = 0;
		unsigned int shndx;
		const char *name;
		GElf_Sym gsym;

		if (!gelf_getsymshndx(data, xdata, i, &gsym, &xndx) ||
		    !(name = elf_strptr(obj->elf, strndx, gsym.st_name))) {
			pr_err(obj->path, "cannot read symbol %zu: %s", i,
			       elf_errmsg(-1));
			return -ENOEXEC;
		}
		if (GELF_ST_TYPE(gsym.st_info) == STT_FILE) {
			err = add_file(obj, name);
			if (err)
				return err;
			file = obj->nr_files;
			continue;
		}
		if (GELF_ST_TYPE(gsym.st_info) != STT_FUNC &&
		    GELF_ST_TYPE(gsym.st_info) != STT_GNU_IFUNC)
			continue;
		shndx = gsym.st_shndx == SHN_XINDEX ? xndx : gsym.st_shndx;
		if (shndx == SHN_UNDEF)
			continue;

		sym = &obj->symbols[obj->nr_symbols++];
		sym->name = name;
		sym->value = gsym.st_value;
		sym->size = gsym.st_size;
		sym->shndx = shndx;
		sym->section = shndx < obj->nr_sections &&
			       (gsym.st_shndx == SHN_XINDEX ||
				gsym.st_shndx < SHN_LORESERVE) ?
			       obj->section_names[shndx] : NULL;
		sym->sym_index = i;
		sym->type = GELF_ST_TYPE(gsym.st_info);
		sym->bind = GELF_ST_BIND(gsym.st_info);
		sym->visibility = GELF_ST_VISIBILITY(gsym.st_other);
		sym->file = sym->bind == STB_LOCAL ? file : 0;
	}
	return index_symbols(obj);
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/*
 * Does file group @file hold every local symbol unit @unit emitted (its
 * non-public bodies and every .cold part)?  *@need says how many that is.
 */
static bool group_holds(const struct klp_objfile *obj,
			const struct klp_unit *unit, unsigned int file,
			size_t *need)
{
	size_t k, n, hits = 0;

	*need = 0;
	for (k = 0; k < unit->nr_funcs; k++) {
		const struct klp_func_record *f = &unit->funcs[k];
		const char *names[2] = {
			(f->flags & KLP_FUNC_F_PUBLIC) ? NULL : f->symbol,
			f->cold_symbol,
		};

		if (!(f->flags & KLP_FUNC_F_EMITTED) ||
		    (f->flags & KLP_FUNC_F_ALIAS))
			continue;
		for (n = 0; n < 2; n++) {
			const struct klp_symbol *sym;

			if (!names[n])
				continue;
			(*need)++;
			klp_objfile__for_each_symbol_by_name(obj, names[n], sym) {
				if (sym->bind == STB_LOCAL && sym->file == file) {
					hits++;
					break;
				}
			}
		}
	}
	return hits == *need;
}

/*
 * How many groups of @base no unit owns yet (without local function
 * symbols, when @has_locals); the @rank-th of them in *@pick.
 */
static size_t free_groups_named(const struct klp_objfile *obj,
				const unsigned int *owner, const bool *has_locals,
				const char *base, size_t rank, unsigned int *pick)
{
	unsigned int file;
	size_t n = 0;

	for (file = 1; file <= obj->nr_files; file++) {
		if (owner[file] || (has_locals && has_locals[file]) ||
		    strcmp(obj->files[file], base))
			continue;
		if (n++ == rank)
			*pick = file;
	}
	return n;
}

/*
 * The one of the @nr candidate groups at @cands[@first] no unit owns yet;
 * 0 for none or several.  (An index, not cands + first: @cands is NULL
 * when no unit has a candidate.)
 */
static unsigned int one_free(const unsigned int *owner, const unsigned int *cands,
			     size_t first, size_t nr)
{
	unsigned int only = 0;
	size_t j;

	for (j = first; j < first + nr; j++) {
		if (owner[cands[j]])
			continue;
		if (only)
			return 0;
		only = cands[j];
	}
	return only;
}

/*
 * Tie each unit to the file group of its local symbols.  The assembler
 * names the STT_FILE symbol after the basename of the main input file,
 * the unit records the input file as given; basenames repeat (ftrace.c
 * is arch/x86/kernel/ftrace.c and kernel/trace/ftrace.c), and GNU ld need
 * not write the groups in link order: in a vmlinux, kernel/trace's group
 * came first.  So a group is tied by content, never by rank: a unit's
 * candidates are the groups of its basename holding every local symbol
 * it emitted (.cold parts included).  A unit left with one candidate
 * that no other unit is left with alone owns it, which takes it from the
 * others' candidates, until nothing changes; a unit whose symbols fit
 * several groups, or the same one as another unit, is left at 0: a wrong
 * group would pair it with another unit's statics.  A unit without local
 * symbols has nothing to tell apart: it takes the last group of its
 * basename when it is the last unit of it (a .o's one unit and group),
 * else one of the groups without local function symbols when there are
 * as many as such units (which of them does not matter: none holds a
 * static to look up).
 */
static int match_unit_files(struct klp_objfile *obj)
{
	size_t nr_units = obj->nr_units, nr_groups = obj->nr_files + 1;
	size_t i, j, need, nr_cands = 0, cap = 0, *first = NULL, *nr = NULL,
	       *need_of = NULL;
	unsigned int *cands = NULL, *owner = NULL, *claims = NULL, file;
	bool progress = true, *has_locals = NULL;
	int err = -ENOMEM;

	obj->unit_files = calloc(nr_units ? nr_units : 1,
				 sizeof(*obj->unit_files));
	first = calloc(nr_units ? nr_units : 1, sizeof(*first));
	nr = calloc(nr_units ? nr_units : 1, sizeof(*nr));
	owner = calloc(nr_groups, sizeof(*owner));	/* unit + 1 */
	claims = calloc(nr_groups, sizeof(*claims));
	need_of = calloc(nr_units ? nr_units : 1, sizeof(*need_of));
	has_locals = calloc(nr_groups, sizeof(*has_locals));
	if (!obj->unit_files || !first || !nr || !owner || !claims ||
	    !need_of || !has_locals)
		goto out;
	err = 0;
	if (!obj->nr_files)
		goto out;	/* no .symtab, or not read */
	err = -ENOMEM;
	for (i = 0; i < obj->nr_symbols; i++)
		if (obj->symbols[i].bind == STB_LOCAL)
			has_locals[obj->symbols[i].file] = true;

	/* Each unit's candidates, in cands[first[i] .. + nr[i]). */
	for (i = 0; i < nr_units; i++) {
		const struct klp_unit *unit = obj->units[i];
		const char *base;

		first[i] = nr_cands;
		if (!unit->source)
			continue;
		group_holds(obj, unit, 0, &need_of[i]);	/* only counts */
		if (!need_of[i])
			continue;
		base = base_name(unit->source);
		for (file = 1; file <= obj->nr_files; file++) {
			if (strcmp(obj->files[file], base) ||
			    !group_holds(obj, unit, file, &need))
				continue;
			if (nr_cands == cap) {
				unsigned int *more;

				cap = cap ? 2 * cap : 64;
				more = realloc(cands, cap * sizeof(*cands));
				if (!more)
					goto out;
				cands = more;
			}
			cands[nr_cands++] = file;
			nr[i]++;
		}
	}

	while (progress) {
		progress = false;
		/* claims[g]: the untied units left with g alone. */
		memset(claims, 0, nr_groups * sizeof(*claims));
		for (i = 0; i < nr_units; i++)
			if (!obj->unit_files[i])
				claims[one_free(owner, cands, first[i], nr[i])]++;
		for (i = 0; i < nr_units; i++) {
			unsigned int only;

			if (obj->unit_files[i])
				continue;
			only = one_free(owner, cands, first[i], nr[i]);
			if (!only || claims[only] != 1)
				continue;
			obj->unit_files[i] = only;
			owner[only] = (unsigned int)i + 1;
			progress = true;
		}
	}

	for (i = 0; i < nr_units; i++) {
		const char *source = obj->units[i]->source, *base;
		size_t nr_free_units = 0, nr_bare_units = 0, rank = 0;

		if (!source || obj->unit_files[i])
			continue;
		if (need_of[i]) {
			pr_debug(obj->path, "unit %s: its local symbols fit %zu STT_FILE groups named %s: left untied",
				 source, nr[i], base_name(source));
			continue;
		}
		base = base_name(source);
		for (j = 0; j < nr_units; j++) {
			const char *other = obj->units[j]->source;

			if (!other || obj->unit_files[j] ||
			    strcmp(base_name(other), base))
				continue;
			nr_free_units++;
			if (!need_of[j]) {
				rank += j < i;
				nr_bare_units++;
			}
		}
		file = 0;
		if (nr_free_units == 1 &&
		    free_groups_named(obj, owner, NULL, base, 0, &file) != 1)
			file = 0;
		if (!file &&
		    free_groups_named(obj, owner, has_locals, base, rank,
				      &file) != nr_bare_units)
			file = 0;
		if (file) {
			obj->unit_files[i] = file;
			owner[file] = (unsigned int)i + 1;
		}
	}
	err = 0;
out:
	free(first);
	free(nr);
	free(cands);
	free(owner);
	free(claims);
	free(need_of);
	free(has_locals);
	return err;
}

/*
 * libelf reads a truncated file's header happily and then finds no
 * sections, or fails later on one section's data: say "truncated" once,
 * up front, for every part that lies past the end of the file.
 */
static int check_extent(struct klp_objfile *obj, const GElf_Ehdr *ehdr)
{
	struct stat st;
	uint64_t file_size, end;
	Elf_Scn *scn = NULL;

	if (fstat(obj->fd, &st)) {
		int err = -errno;

		pr_err(obj->path, "cannot stat: %s", strerror(errno));
		return err;
	}
	file_size = st.st_size;
	end = ehdr->e_shoff + (uint64_t)ehdr->e_shnum * ehdr->e_shentsize;
	if (ehdr->e_shoff && (end > file_size || end < ehdr->e_shoff)) {
		pr_err(obj->path, "truncated ELF file: its section headers end at 0x%llx, the file at 0x%llx (an interrupted build or copy? rebuild it)",
		       (unsigned long long)end, (unsigned long long)file_size);
		return -ENOEXEC;
	}
	while ((scn = elf_nextscn(obj->elf, scn))) {
		GElf_Shdr shdr;

		if (!gelf_getshdr(scn, &shdr))
			break;		/* reported by read_section_names() */
		if (shdr.sh_type == SHT_NOBITS)
			continue;
		end = shdr.sh_offset + shdr.sh_size;
		if (end > file_size || end < shdr.sh_offset) {
			pr_err(obj->path, "truncated ELF file: section %zu ends at 0x%llx, the file at 0x%llx (an interrupted build or copy? rebuild it)",
			       elf_ndxscn(scn), (unsigned long long)end,
			       (unsigned long long)file_size);
			return -ENOEXEC;
		}
	}
	return 0;
}

static int open_elf(struct klp_objfile *obj)
{
	GElf_Ehdr ehdr;
	struct stat st;

	if (!elf_version_done) {
		if (elf_version(EV_CURRENT) == EV_NONE) {
			pr_err(obj->path, "libelf is out of date: %s",
			       elf_errmsg(-1));
			return -ENOTSUP;
		}
		elf_version_done = true;
	}
	obj->fd = open(obj->path, O_RDONLY | O_CLOEXEC);
	if (obj->fd < 0) {
		int err = -errno;

		pr_err(obj->path, "cannot open: %s", strerror(errno));
		return err;
	}
	if (fstat(obj->fd, &st)) {
		int err = -errno;

		pr_err(obj->path, "cannot stat: %s", strerror(errno));
		return err;
	}
	if (S_ISDIR(st.st_mode)) {
		pr_err(obj->path, "is a directory; pass the objects in it");
		return -EISDIR;
	}
	obj->elf = elf_begin(obj->fd, ELF_C_READ_MMAP, NULL);
	if (!obj->elf) {
		pr_err(obj->path, "cannot read as ELF: %s", elf_errmsg(-1));
		return -ENOEXEC;
	}
	if (elf_kind(obj->elf) == ELF_K_AR) {
		pr_err(obj->path, "is an archive; pass its members (ar x) or the file it was linked into");
		return -ENOEXEC;
	}
	if (elf_kind(obj->elf) != ELF_K_ELF) {
		char magic[SELFMAG];

		if (pread(obj->fd, magic, SELFMAG, 0) == SELFMAG &&
		    !memcmp(magic, ELFMAG, SELFMAG))
			pr_err(obj->path, "truncated ELF file: no complete ELF header (an interrupted build or copy? rebuild it)");
		else
			pr_err(obj->path, "not an ELF file (pass objects, ld -r outputs, modules or vmlinux)");
		return -ENOEXEC;
	}
	if (!gelf_getehdr(obj->elf, &ehdr)) {
		pr_err(obj->path, "corrupt or truncated ELF header: %s",
		       elf_errmsg(-1));
		return -ENOEXEC;
	}
	obj->elf_type = ehdr.e_type;
	return check_extent(obj, &ehdr);
}

struct klp_objfile *klp_objfile__open(const char *path, unsigned int flags)
{
	struct klp_objfile *obj;
	int err;

	obj = calloc(1, sizeof(*obj));
	if (!obj || !(obj->path = strdup(path))) {
		free(obj);
		errno = ENOMEM;
		return NULL;
	}
	obj->fd = -1;

	err = open_elf(obj);
	if (!err)
		err = read_section_names(obj);
	if (!err)
		err = read_sections(obj);
	obj->symbols_skipped = flags & KLP_OPEN_NO_SYMBOLS;
	if (!err && !obj->symbols_skipped)
		err = read_symbols(obj);
	if (!err)
		err = match_unit_files(obj);
	if (err) {
		if (err == -ENOMEM)
			pr_err(path, "out of memory");
		klp_objfile__free(obj);
		errno = -err;
		return NULL;
	}
	return obj;
}

void klp_objfile__free(struct klp_objfile *obj)
{
	if (!obj)
		return;
	klp_units__free(obj->units, obj->nr_units);
	free(obj->unit_files);
	free(obj->symbols);
	free(obj->by_name);
	free(obj->name_rank);
	free(obj->files);
	free(obj->section_names);
	if (obj->elf)
		elf_end(obj->elf);
	if (obj->fd >= 0)
		close(obj->fd);
	free(obj->path);
	free(obj);
}

const char *klp_objfile__path(const struct klp_objfile *obj)
{
	return obj->path;
}

unsigned int klp_objfile__elf_type(const struct klp_objfile *obj)
{
	return obj->elf_type;
}

bool klp_objfile__has_records(const struct klp_objfile *obj)
{
	return obj->has_records;
}

size_t klp_objfile__nr_units(const struct klp_objfile *obj)
{
	return obj->nr_units;
}

const struct klp_unit *klp_objfile__unit(const struct klp_objfile *obj, size_t i)
{
	return i < obj->nr_units ? obj->units[i] : NULL;
}

bool klp_objfile__has_symtab(const struct klp_objfile *obj)
{
	return obj->has_symtab;
}

size_t klp_objfile__nr_symbols(const struct klp_objfile *obj)
{
	return obj->nr_symbols;
}

const struct klp_symbol *klp_objfile__symbol(const struct klp_objfile *obj,
					    size_t i)
{
	return i < obj->nr_symbols ? &obj->symbols[i] : NULL;
}

const struct klp_symbol *
klp_objfile__find_symbol_by_name(const struct klp_objfile *obj, const char *name)
{
	size_t lo = 0, hi = obj->nr_symbols;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(obj->by_name[mid]->name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < obj->nr_symbols && !strcmp(obj->by_name[lo]->name, name))
		return obj->by_name[lo];
	return NULL;
}

const struct klp_symbol *
klp_objfile__next_symbol_by_name(const struct klp_objfile *obj,
				const struct klp_symbol *sym)
{
	size_t rank = obj->name_rank[sym - obj->symbols] + 1;

	if (rank < obj->nr_symbols &&
	    !strcmp(obj->by_name[rank]->name, sym->name))
		return obj->by_name[rank];
	return NULL;
}

size_t klp_objfile__nr_files(const struct klp_objfile *obj)
{
	return obj->nr_files;
}

const char *klp_objfile__file_name(const struct klp_objfile *obj,
				  unsigned int file)
{
	return file && file <= obj->nr_files ? obj->files[file] : NULL;
}

unsigned int klp_objfile__unit_file(const struct klp_objfile *obj, size_t i)
{
	return i < obj->nr_units ? obj->unit_files[i] : 0;
}

const struct klp_func_record *klp_unit__find_func(const struct klp_unit *unit,
					   const char *name)
{
	size_t i;

	for (i = 0; i < unit->nr_funcs; i++)
		if (!strcmp(unit->funcs[i].symbol, name))
			return &unit->funcs[i];
	return NULL;
}

const struct klp_func_record *
klp_unit__find_func_by_cold(const struct klp_unit *unit, const char *name)
{
	size_t i;

	for (i = 0; i < unit->nr_funcs; i++)
		if (unit->funcs[i].cold_symbol &&
		    !strcmp(unit->funcs[i].cold_symbol, name))
			return &unit->funcs[i];
	return NULL;
}
