// SPDX-License-Identifier: MIT
/*
 * prune.c - hardware pruning by policy (see prune.h).
 */
#include "analyzer/prune.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/describe.h"
#include "analyzer/eval.h"
#include "analyzer/merge.h"

/* ---- policy ----------------------------------------------------------- */

int kx_prune_policy_load(struct kx_prune_policy *p, const char *path,
			 struct kx_diags *d)
{
	char *text = NULL, *line, *save = NULL;
	size_t len;
	int lineno = 0, err = 0;

	memset(p, 0, sizeof(*p));
	if (kx_read_file(&text, &len, path) < 0) {
		kx_diags_add(d, KX_DIAG_ERROR, NULL, 0, "cannot read prune policy %s: %s", path,
			     strerror(errno));
		return KX_ENOTFOUND;
	}
	p->file = kx_xstrdup(path);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char verb[32], pat[512];
		enum kx_prune_kind k;

		lineno++;
		while (*line == ' ' || *line == '\t')
			line++;
		if (!*line || *line == '#')
			continue;
		if (sscanf(line, "%31s %511s", verb, pat) != 2) {
			kx_diags_add(d, KX_DIAG_ERROR, path, lineno,
				     "%s:%d: expected '<rule> <pattern>'", path, lineno);
			err = KX_ESYNTAX;
			continue;
		}
		if (!strcmp(verb, "prune"))
			k = KX_PRUNE_PATH;
		else if (!strcmp(verb, "keep"))
			k = KX_KEEP_PATH;
		else if (!strcmp(verb, "prune-symbol"))
			k = KX_PRUNE_SYMBOL;
		else if (!strcmp(verb, "keep-symbol"))
			k = KX_KEEP_SYMBOL;
		else {
			kx_diags_add(d, KX_DIAG_ERROR, path, lineno,
				     "%s:%d: unknown rule '%s' (prune, keep, prune-symbol, keep-symbol)",
				     path, lineno, verb);
			err = KX_ESYNTAX;
			continue;
		}
		p->v = kx_xrealloc(p->v, (p->n + 1) * sizeof(*p->v));
		p->v[p->n].kind = k;
		p->v[p->n].pattern = kx_xstrdup(pat);
		p->v[p->n].line = lineno;
		p->n++;
	}
	free(text);
	return err;
}

void kx_prune_policy_free(struct kx_prune_policy *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->v[i].pattern);
	free(p->v);
	free(p->file);
	memset(p, 0, sizeof(*p));
}

/* 'path' is 'dir' or below it (whole components) */
static size_t path_match(const char *dir, const char *path)
{
	size_t n = strlen(dir);

	while (n && dir[n - 1] == '/')
		n--;
	if (strncmp(dir, path, n))
		return 0;
	return path[n] == 0 || path[n] == '/' ? n : 0;
}

/* Does a keep-symbol rule name 's'? */
static bool kept_by_name(const struct kx_prune_policy *p, const struct kx_sym *s)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->v[i].kind == KX_KEEP_SYMBOL && !fnmatch(p->v[i].pattern, s->name, 0))
			return true;
	return false;
}

bool kx_prune_policy_matches(const struct kx_prune_policy *p, const struct kx_sym *s)
{
	struct kx_menu *m;
	size_t best = 0;
	bool prune = false;

	if (!s->name || kept_by_name(p, s))
		return false;
	for (size_t i = 0; i < p->n; i++)
		if (p->v[i].kind == KX_PRUNE_SYMBOL && !fnmatch(p->v[i].pattern, s->name, 0))
			return true;
	/* the entry with the prompt decides where the option lives */
	m = kx_sym_main_menu(s);
	if (!m || !m->file)
		return false;
	for (size_t i = 0; i < p->n; i++) {
		size_t l;

		if (p->v[i].kind != KX_PRUNE_PATH && p->v[i].kind != KX_KEEP_PATH)
			continue;
		l = path_match(p->v[i].pattern, m->file);
		if (l && l >= best) {
			best = l;
			prune = p->v[i].kind == KX_PRUNE_PATH;
		}
	}
	return prune;
}

/* ---- pruning -------------------------------------------------------------- */

static char *group_of(const struct kx_sym *s)
{
	struct kx_menu *m = kx_sym_main_menu(s), *chain[64];
	struct kx_buf b = KX_BUF_INIT;
	int n = 0;

	for (; m && !(m->flags & KX_MENU_ROOT) && n < 64; m = m->parent)
		chain[n++] = m;
	/* the two outermost levels, without the entry itself */
	for (int i = n - 1, k = 0; i >= 1 && k < 2; i--, k++) {
		if (k)
			kx_buf_puts(&b, " -> ");
		kx_buf_puts(&b, kx_menu_prompt_text(chain[i]) ? kx_menu_prompt_text(chain[i]) : "?");
	}
	if (!b.len)
		kx_buf_puts(&b, "(top level)");
	return kx_buf_detach(&b);
}

static struct kx_prune_group *group_get(struct kx_prune_result *r, const char *menu)
{
	for (size_t i = 0; i < r->ngroups; i++)
		if (!strcmp(r->groups[i].menu, menu))
			return &r->groups[i];
	r->groups = kx_xrealloc(r->groups, (r->ngroups + 1) * sizeof(*r->groups));
	memset(&r->groups[r->ngroups], 0, sizeof(*r->groups));
	r->groups[r->ngroups].menu = kx_xstrdup(menu);
	return &r->groups[r->ngroups++];
}

