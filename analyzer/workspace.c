// SPDX-License-Identifier: MIT
/* workspace.c - the one load sequence (see workspace.h). */
#include "analyzer/workspace.h"

int kx_workspace_load(struct kx_workspace *w, const struct kx_shell_opts *so,
		      struct kx_load_opts *lo)
{
	int err;

	w->shell = NULL;
	w->kc = NULL;
	err = kx_shell_new(&w->shell, w->env, so);
	if (err < 0) {
		kx_shell_free(w->shell);
		w->shell = NULL;
		return err;
	}
	lo->env = w->env;
	lo->shell = w->shell;
	err = kx_kconfig_load(&w->kc, w->tree, lo);
	if (err < 0)
		return err;
	kx_confio_init(&w->io, w->kc, w->env);
	return 0;
}

void kx_workspace_release(struct kx_workspace *w)
{
	kx_kconfig_free(w->kc);
	kx_shell_free(w->shell);
	w->kc = NULL;
	w->shell = NULL;
}
