// SPDX-License-Identifier: MIT
/*
 * opts.c - getopt_long over a command's options and the global ones (opts.h).
 *
 * getopt runs in glibc's "return in order" mode (a leading '-' in the
 * short-option string): a positional argument comes back as option 1 where
 * it stands, so nothing is reordered, POSIXLY_CORRECT changes nothing, and
 * main() can stop at the command name.  A leading ':' makes getopt silent
 * and tell a missing argument (':') from an unknown option ('?'): the
 * messages are ours, in the "kxen-config: CMD: ..." form of every error.
 */
#include "cli/opts.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/session.h"
#include "util/util.h"

static size_t table_len(const struct option *t)
{
	size_t n = 0;

	while (t && t[n].name)
		n++;
	return n;
}

void kx_opts_begin(struct kx_opts *o, struct kx_session *s, int argc, char **argv,
		   const struct kx_optspec *spec)
{
	size_t nc = table_len(spec->longopts), ng = table_len(kx_global_longopts);

	memset(o, 0, sizeof(*o));
	o->s = s;
	o->spec = spec;
	o->argc = argc;
	o->argv = argv;
	/* the command's own options first: an exact name is found there first */
	o->table = kx_xcalloc(nc + ng + 2, sizeof(*o->table));
	if (nc)
		memcpy(o->table, spec->longopts, nc * sizeof(*o->table));
	memcpy(o->table + nc, kx_global_longopts, ng * sizeof(*o->table));
	o->table[nc + ng] = (struct option){ "help", no_argument, NULL, 'h' };
	o->shortopts = kx_xasprintf("-:%s%sh", spec->shortopts ? spec->shortopts : "",
				    kx_global_shortopts);
	optind = 0;		/* glibc: start over; argv[0] is the command */
	opterr = 0;
}

void kx_opts_end(struct kx_opts *o)
{
	free(o->table);
	free(o->shortopts);
	o->table = NULL;
	o->shortopts = NULL;
}

int kx_opts_exit(int c)
{
	return c == KX_OPT_HELP ? 0 : KX_EXIT_USAGE;
}

/* "kxen-config: CMD: MESSAGE (see kxen-config CMD --help)" */
static int opt_error(const struct kx_opts *o, const char *fmt, const char *name)
{
	const char *cmd = o->spec->cmd;
	char *msg = kx_xasprintf(fmt, name);

	if (cmd)
		kx_errorf("%s: %s (see kxen-config %s --help)", cmd, msg, cmd);
	else
		kx_errorf("%s (see kxen-config --help)", msg);
	free(msg);
	return KX_OPT_ERROR;
}

/* The argv element getopt just took, or "". */
static const char *last_arg(const struct kx_opts *o)
{
	return optind > 0 && optind <= o->argc ? o->argv[optind - 1] : "";
}

/* "--NAME" that getopt did not take: unknown, or the start of several. */
static int unknown_long(const struct kx_opts *o, const char *name)
{
	struct kx_buf b = KX_BUF_INIT;
	size_t n = strlen(name + 2), hits = 0;
	int r;

	for (const struct option *t = o->table; t->name; t++)
		if (!strncmp(t->name, name + 2, n)) {
			kx_buf_printf(&b, "%s--%s", hits++ ? ", " : "", t->name);
		}
	if (hits > 1) {
		char *what = kx_xasprintf("ambiguous option '%s' (%s)", name, kx_buf_cstr(&b));

		r = opt_error(o, "%s", what);
		free(what);
	} else {
		r = opt_error(o, "unknown option '%s'", name);
	}
	kx_buf_free(&b);
	return r;
}

/* A failure getopt returned as '?' or ':', reported. */
static int report(const struct kx_opts *o, int c)
{
	const char *a = last_arg(o);
	char *name;
	int r;

	if (a[0] == '-' && a[1] == '-')
		name = kx_xstrndup(a, strcspn(a, "="));
	else if (optopt > 0 && optopt < 0x100 && isprint(optopt))
		name = kx_xasprintf("-%c", optopt);
	else
		name = kx_xstrdup(a);
	if (c == ':')
		r = opt_error(o, "option '%s' needs a value", name);
	else if (name[1] == '-' && optopt)
		r = opt_error(o, "option '%s' takes no value", name);
	else if (name[1] == '-')
		r = unknown_long(o, name);
	else
		r = opt_error(o, "unknown option '%s'", name);
	free(name);
	return r;
}

/*
 * "--kernel -o x": a value taken from the next argument that looks like an
 * option ("-o", "--name", not "-" nor "-5") is a forgotten value, not the
 * value: an error, except for the option spec->dash_ok.
 */
static bool value_is_option(const struct kx_opts *o, int c)
{
	const char *a = last_arg(o);

	return optarg == a && a[0] == '-' && a[1] && !(a[1] >= '0' && a[1] <= '9') &&
	       c != o->spec->dash_ok && optind >= 2;
}

static int help(const struct kx_opts *o)
{
	if (o->spec->help)
		o->spec->help(o->spec->help_ctx);
	else
		printf("%s\n%s", o->spec->usage, kx_global_options_help);
	return KX_OPT_HELP;
}

static int no_json(const struct kx_opts *o)
{
	kx_errorf("%s has no JSON output (--json)", o->spec->cmd);
	return KX_OPT_ERROR;
}

int kx_opts_next(struct kx_opts *o)
{
	int c, g;

	/* the first call: --json given before the command */
	if (optind == 0 && o->spec->cmd && o->s->json && !o->spec->json)
		return no_json(o);
	for (;;) {
		if (o->rest) {
			/* after "--" (getopt stopped there): all positional */
			if (optind >= o->argc)
				return KX_OPT_DONE;
			o->ind = optind++;
			o->arg = o->argv[o->ind];
			return KX_OPT_ARG;
		}
		c = getopt_long(o->argc, o->argv, o->shortopts, o->table, NULL);
		if (c == -1) {
			o->rest = true;
			continue;
		}
		o->arg = optarg;
		if (c == 1) {
			o->ind = optind - 1;
			if (!o->spec->sym_args && kx_is_assignment(optarg)) {
				kx_session_assign(o->s, optarg);
				continue;
			}
			return KX_OPT_ARG;
		}
		if (c == '?' || c == ':')
			return report(o, c);
		if (c == 'h')
			return help(o);
		if (optarg && value_is_option(o, c)) {
			char *name;
			int r;

			optind--;
			name = kx_xstrndup(last_arg(o), strcspn(last_arg(o), "="));
			r = opt_error(o, "option '%s' needs a value", name);
			free(name);
			return r;
		}
		if (c == KX_GOPT_JSON && o->spec->cmd && !o->spec->json)
			return no_json(o);
		g = kx_session_setopt(o->s, c, optarg);
		if (g < 0)
			return KX_OPT_ERROR;
		if (g)
			continue;
		if (c == 'o' && optarg && !strcmp(optarg, "-"))
			kx_output_reserve_stdout();
		return c;
	}
}
