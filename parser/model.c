// SPDX-License-Identifier: MIT
/*
 * model.c - the model's lifetime, symbols, hash-consed expressions and the
 * expression simplifications conf applies while finalising menus.
 *
 * The simplifications (transform, eliminate_dups, eliminate_eq,
 * trans_compare, depends/contains_symbol) only decide the *shape* of the
 * menu tree (automatic submenus) and how expressions print; values never
 * depend on them because every rewrite preserves the tristate value.  They
 * follow the rules of the kernel's scripts/kconfig/expr.c, rewritten here:
 * each rule is listed in the comment of the function applying it.
 */
#include "parser/model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "parser/env.h"

/* ---- model lifetime -------------------------------------------------------- */

static void init_const(struct kx_sym *s, const char *name, kx_tri t)
{
	s->name = name;
	s->type = KX_S_TRISTATE;
	s->curr.val = name;
	s->curr.tri = t;
	s->flags = KX_SYM_CONST | KX_SYM_VALID;
	s->hash = kx_hash_fnv32(name);
}

struct kx_kconfig *kx_kconfig_new(void)
{
	struct kx_kconfig *kc = kx_xcalloc(1, sizeof(*kc));

	kc->arena = kx_arena_new();
	kc->expr_gen = 1;
	kc->strings = kx_strtab_new(kc->arena);
	init_const(&kc->sym_yes, "y", KX_YES);
	init_const(&kc->sym_mod, "m", KX_MOD);
	init_const(&kc->sym_no, "n", KX_NO);
	return kc;
}

void kx_kconfig_free(struct kx_kconfig *kc)
{
	if (!kc)
		return;
	free(kc->symtab);
	free(kc->syms);
	free(kc->conf_order);
	free(kc->exprtab);
	free(kc->files);
	free(kc->env_names);
	free(kc->env_values);
	free(kc->eval);
	if (kc->snap_map)
		munmap(kc->snap_map, kc->snap_len);
	kx_strtab_free(kc->strings);
	kx_arena_free(kc->arena);
	free(kc);
}

static const char *env_or_empty(struct kx_kconfig *kc, const struct kx_env *env,
				const char *name)
{
	const char *v = kx_env_get(env, name);

	return kx_arena_strdup(kc->arena, v ? v : "");
}

void kx_kconfig_set_origin(struct kx_kconfig *kc, const struct kx_env *env)
{
	kc->kernelversion = env_or_empty(kc, env, "KERNELVERSION");
	kc->arch = env_or_empty(kc, env, "ARCH");
	kc->srcarch = env_or_empty(kc, env, "SRCARCH");
}

/* ---- symbols ------------------------------------------------------------ */

static void symtab_grow(struct kx_kconfig *kc)
{
	size_t cap = kc->symtab_cap ? kc->symtab_cap * 2 : 16384;
	struct kx_sym **tab = kx_xcalloc(cap, sizeof(*tab));

	for (size_t i = 0; i < kc->symtab_cap; i++) {
		struct kx_sym *s = kc->symtab[i], *n;

		for (; s; s = n) {
			n = s->hnext;
			size_t j = s->hash & (cap - 1);
			s->hnext = tab[j];
			tab[j] = s;
		}
	}
	free(kc->symtab);
	kc->symtab = tab;
	kc->symtab_cap = cap;
}

static struct kx_sym *sym_new(struct kx_kconfig *kc, const char *name,
			      unsigned flags)
{
	struct kx_sym *s = kx_arena_alloc(kc->arena, sizeof(*s));

	s->name = name ? kx_arena_strdup(kc->arena, name) : NULL;
	s->type = KX_S_UNKNOWN;
	s->flags = flags;
	s->hash = name ? kx_hash_fnv32(name) : 0;
	s->seq = (unsigned)kc->nsyms;
	if (kc->nsyms == kc->capsyms) {
		kc->capsyms = kc->capsyms ? kc->capsyms * 2 : 4096;
		kc->syms = kx_xrealloc(kc->syms, kc->capsyms * sizeof(*kc->syms));
	}
	kc->syms[kc->nsyms++] = s;
	kc->conf_order_n = 0;	/* invalidate */
	if (name) {
		if (kc->nsyms * 2 > kc->symtab_cap)
			symtab_grow(kc);
		size_t j = s->hash & (kc->symtab_cap - 1);
		s->hnext = kc->symtab[j];
		kc->symtab[j] = s;
	}
	return s;
}

static struct kx_sym *const_sym(const struct kx_kconfig *kc, const char *name)
{
	if (name[0] && !name[1]) {
		switch (name[0]) {
		case 'y': return (struct kx_sym *)&kc->sym_yes;
		case 'm': return (struct kx_sym *)&kc->sym_mod;
		case 'n': return (struct kx_sym *)&kc->sym_no;
		}
	}
	return NULL;
}

struct kx_sym *kx_sym_lookup(struct kx_kconfig *kc, const char *name,
			     unsigned flags)
{
	struct kx_sym *s;

	if (!name)
		return sym_new(kc, NULL, flags);
	if ((s = const_sym(kc, name)))
		return s;
	if (kc->symtab_cap) {
		uint32_t h = kx_hash_fnv32(name);

		for (s = kc->symtab[h & (kc->symtab_cap - 1)]; s; s = s->hnext) {
			if (s->hash != h || strcmp(s->name, name))
				continue;
			if (flags ? (s->flags & flags)
				  : !(s->flags & (KX_SYM_CONST | KX_SYM_CHOICE)))
				return s;
		}
	}
	return sym_new(kc, name, flags);
}

