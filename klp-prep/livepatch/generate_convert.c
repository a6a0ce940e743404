// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * generate_convert.c - the post-link step: livepatch symbols and
 * relocation sections in a built livepatch module
 *
 * The generated source declares each externalized symbol weak, with the
 * assembler name ".klp.sym.OBJ.NAME,POS" (KLP_PREP_EXTERN).  A weak
 * undefined symbol gets through modpost (6.12 knows nothing of livepatch
 * symbols but does not report weak ones), and the module links.  Here,
 * after the link, each such symbol becomes a livepatch symbol (SHN_LIVEPATCH,
 * global) and the relocations against it move out of .rela.SECTION into
 * .klp.rela.OBJ.SECTION (SHF_RELA_LIVEPATCH | SHF_ALLOC), which the module
 * loader leaves alone and the livepatch core applies once it has resolved
 * the symbols (Documentation/livepatch/module-elf-format.rst).
 *
 * Relocations of sections that are not loaded (debug information) are
 * left where they are: nothing applies them at run time.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <klp_prep/elf.h>

#include "generate.h"

#include "log.h"

#ifndef SHN_LIVEPATCH
#define SHN_LIVEPATCH		0xff20
#endif
#ifndef SHF_RELA_LIVEPATCH
#define SHF_RELA_LIVEPATCH	0x00100000
#endif

#define KLP_SYM_PREFIX		".klp.sym."
#define KLP_RELA_PREFIX		".klp.rela."

struct conv {
	const char *path;
	struct klp_elf *file;		/* what was read; the model does not
					 * follow the changes below */
	Elf *elf;
	size_t shstrndx;
	size_t symtab_index;
	Elf_Data *syms;
	size_t nr_syms;
	char **sym_object;		/* per symbol: its OBJ if a klp symbol */
	/* New section names, appended to .shstrtab in one buffer. */
	char *names;
	size_t names_len;
	/* Buffers of the new sections: libelf does not free what it did
	 * not allocate. */
	void **bufs;
	size_t nr_bufs;
};

/* ".klp.sym.vmlinux.foo,0" -> "vmlinux"; NULL when not well formed. */
static char *klp_object_of(const char *name)
{
	const char *o = name + strlen(KLP_SYM_PREFIX), *dot = strchr(o, '.');
	const char *comma = strrchr(o, ',');
	char *end;

	if (!dot || dot == o || !comma || comma < dot || !comma[1])
		return NULL;
	strtoul(comma + 1, &end, 10);
	if (*end)
		return NULL;
	return strndup(o, dot - o);
}

static int find_symbols(struct conv *c, unsigned int *nr_converted)
{
	const struct klp_symbol *s;
	size_t i;

	c->symtab_index = klp_elf__symtab_index(c->file);
	if (!klp_elf__has_symtab(c->file)) {
		log_err("%s: error: no symbol table\n", c->path);
		return -ENOEXEC;
	}
	c->syms = elf_getdata(klp_elf__scn(c->file, (unsigned int)c->symtab_index), NULL);
	if (!c->syms) {
		log_err("%s: error: elf_getdata: %s\n", c->path, elf_errmsg(-1));
		return -ENOEXEC;
	}
	c->nr_syms = klp_elf__nr_symbols(c->file);
	c->sym_object = calloc(c->nr_syms + 1, sizeof(*c->sym_object));
	if (!c->sym_object)
		return -ENOMEM;
	klp_elf__for_each_symbol(c->file, i, s) {
		GElf_Sym sym;

		if (strncmp(s->name, KLP_SYM_PREFIX, strlen(KLP_SYM_PREFIX)))
			continue;
		if (s->shndx != SHN_UNDEF && s->shndx != SHN_LIVEPATCH) {
			log_err("%s: error: %s is defined in the module; a livepatch symbol "
				"must be undefined\n", c->path, s->name);
			return -EINVAL;
		}
		c->sym_object[i] = klp_object_of(s->name);
		if (!c->sym_object[i]) {
			log_err("%s: error: '%s' is not .klp.sym.OBJECT.NAME,POSITION\n",
				c->path, s->name);
			return -EINVAL;
		}
		if (s->shndx == SHN_LIVEPATCH)
			continue;	/* converted before */
		if (!gelf_getsym(c->syms, (int)i, &sym)) {
			log_err("%s: error: gelf_getsym: %s\n", c->path, elf_errmsg(-1));
			return -EIO;
		}
		sym.st_shndx = SHN_LIVEPATCH;
		sym.st_info = GELF_ST_INFO(STB_GLOBAL, GELF_ST_TYPE(sym.st_info));
		if (!gelf_update_sym(c->syms, (int)i, &sym)) {
			log_err("%s: error: gelf_update_sym: %s\n", c->path, elf_errmsg(-1));
			return -EIO;
		}
		(*nr_converted)++;
	}
	elf_flagdata(c->syms, ELF_C_SET, ELF_F_DIRTY);
	return 0;
}

