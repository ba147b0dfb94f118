// SPDX-License-Identifier: MIT
/* cmd_xlcfg.c - placeholder, being written. */
#include "cli/commands.h"
#include "cli/session.h"

int kx_cmd_xlcfg(struct kx_session *s, int argc, char **argv)
{
	(void)s;
	(void)argc;
	(void)argv;
	kx_errorf("this command is not available yet");
	return KX_EXIT_INTERNAL;
}
