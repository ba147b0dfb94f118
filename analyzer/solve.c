// SPDX-License-Identifier: MIT
/*
 * solve.c - the closure engine (see solve.h for the contract).
 *
 * Encoding.  Every bool/tristate value v is a pair of literals (a, b):
 * a = "v >= m", b = "v = y", with b -> a.  Expressions become Tseitin gates
 * (AND = min, OR = max, NOT swaps and negates).  A symbol's value is the
 * circuit of conf's rules (eval.c):
 *
 *   vis  = OR of prompt conditions, m -> y unless a tristate with modules
 *   v0   = vis && user-set ? min(user, vis)
 *                          : first active default, raised by 'imply'
 *   v    = max(v0, selected-by), m -> y for bool
 *
 * A transitional symbol (6.18) is visible, and its value is its base user
 * value or n.  'depends on X if Y' needs nothing here: the parser made it
 * the expression conf evaluates, X || (Y = n). *
 * where "user-set" and "user" are the base config's values unless the
 * symbol's change variable is true, in which case they are free.  Choices
 * are one-hot selections: unchanged, the member conf's algorithm would
 * pick from the base values (an if-then-else chain over visibility);
 * changed, any visible member.  Comparisons of int/hex/string values are
 * frozen at their value in the evaluated config.
 *
 * Search.  Targets are assumptions; change variables prefer false; the
 * changes of a model are shrunk until no subset works (assume the others
 * false, drop one at a time).  Then the evaluator judges (solve.h).
 */
#include "analyzer/solve.h"

#include <picosat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analyzer/confdata.h"
#include "analyzer/eval.h"

#define V2(kc) (KX_SEM(kc, CHOICE_V2))

struct tv {
	int a, b;
};

struct symvar {
	struct tv v;		/* the value */
	struct tv vis;		/* visibility */
	int change;		/* change variable, 0 when not settable */
	struct tv u;		/* free user value when changed */
	bool encoded, encoding;
};

struct choicevar {
	struct kx_menu *menu;
	int change;		/* a new selection */
	int *pick;		/* per member (menu order): picked when changed */
	int *sel;		/* per member: selected */
	struct kx_sym **mem;	/* members in menu order */
	size_t n;
	bool encoded;
};

/* base user state, to restore between trials */
struct basesym {
	unsigned flags;
	struct kx_symval def;
	struct kx_sym *choice_def;
};

struct basechoice {
	struct kx_menu *menu;
	struct kx_sym **prio;
	size_t nprio;
};

struct exprmemo {
	const struct kx_expr *e;
	struct tv v;
};

struct solver {
	struct kx_kconfig *kc;
	PicoSAT *ps;
	int T;			/* a literal that is true */
	unsigned nclauses;
	struct symvar *sv;	/* by sym->seq */
	struct choicevar *cv;	/* by choice sym->seq (sparse) */
	struct exprmemo *memo;	/* open hash by expression pointer */
	size_t memo_cap, memo_n;
	int modules;		/* literal: modules enabled */
	/* base snapshot */
	struct basesym *base;
	struct basechoice *bchoice;
	size_t nbchoice;
	struct kx_confio io;
};

/* ---- SAT plumbing ------------------------------------------------------- */

static int newvar(struct solver *s)
{
	return picosat_inc_max_var(s->ps);
}

static void clause(struct solver *s, int a, int b, int c)
{
	/* literal T/-T simplify: a clause with T is satisfied */
	int lits[3] = { a, b, c }, n = 0, out[3];

	for (int i = 0; i < 3; i++) {
		if (!lits[i])
			continue;
		if (lits[i] == s->T)
			return;
		if (lits[i] == -s->T)
			continue;
		out[n++] = lits[i];
	}
	for (int i = 0; i < n; i++)
		picosat_add(s->ps, out[i]);
	picosat_add(s->ps, 0);
	s->nclauses++;
}

static int g_and(struct solver *s, int x, int y)
{
	int g;

	if (x == -s->T || y == -s->T || x == -y)
		return -s->T;
	if (x == s->T)
		return y;
	if (y == s->T || x == y)
		return x;
	g = newvar(s);
	clause(s, -g, x, 0);
	clause(s, -g, y, 0);
	clause(s, g, -x, -y);
	return g;
}

static int g_or(struct solver *s, int x, int y)
{
	return -g_and(s, -x, -y);
}

static int g_ite(struct solver *s, int c, int t, int e)
{
	int g;

	if (c == s->T || t == e)
		return t;
	if (c == -s->T)
		return e;
	if (t == s->T)
		return g_or(s, c, e);
	if (t == -s->T)
		return g_and(s, -c, e);
	if (e == s->T)
		return g_or(s, -c, t);
	if (e == -s->T)
		return g_and(s, c, t);
	g = newvar(s);
	clause(s, -c, -t, g);
	clause(s, -c, t, -g);
	clause(s, c, -e, g);
	clause(s, c, e, -g);
	return g;
}

static struct tv tv_const(struct solver *s, kx_tri t)
{
	struct tv v = { t >= KX_MOD ? s->T : -s->T, t == KX_YES ? s->T : -s->T };

	return v;
}

static struct tv tv_and(struct solver *s, struct tv x, struct tv y)
{
	struct tv v = { g_and(s, x.a, y.a), g_and(s, x.b, y.b) };

	return v;
}

static struct tv tv_or(struct solver *s, struct tv x, struct tv y)
{
	struct tv v = { g_or(s, x.a, y.a), g_or(s, x.b, y.b) };

	return v;
}

static struct tv tv_not(struct tv x)
{
	struct tv v = { -x.b, -x.a };

	return v;
}

static struct tv tv_ite(struct solver *s, int c, struct tv t, struct tv e)
{
	struct tv v = { g_ite(s, c, t.a, e.a), g_ite(s, c, t.b, e.b) };

	return v;
}

/* m -> y when the symbol reads as bool (type bool, or modules off) */
static struct tv promote(struct solver *s, const struct kx_sym *sym, struct tv x)
{
	struct tv v = x;

	if (sym->type != KX_S_TRISTATE)
		v.b = x.a;
	else
		v.b = g_or(s, x.b, g_and(s, x.a, -s->modules));
	return v;
}

/* literal for "value == t" */
static int tv_is(struct solver *s, struct tv x, kx_tri t)
{
	switch (t) {
	case KX_NO: return -x.a;
	case KX_MOD: return g_and(s, x.a, -x.b);
	default: return x.b;
	}
}

/* ---- encoding ------------------------------------------------------------- */

static struct tv sym_value(struct solver *s, struct kx_sym *sym);
static struct tv expr_value(struct solver *s, const struct kx_expr *e);

static bool tristate_like(const struct kx_sym *sym)
{
	if (sym->flags & KX_SYM_CONST)
		return sym->type == KX_S_TRISTATE;	/* y, m, n */
	return sym->type == KX_S_BOOLEAN || sym->type == KX_S_TRISTATE;
}

static bool memo_get(struct solver *s, const struct kx_expr *e, struct tv *v)
{
	size_t j;

	if (!s->memo_cap)
		return false;
	j = ((uintptr_t)e >> 4) & (s->memo_cap - 1);
	for (; s->memo[j].e; j = (j + 1) & (s->memo_cap - 1)) {
		if (s->memo[j].e == e) {
			*v = s->memo[j].v;
			return true;
		}
	}
	return false;
}

static void memo_put(struct solver *s, const struct kx_expr *e, struct tv v)
{
	size_t j;

	if (s->memo_n * 2 >= s->memo_cap) {
		size_t cap = s->memo_cap ? s->memo_cap * 2 : 65536;
		struct exprmemo *m = kx_xcalloc(cap, sizeof(*m));

		for (size_t i = 0; i < s->memo_cap; i++) {
			if (!s->memo[i].e)
				continue;
			j = ((uintptr_t)s->memo[i].e >> 4) & (cap - 1);
			while (m[j].e)
				j = (j + 1) & (cap - 1);
			m[j] = s->memo[i];
		}
		free(s->memo);
		s->memo = m;
		s->memo_cap = cap;
	}
	j = ((uintptr_t)e >> 4) & (s->memo_cap - 1);
	while (s->memo[j].e)
		j = (j + 1) & (s->memo_cap - 1);
	s->memo[j].e = e;
	s->memo[j].v = v;
	s->memo_n++;
}

/* comparison of two tristate-valued symbols, as conf's string compare */
static int compare_tri(struct solver *s, enum kx_expr_type op, struct tv x,
		       struct tv y)
{
	int res = -s->T;

	for (int i = 0; i < 3; i++) {
		for (int j = 0; j < 3; j++) {
			bool hold;

			switch (op) {
			case KX_E_EQUAL: hold = i == j; break;
			case KX_E_UNEQUAL: hold = i != j; break;
			case KX_E_LTH: hold = i < j; break;
			case KX_E_LEQ: hold = i <= j; break;
			case KX_E_GTH: hold = i > j; break;
			default: hold = i >= j; break;
			}
			if (hold)
				res = g_or(s, res, g_and(s, tv_is(s, x, (kx_tri)i),
							 tv_is(s, y, (kx_tri)j)));
		}
	}
	return res;
}

static struct tv expr_value(struct solver *s, const struct kx_expr *e)
{
	struct tv v, x, y;

	if (!e)
		return tv_const(s, KX_YES);
	if (memo_get(s, e, &v))
		return v;
	switch (e->type) {
	case KX_E_SYMBOL:
		v = sym_value(s, e->left.sym);
		break;
	case KX_E_AND:
		x = expr_value(s, e->left.expr);
		y = expr_value(s, e->right.expr);
		v = tv_and(s, x, y);
		break;
	case KX_E_OR:
		x = expr_value(s, e->left.expr);
		y = expr_value(s, e->right.expr);
		v = tv_or(s, x, y);
		break;
	case KX_E_NOT:
		v = tv_not(expr_value(s, e->left.expr));
		break;
	default:
		if (tristate_like(e->left.sym) && tristate_like(e->right.sym)) {
			int r = compare_tri(s, e->type, sym_value(s, e->left.sym),
					    sym_value(s, e->right.sym));

			v.a = v.b = r;
		} else {
			/* int/hex/string: frozen at the evaluated value */
			v = tv_const(s, kx_expr_calc(s->kc, e));
		}
		break;
	}
	memo_put(s, e, v);
	return v;
}

static struct tv visibility(struct solver *s, struct kx_sym *sym)
{
	struct tv raw = tv_const(s, KX_NO), v;

	/* 6.18: a transitional symbol is visible (eval.c calc_visibility) */
	if (sym->flags & KX_SYM_TRANS)
		return tv_const(s, KX_YES);
	for (struct kx_prop *p = sym->prop; p; p = p->next)
		if (p->text)
			raw = tv_or(s, raw, expr_value(s, p->visible));
	v = raw;
	/* conf: m -> y unless a tristate symbol with modules enabled */
	if (sym->type != KX_S_TRISTATE)
		v.b = raw.a;
	else
		v.b = g_or(s, raw.b, g_and(s, raw.a, -s->modules));
	return v;
}

