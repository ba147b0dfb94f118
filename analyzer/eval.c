// SPDX-License-Identifier: MIT
/*
 * eval.c - conf-exact symbol evaluation.
 *
 * A symbol's value is computed on demand and memoised (KX_SYM_VALID):
 *
 *   visibility  = OR of its prompts' conditions (m promoted to y for bool
 *                 symbols and when modules are off);
 *   bool/tristate:
 *     a choice value         -> y for the selected member, else n;
 *     visible with a user value -> user value AND visibility;
 *     otherwise              -> first default whose condition holds
 *                               (AND the condition), OR 'imply' (bounded
 *                               by the direct dependencies);
 *     then OR the reverse dependencies (select), m -> y for bool;
 *   int/hex/string: the user value if visible, else the first default's
 *     symbol value, clamped into the first active range.
 *
 * Whether a symbol is written to .config (KX_SYM_WRITE) is decided along
 * the way, as conf does: visible, selected, implied, or a default that
 * applied.  Two generations of choice semantics are implemented: the
 * member-priority list of 6.11+ (choice_v2) and the older "choice symbol
 * holds the selected member" model with tristate and optional choices.
 */
#include "analyzer/eval.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define V2(kc) (KX_SEM(kc, CHOICE_V2))

enum kx_symtype kx_sym_get_type(const struct kx_kconfig *kc,
				const struct kx_sym *s)
{
	enum kx_symtype t = s->type;

	if (t == KX_S_TRISTATE) {
		if (!V2(kc) && (s->flags & KX_SYM_CHOICEVAL) && s->visible == KX_YES)
			t = KX_S_BOOLEAN;
		else if (kc->modules_val == KX_NO)
			t = KX_S_BOOLEAN;
	}
	return t;
}

const char *kx_sym_string_value(const struct kx_kconfig *kc,
				const struct kx_sym *s)
{
	(void)kc;
	if (s->type == KX_S_BOOLEAN || s->type == KX_S_TRISTATE) {
		switch (s->curr.tri) {
		case KX_NO: return "n";
		case KX_MOD: return "m";
		case KX_YES: return "y";
		}
	}
	return s->curr.val ? s->curr.val : "";
}

struct kx_menu *kx_sym_value_choice(const struct kx_kconfig *kc,
				    const struct kx_sym *s)
{
	if (V2(kc))
		return kx_sym_choice_menu(s);
	if ((s->flags & KX_SYM_CHOICEVAL) && s->choice_sym)
		return s->choice_sym->menus;
	return NULL;
}

/* ---- expressions --------------------------------------------------------- */

enum value_kind { K_STRING, K_SIGNED, K_UNSIGNED };

/* how conf compares a value of type t: as a number when it parses as one */
static enum value_kind parse_value(const char *str, enum kx_symtype t,
				   long long *sv, unsigned long long *uv)
{
	char *tail = NULL;
	enum value_kind kind;

	errno = 0;
	switch (t) {
	case KX_S_BOOLEAN:
	case KX_S_TRISTATE:
		*sv = !strcmp(str, "n") ? 0 : !strcmp(str, "m") ? 1 :
		      !strcmp(str, "y") ? 2 : -1;
		return K_SIGNED;
	case KX_S_INT:
		*sv = strtoll(str, &tail, 10);
		kind = K_SIGNED;
		break;
	case KX_S_HEX:
		*uv = strtoull(str, &tail, 16);
		kind = K_UNSIGNED;
		break;
	default:
		*sv = strtoll(str, &tail, 0);
		kind = K_SIGNED;
		break;
	}
	return !errno && !*tail && tail > str && isxdigit((unsigned char)tail[-1])
		? kind : K_STRING;
}

static kx_tri compare(struct kx_kconfig *kc, const struct kx_expr *e)
{
	struct kx_sym *a = e->left.sym, *b = e->right.sym;
	enum value_kind k1 = K_STRING, k2 = K_STRING;
	long long ls = 0, rs = 0;
	unsigned long long lu = 0, ru = 0;
	const char *s1, *s2;
	int res;

	kx_sym_calc_value(kc, a);
	kx_sym_calc_value(kc, b);
	s1 = kx_sym_string_value(kc, a);
	s2 = kx_sym_string_value(kc, b);
	if (a->type != KX_S_STRING || b->type != KX_S_STRING) {
		k1 = parse_value(s1, a->type, &ls, &lu);
		k2 = parse_value(s2, b->type, &rs, &ru);
	}
	if (k1 == K_STRING || k2 == K_STRING) {
		res = strcmp(s1, s2);
	} else if (k1 == K_UNSIGNED || k2 == K_UNSIGNED) {
		/* a signed operand is reinterpreted, as in conf's union */
		if (k1 == K_SIGNED)
			lu = (unsigned long long)ls;
		if (k2 == K_SIGNED)
			ru = (unsigned long long)rs;
		res = (lu > ru) - (lu < ru);
	} else {
		res = (ls > rs) - (ls < rs);
	}
	switch (e->type) {
	case KX_E_EQUAL: return res ? KX_NO : KX_YES;
	case KX_E_GEQ: return res >= 0 ? KX_YES : KX_NO;
	case KX_E_GTH: return res > 0 ? KX_YES : KX_NO;
	case KX_E_LEQ: return res <= 0 ? KX_YES : KX_NO;
	case KX_E_LTH: return res < 0 ? KX_YES : KX_NO;
	case KX_E_UNEQUAL: return res ? KX_YES : KX_NO;
	default: return KX_NO;
	}
}

