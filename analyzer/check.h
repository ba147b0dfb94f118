/* SPDX-License-Identifier: MIT */
/*
 * check.h - the verdict of `check`: does a configuration satisfy a Xen
 * domU profile, item by item, what would fix it and what cannot be fixed.
 *
 *	struct kx_check_in in = { kc, &profile, .initramfs = true };
 *	struct kx_check_result r;
 *	if (kx_check(&in, &r) == 0 && !r.ok)
 *		... r.items[i].verdict, r.fix->changes, r.fix->unmet ...
 *	kx_check_result_free(&r);
 *
 * The configuration checked is the kconfig's current user values (read it
 * first, e.g. with kx_base_load).  Each profile item gets a verdict:
 *
 *   holds           the symbol has the value the profile asks for
 *   holds as m      the profile asks for y, the tristate is m, and the
 *                   kernel boots with an initramfs that loads modules
 *                   (in.initramfs); otherwise m does not satisfy a y
 *   fixable         it does not hold; the closure (r.fix) makes it hold
 *   cannot hold     it does not hold and cannot in this tree: the
 *                   closure's unmet entry (cause and blocking chain)
 *   not in tree     the tree lacks the symbol
 *
 * Every item that does not hold and is in the tree is one closure target
 * (r.targets, with the value the profile asks for); the closure is solved
 * once for all of them, from the checked configuration.
 *
 * The decision (r.ok, the exit status of `check`): every required item
 * that this tree has holds.  A required item the tree lacks is reported
 * but does not fail the check (profiles name symbols of several releases
 * and architectures); recommended and desktop items never fail it.
 */
#ifndef KX_CHECK_H
#define KX_CHECK_H

#include <stdbool.h>

#include "analyzer/profile.h"
#include "analyzer/solve.h"

struct kx_check_in {
	struct kx_kconfig *kc;		/* model; its user values: the config */
	const struct kx_profile *profile;	/* the targets */
	bool initramfs;			/* m satisfies a required y (tristates) */
};

enum kx_verdict {
	KX_VERDICT_HOLDS,
	KX_VERDICT_HOLDS_AS_MODULE,	/* y asked, m set, with initramfs */
	KX_VERDICT_FIXABLE,		/* the closure makes it hold */
	KX_VERDICT_UNMET,		/* cannot hold in this tree */
	KX_VERDICT_NOT_IN_TREE,
};

struct kx_check_item {
	const struct kx_req *req;	/* the profile's item */
	enum kx_verdict verdict;
	/* why it does not hold in the checked configuration (a one-line
	 * reason with file:line, kx_why_not_brief); NULL when it holds or
	 * the tree lacks the symbol */
	char *reason;
	/* KX_VERDICT_UNMET: the closure's entry (cause, chain) */
	const struct kx_unmet *unmet;
};

struct kx_check_result {
	struct kx_check_item *items;	/* one per profile item, same order */
	size_t nitems;
	/* per level (enum kx_level): items of the profile, and those that
	 * hold (as m included); items the tree lacks count in total only */
	size_t total[3], held[3];
	size_t missing_required;	/* required, in the tree, not holding */
	struct kx_target *targets;	/* the failing items in the tree */
	size_t ntargets;
	/* the closure of 'targets' from the checked configuration; NULL
	 * when every item of the tree holds */
	struct kx_closure *fix;
	bool ok;			/* every required item holds */
};

/*
 * Checks in->kc's configuration against in->profile.  The kconfig's user
 * values are those of the checked configuration again on return.
 * Returns 0 (result in *res, even when !res->ok), or the error of
 * kx_closure_solve (no fix the evaluator could confirm; *res is then
 * empty).  *res points into in->profile, which must outlive it; it is
 * the caller's to free with kx_check_result_free.
 */
int kx_check(const struct kx_check_in *in, struct kx_check_result *res);
void kx_check_result_free(struct kx_check_result *res);

#endif /* KX_CHECK_H */