static bool settable(const struct kx_sym *sym)
{
	for (struct kx_prop *p = sym->prop; p; p = p->next)
		if (p->text)
			return true;
	return false;
}

static struct tv base_user(struct solver *s, struct kx_sym *sym, int *has)
{
	struct basesym *b = &s->base[sym->seq];

	*has = (b->flags & KX_SYM_DEF_USER) ? s->T : -s->T;
	return tv_const(s, b->def.tri);
}

static struct choicevar *choice_vars(struct solver *s, struct kx_menu *cm);

static struct tv member_value(struct solver *s, struct kx_sym *sym,
			      struct kx_menu *cm)
{
	struct choicevar *c = choice_vars(s, cm);
	struct tv v = tv_const(s, KX_NO);

	for (size_t i = 0; i < c->n; i++) {
		if (c->mem[i] != sym)
			continue;
		v.a = v.b = c->sel[i];
		return v;
	}
	return v;
}

static struct kx_menu *v1_choice_of(const struct kx_sym *sym)
{
	if ((sym->flags & KX_SYM_CHOICEVAL) && sym->choice_sym)
		return sym->choice_sym->menus;
	return NULL;
}

static void encode_sym(struct solver *s, struct kx_sym *sym)
{
	struct kx_kconfig *kc = s->kc;
	struct symvar *x = &s->sv[sym->seq];
	struct tv dep, rev, imp, u, v0, dv, v;
	int has_u, usel;
	struct kx_menu *cm;

	x->vis = visibility(s, sym);
	cm = V2(kc) ? kx_sym_choice_menu(sym) : v1_choice_of(sym);
	if (cm && cm->sym) {
		if (V2(kc)) {
			v = member_value(s, sym, cm);
			clause(s, -v.a, x->vis.a, 0);
			x->v = v;
			return;
		}
		/* <= 6.10: a member of a choice that is y is set by the selection */
		struct tv cval = sym_value(s, cm->sym);
		struct tv m = member_value(s, sym, cm);
		int sel_mode = g_and(s, cval.b, x->vis.b);

		/* outside selection mode (choice m or n): treat as n (bool choices) */
		x->v = tv_ite(s, sel_mode, m, tv_const(s, KX_NO));
		return;
	}
	if (sym->flags & KX_SYM_TRANS) {
		/*
		 * 6.18: a transitional symbol (no prompt, so never changed)
		 * keeps the user value its .config gave it, else n; conf
		 * computes neither its dependencies nor its selects.
		 */
		u = base_user(s, sym, &has_u);
		x->v = promote(s, sym, tv_ite(s, has_u, u, tv_const(s, KX_NO)));
		return;
	}
	dep = promote(s, sym, expr_value(s, sym->dir_dep));
	rev = promote(s, sym, sym->rev_dep ? expr_value(s, sym->rev_dep)
					   : tv_const(s, KX_NO));
	imp = promote(s, sym, sym->implied ? expr_value(s, sym->implied)
					   : tv_const(s, KX_NO));
	u = base_user(s, sym, &has_u);
	if (x->change) {
		u = tv_ite(s, x->change, x->u, u);
		has_u = g_or(s, x->change, has_u);
	}
	usel = g_and(s, x->vis.a, has_u);
	/* defaults: the first whose condition is not n */
	dv = tv_const(s, KX_NO);
	if (!kx_sym_is_choice(sym)) {
		struct kx_prop *defs[512];
		size_t nd = 0;

		for (struct kx_prop *p = sym->prop; p && nd < 512; p = p->next)
			if (p->type == KX_P_DEFAULT)
				defs[nd++] = p;
		while (nd-- > 0) {
			struct tv c = expr_value(s, defs[nd]->visible);
			struct tv val = tv_and(s, expr_value(s, defs[nd]->expr), c);

			dv = tv_ite(s, c.a, val, dv);
		}
		if (sym->implied)
			dv = tv_ite(s, imp.a, tv_and(s, tv_or(s, dv, imp), dep), dv);
	}
	v0 = tv_ite(s, usel, tv_and(s, u, x->vis), dv);
	v = promote(s, sym, tv_or(s, v0, rev));
	x->v = v;
}

static struct tv sym_value(struct solver *s, struct kx_sym *sym)
{
	struct symvar *x;

	if (sym == &s->kc->sym_yes)
		return tv_const(s, KX_YES);
	if (sym == &s->kc->sym_mod)
		return tv_const(s, KX_MOD);
	if (sym == &s->kc->sym_no || !tristate_like(sym))
		return tv_const(s, KX_NO);
	x = &s->sv[sym->seq];
	if (x->encoded || x->encoding)
		return x->v;
	/* allocate the value first: a loop through choices finds it */
	x->encoding = true;
	x->v.a = newvar(s);
	x->v.b = sym->type == KX_S_BOOLEAN ? x->v.a : newvar(s);
	{
		struct tv pre = x->v;

		encode_sym(s, sym);
		/* tie the pre-allocated pair to the circuit */
		clause(s, -pre.a, x->v.a, 0);
		clause(s, pre.a, -x->v.a, 0);
		clause(s, -pre.b, x->v.b, 0);
		clause(s, pre.b, -x->v.b, 0);
		clause(s, -pre.b, pre.a, 0);
		x->v = pre;
	}
	x->encoding = false;
	x->encoded = true;
	return x->v;
}

/* members of a choice in menu order (unique) */
static void choice_members(struct kx_kconfig *kc, struct kx_menu *cm,
			   struct kx_sym ***out, size_t *n)
{
	size_t cap = 8;
	struct kx_sym **v = kx_xmalloc(cap * sizeof(*v));

	*n = 0;
	if (V2(kc)) {
		for (struct kx_menu *m = kx_menu_next(cm, cm); m; m = kx_menu_next(m, cm)) {
			bool dup = false;

			if (!m->sym)
				continue;
			for (size_t i = 0; i < *n && !dup; i++)
				dup = v[i] == m->sym;
			if (dup)
				continue;
			if (*n == cap)
				v = kx_xrealloc(v, (cap *= 2) * sizeof(*v));
			v[(*n)++] = m->sym;
		}
	} else {
		for (size_t i = 0; i < cm->nmembers; i++) {
			if (*n == cap)
				v = kx_xrealloc(v, (cap *= 2) * sizeof(*v));
			v[(*n)++] = cm->members[i];
		}
	}
	*out = v;
}

static struct basechoice *base_choice(struct solver *s, struct kx_menu *cm)
{
	for (size_t i = 0; i < s->nbchoice; i++)
		if (s->bchoice[i].menu == cm)
			return &s->bchoice[i];
	return NULL;
}

static int member_index(struct choicevar *c, const struct kx_sym *sym)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->mem[i] == sym)
			return (int)i;
	return -1;
}

/*
 * The member conf would select without a new user choice, as a one-hot
 * if-then-else chain over the members' visibility (6.11+ algorithm: user
 * 'y' in priority order, the default unless the user said n, the first
 * member without a value, the last one with).
 */
static void v2_keep(struct solver *s, struct choicevar *c, int *keep,
		    struct tv *vis)
{
	struct basechoice *bc = base_choice(s, c->menu);
	int found = -s->T;

	for (size_t i = 0; i < c->n; i++)
		keep[i] = -s->T;
#define TAKE(idx, guard) do {						\
		int g_ = (guard);					\
		keep[idx] = g_or(s, keep[idx], g_and(s, -found, g_));	\
		found = g_or(s, found, g_);				\
	} while (0)
	/* 1: user y, in priority order */
	for (size_t k = 0; bc && k < bc->nprio; k++) {
		struct kx_sym *m = bc->prio[k];
		int i = member_index(c, m);
		struct basesym *b = &s->base[m->seq];

		if (i < 0 || !(b->flags & KX_SYM_DEF_USER) || b->def.tri != KX_YES)
			continue;
		TAKE(i, vis[i].a);
	}
	/* 2: the default, unless the user set it to n */
	{
		int s2 = -s->T, blocked = -s->T;

		for (struct kx_prop *p = c->menu->sym->prop; p; p = p->next) {
			int i, g;
			struct basesym *b;

			if (p->type != KX_P_DEFAULT || p->expr->type != KX_E_SYMBOL)
				continue;
			i = member_index(c, p->expr->left.sym);
			if (i < 0)
				continue;
			g = g_and(s, -s2, g_and(s, expr_value(s, p->visible).a, vis[i].a));
			s2 = g_or(s, s2, g);
			b = &s->base[c->mem[i]->seq];
			if ((b->flags & KX_SYM_DEF_USER) && b->def.tri == KX_NO)
				blocked = g_or(s, blocked, g);
			else
				TAKE(i, g);
		}
		(void)blocked;
	}
	/* 3: the first visible member without a user value */
	for (size_t i = 0; i < c->n; i++)
		if (!(s->base[c->mem[i]->seq].flags & KX_SYM_DEF_USER))
			TAKE(i, vis[i].a);
	/* 4: the least prioritised visible member */
	for (size_t k = bc ? bc->nprio : 0; k-- > 0;) {
		int i = member_index(c, bc->prio[k]);

		if (i >= 0 && (s->base[bc->prio[k]->seq].flags & KX_SYM_DEF_USER))
			TAKE(i, vis[i].a);
	}
#undef TAKE
}

/* <= 6.10: the user's member if visible, else the default, else the first */
static void v1_keep(struct solver *s, struct choicevar *c, int *keep,
		    struct tv *vis)
{
	struct basesym *cb = &s->base[c->menu->sym->seq];
	int found = -s->T;

	for (size_t i = 0; i < c->n; i++)
		keep[i] = -s->T;
#define TAKE(idx, guard) do {						\
		int g_ = (guard);					\
		keep[idx] = g_or(s, keep[idx], g_and(s, -found, g_));	\
		found = g_or(s, found, g_);				\
	} while (0)
	if (cb->choice_def) {
		int i = member_index(c, cb->choice_def);

		if (i >= 0)
			TAKE(i, vis[i].a);
	}
	for (struct kx_prop *p = c->menu->sym->prop; p; p = p->next) {
		int i;

		if (p->type != KX_P_DEFAULT || p->expr->type != KX_E_SYMBOL)
			continue;
		i = member_index(c, p->expr->left.sym);
		if (i >= 0)
			TAKE(i, g_and(s, expr_value(s, p->visible).a, vis[i].a));
	}
	for (size_t i = 0; i < c->n; i++)
		TAKE(i, vis[i].a);
#undef TAKE
}

static struct choicevar *choice_vars(struct solver *s, struct kx_menu *cm)
{
	struct choicevar *c = &s->cv[cm->sym->seq];
	struct tv *vis;
	int *keep, any = -s->T;

