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
"  -s             strict: a redefinition is an error\n"
"\n"
"Exit status: 0 every requested value holds; 1 some were dropped (or could\n"
"not be resolved); 2 usage error or bad input.\n";

/* A file's text, or NULL with *err set (errno describes it). */
static char *read_input(struct kx_session *s, const char *name, int *err)
{
	char *data = NULL;
	size_t len;

	*err = kx_session_open(s, name, &data, &len);
	return *err < 0 ? NULL : data;
}

int kx_cmd_merge(struct kx_session *s, int argc, char **argv)
{
	struct kx_merge_opts mo = { 0 };
	struct kx_merge_result mr;
	const char **pos = kx_xcalloc((size_t)argc + 1, sizeof(*pos)), *out = NULL;
	struct kx_fragment *fr = kx_xcalloc((size_t)argc + 1, sizeof(*fr));
	char **texts = kx_xcalloc((size_t)argc + 1, sizeof(*texts)), *base = NULL;
	struct kx_target *t = NULL;
	struct kx_closure *cl = NULL;
	bool resolve = false, have_mr = false;
	int npos = 0, rc = KX_EXIT_USAGE, err;
	size_t nt = 0;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int g = kx_session_option(s, argc, argv, &i);

		if (g < 0)
			return KX_EXIT_USAGE;
		if (g)
			continue;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			printf("%s\n%s", merge_usage, kx_global_options_help);
			return 0;
		}
		if ((!strcmp(a, "-o") || !strcmp(a, "--output")) && i + 1 < argc)
			out = argv[++i];
		else if (!strcmp(a, "--resolve"))
			resolve = true;
		else if (!strcmp(a, "-m"))
			mo.only_merge = true;
		else if (!strcmp(a, "-n"))
			mo.allnoconfig = true;
		else if (!strcmp(a, "-y"))
			mo.builtin = true;
		else if (!strcmp(a, "-r"))
			mo.redundant = true;
		else if (!strcmp(a, "-s"))
			mo.strict = true;
		else if (a[0] == '-') {
			kx_errorf("merge: unknown option '%s'\n%s", a, merge_usage);
			return KX_EXIT_USAGE;
		} else {
			pos[npos++] = a;
		}
	}
	if (npos < 2) {
		kx_errorf("merge needs BASE and at least one FRAGMENT\n%s", merge_usage);
		return KX_EXIT_USAGE;
	}
	if ((rc = kx_session_load(s)))
		return rc;
	rc = KX_EXIT_USAGE;
	if (!out)
		out = kx_session_config_path(s);
	/* the base: a file's text as is, or a make target */
	base = read_input(s, pos[0], &err);
	if (!base) {
		if (err != KX_ENOTFOUND) {
			kx_errorf("cannot read %s: %s", pos[0], strerror(errno));
			goto out;
		}
		if (kx_session_base(s, pos[0], &base))
			goto out;
	}
	for (int i = 1; i < npos; i++) {
		texts[i] = read_input(s, pos[i], &err);
		if (!texts[i] && err == KX_ENOTFOUND) {
			kx_errorf("The merge file '%s' does not exist.", pos[i]);
			goto out;
		} else if (!texts[i]) {
			kx_errorf("cannot read the merge file '%s': %s", pos[i], strerror(errno));
			goto out;
		}
		fr[i - 1].name = pos[i];
		fr[i - 1].text = texts[i];
	}
	if (kx_merge(&s->io, pos[0], base, fr, (size_t)npos - 1, &mo, &mr) < 0) {
		fputs(kx_buf_cstr(&mr.log), stdout);
		have_mr = true;
		goto out;
	}
	have_mr = true;
	if (s->verbose >= 0 && !s->json)
		fputs(kx_buf_cstr(&mr.log), stdout);
	if (mo.only_merge) {
		rc = kx_write_user_file(out, mr.merged, 0);
		if (rc)
			goto out;
		printf("#\n# merged configuration written to %s (needs make)\n#\n", out);
		rc = 0;
		goto out;
	}
	/* the dropped values as closure targets on the result */
	t = kx_xcalloc(mr.dropped.n + 1, sizeof(*t));
	for (size_t i = 0; i < mr.dropped.n; i++) {
		struct kx_sym *sym = kx_sym_find(s->kc, mr.dropped.v[i].name);

		if (!sym)
			continue;
		t[nt].sym = sym;
		t[nt].value = mr.dropped.v[i].value;
		t[nt].origin = mr.dropped.v[i].file;
		nt++;
	}
	kx_conf_load_text(&s->io, "merged", mr.config);
	/* no closure is no reason to lose the merge: say so, write it */
	if (nt && kx_closure_solve(&cl, s->kc, t, nt, NULL) < 0) {
		kx_errorf("merge: warning: no closure the evaluator could confirm for "
			  "the values that did not take effect%s",
			  resolve ? " (nothing resolved)" : "");
		cl = NULL;
	}
	if (s->json) {
		struct kx_buf b = KX_BUF_INIT;

		kx_buf_puts(&b, "{\"output\":");
		kx_json_str(&b, out);
		kx_buf_puts(&b, ",\"dropped\":[");
		for (size_t i = 0; i < mr.dropped.n; i++) {
			struct kx_sym *sym = kx_sym_find(s->kc, mr.dropped.v[i].name);
			char *brief = sym ? kx_why_not_brief(s->kc, sym, mr.dropped.v[i].value) : NULL;

			if (i)
				kx_buf_putc(&b, ',');
			kx_buf_puts(&b, "{\"symbol\":");
			kx_json_str(&b, mr.dropped.v[i].name);
			kx_buf_puts(&b, ",\"requested\":");
			kx_json_str(&b, mr.dropped.v[i].value);
			kx_buf_puts(&b, ",\"actual\":");
			kx_json_str(&b, sym ? kx_sym_string_value(s->kc, sym) : NULL);
			kx_buf_puts(&b, ",\"fragment\":");
			kx_json_str(&b, mr.dropped.v[i].file);
			kx_buf_printf(&b, ",\"line\":%d,\"reason\":", mr.dropped.v[i].line);
			kx_json_str(&b, brief);
			kx_buf_putc(&b, '}');
			free(brief);
		}
		kx_buf_puts(&b, "],\"unknown\":[");
		for (size_t i = 0; i < mr.unknown.n; i++) {
			char *near = kx_similar_symbols(s->kc, mr.unknown.v[i].name, 4);

			if (i)
				kx_buf_putc(&b, ',');
			kx_buf_puts(&b, "{\"symbol\":");
			kx_json_str(&b, mr.unknown.v[i].name);
			kx_buf_puts(&b, ",\"fragment\":");
			kx_json_str(&b, mr.unknown.v[i].file);
			kx_buf_printf(&b, ",\"line\":%d,\"similar\":", mr.unknown.v[i].line);
			kx_json_str(&b, near);
			kx_buf_putc(&b, '}');
			free(near);
		}
		kx_buf_printf(&b, "],\"resolved\":%s,\"closure\":", resolve ? "true" : "false");
		if (cl)
			kx_closure_json(s, &b, cl, t, nt);
		else
			kx_buf_puts(&b, "null");
		kx_buf_puts(&b, "}\n");
		fputs(kx_buf_cstr(&b), stdout);
		kx_buf_free(&b);
	} else {
		struct kx_buf b = KX_BUF_INIT;

		if (mr.dropped.n)
			kx_buf_printf(&b, "\n%zu requested value%s did not take effect:\n",
				      mr.dropped.n, mr.dropped.n == 1 ? "" : "s");
		for (size_t i = 0; i < mr.dropped.n; i++) {
			struct kx_sym *sym = kx_sym_find(s->kc, mr.dropped.v[i].name);
			char *brief = sym ? kx_why_not_brief(s->kc, sym, mr.dropped.v[i].value) : NULL;

			kx_buf_printf(&b, "  %s=%s (%s:%d) is ", mr.dropped.v[i].name,
				      mr.dropped.v[i].value, mr.dropped.v[i].file,
				      mr.dropped.v[i].line);
			if (sym)
				kx_put_value(&b, sym, kx_sym_string_value(s->kc, sym));
			else
				kx_buf_putc(&b, '?');
			kx_buf_printf(&b, ": %s\n", brief ? brief : "");
			free(brief);
		}
		for (size_t i = 0; i < mr.unknown.n; i++) {
			char *near = kx_similar_symbols(s->kc, mr.unknown.v[i].name, 4);

			kx_buf_printf(&b, "  %s (%s:%d) does not exist in this tree%s%s\n",
				      mr.unknown.v[i].name, mr.unknown.v[i].file,
				      mr.unknown.v[i].line, near ? "; similar: " : "",
				      near ? near : "");
			free(near);
		}
		if (cl && cl->nchanges) {
			kx_buf_printf(&b, "\n%s %zu change%s make%s them stick:\n",
				      resolve ? "Applied:" : "These", cl->nchanges,
				      cl->nchanges == 1 ? "" : "s", cl->nchanges == 1 ? "s" : "");
			kx_closure_text(s, &b, cl, "  ");
			if (!resolve)
				kx_buf_puts(&b, "(run again with --resolve to apply them)\n");
		}
		if (cl && cl->nunmet) {
			kx_buf_puts(&b, "\nCannot hold in this tree:\n");
			kx_unmet_text(&b, cl->unmet, cl->nunmet, false);
		}
		fputs(kx_buf_cstr(&b), stdout);
		kx_buf_free(&b);
	}
	{
		const char *text = resolve && cl && cl->config_text ? cl->config_text : mr.config;
		rc = kx_write_user_file(out, text, KX_OUT_KEEP_OLD);
		if (rc)
			goto out;
		if (!s->json && s->verbose >= 0)
			printf("#\n# configuration written to %s\n#\n", out);
	}
	if (resolve)
		rc = cl && cl->nunmet ? KX_EXIT_NO : 0;
	else
		rc = mr.dropped.n ? KX_EXIT_NO : 0;
out:
	if (have_mr)
		kx_merge_result_free(&mr);
	kx_closure_free(cl);
	free(t);
	free(base);
	for (int i = 0; i < npos; i++)
		free(texts[i]);
	free(texts);
	free(fr);
	free(pos);
	return rc;
}