struct kx_sym *kx_sym_find(const struct kx_kconfig *kc, const char *name)
{
	struct kx_sym *s;
	uint32_t h;

	if (!name)
		return NULL;
	if ((s = const_sym(kc, name)))
		return s;
	if (!kc->symtab_cap)
		return NULL;
	h = kx_hash_fnv32(name);
	for (s = kc->symtab[h & (kc->symtab_cap - 1)]; s; s = s->hnext)
		if (s->hash == h && !strcmp(s->name, name) &&
		    !(s->flags & KX_SYM_CONST))
			return s;
	return NULL;
}

/*
 * conf's for_all_symbols order: by bucket of its symbol hash table (hash
 * % size), and within a bucket newest first (conf pushes new symbols at
 * the head).  A counting sort over kc->syms (creation order) taken
 * backwards: O(symbols + buckets), where qsort was 2% of olddefconfig.
 */
struct kx_sym **kx_syms_conf_order(struct kx_kconfig *kc, size_t *n)
{
	if (kc->conf_order_n != kc->nsyms) {
		/* conf's symbol hash: 9973 buckets until 6.9, then 1 << 14 */
		uint32_t hsize = kx_sem_has(&kc->sem, KX_R_HASH_16K) ? 16384 : 9973;
		size_t *start = kx_xcalloc((size_t)hsize + 1, sizeof(*start));

		free(kc->conf_order);
		kc->conf_order = kx_xmalloc((kc->nsyms + 1) * sizeof(*kc->conf_order));
		for (size_t i = 0; i < kc->nsyms; i++)
			start[kc->syms[i]->hash % hsize + 1]++;
		for (uint32_t b = 0; b < hsize; b++)
			start[b + 1] += start[b];
		for (size_t i = kc->nsyms; i-- > 0;)
			kc->conf_order[start[kc->syms[i]->hash % hsize]++] = kc->syms[i];
		free(start);
		kc->conf_order_n = kc->nsyms;
	}
	*n = kc->conf_order_n;
	return kc->conf_order;
}

const char *kx_symtype_name(enum kx_symtype t)
{
	switch (t) {
	case KX_S_BOOLEAN: return "bool";
	case KX_S_TRISTATE: return "tristate";
	case KX_S_INT: return "integer";
	case KX_S_HEX: return "hex";
	case KX_S_STRING: return "string";
	case KX_S_UNKNOWN: return "unknown";
	}
	return "???";
}

const char *kx_prop_type_name(enum kx_prop_type t)
{
	switch (t) {
	case KX_P_PROMPT: return "prompt";
	case KX_P_COMMENT: return "comment";
	case KX_P_MENU: return "menu";
	case KX_P_DEFAULT: return "default";
	case KX_P_SELECT: return "select";
	case KX_P_IMPLY: return "imply";
	case KX_P_RANGE: return "range";
	case KX_P_UNKNOWN: break;
	}
	return "unknown";
}

/* ---- hash-consed expressions ------------------------------------------- */

static uint32_t ptr_hash(const void *p)
{
	uint64_t x = (uint64_t)(uintptr_t)p;

	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return (uint32_t)x;
}

static uint32_t expr_key(enum kx_expr_type t, const void *l, const void *r)
{
	return ((uint32_t)t * 0x9e3779b1U) ^ ptr_hash(l) ^ (ptr_hash(r) * 31U);
}

static void exprtab_grow(struct kx_kconfig *kc)
{
	/* a full x86 tree makes about 150k expressions: start big enough
	 * that a full load grows the table at most once (1 MB of buckets) */
	size_t cap = kc->exprtab_cap ? kc->exprtab_cap * 2 : 1 << 17;
	struct kx_expr **tab = kx_xcalloc(cap, sizeof(*tab));

	for (size_t i = 0; i < kc->exprtab_cap; i++) {
		struct kx_expr *e = kc->exprtab[i], *n;

		for (; e; e = n) {
			n = e->hnext;
			size_t j = expr_key(e->type, e->left.expr, e->right.expr) & (cap - 1);
			e->hnext = tab[j];
			tab[j] = e;
		}
	}
	free(kc->exprtab);
	kc->exprtab = tab;
	kc->exprtab_cap = cap;
}

static struct kx_expr *expr_lookup(struct kx_kconfig *kc, enum kx_expr_type t,
				   void *l, void *r, unsigned depth)
{
	struct kx_expr *e;
	size_t j;

	if (kc->nexprs >= 2 * kc->exprtab_cap)	/* chains average at most 2 */
		exprtab_grow(kc);
	j = expr_key(t, l, r) & (kc->exprtab_cap - 1);
	for (e = kc->exprtab[j]; e; e = e->hnext)
		if (e->type == t && (void *)e->left.expr == l &&
		    (void *)e->right.expr == r)
			return e;
	e = kx_arena_alloc(kc->arena, sizeof(*e));
	e->type = t;
	e->left.expr = l;
	e->right.expr = r;
	e->depth = depth;
	e->hnext = kc->exprtab[j];
	kc->exprtab[j] = e;
	kc->nexprs++;
	return e;
}

