// SPDX-License-Identifier: MIT
/* generate.c - a slim domU configuration (see generate.h). */
#include "analyzer/generate.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/eval.h"
#include "analyzer/merge.h"

static void add_target(struct kx_generate_result *r, struct kx_sym *s,
		       const char *value, const char *origin)
{
	for (size_t i = 0; i < r->ntargets; i++) {
		if (r->targets[i].sym == s) {
			r->targets[i].value = value;
			r->targets[i].origin = origin;
			return;
		}
	}
	r->targets = kx_xrealloc(r->targets, (r->ntargets + 1) * sizeof(*r->targets));
	memset(&r->targets[r->ntargets], 0, sizeof(*r->targets));
	r->targets[r->ntargets].sym = s;
	r->targets[r->ntargets].value = value;
	r->targets[r->ntargets].origin = origin;
	r->ntargets++;
}

/*
 * Adds every CONFIG_ line of fragment 'path' (shown as 'shown') as a
 * target.  Symbols this tree lacks are skipped, or with 'strict' an error
 * at the fragment's file:line (KX_ENOTFOUND).  A missing file is an error
 * with 'strict' only.
 */
static int add_fragment(struct kx_kconfig *kc, struct kx_generate_result *r,
			const char *path, const char *shown, bool strict)
{
	struct kx_cfglines l;
	char *text = NULL;
	const char *origin = kx_arena_strdup(kc->arena, shown);
	size_t len;
	long nul;
	int err = 0;

	err = kx_read_file(&text, &len, path);
	if (err < 0) {
		if (!strict)
			return 0;
		kx_diags_add(kc->diags, KX_DIAG_ERROR, NULL, 0,
			     "--add %s: cannot read it: %s", path, strerror(errno));
		return KX_ENOTFOUND;
	}
	if ((nul = kx_binary_offset(text, len)) >= 0) {
		kx_diags_add(kc->diags, KX_DIAG_ERROR, NULL, 0,
			     "--add %s: a binary file (NUL byte at offset %ld), not a config "
			     "fragment", path, nul);
		free(text);
		return KX_EINVAL;
	}
	kx_cfglines_parse(&l, "CONFIG_", origin, text);
	for (size_t i = 0; i < l.n; i++) {
		struct kx_sym *s = kx_sym_find(kc, l.v[i].name);

		if (s && s->menus) {
			add_target(r, s, kx_arena_strdup(kc->arena, l.v[i].value), origin);
		} else if (strict) {
			kx_diags_add(kc->diags, KX_DIAG_ERROR, origin, l.v[i].line,
				     "%s:%d: CONFIG_%s is not in this tree for %s", origin,
				     l.v[i].line, l.v[i].name,
				     kc->srcarch ? kc->srcarch : "this arch");
			err = KX_ENOTFOUND;
		}
	}
	kx_cfglines_free(&l);
	free(text);
	return err;
}

/*
 * The items of 'p' this tree has that do not hold in the result: the
 * required ones ('required'), or the others.  *out gets them (malloc'd, or
 * NULL); returns their number.
 */
static size_t unheld(struct kx_kconfig *kc, const struct kx_profile *p, bool required,
		     const struct kx_req ***out)
{
	size_t n = 0;

	*out = NULL;
	for (size_t i = 0; i < p->n; i++) {
		const struct kx_req *q = &p->v[i];

		if (!q->sym || (q->level == KX_LEVEL_REQUIRED) != required ||
		    kx_req_holds(kc, q))
			continue;
		*out = kx_xrealloc(*out, (n + 1) * sizeof(**out));
		(*out)[n++] = q;
	}
	return n;
}

