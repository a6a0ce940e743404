// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * klp_partition.cc - a GCC plugin that records how GCC split, cloned and
 * inlined every function of a unit into the object's .klp_prep.partition
 * section (format: include/klp_partition.h).
 *
 *   gcc -fplugin=klp_partition.so [-fplugin-arg-klp_partition-disable] ...
 *
 * The plugin only observes: it adds no pass that changes code, and the
 * section is written outside every code and data section, so objects are
 * byte-identical with and without it apart from that section.  See
 * README.md next to this file for what is recorded from where.
 */
#include "gcc-compat.h"
#include "unit_facts.h"

int plugin_is_GPL_compatible;

static struct plugin_info klp_partition_info = {
	"0.1",
	"Records GCC's function splitting, cloning and inlining into the "
	".klp_prep.partition section.\n"
	"  -fplugin-arg-" KLP_PLUGIN_NAME "-disable   record nothing\n"
};

/* What the records are worth for the object being written. */
enum unit_mode {
	UNIT_RECORD,		/* normal compilation, or lto1 */
	UNIT_SLIM_LTO,		/* GIMPLE only: the code comes at link time */
};

static enum unit_mode unit_mode(void)
{
	if (flag_generate_lto && !flag_fat_lto_objects && !in_lto_p)
		return UNIT_SLIM_LTO;
	return UNIT_RECORD;
}

static unsigned int unit_flags(void)
{
	unsigned int flags = 0;

	if (in_lto_p)
		flags |= KLP_UNIT_F_LTO;
	if (flag_function_sections)
		flags |= KLP_UNIT_F_FUNCTION_SECTIONS;
	if (flag_reorder_blocks_and_partition)
		flags |= KLP_UNIT_F_PARTITIONING;
	if (flag_live_patching != LIVE_PATCHING_NONE)
		flags |= KLP_UNIT_F_LIVE_PATCHING;
	return flags;
}

/* The block goes into the assembler output as .byte lines. */
static void emit_block(const unsigned char *data, size_t size)
{
	size_t i;

	/* Alignment 1, no flags: not allocated, not merged, not excluded. */
	fprintf(asm_out_file, "\t.pushsection %s,\"\",@progbits\n",
		KLP_PARTITION_SECTION_NAME);
	for (i = 0; i < size; i++) {
		fprintf(asm_out_file, "%s0x%02x", i % 16 ? "," : "\t.byte ",
			data[i]);
		if (i % 16 == 15 || i + 1 == size)
			fputc('\n', asm_out_file);
	}
	fprintf(asm_out_file, "\t.popsection\n");
}

static void on_finish_unit(void *gcc_data ATTRIBUTE_UNUSED,
			   void *user_data ATTRIBUTE_UNUSED)
{
	struct klp_unit unit;
	void *data = NULL;
	size_t size = 0;
	int err;

	if (klp_plugin.finished)
		return;
	klp_plugin.finished = true;
	if (seen_error() || !asm_out_file || unit_mode() != UNIT_RECORD) {
		facts_release();
		return;
	}

	facts_symtab_finish();
	memset(&unit, 0, sizeof(unit));
	unit.source = main_input_filename;
	unit.producer = "GCC " version_string;
	unit.flags = unit_flags();
	err = facts_build_unit(&unit);
	if (!err)
		err = klp_unit__encode(&unit, &data, &size);
	if (err)
		error("%s: cannot encode the partition records of %qs: %s",
		      KLP_PLUGIN_NAME, main_input_filename, xstrerror(-err));
	else
		emit_block((const unsigned char *)data, size);

	free(data);
	XDELETEVEC(unit.origins);
	XDELETEVEC(unit.funcs);
	XDELETEVEC(unit.inlines);
	XDELETEVEC(unit.calls);
	facts_release();
}

static void on_start_unit(void *gcc_data ATTRIBUTE_UNUSED,
			  void *user_data ATTRIBUTE_UNUSED)
{
	if (unit_mode() == UNIT_SLIM_LTO)
		warning(0, "%s: %<-flto%> without %<-ffat-lto-objects%>: this "
			"object holds no code, so it gets no %s section; the "
			"records are written at link time if the plugin is also "
			"given to the link (lto1 records the LTO partitions, "
			"flagged as such)",
			KLP_PLUGIN_NAME, KLP_PARTITION_SECTION_NAME);
	facts_ipa_start_unit();
}

