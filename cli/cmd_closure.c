// SPDX-License-Identifier: MIT
/*
 * cmd_closure.c - `closure SYM=VAL...`: the minimal changes that make the
 * targets hold, with reasons and menu locations; impossible targets with
 * the conflicting Kconfig lines.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/describe.h"
#include "analyzer/eval.h"
#include "analyzer/merge.h"
#include "analyzer/profile.h"
#include "analyzer/solve.h"
#include "cli/commands.h"
#include "cli/opts.h"
#include "cli/report.h"
#include "cli/session.h"

static const char closure_usage[] =
"Usage: kxen-config [global options] closure [SYM=VAL...] [--profile P]\n"
"                                           [--base BASE] [-o OUT]\n"
"\n"
"Finds the smallest set of changes to user-settable symbols (visible\n"
"prompts and choice selections) after which every SYM has value VAL, starting\n"
"from BASE and keeping its values where possible.  Each change comes with\n"
"the symbol that needs it, its file:line and its place in menuconfig.\n"
"Targets that cannot hold are explained: the chain of dependencies down to\n"
"what blocks them, and whether that is fixed by the architecture or\n"
"toolchain or excluded by other targets.\n"
"\n"
"  SYM=VAL        a target (CONFIG_ prefix optional; SYM alone means SYM=y)\n"
"  --profile P    also every item of the Xen domU profile P (minimal, server,\n"
"                 desktop or a fragment file; see `check`) that this tree has\n"
"  --base BASE    defconfig | allnoconfig | alldefconfig | tinyconfig |\n"
"                 NAME_defconfig | a .config file (default: --config/.config\n"
"                 when it exists, else defconfig)\n"
"  -o, --output FILE  write the resulting .config to FILE\n"
"  --json         machine-readable result (docs/json-schema.md)\n"
"\n"
"Exit status: 0 all targets can hold, 1 some cannot, 2 usage error.\n";

char *kx_target_name(const char *arg)
{
	const char *eq = strchr(arg, '=');

	if (!strncmp(arg, "CONFIG_", 7))
		arg += 7;
	return eq ? kx_xstrndup(arg, (size_t)(eq - arg)) : kx_xstrdup(arg);
}

int kx_parse_target(struct kx_session *s, const char *arg, struct kx_target *t)
{
	const char *eq = strchr(arg, '=');
	char *name = kx_target_name(arg);

	t->sym = kx_sym_find(s->kc, name);
	t->value = eq ? eq + 1 : "y";
	t->origin = "command line";
	if (!t->sym || !t->sym->menus) {
		char *near = kx_similar_symbols(s->kc, name, 4);

		fprintf(stderr, "kxen-config: %s is not in this tree for %s%s%s\n", name,
			s->kc->srcarch && *s->kc->srcarch ? s->kc->srcarch : "this arch",
			near ? "; similar: " : "", near ? near : "");
		free(near);
		free(name);
		t->sym = NULL;
		return 1;
	}
	if ((t->sym->type == KX_S_BOOLEAN || t->sym->type == KX_S_TRISTATE) &&
	    strcmp(t->value, "y") && strcmp(t->value, "m") && strcmp(t->value, "n")) {
		kx_errorf("%s is %s: the value must be y, m or n, not '%s'", name,
			  kx_symtype_name(t->sym->type), t->value);
		free(name);
		return -1;
	}
	free(name);
	return 0;
}

enum { OPT_BASE = KX_OPT_LONG, OPT_PROFILE };

static const struct option closure_longopts[] = {
	{ "base", required_argument, NULL, OPT_BASE },
	{ "profile", required_argument, NULL, OPT_PROFILE },
	{ "output", required_argument, NULL, 'o' },
	{ NULL, 0, NULL, 0 }
};

/* SYM=VAL are its targets, not make variables */
static const struct kx_optspec closure_spec = {
	.cmd = "closure", .shortopts = "o:", .longopts = closure_longopts,
	.usage = closure_usage, .json = true, .sym_args = true,
};

int kx_cmd_closure(struct kx_session *s, int argc, char **argv)
{
	const char *base = NULL, *out = NULL, *profile = NULL;
	struct kx_profile prof;
	const char **targs = kx_xcalloc((size_t)argc + 1, sizeof(*targs));
	struct kx_target *t = NULL;
	struct kx_closure *cl = NULL;
	char *btext = NULL;
	size_t nt = 0, unknown = 0;
	char **unknown_names = NULL;
	struct kx_opts o;
	int rc = KX_EXIT_USAGE, err, c;

	memset(&prof, 0, sizeof(prof));
	kx_opts_begin(&o, s, argc, argv, &closure_spec);
	while ((c = kx_opts_next(&o)) > 0)
		switch (c) {
		case KX_OPT_ARG:
			targs[nt++] = o.arg;
			break;
		case OPT_BASE:
			base = o.arg;
			break;
		case OPT_PROFILE:
			profile = o.arg;
			break;
		case 'o':
			out = o.arg;
			break;
		}
	kx_opts_end(&o);
	if (c < 0) {
		rc = kx_opts_exit(c);
		goto out;
	}
	if (!nt && !profile) {
		kx_errorf("closure needs a SYM=VAL target or --profile\n%s", closure_usage);
		goto out;
	}
	if ((rc = kx_session_load(s)))
		goto out;
	rc = KX_EXIT_USAGE;
	if (kx_session_base(s, base, &btext))
		goto out;
	if (profile && kx_profile_load(&prof, s->kc, profile, kx_session_profile_arch(s),
				       s->env, &s->diags) < 0)
		goto out;
	t = kx_xcalloc(nt + prof.n + 1, sizeof(*t));
	unknown_names = kx_xcalloc(nt + 1, sizeof(*unknown_names));
	{
		/* unknown symbols are reported and left out, the rest solved */
		size_t k = 0;

		for (size_t i = 0; i < nt; i++) {
			int r = kx_parse_target(s, targs[i], &t[k]);

			if (r < 0)
				goto out;
			if (r > 0)
				unknown_names[unknown++] = kx_target_name(targs[i]);
			else
				k++;
		}
		/* then the profile's items this tree has */
		for (size_t i = 0; i < prof.n; i++)
			if (!prof.v[i].sym && s->verbose > 0)
				fprintf(stderr, "kxen-config: %s (%s:%d) is not in this tree\n",
					prof.v[i].name, prof.v[i].file, prof.v[i].line);
		nt = k + kx_profile_targets(&prof, s->kc, t + k);
	}
	if (!nt) {
		/* every target is unknown here (each reported): nothing to solve */
		if (s->json)
			kx_report_closure_json(s, NULL, NULL, 0, unknown_names, unknown);
		rc = KX_EXIT_NO;
		goto out;
	}
	err = kx_closure_solve(&cl, s->kc, t, nt, NULL);
	if (err < 0) {
		kx_errorf("closure: %s (no answer the evaluator could confirm)",
			  kx_strerror(err));
		rc = KX_EXIT_INTERNAL;
		goto out;
	}
	if (s->json)
		kx_report_closure_json(s, cl, t, nt, unknown_names, unknown);
	else
		kx_report_closure(s, cl, t, nt, base);
	if (out && cl->config_text) {
		rc = kx_write_user_file(out, cl->config_text, 0);
		if (rc)
			goto out;
	}
	rc = cl->nunmet || unknown ? KX_EXIT_NO : KX_EXIT_OK;
out:
	kx_closure_free(cl);
	kx_profile_free(&prof);
	free(btext);
	free(t);
	free(targs);
	for (size_t i = 0; i < unknown; i++)
		free(unknown_names[i]);
	free(unknown_names);
	return rc;
}