struct kx_expr *kx_expr_sym(struct kx_kconfig *kc, struct kx_sym *s)
{
	return expr_lookup(kc, KX_E_SYMBOL, s, NULL, 1);
}

/*
 * Robustness: the depth of a new operator node, or 0 when it would exceed
 * KX_EXPR_MAX_DEPTH.  Then kc->expr_too_deep is set and the caller returns
 * the constant n instead, so that no walker ever recurses deeper than the
 * limit; the load reports the error and fails (see model.h).
 */
static unsigned node_depth(struct kx_kconfig *kc, const struct kx_expr *a,
			   const struct kx_expr *b)
{
	unsigned da = a ? a->depth : 0, db = b ? b->depth : 0;
	unsigned d = 1 + (da > db ? da : db);

	if (d > KX_EXPR_MAX_DEPTH) {
		kc->expr_too_deep = true;
		return 0;
	}
	return d;
}

struct kx_expr *kx_expr_one(struct kx_kconfig *kc, enum kx_expr_type t,
			    struct kx_expr *e)
{
	unsigned d = node_depth(kc, e, NULL);

	if (!d)
		return kx_expr_sym(kc, &kc->sym_no);
	return expr_lookup(kc, t, e, NULL, d);
}

struct kx_expr *kx_expr_two(struct kx_kconfig *kc, enum kx_expr_type t,
			    struct kx_expr *a, struct kx_expr *b)
{
	unsigned d = node_depth(kc, a, b);

	if (!d)
		return kx_expr_sym(kc, &kc->sym_no);
	return expr_lookup(kc, t, a, b, d);
}

/* 'e' with operands l and r: 'e' itself when they did not change */
static struct kx_expr *rebuild(struct kx_kconfig *kc, struct kx_expr *e,
			       struct kx_expr *l, struct kx_expr *r)
{
	if (e->left.expr == l && e->right.expr == r)
		return e;
	return kx_expr_two(kc, e->type, l, r);
}

struct kx_expr *kx_expr_comp(struct kx_kconfig *kc, enum kx_expr_type t,
			     struct kx_sym *a, struct kx_sym *b)
{
	return expr_lookup(kc, t, a, b, 1);
}

struct kx_expr *kx_expr_and(struct kx_kconfig *kc, struct kx_expr *a,
			    struct kx_expr *b)
{
	if (!a)
		return b;
	return b ? kx_expr_two(kc, KX_E_AND, a, b) : a;
}

struct kx_expr *kx_expr_or(struct kx_kconfig *kc, struct kx_expr *a,
			   struct kx_expr *b)
{
	if (!a)
		return b;
	return b ? kx_expr_two(kc, KX_E_OR, a, b) : a;
}

static bool is_sym(const struct kx_expr *e, const struct kx_sym *s)
{
	return e->type == KX_E_SYMBOL && e->left.sym == s;
}

bool kx_expr_is_yes(const struct kx_kconfig *kc, const struct kx_expr *e)
{
	return !e || is_sym(e, &kc->sym_yes);
}

static bool is_comparison(enum kx_expr_type t)
{
	return t == KX_E_EQUAL || t == KX_E_UNEQUAL || t == KX_E_LTH ||
	       t == KX_E_LEQ || t == KX_E_GTH || t == KX_E_GEQ;
}

/* ---- simplifications ------------------------------------------------------ */

#define Y(kc) kx_expr_sym(kc, &(kc)->sym_yes)
#define N(kc) kx_expr_sym(kc, &(kc)->sym_no)

/*
 * Folds constant operands of && and ||:
 *   e && n -> n,  e && y -> e,  e || n -> e,  e || y -> y
 * (and the same with operands swapped), recursively.
 */
static struct kx_expr *eliminate_yn(struct kx_kconfig *kc, struct kx_expr *e)
{
	struct kx_expr *l, *r;

	if (!e || (e->type != KX_E_AND && e->type != KX_E_OR))
		return e;
	l = eliminate_yn(kc, e->left.expr);
	r = eliminate_yn(kc, e->right.expr);
	if (e->type == KX_E_AND) {
		if (is_sym(l, &kc->sym_no))
			return l;
		if (is_sym(l, &kc->sym_yes))
			return r;
		if (is_sym(r, &kc->sym_no))
			return r;
		if (is_sym(r, &kc->sym_yes))
			return l;
	} else {
		if (is_sym(l, &kc->sym_no))
			return r;
		if (is_sym(l, &kc->sym_yes))
			return l;
		if (is_sym(r, &kc->sym_no))
			return l;
		if (is_sym(r, &kc->sym_yes))
			return r;
	}
	/*
	 * conf rewrites operands in place and returns the original node;
	 * the operands seen by callers are the simplified ones.
	 */
	return rebuild(kc, e, l, r);
}

/*
 * Walks both trees through nodes of 'type' (&& or ||); every pair of equal
 * leaves, one from each side, is replaced by the neutral constant (y for
 * &&, n for ||) on both sides.
 */
static void eliminate_eq_walk(struct kx_kconfig *kc, enum kx_expr_type type,
			      struct kx_expr **a, struct kx_expr **b)
{
	struct kx_expr *l, *r;

