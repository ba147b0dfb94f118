// SPDX-License-Identifier: MIT
/* base.c - choosing the base configuration of an analysis command. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
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

		if (stat(cfg, &st) == 0) {
			spec = cfg;
		} else if (s->config) {
			/* asked for by name: a typo must not analyse defconfig */
			kx_errorf("--config %s: %s", s->config, strerror(errno));
			return -1;
		} else {
			spec = "defconfig";
			if (s->verbose >= 0)
				fprintf(stderr, "kxen-config: note: %s does not exist: "
					"using the architecture's defconfig\n", cfg);
		}
	}
	s->base_used = spec;
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
