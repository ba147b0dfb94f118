// SPDX-License-Identifier: MIT
/*
 * cmd_analyze.c - `why SYM`, `why-not SYM=VAL`, `check` (menuconfig
 * preflight against the Xen domU profile) and `preflight`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "analyzer/check.h"
#include "analyzer/describe.h"
#include "analyzer/eval.h"
#include "analyzer/explain.h"
#include "analyzer/merge.h"
#include "analyzer/profile.h"
#include "analyzer/solve.h"
#include "cli/commands.h"
#include "cli/opts.h"
#include "cli/report.h"
#include "cli/session.h"

/* The command line of why, why-not, check and preflight. */
struct args {
	const char *base, *profile, *out;
	const char **pos;	/* positional arguments (argc-sized, all kept) */
	int npos;
	bool initramfs;		/* check: a module satisfies a required y */
};

enum { OPT_BASE = KX_OPT_LONG, OPT_PROFILE, OPT_INITRAMFS };

static const struct option base_longopts[] = {
	{ "base", required_argument, NULL, OPT_BASE },
	{ NULL, 0, NULL, 0 }
};

static const struct option check_longopts[] = {
	{ "profile", required_argument, NULL, OPT_PROFILE },
	{ "initramfs", no_argument, NULL, OPT_INITRAMFS },
	{ NULL, 0, NULL, 0 }
};

static const struct option preflight_longopts[] = {
	{ "profile", required_argument, NULL, OPT_PROFILE },
	{ "output", required_argument, NULL, 'o' },
	{ NULL, 0, NULL, 0 }
};

/*
 * Parses the command line into *a (free a->pos with free_args).  Returns
 * -1 to go on, else the exit code (0 after --help).  At most 'maxpos'
 * positional arguments (-1: any number).
 */
static int parse(struct kx_session *s, int argc, char **argv, struct args *a,
		 const struct kx_optspec *spec, int maxpos)
{
	struct kx_opts o;
	int c;

	memset(a, 0, sizeof(*a));
	a->pos = kx_xcalloc((size_t)argc + 1, sizeof(*a->pos));
	kx_opts_begin(&o, s, argc, argv, spec);
	while ((c = kx_opts_next(&o)) > 0)
		switch (c) {
		case KX_OPT_ARG:
			if (maxpos >= 0 && a->npos >= maxpos) {
				kx_errorf("%s: unexpected argument '%s'\n%s", spec->cmd, o.arg,
					  spec->usage);
				c = KX_OPT_ERROR;
				goto out;
			}
			a->pos[a->npos++] = o.arg;
			break;
		case OPT_BASE:
			a->base = o.arg;
			break;
		case OPT_PROFILE:
			a->profile = o.arg;
			break;
		case OPT_INITRAMFS:
			a->initramfs = true;
			break;
		case 'o':
			a->out = o.arg;
			break;
		}
out:
	kx_opts_end(&o);
	return c < 0 ? kx_opts_exit(c) : -1;
}

static void free_args(struct args *a)
{
	free(a->pos);
	a->pos = NULL;
}

/* ---- why ------------------------------------------------------------------- */

static const char why_usage[] =
"Usage: kxen-config [global options] why SYM... [--base BASE] [--json]\n"
"\n"
"Explains each symbol's value: the rule that decided it (the .config's value,\n"
"which default, a select or imply, a choice), the value of every symbol\n"
"involved, who selects or implies it, where it is defined and where it is\n"
"in menuconfig.  Values come from --config/.config when it exists (else\n"
"BASE, default defconfig).\n";

static struct kx_sym *lookup(struct kx_session *s, const char *name)
{
	struct kx_sym *sym;

	if (!strncmp(name, "CONFIG_", 7))
		name += 7;
	sym = kx_sym_find(s->kc, name);
	if (!sym || !sym->menus) {
		char *near = kx_similar_symbols(s->kc, name, 4);

		kx_errorf("unknown symbol %s in this tree (%s)%s%s", name, s->kc->srcarch,
			  near ? "; did you mean: " : "", near ? near : "");
		free(near);
		return NULL;
	}
	return sym;
}

static const struct kx_optspec why_spec = {
	.cmd = "why", .usage = why_usage,
	.sym_args = true, .json = true, .longopts = base_longopts,
};