	if ((*a)->type == type) {
		l = (*a)->left.expr;
		r = (*a)->right.expr;
		eliminate_eq_walk(kc, type, &l, b);
		eliminate_eq_walk(kc, type, &r, b);
		*a = rebuild(kc, *a, l, r);
		return;
	}
	if ((*b)->type == type) {
		l = (*b)->left.expr;
		r = (*b)->right.expr;
		eliminate_eq_walk(kc, type, a, &l);
		eliminate_eq_walk(kc, type, a, &r);
		*b = rebuild(kc, *b, l, r);
		return;
	}
	if ((*a)->type == KX_E_SYMBOL && (*b)->type == KX_E_SYMBOL &&
	    (*a)->left.sym == (*b)->left.sym &&
	    ((*a)->left.sym == &kc->sym_yes || (*a)->left.sym == &kc->sym_no))
		return;
	if (!kx_expr_eq(kc, *a, *b))
		return;
	kc->expr_trans_count++;
	if (type == KX_E_OR)
		*a = *b = N(kc);
	else if (type == KX_E_AND)
		*a = *b = Y(kc);
}

void kx_expr_eliminate_eq(struct kx_kconfig *kc, struct kx_expr **a,
			  struct kx_expr **b)
{
	if (!*a || !*b)
		return;
	if ((*a)->type == KX_E_OR || (*a)->type == KX_E_AND)
		eliminate_eq_walk(kc, (*a)->type, a, b);
	if ((*a)->type != (*b)->type &&
	    ((*b)->type == KX_E_OR || (*b)->type == KX_E_AND))
		eliminate_eq_walk(kc, (*b)->type, a, b);
	*a = eliminate_yn(kc, *a);
	*b = eliminate_yn(kc, *b);
}

/*
 * Equality after light simplification: && and || trees are equal when
 * eliminating their common operands leaves the same single symbol.
 */
bool kx_expr_eq(struct kx_kconfig *kc, struct kx_expr *a, struct kx_expr *b)
{
	int saved;
	bool res;

	if (!a || !b)
		return kx_expr_is_yes(kc, a) && kx_expr_is_yes(kc, b);
	if (a == b)
		return true;
	if (a->type != b->type)
		return false;
	switch (a->type) {
	case KX_E_EQUAL: case KX_E_GEQ: case KX_E_GTH:
	case KX_E_LEQ: case KX_E_LTH: case KX_E_UNEQUAL:
		return a->left.sym == b->left.sym && a->right.sym == b->right.sym;
	case KX_E_SYMBOL:
		return a->left.sym == b->left.sym;
	case KX_E_NOT:
		return kx_expr_eq(kc, a->left.expr, b->left.expr);
	case KX_E_AND:
	case KX_E_OR:
		saved = kc->expr_trans_count;
		kx_expr_eliminate_eq(kc, &a, &b);
		res = a->type == KX_E_SYMBOL && b->type == KX_E_SYMBOL &&
		      a->left.sym == b->left.sym;
		kc->expr_trans_count = saved;
		return res;
	default:
		return false;
	}
}

/* the symbol a leaf of a join talks about, or NULL */
static bool join_leaf(const struct kx_expr *e)
{
	return e->type == KX_E_EQUAL || e->type == KX_E_UNEQUAL ||
	       e->type == KX_E_SYMBOL || e->type == KX_E_NOT;
}

static bool join_syms(struct kx_expr *a, struct kx_expr *b,
		      struct kx_sym **sa, struct kx_sym **sb)
{
	if (!join_leaf(a) || !join_leaf(b))
		return false;
	if (a->type == KX_E_NOT) {
		struct kx_expr *t = a->left.expr;

		if (t->type != KX_E_EQUAL && t->type != KX_E_UNEQUAL &&
		    t->type != KX_E_SYMBOL)
			return false;
		*sa = t->left.sym;
	} else {
		*sa = a->left.sym;
	}
	if (b->type == KX_E_NOT) {
		if (b->left.expr->type != KX_E_SYMBOL)
			return false;
		*sb = b->left.expr->left.sym;
	} else {
		*sb = b->left.sym;
	}
	return *sa == *sb &&
	       ((*sa)->type == KX_S_BOOLEAN || (*sa)->type == KX_S_TRISTATE);
}

static bool cmp_pair(const struct kx_expr *a, const struct kx_expr *b,
		     enum kx_expr_type t, const struct kx_sym *x,
		     const struct kx_sym *y)
{
	return a->type == t && b->type == t &&
	       ((a->right.sym == x && b->right.sym == y) ||
		(a->right.sym == y && b->right.sym == x));
}

/*
 * a || b -> one expression, or NULL:
 *   equal operands -> a;  tristate: (A=y)||(A=m) -> A!=n, (A=y)||(A=n) ->
 *   A!=m, (A=m)||(A=n) -> A!=y;  bool: A || !A -> y.
 */
static struct kx_expr *join_or(struct kx_kconfig *kc, struct kx_expr *a,
			       struct kx_expr *b)
{
	struct kx_sym *s1, *s2;

