/* SPDX-License-Identifier: MIT */
/*
 * model.h - the in-memory Kconfig model: symbols, properties, menu nodes,
 * expressions, and the loaded tree (struct kx_kconfig) that owns them.
 *
 * This is the data contract between the front end (parser/) and the
 * analyzer (analyzer/).  The structures mirror what the kernel's
 * scripts/kconfig builds, because the evaluator must reproduce conf's
 * results exactly, quirks included:
 *
 *   - a kx_sym per config symbol (and one per choice block, nameless);
 *   - a kx_menu per entry in the menu tree (config, menuconfig, choice,
 *     menu, comment, if), with file:line, the entry's dependencies and
 *     its prompt; a symbol defined in several places has several menus;
 *   - a kx_prop per property (prompt, default, select, imply, range, and
 *     the prompt of menus and comments), with file:line;
 *   - kx_expr trees, hash-consed: equal expressions are the same pointer,
 *     and expressions are never modified after creation (transformations
 *     build new ones), so they can be shared freely.
 *
 * Everything is allocated from the kconfig's arena and freed by
 * kx_kconfig_free().  Fields marked (eval) are the evaluator's state.
 */
#ifndef KX_MODEL_H
#define KX_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "parser/semantics.h"
#include "util/util.h"

typedef enum { KX_NO = 0, KX_MOD = 1, KX_YES = 2 } kx_tri;

#define KX_TRI_AND(a, b) ((a) < (b) ? (a) : (b))
#define KX_TRI_OR(a, b)  ((a) > (b) ? (a) : (b))
#define KX_TRI_NOT(a)    ((kx_tri)(2 - (a)))

enum kx_symtype {
	KX_S_UNKNOWN, KX_S_BOOLEAN, KX_S_TRISTATE, KX_S_INT, KX_S_HEX, KX_S_STRING
};

enum kx_expr_type {
	KX_E_NONE, KX_E_OR, KX_E_AND, KX_E_NOT,
	KX_E_EQUAL, KX_E_UNEQUAL, KX_E_LTH, KX_E_LEQ, KX_E_GTH, KX_E_GEQ,
	KX_E_SYMBOL, KX_E_RANGE
};

struct kx_sym;

struct kx_expr {
	enum kx_expr_type type;
	union {
		struct kx_expr *expr;
		struct kx_sym *sym;
	} left, right;
	struct kx_expr *hnext;	/* hash-consing chain */
	struct kx_expr *xform;	/* memoised kx_expr_transform() result */
	struct kx_expr *elim;	/* memoised kx_expr_eliminate_dups() result */
	unsigned depth;		/* 1 for a symbol or comparison */
	unsigned stamp;		/* scratch mark for one walk (menu.c) */
	/* (eval, 6.12+) the value computed in generation val_gen */
	unsigned val_gen;
	kx_tri val;
};

/*
 * No expression is deeper than this (docs/RELIABILITY.md): the walkers
 * (transformations, evaluation, printing) recurse on the C stack.  The
 * constructors never build a deeper one: they set kc->expr_too_deep and
 * return the constant n instead, and the load fails with
 * "FILE:LINE: expression nested too deeply (more than N levels)".  The
 * deepest expression of Linux 6.12 (x86) has 500 levels (the selectors of
 * REGMAP_I2C, one OR each).
 */
#define KX_EXPR_MAX_DEPTH 10000

enum kx_prop_type {
	KX_P_UNKNOWN, KX_P_PROMPT, KX_P_COMMENT, KX_P_MENU, KX_P_DEFAULT,
	KX_P_SELECT, KX_P_IMPLY, KX_P_RANGE
};

struct kx_menu;

struct kx_prop {
	struct kx_prop *next;		/* next property of the same symbol */
	enum kx_prop_type type;
	const char *text;		/* prompt text (PROMPT, MENU, COMMENT) */
	struct kx_expr *expr;		/* default value, select/imply target, range */
	struct kx_expr *cond;		/* the "if" condition as written (may be NULL) */
	struct kx_expr *visible;	/* condition after finalisation (NULL = y) */
	kx_tri visible_tri;		/* (eval) */
	struct kx_menu *menu;		/* the entry this property belongs to */
	const char *file;
	int line;
};

struct kx_symval {
	const char *val;	/* string value (int/hex/string); "n"/"m"/"y" for tristates */
	kx_tri tri;
};

