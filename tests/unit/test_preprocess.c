// SPDX-License-Identifier: MIT
/*
 * test_preprocess.c - parser/preprocess.c: the Kconfig macro language.
 *
 * A tiny driver stands in for the lexer: each line of a test text is either
 * an assignment "LHS op RHS" (op '=', ':=' or '+=' outside references; the
 * LHS is expanded, as conf's lexer does) or a word expanded with
 * kx_pp_expand_token(), with the location set to ("Kconfig", line number).
 * Warnings and errors are compared with conf's expected stderr of the
 * kernel's scripts/kconfig/tests/preprocess/ cases (rewritten here, same
 * behaviour), $(info) output with their expected stdout, and every example
 * of Documentation/kbuild/kconfig-macro-language.rst is checked.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "helpers/fixture.h"
#include "parser/env.h"
#include "parser/preprocess.h"
#include "parser/shell.h"
#include "util/util.h"

extern char **environ;

struct t {
	struct kx_env *env;
	struct kx_shell *sh;
	struct kx_diags diags;
	struct kx_pp *pp;
	struct kx_buf info;
	char tmp[64];
};

static void info_cb(void *ctx, const char *line)
{
	struct kx_buf *b = ctx;

	kx_buf_puts(b, line);
	kx_buf_putc(b, '\n');
}

static int setup(void **state)
{
	struct t *t = kx_xcalloc(1, sizeof(*t));
	struct kx_shell_opts so;

	snprintf(t->tmp, sizeof(t->tmp), "/tmp/kx-pp-XXXXXX");
	if (!mkdtemp(t->tmp))
		return -1;
	t->env = kx_env_new();
	kx_env_import(t->env, environ);
	kx_env_set(t->env, "srctree", t->tmp);
	memset(&so, 0, sizeof(so));
	so.policy = KX_PROBES_RUN;
	so.timeout = 20;
	if (kx_shell_new(&t->sh, t->env, &so) < 0)
		return -1;
	kx_diags_init(&t->diags);
	if (kx_pp_new(&t->pp, t->env, t->sh, &t->diags) < 0)
		return -1;
	kx_pp_set_info(t->pp, info_cb, &t->info);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct t *t = *state;

	fx_remove_dir(t->tmp);
	kx_pp_free(t->pp);
	kx_shell_free(t->sh);
	kx_env_free(t->env);
	kx_diags_free(&t->diags);
	kx_buf_free(&t->info);
	free(t);
	return 0;
}

/* Finds an assignment operator outside references; returns its start. */
static const char *find_op(const char *line, int *len, enum kx_var_flavor *fl)
{
	int nest = 0;
	const char *p;

	for (p = line; *p; p++) {
		if (*p == '(')
			nest++;
		else if (*p == ')')
			nest--;
		else if (nest == 0 && *p == '=') {
			if (p > line && p[-1] == ':') {
				*fl = KX_VAR_SIMPLE;
				*len = 2;
				return p - 1;
			}
			if (p > line && p[-1] == '+') {
				*fl = KX_VAR_APPEND;
				*len = 2;
				return p - 1;
			}
			*fl = KX_VAR_RECURSIVE;
			*len = 1;
			return p;
		}
	}
	return NULL;
}

/* Processes one statement at 'lineno'; returns the first error. */
static int stmt(struct t *t, int lineno, const char *line)
{
	enum kx_var_flavor fl;
	const char *op, *rest;
	char *out = NULL;
	int len, err;

	kx_pp_set_location(t->pp, "Kconfig", lineno);
	op = find_op(line, &len, &fl);
	if (op) {
		char *lhs = kx_xstrndup(line, op - line), *e, *name = NULL;
		const char *val = op + len;

		for (e = lhs + strlen(lhs); e > lhs && e[-1] == ' '; e--)
			;
		*e = '\0';
		err = kx_pp_expand_string(t->pp, lhs, &name);
		if (!err) {
			while (*val == ' ' || *val == '\t')
				val++;
			err = kx_pp_assign(t->pp, name, fl, val);
		}
		free(name);
		free(lhs);
		return err;
	}
	rest = line;
	err = kx_pp_expand_token(t->pp, &rest, &out);
	free(out);
	return err;
}

