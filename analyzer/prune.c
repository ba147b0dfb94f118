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
#include "analyzer/explain.h"
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

/* The rule that decides 's' (NULL: none; a keep rule keeps it). */
static const struct kx_prune_rule *deciding_rule(const struct kx_prune_policy *p,
						 const struct kx_sym *s);

/* Does a keep-symbol rule name 's'? */
static bool kept_by_name(const struct kx_prune_policy *p, const struct kx_sym *s)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->v[i].kind == KX_KEEP_SYMBOL && !fnmatch(p->v[i].pattern, s->name, 0))
			return true;
	return false;
}

static const struct kx_prune_rule *deciding_rule(const struct kx_prune_policy *p,
						 const struct kx_sym *s)
{
	const struct kx_prune_rule *r = NULL;
	struct kx_menu *m;
	size_t best = 0;

	if (!s->name)
		return NULL;
	for (size_t i = 0; i < p->n; i++)
		if (p->v[i].kind == KX_KEEP_SYMBOL && !fnmatch(p->v[i].pattern, s->name, 0))
			return &p->v[i];
	for (size_t i = 0; i < p->n; i++)
		if (p->v[i].kind == KX_PRUNE_SYMBOL && !fnmatch(p->v[i].pattern, s->name, 0))
			return &p->v[i];
	/* the entry with the prompt decides where the option lives; the
	 * longest matching path wins, the later of two equal ones */
	m = kx_sym_main_menu(s);
	if (!m || !m->file)
		return NULL;
	for (size_t i = 0; i < p->n; i++) {
		size_t l;

		if (p->v[i].kind != KX_PRUNE_PATH && p->v[i].kind != KX_KEEP_PATH)
			continue;
		l = path_match(p->v[i].pattern, m->file);
		if (l && l >= best) {
			best = l;
			r = &p->v[i];
		}
	}
	return r;
}