/* symbol flags (conf's SYMBOL_* equivalents) */
enum {
	KX_SYM_CONST = 0x0001,		/* a constant: y, m, n, "quoted" */
	KX_SYM_CHECK = 0x0008,		/* dependency-loop check in progress */
	KX_SYM_CHOICE = 0x0010,		/* a choice block */
	KX_SYM_CHOICEVAL = 0x0020,	/* (<= 6.10 semantics) member of a choice */
	KX_SYM_VALID = 0x0080,		/* (eval) curr is up to date */
	KX_SYM_OPTIONAL = 0x0100,	/* (<= 6.10) 'optional' choice / plain config */
	KX_SYM_WRITE = 0x0200,		/* (eval) written to .config */
	KX_SYM_CHANGED = 0x0400,	/* (eval) */
	KX_SYM_WRITTEN = 0x0800,	/* (eval) already written */
	KX_SYM_NO_WRITE = 0x1000,	/* (<= 6.10) never written (choices) */
	KX_SYM_CHECKED = 0x2000,	/* dependency-loop check done */
	KX_SYM_TRANS = 0x4000,		/* (6.18) 'transitional': read, never written */
	KX_SYM_FROM_TRANS = 0x0004,	/* (eval, 6.18) def[USER] taken from a
					 * transitional symbol's value */
	KX_SYM_CALC = 0x0040,		/* (eval) being computed: curr provisional */
	KX_SYM_WARNED = 0x8000,		/* definition warnings printed */
	KX_SYM_DEF_USER = 0x10000,	/* def[KX_DEF_USER] is valid */
	KX_SYM_DEF_AUTO = 0x20000,
	KX_SYM_DEF3 = 0x40000,
	KX_SYM_DEF4 = 0x80000,
	KX_SYM_NEED_SET_CHOICE_VALUES = 0x100000, /* (eval, <= 6.10) */
	KX_SYM_ALLNOCONFIG_Y = 0x200000,	/* old 'option allnoconfig_y' */
	KX_SYM_DEFCONFIG_LIST = 0x400000,	/* old 'option defconfig_list' */
};

enum { KX_DEF_USER, KX_DEF_AUTO, KX_DEF_3, KX_DEF_4, KX_DEF_COUNT };

struct kx_sym {
	const char *name;		/* NULL for a choice */
	enum kx_symtype type;
	unsigned flags;
	struct kx_symval curr;		/* (eval) */
	struct kx_symval def[KX_DEF_COUNT];
	/* For choices: the selected member, as conf keeps in curr.val/def[].val
	 * (<= 6.10 semantics). */
	struct kx_sym *choice_curr;
	struct kx_sym *choice_def[KX_DEF_COUNT];
	kx_tri visible;			/* (eval) */
	struct kx_menu *menus;		/* entries defining it, via menu->sym_next */
	struct kx_prop *prop;		/* properties in definition order */
	struct kx_expr *dir_dep;	/* OR of the dependencies of its entries */
	struct kx_expr *rev_dep;	/* selected by */
	struct kx_expr *implied;	/* implied by */
	kx_tri dir_dep_tri, rev_dep_tri, implied_tri;	/* (eval) */
	/* 6.11+ semantics: the choice whose member list holds this symbol
	 * (conf's choice_link), NULL when not a member. */
	struct kx_menu *member_of;
	/* <= 6.10 semantics: the choice symbol this symbol is a value of. */
	struct kx_sym *choice_sym;
	uint32_t hash;			/* fnv32 of the name (0 for choices) */
	unsigned seq;			/* creation order */
	struct kx_sym *hnext;		/* name table chain */
	void *user;			/* free for analyses (set/reset by them) */
	/* (parse) where the next property / entry is appended: keeps a
	 * symbol defined thousands of times linear to load */
	struct kx_prop **prop_tail;
	struct kx_menu **menus_tail;
};

/* menu flags */
enum { KX_MENU_CHANGED = 0x1, KX_MENU_ROOT = 0x2 };

/* one 'depends on' line of an entry (or the condition of an 'if') */
struct kx_dep {
	struct kx_dep *next;
	struct kx_expr *expr;
	int line;
};

