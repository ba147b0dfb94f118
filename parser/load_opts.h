/* SPDX-License-Identifier: MIT */
/*
 * load_opts.h - what a load of a tree is asked to do: the options of
 * kx_kconfig_load() (load.h), which the model cache (snapshot.h) reads too.
 */
#ifndef KX_LOAD_OPTS_H
#define KX_LOAD_OPTS_H

#include <stdbool.h>

struct kx_diags;
struct kx_env;
struct kx_semantics;
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

#endif /* KX_LOAD_OPTS_H */