bool kx_prune_policy_matches(const struct kx_prune_policy *p, const struct kx_sym *s)
{
	const struct kx_prune_rule *r = deciding_rule(p, s);

	return r && (r->kind == KX_PRUNE_PATH || r->kind == KX_PRUNE_SYMBOL);
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

/* ---- accounting ------------------------------------------------------------ */

/* each symbol's line as written in 'text': by seq, pointing into 'l' */
static void written(struct kx_kconfig *kc, const char *prefix, const char *text,
		    struct kx_cfglines *l, const char **out)
{
	kx_cfglines_parse(l, prefix, "config", text);
	for (size_t i = 0; i < l->n; i++) {
		struct kx_sym *s = kx_sym_find(kc, l->v[i].name);

		if (s)
			out[s->seq] = l->v[i].value;
	}
}

/* a line's value, "n" for a bool or tristate with no line */
static const char *line_value(const struct kx_sym *s, const char *v)
{
	if (!v && (s->type == KX_S_BOOLEAN || s->type == KX_S_TRISTATE))
		return "n";
	return v;
}

/* a value for the report: a string without its quotes and escapes */
static char *report_value(const struct kx_sym *s, const char *v)
{
	struct kx_buf b = KX_BUF_INIT;

	if (!v)
		return NULL;
	if (s->type != KX_S_STRING || *v != '"')
		return kx_xstrdup(v);
	for (v++; *v && *v != '"'; v++) {
		if (*v == '\\' && v[1])
			v++;
		kx_buf_putc(&b, *v);
	}
	return kx_buf_detach(&b);
}

static bool same(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/* "A [y -> n]" for each symbol of 'e' whose value moved (bval: before) */
static void moved_in(struct kx_kconfig *kc, const struct kx_expr *e, char **bval,
		     unsigned *mark, unsigned stamp, struct kx_buf *b)
{
	struct kx_sym *x[2] = { NULL, NULL };

	if (!e)
		return;
	switch (e->type) {
	case KX_E_AND:
	case KX_E_OR:
		moved_in(kc, e->left.expr, bval, mark, stamp, b);
		moved_in(kc, e->right.expr, bval, mark, stamp, b);
		return;
	case KX_E_NOT:
		moved_in(kc, e->left.expr, bval, mark, stamp, b);
		return;
	case KX_E_SYMBOL:
		x[0] = e->left.sym;
		break;
	case KX_E_NONE:
	case KX_E_RANGE:
		return;
	default:
		x[0] = e->left.sym;
		x[1] = e->right.sym;
		break;
	}
	for (int k = 0; k < 2; k++) {
		const char *now;

		if (!x[k] || (x[k]->flags & KX_SYM_CONST) || !x[k]->name ||
		    mark[x[k]->seq] == stamp)
			continue;
		mark[x[k]->seq] = stamp;
		now = kx_sym_string_value(kc, x[k]);
		if (same(bval[x[k]->seq], now))
			continue;
		kx_buf_printf(b, "%s%s [%s -> %s]", b->len ? ", " : "", x[k]->name,
			      bval[x[k]->seq] && *bval[x[k]->seq] ? bval[x[k]->seq] : "\"\"",
			      *now ? now : "\"\"");
	}
}

/* what a consequence follows: the symbols of its definition that moved */
static char *follows(struct kx_kconfig *kc, struct kx_sym *s, char **bval,
		     unsigned *mark, unsigned stamp)
{
	struct kx_buf b = KX_BUF_INIT;

	moved_in(kc, s->dir_dep, bval, mark, stamp, &b);
	moved_in(kc, s->rev_dep, bval, mark, stamp, &b);
	moved_in(kc, s->implied, bval, mark, stamp, &b);
	for (struct kx_prop *p = s->prop; p; p = p->next) {
		moved_in(kc, p->visible, bval, mark, stamp, &b);
		if (p->type == KX_P_DEFAULT)
			moved_in(kc, p->expr, bval, mark, stamp, &b);
	}
	if (!b.len) {
		kx_buf_puts(&b, kx_sym_is_choice_value(kc, s) ?
			    "its choice selects another member" :
			    "its default, with the options above pruned");
		return kx_buf_detach(&b);
	}
	{
		char *t = kx_xasprintf("follows %s", kx_buf_cstr(&b));

		kx_buf_free(&b);
		return t;
	}
}

/* the options that select 's' and are on: "selected by A [=y], B [=m]"
 * (kx_why_compute's selectors whose select applies now) */
static char *selected_by(struct kx_kconfig *kc, struct kx_sym *s)
{
	struct kx_buf b = KX_BUF_INIT;
	struct kx_why w;

	kx_why_compute(kc, s, &w);
	for (size_t i = 0; i < w.nselectors; i++) {
		const struct kx_who *x = &w.selectors[i];

		if (x->active == KX_NO || (i && w.selectors[i - 1].sym == x->sym &&
					   w.selectors[i - 1].active != KX_NO))
			continue;
		kx_buf_printf(&b, "%s%s [=%s]", b.len ? ", " : "selected by ", x->sym->name,
			      x->value);
	}
	kx_why_free(&w);
	return b.len ? kx_buf_detach(&b) : (kx_buf_free(&b), NULL);
}

/* what the closure set 's' for, or NULL when it did not */
static char *restored_for(const struct kx_closure *cl, const struct kx_sym *s)
{
	for (size_t i = 0; cl && i < cl->nchanges; i++) {
		const struct kx_change *c = &cl->changes[i];

		if (c->sym != s)
			continue;
		if (c->is_target)
			return kx_xstrdup("the profile asks for it");
		if (c->need.by)
			return c->need.file ?
				kx_xasprintf("needed by %s=%s (%s:%d)", c->need.by->name,
					     c->need.by_value, c->need.file, c->need.line) :
				kx_xasprintf("needed by %s=%s", c->need.by->name,
					     c->need.by_value);
		return kx_xstrdup("needed by the profile");
	}
	return NULL;
}

/* Why a pruned-by-policy option is still on. */
static char *kept_reason(struct kx_kconfig *kc, const struct kx_closure *cl,
			 struct kx_sym *s)
{
	char *why = restored_for(cl, s);

	if (why)
		return why;
	if (s->rev_dep_tri != KX_NO && (why = selected_by(kc, s)))
		return why;
	if (!kx_sym_is_changeable(kc, s))
		return kx_xasprintf("it has no prompt that can switch it off [=%s]",
				    kx_sym_string_value(kc, s));
	return kx_xasprintf("still %s after pruning", kx_sym_string_value(kc, s));
}

/* Every line that differs between the base text and the result. */
static void account(struct kx_confio *io, const struct kx_prune_policy *pol,
		    const char *base_text, char **bval, const bool *cand,
		    struct kx_prune_result *res)
{
	struct kx_kconfig *kc = io->kc;
	const char **wb = kx_xcalloc(kc->nsyms + 1, sizeof(*wb));
	const char **wa = kx_xcalloc(kc->nsyms + 1, sizeof(*wa));
	unsigned *mark = kx_xcalloc(kc->nsyms + 1, sizeof(*mark));
	struct kx_cfglines lb, la;

	written(kc, io->prefix, base_text, &lb, wb);
	written(kc, io->prefix, res->config_text, &la, wa);
	for (size_t i = 0; i < kc->nsyms; i++) {
		struct kx_sym *s = kc->syms[i];
		const char *b = line_value(s, wb[i]), *a = line_value(s, wa[i]);
		struct kx_prune_change *c;
		char *why;

		if (same(b, a) || !s->name)
			continue;
		res->changes = kx_xrealloc(res->changes, (res->nchanges + 1) *
					   sizeof(*res->changes));
		c = &res->changes[res->nchanges++];
		c->sym = s;
		c->before = report_value(s, b);
		c->after = report_value(s, a);
		if ((why = restored_for(res->fix, s))) {
			c->how = KX_PRUNE_RESTORED;
			c->why = why;
		} else if (cand[i] && same(a, "n")) {
			const struct kx_prune_rule *r = deciding_rule(pol, s);

			c->how = KX_PRUNE_BY_POLICY;
			c->why = r ? kx_xasprintf("%s %s (%s:%d)", r->kind == KX_PRUNE_PATH ?
						  "prune" : "prune-symbol", r->pattern,
						  pol->file ? pol->file : "policy", r->line)
				   : kx_xstrdup("the policy");
		} else {
			c->how = KX_PRUNE_FOLLOWS;
			c->why = follows(kc, s, bval, mark, (unsigned)i + 1);
		}
	}
	kx_cfglines_free(&lb);
	kx_cfglines_free(&la);
	free(mark);
	free(wb);
	free(wa);
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

	char *base_text, **bval = kx_xcalloc(kc->nsyms + 1, sizeof(*bval));

	memset(res, 0, sizeof(*res));
	count(kc, res, false, before);
	base_text = kx_conf_text(io);
	for (size_t i = 0; i < kc->nsyms; i++)
		bval[i] = kx_xstrdup(kx_sym_string_value(kc, kc->syms[i]));
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
		res->kept_why[res->nkept] = kept_reason(kc, res->fix, s);
		res->nkept++;
	}
	if (res->ngroups)	/* none: groups is NULL, and qsort(NULL, 0) is undefined */
		qsort(res->groups, res->ngroups, sizeof(*res->groups), group_cmp);
	res->config_text = kx_conf_text(io);
	account(io, pol, base_text, bval, cand, res);
out:
	for (size_t i = 0; i < kc->nsyms; i++)
		free(bval[i]);
	free(bval);
	free(base_text);
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
	for (size_t i = 0; i < res->nkept; i++)
		free(res->kept_why[i]);
	free(res->kept_why);
	for (size_t i = 0; i < res->nchanges; i++) {
		free(res->changes[i].before);
		free(res->changes[i].after);
		free(res->changes[i].why);
	}
	free(res->changes);
	kx_closure_free(res->fix);
	free(res->targets);
	free(res->config_text);
	memset(res, 0, sizeof(*res));
}