struct kx_menu {
	struct kx_menu *next, *parent, *list;
	struct kx_menu *lexical_parent;	/* the enclosing block as written */
	struct kx_sym *sym;		/* NULL for menu, comment, if */
	struct kx_prop *prompt;
	struct kx_expr *visibility;	/* 'visible if' */
	struct kx_expr *dep;		/* dependencies (after finalisation: full) */
	struct kx_expr *dep_written;	/* 'depends on' as written in this entry */
	struct kx_dep *deps;		/* each 'depends on' with its line */
	unsigned flags;
	const char *help;
	const char *file;
	int line;
	bool is_if;			/* an 'if' block */
	struct kx_menu *sym_next;	/* next entry of the same symbol */
	/* choices: members in definition order, and (6.11+) in priority order
	 * (conf's choice_members list, reordered by .config input) */
	struct kx_sym **members;
	size_t nmembers;
	struct kx_sym **prio;
	size_t nprio, capprio;
};


struct kx_env;
struct kx_tree;
struct kx_shell;

/* The loaded Kconfig tree. */
struct kx_kconfig {
	struct kx_arena *arena;
	struct kx_strtab *strings;	/* interned file names */
	struct kx_semantics sem;

	struct kx_sym sym_yes, sym_mod, sym_no;	/* the constants */
	struct kx_sym *modules_sym;	/* 'modules' symbol, or &sym_no */
	kx_tri modules_val;		/* (eval) */

	/* symbol table: all symbols (named, constants, choices) */
	struct kx_sym **symtab;		/* open hash by name */
	size_t symtab_cap;
	struct kx_sym **syms;		/* creation order */
	size_t nsyms, capsyms;
	struct kx_sym **conf_order;	/* conf's for_all_symbols order (lazy) */
	size_t conf_order_n;

	/* expression hash-consing */
	struct kx_expr **exprtab;
	size_t exprtab_cap, nexprs;
	/* kx_expr_eliminate_dups() memoises its results in the expressions
	 * from the first kx_expr_memo_begin() on (menu finalisation) */
	bool elim_memo;
	unsigned expr_stamp;		/* last kx_expr.stamp handed out */
	/* (eval) the generation of expression values (kx_expr.val_gen):
	 * kx_expr_invalidate_all() starts a new one */
	unsigned expr_gen;
	unsigned calc_taint;		/* (eval) reads of provisional values */

	struct kx_menu rootmenu;
	const char *mainmenu;		/* prompt text of the root menu */

	/* the Kconfig files read, in order (for auto.conf.cmd deps) */
	const char **files;
	size_t nfiles, capfiles;
	/* environment variables Kconfig referenced, with values */
	const char **env_names, **env_values;
	size_t nenv;

	const char *kernelversion;	/* KERNELVERSION used */
	const char *arch, *srcarch;
	struct kx_diags *diags;		/* where load/eval diagnostics go */
	/* conf prints some notes on stdout (e.g. "boolean symbol X tested for
	 * 'm'?" and $(info,...)); they go here (NULL: stdout). */
	void (*info)(void *ctx, const char *line);
	void *info_ctx;
	int expr_trans_count;		/* simplification bookkeeping */
	bool expr_too_deep;		/* a constructor hit KX_EXPR_MAX_DEPTH */
	bool changed;			/* (eval) conf_get_changed() */
	/* loaded from the model cache (parser/snapshot.c): its strings live
	 * in this mapping of the cache file */
	bool from_snapshot;
	void *snap_map;
	size_t snap_len;
	int sym_warnings;		/* (eval) unmet dependency warnings */
	void *eval;			/* evaluator private state */
};

/* ---- lifetime ---------------------------------------------------------- */

/* Frees a tree made by kx_kconfig_load (parser/load.h); NULL is a no-op. */
void kx_kconfig_free(struct kx_kconfig *kc);
/* For the loaders (load.c, snapshot.c): an empty tree (the constants, arena
 * and string table), and its kernelversion, arch and srcarch taken from the
 * load's environment. */
struct kx_kconfig *kx_kconfig_new(void);
struct kx_env;
void kx_kconfig_set_origin(struct kx_kconfig *kc, const struct kx_env *env);

/* ---- symbols ---------------------------------------------------------- */

/*
 * conf's sym_lookup: finds or creates the symbol 'name' (NULL creates a
 * new nameless choice symbol).  flags == KX_SYM_CONST looks up/creates a
 * constant (a quoted word).  "y", "m", "n" are the constants.
 */
