// SPDX-License-Identifier: MIT
/* base.c - choosing the base configuration of an analysis command. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "analyzer/merge.h"
#include "cli/commands.h"
#include "cli/session.h"

int kx_session_base(struct kx_session *s, const char *spec, char **text)
{
	struct stat st;
	int nerr = s->diags.nerrors;
	int err;

	if (!spec) {
		const char *cfg = kx_session_config_path(s);

		spec = stat(cfg, &st) == 0 ? cfg : "defconfig";
	}
	err = kx_base_load(&s->io, s->env, spec, text);
	if (err < 0) {
		if (s->diags.nerrors > nerr)
			return -1;	/* the diagnostic said what and why */
		kx_errorf("cannot load the base configuration '%s': %s", spec,
			  kx_strerror(err));
		return -1;
	}
	return 0;
}