	if (c->encoded)
		return c;
	c->encoded = true;
	c->menu = cm;
	choice_members(s->kc, cm, &c->mem, &c->n);
	c->pick = kx_xcalloc(c->n + 1, sizeof(int));
	c->sel = kx_xcalloc(c->n + 1, sizeof(int));
	/* selection variables exist before anything recursive */
	for (size_t i = 0; i < c->n; i++)
		c->sel[i] = newvar(s);
	c->change = newvar(s);
	picosat_set_default_phase_lit(s->ps, c->change, -1);
	vis = kx_xcalloc(c->n + 1, sizeof(*vis));
	keep = kx_xcalloc(c->n + 1, sizeof(int));
	for (size_t i = 0; i < c->n; i++) {
		vis[i] = visibility(s, c->mem[i]);
		c->pick[i] = newvar(s);
		/* a new selection must be visible */
		clause(s, -c->pick[i], vis[i].a, 0);
		clause(s, -c->pick[i], c->change, 0);
		for (size_t j = 0; j < i; j++)
			clause(s, -c->pick[i], -c->pick[j], 0);
		any = g_or(s, any, c->pick[i]);
	}
	clause(s, -c->change, any, 0);
	if (V2(s->kc))
		v2_keep(s, c, keep, vis);
	else
		v1_keep(s, c, keep, vis);
	for (size_t i = 0; i < c->n; i++) {
		int sel = g_ite(s, c->change, c->pick[i], keep[i]);

		clause(s, -c->sel[i], sel, 0);
		clause(s, c->sel[i], -sel, 0);
	}
	free(vis);
	free(keep);
	return c;
}

/* ---- base snapshot ----------------------------------------------------------- */

static void snapshot(struct solver *s)
{
	struct kx_kconfig *kc = s->kc;

	s->base = kx_xcalloc(kc->nsyms + 1, sizeof(*s->base));
	for (size_t i = 0; i < kc->nsyms; i++) {
		struct kx_sym *sym = kc->syms[i];

		s->base[i].flags = sym->flags & KX_SYM_DEF_USER;
		s->base[i].def = sym->def[KX_DEF_USER];
		s->base[i].choice_def = sym->choice_def[KX_DEF_USER];
		if (kx_sym_is_choice(sym) && sym->menus) {
			struct basechoice *bc;

			s->bchoice = kx_xrealloc(s->bchoice, (s->nbchoice + 1) *
						 sizeof(*s->bchoice));
			bc = &s->bchoice[s->nbchoice++];
			bc->menu = sym->menus;
			bc->nprio = sym->menus->nprio;
			bc->prio = kx_xcalloc(bc->nprio + 1, sizeof(*bc->prio));
			if (bc->nprio)
				memcpy(bc->prio, sym->menus->prio,
				       bc->nprio * sizeof(*bc->prio));
		}
	}
}

static void restore(struct solver *s)
{
	struct kx_kconfig *kc = s->kc;

	for (size_t i = 0; i < kc->nsyms; i++) {
		struct kx_sym *sym = kc->syms[i];

		sym->flags = (sym->flags & ~KX_SYM_DEF_USER) | s->base[i].flags;
		sym->def[KX_DEF_USER] = s->base[i].def;
		sym->choice_def[KX_DEF_USER] = s->base[i].choice_def;
	}
	for (size_t i = 0; i < s->nbchoice; i++) {
		struct basechoice *bc = &s->bchoice[i];

		if (bc->menu->capprio < bc->nprio)
			continue;
		if (bc->nprio)
			memcpy(bc->menu->prio, bc->prio, bc->nprio * sizeof(*bc->prio));
		bc->menu->nprio = bc->nprio;
		for (size_t j = 0; j < bc->nprio; j++)
			bc->prio[j]->member_of = bc->menu;
	}
	kx_sym_clear_all_valid(kc);
}

/* ---- applying and judging ------------------------------------------------------ */

static kx_tri tri_of(const char *v)
{
	return v[0] == 'y' ? KX_YES : v[0] == 'm' ? KX_MOD : KX_NO;
}

void kx_changes_apply(struct kx_kconfig *kc, const struct kx_change *ch, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct kx_sym *sym = ch[i].sym;

		if (sym->type == KX_S_BOOLEAN || sym->type == KX_S_TRISTATE)
			sym->def[KX_DEF_USER].tri = tri_of(ch[i].value);
		else
			sym->def[KX_DEF_USER].val = kx_arena_strdup(kc->arena, ch[i].value);
		sym->flags |= KX_SYM_DEF_USER;
		if (V2(kc)) {
			struct kx_menu *cm = kx_sym_choice_menu(sym);

			/* read last: the highest priority in its choice */
			if (cm && cm->prio) {
				size_t k;

				for (k = 0; k < cm->nprio && cm->prio[k] != sym; k++)
					;
				if (k < cm->nprio) {
					memmove(cm->prio + 1, cm->prio, k * sizeof(*cm->prio));
					cm->prio[0] = sym;
				}
			}
		} else if ((sym->flags & KX_SYM_CHOICEVAL) && sym->choice_sym &&
			   tri_of(ch[i].value) == KX_YES) {
			struct kx_sym *cs = sym->choice_sym;

			cs->choice_def[KX_DEF_USER] = sym;
			cs->def[KX_DEF_USER].tri = KX_YES;
			cs->flags |= KX_SYM_DEF_USER;
		}
	}
	kx_sym_clear_all_valid(kc);
}

/*
 * A string target's value as requested: fragments and .config lines keep
 * conf's quoting ("a \"b\""), the command line may give it bare.  'want'
 * quoted is compared unescaped, as conf reads it; no allocation (the judge
 * calls this in loops).
 */
static bool string_value_is(const char *actual, const char *want)
{
	if (*want != '"')
		return !strcmp(actual, want);
	for (want++; *want && *want != '"'; want++, actual++) {
		if (*want == '\\' && !*++want)
			return false;
		if (*actual != *want)
			return false;
	}
	return *want == '"' && !want[1] && !*actual;
}

/* The requested value as conf would store it (unquoted), in kc's arena. */
static const char *target_value(struct kx_kconfig *kc, const struct kx_target *t)
{
	const char *p = t->value;
	struct kx_buf b = KX_BUF_INIT;
	const char *v;

	if (t->sym->type != KX_S_STRING || *p != '"')
		return p;
	for (p++; *p && *p != '"'; p++) {
		if (*p == '\\' && !*++p)
			break;
		kx_buf_putc(&b, *p);
	}
	v = kx_arena_strdup(kc->arena, kx_buf_cstr(&b));
	kx_buf_free(&b);
	return v;
}

bool kx_target_holds(struct kx_kconfig *kc, const struct kx_target *t)
{
	kx_sym_calc_value(kc, t->sym);
	if (t->visible)
		return t->sym->visible != KX_NO;
	if (t->sym->type == KX_S_BOOLEAN || t->sym->type == KX_S_TRISTATE)
		return t->sym->curr.tri == tri_of(t->value);
	if (t->sym->type == KX_S_STRING)
		return string_value_is(kx_sym_string_value(kc, t->sym), t->value);
	return !strcmp(kx_sym_string_value(kc, t->sym), t->value);
}

/*
 * The judge: base + changes, written as conf would, read back with
 * olddefconfig semantics.  Returns how many targets hold; the evaluation
 * state is left at that config.
 */
static size_t judge(struct solver *s, const struct kx_change *ch, size_t n,
		    const struct kx_target *t, size_t nt, char **text_out)
{
	struct kx_buf text = KX_BUF_INIT;
	size_t ok = 0;

	restore(s);
	kx_changes_apply(s->kc, ch, n);
	kx_conf_format(&s->io, &text);
	kx_eval_reset(s->kc);
	kx_conf_read_mem(&s->io, "closure", kx_buf_cstr(&text), text.len);
	for (size_t i = 0; i < nt; i++)
		ok += kx_target_holds(s->kc, &t[i]);
	if (text_out) {
		kx_buf_reset(&text);
		kx_conf_format(&s->io, &text);
		*text_out = kx_buf_detach(&text);
	}
	kx_buf_free(&text);
	return ok;
}

/*
 * Whether every possible target holds with 'ch' applied: in place (quick:
 * only the targets' dependencies are evaluated) or through a written
 * .config (full).
 */
static bool holds_all(struct solver *s, const struct kx_change *ch, size_t n,
		      const struct kx_target *t, size_t nt, const bool *possible,
		      bool full)
{
	if (full) {
		judge(s, ch, n, t, nt, NULL);
	} else {
		restore(s);
		kx_changes_apply(s->kc, ch, n);
	}
	for (size_t k = 0; k < nt; k++)
		if (possible[k] && !kx_target_holds(s->kc, &t[k]))
			return false;
	return true;
}

/* ---- the solve ----------------------------------------------------------------- */

static void solver_init(struct solver *s, struct kx_kconfig *kc)
{
	memset(s, 0, sizeof(*s));
	s->kc = kc;
	s->ps = picosat_init();
	picosat_set_global_default_phase(s->ps, 0);
	s->T = newvar(s);
	picosat_add(s->ps, s->T);
	picosat_add(s->ps, 0);
	s->sv = kx_xcalloc(kc->nsyms + 1, sizeof(*s->sv));
	s->cv = kx_xcalloc(kc->nsyms + 1, sizeof(*s->cv));
	kx_confio_init(&s->io, kc, NULL);	/* conf's defaults */
	s->io.message = NULL;
	s->io.warn_unknown = false;
}

static void solver_reset_encoding(struct solver *s)
{
	struct kx_kconfig *kc = s->kc;

	if (s->ps)
		picosat_reset(s->ps);
	for (size_t i = 0; i < kc->nsyms; i++) {
		free(s->cv[i].pick);
		free(s->cv[i].sel);
		free(s->cv[i].mem);
	}
	memset(s->sv, 0, (kc->nsyms + 1) * sizeof(*s->sv));
	memset(s->cv, 0, (kc->nsyms + 1) * sizeof(*s->cv));
	free(s->memo);
	s->memo = NULL;
	s->memo_cap = s->memo_n = 0;
	s->nclauses = 0;
	s->ps = picosat_init();
	picosat_set_global_default_phase(s->ps, 0);
	s->T = newvar(s);
	picosat_add(s->ps, s->T);
	picosat_add(s->ps, 0);
}

static void solver_free(struct solver *s)
{
	if (s->ps)
		picosat_reset(s->ps);
	for (size_t i = 0; i < s->kc->nsyms; i++) {
		free(s->cv[i].pick);
		free(s->cv[i].sel);
		free(s->cv[i].mem);
	}
	free(s->sv);
	free(s->cv);
	free(s->memo);
	free(s->base);
	for (size_t i = 0; i < s->nbchoice; i++)
		free(s->bchoice[i].prio);
	free(s->bchoice);
}