/* Runs a whole text, line by line; stops at the first error. */
static int run_text(struct t *t, const char *text)
{
	const char *p = text;
	int lineno = 0, err = 0;

	while (*p && !err) {
		const char *nl = strchr(p, '\n');
		char *line = kx_xstrndup(p, nl ? (size_t)(nl - p) : strlen(p));

		lineno++;
		if (*line && *line != '#')
			err = stmt(t, lineno, line);
		free(line);
		p = nl ? nl + 1 : p + strlen(p);
	}
	return err;
}

/* All diagnostics of level >= 'min', one per line. */
static char *diags_text(struct t *t, enum kx_diag_level min)
{
	struct kx_buf b = KX_BUF_INIT;
	size_t i;

	for (i = 0; i < t->diags.n; i++) {
		if (t->diags.v[i].level < min)
			continue;
		kx_buf_puts(&b, t->diags.v[i].text);
		kx_buf_putc(&b, '\n');
	}
	return kx_buf_detach(&b);
}

static void assert_stderr(struct t *t, const char *expected)
{
	char *got = diags_text(t, KX_DIAG_WARNING);

	assert_string_equal(got, expected);
	free(got);
}

/* Expands 'in' as a whole string. */
static char *expand(struct t *t, const char *in)
{
	char *out = NULL;

	kx_pp_set_location(t->pp, "Kconfig", 1);
	assert_int_equal(kx_pp_expand_string(t->pp, in, &out), 0);
	return out;
}

static void assert_expands(struct t *t, const char *in, const char *expected)
{
	char *out = expand(t, in);

	assert_string_equal(out, expected);
	free(out);
}

/* Expands 'in' expecting failure 'err' and the error text 'msg'. */
static void assert_fails(struct t *t, const char *in, int err, const char *msg)
{
	char *out = NULL;

	kx_diags_free(&t->diags);
	kx_diags_init(&t->diags);
	kx_pp_set_location(t->pp, "Kconfig", 7);
	assert_int_equal(kx_pp_expand_string(t->pp, in, &out), err);
	assert_null(out);
	assert_non_null(kx_diags_first(&t->diags, KX_DIAG_ERROR));
	assert_string_equal(kx_diags_first(&t->diags, KX_DIAG_ERROR), msg);
}

/* ---- conf's own cases (scripts/kconfig/tests/preprocess) ------------------ */

static void test_preprocess__builtin_func(void **state)
{
	struct t *t = *state;
	static const char text[] =
		"# builtin functions\n"
		"\n"
		"# info prints its argument to stdout\n"
		"$(info,hello world 0)\n"
		"\n"
		"# warning-if with y prints file:line: text\n"
		"\n"
		"$(warning-if,y,hello world 1)\n"
		"\n"
		"# error-if does nothing unless the condition is y\n"
		"\n"
		"$(error-if,n,this should not be printed)\n"
		"\n"
		"# a user-defined shorthand\n"
		"warning = $(warning-if,y,$(1))\n"
		"\n"
		"# shell returns the command's output\n"
		"$(warning,$(shell,echo hello world 3))\n"
		"\n"
		"# newlines become spaces, trailing ones are dropped\n"
		"\n"
		"$(warning,$(shell,printf 'hello\\nworld\\n\\n4\\n\\n\\n'))\n"
		"\n"
		"# file name and line number\n"
		"\n"
		"$(warning,filename=$(filename))\n"
		"$(warning,lineno=$(lineno))\n";

	assert_int_equal(run_text(t, text), 0);
	assert_string_equal(kx_buf_cstr(&t->info), "hello world 0\n");
	assert_stderr(t,
		"Kconfig:8: hello world 1\n"
		"Kconfig:18: hello world 3\n"
		"Kconfig:22: hello world  4\n"
		"Kconfig:26: filename=Kconfig\n"
		"Kconfig:27: lineno=27\n");
}

