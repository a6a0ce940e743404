// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * elf.c - the library's one ELF reader (see klp_prep/elf.h)
 *
 * Reads the section headers and the whole .symtab once, at open, with
 * extended section indexes (vmlinux and large `ld -r` outputs have more
 * than 0xff00 sections); relocations and section bytes are read when
 * asked.  A file opened read-write stays open for the writer's own
 * libelf calls until klp_elf__close().
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gelf.h>

#include <klp_prep/elf.h>

#include "log.h"

struct klp_elf {
	char *path;
	int fd;
	Elf *elf;
	unsigned int type, machine, class;

	size_t nr_sections;
	struct klp_section *sections;	/* by index; names in elf's data */
	Elf_Scn **scns;			/* by index */
	Elf_Scn *symtab_shndx;
	unsigned int symtab_index;

	bool has_symtab;
	struct klp_symbol *symbols;	/* by .symtab index, [0] the null one */
	size_t nr_symbols;
	struct klp_symbol **by_name;	/* [1..] sorted by name, then index */
	size_t *name_rank;		/* by symbol: its place in by_name */
	const char **files;		/* STT_FILE names; [0] unused */
	size_t nr_files;
};

static bool elf_version_done;

/*
 * libelf reads a truncated file's header happily and then finds no
 * sections, or fails later on one section's data: say "truncated" once,
 * up front, for every part that lies past the end of the file.
 */
static int check_extent(struct klp_elf *e, const GElf_Ehdr *ehdr)
{
	struct stat st;
	uint64_t file_size, end;
	Elf_Scn *scn = NULL;

	if (fstat(e->fd, &st)) {
		int err = -errno;

		pr_err(e->path, "cannot stat: %s", strerror(errno));
		return err;
	}
	file_size = st.st_size;
	end = ehdr->e_shoff + (uint64_t)ehdr->e_shnum * ehdr->e_shentsize;
	if (ehdr->e_shoff && (end > file_size || end < ehdr->e_shoff)) {
		pr_err(e->path, "truncated ELF file: its section headers end at 0x%llx, the file at 0x%llx (an interrupted build or copy? rebuild it)",
		       (unsigned long long)end, (unsigned long long)file_size);
		return -ENOEXEC;
	}
	while ((scn = elf_nextscn(e->elf, scn))) {
		GElf_Shdr shdr;

		if (!gelf_getshdr(scn, &shdr))
			break;		/* reported by read_sections() */
		if (shdr.sh_type == SHT_NOBITS)
			continue;
		end = shdr.sh_offset + shdr.sh_size;
		if (end > file_size || end < shdr.sh_offset) {
			pr_err(e->path, "truncated ELF file: section %zu ends at 0x%llx, the file at 0x%llx (an interrupted build or copy? rebuild it)",
			       elf_ndxscn(scn), (unsigned long long)end,
			       (unsigned long long)file_size);
			return -ENOEXEC;
		}
	}
	return 0;
}

