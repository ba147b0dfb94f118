/* SPDX-License-Identifier: MIT */
/*
 * merge.h - merging config fragments (what scripts/kconfig/merge_config.sh
 * does) and the base configurations the analyses start from.
 *
 * kx_merge() follows merge_config.sh: the base's lines, then each
 * fragment's lines in order, a later value replacing an earlier one with
 * a "Value of CONFIG_X is redefined by fragment F" note; then, unless only
 * merging, `make KCONFIG_ALLCONFIG=merged alldefconfig` (allnoconfig with
 * -n).  Every requested value that did not take effect is returned;
 * kx_merge_closure() then explains each and finds the closure that makes
 * it hold (merge --resolve applies it).
 */
#ifndef KX_MERGE_H
#define KX_MERGE_H

#include <stdbool.h>

#include "analyzer/confdata.h"
#include "analyzer/solve.h"

struct kx_env;

/* one CONFIG_ line of a config file or fragment */
struct kx_cfgline {
	char *name;		/* symbol name without the prefix */
	char *value;		/* "y", "m", "n" (for "is not set"), or the raw value */
	char *text;		/* the whole line */
	const char *file;	/* where it comes from */
	int line;
};

struct kx_cfglines {
	struct kx_cfgline *v;
	size_t n, cap;
};

/* Parses the CONFIG_ lines of a config text (other lines are ignored). */
void kx_cfglines_parse(struct kx_cfglines *out, const char *prefix,
		       const char *file, const char *text);
void kx_cfglines_free(struct kx_cfglines *l);

struct kx_fragment {
	const char *name;	/* file name, for messages */
	const char *text;
};

struct kx_merge_opts {
	bool allnoconfig;	/* -n */
	bool only_merge;	/* -m: do not run alldefconfig */
	bool builtin;		/* -y: y is not demoted to m */
	bool redundant;		/* -r: report redundant entries */
	bool strict;		/* -s: a redefinition is an error */
};

struct kx_merge_result {
	char *merged;		/* the merged fragment text (KCONFIG_ALLCONFIG) */
	char *config;		/* the final .config text (unless only_merge) */
	struct kx_buf log;	/* merge_config.sh's messages */
	struct kx_cfglines requested;	/* every requested value, last one wins */
	struct kx_cfglines dropped;	/* requested values not in the result */
	struct kx_cfglines unknown;	/* requested symbols this tree lacks */
	bool strict_violated;
	bool allnoconfig;	/* evaluated with -n (allnoconfig) */
};

/*
 * Merges 'fragments' onto 'base' (a config text; NULL or "" for none) and
 * evaluates the result in 'io''s kconfig (its user values are replaced).
 * Returns 0, or KX_EINVAL when strict mode was violated.
 */
int kx_merge(struct kx_confio *io, const char *base_name, const char *base,
	     const struct kx_fragment *fragments, size_t n,
	     const struct kx_merge_opts *opts, struct kx_merge_result *res);
void kx_merge_result_free(struct kx_merge_result *res);

/* one requested value that did not take effect (merge_result.dropped) */
struct kx_dropped {
	const struct kx_cfgline *line;	/* the request, in res->dropped */
	struct kx_sym *sym;		/* the tree's symbol */
	const struct kx_target *target;	/* its closure target (in 'targets') */
	char *actual;			/* its value in the merged configuration */
	char *reason;			/* why not (kx_why_not_brief), file:line */
	const struct kx_unmet *unmet;	/* the closure cannot make it hold */
	bool holds;			/* it holds in 'config' below */
};

struct kx_merge_fix {
	struct kx_dropped *dropped;	/* one per res->dropped line, same order */
	size_t ndropped;
	struct kx_target *targets;	/* the dropped values, as closure targets */
	size_t ntargets;
	/* the closure of 'targets' from the merged configuration; NULL when
	 * nothing was dropped or no closure could be confirmed (solve_err) */
	struct kx_closure *closure;
	int solve_err;
	/* the configuration to write: with 'resolve' and a closure, the
	 * merge again with the closure's changes as one more fragment
	 * ('resolved_text', owned); else the merge's (res->config) */
	const char *config;
	char *resolved_text;
	bool resolved;			/* 'config' is 'resolved_text' */
	size_t nstill_dropped;		/* dropped values not holding in 'config' */
	bool ok;			/* every requested value holds in 'config' */
};

/*
 * What merge does after kx_merge(): the values that did not take effect,
 * each with its current value and the reason, the closure that makes them
 * hold, and, with 'resolve', that closure applied.
 *
 * The closure starts from what merge_config.sh evaluates: the merged
 * lines as user values, every other option at its default (so an option
 * that the base and fragments do not name follows the changes, as it
 * would if the user added them to a fragment); with -n, from the
 * allnoconfig result, where every option is set.  Applied, the changes
 * are one more fragment: the merged text plus those lines, evaluated as
 * kx_merge does.  The kconfig of 'io' is left with the written
 * configuration as its user values.
 *
 * The decision (ok, the exit status of `merge`) is taken on the text that
 * is to be written: a dropped value holds when that configuration has it
 * (by the rule kx_merge uses for 'dropped').  So without 'resolve', ok
 * means nothing was dropped; with 'resolve', that the applied closure
 * made every dropped value hold.  When no closure could be confirmed, or
 * the closure's configuration still lacks a value, ok is false.
 * Requested symbols the tree lacks (res->unknown) do not count.
 *
 * Returns 0, or KX_EINVAL when 'res' has no evaluated configuration
 * (only_merge).  The result points into 'res', which must outlive it;
 * free it with kx_merge_fix_free.
 */
int kx_merge_closure(struct kx_confio *io, const struct kx_merge_result *res,
		     bool resolve, struct kx_merge_fix *fix);
void kx_merge_fix_free(struct kx_merge_fix *fix);

/*
 * Names of existing symbols close to 'name' (renamed across kernel
 * versions: same words in another order, a prefix/suffix dropped, small
 * edit distance), best first, comma-separated; NULL when none is close.
 */
char *kx_similar_symbols(struct kx_kconfig *kc, const char *name, int max);

/*
 * Sets the kconfig's user values to a base configuration and returns its
 * .config text (*text, caller frees), as the matching make target would
 * write it:
 *   "defconfig"                the arch's default (KBUILD_DEFCONFIG)
 *   "allnoconfig", "alldefconfig", "allyesconfig", "allmodconfig"
 *   "tinyconfig"               allnoconfig + kernel/configs/tiny-base.config,
 *                              then tiny.config merged
 *   "NAME_defconfig"           arch/$SRCARCH/configs/NAME_defconfig
 *   anything else              a .config file (read as olddefconfig does)
 * 'open' (from io) finds files in the tree.  Returns 0, KX_ENOTFOUND
 * (message in diags) or KX_EINVAL.
 */
/*
 * The arch's default configuration file, relative to the tree, as `make
 * defconfig` picks it: arch/$SRCARCH/configs/$KBUILD_DEFCONFIG (from env),
 * else ARCH_defconfig when it exists, else defconfig.  Caller frees.
 */
char *kx_arch_defconfig(struct kx_confio *io, struct kx_env *env);

int kx_base_load(struct kx_confio *io, struct kx_env *env, const char *spec,
		 char **text);

/* The .config text conf would write now, as a malloc'd string. */
char *kx_conf_text(struct kx_confio *io);

/* Loads a .config text as the user values (eval reset + conf_read). */
void kx_conf_load_text(struct kx_confio *io, const char *name, const char *text);

#endif /* KX_MERGE_H */