static void test_preprocess__circular_expansion(void **state)
{
	struct t *t = *state;

	assert_int_equal(run_text(t, "#\n\nX = $(Y)\nY = $(X)\n$(info $(X))\n"),
			 KX_ESYNTAX);
	assert_stderr(t,
		"Kconfig:5: Recursive variable 'X' references itself (eventually)\n");
	assert_string_equal(kx_buf_cstr(&t->info), "");
}

static void test_preprocess__escape(void **state)
{
	struct t *t = *state;
	static const char text[] =
		"#\n"
		"\n"
		"# shorthand\n"
		"warning = $(warning-if,y,$(1))\n"
		"\n"
		"# commas need a variable\n"
		"\n"
		"comma   := ,\n"
		"$(warning,hello$(comma) world)\n"
		"\n"
		"# quotes and blanks are kept verbatim\n"
		"\n"
		"$(warning,  ' \" '\"   ' ''' \"'\")\n"
		"\n"
		"# '$' is special only before '('\n"
		"\n"
		"$(warning,$)\n"
		"$(warning,$$)\n"
		"$ := 1\n"
		"$(warning,$($))\n"
		"\n"
		"# a '$' that must not start a reference\n"
		"\n"
		"dollar := $\n"
		"$(warning,$(dollar)(X))\n"
		"\n"
		"# an unbalanced parenthesis\n"
		"\n"
		"left_paren := (\n"
		"$(warning,$(left_paren))\n"
		"\n"
		"# simple variables are expanded once\n"
		"\n"
		"Y := $(dollar)(X)\n"
		"$(warning,$(Y))\n"
		"\n"
		"# and so are recursive ones\n"
		"Y = $(dollar)(X)\n"
		"$(warning,$(Y))\n"
		"\n"
		"# no unterminated-reference error here\n"
		"\n"
		"unterminated := $(dollar)(\n"
		"$(warning,$(unterminated))\n";

	assert_int_equal(run_text(t, text), 0);
	assert_stderr(t,
		"Kconfig:9: hello, world\n"
		"Kconfig:13:   ' \" '\"   ' ''' \"'\"\n"
		"Kconfig:17: $\n"
		"Kconfig:18: $$\n"
		"Kconfig:20: 1\n"
		"Kconfig:25: $(X)\n"
		"Kconfig:30: (\n"
		"Kconfig:35: $(X)\n"
		"Kconfig:39: $(X)\n"
		"Kconfig:44: $(\n");
}

static void test_preprocess__variable(void **state)
{
	struct t *t = *state;
	static const char text[] =
		"#\n"
		"\n"
		"# shorthand\n"
		"warning = $(warning-if,y,$(1))\n"
		"\n"
		"# simple\n"
		"X := 1\n"
		"SIMPLE := $(X)\n"
		"X := 2\n"
		"$(warning,SIMPLE = $(SIMPLE))\n"
		"\n"
		"# recursive\n"
		"X := 1\n"
		"RECURSIVE = $(X)\n"
		"X := 2\n"
		"$(warning,RECURSIVE = $(RECURSIVE))\n"
		"\n"
		"# append to simple\n"
		"Y := 3\n"
		"SIMPLE += $(Y)\n"
		"Y := 4\n"
		"$(warning,SIMPLE = $(SIMPLE))\n"
		"\n"
		"# append to recursive\n"
		"Y := 3\n"
		"RECURSIVE += $(Y)\n"
		"Y := 4\n"
		"$(warning,RECURSIVE = $(RECURSIVE))\n"
		"\n"
		"# append to undefined: recursive\n"
		"\n"
		"Y := 3\n"
		"UNDEFINED_VARIABLE += $(Y)\n"
		"Y := 4\n"
		"$(warning,UNDEFINED_VARIABLE = $(UNDEFINED_VARIABLE))\n"
		"\n"
		"# computed names\n"
		"X := A\n"
		"Y := B\n"
		"$(X)$(Y) := 5\n"
		"$(warning,AB = $(AB))\n"
		"\n"
		"# user function\n"
		"greeting = $(1), my name is $(2).\n"
		"$(warning,$(greeting,Hello,John))\n"
		"\n"
		"# fewer arguments: $(2) is empty\n"
		"\n"
		"\n"
		"$(warning,$(greeting,Hello))\n"
		"\n"
		"# extra arguments are ignored\n"
		"$(warning,$(greeting,Hello,John,ignored,ignored))\n";

	assert_int_equal(run_text(t, text), 0);
	assert_stderr(t,
		"Kconfig:10: SIMPLE = 1\n"
		"Kconfig:16: RECURSIVE = 2\n"
		"Kconfig:22: SIMPLE = 1 3\n"
		"Kconfig:28: RECURSIVE = 2 4\n"
		"Kconfig:35: UNDEFINED_VARIABLE = 4\n"
		"Kconfig:41: AB = 5\n"
		"Kconfig:45: Hello, my name is John.\n"
		"Kconfig:50: Hello, my name is .\n"
		"Kconfig:53: Hello, my name is John.\n");
}