static void count(struct kx_kconfig *kc, struct kx_prune_result *r, bool after,
		  kx_tri *vals)
{
	for (size_t i = 0; i < kc->nsyms; i++) {
		struct kx_sym *s = kc->syms[i];
		struct kx_prune_group *g;
		char *menu;

		if (!s->name || !s->menus || (s->flags & KX_SYM_CONST) ||
		    (s->type != KX_S_BOOLEAN && s->type != KX_S_TRISTATE))
			continue;
		kx_sym_calc_value(kc, s);
		if (vals)
			vals[i] = s->curr.tri;
		if (s->curr.tri == KX_NO)
			continue;
		menu = group_of(s);
		g = group_get(r, menu);
		free(menu);
		if (s->curr.tri == KX_YES) {
			if (after)
				g->y_after++, r->y_after++;
			else
				g->y_before++, r->y_before++;
		} else {
			if (after)
				g->m_after++, r->m_after++;
			else
				g->m_before++, r->m_before++;
		}
	}
}

static int group_cmp(const void *x, const void *y)
{
	const struct kx_prune_group *a = x, *b = y;

	return strcmp(a->menu, b->menu);
}

int kx_prune(struct kx_confio *io, const struct kx_prune_policy *pol,
	     const struct kx_target *targets, size_t nt, struct kx_prune_result *res)
{
	struct kx_kconfig *kc = io->kc;
	kx_tri *before = kx_xcalloc(kc->nsyms + 1, sizeof(*before));
	bool *cand = kx_xcalloc(kc->nsyms + 1, sizeof(*cand));
	char *text;
	int err = 0;

	struct kx_target *all = kx_xcalloc(nt + kc->nsyms + 1, sizeof(*all));
	size_t nall = nt;

	memset(res, 0, sizeof(*res));
	count(kc, res, false, before);
	/*
	 * The options a keep-symbol rule names (the Xen frontends, TCG_XEN...)
	 * that the base has on stay on as they are, and so does what they need:
	 * they join the profile's targets, so that pruning a prerequisite
	 * (FB under XEN_FBDEV_FRONTEND, USB under USB_XEN_HCD) is undone by the
	 * closure only where something kept needs it.
	 */
	memcpy(all, targets, nt * sizeof(*all));
	for (size_t i = 0; i < kc->nsyms; i++) {
		struct kx_sym *s = kc->syms[i];
		bool dup = false;

		if (before[i] == KX_NO || !s->name || !s->menus || kx_sym_is_choice(s) ||
		    (s->type != KX_S_BOOLEAN && s->type != KX_S_TRISTATE) ||
		    !kx_sym_is_changeable(kc, s) || !kept_by_name(pol, s))
			continue;
		for (size_t k = 0; k < nt && !dup; k++)
			dup = targets[k].sym == s;
		if (dup)
			continue;
		all[nall++] = (struct kx_target){ s, before[i] == KX_YES ? "y" : "m",
						  "the base (a keep-symbol rule)", false };
	}
	/* every hardware option that is on and can be switched off */
	for (size_t i = 0; i < kc->nsyms; i++) {
		struct kx_sym *s = kc->syms[i];

		if (before[i] == KX_NO || !s->menus || kx_sym_is_choice(s) ||
		    kx_sym_is_choice_value(kc, s) || !kx_prune_policy_matches(pol, s))
			continue;
		cand[i] = true;
		s->def[KX_DEF_USER].tri = KX_NO;
		s->flags |= KX_SYM_DEF_USER;
	}
	kx_sym_clear_all_valid(kc);
	text = kx_conf_text(io);
	kx_conf_load_text(io, "pruned", text);
	free(text);
	/* what the profile and the kept options need back */
	if (nall) {
		err = kx_closure_solve(&res->fix, kc, all, nall, NULL);
		if (err < 0)
			goto out;
		if (res->fix->config_text)
			kx_conf_load_text(io, "pruned", res->fix->config_text);
	}
	count(kc, res, true, NULL);
	for (size_t i = 0; i < kc->nsyms; i++) {
		struct kx_sym *s = kc->syms[i];

		if (!cand[i])
			continue;
		kx_sym_calc_value(kc, s);
		if (s->curr.tri == KX_NO) {
			char *menu = group_of(s);

			res->pruned = kx_xrealloc(res->pruned, (res->npruned + 1) *
						  sizeof(*res->pruned));
			res->pruned[res->npruned++] = s;
			group_get(res, menu)->pruned++;
			free(menu);
			continue;
		}
		res->kept = kx_xrealloc(res->kept, (res->nkept + 1) * sizeof(*res->kept));
		res->kept_why = kx_xrealloc(res->kept_why, (res->nkept + 1) *
					    sizeof(*res->kept_why));
		res->kept[res->nkept] = s;
		res->kept_why[res->nkept] = s->rev_dep_tri != KX_NO
			? "selected by another option that stays"
			: "needed by the profile or a kept option";
		res->nkept++;
	}
	if (res->ngroups)	/* none: groups is NULL, and qsort(NULL, 0) is undefined */
		qsort(res->groups, res->ngroups, sizeof(*res->groups), group_cmp);
	res->config_text = kx_conf_text(io);
out:
	free(before);
	free(cand);
	res->targets = all;	/* the closure's unmet entries point into it */
	return err;
}

void kx_prune_result_free(struct kx_prune_result *res)
{
	for (size_t i = 0; i < res->ngroups; i++)
		free(res->groups[i].menu);
	free(res->groups);
	free(res->pruned);
	free(res->kept);
	free(res->kept_why);
	kx_closure_free(res->fix);
	free(res->targets);
	free(res->config_text);
	memset(res, 0, sizeof(*res));
}