static int begin(struct klp_elf *e, bool rdwr)
{
	GElf_Ehdr ehdr;
	struct stat st;

	if (!elf_version_done) {
		if (elf_version(EV_CURRENT) == EV_NONE) {
			pr_err(e->path, "libelf is out of date: %s",
			       elf_errmsg(-1));
			return -ENOTSUP;
		}
		elf_version_done = true;
	}
	e->fd = open(e->path, (rdwr ? O_RDWR : O_RDONLY) | O_CLOEXEC);
	if (e->fd < 0) {
		int err = -errno;

		pr_err(e->path, "cannot open: %s", strerror(errno));
		return err;
	}
	if (fstat(e->fd, &st)) {
		int err = -errno;

		pr_err(e->path, "cannot stat: %s", strerror(errno));
		return err;
	}
	if (S_ISDIR(st.st_mode)) {
		pr_err(e->path, "is a directory; pass the objects in it");
		return -EISDIR;
	}
	e->elf = elf_begin(e->fd, rdwr ? ELF_C_RDWR : ELF_C_READ_MMAP, NULL);
	if (!e->elf) {
		pr_err(e->path, "cannot read as ELF: %s", elf_errmsg(-1));
		return -ENOEXEC;
	}
	if (elf_kind(e->elf) == ELF_K_AR) {
		pr_err(e->path, "is an archive; pass its members (ar x) or the file it was linked into");
		return -ENOEXEC;
	}
	if (elf_kind(e->elf) != ELF_K_ELF) {
		char magic[SELFMAG];

		if (pread(e->fd, magic, SELFMAG, 0) == SELFMAG &&
		    !memcmp(magic, ELFMAG, SELFMAG))
			pr_err(e->path, "truncated ELF file: no complete ELF header (an interrupted build or copy? rebuild it)");
		else
			pr_err(e->path, "not an ELF file (pass objects, ld -r outputs, modules or vmlinux)");
		return -ENOEXEC;
	}
	if (!gelf_getehdr(e->elf, &ehdr)) {
		pr_err(e->path, "corrupt or truncated ELF header: %s",
		       elf_errmsg(-1));
		return -ENOEXEC;
	}
	e->type = ehdr.e_type;
	e->machine = ehdr.e_machine;
	e->class = gelf_getclass(e->elf);
	return check_extent(e, &ehdr);
}