	if (kx_expr_eq(kc, a, b))
		return a;
	if (!join_syms(a, b, &s1, &s2))
		return NULL;
	if (s1->type == KX_S_TRISTATE) {
		if (cmp_pair(a, b, KX_E_EQUAL, &kc->sym_yes, &kc->sym_mod))
			return kx_expr_comp(kc, KX_E_UNEQUAL, s1, &kc->sym_no);
		if (cmp_pair(a, b, KX_E_EQUAL, &kc->sym_yes, &kc->sym_no))
			return kx_expr_comp(kc, KX_E_UNEQUAL, s1, &kc->sym_mod);
		if (cmp_pair(a, b, KX_E_EQUAL, &kc->sym_mod, &kc->sym_no))
			return kx_expr_comp(kc, KX_E_UNEQUAL, s1, &kc->sym_yes);
	}
	if (s1->type == KX_S_BOOLEAN) {
		if ((a->type == KX_E_NOT && a->left.expr->type == KX_E_SYMBOL &&
		     b->type == KX_E_SYMBOL) ||
		    (b->type == KX_E_NOT && b->left.expr->type == KX_E_SYMBOL &&
		     a->type == KX_E_SYMBOL))
			return Y(kc);
	}
	return NULL;
}

static bool sym_vs(const struct kx_expr *a, const struct kx_expr *b,
		   enum kx_expr_type t, const struct kx_sym *c)
{
	return (a->type == KX_E_SYMBOL && b->type == t && b->right.sym == c) ||
	       (b->type == KX_E_SYMBOL && a->type == t && a->right.sym == c);
}

/*
 * a && b -> one expression, or NULL:
 *   equal -> a;  A && A=y -> A=y;  A && A!=n -> A;  A && A!=m -> A=y;
 *   tristate: (A=b)&&(A!=c) with constants -> b=c ? n : A=b;
 *   (A!=y)&&(A!=n) -> A=m; (A!=y)&&(A!=m) -> A=n; (A!=m)&&(A!=n) -> A=y.
 */
static struct kx_expr *join_and(struct kx_kconfig *kc, struct kx_expr *a,
				struct kx_expr *b)
{
	struct kx_sym *s1, *s2;

	if (kx_expr_eq(kc, a, b))
		return a;
	if (!join_syms(a, b, &s1, &s2))
		return NULL;
	if (sym_vs(a, b, KX_E_EQUAL, &kc->sym_yes))
		return kx_expr_comp(kc, KX_E_EQUAL, s1, &kc->sym_yes);
	if (sym_vs(a, b, KX_E_UNEQUAL, &kc->sym_no))
		return kx_expr_sym(kc, s1);
	if (sym_vs(a, b, KX_E_UNEQUAL, &kc->sym_mod))
		return kx_expr_comp(kc, KX_E_EQUAL, s1, &kc->sym_yes);
	if (s1->type == KX_S_TRISTATE) {
		struct kx_expr *eq = NULL, *ne = NULL;

		if (a->type == KX_E_EQUAL && b->type == KX_E_UNEQUAL)
			eq = a, ne = b;
		else if (a->type == KX_E_UNEQUAL && b->type == KX_E_EQUAL)
			eq = b, ne = a;
		if (eq && (ne->right.sym->flags & KX_SYM_CONST) &&
		    (eq->right.sym->flags & KX_SYM_CONST))
			return eq->right.sym != ne->right.sym
				? kx_expr_comp(kc, KX_E_EQUAL, s1, eq->right.sym)
				: N(kc);
		if (cmp_pair(a, b, KX_E_UNEQUAL, &kc->sym_yes, &kc->sym_no))
			return kx_expr_comp(kc, KX_E_EQUAL, s1, &kc->sym_mod);
		if (cmp_pair(a, b, KX_E_UNEQUAL, &kc->sym_yes, &kc->sym_mod))
			return kx_expr_comp(kc, KX_E_EQUAL, s1, &kc->sym_no);
		if (cmp_pair(a, b, KX_E_UNEQUAL, &kc->sym_mod, &kc->sym_no))
			return kx_expr_comp(kc, KX_E_EQUAL, s1, &kc->sym_yes);
	}
	return NULL;
}

static void eliminate_dups_walk(struct kx_kconfig *kc, enum kx_expr_type type,
				struct kx_expr **a, struct kx_expr **b)
{
	struct kx_expr *l, *r, *t;

	if ((*a)->type == type) {
		l = (*a)->left.expr;
		r = (*a)->right.expr;
		eliminate_dups_walk(kc, type, &l, b);
		eliminate_dups_walk(kc, type, &r, b);
		*a = rebuild(kc, *a, l, r);
		return;
	}
	if ((*b)->type == type) {
		l = (*b)->left.expr;
		r = (*b)->right.expr;
		eliminate_dups_walk(kc, type, a, &l);
		eliminate_dups_walk(kc, type, a, &r);
		*b = rebuild(kc, *b, l, r);
		return;
	}
	t = type == KX_E_OR ? join_or(kc, *a, *b) : join_and(kc, *a, *b);
	if (t) {
		*a = type == KX_E_OR ? N(kc) : Y(kc);
		*b = t;
		kc->expr_trans_count++;
	}
}

/*
 * The eliminate_dups memo.  Expressions are hash-consed and never change,
 * and once the menus are finalised every symbol's type is final, so the
 * result is a function of the argument: it is kept in the argument's
 * 'elim'.  Menu finalisation asks for the same dependencies over and over
 * (every entry of a menu carries the menu's): memoised, it costs a third
 * of what it did (olddefconfig on 6.12: 10% fewer instructions).
 */
void kx_expr_memo_begin(struct kx_kconfig *kc)
{
	kc->elim_memo = true;
}

static struct kx_expr *eliminate_dups(struct kx_kconfig *kc, struct kx_expr *e);

