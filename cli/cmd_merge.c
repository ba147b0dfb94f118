// SPDX-License-Identifier: MIT
/*
 * cmd_merge.c - `merge BASE FRAGMENT...`: merge_config.sh, then every
 * requested value that did not take effect, why, and the closure that
 * makes it stick (--resolve applies it).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/describe.h"
#include "analyzer/eval.h"
#include "analyzer/explain.h"
#include "analyzer/merge.h"
#include "analyzer/solve.h"
#include "cli/commands.h"
#include "cli/opts.h"
#include "cli/report.h"
#include "cli/session.h"

static const char merge_usage[] =
"Usage: kxen-config [global options] merge BASE FRAGMENT... [options]\n"
"\n"
"Merges config fragments onto BASE as scripts/kconfig/merge_config.sh does\n"
"(later fragments win; each redefinition is reported), then evaluates the\n"
"result like `make KCONFIG_ALLCONFIG=merged alldefconfig`.  Then lists every\n"
"requested value that did not take effect, why (the dependency in the way,\n"
"with the values involved), and the closure that would make it stick;\n"
"symbols this tree does not have are listed with the nearest names.\n"
"\n"
"  BASE           a .config or fragment file, or defconfig | allnoconfig |\n"
"                 alldefconfig | tinyconfig | NAME_defconfig\n"
"  FRAGMENT       files, as given or relative to the tree (kernel/configs/xen.config)\n"
"  -o, --output FILE  where to write (default --config, $KCONFIG_CONFIG or .config;\n"
"                 the previous file is kept as FILE.old)\n"
"  --resolve      apply the closures, so that every requested value holds\n"
"  -m             only merge (write the merged fragment, do not evaluate)\n"
"  -n             use allnoconfig instead of alldefconfig for new symbols\n"
"  -y             builtin wins: a later m does not demote an earlier y\n"
"  -r             report redundant entries\n"
"  -s             strict: a redefinition is an error (nothing is written), and\n"
"                 so is a requested symbol the tree does not have (exit 1);\n"
"                 KCONFIG_WERROR set in the environment does the latter too\n"
"\n"
"Exit status: 0 every requested value holds in OUT; 1 some were dropped\n"
"(with --resolve: some still do not hold, no fix could be confirmed or the\n"
"closure cannot make them hold), or in strict mode a requested symbol is not\n"
"in the tree (OUT is written all the same); 2 usage error or bad input.\n";

struct merge_args {
	struct kx_merge_opts mo;
	const char *out;
	bool resolve;
	const char **pos;	/* BASE FRAGMENT... */
	int npos;
};

enum { OPT_RESOLVE = KX_OPT_LONG };

static const struct option merge_longopts[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "resolve", no_argument, NULL, OPT_RESOLVE },
	{ NULL, 0, NULL, 0 }
};

static const struct kx_optspec merge_spec = {
	.cmd = "merge", .shortopts = "o:mnyrs", .longopts = merge_longopts,
	.usage = merge_usage, .json = true,
};

/* 0, 1 for --help (printed), or KX_EXIT_USAGE (said) */
static int merge_parse(struct kx_session *s, int argc, char **argv, struct merge_args *a)
{
	struct kx_opts o;
	int c;

	kx_opts_begin(&o, s, argc, argv, &merge_spec);
	while ((c = kx_opts_next(&o)) > 0)
		switch (c) {
		case KX_OPT_ARG:
			a->pos[a->npos++] = o.arg;
			break;
		case 'o':
			a->out = o.arg;
			break;
		case OPT_RESOLVE:
			a->resolve = true;
			break;
		case 'm':
			a->mo.only_merge = true;
			break;
		case 'n':
			a->mo.allnoconfig = true;
			break;
		case 'y':
			a->mo.builtin = true;
			break;
		case 'r':
			a->mo.redundant = true;
			break;
		case 's':
			a->mo.strict = true;
			break;
		}
	kx_opts_end(&o);
	if (c < 0)
		return c == KX_OPT_HELP ? 1 : KX_EXIT_USAGE;
	if (a->npos < 2) {
		kx_errorf("merge needs BASE and at least one FRAGMENT\n%s", merge_usage);
		return KX_EXIT_USAGE;
	}
	return 0;
}

/* A file's text, or NULL with *err set (errno describes it). */
static char *read_input(struct kx_session *s, const char *name, int *err)
{
	char *data = NULL;
	size_t len;
	long nul;

	*err = kx_session_open(s, name, &data, &len);
	if (*err >= 0 && (nul = kx_binary_offset(data, len)) >= 0) {
		*err = KX_EINVAL;
		errno = EINVAL;
		kx_errorf("%s: a binary file (NUL byte at offset %ld), not a config file or "
			  "fragment", name, nul);
		free(data);
		return NULL;
	}
	return *err < 0 ? NULL : data;
}

/*
 * The base (a file's text as is, or a make target) into *base and the
 * fragments into fr[] (their texts in texts[], to free).  0 or -1 (said).
 */