static kx_tri expr_calc(struct kx_kconfig *kc, const struct kx_expr *e)
{
	kx_tri a, b;

	switch (e->type) {
	case KX_E_SYMBOL:
		kx_sym_calc_value(kc, e->left.sym);
		/* a value still being computed (a loop through selects or
		 * defaults): what depends on it must not be kept */
		if (e->left.sym->flags & KX_SYM_CALC)
			kc->calc_taint++;
		return e->left.sym->curr.tri;
	case KX_E_AND:
		a = kx_expr_calc(kc, e->left.expr);
		b = kx_expr_calc(kc, e->right.expr);
		return KX_TRI_AND(a, b);
	case KX_E_OR:
		a = kx_expr_calc(kc, e->left.expr);
		b = kx_expr_calc(kc, e->right.expr);
		return KX_TRI_OR(a, b);
	case KX_E_NOT:
		return KX_TRI_NOT(kx_expr_calc(kc, e->left.expr));
	case KX_E_EQUAL: case KX_E_UNEQUAL: case KX_E_LTH:
	case KX_E_LEQ: case KX_E_GTH: case KX_E_GEQ:
		return compare(kc, e);
	default:
		return KX_NO;
	}
}

/*
 * From 6.12 conf keeps each (hash-consed) expression's value until
 * sym_clear_all_valid() or a .config is read (expr_invalidate_all): the
 * value cached is the one first computed, even while a symbol it names
 * was still being computed.  5.10 and 6.1 compute every time.
 */
kx_tri kx_expr_calc(struct kx_kconfig *kc, const struct kx_expr *e)
{
	struct kx_expr *m = (struct kx_expr *)e;	/* the memo fields only */
	unsigned taint;
	kx_tri v;

	if (!e)
		return KX_YES;
	if (m->val_gen == kc->expr_gen)
		return m->val;
	if (KX_SEM(kc, EXPR_V2)) {
		m->val = expr_calc(kc, e);
		m->val_gen = kc->expr_gen;
		return m->val;
	}
	/*
	 * Before 6.12 conf computes each time.  Keeping a value is then
	 * only a shortcut, invisible in the results: a value is kept when
	 * no symbol it read was still being computed (every symbol's value
	 * was final), until a symbol may change (kx_expr_invalidate_all()
	 * wherever a symbol's value is made invalid).
	 */
	taint = kc->calc_taint;
	v = expr_calc(kc, e);
	if (kc->calc_taint == taint) {
		m->val = v;
		m->val_gen = kc->expr_gen;
	}
	return v;
}

void kx_expr_invalidate_all(struct kx_kconfig *kc)
{
	if (++kc->expr_gen)
		return;
	/* the counter wrapped: forget every value for real */
	for (size_t i = 0; i < kc->exprtab_cap; i++)
		for (struct kx_expr *e = kc->exprtab[i]; e; e = e->hnext)
			e->val_gen = 0;
	kc->expr_gen = 1;
}

/* ---- visibility and defaults ------------------------------------------------ */

static struct kx_prop *first_active(struct kx_kconfig *kc, struct kx_sym *s,
				    enum kx_prop_type t)
{
	for (struct kx_prop *pr = s->prop; pr; pr = pr->next) {
		if (pr->type != t)
			continue;
		pr->visible_tri = kx_expr_calc(kc, pr->visible);
		if (pr->visible_tri != KX_NO)
			return pr;
	}
	return NULL;
}

static kx_tri bool_promote(const struct kx_kconfig *kc, const struct kx_sym *s,
			   kx_tri t)
{
	if (t == KX_MOD && kx_sym_get_type(kc, s) == KX_S_BOOLEAN)
		return KX_YES;
	return t;
}

