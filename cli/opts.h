/* SPDX-License-Identifier: MIT */
/*
 * opts.h - the one command line parser of every command.
 *
 * A command declares its options as a getopt_long table and a short-option
 * string; kx_opts_next() walks argv with getopt_long over that table joined
 * with the global options (session.h), so every command accepts the global
 * options anywhere, "--name=VALUE" and "--name VALUE", unambiguous
 * abbreviations, clustered short options and "--" in the same way.
 *
 *	struct kx_opts o;
 *	int c;
 *
 *	kx_opts_begin(&o, s, argc, argv, &cmd_spec);
 *	while ((c = kx_opts_next(&o)) > 0)
 *		switch (c) {
 *		case KX_OPT_ARG: ...o.arg is a positional argument...
 *		case 'o': out = o.arg; break;
 *		}
 *	kx_opts_end(&o);
 *	if (c < 0)
 *		return kx_opts_exit(c);
 *
 * What the parser does itself, the same for every command:
 *  - a global option sets its field of the session (kx_session_setopt);
 *  - NAME=VALUE is a make variable (kx_session_assign) unless the command
 *    takes SYM=VAL arguments (spec->assignments false): then it is a
 *    positional argument;
 *  - -h/--help prints spec->usage and the global options (KX_OPT_HELP);
 *  - an unknown, ambiguous or malformed option, and --json on a command
 *    without JSON output, are reported as "kxen-config: CMD: ..." (KX_OPT_ERROR);
 *  - "-o -" (an option whose value is 'o') reserves standard output for the
 *    file (kx_output_reserve_stdout), so the command's messages go to stderr.
 * Positional arguments come back in order, as KX_OPT_ARG, never dropped.
 */
#ifndef KX_CLI_OPTS_H
#define KX_CLI_OPTS_H

#include <getopt.h>
#include <stdbool.h>

struct kx_session;

/* One command's command line. */
struct kx_optspec {
	const char *cmd;		/* the command's name, for messages */
	const char *shortopts;		/* its short options ("o:j:"), or "" */
	const struct option *longopts;	/* its long options, {0} ended, or NULL */
	const char *usage;		/* printed by --help, before the globals */
	bool json;			/* it has JSON output (else --json is refused) */
	bool sym_args;			/* NAME=VALUE arguments are its own SYM=VAL */
	int dash_ok;			/* the option whose value may look like
					 * an option (else "--kernel -o" is an
					 * error: the value was forgotten) */
	void (*help)(void *ctx);	/* prints the usage instead of 'usage' */
	void *help_ctx;
};

/* Values kx_opts_next() returns besides a command's own option values. */
enum {
	KX_OPT_ERROR = -2,	/* a usage error, reported */
	KX_OPT_HELP = -1,	/* --help was printed */
	KX_OPT_DONE = 0,
	KX_OPT_ARG = 1,		/* a positional argument, in o->arg */
};

/* Long-only options of commands take values from here up (global: 0x100..) */
#define KX_OPT_LONG 0x200

struct kx_opts {
	struct kx_session *s;
	const struct kx_optspec *spec;
	int argc;
	char **argv;
	const char *arg;	/* the option's argument, or the positional */
	int ind;		/* argv index of the positional just returned */
	/* private */
	struct option *table;
	char *shortopts;
	bool rest;		/* after "--": everything is positional */
};

void kx_opts_begin(struct kx_opts *o, struct kx_session *s, int argc, char **argv,
		   const struct kx_optspec *spec);
/* The next option or argument (see above); 0 at the end, < 0 to stop. */
int kx_opts_next(struct kx_opts *o);
void kx_opts_end(struct kx_opts *o);
/* The exit code for a negative kx_opts_next(): 0 after --help, else 2. */
int kx_opts_exit(int c);

#endif /* KX_CLI_OPTS_H */