static int read_inputs(struct kx_session *s, const struct merge_args *a, char **base,
		       char **texts, struct kx_fragment *fr)
{
	int err;

	*base = read_input(s, a->pos[0], &err);
	if (!*base && err == KX_EINVAL)
		return -1;	/* said */
	if (!*base) {
		if (err != KX_ENOTFOUND) {
			kx_errorf("cannot read %s: %s", a->pos[0], strerror(errno));
			return -1;
		}
		if (kx_session_base(s, a->pos[0], base))
			return -1;
	}
	for (int i = 1; i < a->npos; i++) {
		texts[i] = read_input(s, a->pos[i], &err);
		if (!texts[i] && err == KX_EINVAL)
			return -1;	/* said */
		if (!texts[i] && err == KX_ENOTFOUND) {
			kx_errorf("The merge file '%s' does not exist.", a->pos[i]);
			return -1;
		} else if (!texts[i]) {
			kx_errorf("cannot read the merge file '%s': %s", a->pos[i],
				  strerror(errno));
			return -1;
		}
		fr[i - 1].name = a->pos[i];
		fr[i - 1].text = texts[i];
	}
	return 0;
}

/* merge's result as JSON (docs/json-schema.md, "merge") */
static void merge_json(struct kx_session *s, struct kx_buf *b, const char *out,
		       const struct kx_merge_result *mr, const struct kx_merge_fix *fx)
{
	kx_buf_puts(b, "{\"output\":");
	kx_json_str(b, out);
	kx_buf_puts(b, ",\"dropped\":[");
	for (size_t i = 0; i < fx->ndropped; i++) {
		const struct kx_dropped *d = &fx->dropped[i];

		if (i)
			kx_buf_putc(b, ',');
		kx_buf_puts(b, "{\"symbol\":");
		kx_json_str(b, d->line->name);
		kx_buf_puts(b, ",\"requested\":");
		kx_json_str(b, d->line->value);
		kx_buf_puts(b, ",\"actual\":");
		kx_json_str(b, d->actual);
		kx_buf_puts(b, ",\"fragment\":");
		kx_json_str(b, d->line->file);
		kx_buf_printf(b, ",\"line\":%d,\"reason\":", d->line->line);
		kx_json_str(b, d->reason);
		kx_buf_printf(b, ",\"holds\":%s}", d->holds ? "true" : "false");
	}
	kx_buf_puts(b, "],\"unknown\":[");
	for (size_t i = 0; i < mr->unknown.n; i++) {
		char *near = kx_similar_symbols(s->kc, mr->unknown.v[i].name, 4);

		if (i)
			kx_buf_putc(b, ',');
		kx_buf_puts(b, "{\"symbol\":");
		kx_json_str(b, mr->unknown.v[i].name);
		kx_buf_puts(b, ",\"fragment\":");
		kx_json_str(b, mr->unknown.v[i].file);
		kx_buf_printf(b, ",\"line\":%d,\"similar\":", mr->unknown.v[i].line);
		kx_json_str(b, near);
		kx_buf_putc(b, '}');
		free(near);
	}
	kx_buf_printf(b, "],\"resolved\":%s,\"closure\":", fx->resolved ? "true" : "false");
	if (fx->closure)
		kx_closure_json(s, b, fx->closure, fx->targets, fx->ntargets);
	else
		kx_buf_puts(b, "null");
	kx_buf_puts(b, "}\n");
}