static void calc_visibility(struct kx_kconfig *kc, struct kx_sym *s)
{
	struct kx_sym *csym = NULL;
	kx_tri tri = KX_NO;

	/* 6.18: a transitional symbol is visible, its other states untouched */
	if (s->flags & KX_SYM_TRANS) {
		s->visible = KX_YES;
		return;
	}
	if (!V2(kc) && (s->flags & KX_SYM_CHOICEVAL))
		csym = s->choice_sym;
	for (struct kx_prop *pr = s->prop; pr; pr = pr->next) {
		if (!pr->text)
			continue;
		pr->visible_tri = kx_expr_calc(kc, pr->visible);
		/* tristate choice values at m are hidden when the choice is y */
		if (csym && s->type == KX_S_TRISTATE && pr->visible_tri == KX_MOD &&
		    csym->curr.tri == KX_YES)
			pr->visible_tri = KX_NO;
		tri = KX_TRI_OR(tri, pr->visible_tri);
	}
	if (tri == KX_MOD && (s->type != KX_S_TRISTATE || kc->modules_val == KX_NO))
		tri = KX_YES;
	s->visible = tri;
	if (kx_sym_is_choice_value(kc, s))
		return;
	s->dir_dep_tri = bool_promote(kc, s, s->dir_dep ? kx_expr_calc(kc, s->dir_dep)
						      : KX_YES);
	s->rev_dep_tri = bool_promote(kc, s, s->rev_dep ? kx_expr_calc(kc, s->rev_dep)
						      : KX_NO);
	s->implied_tri = bool_promote(kc, s, s->implied ? kx_expr_calc(kc, s->implied)
						      : KX_NO);
}

/* ---- choices --------------------------------------------------------------------- */

/* members of a choice in definition order (<= 6.10: the E_LIST order) */
static void v1_members(struct kx_sym *choice, struct kx_sym ***v, size_t *n)
{
	struct kx_menu *m = choice->menus;

	*v = m ? m->members : NULL;
	*n = m ? m->nmembers : 0;
}

struct kx_sym *kx_choice_default(struct kx_kconfig *kc, struct kx_menu *choice)
{
	struct kx_sym *csym = choice->sym;

	for (struct kx_prop *pr = csym->prop; pr; pr = pr->next) {
		if (pr->type != KX_P_DEFAULT)
			continue;
		pr->visible_tri = kx_expr_calc(kc, pr->visible);
		if (pr->visible_tri == KX_NO)
			continue;
		if (pr->expr->type == KX_E_SYMBOL &&
		    pr->expr->left.sym->visible != KX_NO)
			return pr->expr->left.sym;
	}
	if (V2(kc)) {
		for (struct kx_menu *m = kx_menu_next(choice, choice); m;
		     m = kx_menu_next(m, choice))
			if (m->sym && m->sym->visible != KX_NO)
				return m->sym;
	} else {
		struct kx_sym **v;
		size_t n;

		v1_members(csym, &v, &n);
		for (size_t i = 0; i < n; i++)
			if (v[i]->visible != KX_NO)
				return v[i];
	}
	return NULL;
}

/* 6.11+: picks the member in priority order and sets every member's value */
static struct kx_sym *v2_calc_choice(struct kx_kconfig *kc,
				     struct kx_menu *choice)
{
	struct kx_sym *res = NULL, *s;
	struct kx_menu *m;
	size_t i;

	for (i = 0; i < choice->nprio; i++) {
		s = choice->prio[i];
		calc_visibility(kc, s);
		if (s->visible == KX_NO)
			continue;
		if (kx_sym_has_value(s) && s->def[KX_DEF_USER].tri == KX_YES) {
			res = s;
			break;
		}
	}
	if (!res) {
		res = kx_choice_default(kc, choice);
		if (res && kx_sym_has_value(res) && res->def[KX_DEF_USER].tri == KX_NO)
			res = NULL;
	}
	if (!res) {
		for (m = kx_menu_next(choice, choice); m; m = kx_menu_next(m, choice)) {
			s = m->sym;
			if (!s || s->visible == KX_NO || kx_sym_has_value(s))
				continue;
			res = s;
			break;
		}
	}
	if (!res) {
		/* the least prioritised 'n' */
		for (i = choice->nprio; i-- > 0;) {
			if (choice->prio[i]->visible == KX_NO)
				continue;
			res = choice->prio[i];
			break;
		}
	}
	for (m = kx_menu_next(choice, choice); m; m = kx_menu_next(m, choice)) {
		s = m->sym;
		if (!s || s->visible == KX_NO)
			continue;
		s->curr.tri = s == res ? KX_YES : KX_NO;
		s->flags |= KX_SYM_VALID | KX_SYM_WRITE;
	}
	return res;
}

/* <= 6.10: the selected member of a choice that is y */
static struct kx_sym *v1_calc_choice(struct kx_kconfig *kc, struct kx_sym *csym)
{
	unsigned flags = csym->flags;
	struct kx_sym **v, *def;
	size_t n;