static int run_why(struct kx_session *s, const struct args *a)
{
	struct kx_buf b = KX_BUF_INIT;
	char *btext = NULL;
	int rc;

	if (!a->npos) {
		kx_errorf("why needs a symbol name\n%s", why_usage);
		return KX_EXIT_USAGE;
	}
	if ((rc = kx_session_load(s)))
		return rc;
	if (kx_session_base(s, a->base, &btext))
		return KX_EXIT_USAGE;
	if (s->json)
		kx_buf_putc(&b, '[');
	for (int i = 0; i < a->npos; i++) {
		struct kx_sym *sym = lookup(s, a->pos[i]);
		struct kx_why w;

		if (!sym) {
			rc = KX_EXIT_USAGE;
			continue;
		}
		kx_why_compute(s->kc, sym, &w);
		if (s->json) {
			if (i)
				kx_buf_puts(&b, ",\n");
			kx_why_json(s->kc, &w, &b);
		} else {
			if (i)
				kx_buf_putc(&b, '\n');
			kx_why_text(s->kc, &w, &b);
		}
		kx_why_free(&w);
	}
	if (s->json)
		kx_buf_puts(&b, "]\n");
	fputs(kx_buf_cstr(&b), stdout);
	kx_buf_free(&b);
	free(btext);
	return rc;
}

int kx_cmd_why(struct kx_session *s, int argc, char **argv)
{
	struct args a;
	int rc = parse(s, argc, argv, &a, &why_spec, -1);

	if (rc >= 0)
		return rc;
	rc = run_why(s, &a);
	free_args(&a);
	return rc;
}

/* ---- why-not --------------------------------------------------------------- */

static const char whynot_usage[] =
"Usage: kxen-config [global options] why-not SYM=VAL... [--base BASE] [--json]\n"
"\n"
"Explains why SYM does not have value VAL (the dependency or rule in the\n"
"way, with every operand's value) and gives the closure: the smallest set\n"
"of changes that makes it hold, each with the symbol that needs it, its\n"
"file:line and its menu location; or why it cannot hold at all.\n"
"Exit status: 0 it holds or can be made to hold, 1 it cannot, 2 usage.\n";

static const struct kx_optspec whynot_spec = {
	.cmd = "why-not", .usage = whynot_usage,
	.sym_args = true, .json = true, .longopts = base_longopts,
};

static int run_why_not(struct kx_session *s, const struct args *a)
{
	struct kx_target *t = NULL;
	struct kx_closure *cl = NULL;
	struct kx_buf b = KX_BUF_INIT;
	char *btext = NULL;
	int rc;

	if (!a->npos) {
		kx_errorf("why-not needs SYM=VAL\n%s", whynot_usage);
		return KX_EXIT_USAGE;
	}
	if ((rc = kx_session_load(s)))
		return rc;
	if (kx_session_base(s, a->base, &btext))
		return KX_EXIT_USAGE;
	t = kx_xcalloc((size_t)a->npos, sizeof(*t));
	for (int i = 0; i < a->npos; i++) {
		if (kx_parse_target(s, a->pos[i], &t[i]) != 0) {
			rc = KX_EXIT_USAGE;
			goto out;
		}
	}
	if (s->json)
		kx_buf_puts(&b, "{\"why\":[");
	for (int i = 0; i < a->npos; i++) {
		struct kx_why w;

		kx_why_compute(s->kc, t[i].sym, &w);
		if (s->json) {
			if (i)
				kx_buf_putc(&b, ',');
			kx_why_json(s->kc, &w, &b);
		} else {
			if (kx_target_holds(s->kc, &t[i])) {
				kx_buf_printf(&b, "%s=%s already holds.\n", t[i].sym->name, t[i].value);
			} else {
				char *brief = kx_why_not_brief(s->kc, t[i].sym, t[i].value);

				kx_buf_printf(&b, "%s is %s, not %s: %s\n", t[i].sym->name,
					      w.value, t[i].value, brief);
				free(brief);
			}
			kx_why_text(s->kc, &w, &b);
		}
		kx_why_free(&w);
	}
	if (kx_closure_solve(&cl, s->kc, t, (size_t)a->npos, NULL) < 0) {
		kx_errorf("why-not: no closure the evaluator could confirm");
		rc = KX_EXIT_INTERNAL;
		goto out;
	}
	if (s->json) {
		kx_buf_puts(&b, "],\"closure\":");
		kx_closure_json(s, &b, cl, t, (size_t)a->npos);
		kx_buf_puts(&b, "}\n");
		fputs(kx_buf_cstr(&b), stdout);
	} else {
		fputs(kx_buf_cstr(&b), stdout);
		printf("\n");
		kx_report_closure(s, cl, t, (size_t)a->npos, a->base);
	}
	rc = cl->nunmet ? KX_EXIT_NO : 0;
out:
	kx_closure_free(cl);
	kx_buf_free(&b);
	free(btext);
	free(t);
	return rc;
}