/* Joins duplicate and redundant operands: A || B || A -> A || B, ... */
struct kx_expr *kx_expr_eliminate_dups(struct kx_kconfig *kc, struct kx_expr *e)
{
	if (!e || !kc->elim_memo)
		return eliminate_dups(kc, e);
	if (!e->elim)
		e->elim = eliminate_dups(kc, e);
	return e->elim;
}

static struct kx_expr *eliminate_dups(struct kx_kconfig *kc, struct kx_expr *e)
{
	int saved;

	if (!e)
		return e;
	saved = kc->expr_trans_count;
	do {
		kc->expr_trans_count = 0;
		if (e->type == KX_E_OR || e->type == KX_E_AND) {
			struct kx_expr *l = kx_expr_eliminate_dups(kc, e->left.expr);
			struct kx_expr *r = kx_expr_eliminate_dups(kc, e->right.expr);

			/* conf until 6.11 counted its simplifications anywhere
			 * in the expression (one global counter) */
			if (l != e->left.expr || r != e->right.expr)
				kc->expr_trans_count += !KX_SEM(kc, EXPR_V2);
			eliminate_dups_walk(kc, e->type, &l, &r);
			e = rebuild(kc, e, l, r);
		}
		/* and removed y and n operands only after a pass that
		 * simplified something: "A && y" stayed as it is */
		if (!KX_SEM(kc, EXPR_V2) && !kc->expr_trans_count)
			break;
		e = eliminate_yn(kc, e);
	} while (kc->expr_trans_count);
	kc->expr_trans_count = saved;
	return e;
}

static void note(struct kx_kconfig *kc, const char *fmt, const char *name)
{
	char *line = kx_xasprintf(fmt, name ? name : "(null)");

	kx_info_out(kc->info, kc->info_ctx, line);
	free(line);
}

/*
 * Rewrites, recursively:
 *   bool A: A=n -> !A, A=m -> n, A=y -> A, A!=n -> A, A!=m -> y, A!=y -> !A;
 *   !!A -> A, !(A=B) -> A!=B, !(A!=B) -> A=B, !(A<=B) -> A>B, !(A>=B) -> A<B,
 *   !(A<B) -> A>=B, !(A>B) -> A<=B, !(A||B) -> !A && !B, !(A&&B) -> !A || !B,
 *   !y -> n, !m -> m, !n -> y.
 */
static struct kx_expr *transform(struct kx_kconfig *kc, struct kx_expr *e);

/*
 * Expressions are immutable and shared, so a node's transform is computed
 * once (symbol types, which the rules look at, are fixed by then).
 */
struct kx_expr *kx_expr_transform(struct kx_kconfig *kc, struct kx_expr *e)
{
	if (!e)
		return NULL;
	if (!e->xform)
		e->xform = transform(kc, e);
	return e->xform;
}

static struct kx_expr *transform(struct kx_kconfig *kc, struct kx_expr *e)
{
	struct kx_expr *l;

	if (e->type == KX_E_AND || e->type == KX_E_OR || e->type == KX_E_NOT)
		e = rebuild(kc, e, kx_expr_transform(kc, e->left.expr),
			    e->type == KX_E_NOT ? NULL
			    : kx_expr_transform(kc, e->right.expr));
	switch (e->type) {
	case KX_E_EQUAL:
		if (e->left.sym->type != KX_S_BOOLEAN)
			break;
		if (e->right.sym == &kc->sym_no)
			return kx_expr_one(kc, KX_E_NOT, kx_expr_sym(kc, e->left.sym));
		if (e->right.sym == &kc->sym_mod) {
			note(kc, "boolean symbol %s tested for 'm'? test forced to 'n'",
			     e->left.sym->name);
			return N(kc);
		}
		if (e->right.sym == &kc->sym_yes)
			return kx_expr_sym(kc, e->left.sym);
		break;
	case KX_E_UNEQUAL:
		if (e->left.sym->type != KX_S_BOOLEAN)
			break;
		if (e->right.sym == &kc->sym_no)
			return kx_expr_sym(kc, e->left.sym);
		if (e->right.sym == &kc->sym_mod) {
			note(kc, "boolean symbol %s tested for 'm'? test forced to 'y'",
			     e->left.sym->name);
			return Y(kc);
		}
		if (e->right.sym == &kc->sym_yes)
			return kx_expr_one(kc, KX_E_NOT, kx_expr_sym(kc, e->left.sym));
		break;
	case KX_E_NOT:
		l = e->left.expr;
		switch (l->type) {
		case KX_E_NOT:
			return l->left.expr;
		case KX_E_EQUAL:
		case KX_E_UNEQUAL:
			return kx_expr_comp(kc, l->type == KX_E_EQUAL ? KX_E_UNEQUAL
					    : KX_E_EQUAL, l->left.sym, l->right.sym);
		case KX_E_LEQ:
		case KX_E_GEQ:
			return kx_expr_comp(kc, l->type == KX_E_LEQ ? KX_E_GTH
					    : KX_E_LTH, l->left.sym, l->right.sym);
		case KX_E_LTH:
		case KX_E_GTH:
			return kx_expr_comp(kc, l->type == KX_E_LTH ? KX_E_GEQ
					    : KX_E_LEQ, l->left.sym, l->right.sym);
		case KX_E_OR:
			return kx_expr_transform(kc, kx_expr_and(kc,
				kx_expr_one(kc, KX_E_NOT, l->left.expr),
				kx_expr_one(kc, KX_E_NOT, l->right.expr)));
		case KX_E_AND:
			return kx_expr_transform(kc, kx_expr_or(kc,
				kx_expr_one(kc, KX_E_NOT, l->left.expr),
				kx_expr_one(kc, KX_E_NOT, l->right.expr)));
		case KX_E_SYMBOL:
			if (l->left.sym == &kc->sym_yes)
				return N(kc);
			if (l->left.sym == &kc->sym_mod)
				return kx_expr_sym(kc, &kc->sym_mod);
			if (l->left.sym == &kc->sym_no)
				return Y(kc);
			break;
		default:
			break;
		}
		break;
	default:
		break;
	}
	return e;
}