/* change variables for every prompted symbol (created before encoding) */
static void make_change_vars(struct solver *s, const struct kx_closure_opts *o)
{
	struct kx_kconfig *kc = s->kc;

	for (size_t i = 0; i < kc->nsyms; i++) {
		struct kx_sym *sym = kc->syms[i];
		struct symvar *x = &s->sv[sym->seq];

		if ((sym->flags & KX_SYM_CONST) || kx_sym_is_choice(sym) ||
		    (sym->type != KX_S_BOOLEAN && sym->type != KX_S_TRISTATE) ||
		    !settable(sym) || kx_sym_is_choice_value(kc, sym))
			continue;
		if (o && o->keep_base_values && (s->base[i].flags & KX_SYM_DEF_USER))
			continue;
		x->change = newvar(s);
		picosat_set_default_phase_lit(s->ps, x->change, -1);
		x->u.a = newvar(s);
		x->u.b = sym->type == KX_S_BOOLEAN ? x->u.a : newvar(s);
		clause(s, -x->u.b, x->u.a, 0);
	}
}

enum bound_kind {
	BOUND_FIXED,		/* a constant or a number: its name is its value */
	BOUND_DEFAULTS,		/* unprompted int/hex: first active default */
	BOUND_FROZEN,		/* anything else: held at its evaluated value */
};

#define MAX_BOUND_DEFAULTS 64

/*
 * How a range bound is encoded; for BOUND_DEFAULTS, its defaults in order
 * (defs[MAX_BOUND_DEFAULTS], *nd).  To conf a number is an undefined
 * symbol whose value is its name, like a constant.
 */
static enum bound_kind bound_kind(const struct kx_sym *sym, struct kx_prop **defs,
				  size_t *nd)
{
	*nd = 0;
	if ((sym->flags & KX_SYM_CONST) ||
	    (sym->type != KX_S_INT && sym->type != KX_S_HEX && !sym->menus))
		return BOUND_FIXED;
	if ((sym->type != KX_S_INT && sym->type != KX_S_HEX) || settable(sym))
		return BOUND_FROZEN;
	for (struct kx_prop *p = sym->prop; p; p = p->next) {
		if (p->type == KX_P_RANGE || *nd == MAX_BOUND_DEFAULTS)
			return BOUND_FROZEN;
		if (p->type != KX_P_DEFAULT)
			continue;
		if (!p->expr || p->expr->type != KX_E_SYMBOL)
			return BOUND_FROZEN;
		defs[(*nd)++] = p;
	}
	return BOUND_DEFAULTS;
}

/* whether a bound, or a symbol its defaults lead to, is held frozen */
static bool bound_frozen(const struct kx_sym *sym, int depth)
{
	struct kx_prop *defs[MAX_BOUND_DEFAULTS];
	size_t nd;
	enum bound_kind k = bound_kind(sym, defs, &nd);

	if (k != BOUND_DEFAULTS)
		return k == BOUND_FROZEN;
	if (depth >= 8)
		return true;
	for (size_t i = 0; i < nd; i++)
		if (bound_frozen(defs[i]->expr->left.sym, depth + 1))
			return true;
	return false;
}

/*
 * "value(sym) <= v" (le) or "value(sym) >= v", the value's text read in
 * 'base' as conf's range check reads a bound.  A BOUND_DEFAULTS symbol's
 * chain of defaults is encoded, so a bound such as NR_CPUS_RANGE_END
 * ("default 8192 if SMP && CPUMASK_OFFSTACK", "default 512 if SMP && ...")
 * moves with the options that choose it; "" (no default active) reads as
 * 0.  A frozen bound makes an impossible answer unproven (explain_value).
 */
static int bound_cmp(struct solver *s, struct kx_sym *sym, long long v, int base,
		     bool le, int depth)
{
	struct kx_prop *defs[MAX_BOUND_DEFAULTS];
	size_t nd;
	enum bound_kind k = bound_kind(sym, defs, &nd);
	long long x;
	int r;

	if (k != BOUND_DEFAULTS || depth >= 8) {
		const char *text = sym->name;

		if (k != BOUND_FIXED) {
			kx_sym_calc_value(s->kc, sym);
			text = sym->curr.val ? sym->curr.val : "";
		}
		x = strtoll(text, NULL, base);
		return (le ? x <= v : x >= v) ? s->T : -s->T;
	}
	r = (le ? 0 <= v : 0 >= v) ? s->T : -s->T;
	for (size_t i = nd; i-- > 0;)
		r = g_ite(s, expr_value(s, defs[i]->visible).a,
			  bound_cmp(s, defs[i]->expr->left.sym, v, base, le, depth + 1), r);
	return r;
}

/* a bound's text is read in its own type's base, a number in the symbol's */
static int bound_base(const struct kx_sym *b, int base)
{
	return b->type == KX_S_INT ? 10 : b->type == KX_S_HEX ? 16 : base;
}

/*
 * Whether int/hex value 'text' of 'sym' is inside its first active range
 * (no active range: any value), as conf clamps it (eval.c validate_range).
 */
static int range_lit(struct solver *s, struct kx_sym *sym, const char *text)
{
	struct kx_prop *ranges[64];
	size_t nr = 0;
	int base = sym->type == KX_S_HEX ? 16 : 10, r = s->T;
	long long v;

	if (sym->type != KX_S_INT && sym->type != KX_S_HEX)
		return s->T;
	v = strtoll(text, NULL, base);
	for (struct kx_prop *p = sym->prop; p; p = p->next)
		if (p->type == KX_P_RANGE && nr < sizeof(ranges) / sizeof(*ranges))
			ranges[nr++] = p;
	for (size_t i = nr; i-- > 0;) {
		struct kx_expr *e = ranges[i]->expr;
		int in = g_and(s, bound_cmp(s, e->left.sym, v,
					    bound_base(e->left.sym, base), true, 0),
			       bound_cmp(s, e->right.sym, v,
					 bound_base(e->right.sym, base), false, 0));

		r = g_ite(s, expr_value(s, ranges[i]->visible).a, in, r);
	}
	return r;
}

/*
 * The literal that says target 't' holds.  An int, hex or string target
 * holds at the base, or else needs its prompt visible and the value inside
 * its range (range_lit): the value itself is then a change the closure
 * adds (add_value_changes) and the judge checks.  A value the type cannot
 * take never holds.
 */
static int target_lit(struct solver *s, const struct kx_target *t, bool at_base)
{
	struct tv v = sym_value(s, t->sym);

	if (!t->visible && !tristate_like(t->sym)) {
		if (at_base)
			return s->T;
		if (!kx_sym_string_valid(t->sym, target_value(s->kc, t)))
			return -s->T;
		return g_and(s, visibility(s, t->sym).a,
			     range_lit(s, t->sym, target_value(s->kc, t)));
	}
	if (t->visible) {
		/* int/hex/string: the prompt's visibility is all there is */
		if (!tristate_like(t->sym))
			return visibility(s, t->sym).a;
		/* the visibility was built with the value */
		if (!s->sv[t->sym->seq].encoded)
			return -s->T;
		return s->sv[t->sym->seq].vis.a;
	}
	return tv_is(s, v, tri_of(t->value));
}

/* the changes of the current model */
struct cset {
	int *lits;		/* change literals that are true */
	size_t n;
};

static void model_changes(struct solver *s, struct cset *cs)
{
	struct kx_kconfig *kc = s->kc;

	cs->n = 0;
	free(cs->lits);
	cs->lits = kx_xcalloc(kc->nsyms * 2 + 1, sizeof(int));
	for (size_t i = 0; i < kc->nsyms; i++) {
		if (s->sv[i].change && picosat_deref(s->ps, s->sv[i].change) > 0)
			cs->lits[cs->n++] = s->sv[i].change;
		if (s->cv[i].encoded && picosat_deref(s->ps, s->cv[i].change) > 0)
			cs->lits[cs->n++] = s->cv[i].change;
	}
}

static bool in_set(const struct cset *cs, int lit)
{
	for (size_t i = 0; i < cs->n; i++)
		if (cs->lits[i] == lit)
			return true;
	return false;
}

/* assume every change variable outside 'allowed' false */
static void assume_only(struct solver *s, const struct cset *allowed, int skip)
{
	struct kx_kconfig *kc = s->kc;

	for (size_t i = 0; i < kc->nsyms; i++) {
		int l = s->sv[i].change;

		if (l && (l == skip || !in_set(allowed, l)))
			picosat_assume(s->ps, -l);
		l = s->cv[i].encoded ? s->cv[i].change : 0;
		if (l && (l == skip || !in_set(allowed, l)))
			picosat_assume(s->ps, -l);
	}
}

static const char *tri_name(kx_tri t)
{
	return t == KX_YES ? "y" : t == KX_MOD ? "m" : "n";
}

/* reads the proposed changes out of the model */
static size_t extract_changes(struct solver *s, struct kx_change **out)
{
	struct kx_kconfig *kc = s->kc;
	struct kx_change *v = kx_xcalloc(kc->nsyms + 1, sizeof(*v));
	size_t n = 0;

	for (size_t i = 0; i < kc->nsyms; i++) {
		struct kx_sym *sym = kc->syms[i];
		struct symvar *x = &s->sv[i];
		struct choicevar *c = &s->cv[i];

		if (x->change && picosat_deref(s->ps, x->change) > 0) {
			kx_tri t = picosat_deref(s->ps, x->u.b) > 0 ? KX_YES :
				   picosat_deref(s->ps, x->u.a) > 0 ? KX_MOD : KX_NO;

			/* without modules an m reads as y: say y */
			if (t == KX_MOD && picosat_deref(s->ps, s->modules) <= 0)
				t = KX_YES;

			v[n].sym = sym;
			v[n].value = tri_name(t);
			n++;
		}
		if (c->encoded && picosat_deref(s->ps, c->change) > 0) {
			for (size_t k = 0; k < c->n; k++) {
				if (picosat_deref(s->ps, c->pick[k]) <= 0)
					continue;
				v[n].sym = c->mem[k];
				v[n].value = "y";
				v[n].choice = c->menu;
				n++;
			}
		}
	}
	*out = v;
	return n;
}

/* the int/hex/string targets' own values, as changes (see target_lit) */
static void add_value_changes(struct solver *s, struct kx_change **ch, size_t *n,
			      const struct kx_target *t, size_t nt,
			      const bool *possible, const bool *at_base)
{
	for (size_t i = 0; i < nt; i++) {
		if (t[i].visible || tristate_like(t[i].sym) || !possible[i] || at_base[i])
			continue;
		*ch = kx_xrealloc(*ch, (*n + 2) * sizeof(**ch));
		memset(&(*ch)[*n], 0, sizeof(**ch));
		(*ch)[*n].sym = t[i].sym;
		(*ch)[*n].value = target_value(s->kc, &t[i]);
		(*ch)[*n].is_target = true;
		(*n)++;
	}
}

/* remembers the base values to describe changes */
static void describe_old(struct solver *s, struct kx_change *ch, size_t n)
{
	restore(s);
	for (size_t i = 0; i < n; i++) {
		kx_sym_calc_value(s->kc, ch[i].sym);
		ch[i].old_value = kx_arena_strdup(s->kc->arena,
			kx_sym_string_value(s->kc, ch[i].sym));
	}
}

