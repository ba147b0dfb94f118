// SPDX-License-Identifier: MIT
/*
 * load.c - the load driver: semantics selection, the model cache, the parse
 * and finalisation.  The parser's diagnostics are in diag.c, the model's
 * constructor and destructor in model.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "parser/env.h"
#include "parser/load.h"
#include "parser/parse_internal.h"
#include "parser/preprocess.h"
#include "parser/shell.h"
#include "parser/snapshot.h"
#include "parser/tree.h"
#include "parser.h"

/* ---- semantics --------------------------------------------------------- */

/*
 * The tree's rules (parser/semantics.h).  A release newer than any whose
 * rules are known is said once per load: its conf may have rules this
 * program lacks.
 */
static void pick_semantics(struct kx_semantics *sem, struct kx_tree *tree,
			   const struct kx_load_opts *o)
{
	if (o->sem) {
		*sem = *o->sem;
		return;
	}
	kx_semantics_pick(sem, tree, o->env);
	if (sem->version > KX_SEM_NEWEST)
		kx_diags_add(o->diags, KX_DIAG_WARNING, NULL, 0,
			     "kxen-config: warning: Linux %d.%d is newer than the newest "
			     "release whose Kconfig rules this program knows (%d.%d): "
			     "rules added after %d.%d are not applied, and results may "
			     "differ from this tree's own conf",
			     sem->version / 100, sem->version % 100,
			     KX_SEM_NEWEST / 100, KX_SEM_NEWEST % 100,
			     KX_SEM_NEWEST / 100, KX_SEM_NEWEST % 100);
}

/* ---- the load ----------------------------------------------------------------- */

static void record_env(struct kx_kconfig *kc, struct kx_pp *pp)
{
	size_t n = kx_pp_env_ref_count(pp);

	kc->env_names = kx_xcalloc(n + 1, sizeof(*kc->env_names));
	kc->env_values = kx_xcalloc(n + 1, sizeof(*kc->env_values));
	for (size_t i = 0; i < n; i++) {
		const char *name, *value;

		kx_pp_env_ref_at(pp, i, &name, &value);
		kc->env_names[i] = kx_arena_strdup(kc->arena, name);
		kc->env_values[i] = kx_arena_strdup(kc->arena, value ? value : "");
	}
	kc->nenv = n;
}

/*
 * The lines a load prints on stdout ($(info,...), notes of the expression
 * simplifications), passed on and kept for the model cache.
 */
struct info_rec {
	void (*info)(void *ctx, const char *line);
	void *ctx;
	char **lines;
	size_t n, cap;
};

static void info_record(void *ctx, const char *line)
{
	struct info_rec *r = ctx;

	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 16;
		r->lines = kx_xrealloc(r->lines, r->cap * sizeof(*r->lines));
	}
	r->lines[r->n++] = kx_xstrdup(line);
	kx_info_out(r->info, r->ctx, line);
}

int kx_kconfig_load(struct kx_kconfig **out, struct kx_tree *tree,
		    const struct kx_load_opts *o)
{
	struct kx_parser p;
	struct kx_kconfig *kc = NULL;
	const char *top = o->kconfig ? o->kconfig : "Kconfig";
	struct info_rec rec = { o->info, o->info_ctx, NULL, 0, 0 };
	size_t diag_first;
	struct kx_shell_stats st0 = { 0 }, st1 = { 0 };
	char *data = NULL;
	size_t len = 0;
	int err;

	*out = NULL;
	memset(&p, 0, sizeof(p));
	kc = kx_kconfig_new();
	pick_semantics(&kc->sem, tree, o);
	diag_first = o->diags->n;	/* the model cache replays what follows */
	if (o->snapshot_dir &&
	    kx_snapshot_load(out, tree, o, top, &kc->sem) == 0) {
		kx_kconfig_free(kc);
		return 0;
	}
	if (o->shell)
		kx_shell_stats(o->shell, &st0);
	kc->diags = o->diags;
	kc->info = info_record;
	kc->info_ctx = &rec;
	kx_kconfig_set_origin(kc, o->env);

	p.kc = kc;
	p.tree = tree;
	p.diags = o->diags;
	p.prev_token = p.prev_prev_token = T_EOL;
	p.strict = o->strict;
	p.no_help = o->no_help;
	err = kx_pp_new(&p.pp, o->env, o->shell, o->diags);
	if (err < 0)
		goto out;
	kx_pp_set_info(p.pp, info_record, &rec);

	err = kx_tree_read(tree, top, &data, &len);
	if (err < 0) {
		kx_diags_add(o->diags, KX_DIAG_ERROR, NULL, 0,
			     "can't find file %s", top);
		goto out;
	}
	data = kx_xrealloc(data, len + 2);
	data[len] = data[len + 1] = 0;
	err = kx_lex_init(&p, top, data, len);
	data = NULL;		/* owned by the scanner now */
	if (err < 0)
		goto out;
	kc->files = kx_xmalloc(256 * sizeof(*kc->files));
	kc->capfiles = 256;
	kc->files[kc->nfiles++] = p.cur_file;
	kx_menu_init(&p);

	kx_yyparse(&p);
	kx_lex_destroy(&p);
	if (p.fatal) {
		err = p.fatal;
		goto out;
	}
	record_env(kc, p.pp);
	if (p.nerrs) {
		err = KX_ESYNTAX;
		goto out;
	}
	if (!kc->modules_sym)
		kc->modules_sym = &kc->sym_no;
	if (!kc->rootmenu.prompt) {
		p.current_entry = &kc->rootmenu;
		kx_menu_add_prompt(&p, KX_P_MENU, "Main menu", NULL);
	}
	kc->mainmenu = kc->rootmenu.prompt->text;
	kx_menu_finalize(&p);
	/* robustness: an expression that would have been too deep (model.h) */
	if (kc->expr_too_deep) {
		err = kx_parse_too_deep(&p, NULL, 0);
		goto out;
	}
	if (p.menu_too_deep) {	/* robustness: see finalize() */
		err = KX_ELIMIT;
		goto out;
	}
	if (kx_menu_check_deps(&p) || p.nerrs) {
		err = KX_ESYNTAX;
		goto out;
	}
	/* robustness: the evaluator's recursion stays bounded */
	err = kx_menu_check_eval_depth(&p);
	if (err < 0)
		goto out;
	kc->changed = true;
	kc->info = o->info;
	kc->info_ctx = o->info_ctx;
	/*
	 * The model cache: written when every probe came from the probe
	 * cache (a run that had to start probes is in a new environment,
	 * e.g. a fresh working directory, that may never come back: the
	 * next run in it writes the model), and no diagnostic was lost.
	 */
	if (o->shell)
		kx_shell_stats(o->shell, &st1);
	if (o->snapshot_dir && st1.spawned == st0.spawned &&
	    o->diags->n < (o->diags->limit ? o->diags->limit : 10000)) {
		struct kx_snapshot_inputs in = {
			p.pp, diag_first, rec.lines, rec.n
		};

		kx_snapshot_save(kc, tree, o, top, &in);
	}
	*out = kc;
	kc = NULL;
	err = 0;
out:
	free(data);
	kx_lex_destroy(&p);
	kx_buf_free(&p.text);
	free(p.incl);
	kx_pp_free(p.pp);
	kx_kconfig_free(kc);
	for (size_t i = 0; i < rec.n; i++)
		free(rec.lines[i]);
	free(rec.lines);
	return err;
}
