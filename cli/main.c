// SPDX-License-Identifier: MIT
/*
 * main.c - kxen-config's command line: global options, then a command.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/opts.h"
#include "cli/session.h"

static void usage(FILE *f)
{
	fprintf(f,
"Usage: kxen-config [global options] COMMAND [args]\n"
"\n"
"Understands a Linux kernel tree's Kconfig exactly like its own\n"
"scripts/kconfig/conf, and answers what a Xen domU kernel needs.\n"
"\n"
"Configuration (byte-identical to the tree's conf):\n"
"  olddefconfig | alldefconfig | allnoconfig | allyesconfig | allmodconfig\n"
"  defconfig FILE | savedefconfig FILE | listnewconfig | helpnewconfig\n"
"  randconfig | yes2modconfig | mod2yesconfig | mod2noconfig\n"
"  conf [conf's options] Kconfig   drop-in for scripts/kconfig/conf\n"
"\n"
"Inspection:\n"
"  dump [--json]                    every symbol, with menu paths and file:line\n"
"  find PATTERN                     search symbols like menuconfig's '/'\n"
"\n"
"Xen domU analysis:\n"
"  check [CONFIG] [--profile P]     can this config run as a Xen domU? (exit 1: no)\n"
"  preflight [CONFIG]               make the Xen options visible in menuconfig\n"
"  why SYM...                       a symbol's value, the rule and values behind it\n"
"  why-not SYM=VAL...               what stands in the way, and the fix\n"
"  closure SYM=VAL... [--base B]    minimal changes that make targets hold\n"
"  merge BASE FRAGMENT... [-o OUT]  merge_config.sh, plus what was dropped and why\n"
"\n"
"Slim domU kernels:\n"
"  generate --arch A -o OUT         a slim domU config (base+profile+closure+prune)\n"
"  prune [--base CFG] -o OUT        switch off hardware drivers a domU cannot use\n"
"  build [--config F] [-O DIR]      build the kernel with the tree's own make\n"
"  xl-cfg --kernel K --disk D ...   write the xl domain configuration\n"
"\n"
"Run `kxen-config COMMAND --help` for a command's options.\n"
"\n%s"
"\nExit status: 0 success; 1 the answer is no (or conf failed); 2 usage\n"
"error or bad input; 3 internal error.\n", kx_global_options_help);
}

static void main_help(void *ctx)
{
	(void)ctx;
	usage(stdout);
}

static const struct option main_longopts[] = {
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static const struct kx_optspec main_spec = {
	.longopts = main_longopts, .help = main_help,
};

/* The command: argv[0] its name, argv[1..] its arguments. */
static int run_command(struct kx_session *s, int argc, char **argv)
{
	const char *cmd = argv[0];

	if (!strcmp(cmd, "conf"))
		return kx_cmd_conf(s, argc, argv);
	if (kx_is_config_command(cmd))
		return kx_cmd_config(s, cmd, argc, argv);
	if (!strcmp(cmd, "dump"))
		return kx_cmd_dump(s, argc, argv);
	if (!strcmp(cmd, "find"))
		return kx_cmd_find(s, argc, argv);
	if (!strcmp(cmd, "closure"))
		return kx_cmd_closure(s, argc, argv);
	if (!strcmp(cmd, "why"))
		return kx_cmd_why(s, argc, argv);
	if (!strcmp(cmd, "why-not"))
		return kx_cmd_why_not(s, argc, argv);
	if (!strcmp(cmd, "check"))
		return kx_cmd_check(s, argc, argv);
	if (!strcmp(cmd, "preflight"))
		return kx_cmd_preflight(s, argc, argv);
	if (!strcmp(cmd, "merge"))
		return kx_cmd_merge(s, argc, argv);
	if (!strcmp(cmd, "generate"))
		return kx_cmd_generate(s, argc, argv);
	if (!strcmp(cmd, "prune"))
		return kx_cmd_prune(s, argc, argv);
	if (!strcmp(cmd, "build"))
		return kx_cmd_build(s, argc, argv);
	if (!strcmp(cmd, "xl-cfg"))
		return kx_cmd_xlcfg(s, argc, argv);
	kx_errorf("unknown command '%s' (see kxen-config --help)", cmd);
	return KX_EXIT_USAGE;
}

int main(int argc, char **argv)
{
	struct kx_session s;
	struct kx_opts o;
	int c, rc;

	/*
	 * Over a file-size limit (ulimit -f), a write fails with EFBIG and is
	 * reported like a full disk, instead of the signal killing us with a
	 * temporary file left behind.
	 */
	signal(SIGXFSZ, SIG_IGN);
	kx_session_init(&s);
	/* global options and NAME=VALUE up to the command */
	kx_opts_begin(&o, &s, argc, argv, &main_spec);
	while ((c = kx_opts_next(&o)) > 0 && c != KX_OPT_ARG)
		if (c == 'V') {
			printf("kxen-config 0.1\n");
			c = KX_OPT_HELP;
			break;
		}
	kx_opts_end(&o);
	if (c < 0) {
		rc = kx_opts_exit(c);
	} else if (c == KX_OPT_DONE) {
		usage(stderr);
		rc = KX_EXIT_USAGE;
	} else {
		rc = run_command(&s, argc - o.ind, argv + o.ind);
	}
	fflush(stdout);
	kx_session_free(&s);
	return rc;
}