static int menu_pos_cmp(const void *x, const void *y)
{
	const struct kx_change *a = x, *b = y;
	unsigned pa = a->sym->menus ? (unsigned)a->sym->menus->line : 0;
	unsigned pb = b->sym->menus ? (unsigned)b->sym->menus->line : 0;
	int c = strcmp(a->sym->menus ? a->sym->menus->file : "",
		       b->sym->menus ? b->sym->menus->file : "");

	if (c)
		return c;
	return pa < pb ? -1 : pa > pb;
}


/* ---- explanations ------------------------------------------------------------ */

static const char *value_text(void *ctx, struct kx_sym *sym)
{
	return kx_sym_string_value(ctx, sym);
}

/* Where 'by' refers to 'sym': a 'depends on', prompt or default line. */
static void find_ref(struct kx_kconfig *kc, struct kx_sym *by, struct kx_sym *sym,
		     const char **file, int *line)
{
	for (struct kx_menu *m = by->menus; m; m = m->sym_next) {
		for (struct kx_dep *d = m->deps; d; d = d->next) {
			if (kx_expr_contains_symbol(d->expr, sym)) {
				*file = m->file;
				*line = d->line;
				return;
			}
		}
	}
	for (struct kx_prop *p = by->prop; p; p = p->next) {
		if (kx_expr_contains_symbol(p->cond, sym) ||
		    (p->type == KX_P_DEFAULT && kx_expr_contains_symbol(p->expr, sym))) {
			*file = p->file;
			*line = p->line;
			return;
		}
	}
	/* selected by 'sym' */
	for (struct kx_prop *p = sym->prop; p; p = p->next) {
		if ((p->type == KX_P_SELECT || p->type == KX_P_IMPLY) &&
		    p->expr->left.sym == by) {
			*file = p->file;
			*line = p->line;
			return;
		}
	}
	/* inherited from an enclosing menu, if or choice, as written */
	for (struct kx_menu *m = by->menus; m; m = m->sym_next) {
		for (struct kx_menu *up = m->lexical_parent; up; up = up->lexical_parent) {
			for (struct kx_dep *d = up->deps; d; d = d->next) {
				if (kx_expr_contains_symbol(d->expr, sym)) {
					*file = up->file;
					*line = d->line;
					return;
				}
			}
			if (up->sym == sym) {
				*file = up->file;
				*line = up->line;
				return;
			}
		}
	}
	(void)kc;
	*file = by->menus ? by->menus->file : NULL;
	*line = by->menus ? by->menus->line : 0;
}

/* referrers: for each symbol (by seq), the symbols whose definition uses it */
struct refs {
	unsigned *start, *list;
};

static void collect(const struct kx_expr *e, unsigned *mark, unsigned stamp,
		    unsigned *out, size_t *n)
{
	while (e) {
		switch (e->type) {
		case KX_E_AND:
		case KX_E_OR:
			collect(e->left.expr, mark, stamp, out, n);
			e = e->right.expr;
			continue;
		case KX_E_NOT:
			e = e->left.expr;
			continue;
		case KX_E_SYMBOL:
			if (mark[e->left.sym->seq] != stamp) {
				mark[e->left.sym->seq] = stamp;
				out[(*n)++] = e->left.sym->seq;
			}
			return;
		case KX_E_RANGE:
			return;
		default:
			for (int k = 0; k < 2; k++) {
				struct kx_sym *x = k ? e->right.sym : e->left.sym;

				if (mark[x->seq] != stamp) {
					mark[x->seq] = stamp;
					out[(*n)++] = x->seq;
				}
			}
			return;
		}
	}
}

static void build_refs(struct kx_kconfig *kc, struct refs *r)
{
	size_t ns = kc->nsyms, cap = 1 << 16, total = 0;
	unsigned *mark = kx_xcalloc(ns + 1, sizeof(unsigned));
	unsigned *uses = kx_xmalloc((ns + 1) * sizeof(unsigned));
	unsigned *pairs = kx_xmalloc(cap * 2 * sizeof(unsigned));
	unsigned *count = kx_xcalloc(ns + 2, sizeof(unsigned));

	for (size_t i = 0; i < ns; i++) {
		struct kx_sym *s = kc->syms[i];
		size_t n = 0;

		collect(s->dir_dep, mark, (unsigned)i + 1, uses, &n);
		collect(s->rev_dep, mark, (unsigned)i + 1, uses, &n);
		collect(s->implied, mark, (unsigned)i + 1, uses, &n);
		for (struct kx_prop *p = s->prop; p; p = p->next) {
			collect(p->visible, mark, (unsigned)i + 1, uses, &n);
			if (p->type == KX_P_DEFAULT)
				collect(p->expr, mark, (unsigned)i + 1, uses, &n);
			if (p->type == KX_P_RANGE)	/* the bounds */
				for (int k = 0; k < 2; k++) {
					struct kx_sym *b = k ? p->expr->right.sym :
							       p->expr->left.sym;

					if (mark[b->seq] != (unsigned)i + 1) {
						mark[b->seq] = (unsigned)i + 1;
						uses[n++] = b->seq;
					}
				}
		}
		for (size_t k = 0; k < n; k++) {
			if (total == cap) {
				cap *= 2;
				pairs = kx_xrealloc(pairs, cap * 2 * sizeof(unsigned));
			}
			pairs[2 * total] = uses[k];	/* used symbol */
			pairs[2 * total + 1] = (unsigned)i;	/* user */
			total++;
			count[uses[k] + 1]++;
		}
	}
	for (size_t i = 1; i <= ns + 1; i++)
		count[i] += count[i - 1];
	r->start = count;
	r->list = kx_xmalloc((total + 1) * sizeof(unsigned));
	{
		unsigned *fill = kx_xcalloc(ns + 1, sizeof(unsigned));

		for (size_t k = 0; k < total; k++) {
			unsigned u = pairs[2 * k];

			r->list[count[u] + fill[u]++] = pairs[2 * k + 1];
		}
		free(fill);
	}
	free(pairs);
	free(uses);
	free(mark);
}

/*
 * The natural prerequisites of the targets: symbols reachable through
 * direct dependencies, prompt conditions, defaults and choices (and
 * MODULES for a target asked to be m), but not
 * through 'select' or 'imply' (switching on an unrelated driver that
 * happens to select a prerequisite is a side route a person would not
 * take).  By symbol seq.
 */
static bool *natural_cone(struct kx_kconfig *kc, const struct kx_target *t, size_t nt)
{
	size_t ns = kc->nsyms, head = 0, tail = 0;
	bool *in = kx_xcalloc(ns + 1, sizeof(bool));
	unsigned *queue = kx_xcalloc(ns + 1, sizeof(unsigned));
	unsigned *mark = kx_xcalloc(ns + 1, sizeof(unsigned));
	unsigned *uses = kx_xcalloc(ns + 1, sizeof(unsigned));
	unsigned stamp = 0;

	for (size_t i = 0; i < nt; i++) {
		if (!in[t[i].sym->seq]) {
			in[t[i].sym->seq] = true;
			queue[tail++] = t[i].sym->seq;
		}
		/* =m needs modules: MODULES is as natural as a dependency */
		if (!strcmp(t[i].value, "m") && kc->modules_sym &&
		    !in[kc->modules_sym->seq]) {
			in[kc->modules_sym->seq] = true;
			queue[tail++] = kc->modules_sym->seq;
		}
	}
	while (head < tail) {
		struct kx_sym *x = kc->syms[queue[head++]];
		struct kx_menu *cm = KX_SEM(kc, CHOICE_V2) ? kx_sym_choice_menu(x)
			: v1_choice_of(x);
		size_t n = 0;

		stamp++;
		collect(x->dir_dep, mark, stamp, uses, &n);
		for (struct kx_prop *p = x->prop; p; p = p->next) {
			if (p->type == KX_P_SELECT || p->type == KX_P_IMPLY)
				continue;
			collect(p->visible, mark, stamp, uses, &n);
			if (p->type == KX_P_DEFAULT)
				collect(p->expr, mark, stamp, uses, &n);
		}
		if (cm && cm->sym && mark[cm->sym->seq] != stamp) {
			mark[cm->sym->seq] = stamp;
			uses[n++] = cm->sym->seq;
		}
		if (kx_sym_is_choice(x) && x->menus) {
			struct kx_menu *c = x->menus;

			for (struct kx_menu *m = kx_menu_next(c, c); m; m = kx_menu_next(m, c))
				if (m->sym && mark[m->sym->seq] != stamp) {
					mark[m->sym->seq] = stamp;
					uses[n++] = m->sym->seq;
				}
		}
		for (size_t k = 0; k < n; k++) {
			if (in[uses[k]])
				continue;
			in[uses[k]] = true;
			queue[tail++] = uses[k];
		}
	}
	free(queue);
	free(mark);
	free(uses);
	return in;
}

/*
 * For each change, what it is for: drop the change, evaluate, and search
 * upwards from the changed symbol through the symbols whose definitions
 * use it and that lose their value, to the nearest target or other
 * change.  The first hop is the symbol that uses it directly (with the
 * Kconfig line), the end is what needs it.
 */
/* whether sym's value (evaluated now) differs from 'tri'/'text' */
static bool value_moved(struct kx_kconfig *kc, struct kx_sym *sym, kx_tri tri,
			const char *text)
{
	kx_sym_calc_value(kc, sym);
	if (tristate_like(sym))
		return sym->curr.tri != tri;
	return strcmp(kx_sym_string_value(kc, sym), text ? text : "") != 0;
}