	v1_members(csym, &v, &n);
	for (size_t i = 0; i < n; i++) {
		calc_visibility(kc, v[i]);
		if (v[i]->visible != KX_NO)
			flags &= v[i]->flags;
	}
	/* the choice keeps its user value only if every visible member has one */
	csym->flags &= flags | ~KX_SYM_DEF_USER;
	def = csym->choice_def[KX_DEF_USER];
	if (def && def->visible != KX_NO)
		return def;
	def = kx_choice_default(kc, csym->menus);
	if (!def)
		csym->curr.tri = KX_NO;
	return def;
}

struct kx_sym *kx_choice_selected(struct kx_kconfig *kc, struct kx_menu *choice)
{
	if (V2(kc))
		return v2_calc_choice(kc, choice);
	kx_sym_calc_value(kc, choice->sym);
	return choice->sym->curr.tri == KX_YES ? choice->sym->choice_curr : NULL;
}

/* <= 6.10: members without a user value become n; the choice is then set */
static void v1_set_all_choice_values(struct kx_kconfig *kc, struct kx_sym *csym)
{
	struct kx_sym **v;
	size_t n;

	v1_members(csym, &v, &n);
	for (size_t i = 0; i < n; i++)
		if (!kx_sym_has_value(v[i]))
			v[i]->def[KX_DEF_USER].tri = KX_NO;
	csym->flags |= KX_SYM_DEF_USER;
	csym->flags &= ~(KX_SYM_VALID | KX_SYM_NEED_SET_CHOICE_VALUES);
	kx_expr_invalidate_all(kc);
}

/* ---- the value ------------------------------------------------------------------ */

static void warn_unmet(struct kx_kconfig *kc, struct kx_sym *s);

static void validate_range(struct kx_kconfig *kc, struct kx_sym *s)
{
	struct kx_prop *pr;
	struct kx_sym *rs;
	long long val, val2;
	int base;

	if (s->type == KX_S_INT)
		base = 10;
	else if (s->type == KX_S_HEX)
		base = 16;
	else
		return;
	pr = first_active(kc, s, KX_P_RANGE);
	if (!pr)
		return;
	val = strtoll(s->curr.val ? s->curr.val : "", NULL, base);
	rs = pr->expr->left.sym;
	kx_sym_calc_value(kc, rs);
	val2 = strtoll(rs->curr.val ? rs->curr.val : "", NULL,
		       rs->type == KX_S_INT ? 10 : rs->type == KX_S_HEX ? 16 : base);
	if (val >= val2) {
		rs = pr->expr->right.sym;
		kx_sym_calc_value(kc, rs);
		val2 = strtoll(rs->curr.val ? rs->curr.val : "", NULL,
			       rs->type == KX_S_INT ? 10 : rs->type == KX_S_HEX ? 16 : base);
		if (val <= val2)
			return;
	}
	s->curr.val = rs->curr.val;
}

static void calc_value(struct kx_kconfig *kc, struct kx_sym *s);

void kx_sym_calc_value(struct kx_kconfig *kc, struct kx_sym *s)
{
	if (!s || (s->flags & KX_SYM_VALID))
		return;
	if (!V2(kc) && (s->flags & KX_SYM_CHOICEVAL) &&
	    (s->flags & KX_SYM_NEED_SET_CHOICE_VALUES)) {
		s->flags &= ~KX_SYM_NEED_SET_CHOICE_VALUES;
		kx_sym_calc_value(kc, s->choice_sym);
	}
	/* KX_SYM_CALC: curr is provisional until calc_value returns */
	s->flags |= KX_SYM_VALID | KX_SYM_CALC;
	calc_value(kc, s);
	s->flags &= ~KX_SYM_CALC;
}