/* ---- kconfig-macro-language.rst ------------------------------------------ */

static void test_preprocess__doc_shell_example(void **state)
{
	struct t *t = *state;
	char *dir = kx_xasprintf("%s/scripts", t->tmp);
	char *script = kx_xasprintf("%s/gcc-check-foo.sh", dir);
	FILE *f;

	/* CC := gcc; def_bool $(shell, $(srctree)/scripts/gcc-check-foo.sh $(CC)) */
	mkdir(dir, 0755);
	f = fopen(script, "w");
	assert_non_null(f);
	fputs("#!/bin/sh\n[ \"$1\" = gcc ] && echo y || echo n\n", f);
	fclose(f);
	chmod(script, 0755);
	assert_int_equal(run_text(t, "CC := gcc\n"), 0);
	assert_expands(t, "$(shell, $(srctree)/scripts/gcc-check-foo.sh $(CC))", "y");
	free(script);
	free(dir);
}

static void test_preprocess__doc_functions(void **state)
{
	struct t *t = *state;
	char *out;

	/* $(name,arg1,arg2,arg3): a user-defined function */
	assert_int_equal(run_text(t, "f = [$(1)][$(2)][$(3)]\n"), 0);
	assert_expands(t, "$(f,arg1,arg2,arg3)", "[arg1][arg2][arg3]");
	/* Kconfig keeps the blanks after commas */
	assert_expands(t, "$(f, arg1, arg2, arg3)", "[ arg1][ arg2][ arg3]");
	/* a variable is a function with zero arguments */
	assert_expands(t, "$(f)", "[][][]");

	/* info prints and expands to "" */
	assert_expands(t, "<$(info,text)>", "<>");
	assert_string_equal(kx_buf_cstr(&t->info), "text\n");

	/* warning-if / error-if fire only for exactly "y" */
	assert_expands(t, "$(warning-if,n,no)$(warning-if, y,no)$(warning-if,yes,no)", "");
	assert_int_equal(t->diags.n, 0);
	assert_expands(t, "$(error-if,n,no)$(error-if,,no)", "");
	assert_int_equal(t->diags.n, 0);

	/* filename and lineno */
	kx_pp_set_location(t->pp, "arch/x86/Kconfig", 42);
	assert_int_equal(kx_pp_expand_string(t->pp, "$(filename):$(lineno)", &out), 0);
	assert_string_equal(out, "arch/x86/Kconfig:42");
	free(out);
}

static void test_preprocess__doc_make_vs_kconfig(void **state)
{
	struct t *t = *state;

	/* $(shell, echo hello, world) is an error: two arguments */
	assert_fails(t, "$(shell, echo hello, world)", KX_ESYNTAX,
		     "Kconfig:7: too many function arguments passed to 'shell'");
	/* the comma trick */
	assert_int_equal(run_text(t, "comma := ,\n"), 0);
	assert_expands(t, "$(shell, echo hello$(comma) world)", "hello, world");

	/* make's "$(info $(space)$(space)hello)" is a variable named
	 * "info  hello" in Kconfig: undefined, nothing printed */
	assert_int_equal(run_text(t, "empty :=\nspace := $(empty) $(empty)\n"), 0);
	assert_expands(t, "$(info $(space)$(space)hello)", "");
	assert_string_equal(kx_buf_cstr(&t->info), "");

	/* the doc's "$(shell $(srctree)/...)" without a comma: a variable */
	assert_expands(t, "$(shell $(srctree)/scripts/gcc-check-flag -mbig-endian)", "");
}