static void explain_needs(struct solver *s, struct kx_change *ch, size_t n,
			  const struct kx_target *t, size_t nt)
{
	struct kx_kconfig *kc = s->kc;
	size_t ns = kc->nsyms;
	kx_tri *full = kx_xcalloc(ns + 1, sizeof(*full));
	char **fullv = kx_xcalloc(ns + 1, sizeof(*fullv));	/* int/hex/string */
	unsigned *from = kx_xcalloc(ns + 1, sizeof(*from));
	unsigned *queue = kx_xcalloc(ns + 1, sizeof(*queue));
	unsigned *seen = kx_xcalloc(ns + 1, sizeof(*seen));
	char *goal = kx_xcalloc(ns + 1, 1);
	struct kx_change *rest = kx_xcalloc(n + 1, sizeof(*rest));
	struct refs r;

	build_refs(kc, &r);
	/* every value with all the changes */
	restore(s);
	kx_changes_apply(kc, ch, n);
	for (size_t i = 0; i < ns; i++) {
		kx_sym_calc_value(kc, kc->syms[i]);
		full[i] = kc->syms[i]->curr.tri;
		if (!tristate_like(kc->syms[i]))
			fullv[i] = kx_xstrdup(kx_sym_string_value(kc, kc->syms[i]));
	}
	for (size_t j = 0; j < nt; j++)
		goal[t[j].sym->seq] = 1;
	for (size_t j = 0; j < n; j++)
		goal[ch[j].sym->seq] = goal[ch[j].sym->seq] ? goal[ch[j].sym->seq] : 2;
	for (size_t i = 0; i < n; i++) {
		struct kx_change *c = &ch[i];
		unsigned stamp = (unsigned)i + 1, head = 0, tail = 0, q = c->sym->seq;
		unsigned found = UINT32_MAX;
		size_t k = 0;

		for (size_t j = 0; j < nt; j++)
			if (t[j].sym == c->sym && !strcmp(t[j].value, c->value))
				c->is_target = true;
		if (c->is_target)
			continue;
		for (size_t j = 0; j < n; j++)
			if (j != i)
				rest[k++] = ch[j];
		restore(s);
		kx_changes_apply(kc, rest, k);
		seen[q] = stamp;
		from[q] = q;
		queue[tail++] = q;
		while (head < tail && found == UINT32_MAX) {
			unsigned x = queue[head++];

			for (unsigned e = r.start[x]; e < r.start[x + 1]; e++) {
				unsigned y = r.list[e];
				struct kx_sym *ys = kc->syms[y];

				if (seen[y] == stamp || !ys->menus)
					continue;
				seen[y] = stamp;
				if (!value_moved(kc, ys, full[y], fullv[y]))
					continue;	/* unaffected */
				from[y] = x;
				if (goal[y] && y != q) {
					found = y;
					break;
				}
				queue[tail++] = y;
			}
		}
		if (found == UINT32_MAX) {
			/* no path: name a target that broke */
			for (size_t j = 0; j < nt && found == UINT32_MAX; j++)
				if (value_moved(kc, t[j].sym, full[t[j].sym->seq],
						fullv[t[j].sym->seq]))
					found = t[j].sym->seq;
		}
		if (found != UINT32_MAX) {
			unsigned hop = found;

			/* the first hop: the symbol that uses the change directly */
			while (from[hop] != q && from[hop] != hop)
				hop = from[hop];
			c->need.by = kc->syms[found];
			c->need.by_value = fullv[found] ?
				kx_arena_strdup(kc->arena, fullv[found]) :
				tri_name(full[found]);
			c->need.via = hop != found && from[hop] == q ? kc->syms[hop] : NULL;
			find_ref(kc, c->need.via ? c->need.via : kc->syms[found], c->sym,
				 &c->need.file, &c->need.line);
		}
	}
	free(r.start);
	free(r.list);
	free(rest);
	free(goal);
	free(seen);
	free(queue);
	free(from);
	for (size_t i = 0; i < ns; i++)
		free(fullv[i]);
	free(fullv);
	free(full);
}

static int sat_with(struct solver *s, int lit, const int *tl, const bool *use,
		    size_t nt)
{
	for (size_t i = 0; i < nt; i++)
		if (use && use[i])
			picosat_assume(s->ps, tl[i]);
	if (lit)
		picosat_assume(s->ps, lit);
	return picosat_sat(s->ps, -1) == PICOSAT_SATISFIABLE;
}

static void add_blocker(struct kx_unmet *u, struct kx_sym *sym, const char *needs,
			const char *file, int line, char *text, bool fixed)
{
	u->chain = kx_xrealloc(u->chain, (u->nchain + 1) * sizeof(*u->chain));
	u->chain[u->nchain].sym = sym;
	u->chain[u->nchain].needs = needs;
	u->chain[u->nchain].file = file;
	u->chain[u->nchain].line = line;
	u->chain[u->nchain].text = text;
	u->chain[u->nchain].fixed = fixed;
	u->nchain++;
}

/* an operand of 'e' that cannot reach level 'need' (given the context) */
static const struct kx_expr *blocking_operand(struct solver *s,
					      const struct kx_expr *e, kx_tri need,
					      const int *tl, const bool *use,
					      size_t nt)
{
	struct tv v;
	int lit;

	if (!e)
		return NULL;
	v = expr_value(s, e);
	lit = need == KX_YES ? v.b : v.a;
	if (sat_with(s, lit, tl, use, nt))
		return NULL;	/* reachable */
	if (e->type == KX_E_AND) {
		const struct kx_expr *b = blocking_operand(s, e->left.expr, need, tl, use, nt);

		if (b)
			return b;
		b = blocking_operand(s, e->right.expr, need, tl, use, nt);
		return b ? b : e;
	}
	return e;
}

/*
 * True when no configuration can set 'sym' by hand: it has no prompt, or
 * its prompts can never be visible (64BIT's "if $(ARCH) = x86" on x86_64).
 */
static bool never_settable(struct solver *s, struct kx_sym *sym)
{
	return !settable(sym) || !sat_with(s, visibility(s, sym).a, NULL, NULL, 0);
}

/*
 * Whether an int/hex/string operand of a comparison could take another
 * value: it has a prompt, or a default that depends on other options.
 * Comparisons of such values are frozen in the encoding (expr_value).
 */
static bool value_movable(const struct kx_kconfig *kc, const struct kx_sym *x)
{
	if (!x || (x->flags & KX_SYM_CONST) || tristate_like(x) || !x->menus)
		return false;
	if (settable(x))
		return true;
	for (struct kx_prop *p = x->prop; p; p = p->next)
		if (p->type == KX_P_DEFAULT &&
		    ((p->visible && !kx_expr_is_yes(kc, p->visible)) ||
		     (p->expr && p->expr->type == KX_E_SYMBOL &&
		      !(p->expr->left.sym->flags & KX_SYM_CONST) &&
		      p->expr->left.sym->menus)))
			return true;
	return false;
}

static void explain_sym(struct solver *s, struct kx_unmet *u, struct kx_sym *sym,
			kx_tri need, const int *tl, const bool *use, size_t nt,
			int depth)
{
	struct kx_kconfig *kc = s->kc;
	const struct kx_expr *blk = NULL;
	const char *file = NULL;
	int line = 0;
	struct kx_buf b = KX_BUF_INIT;
	struct kx_menu *cm = V2(kc) ? kx_sym_choice_menu(sym) : v1_choice_of(sym);
	bool fixed;

	if (depth > 12)
		return;
	/* the direct dependencies first, then the prompt conditions */
	blk = blocking_operand(s, sym->dir_dep, need, tl, use, nt);
	/* (up to 6.10 a member depends on its choice's symbol: the choice's own
	 * dependency, below, says more than "<choice> [=n]") */
	if (blk && blk->type == KX_E_SYMBOL && kx_sym_is_choice(blk->left.sym) &&
	    v1_choice_of(sym) == blk->left.sym->menus)
		blk = NULL;
	if (blk) {
		struct kx_sym *key = blk->type == KX_E_SYMBOL ||
			(blk->type >= KX_E_EQUAL && blk->type <= KX_E_GEQ)
			? blk->left.sym : blk->type == KX_E_NOT &&
			  blk->left.expr->type == KX_E_SYMBOL
			? blk->left.expr->left.sym : NULL;

		/* the 'depends on' line, in the entry or an enclosing block */
		for (struct kx_menu *m = sym->menus; m && !file && key; m = m->sym_next)
			for (struct kx_menu *up = m; up && !file; up = up->lexical_parent)
				for (struct kx_dep *d = up->deps; d && !file; d = d->next)
					if (kx_expr_contains_symbol(d->expr, key)) {
						file = up->file;
						line = d->line;
					}
		if (!file && sym->menus) {
			file = sym->menus->file;
			line = sym->menus->line;
		}
		kx_buf_puts(&b, "depends on ");
		kx_expr_print_readable(&b, blk, value_text, kc);
	} else {
		for (struct kx_prop *p = sym->prop; p && !blk; p = p->next) {
			if (!p->text || !p->cond)
				continue;
			blk = blocking_operand(s, p->cond, need, tl, use, nt);
			if (blk) {
				file = p->file;
				line = p->line;
				kx_buf_puts(&b, "prompt only if ");
				kx_expr_print_readable(&b, blk, value_text, kc);
			}
		}
	}
	if (!blk) {
		/*
		 * A member of a choice that can never be shown (x86's "High
		 * Memory Support" depends on X86_32): the choice's dependency
		 * is the reason, not the other members; it is followed down
		 * like the member's own.
		 */
		for (int pass = 0; cm && !blk && pass < 2; pass++) {
			const struct kx_expr *e = pass ? (cm->prompt ? cm->prompt->cond : NULL)
						       : cm->dep;

			blk = blocking_operand(s, e, KX_YES, tl, use, nt);
		}
		if (blk) {
			file = cm->file;
			line = cm->line;
			kx_buf_printf(&b, "is in the choice \"%s\" (%s:%d), which depends on ",
				      cm->prompt && cm->prompt->text ? cm->prompt->text : "<choice>",
				      cm->file, cm->line);
			kx_expr_print_readable(&b, blk, value_text, kc);
		}
	}
	if (!blk) {
		kx_sym_calc_value(kc, sym);
		fixed = never_settable(s, sym);
		if (cm) {
			kx_buf_printf(&b, "is a choice member: another member of the choice at %s:%d is required",
				      cm->file, cm->line);
			file = cm->file;
			line = cm->line;
		} else if (fixed && sym->rev_dep) {
			kx_buf_printf(&b, "has no prompt; only a select sets it [=%s]: ",
				      kx_sym_string_value(kc, sym));
			kx_expr_print_readable(&b, sym->rev_dep, value_text, kc);
		} else if (fixed) {
			kx_buf_printf(&b, "has no prompt; its value [=%s] comes from its defaults",
				      kx_sym_string_value(kc, sym));
		} else {
			kx_buf_printf(&b, "cannot be %s together with the other targets",
				      tri_name(need));
		}
		if (!file && sym->menus) {
			file = sym->menus->file;
			line = sym->menus->line;
		}
		add_blocker(u, sym, tri_name(need), file, line, kx_buf_detach(&b), fixed);
		u->cause = fixed ? KX_CAUSE_FIXED : KX_CAUSE_CONFLICT;
		return;
	}
	add_blocker(u, sym, tri_name(need), file, line, kx_buf_detach(&b), false);
	/* follow a single symbol operand down */
	if (blk->type == KX_E_SYMBOL && tristate_like(blk->left.sym) &&
	    !(blk->left.sym->flags & KX_SYM_CONST)) {
		explain_sym(s, u, blk->left.sym, need == KX_MOD ? KX_MOD : KX_YES,
			    tl, use, nt, depth + 1);
	} else if (blk->type == KX_E_NOT && blk->left.expr->type == KX_E_SYMBOL) {
		/* !X needs X = n: X is forced on */
		struct kx_sym *x = blk->left.expr->left.sym;

		kx_sym_calc_value(kc, x);
		fixed = never_settable(s, x);
		kx_buf_printf(&b, "[=%s] cannot be n%s", kx_sym_string_value(kc, x),
			      !fixed ? " here" : settable(x) ? ": its prompt is never shown" :
			      ": it has no prompt");
		add_blocker(u, x, "n", x->menus ? x->menus->file : NULL,
			    x->menus ? x->menus->line : 0, kx_buf_detach(&b), fixed);
		u->cause = fixed ? KX_CAUSE_FIXED : KX_CAUSE_CONFLICT;
	} else if (blk->type >= KX_E_EQUAL && blk->type <= KX_E_GEQ &&
		   (value_movable(kc, blk->left.sym) || value_movable(kc, blk->right.sym))) {
		/* an int/hex/string comparison, held at its value by the search:
		 * another value of that option may satisfy it, nothing is proven */
		struct kx_sym *x = value_movable(kc, blk->left.sym) ? blk->left.sym :
				   blk->right.sym;

		kx_buf_printf(&b, "[=%s] is compared, and the search holds the values "
			      "of such options: set it first", kx_sym_string_value(kc, x));
		add_blocker(u, x, "", x->menus ? x->menus->file : NULL,
			    x->menus ? x->menus->line : 0, kx_buf_detach(&b), false);
		u->cause = KX_CAUSE_NOT_FOUND;
	} else {
		/* a comparison or a constant: fixed by the tree and toolchain */
		u->chain[u->nchain - 1].fixed = true;
		u->cause = KX_CAUSE_FIXED;
	}
	kx_buf_free(&b);
}