static void calc_value(struct kx_kconfig *kc, struct kx_sym *s)
{
	struct kx_symval newval, oldval;
	struct kx_sym *oldchoice;
	struct kx_prop *pr = NULL;	/* the default the value came from */
	bool v2 = V2(kc);

	oldval = s->curr;
	oldchoice = s->choice_curr;
	newval.tri = KX_NO;
	switch (s->type) {
	case KX_S_INT:
		newval.val = KX_SEM(kc, INT_DEFAULT_0) ? "0" : "";
		break;
	case KX_S_HEX:
		newval.val = KX_SEM(kc, INT_DEFAULT_0) ? "0x0" : "";
		break;
	case KX_S_STRING:
		newval.val = "";
		break;
	case KX_S_BOOLEAN:
	case KX_S_TRISTATE:
		newval.val = "n";
		break;
	default:
		s->curr.val = s->name;
		s->curr.tri = KX_NO;
		return;
	}
	s->flags &= ~KX_SYM_WRITE;
	calc_visibility(kc, s);
	if (s->visible != KX_NO)
		s->flags |= KX_SYM_WRITE;
	/* what a recursive evaluation of this symbol sees */
	s->curr = newval;
	s->choice_curr = NULL;

	switch (kx_sym_get_type(kc, s)) {
	case KX_S_BOOLEAN:
	case KX_S_TRISTATE: {
		struct kx_menu *cm = v2 ? kx_sym_choice_menu(s) : NULL;

		if (cm) {
			v2_calc_choice(kc, cm);
			newval.tri = s->curr.tri;
		} else if (!v2 && (s->flags & KX_SYM_CHOICEVAL) &&
			   s->visible == KX_YES) {
			newval.tri = s->choice_sym->choice_curr == s ? KX_YES : KX_NO;
		} else {
			if (s->visible != KX_NO && kx_sym_has_value(s)) {
				newval.tri = KX_TRI_AND(s->def[KX_DEF_USER].tri,
							s->visible);
				goto calc_newval;
			}
			if (s->rev_dep_tri != KX_NO)
				s->flags |= KX_SYM_WRITE;
			if (!kx_sym_is_choice(s)) {
				pr = first_active(kc, s, KX_P_DEFAULT);
				if (pr) {
					newval.tri = KX_TRI_AND(kx_expr_calc(kc, pr->expr),
								pr->visible_tri);
					if (newval.tri != KX_NO)
						s->flags |= KX_SYM_WRITE;
				}
				if (s->implied_tri != KX_NO) {
					s->flags |= KX_SYM_WRITE;
					newval.tri = KX_TRI_OR(newval.tri, s->implied_tri);
					newval.tri = KX_TRI_AND(newval.tri, s->dir_dep_tri);
				}
			}
calc_newval:
			if (s->dir_dep_tri < s->rev_dep_tri)
				warn_unmet(kc, s);
			newval.tri = KX_TRI_OR(newval.tri, s->rev_dep_tri);
		}
		if (newval.tri == KX_MOD && kx_sym_get_type(kc, s) == KX_S_BOOLEAN)
			newval.tri = KX_YES;
		break;
	}
	case KX_S_STRING:
	case KX_S_HEX:
	case KX_S_INT:
		if (s->visible != KX_NO && kx_sym_has_value(s)) {
			newval.val = s->def[KX_DEF_USER].val;
			break;
		}
		pr = first_active(kc, s, KX_P_DEFAULT);
		if (pr && pr->expr->type == KX_E_SYMBOL) {
			struct kx_sym *ds = pr->expr->left.sym;

			s->flags |= KX_SYM_WRITE;
			kx_sym_calc_value(kc, ds);
			newval.val = ds->curr.val;
		}
		break;
	default:
		break;
	}

	/*
	 * 6.18: a value without a user value, from a default that is a
	 * single transitional symbol with a user value (an old name read
	 * from .config), becomes this symbol's user value: oldconfig does
	 * not ask for it, and it is written as if the user had set it.
	 */
	if (pr && !kx_sym_has_value(s) && pr->expr->type == KX_E_SYMBOL &&
	    (pr->expr->left.sym->flags & KX_SYM_TRANS) &&
	    kx_sym_has_value(pr->expr->left.sym)) {
		s->def[KX_DEF_USER] = newval;
		s->flags |= KX_SYM_DEF_USER | KX_SYM_FROM_TRANS;
	}
	s->curr = newval;
	if (!v2 && kx_sym_is_choice(s) && newval.tri == KX_YES)
		s->choice_curr = v1_calc_choice(kc, s);
	validate_range(kc, s);

	if ((oldval.val != s->curr.val || oldval.tri != s->curr.tri ||
	     oldchoice != s->choice_curr) && kc->modules_sym == s)
		kc->modules_val = s->curr.tri;

	if (v2) {
		/* choices and (6.18) transitional symbols are never written */
		if (kx_sym_is_choice(s) || (s->flags & KX_SYM_TRANS))
			s->flags &= ~KX_SYM_WRITE;
		return;
	}
	if (kx_sym_is_choice(s)) {
		struct kx_sym **v;
		size_t n;

		v1_members(s, &v, &n);
		for (size_t i = 0; i < n; i++)
			if ((s->flags & KX_SYM_WRITE) && v[i]->visible != KX_NO)
				v[i]->flags |= KX_SYM_WRITE;
	}
	if (s->flags & KX_SYM_NO_WRITE)
		s->flags &= ~KX_SYM_WRITE;
	if (s->flags & KX_SYM_NEED_SET_CHOICE_VALUES)
		v1_set_all_choice_values(kc, s);
}

static const char *value_text(void *ctx, struct kx_sym *s)
{
	return kx_sym_string_value(ctx, s);
}