static void test_preprocess__doc_caveats_tokens(void **state)
{
	struct t *t = *state;
	const char *rest;
	char *out = NULL;

	/* range $(RANGE_MIN) $(RANGE_MAX): two tokens */
	assert_int_equal(run_text(t, "RANGE_MIN := 1\nRANGE_MAX := 3\nRANGES := 1 3\n"), 0);
	rest = "$(RANGE_MIN) $(RANGE_MAX)";
	assert_int_equal(kx_pp_expand_token(t->pp, &rest, &out), 0);
	assert_string_equal(out, "1");
	assert_string_equal(rest, " $(RANGE_MAX)");
	free(out);
	rest++;
	assert_int_equal(kx_pp_expand_token(t->pp, &rest, &out), 0);
	assert_string_equal(out, "3");
	assert_string_equal(rest, "");
	free(out);

	/* range $(RANGES): one token "1 3" */
	rest = "$(RANGES)\n";
	assert_int_equal(kx_pp_expand_token(t->pp, &rest, &out), 0);
	assert_string_equal(out, "1 3");
	assert_string_equal(rest, "\n");
	free(out);

	/* token characters: alnum, '_' and '-' (a '.' ends it) */
	rest = "CONFIG_A-$(RANGE_MIN)_x.y z";
	assert_int_equal(kx_pp_expand_token(t->pp, &rest, &out), 0);
	assert_string_equal(out, "CONFIG_A-1_x");
	assert_string_equal(rest, ".y z");
	free(out);
}

/* ---- API details -------------------------------------------------------- */

static void test_preprocess__expand_dollar_api(void **state)
{
	struct t *t = *state;
	const char *s;
	char *out = NULL;

	assert_int_equal(run_text(t, "V := value\n"), 0);
	s = "(V) tail";
	assert_int_equal(kx_pp_expand_dollar(t->pp, &s, &out), 0);
	assert_string_equal(out, "value");
	assert_string_equal(s, " tail");
	free(out);

	/* '$' not followed by '(': "$" and the pointer does not move */
	s = "V)";
	assert_int_equal(kx_pp_expand_dollar(t->pp, &s, &out), 0);
	assert_string_equal(out, "$");
	assert_string_equal(s, "V)");
	free(out);
	s = "";
	assert_int_equal(kx_pp_expand_dollar(t->pp, &s, &out), 0);
	assert_string_equal(out, "$");
	free(out);

	/* nested parentheses */
	assert_int_equal(run_text(t, "W := V\n"), 0);
	s = "($(W)) and (x)";
	assert_int_equal(kx_pp_expand_dollar(t->pp, &s, &out), 0);
	assert_string_equal(out, "value");
	assert_string_equal(s, " and (x)");
	free(out);
	assert_expands(t, "a$b$ c$", "a$b$ c$");
	assert_expands(t, "$(info,(a,b))", "");
	assert_string_equal(kx_buf_cstr(&t->info), "(a,b)\n");
}

