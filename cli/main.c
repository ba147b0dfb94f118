// SPDX-License-Identifier: MIT
/*
 * main.c - kxen-config's command line: global options, then a command.
 */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
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

int main(int argc, char **argv)
{
	struct kx_session s;
	const char *cmd = NULL;
	int i, rc;

	/*
	 * Over a file-size limit (ulimit -f), a write fails with EFBIG and is
	 * reported like a full disk, instead of the signal killing us with a
	 * temporary file left behind.
	 */
	signal(SIGXFSZ, SIG_IGN);
	kx_session_init(&s);
	for (i = 1; i < argc; i++) {
		int g = kx_session_option(&s, argc, argv, &i);

		if (g < 0) {
			rc = KX_EXIT_USAGE;
			goto out;
		}
		if (g)
			continue;
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			rc = 0;
			goto out;
		}
		if (!strcmp(argv[i], "--version")) {
			printf("kxen-config 0.1\n");
			rc = 0;
			goto out;
		}
		if (argv[i][0] == '-') {
			kx_errorf("unknown option '%s' (see kxen-config --help)", argv[i]);
			rc = KX_EXIT_USAGE;
			goto out;
		}
		cmd = argv[i];
		break;
	}
	if (!cmd) {
		usage(stderr);
		rc = KX_EXIT_USAGE;
		goto out;
	}
	argc -= i;
	argv += i;
	/* --json: every command that reports something has it, or refuses it */
	if (!strcmp(cmd, "preflight") || !strcmp(cmd, "build") || !strcmp(cmd, "xl-cfg") ||
	    kx_is_config_command(cmd)) {
		bool json = s.json;

		for (int k = 1; k < argc && !json; k++)
			json = !strcmp(argv[k], "--json");
		if (json) {
			kx_errorf("%s has no JSON output (--json)", cmd);
			rc = KX_EXIT_USAGE;
			goto out;
		}
	}
	/*
	 * "-o -" (every command that has -o): the file goes to standard
	 * output, so what the command prints there goes to standard error.
	 */
	if (strcmp(cmd, "conf") && !kx_is_config_command(cmd))
		for (int k = 1; k + 1 < argc; k++)
			if ((!strcmp(argv[k], "-o") || !strcmp(argv[k], "--output")) &&
			    !strcmp(argv[k + 1], "-")) {
				kx_output_reserve_stdout();
				break;
			}
	if (!strcmp(cmd, "conf"))
		rc = kx_cmd_conf(&s, argc, argv);
	else if (kx_is_config_command(cmd))
		rc = kx_cmd_config(&s, cmd, argc, argv);
	else if (!strcmp(cmd, "dump"))
		rc = kx_cmd_dump(&s, argc, argv);
	else if (!strcmp(cmd, "find"))
		rc = kx_cmd_find(&s, argc, argv);
	else if (!strcmp(cmd, "closure"))
		rc = kx_cmd_closure(&s, argc, argv);
	else if (!strcmp(cmd, "why"))
		rc = kx_cmd_why(&s, argc, argv);
	else if (!strcmp(cmd, "why-not"))
		rc = kx_cmd_why_not(&s, argc, argv);
	else if (!strcmp(cmd, "check"))
		rc = kx_cmd_check(&s, argc, argv);
	else if (!strcmp(cmd, "preflight"))
		rc = kx_cmd_preflight(&s, argc, argv);
	else if (!strcmp(cmd, "merge"))
		rc = kx_cmd_merge(&s, argc, argv);
	else if (!strcmp(cmd, "generate"))
		rc = kx_cmd_generate(&s, argc, argv);
	else if (!strcmp(cmd, "prune"))
		rc = kx_cmd_prune(&s, argc, argv);
	else if (!strcmp(cmd, "build"))
		rc = kx_cmd_build(&s, argc, argv);
	else if (!strcmp(cmd, "xl-cfg"))
		rc = kx_cmd_xlcfg(&s, argc, argv);
	else {
		kx_errorf("unknown command '%s' (see kxen-config --help)", cmd);
		rc = KX_EXIT_USAGE;
	}
out:
	fflush(stdout);
	kx_session_free(&s);
	return rc;
}