/* top-level || terms of a reverse dependency that evaluate to 'want' */
static void print_revdep(struct kx_kconfig *kc, struct kx_buf *b,
			 const struct kx_expr *e, kx_tri want, const char **title)
{
	if (e->type == KX_E_OR) {
		print_revdep(kc, b, e->left.expr, want, title);
		print_revdep(kc, b, e->right.expr, want, title);
		return;
	}
	if (kx_expr_calc(kc, e) != want)
		return;
	if (*title) {
		kx_buf_puts(b, *title);
		*title = NULL;
	}
	kx_buf_puts(b, "  - ");
	kx_expr_print(b, e, value_text, kc);
	kx_buf_puts(b, "\n");
}

static void warn_unmet(struct kx_kconfig *kc, struct kx_sym *s)
{
	struct kx_buf b = KX_BUF_INIT;
	const char *t;

	kx_buf_printf(&b, "\nWARNING: unmet direct dependencies detected for %s\n",
		      s->name);
	kx_buf_printf(&b, "  Depends on [%c]: ", s->dir_dep_tri == KX_MOD ? 'm' : 'n');
	kx_expr_print(&b, s->dir_dep, value_text, kc);
	kx_buf_puts(&b, "\n");
	t = "  Selected by [y]:\n";
	if (s->rev_dep)
		print_revdep(kc, &b, s->rev_dep, KX_YES, &t);
	t = "  Selected by [m]:\n";
	if (s->rev_dep)
		print_revdep(kc, &b, s->rev_dep, KX_MOD, &t);
	/* conf writes the block with fputs: keep it verbatim, minus the
	 * final newline the diagnostic printer adds back */
	if (b.len && b.s[b.len - 1] == '\n')
		b.s[--b.len] = 0;
	kc->sym_warnings++;
	if (kc->diags)
		kx_diags_add(kc->diags, KX_DIAG_WARNING,
			     s->menus ? s->menus->file : NULL,
			     s->menus ? s->menus->line : 0, "%s", kx_buf_cstr(&b));
	kx_buf_free(&b);
}

void kx_sym_clear_all_valid(struct kx_kconfig *kc)
{
	for (size_t i = 0; i < kc->nsyms; i++)
		kc->syms[i]->flags &= ~KX_SYM_VALID;
	kx_expr_invalidate_all(kc);
	kc->changed = true;
	kx_sym_calc_value(kc, kc->modules_sym);
}

/* ---- defaults, ranges, setting values ----------------------------------------------- */

const char *kx_sym_string_default(struct kx_kconfig *kc, struct kx_sym *s)
{
	struct kx_prop *pr;
	const char *str = "";
	kx_tri val = KX_NO;

	calc_visibility(kc, s);
	kx_sym_calc_value(kc, kc->modules_sym);
	pr = first_active(kc, s, KX_P_DEFAULT);
	if (pr) {
		if (s->type == KX_S_BOOLEAN || s->type == KX_S_TRISTATE) {
			val = KX_TRI_AND(kx_expr_calc(kc, pr->expr), pr->visible_tri);
		} else if (pr->expr->type == KX_E_SYMBOL) {
			struct kx_sym *ds = pr->expr->left.sym;

			kx_sym_calc_value(kc, ds);
			str = ds->curr.val ? ds->curr.val : "";
		}
	}
	val = KX_TRI_OR(val, s->rev_dep_tri);
	if (val == KX_MOD && !kx_sym_is_choice_value(kc, s) &&
	    kc->modules_sym->curr.tri == KX_NO)
		val = KX_YES;
	if (s->type == KX_S_BOOLEAN && val == KX_MOD)
		val = KX_YES;
	if (val < s->implied_tri)
		val = s->implied_tri;
	switch (s->type) {
	case KX_S_BOOLEAN:
	case KX_S_TRISTATE:
		return val == KX_NO ? "n" : val == KX_MOD ? "m" : "y";
	case KX_S_INT:
		if (!str[0] && KX_SEM(kc, INT_DEFAULT_0))
			str = "0";
		return str;
	case KX_S_HEX:
		if (!str[0] && KX_SEM(kc, INT_DEFAULT_0))
			str = "0x0";
		return str;
	case KX_S_STRING:
		return str;
	default:
		return KX_SEM(kc, INT_DEFAULT_0) ? str : "";
	}
}

bool kx_sym_is_changeable(const struct kx_kconfig *kc, const struct kx_sym *s)
{
	if (V2(kc) && kx_sym_is_choice(s))
		return false;
	return s->visible > s->rev_dep_tri;
}

bool kx_sym_tristate_within_range(const struct kx_kconfig *kc,
				  const struct kx_sym *s, kx_tri val)
{
	enum kx_symtype t = kx_sym_get_type(kc, s);

	if (s->visible == KX_NO)
		return false;
	if (t != KX_S_BOOLEAN && t != KX_S_TRISTATE)
		return false;
	if (t == KX_S_BOOLEAN && val == KX_MOD)
		return false;
	if (s->visible <= s->rev_dep_tri)
		return false;
	if (!V2(kc) && (s->flags & KX_SYM_CHOICEVAL) && s->visible == KX_YES)
		return val == KX_YES;
	return val >= s->rev_dep_tri && val <= s->visible;
}