static void on_finish_parse_function(void *gcc_data,
				     void *user_data ATTRIBUTE_UNUSED)
{
	facts_note_end_line((tree)gcc_data);
}

static void on_all_ipa_passes_end(void *gcc_data ATTRIBUTE_UNUSED,
				  void *user_data ATTRIBUTE_UNUSED)
{
	if (!seen_error())
		facts_ipa_all_passes_end();
}

/*
 * Per function, around the pass "final" (see facts_final.cc).  Watching
 * pass execution rather than inserting passes keeps the pass list, and so
 * dump numbering and everything else, exactly as without the plugin.
 */
static void on_pass_execution(void *gcc_data, void *user_data ATTRIBUTE_UNUSED)
{
	opt_pass *pass = (opt_pass *)gcc_data;

	if (!pass || !pass->name || seen_error())
		return;
	if (pass->type == IPA_PASS) {
		facts_ipa_pass(pass);
		return;
	}
	if (pass->type != RTL_PASS || !cfun || !current_function_decl)
		return;
	if (!strcmp(pass->name, "final"))
		facts_final_before(current_function_decl);
	else if (!strcmp(pass->name, "*clean_state"))
		facts_final_after(current_function_decl);
}

static bool parse_arguments(const struct plugin_name_args *info)
{
	bool ok = true;
	int i;

	for (i = 0; i < info->argc; i++) {
		const struct plugin_argument *arg = &info->argv[i];

		if (!strcmp(arg->key, "disable") && !arg->value) {
			klp_plugin.disabled = true;
			continue;
		}
		if (!strcmp(arg->key, "disable"))
			error("%s: %<-fplugin-arg-%s-%s=%s%>: %<disable%> takes "
			      "no value", KLP_PLUGIN_NAME, info->base_name,
			      arg->key, arg->value);
		else
			error("%s: unknown option %<-fplugin-arg-%s-%s%s%s%> "
			      "(known: %<-fplugin-arg-%s-disable%>)",
			      KLP_PLUGIN_NAME, info->base_name, arg->key,
			      arg->value ? "=" : "", arg->value ? arg->value : "",
			      info->base_name);
		ok = false;
	}
	return ok;
}

/*
 * Loaded into another GCC.  Only error() and the version strings are used
 * here: the rest of the plugin is bound to GCC internals that the other
 * GCC may not have (their references are weak, see weaken-undefined.sh).
 */
static void report_wrong_gcc(const char *name, const struct plugin_gcc_version *v)
{
	const char *basever = v && v->basever ? v->basever : "(unknown)";
	const char *datestamp = v && v->datestamp ? v->datestamp : "(unknown)";

	if (!strcmp(basever, gcc_version.basever) &&
	    !strcmp(datestamp, gcc_version.datestamp))
		error("%s: this plugin was built for another build of GCC %s "
		      "(%s): the development phase, revision or configure "
		      "arguments differ; rebuild it with this compiler%'s "
		      "plugin headers", name, basever, datestamp);
	else
		error("%s: this plugin was built for GCC %s (%s) and cannot "
		      "run in GCC %s (%s); rebuild it with that compiler%'s "
		      "plugin headers (Debian: %qs)", name, gcc_version.basever,
		      gcc_version.datestamp, basever, datestamp,
		      "gcc-N-plugin-dev");
}

int plugin_init(struct plugin_name_args *info, struct plugin_gcc_version *version)
{
	const char *name = info->base_name;

	/*
	 * plugin_default_version_check compares basever, datestamp,
	 * devphase, revision and the configure arguments: a plugin only
	 * loads into the GCC build whose headers it was compiled with.
	 */
	if (!plugin_default_version_check(version, &gcc_version)) {
		report_wrong_gcc(name, version);
		return 1;
	}
	register_callback(name, PLUGIN_INFO, NULL, &klp_partition_info);
	if (!parse_arguments(info))
		return 1;
	if (klp_plugin.disabled)
		return 0;

	register_callback(name, PLUGIN_START_UNIT, on_start_unit, NULL);
	register_callback(name, PLUGIN_FINISH_PARSE_FUNCTION,
			  on_finish_parse_function, NULL);
	register_callback(name, PLUGIN_ALL_IPA_PASSES_END,
			  on_all_ipa_passes_end, NULL);
	register_callback(name, PLUGIN_PASS_EXECUTION, on_pass_execution, NULL);
	register_callback(name, PLUGIN_FINISH_UNIT, on_finish_unit, NULL);
	return 0;
}
