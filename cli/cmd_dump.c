// SPDX-License-Identifier: MIT
/*
 * cmd_dump.c - `dump` (every symbol) and `find PATTERN` (menuconfig's '/'
 * search: a case-insensitive extended regular expression over symbol
 * names, exact matches first, then alphabetical).
 */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/confdata.h"
#include "analyzer/describe.h"
#include "analyzer/eval.h"
#include "cli/commands.h"
#include "cli/opts.h"
#include "cli/session.h"

/* Evaluates against --config / .config when it exists, else defaults. */
static void load_values(struct kx_session *s)
{
	const char *path = kx_session_config_path(s);
	void (*msg)(void *, const char *) = s->io.message;

	s->io.message = NULL;
	if (kx_conf_read(&s->io, path) == KX_READ_NOT_FOUND)
		kx_sym_clear_all_valid(s->kc);
	s->io.message = msg;
}

/*
 * The command line of dump and find: the global options, and for find one
 * PATTERN.  Returns 0, or a negative kx_opts_next() value.
 */
static int parse_args(struct kx_session *s, int argc, char **argv,
		      const char **pattern, const struct kx_optspec *spec)
{
	struct kx_opts o;
	int c;

	kx_opts_begin(&o, s, argc, argv, spec);
	while ((c = kx_opts_next(&o)) > 0) {
		if (c == KX_OPT_ARG && pattern && !*pattern) {
			*pattern = o.arg;
			continue;
		}
		kx_errorf("%s: unexpected argument '%s'\n%s", spec->cmd, o.argv[o.ind],
			  spec->usage);
		c = KX_OPT_ERROR;
		break;
	}
	kx_opts_end(&o);
	return c;
}

static const char dump_usage[] =
"Usage: kxen-config [global options] dump [--json]\n\n"
"Prints every symbol of the tree: type, value (from --config/.config when\n"
"present, else the defaults), definitions (file:line), prompts, the menu\n"
"path as menuconfig shows it, and its depends/select/imply/default/range\n"
"expressions.  --json prints one JSON array (docs/json-schema.md).\n";

static const struct kx_optspec dump_spec = {
	.cmd = "dump", .usage = dump_usage, .json = true,
};

int kx_cmd_dump(struct kx_session *s, int argc, char **argv)
{
	struct kx_buf b = KX_BUF_INIT;
	bool first = true;
	int rc = parse_args(s, argc, argv, NULL, &dump_spec);

	if (rc < 0)
		return kx_opts_exit(rc);
	if ((rc = kx_session_load(s)))
		return rc;
	load_values(s);
	if (s->json)
		kx_buf_putc(&b, '[');
	for (size_t i = 0; i < s->kc->nsyms; i++) {
		struct kx_sym *sym = s->kc->syms[i];

		if (!sym->menus || (sym->flags & KX_SYM_CONST))
			continue;
		if (s->json) {
			if (!first)
				kx_buf_puts(&b, ",\n");
			kx_describe_sym_json(s->kc, &b, sym);
		} else {
			if (!first)
				kx_buf_putc(&b, '\n');
			kx_describe_sym(s->kc, &b, sym);
		}
		first = false;
		if (b.len > 1 << 20) {
			fwrite(b.s, 1, b.len, stdout);
			kx_buf_reset(&b);
		}
	}
	if (s->json)
		kx_buf_puts(&b, "]\n");
	fwrite(kx_buf_cstr(&b), 1, b.len, stdout);
	kx_buf_free(&b);
	return ferror(stdout) ? KX_EXIT_INTERNAL : 0;
}

struct match {
	struct kx_sym *sym;
	bool exact;
};

static int match_cmp(const void *a, const void *b)
{
	const struct match *x = a, *y = b;

	if (x->exact != y->exact)
		return x->exact ? -1 : 1;
	return strcmp(x->sym->name, y->sym->name);
}

static const char find_usage[] =
"Usage: kxen-config [global options] find PATTERN [--json]\n\n"
"Like menuconfig's '/' search: PATTERN is a case-insensitive extended\n"
"regular expression matched against symbol names (CONFIG_ prefix optional);\n"
"exact matches come first.  Prints each match as `dump` does.\n"
"Exit status: 0 when something matched, 1 when nothing did.\n";

static const struct kx_optspec find_spec = {
	.cmd = "find", .usage = find_usage, .json = true,
};

int kx_cmd_find(struct kx_session *s, int argc, char **argv)
{
	const char *pattern = NULL;
	struct match *v = NULL;
	size_t n = 0;
	regex_t re;
	struct kx_buf b = KX_BUF_INIT;
	int rc = parse_args(s, argc, argv, &pattern, &find_spec);

	if (rc < 0)
		return kx_opts_exit(rc);
	if (!pattern) {
		kx_errorf("find needs a PATTERN\n%s", find_usage);
		return KX_EXIT_USAGE;
	}
	if (!strncasecmp(pattern, "CONFIG_", 7))
		pattern += 7;
	if (regcomp(&re, pattern, REG_EXTENDED | REG_ICASE)) {
		kx_errorf("invalid regular expression '%s'", pattern);
		return KX_EXIT_USAGE;
	}
	if ((rc = kx_session_load(s))) {
		regfree(&re);
		return rc;
	}
	load_values(s);
	v = kx_xcalloc(s->kc->nsyms + 1, sizeof(*v));
	for (size_t i = 0; i < s->kc->nsyms; i++) {
		struct kx_sym *sym = s->kc->syms[i];
		regmatch_t m;

		if (!sym->name || (sym->flags & KX_SYM_CONST) || !sym->menus)
			continue;
		if (regexec(&re, sym->name, 1, &m, 0))
			continue;
		v[n].sym = sym;
		v[n].exact = (size_t)(m.rm_eo - m.rm_so) == strlen(sym->name);
		n++;
	}
	regfree(&re);
	qsort(v, n, sizeof(*v), match_cmp);
	if (s->json)
		kx_buf_putc(&b, '[');
	for (size_t i = 0; i < n; i++) {
		if (s->json) {
			if (i)
				kx_buf_puts(&b, ",\n");
			kx_describe_sym_json(s->kc, &b, v[i].sym);
		} else {
			if (i)
				kx_buf_putc(&b, '\n');
			kx_describe_sym(s->kc, &b, v[i].sym);
		}
	}
	if (s->json)
		kx_buf_puts(&b, "]\n");
	fwrite(kx_buf_cstr(&b), 1, b.len, stdout);
	kx_buf_free(&b);
	free(v);
	return n ? 0 : KX_EXIT_NO;
}