int kx_cmd_why_not(struct kx_session *s, int argc, char **argv)
{
	struct args a;
	int rc = parse(s, argc, argv, &a, &whynot_spec, -1);

	if (rc >= 0)
		return rc;
	rc = run_why_not(s, &a);
	free_args(&a);
	return rc;
}

/* ---- check and preflight ------------------------------------------------------------ */

static const char check_usage[] =
"Usage: kxen-config [global options] check [CONFIG] [--profile P] [--initramfs]\n"
"       [--json]\n"
"\n"
"Menuconfig preflight: checks CONFIG (default --config, $KCONFIG_CONFIG or\n"
".config) against the Xen domU profile for the tree's architecture and lists\n"
"each requirement that does not hold, with its level, why it does not hold,\n"
"the fix (the closure: the fewest changes, each with file:line and menu\n"
"location) and what cannot be fixed.\n"
"\n"
"  --profile P   minimal (required items), server (default: + recommended),\n"
"                desktop (+ framebuffer, keyboard, DRM, sound frontends), or a\n"
"                fragment file whose entries are all required\n"
"  --initramfs   the kernel boots with an initramfs that loads modules (as\n"
"                distro kernels do): an item the profile wants built in (=y)\n"
"                also holds as a module (=m)\n"
"\n"
"Exit status: 0 every required item holds; 1 some do not; 2 usage error.\n";

static int load_config_arg(struct kx_session *s, const char *cfg, char **text)
{
	struct stat st;

	if (!cfg)
		cfg = kx_session_config_path(s);
	if (stat(cfg, &st) < 0) {
		kx_errorf("no configuration to check: %s does not exist", cfg);
		return -1;
	}
	return kx_session_base(s, cfg, text);
}

/* check's result as JSON (docs/json-schema.md, "check") */
static void check_json(struct kx_session *s, struct kx_buf *b, const struct kx_profile *prof,
		       const struct kx_check_result *r)
{
	kx_buf_puts(b, "{\"profile\":");
	kx_json_str(b, prof->name);
	kx_buf_puts(b, ",\"arch\":");
	kx_json_str(b, prof->arch);
	kx_buf_puts(b, ",\"items\":[");
	for (size_t i = 0; i < r->nitems; i++) {
		const struct kx_check_item *it = &r->items[i];
		const struct kx_req *q = it->req;
		bool holds = it->verdict == KX_VERDICT_HOLDS ||
			     it->verdict == KX_VERDICT_HOLDS_AS_MODULE;

		if (i)
			kx_buf_putc(b, ',');
		kx_buf_puts(b, "{\"symbol\":");
		kx_json_str(b, q->name);
		kx_buf_puts(b, ",\"value\":");
		kx_json_str(b, q->value);
		kx_buf_puts(b, ",\"level\":");
		kx_json_str(b, kx_level_name(q->level));
		kx_buf_printf(b, ",\"in_tree\":%s,\"holds\":%s", q->sym ? "true" : "false",
			      holds ? "true" : "false");
		kx_buf_puts(b, ",\"reason\":");
		kx_json_str(b, it->reason);
		kx_buf_puts(b, ",\"why\":");
		kx_json_str(b, q->why);
		kx_buf_puts(b, ",\"file\":");
		kx_json_str(b, q->file);
		kx_buf_printf(b, ",\"line\":%d}", q->line);
	}
	kx_buf_printf(b, "],\"required_hold\":%s,\"fix\":", r->ok ? "true" : "false");
	if (r->fix)
		kx_closure_json(s, b, r->fix, r->targets, r->ntargets);
	else
		kx_buf_puts(b, "null");
	kx_buf_puts(b, "}\n");
}