/*
 * Why an int, hex or string value cannot hold: not a value of the type, its
 * prompt can never be visible, or out of range (proven when the range's
 * bounds are encoded; "not found" when the search held one at its value).
 */
static void explain_value(struct solver *s, struct kx_unmet *u, struct kx_sym *sym,
			  const char *v)
{
	struct kx_kconfig *kc = s->kc;
	struct kx_menu *m = sym->menus;
	struct kx_buf b = KX_BUF_INIT;
	bool fixed = true, frozen = false;

	if (!kx_sym_string_valid(sym, v)) {
		kx_buf_printf(&b, "'%s' is not a valid %s value", v,
			      kx_symtype_name(sym->type));
	} else if (!sat_with(s, visibility(s, sym).a, NULL, NULL, 0)) {
		kx_buf_puts(&b, "its prompt can never be visible");
		for (struct kx_prop *p = sym->prop; p; p = p->next) {
			if (!p->text || !p->visible)
				continue;
			kx_buf_puts(&b, ": depends on ");
			kx_expr_print_readable(&b, p->visible, value_text, kc);
			break;
		}
	} else {
		kx_buf_printf(&b, "'%s' is outside its range", v);
		for (struct kx_prop *p = sym->prop; p; p = p->next) {
			if (p->type != KX_P_RANGE)
				continue;
			kx_buf_puts(&b, "; range ");
			kx_expr_print_readable(&b, p->expr, value_text, kc);
			/* bounds from other symbols move with the config (a
			 * number is an undefined symbol, as in conf) */
			if (p->expr->left.sym->menus || p->expr->right.sym->menus)
				fixed = false;
			frozen = frozen || bound_frozen(p->expr->left.sym, 0) ||
				 bound_frozen(p->expr->right.sym, 0);
			if (p->cond) {	/* as written: 'visible' has the menu's deps */
				kx_buf_puts(&b, " if ");
				kx_expr_print_readable(&b, p->cond, value_text, kc);
				fixed = false;
			}
		}
	}
	if (frozen)	/* the search held a bound: no proof */
		kx_buf_puts(&b, "; a bound is an option the search does not "
			    "change: set it first");
	else if (!fixed && !u->conflict_with)	/* proven over every config */
		kx_buf_puts(&b, "; no configuration of this tree allows it");
	add_blocker(u, sym, v, m->file, m->line, kx_buf_detach(&b), fixed);
	kx_buf_free(&b);
	u->cause = frozen ? KX_CAUSE_NOT_FOUND : u->conflict_with ? KX_CAUSE_CONFLICT :
		   fixed ? KX_CAUSE_FIXED : KX_CAUSE_CONFLICT;
}

static void explain_unmet(struct solver *s, struct kx_closure *cl,
			  const struct kx_target *target, const struct kx_target *t,
			  size_t nt, const int *tl, const bool *possible, bool rejected)
{
	struct kx_kconfig *kc = s->kc;
	struct kx_unmet *u;
	size_t idx = (size_t)(target - t);
	bool alone;
	kx_tri need = tri_of(target->value);

	cl->unmet = kx_xrealloc(cl->unmet, (cl->nunmet + 1) * sizeof(*cl->unmet));
	u = &cl->unmet[cl->nunmet++];
	memset(u, 0, sizeof(*u));
	u->target = target;
	if (rejected) {
		/*
		 * The search found changes that satisfy the encoding, and
		 * conf's evaluation of them disagreed: nothing is proven.
		 */
		struct kx_menu *m = target->sym->menus;

		add_blocker(u, target->sym, target_value(kc, target), m ? m->file : NULL,
			    m ? m->line : 0, kx_xstrdup("was not reached: the changes "
			    "found for it do not give this value when conf evaluates "
			    "them (a bound or comparison the search holds at its "
			    "current value)"), false);
		u->cause = KX_CAUSE_NOT_FOUND;
		return;
	}
	/* impossible on its own, or only together with other targets? */
	alone = !sat_with(s, tl[idx], NULL, NULL, 0);
	if (!alone) {
		struct kx_buf b = KX_BUF_INIT;

		for (size_t i = 0; i < nt; i++) {
			bool *use = kx_xcalloc(nt + 1, sizeof(bool));

			use[i] = true;
			if (i != idx && possible[i] &&
			    !sat_with(s, tl[idx], tl, use, nt)) {
				if (b.len)
					kx_buf_puts(&b, ", ");
				kx_buf_printf(&b, "%s=%s", t[i].sym->name, t[i].value);
			}
			free(use);
		}
		if (b.len)
			u->conflict_with = kx_buf_detach(&b);
		kx_buf_free(&b);
		u->cause = KX_CAUSE_CONFLICT;
	}
	if (!target->visible && !tristate_like(target->sym) && target->sym->menus) {
		explain_value(s, u, target->sym, target_value(kc, target));
		return;
	}
	if (need == KX_NO) {
		/* n impossible: selected, or forced by defaults without a prompt */
		struct kx_buf b = KX_BUF_INIT;

		kx_sym_calc_value(kc, target->sym);
		if (target->sym->rev_dep) {
			kx_buf_puts(&b, "is selected by ");
			kx_expr_print_readable(&b, target->sym->rev_dep, value_text, kc);
		} else {
			kx_buf_printf(&b, "cannot be n [=%s]",
				      kx_sym_string_value(kc, target->sym));
		}
		add_blocker(u, target->sym, "n",
			    target->sym->menus ? target->sym->menus->file : NULL,
			    target->sym->menus ? target->sym->menus->line : 0,
			    kx_buf_detach(&b), !settable(target->sym));
		if (alone)
			u->cause = settable(target->sym) ? KX_CAUSE_CONFLICT : KX_CAUSE_FIXED;
		return;
	}
	if (need == KX_MOD && target->sym->type == KX_S_BOOLEAN) {
		add_blocker(u, target->sym, "m", target->sym->menus ?
			    target->sym->menus->file : NULL,
			    target->sym->menus ? target->sym->menus->line : 0,
			    kx_xstrdup("is a bool symbol: it cannot be m"), true);
		u->cause = KX_CAUSE_FIXED;
		return;
	}
	if (!target->sym->menus) {
		add_blocker(u, target->sym, target->value, NULL, 0,
			    kx_xstrdup("is not defined for this architecture and tree"),
			    true);
		u->cause = KX_CAUSE_FIXED;
		return;
	}
	{
		bool *use = NULL;

		if (!alone) {
			use = kx_xcalloc(nt + 1, sizeof(bool));
			for (size_t i = 0; i < nt; i++)
				use[i] = possible[i] && i != idx;
		}
		explain_sym(s, u, target->sym, need, tl, use, nt, 0);
		free(use);
	}
	if (alone && u->cause == KX_CAUSE_NONE)
		u->cause = KX_CAUSE_FIXED;
}

/* The state of one kx_closure_solve(): the targets and what is known of them. */
struct targets {
	const struct kx_target *t;
	size_t n;
	int *lit;		/* each target's literal in this round's encoding */
	bool *possible;		/* it can hold (with the earlier ones) */
	bool *at_base;		/* a non-tristate value that holds already */
	bool *rejected;		/* refused by the judge: not found */
};

static void assume_possible(struct solver *s, const struct targets *tg)
{
	for (size_t i = 0; i < tg->n; i++)
		if (tg->possible[i])
			picosat_assume(s->ps, tg->lit[i]);
}

/* How many targets are possible, and how many of those hold now. */
static size_t count_possible(const struct targets *tg)
{
	size_t n = 0;

	for (size_t i = 0; i < tg->n; i++)
		n += tg->possible[i];
	return n;
}

static size_t count_holding(struct kx_kconfig *kc, const struct targets *tg)
{
	size_t n = 0;

	for (size_t i = 0; i < tg->n; i++)
		if (tg->possible[i] && kx_target_holds(kc, &tg->t[i]))
			n++;
	return n;
}

/* A fresh encoding for a round: change variables, MODULES, target literals. */
static void encode_round(struct solver *s, struct targets *tg, int round,
			 const struct kx_closure_opts *o)
{
	int mv;

	if (round)
		solver_reset_encoding(s);
	/* change variables first: encoding a symbol reads its own */
	make_change_vars(s, o);
	/* "modules enabled" is a variable tied to MODULES' value */
	s->modules = newvar(s);
	mv = sym_value(s, s->kc->modules_sym).b;
	clause(s, -s->modules, mv, 0);
	clause(s, s->modules, -mv, 0);
	for (size_t i = 0; i < tg->n; i++)
		tg->lit[i] = tg->rejected[i] ? -s->T :
			     target_lit(s, &tg->t[i], tg->at_base[i]);
}

/*
 * Which targets can hold: first each alone; then, if they cannot all hold
 * together, a maximal set kept in the order given (an earlier target wins
 * a conflict).  Returns the SAT answer for the possible ones together.
 */
static int find_possible(struct solver *s, struct targets *tg)
{
	size_t nposs = 0;
	int res;

	for (size_t i = 0; i < tg->n; i++) {
		picosat_assume(s->ps, tg->lit[i]);
		tg->possible[i] = picosat_sat(s->ps, -1) == PICOSAT_SATISFIABLE;
		nposs += tg->possible[i];
	}
	assume_possible(s, tg);
	res = picosat_sat(s->ps, -1);
	if (res != PICOSAT_SATISFIABLE && nposs) {
		bool *kept = kx_xcalloc(tg->n + 1, sizeof(bool));

		for (size_t i = 0; i < tg->n; i++) {
			if (!tg->possible[i])
				continue;
			for (size_t k = 0; k < i; k++)
				if (kept[k])
					picosat_assume(s->ps, tg->lit[k]);
			picosat_assume(s->ps, tg->lit[i]);
			kept[i] = picosat_sat(s->ps, -1) == PICOSAT_SATISFIABLE;
		}
		memcpy(tg->possible, kept, tg->n * sizeof(bool));
		free(kept);
		nposs = count_possible(tg);
		assume_possible(s, tg);
		res = picosat_sat(s->ps, -1);
	}
	return nposs ? res : PICOSAT_UNSATISFIABLE;
}

