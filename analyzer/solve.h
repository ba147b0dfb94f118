/* SPDX-License-Identifier: MIT */
/*
 * solve.h - the closure: the smallest set of changes to user-settable
 * symbols (visible prompts, choice selections) after which every target
 * holds, starting from the config loaded in the kconfig (its user values
 * are the "base").
 *
 *	struct kx_target t[] = { { xen, "y" }, { blkfront, "y" } };
 *	struct kx_closure *cl = NULL;
 *	kx_closure_solve(&cl, kc, t, 2, NULL);
 *	for (i = 0; i < cl->nchanges; i++) ... cl->changes[i] ...
 *	kx_closure_free(cl);
 *
 * How: the tree is encoded in CNF (two variables per tristate value:
 * "at least m" and "y"; Tseitin gates for expressions; if-then-else chains
 * for defaults and choices), PicoSAT finds a configuration with the
 * targets assumed, preferring unchanged symbols; the set of changes is then
 * shrunk to a subset-minimal one.  The SAT answer is only a proposal: it is
 * applied with the evaluator, written and read back as conf would, and
 * reported only if every target holds; then each change is dropped in turn
 * and kept only if some target breaks without it (1-minimality, judged by
 * the evaluator).  Values of int/hex/string symbols in comparisons are
 * taken from the evaluated config and re-read after each round.
 *
 * Targets that cannot hold are reported with the reason: the chain of
 * dependencies down to the symbols that cannot have the needed value, with
 * their file:line, and whether that is fixed by the architecture or the
 * toolchain (no prompt, value from $(shell,...) or ARCH) or by other
 * choices.
 */
#ifndef KX_SOLVE_H
#define KX_SOLVE_H

#include <stdbool.h>

#include "parser/model.h"

struct kx_target {
	struct kx_sym *sym;
	const char *value;	/* "y", "m", "n", or an int/hex/string value */
	const char *origin;	/* where the request comes from (file:line), or NULL */
	bool visible;		/* instead: the prompt must be visible (preflight) */
};

/* why a change is needed: 'sym' needs it through 'prop' (or its deps) */
struct kx_need {
	struct kx_sym *by;		/* the symbol (a target or another change) */
	const char *by_value;
	struct kx_sym *via;		/* the symbol using it directly, when not 'by' */
	const char *file;		/* the Kconfig line that makes the need */
	int line;
};

struct kx_change {
	struct kx_sym *sym;
	const char *value;		/* new value ("y", "m", "n", text) */
	const char *old_value;		/* value before the change */
	struct kx_menu *choice;		/* non-NULL: a choice selection */
	struct kx_need need;		/* the first link of the reason chain */
	bool is_target;			/* a target set directly */
};

enum kx_cause {
	KX_CAUSE_NONE,
	KX_CAUSE_FIXED,		/* fixed by arch/toolchain: nothing the user can set */
	KX_CAUSE_CONFLICT,	/* excluded by other targets or choices */
	KX_CAUSE_NOT_FOUND,	/* no answer found, none proven impossible */
};

/* one step of an explanation: SYM must be VALUE but is bounded by EXPR */
struct kx_blocker {
	struct kx_sym *sym;
	const char *needs;		/* the value that would be needed */
	const char *file;		/* the line that bounds it */
	int line;
	char *text;			/* e.g. "depends on X86_64 [=n]" (owned) */
	bool fixed;			/* nothing a user can change */
};

struct kx_unmet {
	const struct kx_target *target;
	enum kx_cause cause;
	struct kx_blocker *chain;	/* from the target down to the cause */
	size_t nchain;
	char *conflict_with;		/* other targets in the conflict, or NULL */
};

struct kx_closure {
	struct kx_change *changes;	/* in menu order */
	size_t nchanges;
	struct kx_unmet *unmet;		/* targets that cannot hold */
	size_t nunmet;
	bool verified;			/* the evaluator confirmed every met target */
	int rounds;			/* SAT/judge rounds used */
	unsigned sat_vars, sat_clauses;
	double seconds;
	char *config_text;		/* the resulting .config (conf's format) */
};

struct kx_closure_opts {
	bool keep_base_values;		/* never change symbols the base config sets */
	int max_rounds;			/* judge/refine rounds (default 6) */
};

/*
 * Solves.  The kconfig's current user values are the base; on return they
 * are restored (the base config is re-read).  *out is owned by the caller
 * (kx_closure_free).  Returns 0 (see (*out)->nunmet for impossible
 * targets), KX_EINVAL (a target on an unknown or non-settable type)
 * or KX_EINTERNAL (no verified answer could be found: a bug, reported with
 * what the judge saw).
 */
int kx_closure_solve(struct kx_closure **out, struct kx_kconfig *kc,
		     const struct kx_target *targets, size_t ntargets,
		     const struct kx_closure_opts *opts);
void kx_closure_free(struct kx_closure *cl);

/*
 * Applies 'changes' to the kconfig's user values (as reading those lines
 * at the end of a .config would) and re-evaluates.
 */
void kx_changes_apply(struct kx_kconfig *kc, const struct kx_change *changes,
		      size_t n);

/* true when the target holds in the current evaluation */
bool kx_target_holds(struct kx_kconfig *kc, const struct kx_target *t);

#endif /* KX_SOLVE_H */