bool kx_expr_contains_symbol(const struct kx_expr *e, const struct kx_sym *s)
{
	if (!e)
		return false;
	switch (e->type) {
	case KX_E_AND:
	case KX_E_OR:
		return kx_expr_contains_symbol(e->left.expr, s) ||
		       kx_expr_contains_symbol(e->right.expr, s);
	case KX_E_SYMBOL:
		return e->left.sym == s;
	case KX_E_NOT:
		return kx_expr_contains_symbol(e->left.expr, s);
	default:
		if (is_comparison(e->type))
			return e->left.sym == s || e->right.sym == s;
		return false;
	}
}

/*
 * 7.3's expr_contains_symbol_negated: 'e' (transformed) refers to 's' in a
 * way that holds with s disabled: !s, s=n, s!=y or s!=m, inside any &&/||.
 */
bool kx_expr_contains_symbol_negated(const struct kx_kconfig *kc,
				     const struct kx_expr *e, const struct kx_sym *s)
{
	if (!e)
		return false;
	switch (e->type) {
	case KX_E_AND:
	case KX_E_OR:
		return kx_expr_contains_symbol_negated(kc, e->left.expr, s) ||
		       kx_expr_contains_symbol_negated(kc, e->right.expr, s);
	case KX_E_NOT:
		return e->left.expr->type == KX_E_SYMBOL && e->left.expr->left.sym == s;
	case KX_E_EQUAL:
		return e->left.sym == s && e->right.sym == &kc->sym_no;
	case KX_E_UNEQUAL:
		return e->left.sym == s && (e->right.sym == &kc->sym_yes ||
					    e->right.sym == &kc->sym_mod);
	default:
		return false;
	}
}

/* true when 'e' can only hold if s != n: s, s=y, s=m, s!=n, or an && with one */
bool kx_expr_depends_symbol(const struct kx_expr *e, const struct kx_sym *s)
{
	if (!e)
		return false;
	switch (e->type) {
	case KX_E_AND:
		return kx_expr_depends_symbol(e->left.expr, s) ||
		       kx_expr_depends_symbol(e->right.expr, s);
	case KX_E_SYMBOL:
		return e->left.sym == s;
	case KX_E_EQUAL:
		return e->left.sym == s &&
		       (e->right.sym->name && !e->right.sym->name[1] &&
			(e->right.sym->name[0] == 'y' || e->right.sym->name[0] == 'm') &&
			(e->right.sym->flags & KX_SYM_CONST) &&
			e->right.sym->type == KX_S_TRISTATE);
	case KX_E_UNEQUAL:
		return e->left.sym == s && e->right.sym->name &&
		       !strcmp(e->right.sym->name, "n") &&
		       (e->right.sym->flags & KX_SYM_CONST) &&
		       e->right.sym->type == KX_S_TRISTATE;
	default:
		return false;
	}
}

/*
 * Inserts explicit comparisons with 's' (y, m or n), e.g. for type !=, n:
 *   A -> A!=n,  !A -> A=n,  A && B -> !(A=n || B=n),  A || B -> !(A=n && B=n)
 */
struct kx_expr *kx_expr_trans_compare(struct kx_kconfig *kc, struct kx_expr *e,
				      enum kx_expr_type t, struct kx_sym *s)
{
	struct kx_expr *a, *b;

	if (!e) {
		e = kx_expr_sym(kc, s);
		return t == KX_E_UNEQUAL ? kx_expr_one(kc, KX_E_NOT, e) : e;
	}
	switch (e->type) {
	case KX_E_AND:
	case KX_E_OR:
		a = kx_expr_trans_compare(kc, e->left.expr, KX_E_EQUAL, s);
		b = kx_expr_trans_compare(kc, e->right.expr, KX_E_EQUAL, s);
		if (s == &kc->sym_yes)
			e = kx_expr_two(kc, e->type, a, b);
		if (s == &kc->sym_no)
			e = kx_expr_two(kc, e->type == KX_E_AND ? KX_E_OR : KX_E_AND,
					a, b);
		return t == KX_E_UNEQUAL ? kx_expr_one(kc, KX_E_NOT, e) : e;
	case KX_E_NOT:
		return kx_expr_trans_compare(kc, e->left.expr,
			t == KX_E_EQUAL ? KX_E_UNEQUAL : KX_E_EQUAL, s);
	case KX_E_SYMBOL:
		return kx_expr_comp(kc, t, e->left.sym, s);
	default:
		if (!is_comparison(e->type))
			return NULL;
		if (t == KX_E_EQUAL) {
			if (s == &kc->sym_yes)
				return e;
			if (s == &kc->sym_mod)
				return N(kc);
			if (s == &kc->sym_no)
				return kx_expr_one(kc, KX_E_NOT, e);
		} else {
			if (s == &kc->sym_yes)
				return kx_expr_one(kc, KX_E_NOT, e);
			if (s == &kc->sym_mod)
				return Y(kc);
			if (s == &kc->sym_no)
				return e;
		}
		return NULL;
	}
}