/*
 * Prefer natural answers: first only the targets' natural prerequisites
 * without changing any choice, then with choices, then anything, with
 * the fewest side roads.
 */
/* a clause of up to 4 literals (0 = none), for guarded constraints */
static void clause4(struct solver *s, int a, int b, int c, int d)
{
	int lits[4] = { a, b, c, d };

	for (int i = 0; i < 4; i++)
		if (lits[i])
			picosat_add(s->ps, lits[i]);
	picosat_add(s->ps, 0);
	s->nclauses++;
}

/*
 * "At most k of x[0..n-1]", active while 'guard' is assumed (Sinz's
 * sequential counter: r[i*k+j] says "at least j+1 of x[0..i]").
 */
static void at_most(struct solver *s, const int *x, size_t n, size_t k, int guard)
{
	int *r = kx_xcalloc(n * k + 1, sizeof(int));

	for (size_t i = 0; i < n * k; i++)
		r[i] = newvar(s);
	for (size_t i = 0; i < n; i++) {
		clause4(s, -guard, -x[i], r[i * k], 0);
		if (i) {
			clause4(s, -guard, -x[i], -r[(i - 1) * k + k - 1], 0);
			for (size_t j = 0; j < k; j++)
				clause4(s, -guard, -r[(i - 1) * k + j], r[i * k + j], 0);
			for (size_t j = 1; j < k; j++)
				clause4(s, -guard, -x[i], -r[(i - 1) * k + j - 1], r[i * k + j]);
		} else {
			for (size_t j = 1; j < k; j++)
				clause4(s, -guard, -r[j], 0, 0);
		}
	}
	free(r);
}

/*
 * When the answer needs changes outside the cone (side roads), as few of
 * them as there can be: the least k for which "at most k side roads"
 * holds.  Leaves the solver at a model.
 */
static void fewest_side_roads(struct solver *s, const struct targets *tg, const bool *cone)
{
	int *x = kx_xcalloc(s->kc->nsyms + 1, sizeof(int));
	size_t n = 0, used = 0;

	for (size_t i = 0; i < s->kc->nsyms; i++) {
		if (!s->sv[i].change || cone[i])
			continue;
		x[n++] = s->sv[i].change;
		used += picosat_deref(s->ps, s->sv[i].change) > 0;
	}
	/* k = used holds (the model we came with): the loop ends at a model;
	 * the guards stay unassumed afterwards, so nothing else is bound */
	for (size_t k = 1; used > 1 && k <= used; k++) {
		int guard = newvar(s);

		at_most(s, x, n, k, guard);
		picosat_assume(s->ps, guard);
		assume_possible(s, tg);
		if (picosat_sat(s->ps, -1) == PICOSAT_SATISFIABLE)
			break;
	}
	free(x);
}

static int prefer_natural(struct solver *s, const struct targets *tg)
{
	struct kx_kconfig *kc = s->kc;
	bool *cone = natural_cone(kc, tg->t, tg->n);
	int res = PICOSAT_UNSATISFIABLE;

	for (int tier = 0; tier < 3; tier++) {
		for (size_t i = 0; tier < 2 && i < kc->nsyms; i++) {
			if (s->sv[i].change && !cone[i])
				picosat_assume(s->ps, -s->sv[i].change);
			if (tier == 0 && s->cv[i].encoded)
				picosat_assume(s->ps, -s->cv[i].change);
		}
		assume_possible(s, tg);
		res = picosat_sat(s->ps, -1);
		if (res == PICOSAT_SATISFIABLE) {
			if (tier == 2)
				fewest_side_roads(s, tg, cone);
			break;
		}
	}
	free(cone);
	return res;
}

/*
 * Shrinks the model's changes to a subset-minimal set: try to drop each
 * change once.  One found necessary stays necessary as the set shrinks
 * (fewer allowed changes only constrain more), so it is never tried again.
 * Leaves the solver at the model of the final set.
 */
static void shrink_changes(struct solver *s, struct cset *cs, const struct targets *tg)
{
	struct cset needed = { NULL, 0 };

	model_changes(s, cs);
	needed.lits = kx_xcalloc(cs->n + 1, sizeof(int));
	for (;;) {
		int drop = 0;

		for (size_t k = 0; k < cs->n && !drop; k++)
			if (!in_set(&needed, cs->lits[k]))
				drop = cs->lits[k];
		if (!drop)
			break;
		assume_only(s, cs, drop);
		assume_possible(s, tg);
		if (picosat_sat(s->ps, -1) == PICOSAT_SATISFIABLE)
			model_changes(s, cs);
		else
			needed.lits[needed.n++] = drop;
	}
	free(needed.lits);
	assume_only(s, cs, 0);
	assume_possible(s, tg);
	picosat_sat(s->ps, -1);
}

/*
 * One round: encode, find what can hold, a minimal model, its changes
 * (*ch, *nch), judged by the evaluator.  Returns true when the round is
 * final: verified, or nothing can hold.
 */
static bool solve_round(struct solver *s, struct kx_closure *cl, struct targets *tg,
			int round, const struct kx_closure_opts *o,
			struct kx_change **ch, size_t *nch)
{
	struct cset cs = { NULL, 0 };
	int res;

	cl->rounds = round + 1;
	encode_round(s, tg, round, o);
	res = find_possible(s, tg);
	if (res == PICOSAT_SATISFIABLE)
		res = prefer_natural(s, tg);
	if (res != PICOSAT_SATISFIABLE) {
		/* nothing can hold: no changes, and that is the answer */
		cl->verified = true;
		return true;
	}
	shrink_changes(s, &cs, tg);
	free(*ch);
	*nch = extract_changes(s, ch);
	add_value_changes(s, ch, nch, tg->t, tg->n, tg->possible, tg->at_base);
	free(cs.lits);
	cl->sat_vars = (unsigned)picosat_variables(s->ps);
	cl->sat_clauses = s->nclauses;
	/* the judge */
	judge(s, *ch, *nch, tg->t, tg->n, NULL);
	if (count_holding(s->kc, tg) == count_possible(tg)) {
		cl->verified = true;
		return true;
	}
	/*
	 * An int/hex/string value the judge refused (its range and visibility
	 * are encoded, but prompted bounds and value comparisons are frozen):
	 * given up as "not found".  The next round re-freezes comparisons at
	 * the judged config for the others.
	 */
	for (size_t i = 0; i < tg->n; i++)
		if (tg->possible[i] && !tg->t[i].visible && !tristate_like(tg->t[i].sym) &&
		    !kx_target_holds(s->kc, &tg->t[i]))
			tg->rejected[i] = true;
	return false;
}

/*
 * 1-minimality, judged by the evaluator: each change is dropped in turn and
 * kept only if a target breaks without it.  The quick judge evaluates in
 * place; the full round trip through a written .config confirms the end
 * result (and redoes the pass with full judges in the unlikely case they
 * disagree).
 */
static void minimize_judged(struct solver *s, const struct targets *tg,
			    struct kx_change **chp, size_t *nchp)
{
	for (int pass = 0; pass < 2; pass++) {
		struct kx_change *ch = *chp;
		size_t nch = *nchp;

		for (size_t i = 0; i < nch;) {
			struct kx_change dropped = ch[i];

			memmove(ch + i, ch + i + 1, (nch - i - 1) * sizeof(*ch));
			nch--;
			if (holds_all(s, ch, nch, tg->t, tg->n, tg->possible, pass == 1))
				continue;	/* not needed */
			memmove(ch + i + 1, ch + i, (nch - i) * sizeof(*ch));
			ch[i] = dropped;
			nch++;
			i++;
		}
		*nchp = nch;
		judge(s, ch, nch, tg->t, tg->n, NULL);
		if (count_holding(s->kc, tg) == count_possible(tg))
			break;
		/* the quick judge dropped too much: start over, fully */
		free(*chp);
		*nchp = extract_changes(s, chp);
		add_value_changes(s, chp, nchp, tg->t, tg->n, tg->possible, tg->at_base);
	}
}

int kx_closure_solve(struct kx_closure **out, struct kx_kconfig *kc,
		     const struct kx_target *t, size_t nt,
		     const struct kx_closure_opts *o)
{
	struct kx_closure *cl;
	struct solver s;
	struct targets tg = { t, nt, NULL, NULL, NULL, NULL };
	struct kx_change *ch = NULL;
	size_t nch = 0;
	int max_rounds = o && o->max_rounds ? o->max_rounds : 6;
	struct timespec t0, t1;
	int err = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	*out = NULL;
	for (size_t i = 0; i < nt; i++)
		if (!t[i].sym || (t[i].sym->flags & KX_SYM_CONST))
			return KX_EINVAL;
	cl = kx_xcalloc(1, sizeof(*cl));
	tg.lit = kx_xcalloc(nt + 1, sizeof(int));
	tg.possible = kx_xcalloc(nt + 1, sizeof(bool));
	tg.at_base = kx_xcalloc(nt + 1, sizeof(bool));
	tg.rejected = kx_xcalloc(nt + 1, sizeof(bool));
	solver_init(&s, kc);
	snapshot(&s);
	restore(&s);
	for (size_t i = 0; i < nt; i++)
		tg.at_base[i] = !t[i].visible && !tristate_like(t[i].sym) &&
				kx_target_holds(kc, &t[i]);
	restore(&s);
	for (int round = 0; round < max_rounds; round++)
		if (solve_round(&s, cl, &tg, round, o, &ch, &nch))
			break;
	if (cl->verified) {
		minimize_judged(&s, &tg, &ch, &nch);
		describe_old(&s, ch, nch);
		if (nch)	/* ch may be NULL: qsort(NULL, 0) is undefined */
			qsort(ch, nch, sizeof(*ch), menu_pos_cmp);
		explain_needs(&s, ch, nch, t, nt);
		judge(&s, ch, nch, t, nt, &cl->config_text);
	} else if (cl->rounds) {
		err = KX_EINTERNAL;
	}
	/* why the impossible ones are impossible */
	restore(&s);
	for (size_t i = 0; i < nt; i++)
		if (!tg.possible[i])
			explain_unmet(&s, cl, &t[i], t, nt, tg.lit, tg.possible,
				      tg.rejected[i]);
	cl->changes = ch;
	cl->nchanges = nch;
	restore(&s);
	solver_free(&s);
	free(tg.lit);
	free(tg.possible);
	free(tg.at_base);
	free(tg.rejected);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	cl->seconds = (double)(t1.tv_sec - t0.tv_sec) +
		      (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	if (err) {
		kx_closure_free(cl);
		return err;
	}
	*out = cl;
	return 0;
}

void kx_closure_free(struct kx_closure *cl)
{
	if (!cl)
		return;
	for (size_t i = 0; i < cl->nunmet; i++) {
		for (size_t k = 0; k < cl->unmet[i].nchain; k++)
			free(cl->unmet[i].chain[k].text);
		free(cl->unmet[i].chain);
		free(cl->unmet[i].conflict_with);
	}
	free(cl->unmet);
	free(cl->changes);
	free(cl->config_text);
	free(cl);
}
