/* SPDX-License-Identifier: MIT */
/*
 * prune.h - switching off hardware drivers a Xen domU cannot use, by a
 * policy kept as data (fragments/prune-policy.conf), without needing the
 * target machine (unlike localmodconfig).  Built-in drivers as well as
 * modules; whatever the profile's closure needs stays on.
 */
#ifndef KX_PRUNE_H
#define KX_PRUNE_H

#include <stdbool.h>

#include "analyzer/confdata.h"
#include "analyzer/solve.h"

enum kx_prune_kind { KX_PRUNE_PATH, KX_KEEP_PATH, KX_PRUNE_SYMBOL, KX_KEEP_SYMBOL };

struct kx_prune_rule {
	enum kx_prune_kind kind;
	char *pattern;
	int line;
};

struct kx_prune_policy {
	struct kx_prune_rule *v;
	size_t n;
	char *file;
};

/* Loads a policy file; errors (unknown rule) in diags; 0, KX_ENOTFOUND or
 * KX_ESYNTAX. */
int kx_prune_policy_load(struct kx_prune_policy *p, const char *path,
			 struct kx_diags *d);
void kx_prune_policy_free(struct kx_prune_policy *p);

/* Whether the policy calls symbol 's' hardware (to be pruned). */
bool kx_prune_policy_matches(const struct kx_prune_policy *p,
			     const struct kx_sym *s);

/*
 * How an option's line changed between the base (as conf writes it) and
 * the result.  Every changed line has one entry.
 */
enum kx_prune_how {
	KX_PRUNE_BY_POLICY,	/* the policy called it hardware: switched off */
	KX_PRUNE_RESTORED,	/* the closure set it: the profile needs it */
	KX_PRUNE_FOLLOWS,	/* a consequence: options it depends on changed */
};

struct kx_prune_change {
	struct kx_sym *sym;
	char *before, *after;	/* as written: "y", "m", "n", a value; NULL: no line */
	enum kx_prune_how how;
	char *why;		/* the rule, the need, or what it follows */
};

/* per top-level menu ("Device Drivers -> Network device support") */
struct kx_prune_group {
	char *menu;
	unsigned y_before, m_before, y_after, m_after, pruned;
};

struct kx_prune_result {
	struct kx_sym **pruned;		/* were y/m, now n */
	size_t npruned;
	struct kx_sym **kept;		/* matched the policy but stay on */
	char **kept_why;		/* "selected by X [=y]", "needed by Y=y" */
	size_t nkept;
	struct kx_prune_change *changes;	/* every line that changed, in */
	size_t nchanges;			/* symbol order */
	struct kx_prune_group *groups;
	size_t ngroups;
	unsigned y_before, m_before, y_after, m_after;
	struct kx_closure *fix;		/* what the profile needed back */
	struct kx_target *targets;	/* the closure's: the profile's, then the
					 * options of keep-symbol rules the base had on */
	char *config_text;
};

/*
 * Prunes the current configuration of 'io''s kconfig (its user values are
 * the base): every option the policy calls hardware that is y or m and can
 * be changed is set to n; then the closure of 'targets' (the profile) and
 * of the options a keep-symbol rule names that the base has on restores
 * whatever they need.  The result is in res->config_text and
 * loaded in the kconfig; res->changes accounts for every line that
 * differs from the base as conf writes it, with its cause, and
 * res->kept_why says what keeps each kept option on (the options that
 * select it, or what the closure needed it for).  Returns 0 or a
 * negative KX_E* code.
 */
int kx_prune(struct kx_confio *io, const struct kx_prune_policy *pol,
	     const struct kx_target *targets, size_t nt, struct kx_prune_result *res);
void kx_prune_result_free(struct kx_prune_result *res);

#endif /* KX_PRUNE_H */
