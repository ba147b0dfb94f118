/* SPDX-License-Identifier: MIT */
/*
 * workspace.h - the one load sequence: a tree and its environment in, a
 * probe runner, a loaded Kconfig model and a .config reader/writer out.
 *
 *	struct kx_shell_opts so = { .policy = KX_PROBES_RUN };
 *	struct kx_load_opts lo = { .diags = &diags };
 *	struct kx_workspace w = { .tree = tree, .env = env };
 *	int err = kx_workspace_load(&w, &so, &lo);
 *	...
 *	kx_workspace_release(&w);
 *
 * The command line (cli/session.c) and the unit tests' fixtures both load
 * through it, so a test loads a tree exactly as a user's command does.
 */
#ifndef KX_WORKSPACE_H
#define KX_WORKSPACE_H

#include "analyzer/confdata.h"
#include "parser/load.h"
#include "parser/shell.h"

struct kx_workspace {
	struct kx_tree *tree;		/* in: borrowed */
	struct kx_env *env;		/* in: borrowed, the Kconfig's environment */
	struct kx_shell *shell;		/* out: owned, the probe runner */
	struct kx_kconfig *kc;		/* out: owned, the model */
	struct kx_confio io;		/* out: conf's .config I/O on kc, env */
};

/*
 * Creates w->shell from 'so' over w->env, loads w->tree's Kconfig with 'lo'
 * (its env and shell are set here) into w->kc, and initialises w->io from
 * w->env (kx_confio_init).  Returns 0 or a negative KX_E* code: with
 * w->shell NULL, kx_shell_new's (the probe runner could not be made); else
 * kx_kconfig_load's (w->kc NULL, the diagnostics in lo->diags).
 */
int kx_workspace_load(struct kx_workspace *w, const struct kx_shell_opts *so,
		      struct kx_load_opts *lo);

/* Frees the shell and the model (not the borrowed tree and environment). */
void kx_workspace_release(struct kx_workspace *w);

#endif /* KX_WORKSPACE_H */