struct kx_sym *kx_sym_lookup(struct kx_kconfig *kc, const char *name,
			     unsigned flags);
/* conf's sym_find: a non-constant symbol, or NULL. */
struct kx_sym *kx_sym_find(const struct kx_kconfig *kc, const char *name);
/* The symbols in conf's for_all_symbols() order (hash bucket order). */
struct kx_sym **kx_syms_conf_order(struct kx_kconfig *kc, size_t *n);

static inline bool kx_sym_is_choice(const struct kx_sym *s)
{
	return s->flags & KX_SYM_CHOICE;
}

const char *kx_symtype_name(enum kx_symtype t);	/* conf's sym_type_name */
const char *kx_prop_type_name(enum kx_prop_type t);

/* ---- expressions --------------------------------------------------------- */

struct kx_expr *kx_expr_sym(struct kx_kconfig *kc, struct kx_sym *s);
struct kx_expr *kx_expr_one(struct kx_kconfig *kc, enum kx_expr_type t,
			    struct kx_expr *e);
struct kx_expr *kx_expr_two(struct kx_kconfig *kc, enum kx_expr_type t,
			    struct kx_expr *a, struct kx_expr *b);
struct kx_expr *kx_expr_comp(struct kx_kconfig *kc, enum kx_expr_type t,
			     struct kx_sym *a, struct kx_sym *b);
/* a && b, where NULL means y */
struct kx_expr *kx_expr_and(struct kx_kconfig *kc, struct kx_expr *a,
			    struct kx_expr *b);
struct kx_expr *kx_expr_or(struct kx_kconfig *kc, struct kx_expr *a,
			   struct kx_expr *b);

bool kx_expr_is_yes(const struct kx_kconfig *kc, const struct kx_expr *e);

/* conf's simplifications (expr.c), used by menu finalisation */
struct kx_expr *kx_expr_transform(struct kx_kconfig *kc, struct kx_expr *e);
struct kx_expr *kx_expr_eliminate_dups(struct kx_kconfig *kc, struct kx_expr *e);
/* Memoise kx_expr_eliminate_dups() from now on: called when every
 * symbol's type is final (menu finalisation). */
void kx_expr_memo_begin(struct kx_kconfig *kc);
void kx_expr_eliminate_eq(struct kx_kconfig *kc, struct kx_expr **a,
			  struct kx_expr **b);
bool kx_expr_eq(struct kx_kconfig *kc, struct kx_expr *a, struct kx_expr *b);
struct kx_expr *kx_expr_trans_compare(struct kx_kconfig *kc, struct kx_expr *e,
				      enum kx_expr_type t, struct kx_sym *s);
bool kx_expr_contains_symbol(const struct kx_expr *e, const struct kx_sym *s);
bool kx_expr_depends_symbol(const struct kx_expr *e, const struct kx_sym *s);
bool kx_expr_contains_symbol_negated(const struct kx_kconfig *kc,
				     const struct kx_expr *e, const struct kx_sym *s);

/*
 * Prints 'e' as conf's expr_print does.  'value' adds " [=VAL]" after each
 * symbol (expr_gstr_print style) using 'valfn' for the value text.
 */
void kx_expr_print(struct kx_buf *b, const struct kx_expr *e,
		   const char *(*valfn)(void *ctx, struct kx_sym *s), void *ctx);

/*
 * For people: like kx_expr_print with values, but constant strings are
 * quoted ("i386"="x86") so that they cannot be mistaken for symbols.
 */
void kx_expr_print_readable(struct kx_buf *b, const struct kx_expr *e,
			    const char *(*valfn)(void *ctx, struct kx_sym *s),
			    void *ctx);

/* ---- menus ----------------------------------------------------------------- */

/* Depth-first successor of 'm' within 'root' (NULL: the whole tree). */
struct kx_menu *kx_menu_next(struct kx_menu *m, struct kx_menu *root);
const char *kx_menu_prompt_text(const struct kx_menu *m);

/* The choice (menu) a symbol belongs to, as conf's sym_get_choice_menu. */
struct kx_menu *kx_sym_choice_menu(const struct kx_sym *s);
/* conf's sym_is_choice_value for this tree's semantics */
bool kx_sym_is_choice_value(const struct kx_kconfig *kc, const struct kx_sym *s);

#endif /* KX_MODEL_H */
