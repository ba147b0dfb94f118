/* SPDX-License-Identifier: MIT */
/*
 * profile.h - the Xen domU requirement profiles in fragments/.
 *
 * A profile is a set of fragment files in the kernel's syntax, one per
 * level (required, recommended, desktop), plus per-architecture files
 * (xen-domu-<level>-<arch>.config).  Profiles name only what a domU needs
 * (leaves); prerequisites come from the tree through the closure.
 *   minimal = required;  server = + recommended;  desktop = + desktop.
 */
#ifndef KX_PROFILE_H
#define KX_PROFILE_H

#include "parser/model.h"

enum kx_level { KX_LEVEL_REQUIRED, KX_LEVEL_RECOMMENDED, KX_LEVEL_DESKTOP };

struct kx_req {
	char *name;		/* symbol name without CONFIG_ */
	char *value;		/* y, m, n or a value */
	enum kx_level level;
	char *file;		/* fragment file (relative to the fragments dir) */
	int line;
	char *why;		/* the "# why: ..." comment before the entry */
	struct kx_sym *sym;	/* NULL when this tree lacks the symbol */
	/* "# at least" before an int/hex entry: the value is a lower bound
	 * (NR_CPUS=64 holds for 8192 as well) */
	bool at_least;
};

struct kx_profile {
	struct kx_req *v;
	size_t n;
	char *dir;		/* the fragments directory used */
	char *name;		/* minimal, server, desktop or a file name */
	const char *arch;
};

struct kx_env;

/*
 * The fragments directory: KX_FRAGMENTS_DIR of 'env' (NULL: none), else <dir of the
 * executable>/fragments, else <dir of the executable>/../share/kxen-config/
 * fragments, else /usr/share/kxen-config/fragments.  Malloc'd or NULL.
 */
char *kx_fragments_dir(const struct kx_env *env);

/* The profile of every command that takes --profile, when none is given:
 * generate's output is what check, prune and preflight judge by default. */
#define KX_PROFILE_DEFAULT "server"

/*
 * Loads profile 'name' (minimal|server|desktop, or a path to a fragment
 * file, all of whose entries are then required; NULL: KX_PROFILE_DEFAULT)
 * for 'arch' (x86_64,
 * i386, arm64, ...; x86 means x86_64), from kx_fragments_dir(env).
 * Symbols are resolved in 'kc'.
 * Returns 0, KX_ENOTFOUND (no fragments dir / file; message in diags) or
 * KX_EINVAL (unknown profile name).
 */
int kx_profile_load(struct kx_profile *p, struct kx_kconfig *kc, const char *name,
		    const char *arch, const struct kx_env *env, struct kx_diags *diags);
void kx_profile_free(struct kx_profile *p);

const char *kx_level_name(enum kx_level l);

struct kx_target;
/* Does item 'q' hold in kc's current evaluation?  (A lower bound holds for
 * any value at least as large; otherwise kx_target_holds().) */
bool kx_req_holds(struct kx_kconfig *kc, const struct kx_req *q);
/*
 * The items of 'p' this tree has, as closure targets (into out, room for
 * p->n), leaving out the lower bounds the current evaluation already meets
 * (a closure would otherwise lower NR_CPUS=8192 to the bound).  Returns
 * their number.
 */
size_t kx_profile_targets(const struct kx_profile *p, struct kx_kconfig *kc,
			  struct kx_target *out);

struct kx_unmet;
/*
 * The targets that cannot hold (u[0..n), from a closure) that are required
 * items of profile 'p', copied in order into out (room for n): what makes
 * `prune` and `generate` fail.  Returns their number.
 */
size_t kx_profile_required_unmet(const struct kx_profile *p, const struct kx_unmet *u,
				 size_t n, struct kx_unmet *out);

#endif /* KX_PROFILE_H */