/* ---- printing ---------------------------------------------------------------- */

/* >0 when an operand of type t2 under an operator of type t1 needs parens */
static int prec_cmp(enum kx_expr_type t1, enum kx_expr_type t2)
{
	if (t1 == t2)
		return 0;
	switch (t1) {
	case KX_E_LEQ: case KX_E_LTH: case KX_E_GEQ: case KX_E_GTH:
		if (t2 == KX_E_EQUAL || t2 == KX_E_UNEQUAL)
			return 1;
		/* fall through */
	case KX_E_EQUAL: case KX_E_UNEQUAL:
		if (t2 == KX_E_NOT)
			return 1;
		/* fall through */
	case KX_E_NOT:
		if (t2 == KX_E_AND)
			return 1;
		/* fall through */
	case KX_E_AND:
		if (t2 == KX_E_OR)
			return 1;
		/* fall through */
	default:
		return 0;
	}
}

struct printer {
	struct kx_buf *b;
	const char *(*valfn)(void *ctx, struct kx_sym *s);
	void *ctx;
	bool quote;
};

static void put_sym(struct printer *p, struct kx_sym *s)
{
	if (p->quote && (s->flags & KX_SYM_CONST) && s->type == KX_S_UNKNOWN) {
		kx_buf_printf(p->b, "\"%s\"", s->name);
		return;
	}
	kx_buf_puts(p->b, s->name ? s->name : "<choice>");
	if (p->valfn && s->type != KX_S_UNKNOWN && s->name)
		kx_buf_printf(p->b, " [=%s]", p->valfn(p->ctx, s));
}

static void print_rec(struct printer *p, const struct kx_expr *e,
		      enum kx_expr_type prev)
{
	static const char *const ops[] = {
		[KX_E_EQUAL] = "=", [KX_E_UNEQUAL] = "!=", [KX_E_LTH] = "<",
		[KX_E_LEQ] = "<=", [KX_E_GTH] = ">", [KX_E_GEQ] = ">=",
	};
	bool paren;

	if (!e) {
		kx_buf_puts(p->b, "y");
		return;
	}
	paren = prec_cmp(prev, e->type) > 0;
	if (paren)
		kx_buf_putc(p->b, '(');
	switch (e->type) {
	case KX_E_SYMBOL:
		put_sym(p, e->left.sym);
		break;
	case KX_E_NOT:
		kx_buf_putc(p->b, '!');
		print_rec(p, e->left.expr, KX_E_NOT);
		break;
	case KX_E_OR:
	case KX_E_AND:
		print_rec(p, e->left.expr, e->type);
		kx_buf_puts(p->b, e->type == KX_E_OR ? " || " : " && ");
		print_rec(p, e->right.expr, e->type);
		break;
	case KX_E_RANGE:
		kx_buf_putc(p->b, '[');
		put_sym(p, e->left.sym);
		kx_buf_putc(p->b, ' ');
		put_sym(p, e->right.sym);
		kx_buf_putc(p->b, ']');
		break;
	default:
		if (is_comparison(e->type)) {
			put_sym(p, e->left.sym);
			kx_buf_puts(p->b, ops[e->type]);
			put_sym(p, e->right.sym);
		} else {
			kx_buf_printf(p->b, "<unknown type %d>", e->type);
		}
		break;
	}
	if (paren)
		kx_buf_putc(p->b, ')');
}

void kx_expr_print(struct kx_buf *b, const struct kx_expr *e,
		   const char *(*valfn)(void *ctx, struct kx_sym *s), void *ctx)
{
	struct printer p = { b, valfn, ctx, false };

	print_rec(&p, e, KX_E_NONE);
}

void kx_expr_print_readable(struct kx_buf *b, const struct kx_expr *e,
			    const char *(*valfn)(void *ctx, struct kx_sym *s),
			    void *ctx)
{
	struct printer p = { b, valfn, ctx, true };

	print_rec(&p, e, KX_E_NONE);
}

/* ---- menus --------------------------------------------------------------------- */

struct kx_menu *kx_menu_next(struct kx_menu *m, struct kx_menu *root)
{
	if (m->list)
		return m->list;
	while (m != root && !m->next)
		m = m->parent;
	if (m == root || !m)
		return NULL;
	return m->next;
}

const char *kx_menu_prompt_text(const struct kx_menu *m)
{
	if (m->prompt)
		return m->prompt->text;
	if (m->sym)
		return m->sym->name;
	return NULL;
}

struct kx_menu *kx_sym_choice_menu(const struct kx_sym *s)
{
	struct kx_menu *m;

	for (m = s->menus; m; m = m->sym_next)
		if (m->prompt)
			break;
	if (!m)
		return NULL;
	do {
		m = m->parent;
	} while (m && !m->sym);
	if (m && m->sym && kx_sym_is_choice(m->sym))
		return m;
	return NULL;
}

bool kx_sym_is_choice_value(const struct kx_kconfig *kc, const struct kx_sym *s)
{
	if (KX_SEM(kc, CHOICE_V2))
		return s->member_of != NULL;
	return s->flags & KX_SYM_CHOICEVAL;
}