/*
 * What the livepatch core can apply: it hands .klp.rela sections to the
 * arch's apply_relocate_add(), which on x86-64 (6.1, 6.12) knows these
 * and fails the patch on any other type.  Per-CPU symbols come out as
 * %gs-relative accesses (R_X86_64_PC32 or R_X86_64_32S against the
 * per-CPU offset) or this_cpu_off plus their address (R_X86_64_32S); all
 * are here.
 */
static bool x86_64_klp_reloc_ok(unsigned int type)
{
	switch (type) {
	case R_X86_64_NONE:
	case R_X86_64_64:
	case R_X86_64_32:
	case R_X86_64_32S:
	case R_X86_64_PC32:
	case R_X86_64_PLT32:
	case R_X86_64_PC64:
		return true;
	default:
		return false;
	}
}

/* A symbol's name in the converted module, for messages. */
static const char *sym_name(struct conv *c, size_t i)
{
	const struct klp_symbol *s = i < c->nr_syms ? klp_elf__symbol(c->file, i) : NULL;

	return s && s->name ? s->name : "?";
}

/* Append @name to the new-names buffer; its offset in .shstrtab. */
static int add_name(struct conv *c, const char *name, size_t base, size_t *off)
{
	size_t n = strlen(name) + 1;
	char *p = realloc(c->names, c->names_len + n);

	if (!p)
		return -ENOMEM;
	c->names = p;
	memcpy(p + c->names_len, name, n);
	*off = base + c->names_len;
	c->names_len += n;
	return 0;
}

/*
 * Split one .rela section: entries against livepatch symbols go to a new
 * .klp.rela.OBJ.TARGET section per object, the rest stay.
 */
static int split_rela(struct conv *c, const struct klp_section *rsec, size_t shstr_base,
		      unsigned int *nr_moved)
{
	Elf_Scn *scn = klp_elf__scn(c->file, rsec->index);
	const struct klp_section *target = klp_elf__section(c->file, rsec->info);
	Elf_Data *d = elf_getdata(scn, NULL);
	const char *tname;
	GElf_Shdr sh;
	size_t n, i, k, kept = 0;
	char **objs = NULL;
	size_t nr_objs = 0;
	GElf_Rela *keep = NULL, *move = NULL;
	int err = 0;

	if (!gelf_getshdr(scn, &sh) || !d || !sh.sh_entsize)
		return 0;
	if (sh.sh_flags & SHF_RELA_LIVEPATCH)
		return 0;
	if (!target || !(target->flags & SHF_ALLOC))
		return 0;
	tname = target->name;
	n = sh.sh_size / sh.sh_entsize;
	keep = calloc(n + 1, sizeof(*keep));
	move = calloc(n + 1, sizeof(*move));
	objs = calloc(n + 1, sizeof(*objs));
	if (!keep || !move || !objs) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		GElf_Rela r;
		size_t s;

		if (!gelf_getrela(d, i, &r)) {
			err = -EIO;
			goto out;
		}
		s = GELF_R_SYM(r.r_info);
		if (s < c->nr_syms && c->sym_object[s]) {
			if (klp_elf__machine(c->file) == EM_X86_64 &&
			    !x86_64_klp_reloc_ok((unsigned int)GELF_R_TYPE(r.r_info))) {
				log_err("%s: error: %s+0x%llx: relocation type %u against %s: the "
					"livepatch core cannot apply it (x86-64 applies R_X86_64_64, "
					"32, 32S, PC32, PLT32, PC64); change how the new code reaches "
					"the symbol\n", c->path, tname ? tname : "?",
					(unsigned long long)r.r_offset,
					(unsigned int)GELF_R_TYPE(r.r_info), sym_name(c, s));
				err = -EINVAL;
				goto out;
			}
			for (k = 0; k < nr_objs; k++)
				if (!strcmp(objs[k], c->sym_object[s]))
					break;
			if (k == nr_objs)
				objs[nr_objs++] = c->sym_object[s];
		} else {
			keep[kept++] = r;
		}
	}
	if (kept == n)
		goto out;

	/* One new section per object, in order of first use. */
	for (k = 0; k < nr_objs; k++) {
		size_t nm = 0, name_off;
		Elf_Scn *ns;
		Elf_Data *nd;
		GElf_Shdr nsh;
		char *name;

		for (i = 0; i < n; i++) {
			GElf_Rela r;
			size_t s;

			gelf_getrela(d, i, &r);
			s = GELF_R_SYM(r.r_info);
			if (s < c->nr_syms && c->sym_object[s] && !strcmp(c->sym_object[s], objs[k]))
				move[nm++] = r;
		}
		if (asprintf(&name, KLP_RELA_PREFIX "%s.%s", objs[k], tname ? tname : "?") < 0) {
			err = -ENOMEM;
			goto out;
		}
		err = add_name(c, name, shstr_base, &name_off);
		free(name);
		if (err)
			goto out;
		ns = elf_newscn(c->elf);
		nd = ns ? elf_newdata(ns) : NULL;
		if (!nd) {
			log_err("%s: error: elf_newscn: %s\n", c->path, elf_errmsg(-1));
			err = -EIO;
			goto out;
		}
		nd->d_type = ELF_T_RELA;
		nd->d_align = 8;
		nd->d_size = nm * sh.sh_entsize;
		{
			void **b = realloc(c->bufs, (c->nr_bufs + 1) * sizeof(*b));

			if (!b) {
				err = -ENOMEM;
				goto out;
			}
			c->bufs = b;
			nd->d_buf = calloc(1, nd->d_size ? nd->d_size : 1);
			if (!nd->d_buf) {
				err = -ENOMEM;
				goto out;
			}
			b[c->nr_bufs++] = nd->d_buf;
		}
		for (i = 0; i < nm; i++)
			gelf_update_rela(nd, i, &move[i]);
		gelf_getshdr(ns, &nsh);
		nsh.sh_name = name_off;
		nsh.sh_type = SHT_RELA;
		nsh.sh_flags = SHF_ALLOC | SHF_INFO_LINK | SHF_RELA_LIVEPATCH;
		nsh.sh_link = c->symtab_index;
		nsh.sh_info = sh.sh_info;
		nsh.sh_entsize = sh.sh_entsize;
		nsh.sh_addralign = 8;
		nsh.sh_size = nd->d_size;
		gelf_update_shdr(ns, &nsh);
		*nr_moved += nm;
	}

	/* The rest stay, in their order. */
	for (i = 0; i < kept; i++)
		gelf_update_rela(d, i, &keep[i]);
	d->d_size = kept * sh.sh_entsize;
	sh.sh_size = d->d_size;
	gelf_update_shdr(scn, &sh);
	elf_flagdata(d, ELF_C_SET, ELF_F_DIRTY);
