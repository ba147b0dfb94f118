/* SPDX-License-Identifier: MIT */
/*
 * generate.h - a slim domU configuration: base + profile + closure + prune.
 *
 *   base      tinyconfig (default), allnoconfig, defconfig, or a file
 *   profile   minimal | server (default) | desktop (the Xen domU profiles) plus the
 *             boot essentials of fragments/domu-boot.config, plus the
 *             caller's own fragments (opts->add: every entry required)
 *   modules   without modules (default) everything is built in; with
 *             modules, MODULES=y and the optional (recommended/desktop)
 *             tristate items become m
 *   closure   the fewest changes that make every item hold
 *   prune     hardware drivers off (fragments/prune-policy.conf)
 *
 * The result is conf-stable: it is conf's own output for those values, so
 * `make olddefconfig` changes nothing in it.
 */
#ifndef KX_GENERATE_H
#define KX_GENERATE_H

#include <stdbool.h>

#include "analyzer/confdata.h"
#include "analyzer/profile.h"
#include "analyzer/prune.h"
#include "analyzer/solve.h"

struct kx_env;

struct kx_generate_opts {
	const char *base;	/* NULL: tinyconfig */
	const char *profile;	/* NULL: KX_PROFILE_DEFAULT */
	bool modules;
	bool no_prune;
	const char *arch;	/* for the profile's per-arch files */
	/* fragments whose every entry is an extra requirement (--add) */
	const char *const *add;
	size_t nadd;
};

struct kx_generate_result {
	struct kx_profile profile;
	struct kx_target *targets;	/* profile + boot essentials */
	size_t ntargets;
	struct kx_closure *closure;
	struct kx_prune_result prune;
	char *config_text;
	unsigned n_y, n_m;		/* options =y / =m in the result */
	/* required profile items that do not hold in the result although the
	 * closure did not report them: the caller's own --add overrode them */
	const struct kx_req **broken;
	size_t nbroken;
	/* profile "minimal": the items of KX_PROFILE_DEFAULT (in 'fuller') that
	 * the result does not have (SMP, the balloon, ...) */
	struct kx_profile fuller;
	const struct kx_req **left_out;
	size_t nleft_out;
};

/* Returns 0, 1 when some required item cannot hold or was overridden by
 * opts->add (still a result: see closure->unmet and broken), or a
 * negative KX_E* code (message in diags). */
int kx_generate(struct kx_confio *io, struct kx_env *env,
		const struct kx_generate_opts *o, struct kx_generate_result *r);
/* where the value asked of 'sym' came from (a fragment, --modules), or NULL */
const char *kx_generate_target_origin(const struct kx_generate_result *r,
				      const struct kx_sym *sym);
void kx_generate_result_free(struct kx_generate_result *r);

#endif /* KX_GENERATE_H */