int kx_generate(struct kx_confio *io, struct kx_env *env,
		const struct kx_generate_opts *o, struct kx_generate_result *r)
{
	struct kx_kconfig *kc = io->kc;
	struct kx_prune_policy pol;
	char *btext = NULL, *ppath;
	int err;

	memset(r, 0, sizeof(*r));
	memset(&pol, 0, sizeof(pol));
	err = kx_base_load(io, env, o->base ? o->base : "tinyconfig", &btext);
	free(btext);
	if (err < 0)
		return err;
	err = kx_profile_load(&r->profile, kc, o->profile,
			      o->arch, env, kc->diags);
	if (err < 0)
		return err;
	/* modules on or off; the optional items as modules when on */
	if (kc->modules_sym != &kc->sym_no)
		add_target(r, kc->modules_sym, o->modules ? "y" : "n", "--modules");
	for (size_t i = 0; i < r->profile.n; i++) {
		struct kx_req *q = &r->profile.v[i];
		const char *val = q->value;

		if (!q->sym || (q->at_least && kx_req_holds(kc, q)))
			continue;
		if (o->modules && q->level != KX_LEVEL_REQUIRED &&
		    q->sym->type == KX_S_TRISTATE && !strcmp(val, "y"))
			val = "m";
		add_target(r, q->sym, kx_arena_strdup(kc->arena, val), q->file);
	}
	/* the boot essentials: fragments/domu-boot.config */
	if (r->profile.dir) {
		char *boot = kx_xasprintf("%s/domu-boot.config", r->profile.dir);

		add_fragment(kc, r, boot, "fragments/domu-boot.config", false);
		free(boot);
	}
	/* the user's own additions win over both */
	for (size_t i = 0; i < o->nadd; i++) {
		err = add_fragment(kc, r, o->add[i], o->add[i], true);
		if (err < 0)
			return err;
	}
	err = kx_closure_solve(&r->closure, kc, r->targets, r->ntargets, NULL);
	if (err < 0)
		return err;
	if (r->closure->config_text)
		kx_conf_load_text(io, "generated", r->closure->config_text);
	if (!o->no_prune && r->profile.dir) {
		ppath = kx_xasprintf("%s/prune-policy.conf", r->profile.dir);
		err = kx_prune_policy_load(&pol, ppath, kc->diags);
		free(ppath);
		if (err == 0) {
			/* only what can hold is asked of the pruned config */
			struct kx_target *t = kx_xcalloc(r->ntargets + 1, sizeof(*t));
			size_t nt = 0;

			for (size_t i = 0; i < r->ntargets; i++) {
				bool unmet = false;

				for (size_t k = 0; k < r->closure->nunmet; k++)
					unmet = unmet || r->closure->unmet[k].target == &r->targets[i];
				if (!unmet)
					t[nt++] = r->targets[i];
			}
			err = kx_prune(io, &pol, t, nt, &r->prune);
			free(t);
		}
		kx_prune_policy_free(&pol);
		if (err < 0)
			return err;
	}
	r->config_text = kx_conf_text(io);
	for (size_t i = 0; i < kc->nsyms; i++) {
		struct kx_sym *s = kc->syms[i];

		if (!s->name || !(s->flags & KX_SYM_WRITE) ||
		    (s->type != KX_S_BOOLEAN && s->type != KX_S_TRISTATE))
			continue;
		if (s->curr.tri == KX_YES)
			r->n_y++;
		else if (s->curr.tri == KX_MOD)
			r->n_m++;
	}
	/* a required item the user's --add overrode does not hold either */
	r->nbroken = unheld(kc, &r->profile, true, &r->broken);
	/* the minimal profile says what the default one would have added */
	if (!strcmp(r->profile.name, "minimal") &&
	    kx_profile_load(&r->fuller, kc, KX_PROFILE_DEFAULT, o->arch, env, kc->diags) == 0)
		r->nleft_out = unheld(kc, &r->fuller, false, &r->left_out);
	for (size_t k = 0; k < r->closure->nunmet; k++) {
		const struct kx_target *t = r->closure->unmet[k].target;

		for (size_t i = 0; i < r->profile.n; i++)
			if (r->profile.v[i].sym == t->sym &&
			    r->profile.v[i].level == KX_LEVEL_REQUIRED)
				return 1;
	}
	return r->nbroken ? 1 : 0;
}

const char *kx_generate_target_origin(const struct kx_generate_result *r,
				      const struct kx_sym *sym)
{
	for (size_t i = 0; i < r->ntargets; i++)
		if (r->targets[i].sym == sym)
			return r->targets[i].origin;
	return NULL;
}

void kx_generate_result_free(struct kx_generate_result *r)
{
	kx_profile_free(&r->profile);
	free(r->targets);
	free(r->broken);
	free(r->left_out);
	kx_profile_free(&r->fuller);
	kx_closure_free(r->closure);
	kx_prune_result_free(&r->prune);
	free(r->config_text);
	memset(r, 0, sizeof(*r));
}