out:
	free(keep);
	free(move);
	free(objs);
	return err;
}

int klp_generate_convert_module(const char *path, unsigned int *nr_syms,
				unsigned int *nr_relocs)
{
	struct conv c = { .path = path };
	const struct klp_section *sec;
	Elf_Scn *shstr;
	GElf_Shdr sh;
	size_t shstr_base, i;
	int err;

	*nr_syms = *nr_relocs = 0;
	c.file = klp_elf__open(path, KLP_ELF_RDWR);
	if (!c.file)
		return -errno;
	c.elf = klp_elf__libelf(c.file);
	if (elf_getshdrstrndx(c.elf, &c.shstrndx)) {
		log_err("%s: error: not an ELF object: %s\n", path, elf_errmsg(-1));
		err = -ENOEXEC;
		goto out;
	}
	if (klp_elf__class(c.file) != ELFCLASS64) {
		log_err("%s: error: only 64-bit modules are supported\n", path);
		err = -ENOEXEC;
		goto out;
	}
	err = find_symbols(&c, nr_syms);
	if (err)
		goto out;

	shstr = elf_getscn(c.elf, c.shstrndx);
	if (!shstr || !gelf_getshdr(shstr, &sh)) {
		log_err("%s: error: no section name table: %s\n", path, elf_errmsg(-1));
		err = -ENOEXEC;
		goto out;
	}
	shstr_base = sh.sh_size;
	/* Only the sections there were (the model's): new ones are appended. */
	klp_elf__for_each_section(c.file, i, sec) {
		if (sec->type != SHT_RELA)
			continue;
		err = split_rela(&c, sec, shstr_base, nr_relocs);
		if (err)
			goto out;
	}
	if (c.names_len) {
		Elf_Data *nd = elf_newdata(shstr);

		if (!nd) {
			log_err("%s: error: elf_newdata: %s\n", path, elf_errmsg(-1));
			err = -EIO;
			goto out;
		}
		nd->d_buf = c.names;
		nd->d_size = c.names_len;
		nd->d_type = ELF_T_BYTE;
		nd->d_align = 1;
		gelf_getshdr(shstr, &sh);
		sh.sh_size += c.names_len;
		gelf_update_shdr(shstr, &sh);
	}
	/* New sections or not, the headers are written afresh (elf.c). */
	if (*nr_syms || *nr_relocs)
		err = klp_elf__write(c.file, true);
out:
	klp_elf__close(c.file);
	for (i = 0; c.sym_object && i < c.nr_syms; i++)
		free(c.sym_object[i]);
	free(c.sym_object);
	free(c.names);
	for (i = 0; i < c.nr_bufs; i++)
		free(c.bufs[i]);
	free(c.bufs);
	return err;
}
