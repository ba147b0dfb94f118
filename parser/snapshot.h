/* SPDX-License-Identifier: MIT */
/*
 * snapshot.h - the model cache: a loaded, finalised kx_kconfig kept on
 * disk so that loading the same tree again skips the parse and the menu
 * finalisation (about 85% of a warm olddefconfig on Linux 6.12).
 *
 * A snapshot is used only when it is certain to give the model a full
 * load would give: the load is a function of its inputs, and every input
 * is checked (see snapshot.c for the list); anything that differs, or a
 * file that is damaged, simply means a full load, which then writes a new
 * snapshot.  The diagnostics and $(info,...) lines the full load printed
 * are stored and printed again, in order.
 *
 * Used by kx_kconfig_load() when kx_load_opts.snapshot_dir is set.
 */
#ifndef KX_SNAPSHOT_H
#define KX_SNAPSHOT_H

#include <stddef.h>

#include "parser/load_opts.h"
#include "parser/model.h"

struct kx_tree;
struct kx_pp;

/*
 * Loads the snapshot for this tree and these options, after checking that
 * every input is unchanged.  Returns 0 with *out set (diagnostics and info
 * lines already replayed), or KX_ENOTFOUND when there is none that is
 * valid: then nothing was printed and *out is NULL.
 */
int kx_snapshot_load(struct kx_kconfig **out, struct kx_tree *tree,
		     const struct kx_load_opts *o, const char *top,
		     const struct kx_semantics *sem);

/* What a full load depended on besides the key, and what it printed. */
struct kx_snapshot_inputs {
	const struct kx_pp *pp;		/* environment refs and misses, probes */
	size_t diag_first;		/* o->diags->v[diag_first..] are the load's */
	char **infos;			/* $(info,...) and notes, in order */
	size_t ninfos;
};

/*
 * Writes the snapshot of a successful full load (best effort: a cache
 * that cannot be written is no error).  Returns 0 or a negative KX_E*
 * code, for tests.
 */
int kx_snapshot_save(const struct kx_kconfig *kc, struct kx_tree *tree,
		     const struct kx_load_opts *o, const char *top,
		     const struct kx_snapshot_inputs *in);

#endif /* KX_SNAPSHOT_H */
