/* SPDX-License-Identifier: MIT */
/*
 * load.h - load a kernel tree's Kconfig into a kx_kconfig.
 *
 *	struct kx_kconfig *kc = NULL;
 *	struct kx_load_opts o = { .env = env, .shell = sh, .diags = &diags };
 *	int err = kx_kconfig_load(&kc, tree, &o);
 *	...
 *	kx_kconfig_free(kc);
 *
 * Loading parses the top Kconfig file and everything it sources (macros
 * expanded, $(shell,...) probes run through 'shell'), builds the menu tree,
 * finalises it as conf does and rejects recursive dependencies.  Every
 * problem is reported in 'diags' in conf's words.
 */
#ifndef KX_LOAD_H
#define KX_LOAD_H

#include "parser/load_opts.h"
#include "parser/model.h"

struct kx_tree;

/*
 * Loads the tree.  On success *out owns everything (free with
 * kx_kconfig_free).  Returns 0, KX_ENOTFOUND (top file or a sourced file
 * missing), KX_ESYNTAX (errors reported in diags), KX_EDENIED/KX_ELIMIT
 * (a probe was refused or timed out; KX_ELIMIT also for input beyond the
 * limits of docs/RELIABILITY.md, reported in diags) or KX_ENOMEM (a
 * Kconfig file too large to be read into memory; other allocation failures
 * abort, util.h).  On error *out is NULL.
 */
int kx_kconfig_load(struct kx_kconfig **out, struct kx_tree *tree,
		    const struct kx_load_opts *opts);

#endif /* KX_LOAD_H */