/* check's result for people: counts per level, what fails and why, the fix */
static void check_text(struct kx_session *s, struct kx_buf *b, const struct kx_profile *prof,
		       const struct kx_check_result *r, const char *cfg)
{
	const struct kx_closure *cl = r->fix;

	kx_buf_printf(b, "Xen domU profile \"%s\" for %s:\n", prof->name, prof->arch);
	for (int lv = 0; lv < 3; lv++)
		if (r->total[lv])
			kx_buf_printf(b, "  %-12s %zu of %zu hold\n",
				      kx_level_name((enum kx_level)lv), r->held[lv], r->total[lv]);
	if (r->ntargets)
		kx_buf_puts(b, "\nNot holding:\n");
	for (size_t i = 0; i < r->nitems; i++) {
		const struct kx_check_item *it = &r->items[i];
		struct kx_menu *m;

		if (it->verdict != KX_VERDICT_FIXABLE && it->verdict != KX_VERDICT_UNMET)
			continue;
		kx_buf_printf(b, "  %-11s %s=%s: %s\n", kx_level_name(it->req->level),
			      it->req->name, it->req->value, it->reason);
		if (it->req->why)
			kx_buf_printf(b, "              (%s)\n", it->req->why);
		m = kx_sym_main_menu(it->req->sym);
		if (m && m->prompt) {
			kx_buf_puts(b, "              menu: ");
			kx_menu_path(b, m, " -> ");
			kx_buf_putc(b, '\n');
		}
	}
	for (size_t i = 0; i < r->nitems; i++) {
		const struct kx_req *q = r->items[i].req;
		char *near;

		if (r->items[i].verdict != KX_VERDICT_NOT_IN_TREE)
			continue;
		near = kx_similar_symbols(s->kc, q->name, 3);
		kx_buf_printf(b, "  %-11s %s: not in this tree%s%s\n", kx_level_name(q->level),
			      q->name, near ? "; similar: " : "", near ? near : "");
		free(near);
	}
	if (cl && cl->nchanges) {
		kx_buf_printf(b, "\nFix: %zu change%s (in menuconfig, or apply them with\n"
			      "`kxen-config closure --profile %s --base %s -o %s`):\n",
			      cl->nchanges, cl->nchanges == 1 ? "" : "s", prof->name, cfg, cfg);
		kx_closure_text(s, b, cl, "  ");
	}
	if (cl && cl->nunmet) {
		kx_buf_puts(b, "\nCannot hold in this tree:\n");
		kx_unmet_text(b, cl->unmet, cl->nunmet, false);
	}
	if (r->ok)
		kx_buf_puts(b, "\nEvery required item holds.\n");
}

static const struct kx_optspec check_spec = {
	.cmd = "check", .usage = check_usage,
	.json = true, .longopts = check_longopts,
};

static int run_check(struct kx_session *s, const struct args *a)
{
	struct kx_profile prof = { 0 };
	struct kx_check_result r;
	struct kx_buf b = KX_BUF_INIT;
	char *btext = NULL;
	const char *cfg;
	int rc;

	if ((rc = kx_session_load(s)))
		return rc;
	rc = KX_EXIT_USAGE;
	cfg = a->npos ? a->pos[0] : kx_session_config_path(s);
	if (load_config_arg(s, cfg, &btext))
		goto out;
	if (kx_profile_load(&prof, s->kc, a->profile, kx_session_profile_arch(s), s->env,
			    &s->diags) < 0)
		goto out;
	{
		struct kx_check_in in = { s->kc, &prof, a->initramfs };

		if (kx_check(&in, &r) < 0) {
			kx_errorf("check: no fix the evaluator could confirm");
			rc = KX_EXIT_INTERNAL;
			goto out;
		}
	}
	if (s->json)
		check_json(s, &b, &prof, &r);
	else
		check_text(s, &b, &prof, &r, cfg);
	fputs(kx_buf_cstr(&b), stdout);
	rc = r.ok ? KX_EXIT_OK : KX_EXIT_NO;
	kx_check_result_free(&r);
out:
	kx_profile_free(&prof);
	kx_buf_free(&b);
	free(btext);
	return rc;
}

int kx_cmd_check(struct kx_session *s, int argc, char **argv)
{
	struct args a;
	int rc = parse(s, argc, argv, &a, &check_spec, 1);

	if (rc >= 0)
		return rc;
	rc = run_check(s, &a);
	free_args(&a);
	return rc;
}

static const char preflight_usage[] =
"Usage: kxen-config [global options] preflight [CONFIG] [--profile P] [-o OUT]\n"
"\n"
"Applies the fewest prerequisites so that every Xen option of the profile\n"
"(default: server) becomes visible in menuconfig, without setting the Xen\n"
"options themselves, and tells where each one is.  Writes OUT (default:\n"
"CONFIG, keeping the previous file as CONFIG.old).\n"
"Exit status: 0 done; 1 some options cannot become visible; 2 usage.\n";