static void test_preprocess__error_messages(void **state)
{
	struct t *t = *state;

	assert_fails(t, "x $(foo", KX_ESYNTAX,
		     "Kconfig:7: unterminated reference to 'foo': missing ')'");
	assert_fails(t, "$(foo $(bar) baz", KX_ESYNTAX,
		     "Kconfig:7: unterminated reference to 'foo $(bar) baz': missing ')'");
	assert_fails(t, "$(info)", KX_ESYNTAX,
		     "Kconfig:7: too few function arguments passed to 'info'");
	assert_fails(t, "$(info,a,b)", KX_ESYNTAX,
		     "Kconfig:7: too many function arguments passed to 'info'");
	assert_fails(t, "$(shell)", KX_ESYNTAX,
		     "Kconfig:7: too few function arguments passed to 'shell'");
	assert_fails(t, "$(warning-if,y)", KX_ESYNTAX,
		     "Kconfig:7: too few function arguments passed to 'warning-if'");
	assert_fails(t, "$(error-if,y,a,b)", KX_ESYNTAX,
		     "Kconfig:7: too many function arguments passed to 'error-if'");
	assert_fails(t, "$(filename,x)", KX_ESYNTAX,
		     "Kconfig:7: too many function arguments passed to 'filename'");
	assert_fails(t, "$(lineno,)", KX_ESYNTAX,
		     "Kconfig:7: too many function arguments passed to 'lineno'");
	assert_int_equal(run_text(t, "comma := ,\n"), 0);
	assert_fails(t, "$(error-if,y,Sorry$(comma) this C compiler is not supported.)",
		     KX_ESYNTAX, "Kconfig:7: Sorry, this C compiler is not supported.");
	/* and the warning text */
	kx_diags_free(&t->diags);
	kx_diags_init(&t->diags);
	kx_pp_set_location(t->pp, "init/Kconfig", 3);
	{
		char *out = NULL;

		assert_int_equal(kx_pp_expand_string(t->pp, "$(warning-if,y,careful)", &out), 0);
		free(out);
	}
	assert_int_equal(t->diags.n, 1);
	assert_int_equal(t->diags.v[0].level, KX_DIAG_WARNING);
	assert_string_equal(t->diags.v[0].text, "init/Kconfig:3: careful");
	assert_int_equal(t->diags.v[0].line, 3);
}

static void test_preprocess__argument_counts(void **state)
{
	struct t *t = *state;
	struct kx_buf in = KX_BUF_INIT;
	int i;

	assert_int_equal(run_text(t, "last = $(15)\nall = $(1)$(2)$(3)$(16)\n"), 0);
	/* 16 parts in all (name + 15 arguments) is conf's maximum */
	kx_buf_puts(&in, "$(last");
	for (i = 1; i <= 15; i++)
		kx_buf_printf(&in, ",a%d", i);
	kx_buf_puts(&in, ")");
	assert_expands(t, kx_buf_cstr(&in), "a15");
	/* 17 parts: error, and nothing is expanded (no side effects) */
	kx_buf_reset(&in);
	kx_buf_puts(&in, "$(last,$(info,side effect)");
	for (i = 2; i <= 16; i++)
		kx_buf_printf(&in, ",a%d", i);
	kx_buf_puts(&in, ")");
	assert_fails(t, kx_buf_cstr(&in), KX_ESYNTAX,
		     "Kconfig:7: too many function arguments");
	assert_string_equal(kx_buf_cstr(&t->info), "");
	/* also when the 17th part is the last one */
	kx_buf_reset(&in);
	kx_buf_puts(&in, "$(info");
	for (i = 1; i <= 16; i++)
		kx_buf_puts(&in, ",");
	kx_buf_puts(&in, ")");
	assert_fails(t, kx_buf_cstr(&in), KX_ESYNTAX,
		     "Kconfig:7: too many function arguments");
	kx_buf_free(&in);

	/* $(N) beyond the arguments: looked up as a name (undefined: "") */
	assert_expands(t, "$(all,x,y)", "xy");
	/* strtoul semantics for the argument number */
	assert_int_equal(run_text(t, "g = <$( 1)|$(+2)|$(01)|$(0)|$(-1)|$(1 )>\n"), 0);
	assert_expands(t, "$(g,a,b)", "<a|b|a|||>");
	/* arguments belong to the call: a variable used inside sees none */
	assert_int_equal(run_text(t, "inner = [$(1)]\nouter = $(inner)$(inner,$(1))\n"), 0);
	assert_expands(t, "$(outer,z)", "[][z]");
}

static void test_preprocess__lookup_order(void **state)
{
	struct t *t = *state;

	kx_env_set(t->env, "KX_PP_TEST", "from-env");
	kx_env_set(t->env, "lineno", "env-lineno");
	/* environment only without arguments */
	assert_expands(t, "$(KX_PP_TEST)", "from-env");
	assert_expands(t, "$(KX_PP_TEST,x)", "");
	/* built-ins before the environment */
	assert_expands(t, "$(lineno)", "1");
	/* variables before built-ins and the environment */
	assert_int_equal(run_text(t, "lineno := mine\nKX_PP_TEST = var\n"), 0);
	assert_expands(t, "$(lineno)|$(KX_PP_TEST)", "mine|var");
	/* empty and unknown names */
	assert_expands(t, "[$()][$(KX_PP_NO_SUCH_VARIABLE)]", "[][]");
	/* computed names */
	assert_int_equal(run_text(t, "a-b := ok\nsuffix := b\n"), 0);
	assert_expands(t, "$(a-$(suffix))", "ok");
}