/* merge's result for people: what was dropped and why, the fix, what cannot hold */
static void merge_text(struct kx_session *s, struct kx_buf *b, const char *out,
		       const struct kx_merge_result *mr, const struct kx_merge_fix *fx,
		       bool resolve)
{
	const struct kx_closure *cl = fx->closure;

	if (fx->ndropped)
		kx_buf_printf(b, "\n%zu requested value%s did not take effect:\n",
			      fx->ndropped, fx->ndropped == 1 ? "" : "s");
	for (size_t i = 0; i < fx->ndropped; i++) {
		const struct kx_dropped *d = &fx->dropped[i];

		kx_buf_printf(b, "  %s=%s (%s:%d) is ", d->line->name, d->line->value,
			      d->line->file, d->line->line);
		if (d->sym)
			kx_put_value(b, d->sym, d->actual);
		else
			kx_buf_putc(b, '?');
		kx_buf_printf(b, ": %s\n", d->reason ? d->reason : "");
	}
	for (size_t i = 0; i < mr->unknown.n; i++) {
		char *near = kx_similar_symbols(s->kc, mr->unknown.v[i].name, 4);

		kx_buf_printf(b, "  %s (%s:%d) does not exist in this tree%s%s\n",
			      mr->unknown.v[i].name, mr->unknown.v[i].file,
			      mr->unknown.v[i].line, near ? "; similar: " : "",
			      near ? near : "");
		free(near);
	}
	if (cl && cl->nchanges) {
		if (fx->resolved)
			kx_buf_printf(b, "\nApplied: %zu change%s make%s them stick:\n",
				      cl->nchanges, cl->nchanges == 1 ? "" : "s",
				      cl->nchanges == 1 ? "s" : "");
		else if (cl->nchanges == 1)
			kx_buf_puts(b, "\nThis change makes them stick:\n");
		else
			kx_buf_printf(b, "\nThese %zu changes make them stick:\n", cl->nchanges);
		kx_closure_text(s, b, cl, "  ");
		if (!resolve)
			kx_buf_puts(b, "(run again with --resolve to apply them)\n");
	}
	if (cl && cl->nunmet) {
		kx_buf_puts(b, "\nCannot hold in this tree:\n");
		kx_unmet_text(b, cl->unmet, cl->nunmet, false);
	}
	/* not holding after --resolve, and not explained above */
	if (resolve && fx->nstill_dropped) {
		struct kx_buf l = KX_BUF_INIT;
		size_t n = 0;

		for (size_t i = 0; i < fx->ndropped; i++) {
			if (fx->dropped[i].holds || fx->dropped[i].unmet)
				continue;
			kx_buf_printf(&l, " %s=%s", fx->dropped[i].line->name,
				      fx->dropped[i].line->value);
			n++;
		}
		if (n)
			kx_buf_printf(b, "\n%zu requested value%s still do%s not hold in %s:%s\n",
				      n, n == 1 ? "" : "s", n == 1 ? "es" : "", out,
				      kx_buf_cstr(&l));
		kx_buf_free(&l);
	}
}

int kx_cmd_merge(struct kx_session *s, int argc, char **argv)
{
	struct merge_args a = { .pos = kx_xcalloc((size_t)argc + 1, sizeof(*a.pos)) };
	struct kx_fragment *fr = kx_xcalloc((size_t)argc + 1, sizeof(*fr));
	char **texts = kx_xcalloc((size_t)argc + 1, sizeof(*texts)), *base = NULL;
	struct kx_merge_result mr = { 0 };
	struct kx_merge_fix fx = { 0 };
	struct kx_buf b = KX_BUF_INIT;
	int rc = merge_parse(s, argc, argv, &a);

	if (rc) {
		rc = rc == 1 ? 0 : rc;
		goto out;
	}
	if ((rc = kx_session_load(s)))
		goto out;
	rc = KX_EXIT_USAGE;
	if (!a.out)
		a.out = kx_session_config_path(s);
	if (read_inputs(s, &a, &base, texts, fr))
		goto out;
	if (kx_merge(&s->io, a.pos[0], base, fr, (size_t)a.npos - 1, &a.mo, &mr) < 0) {
		fputs(kx_buf_cstr(&mr.log), stdout);
		goto out;
	}
	if (s->verbose >= 0 && !s->json)
		fputs(kx_buf_cstr(&mr.log), stdout);
	if (a.mo.only_merge) {
		if (!(rc = kx_write_user_file(a.out, mr.merged, 0)))
			printf("#\n# merged configuration written to %s (needs make)\n#\n", a.out);
		goto out;
	}
	kx_merge_closure(&s->io, &mr, a.resolve, &fx);
	/* no closure is no reason to lose the merge: say so, write it */
	if (fx.solve_err < 0)
		kx_errorf("merge: warning: no closure the evaluator could confirm for the "
			  "values that did not take effect%s", a.resolve ? " (nothing resolved)" : "");
	if (s->json)
		merge_json(s, &b, a.out, &mr, &fx);
	else
		merge_text(s, &b, a.out, &mr, &fx, a.resolve);
	fputs(kx_buf_cstr(&b), stdout);
	if ((rc = kx_write_user_file(a.out, fx.config, KX_OUT_KEEP_OLD)))
		goto out;
	if (!s->json && s->verbose >= 0)
		printf("#\n# configuration written to %s\n#\n", a.out);
	rc = fx.ok ? 0 : KX_EXIT_NO;
	/*
	 * Strict (-s, or KCONFIG_WERROR set, as conf takes it): a requested
	 * symbol this tree does not have is an error, not only a note, so a
	 * typo (HVC_XEM) fails the script that runs the merge.
	 */
	if (mr.unknown.n && (a.mo.strict || getenv("KCONFIG_WERROR"))) {
		kx_errorf("merge: %zu requested symbol%s this tree does not have, an error in "
			  "strict mode (%s)", mr.unknown.n, mr.unknown.n == 1 ? "" : "s",
			  a.mo.strict ? "-s" : "KCONFIG_WERROR");
		rc = KX_EXIT_NO;
	}
out:
	kx_merge_fix_free(&fx);
	kx_merge_result_free(&mr);
	kx_buf_free(&b);
	free(base);
	for (int i = 0; i < a.npos; i++)
		free(texts[i]);
	free(texts);
	free(fr);
	free(a.pos);
	return rc;
}