static int read_sections(struct klp_elf *e)
{
	size_t shstrndx, i;
	Elf_Scn *scn = NULL;

	(void)elf_errno();	/* an earlier file's, not ours */
	if (elf_getshdrnum(e->elf, &e->nr_sections) ||
	    elf_getshdrstrndx(e->elf, &shstrndx)) {
		pr_err(e->path, "cannot read the section headers: %s",
		       elf_errmsg(-1));
		return -ENOEXEC;
	}
	e->sections = calloc(e->nr_sections ? e->nr_sections : 1,
			     sizeof(*e->sections));
	e->scns = calloc(e->nr_sections ? e->nr_sections : 1,
			 sizeof(*e->scns));
	if (!e->sections || !e->scns)
		return -ENOMEM;
	while ((scn = elf_nextscn(e->elf, scn))) {
		struct klp_section *sec;
		GElf_Shdr shdr;
		const char *name;

		i = elf_ndxscn(scn);
		if (!gelf_getshdr(scn, &shdr) ||
		    !(name = elf_strptr(e->elf, shstrndx, shdr.sh_name))) {
			pr_err(e->path, "cannot read section %zu: %s", i,
			       elf_errmsg(-1));
			return -ENOEXEC;
		}
		if (i >= e->nr_sections)
			continue;
		sec = &e->sections[i];
		*sec = (struct klp_section){
			.name = name, .index = (unsigned int)i,
			.type = shdr.sh_type, .flags = shdr.sh_flags,
			.addr = shdr.sh_addr, .offset = shdr.sh_offset,
			.size = shdr.sh_size, .link = shdr.sh_link,
			.info = shdr.sh_info, .entsize = shdr.sh_entsize,
		};
		e->scns[i] = scn;
		if (shdr.sh_type == SHT_SYMTAB && !e->symtab_index)
			e->symtab_index = (unsigned int)i;
		else if (shdr.sh_type == SHT_SYMTAB_SHNDX && !e->symtab_shndx)
			e->symtab_shndx = scn;
	}
	/* elf_nextscn() stops quietly on a corrupt header table too. */
	if (elf_errno()) {
		pr_err(e->path, "cannot read the section headers: %s",
		       elf_errmsg(-1));
		return -ENOEXEC;
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

static int index_symbols(struct klp_elf *e)
{
	size_t i;

	e->by_name = calloc(e->nr_symbols, sizeof(*e->by_name));
	e->name_rank = calloc(e->nr_symbols, sizeof(*e->name_rank));
	if (!e->by_name || !e->name_rank)
		return -ENOMEM;
	/* by_name[0] stays the null symbol, out of every search. */
	for (i = 0; i < e->nr_symbols; i++)
		e->by_name[i] = &e->symbols[i];
	qsort(e->by_name + 1, e->nr_symbols - 1, sizeof(*e->by_name),
	      compare_by_name);
	for (i = 0; i < e->nr_symbols; i++)
		e->name_rank[e->by_name[i] - e->symbols] = i;
	return 0;
}

static int add_file(struct klp_elf *e, const char *name)
{
	const char **files;

	files = realloc(e->files, (e->nr_files + 2) * sizeof(*files));
	if (!files)
		return -ENOMEM;
	e->files = files;
	e->files[0] = NULL;		/* group 0: none */
	e->files[++e->nr_files] = name;
	return 0;
}

static int read_symbols(struct klp_elf *e)
{
	const struct klp_section *symtab = &e->sections[e->symtab_index];
	Elf_Data *data, *xdata = NULL;
	size_t nr, i, entsize;
	unsigned int file = 0;
	int err;

	if (!e->symtab_index)
		return 0;
	e->has_symtab = true;
	if (!(data = elf_getdata(e->scns[e->symtab_index], NULL))) {
		pr_err(e->path, "cannot read .symtab: %s", elf_errmsg(-1));
		return -ENOEXEC;
	}
	if (e->symtab_shndx &&
	    !(xdata = elf_getdata(e->symtab_shndx, NULL))) {
		pr_err(e->path, "cannot read .symtab_shndx: %s",
		       elf_errmsg(-1));
		return -ENOEXEC;
	}
	entsize = gelf_fsize(e->elf, ELF_T_SYM, 1, EV_CURRENT);
	nr = entsize ? data->d_size / entsize : 0;
	e->symbols = calloc(nr ? nr : 1, sizeof(*e->symbols));
	if (!e->symbols)
		return -ENOMEM;
	e->symbols[0].name = "";
	e->nr_symbols = nr ? nr : 1;

	for (i = 1; i < nr; i++) {
		struct klp_symbol *sym = &e->symbols[i];
		Elf32_Word xndx = 0;
		unsigned int shndx;
		const char *name;
		GElf_Sym gsym;

		if (!gelf_getsymshndx(data, xdata, (int)i, &gsym, &xndx) ||
		    !(name = elf_strptr(e->elf, symtab->link, gsym.st_name))) {
			pr_err(e->path, "cannot read symbol %zu: %s", i,
			       elf_errmsg(-1));
			return -ENOEXEC;
		}
		if (GELF_ST_TYPE(gsym.st_info) == STT_FILE) {
			err = add_file(e, name);
			if (err)
				return err;
			file = (unsigned int)e->nr_files;
		}
		shndx = gsym.st_shndx == SHN_XINDEX ? xndx : gsym.st_shndx;
		sym->name = name;
		sym->value = gsym.st_value;
		sym->size = gsym.st_size;
		sym->shndx = shndx;
		sym->section = shndx != SHN_UNDEF && shndx < e->nr_sections &&
			       (gsym.st_shndx == SHN_XINDEX ||
				gsym.st_shndx < SHN_LORESERVE) ?
			       e->sections[shndx].name : NULL;
		sym->sym_index = (unsigned int)i;
		sym->type = GELF_ST_TYPE(gsym.st_info);
		sym->bind = GELF_ST_BIND(gsym.st_info);
		sym->visibility = GELF_ST_VISIBILITY(gsym.st_other);
		/* Globals follow the locals of the last file: no group. */
		sym->file = sym->bind == STB_LOCAL ? file : 0;
	}
	return index_symbols(e);
}

struct klp_elf *klp_elf__open(const char *path, unsigned int flags)
{
	struct klp_elf *e;
	int err;

	e = calloc(1, sizeof(*e));
	if (!e || !(e->path = strdup(path))) {
		free(e);
		errno = ENOMEM;
		return NULL;
	}
	e->fd = -1;

	err = begin(e, flags & KLP_ELF_RDWR);
	if (!err)
		err = read_sections(e);
	if (!err && !(flags & KLP_ELF_NO_SYMBOLS))
		err = read_symbols(e);
	if (err) {
		if (err == -ENOMEM)
			pr_err(path, "out of memory");
		klp_elf__close(e);
		errno = -err;
		return NULL;
	}
	return e;
}

void klp_elf__close(struct klp_elf *e)
{
	if (!e)
		return;
	free(e->symbols);
	free(e->by_name);
	free(e->name_rank);
	free(e->files);
	free(e->sections);
	free(e->scns);
	if (e->elf)
		elf_end(e->elf);
	if (e->fd >= 0)
		close(e->fd);
	free(e->path);
	free(e);
	/* libelf keeps its last error; readers after us check it. */
	(void)elf_errno();
}

const char *klp_elf__path(const struct klp_elf *e)
{
	return e->path;
}

unsigned int klp_elf__type(const struct klp_elf *e)
{
	return e->type;
}

unsigned int klp_elf__machine(const struct klp_elf *e)
{
	return e->machine;
}

unsigned int klp_elf__class(const struct klp_elf *e)
{
	return e->class;
}

/* ---- sections ----------------------------------------------------------- */

size_t klp_elf__nr_sections(const struct klp_elf *e)
{
	return e->nr_sections;
}

const struct klp_section *klp_elf__section(const struct klp_elf *e,
					   size_t index)
{
	return index < e->nr_sections && e->scns[index] ?
	       &e->sections[index] : NULL;
}

const struct klp_section *
klp_elf__find_section_by_name(const struct klp_elf *e, const char *name)
{
	size_t i;

	for (i = 1; i < e->nr_sections; i++)
		if (e->sections[i].name && !strcmp(e->sections[i].name, name))
			return &e->sections[i];
	return NULL;
}

static const void *section_bytes(const struct klp_elf *e,
				 const struct klp_section *sec, size_t *size,
				 bool raw)
{
	Elf_Scn *scn = sec && sec->index < e->nr_sections ?
		       e->scns[sec->index] : NULL;
	Elf_Data *data;

	*size = 0;
	if (!scn)
		return NULL;
	data = raw ? elf_rawdata(scn, NULL) : elf_getdata(scn, NULL);
	if (!data || !data->d_buf)
		return NULL;
	*size = data->d_size;
	return data->d_buf;
}

const void *klp_elf__section_data(const struct klp_elf *e,
				  const struct klp_section *sec, size_t *size)
{
	return section_bytes(e, sec, size, false);
}

const void *klp_elf__section_rawdata(const struct klp_elf *e,
				     const struct klp_section *sec,
				     size_t *size)
{
	return section_bytes(e, sec, size, true);
}

/* ---- symbols ------------------------------------------------------------ */

bool klp_elf__has_symtab(const struct klp_elf *e)
{
	return e->has_symtab;
}

size_t klp_elf__nr_symbols(const struct klp_elf *e)
{
	return e->nr_symbols;
}

const struct klp_symbol *klp_elf__symbol(const struct klp_elf *e, size_t index)
{
	return index < e->nr_symbols ? &e->symbols[index] : NULL;
}

unsigned int klp_elf__symtab_index(const struct klp_elf *e)
{
	return e->symtab_index;
}

const struct klp_symbol *
klp_elf__find_symbol_by_name(const struct klp_elf *e, const char *name)
{
	size_t lo = 1, hi = e->nr_symbols;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(e->by_name[mid]->name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < e->nr_symbols && !strcmp(e->by_name[lo]->name, name))
		return e->by_name[lo];
	return NULL;
}

const struct klp_symbol *
klp_elf__next_symbol_by_name(const struct klp_elf *e,
			     const struct klp_symbol *sym)
{
	size_t rank = e->name_rank[sym - e->symbols] + 1;

	if (rank < e->nr_symbols && !strcmp(e->by_name[rank]->name, sym->name))
		return e->by_name[rank];
	return NULL;
}

const struct klp_symbol *
klp_elf__find_symbol_at(const struct klp_elf *e, unsigned int shndx,
			uint64_t value, unsigned char type)
{
	size_t i;

	for (i = 1; i < e->nr_symbols; i++)
		if (e->symbols[i].type == type && e->symbols[i].shndx == shndx &&
		    e->symbols[i].value == value)
			return &e->symbols[i];
	return NULL;
}

size_t klp_elf__nr_files(const struct klp_elf *e)
{
	return e->nr_files;
}

const char *klp_elf__file_name(const struct klp_elf *e, unsigned int file)
{
	return file && file <= e->nr_files ? e->files[file] : NULL;
}

/* ---- relocations -------------------------------------------------------- */

static const struct klp_section *reloc_section_from(const struct klp_elf *e,
						    size_t from,
						    unsigned int index)
{
	size_t i;

	for (i = from; i < e->nr_sections; i++)
		if (e->scns[i] && (e->sections[i].type == SHT_RELA ||
				   e->sections[i].type == SHT_REL) &&
		    e->sections[i].info == index)
			return &e->sections[i];
	return NULL;
}

const struct klp_section *
klp_elf__find_reloc_section(const struct klp_elf *e, unsigned int index)
{
	return reloc_section_from(e, 1, index);
}

const struct klp_section *
klp_elf__next_reloc_section(const struct klp_elf *e,
			    const struct klp_section *rsec)
{
	return reloc_section_from(e, rsec->index + 1, rsec->info);
}

size_t klp_elf__nr_relocs(const struct klp_elf *e,
			  const struct klp_section *rsec)
{
	(void)e;
	if (rsec->type != SHT_RELA && rsec->type != SHT_REL)
		return 0;
	return rsec->entsize ? rsec->size / rsec->entsize : 0;
}

bool klp_elf__reloc(const struct klp_elf *e, const struct klp_section *rsec,
		    size_t i, struct klp_reloc *out)
{
	Elf_Data *data = elf_getdata(e->scns[rsec->index], NULL);
	size_t sym;

	memset(out, 0, sizeof(*out));
	if (!data)
		return false;
	if (rsec->type == SHT_RELA) {
		GElf_Rela r;

		if (!gelf_getrela(data, (int)i, &r))
			return false;
		out->offset = r.r_offset;
		out->addend = r.r_addend;
		sym = GELF_R_SYM(r.r_info);
		out->type = GELF_R_TYPE(r.r_info);
	} else {
		GElf_Rel r;

		if (!gelf_getrel(data, (int)i, &r))
			return false;
		out->offset = r.r_offset;
		sym = GELF_R_SYM(r.r_info);
		out->type = GELF_R_TYPE(r.r_info);
	}
	out->sym_index = (unsigned int)sym;
	out->sym = sym < e->nr_symbols ? &e->symbols[sym] : NULL;
	return true;
}

/* ---- the in-place writer ------------------------------------------------ */

struct Elf *klp_elf__libelf(struct klp_elf *e)
{
	return e->elf;
}

struct Elf_Scn *klp_elf__scn(struct klp_elf *e, unsigned int index)
{
	return index < e->nr_sections ? e->scns[index] : NULL;
}

int klp_elf__write(struct klp_elf *e, bool layout_changed)
{
	/*
	 * With new sections, libelf must not write the section header
	 * table from the array it read (sized for the old count): a dirty
	 * Elf makes it build a fresh one (elfutils' elf64_updatefile;
	 * without this, ASan sees elf_update() read past that array and the
	 * new headers come out as garbage).
	 */
	if (layout_changed)
		elf_flagelf(e->elf, ELF_C_SET, ELF_F_DIRTY);
	if (elf_update(e->elf, ELF_C_WRITE) < 0) {
		pr_err(e->path, "elf_update: %s", elf_errmsg(-1));
		return -EIO;
	}
	return 0;
}