static void test_preprocess__env_refs_recorded(void **state)
{
	struct t *t = *state;
	const char *name, *value;

	kx_env_set(t->env, "KX_A", "1");
	kx_env_set(t->env, "KX_EMPTY", "");
	assert_int_equal(kx_pp_env_ref_count(t->pp), 0);
	assert_expands(t, "$(KX_A)$(KX_UNSET_VAR)$(KX_EMPTY)$(KX_A)", "11");
	assert_int_equal(kx_pp_env_ref_count(t->pp), 2);
	kx_pp_env_ref_at(t->pp, 0, &name, &value);
	assert_string_equal(name, "KX_A");
	assert_string_equal(value, "1");
	kx_pp_env_ref_at(t->pp, 1, &name, &value);
	assert_string_equal(name, "KX_EMPTY");
	assert_string_equal(value, "");
	/* the first value seen is kept, as conf's env_list does */
	kx_env_set(t->env, "KX_A", "2");
	assert_expands(t, "$(KX_A)", "1");
	assert_int_equal(kx_pp_env_ref_count(t->pp), 2);
}

static void test_preprocess__append_flavours(void **state)
{
	struct t *t = *state;

	assert_int_equal(run_text(t,
		"B := one\n"
		"S := s\n"
		"S += $(B)\n"
		"R = r\n"
		"R += $(B)\n"
		"N += $(B)\n"
		"B := two\n"), 0);
	assert_expands(t, "$(S)|$(R)|$(N)", "s one|r two|two");
	/* the flavour is inherited: S stays simple after += */
	assert_int_equal(run_text(t, "S += $(B)\nB := three\n"), 0);
	assert_expands(t, "$(S)", "s one two");
	/* = and := replace the flavour */
	assert_int_equal(run_text(t, "S = $(B)\nB := four\n"), 0);
	assert_expands(t, "$(S)", "four");
	/* a simple self-reference sees the old value (make's semantics) */
	assert_int_equal(run_text(t, "L := a\nL := $(L) b\n"), 0);
	assert_expands(t, "$(L)", "a b");
	/* empty right-hand side */
	assert_int_equal(run_text(t, "E :=\nE += x\n"), 0);
	assert_expands(t, "[$(E)]", "[ x]");
}

static void test_preprocess__recursion_is_bounded(void **state)
{
	struct t *t = *state;
	struct kx_buf in = KX_BUF_INIT;
	int i;

	/* a function calling itself: conf's limit and message */
	assert_int_equal(run_text(t, "f = $(f,$(1))\n"), 0);
	assert_fails(t, "$(f,x)", KX_ESYNTAX, "Kconfig:7: Too deep recursive expansion");
	/* mutual recursion with arguments */
	assert_int_equal(run_text(t, "g = $(h,$(1))\nh = $(g,$(1))\n"), 0);
	assert_fails(t, "$(g,x)", KX_ESYNTAX, "Kconfig:7: Too deep recursive expansion");
	/* recursion without arguments is caught at once */
	assert_int_equal(run_text(t, "self = a$(self)\n"), 0);
	assert_fails(t, "$(self)", KX_ESYNTAX,
		     "Kconfig:7: Recursive variable 'self' references itself (eventually)");
	/* a long chain of distinct variables */
	for (i = 0; i < 3000; i++) {
		char *line = kx_xasprintf("v%d = $(v%d)\n", i, i + 1);

		assert_int_equal(run_text(t, line), 0);
		free(line);
	}
	assert_fails(t, "$(v0)", KX_ESYNTAX, "Kconfig:7: Too deep recursive expansion");
	/* deeply nested input */
	for (i = 0; i < 20000; i++)
		kx_buf_puts(&in, "$(");
	kx_buf_puts(&in, "x");
	for (i = 0; i < 20000; i++)
		kx_buf_puts(&in, ")");
	assert_fails(t, kx_buf_cstr(&in), KX_ESYNTAX,
		     "Kconfig:7: Too deep recursive expansion");
	kx_buf_reset(&in);
	/* nesting that stays below the limit works */
	for (i = 0; i < 200; i++)
		kx_buf_puts(&in, "$(");
	for (i = 0; i < 200; i++)
		kx_buf_puts(&in, ")");
	assert_expands(t, kx_buf_cstr(&in), "");
	kx_buf_free(&in);

	/* the preprocessor is still usable after those errors */
	assert_int_equal(run_text(t, "ok := fine\n"), 0);
	assert_expands(t, "$(ok)", "fine");
}