bool kx_sym_string_valid(const struct kx_sym *s, const char *str)
{
	unsigned char ch;

	/*
	 * Robustness (found by fuzzing): a <= 6.10 choice of type int/hex/
	 * string (typed after an int member) has the user flag but no string
	 * value; conf reads garbage there.  No value is not a valid one.
	 */
	if (!str)
		return false;
	switch (s->type) {
	case KX_S_STRING:
		return true;
	case KX_S_INT:
		ch = (unsigned char)*str++;
		if (ch == '-')
			ch = (unsigned char)*str++;
		if (!isdigit(ch))
			return false;
		if (ch == '0' && *str != 0)
			return false;
		while ((ch = (unsigned char)*str++))
			if (!isdigit(ch))
				return false;
		return true;
	case KX_S_HEX:
		if (str[0] == '0' && (str[1] == 'x' || str[1] == 'X'))
			str += 2;
		ch = (unsigned char)*str++;
		do {
			if (!isxdigit(ch))
				return false;
		} while ((ch = (unsigned char)*str++));
		return true;
	case KX_S_BOOLEAN:
	case KX_S_TRISTATE:
		switch (str[0]) {
		case 'y': case 'Y': case 'm': case 'M': case 'n': case 'N':
			return true;
		}
		return false;
	default:
		return false;
	}
}

static long long range_val(struct kx_kconfig *kc, struct kx_sym *s, int base)
{
	kx_sym_calc_value(kc, s);
	if (s->type == KX_S_INT)
		base = 10;
	else if (s->type == KX_S_HEX)
		base = 16;
	return strtoll(s->curr.val ? s->curr.val : "", NULL, base);
}

bool kx_sym_string_within_range(struct kx_kconfig *kc, struct kx_sym *s,
				const char *str)
{
	struct kx_prop *pr;
	long long val;
	int base = s->type == KX_S_HEX ? 16 : 10;

	if (!str)		/* robustness: see kx_sym_string_valid */
		return false;
	switch (s->type) {
	case KX_S_STRING:
		return kx_sym_string_valid(s, str);
	case KX_S_INT:
	case KX_S_HEX:
		if (!kx_sym_string_valid(s, str))
			return false;
		pr = first_active(kc, s, KX_P_RANGE);
		if (!pr)
			return true;
		val = strtoll(str, NULL, base);
		return val >= range_val(kc, pr->expr->left.sym, base) &&
		       val <= range_val(kc, pr->expr->right.sym, base);
	case KX_S_BOOLEAN:
	case KX_S_TRISTATE:
		switch (str[0]) {
		case 'y': case 'Y':
			return kx_sym_tristate_within_range(kc, s, KX_YES);
		case 'm': case 'M':
			return kx_sym_tristate_within_range(kc, s, KX_MOD);
		case 'n': case 'N':
			return kx_sym_tristate_within_range(kc, s, KX_NO);
		}
		return false;
	default:
		return false;
	}
}

bool kx_sym_set_tristate_value(struct kx_kconfig *kc, struct kx_sym *s,
			       kx_tri val)
{
	kx_tri oldval = s->curr.tri;

	if (V2(kc)) {
		if (!kx_sym_tristate_within_range(kc, s, val))
			return false;
		if (!(s->flags & KX_SYM_DEF_USER) || s->def[KX_DEF_USER].tri != val) {
			s->def[KX_DEF_USER].tri = val;
			s->flags |= KX_SYM_DEF_USER;
		}
	} else {
		if (oldval != val && !kx_sym_tristate_within_range(kc, s, val))
			return false;
		s->flags |= KX_SYM_DEF_USER;
		/* setting a choice value resets the choice and its values */
		if ((s->flags & KX_SYM_CHOICEVAL) && val == KX_YES) {
			struct kx_sym *cs = s->choice_sym, **v;
			size_t n;

			cs->choice_def[KX_DEF_USER] = s;
			cs->flags |= KX_SYM_DEF_USER;
			v1_members(cs, &v, &n);
			for (size_t i = 0; i < n; i++)
				if (v[i]->visible != KX_NO)
					v[i]->flags |= KX_SYM_DEF_USER;
		}
		s->def[KX_DEF_USER].tri = val;
	}
	if (oldval != val)
		kx_sym_clear_all_valid(kc);
	return true;
}

void kx_choice_set_value(struct kx_kconfig *kc, struct kx_menu *choice,
			 struct kx_sym *s)
{
	bool changed = false;

