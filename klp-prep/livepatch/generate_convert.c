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
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "generate.h"

#include "extract_log.h"

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
	Elf *elf;
	size_t shstrndx;
	Elf_Scn *symtab;
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
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	size_t i;

	while ((scn = elf_nextscn(c->elf, scn))) {
		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_SYMTAB) {
			c->symtab = scn;
			c->symtab_index = elf_ndxscn(scn);
			break;
		}
	}
	if (!c->symtab) {
		klp_gen_err("%s: error: no symbol table\n", c->path);
		return -ENOEXEC;
	}
	c->syms = elf_getdata(c->symtab, NULL);
	if (!c->syms) {
		klp_gen_err("%s: error: elf_getdata: %s\n", c->path, elf_errmsg(-1));
		return -ENOEXEC;
	}
	c->nr_syms = sh.sh_entsize ? sh.sh_size / sh.sh_entsize : 0;
	c->sym_object = calloc(c->nr_syms + 1, sizeof(*c->sym_object));
	if (!c->sym_object)
		return -ENOMEM;
	for (i = 1; i < c->nr_syms; i++) {
		GElf_Sym sym;
		const char *name;

		if (!gelf_getsym(c->syms, i, &sym))
			continue;
		name = elf_strptr(c->elf, sh.sh_link, sym.st_name);
		if (!name || strncmp(name, KLP_SYM_PREFIX, strlen(KLP_SYM_PREFIX)))
			continue;
		if (sym.st_shndx != SHN_UNDEF && sym.st_shndx != SHN_LIVEPATCH) {
			klp_gen_err("%s: error: %s is defined in the module; a livepatch symbol "
				    "must be undefined\n", c->path, name);
			return -EINVAL;
		}
		c->sym_object[i] = klp_object_of(name);
		if (!c->sym_object[i]) {
			klp_gen_err("%s: error: '%s' is not .klp.sym.OBJECT.NAME,POSITION\n",
				    c->path, name);
			return -EINVAL;
		}
		if (sym.st_shndx == SHN_LIVEPATCH)
			continue;	/* converted before */
		sym.st_shndx = SHN_LIVEPATCH;
		sym.st_info = GELF_ST_INFO(STB_GLOBAL, GELF_ST_TYPE(sym.st_info));
		if (!gelf_update_sym(c->syms, i, &sym)) {
			klp_gen_err("%s: error: gelf_update_sym: %s\n", c->path, elf_errmsg(-1));
			return -EIO;
		}
		(*nr_converted)++;
	}
	elf_flagdata(c->syms, ELF_C_SET, ELF_F_DIRTY);
	return 0;
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
static int split_rela(struct conv *c, Elf_Scn *scn, size_t shstr_base,
		      unsigned int *nr_moved)
{
	GElf_Shdr sh, tsh;
	Elf_Scn *target;
	Elf_Data *d = elf_getdata(scn, NULL);
	const char *tname;
	size_t n, i, k, kept = 0;
	char **objs = NULL;
	size_t nr_objs = 0;
	GElf_Rela *keep = NULL, *move = NULL;
	int err = 0;

	if (!gelf_getshdr(scn, &sh) || !d || !sh.sh_entsize)
		return 0;
	if (sh.sh_flags & SHF_RELA_LIVEPATCH)
		return 0;
	target = elf_getscn(c->elf, sh.sh_info);
	if (!target || !gelf_getshdr(target, &tsh) || !(tsh.sh_flags & SHF_ALLOC))
		return 0;
	tname = elf_strptr(c->elf, c->shstrndx, tsh.sh_name);
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
			klp_gen_err("%s: error: elf_newscn: %s\n", c->path, elf_errmsg(-1));
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
	Elf_Scn *scn, *shstr;
	GElf_Shdr sh;
	size_t shstr_base, nr_scns, i;
	int fd, err;

	*nr_syms = *nr_relocs = 0;
	elf_version(EV_CURRENT);
	fd = open(path, O_RDWR);
	if (fd < 0) {
		err = -errno;
		klp_gen_err("%s: error: %s\n", path, strerror(errno));
		return err;
	}
	c.elf = elf_begin(fd, ELF_C_RDWR, NULL);
	if (!c.elf || elf_kind(c.elf) != ELF_K_ELF || elf_getshdrstrndx(c.elf, &c.shstrndx) ||
	    elf_getshdrnum(c.elf, &nr_scns)) {
		klp_gen_err("%s: error: not an ELF object: %s\n", path, elf_errmsg(-1));
		err = -ENOEXEC;
		goto out;
	}
	if (gelf_getclass(c.elf) != ELFCLASS64) {
		klp_gen_err("%s: error: only 64-bit modules are supported\n", path);
		err = -ENOEXEC;
		goto out;
	}
	err = find_symbols(&c, nr_syms);
	if (err)
		goto out;

	shstr = elf_getscn(c.elf, c.shstrndx);
	if (!shstr || !gelf_getshdr(shstr, &sh)) {
		klp_gen_err("%s: error: no section name table: %s\n", path, elf_errmsg(-1));
		err = -ENOEXEC;
		goto out;
	}
	shstr_base = sh.sh_size;
	/* Only the sections there were: new ones are appended. */
	for (i = 1; i < nr_scns && !err; i++) {
		scn = elf_getscn(c.elf, i);
		if (scn && gelf_getshdr(scn, &sh) && sh.sh_type == SHT_RELA)
			err = split_rela(&c, scn, shstr_base, nr_relocs);
	}
	if (err)
		goto out;
	if (c.names_len) {
		Elf_Data *nd = elf_newdata(shstr);

		if (!nd) {
			klp_gen_err("%s: error: elf_newdata: %s\n", path, elf_errmsg(-1));
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
	if (*nr_syms || *nr_relocs) {
		/*
		 * With new sections, libelf must not write the section header
		 * table from the array it read (sized for the old count): a
		 * dirty Elf makes it build a fresh one (elfutils'
		 * elf64_updatefile; without this, ASan sees elf_update() read
		 * past that array and the new headers come out as garbage).
		 */
		elf_flagelf(c.elf, ELF_C_SET, ELF_F_DIRTY);
		if (elf_update(c.elf, ELF_C_WRITE) < 0) {
			klp_gen_err("%s: error: elf_update: %s\n", path, elf_errmsg(-1));
			err = -EIO;
		}
	}
out:
	if (c.elf)
		elf_end(c.elf);
	close(fd);
	for (i = 0; c.sym_object && i < c.nr_syms; i++)
		free(c.sym_object[i]);
	free(c.sym_object);
	free(c.names);
	for (i = 0; i < c.nr_bufs; i++)
		free(c.bufs[i]);
	free(c.bufs);
	return err;
}