static void test_preprocess__shell_errors_are_reported(void **state)
{
	struct t *t = *state;
	struct kx_shell *deny = NULL;
	struct kx_shell_opts so;
	struct kx_pp *pp = NULL;
	char *out = NULL;

	memset(&so, 0, sizeof(so));
	so.policy = KX_PROBES_DENY;
	assert_int_equal(kx_shell_new(&deny, t->env, &so), 0);
	assert_int_equal(kx_pp_new(&pp, t->env, deny, &t->diags), 0);
	kx_pp_set_location(pp, "scripts/Kconfig.include", 39);
	assert_int_equal(kx_pp_expand_string(pp, "a$(shell,echo hi)", &out), KX_EDENIED);
	assert_null(out);
	assert_string_equal(kx_diags_first(&t->diags, KX_DIAG_ERROR),
		"scripts/Kconfig.include:39: probe denied by --probes=deny: echo hi");
	kx_pp_free(pp);
	kx_shell_free(deny);

	/* no probe runner at all */
	kx_diags_free(&t->diags);
	kx_diags_init(&t->diags);
	assert_int_equal(kx_pp_new(&pp, t->env, NULL, &t->diags), 0);
	kx_pp_set_location(pp, "Kconfig", 2);
	assert_int_equal(kx_pp_expand_string(pp, "$(shell,true)", &out), KX_EDENIED);
	assert_non_null(kx_diags_first(&t->diags, KX_DIAG_ERROR));
	assert_non_null(strstr(kx_diags_first(&t->diags, KX_DIAG_ERROR), "Kconfig:2: "));
	kx_pp_free(pp);
}

static void test_preprocess__evaluation_order(void **state)
{
	struct t *t = *state;

	/* name first, then arguments left to right, then the call */
	assert_int_equal(run_text(t, "id = $(info,call)$(1)\n"), 0);
	assert_expands(t, "$($(info,name)id,$(info,arg1),$(info,arg2))", "");
	assert_string_equal(kx_buf_cstr(&t->info), "name\narg1\narg2\ncall\n");
	/* the Kconfig.include idiom */
	assert_int_equal(run_text(t,
		"if-success = $(shell,{ $(1); } >/dev/null 2>&1 && echo \"$(2)\" || echo \"$(3)\")\n"
		"success = $(if-success,$(1),y,n)\n"
		"failure = $(if-success,$(1),n,y)\n"), 0);
	assert_expands(t, "$(success,true)$(success,false)$(failure,false)", "yny");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
		T(test_preprocess__builtin_func),
		T(test_preprocess__circular_expansion),
		T(test_preprocess__escape),
		T(test_preprocess__variable),
		T(test_preprocess__doc_shell_example),
		T(test_preprocess__doc_functions),
		T(test_preprocess__doc_make_vs_kconfig),
		T(test_preprocess__doc_caveats_tokens),
		T(test_preprocess__expand_dollar_api),
		T(test_preprocess__error_messages),
		T(test_preprocess__argument_counts),
		T(test_preprocess__lookup_order),
		T(test_preprocess__env_refs_recorded),
		T(test_preprocess__append_flavours),
		T(test_preprocess__recursion_is_bounded),
		T(test_preprocess__shell_errors_are_reported),
		T(test_preprocess__evaluation_order),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
