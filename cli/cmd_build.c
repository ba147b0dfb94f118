// SPDX-License-Identifier: MIT
/* cmd_build.c - placeholder, being written. */
#include "cli/commands.h"
#include "cli/session.h"

int kx_cmd_build(struct kx_session *s, int argc, char **argv)
{
	(void)s;
	(void)argc;
	(void)argv;
	kx_errorf("this command is not available yet");
	return KX_EXIT_INTERNAL;
}