static const struct kx_optspec preflight_spec = {
	.cmd = "preflight", .usage = preflight_usage,
	.shortopts = "o:", .longopts = preflight_longopts,
};

/* Does 'sym' have a prompt anywhere (could menuconfig ever show it)? */
static bool sym_has_prompt(const struct kx_sym *sym)
{
	for (const struct kx_prop *p = sym->prop; p; p = p->next)
		if (p->type == KX_P_PROMPT)
			return true;
	return false;
}

/* The profile's options that have no prompt: Kconfig sets them itself. */
static void print_noprompt(const struct kx_buf *names)
{
	if (names->len)
		printf("\nNo prompt (set by Kconfig from the options above, never shown):%s\n",
		       kx_buf_cstr(names));
}

static int run_preflight(struct kx_session *s, const struct args *a)
{
	struct kx_profile prof;
	struct kx_target *t = NULL;
	struct kx_closure *cl = NULL;
	struct kx_buf noprompt = KX_BUF_INIT;
	char *btext = NULL;
	const char *cfg, *out;
	size_t nt = 0;
	int rc;

	memset(&prof, 0, sizeof(prof));
	if ((rc = kx_session_load(s)))
		return rc;
	rc = KX_EXIT_USAGE;
	cfg = a->npos ? a->pos[0] : kx_session_config_path(s);
	if (load_config_arg(s, cfg, &btext))
		goto out;
	if (kx_profile_load(&prof, s->kc, a->profile, kx_session_profile_arch(s), s->env,
			    &s->diags) < 0)
		goto out;
	t = kx_xcalloc(prof.n + 1, sizeof(*t));
	for (size_t i = 0; i < prof.n; i++) {
		struct kx_target tt = { prof.v[i].sym, prof.v[i].value, prof.v[i].file, true };

		if (!prof.v[i].sym || kx_target_holds(s->kc, &tt))
			continue;
		if (!sym_has_prompt(prof.v[i].sym)) {
			/* never shown in menuconfig: follows from the others */
			kx_buf_printf(&noprompt, " %s", prof.v[i].name);
			continue;
		}
		t[nt++] = tt;
	}
	if (!nt) {
		printf("Every Xen option of the profile is already visible in menuconfig.\n");
		print_noprompt(&noprompt);
		rc = 0;
		goto out;
	}
	if (kx_closure_solve(&cl, s->kc, t, nt, NULL) < 0) {
		kx_errorf("preflight: no answer the evaluator could confirm");
		rc = KX_EXIT_INTERNAL;
		goto out;
	}
	out = a->out ? a->out : cfg;
	if (cl->config_text) {
		rc = kx_write_user_file(out, cl->config_text, a->out ? 0 : KX_OUT_KEEP_OLD);
		if (rc)
			goto out;
	}
	printf("%zu prerequisite%s applied to %s so that the Xen options show up:\n",
	       cl->nchanges, cl->nchanges == 1 ? "" : "s", out);
	{
		struct kx_buf b = KX_BUF_INIT;

		kx_closure_text(s, &b, cl, "  ");
		kx_buf_puts(&b, "\nWhere to find them in menuconfig:\n");
		for (size_t i = 0; i < prof.n; i++) {
			struct kx_menu *m = prof.v[i].sym ? kx_sym_main_menu(prof.v[i].sym) : NULL;

			if (!m || !m->prompt)
				continue;
			kx_buf_printf(&b, "  %-28s ", prof.v[i].name);
			kx_menu_path(&b, m, " -> ");
			kx_buf_putc(&b, '\n');
		}
		if (cl->nunmet) {
			kx_buf_puts(&b, "\nCannot become visible in this tree and configuration:\n");
			kx_unmet_text(&b, cl->unmet, cl->nunmet, true);
		}
		fputs(kx_buf_cstr(&b), stdout);
		kx_buf_free(&b);
	}
	print_noprompt(&noprompt);
	rc = cl->nunmet ? KX_EXIT_NO : 0;
out:
	kx_buf_free(&noprompt);
	kx_closure_free(cl);
	kx_profile_free(&prof);
	free(btext);
	free(t);
	return rc;
}

int kx_cmd_preflight(struct kx_session *s, int argc, char **argv)
{
	struct args a;
	int rc = parse(s, argc, argv, &a, &preflight_spec, 1);

	if (rc >= 0)
		return rc;
	rc = run_preflight(s, &a);
	free_args(&a);
	return rc;
}