	if (!V2(kc)) {
		kx_sym_set_tristate_value(kc, s, KX_YES);
		return;
	}
	for (struct kx_menu *m = kx_menu_next(choice, choice); m;
	     m = kx_menu_next(m, choice)) {
		struct kx_sym *ms = m->sym;
		kx_tri val;

		if (!ms || ms->visible == KX_NO)
			continue;
		val = ms == s ? KX_YES : KX_NO;
		if (ms->curr.tri != val)
			changed = true;
		ms->def[KX_DEF_USER].tri = val;
		ms->flags |= KX_SYM_DEF_USER;
		/* highest priority: move to the front of the list */
		for (size_t i = 0; i < choice->nprio; i++) {
			if (choice->prio[i] != ms)
				continue;
			memmove(choice->prio + 1, choice->prio, i * sizeof(*choice->prio));
			choice->prio[0] = ms;
			break;
		}
	}
	if (changed)
		kx_sym_clear_all_valid(kc);
}

bool kx_sym_set_string_value(struct kx_kconfig *kc, struct kx_sym *s,
			     const char *val)
{
	const char *old;

	switch (s->type) {
	case KX_S_BOOLEAN:
	case KX_S_TRISTATE:
		switch (val[0]) {
		case 'y': case 'Y':
			return kx_sym_set_tristate_value(kc, s, KX_YES);
		case 'm': case 'M':
			return kx_sym_set_tristate_value(kc, s, KX_MOD);
		case 'n': case 'N':
			return kx_sym_set_tristate_value(kc, s, KX_NO);
		}
		return false;
	default:
		break;
	}
	if (!kx_sym_string_within_range(kc, s, val))
		return false;
	s->flags |= KX_SYM_DEF_USER;
	old = s->def[KX_DEF_USER].val;
	if (s->type == KX_S_HEX && (val[0] != '0' || (val[1] != 'x' && val[1] != 'X')))
		s->def[KX_DEF_USER].val = kx_arena_printf(kc->arena, "0x%s", val);
	else if (!old || strcmp(old, val))
		s->def[KX_DEF_USER].val = kx_arena_strdup(kc->arena, val);
	else
		return true;
	kx_sym_clear_all_valid(kc);
	return true;
}

/* ---- menus ------------------------------------------------------------------------- */

bool kx_menu_is_visible(struct kx_kconfig *kc, struct kx_menu *m)
{
	struct kx_sym *s;
	kx_tri visible;

	if (!m->prompt)
		return false;
	if (m->visibility && kx_expr_calc(kc, m->visibility) == KX_NO)
		return false;
	s = m->sym;
	if (s) {
		kx_sym_calc_value(kc, s);
		visible = m->prompt->visible_tri;
	} else {
		visible = m->prompt->visible_tri = kx_expr_calc(kc, m->prompt->visible);
	}
	if (visible != KX_NO)
		return true;
	if (!s || s->curr.tri == KX_NO)
		return false;
	for (struct kx_menu *c = m->list; c; c = c->next) {
		if (kx_menu_is_visible(kc, c)) {
			/* <= 6.10 conf marks the symbol as user-set here */
			if (!V2(kc))
				s->flags |= KX_SYM_DEF_USER;
			return true;
		}
	}
	return false;
}

void kx_eval_reset(struct kx_kconfig *kc)
{
	for (size_t i = 0; i < kc->nsyms; i++) {
		struct kx_sym *s = kc->syms[i];

		s->flags &= ~(KX_SYM_VALID | KX_SYM_WRITE | KX_SYM_WRITTEN |
			      KX_SYM_DEF_USER | KX_SYM_DEF_AUTO | KX_SYM_DEF3 |
			      KX_SYM_DEF4 | KX_SYM_NEED_SET_CHOICE_VALUES |
			      KX_SYM_CHANGED);
		memset(s->def, 0, sizeof(s->def));
		memset(s->choice_def, 0, sizeof(s->choice_def));
		s->curr.val = NULL;
		s->curr.tri = KX_NO;
		s->choice_curr = NULL;
		s->visible = KX_NO;
		s->dir_dep_tri = s->rev_dep_tri = s->implied_tri = KX_NO;
	}
	kx_expr_invalidate_all(kc);
	/* 6.11+: the choices' priority lists start in definition order */
	for (size_t i = 0; i < kc->nsyms; i++) {
		struct kx_menu *cm = kc->syms[i]->menus;

		if (!kx_sym_is_choice(kc->syms[i]) || !cm || !cm->members)
			continue;
		if (V2(kc)) {
			memcpy(cm->prio, cm->members, cm->nmembers * sizeof(*cm->prio));
			cm->nprio = cm->nmembers;
			for (size_t j = 0; j < cm->nmembers; j++)
				cm->members[j]->member_of = cm;
		}
	}
	kc->modules_val = KX_NO;
	kc->changed = true;
	kc->sym_warnings = 0;
}
