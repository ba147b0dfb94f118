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

#include "parser/model.h"

struct kx_tree;
struct kx_env;
struct kx_shell;

struct kx_load_opts {
	const char *kconfig;		/* top file; NULL: "Kconfig" */
	struct kx_env *env;		/* required: srctree, ARCH, ... */
	struct kx_shell *shell;		/* NULL: every $(shell,...) is denied */
	struct kx_diags *diags;		/* required */
	void (*info)(void *ctx, const char *line);	/* $(info,...); NULL: stdout */
	void *info_ctx;
	/* NULL: from KX_KCONFIG_VERSION, else KERNELVERSION in env, else
	 * the newest semantics known */
	const struct kx_semantics *sem;
	/* Treat malformed input that conf merely warns about (an unterminated
	 * string) as an error.  The `conf` drop-in keeps conf's leniency. */
	bool strict;
	/* Keep no help texts (a command that never shows one: olddefconfig,
	 * defconfig, ...): about 4 MB less on a 6.x tree.  The warnings about
	 * help texts are given all the same; menu->help is then "" where the
	 * tree has a help text. */
	bool no_help;
	/*
	 * The model cache (parser/snapshot.h): a directory where a loaded
	 * tree is kept and from which an unchanged one is loaded without
	 * parsing.  NULL: off.  Use it only when 'shell' has its persistent
	 * probe cache (a snapshot is valid only while every probe answer is
	 * known without running it).
	 */
	const char *snapshot_dir;
};

/*
 * Loads the tree.  On success *out owns everything (free with
 * kx_kconfig_free).  Returns 0, KX_ENOTFOUND (top file or a sourced file
 * missing), KX_ESYNTAX (errors reported in diags), KX_EDENIED/KX_ELIMIT
 * (a probe was refused or timed out; KX_ELIMIT also for input beyond the
 * limits of docs/RELIABILITY.md, reported in diags) or KX_ENOMEM.  On
 * error *out is NULL.
 */
int kx_kconfig_load(struct kx_kconfig **out, struct kx_tree *tree,
		    const struct kx_load_opts *opts);

void kx_kconfig_free(struct kx_kconfig *kc);

#endif /* KX_LOAD_H */
