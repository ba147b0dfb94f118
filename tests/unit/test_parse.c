// SPDX-License-Identifier: MIT
/*
 * test_parse.c - the Kconfig front end: lexer, parser, menu tree, errors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/describe.h"
#include "analyzer/eval.h"
#include "helpers/fixture.h"

static char *slurp(const char *path)
{
	char *data = NULL;
	size_t len;

	if (kx_read_file(&data, &len, path) < 0)
		return NULL;
	return data;
}

/* ---- malformed input: same words as conf -------------------------------- */

static void test_parse__errors_in_confs_words(void **state)
{
	struct dirent **names = NULL;
	int n = scandir("tests/fixtures/errors", &names, NULL, alphasort), checked = 0;

	(void)state;
	assert_true(n > 0);
	for (int i = 0; i < n; i++) {
		const char *c = names[i]->d_name;
		char *dir = kx_xasprintf("tests/fixtures/errors/%s", c);
		char *exp_path = kx_xasprintf("%s/expected_stderr", dir);
		char *st_path = kx_xasprintf("%s/expected_status", dir);
		char *want = slurp(exp_path), *status = slurp(st_path), *got;
		struct fx fx;
		int err;

		if (c[0] == '.' || !want || !status)
			goto next;
		err = fx_load_dir(&fx, "6.12", dir);
		got = fx_diags_text(&fx);
		if (strcmp(got, want)) {
			fprintf(stderr, "%s: conf said:\n%swe said:\n%s", c, want, got);
			fail_msg("%s: diagnostics differ from conf's", c);
		}
		/* conf exits 1 on errors, 0 when it only warned */
		assert_int_equal(err != 0, atoi(status) != 0);
		fx_free(&fx);
		free(got);
		checked++;
next:
		free(want);
		free(status);
		free(exp_path);
		free(st_path);
		free(dir);
		free(names[i]);
	}
	free(names);
	assert_true(checked >= 12);
}

static void test_parse__missing_endif_is_located_at_the_if(void **state)
{
	struct fx fx;

	(void)state;
	assert_int_equal(fx_load1(&fx, "6.12",
		"config A\n\tbool \"a\"\n\nif A\nconfig B\n\tbool \"b\"\n"), KX_ESYNTAX);
	assert_non_null(strstr(fx.diags.v[fx.diags.n - 1].text,
			       "Kconfig:4: missing end statement for this entry"));
	fx_free(&fx);
}

static void test_parse__binary_garbage_fails_cleanly(void **state)
{
	struct fx fx;
	int err = fx_load_dir(&fx, "6.12", "tests/fixtures/errors/binary_garbage");

	(void)state;
	assert_int_not_equal(err, 0);
	assert_true(fx.diags.nerrors > 0);
	assert_non_null(strstr(kx_diags_first(&fx.diags, KX_DIAG_ERROR), "Kconfig:"));
	fx_free(&fx);
}

/* every prefix of a real-looking file loads or fails, never crashes */
static void test_parse__truncated_inputs_never_crash(void **state)
{
	static const char text[] =
		"mainmenu \"T\"\n"
		"X := $(shell,echo y)\n"
		"menu \"M\"\n"
		"\tvisible if A\n"
		"config A\n"
		"\tbool \"a\" if B\n"
		"\tdefault y if X = \"y\"\n"
		"\tselect C if (B || !B) && A != n\n"
		"\thelp\n"
		"\t  help text\n"
		"\n"
		"\t    indented\n"
		"choice\n\tprompt \"c\"\nconfig C1\n\tbool \"c1\"\nendchoice\n"
		"config I\n\tint \"i\"\n\trange 1 10\n\tdefault 5\n"
		"endmenu\n"
		"source \"missing\"\n";
	char buf[sizeof(text)];

	(void)state;
	for (size_t n = 0; n < sizeof(text) - 1; n++) {
		struct fx fx;

		memcpy(buf, text, n);
		buf[n] = 0;
		fx_load1(&fx, "6.12", buf);
		fx_free(&fx);
	}
}

static void test_parse__random_bytes_never_crash(void **state)
{
	struct kx_rand r;

	(void)state;
	kx_rand_seed(&r, 42);
	for (int round = 0; round < 40; round++) {
		char buf[2048];
		size_t n = (size_t)kx_rand_next(&r) % (sizeof(buf) - 1);
		struct fx fx;

		for (size_t i = 0; i < n; i++) {
			/* mostly Kconfig-ish bytes, some of anything */
			static const char alpha[] = "config bool tristate if endif menu \"'\\$()\n\t=!&|<>#";
			int v = kx_rand_next(&r);

			buf[i] = v % 4 ? alpha[(v >> 3) % (sizeof(alpha) - 1)] : (char)(v >> 8);
		}
		buf[n] = 0;
		fx_load1(&fx, round % 2 ? "6.12" : "6.1", buf);
		fx_free(&fx);
	}
}

/* ---- the language ---------------------------------------------------------- */

static void test_parse__help_text_indentation(void **state)
{
	struct fx fx;
	struct kx_sym *a;

	(void)state;
	assert_int_equal(fx_load1(&fx, "6.12",
		"config A\n\tbool \"a\"\n\thelp\n\t  first\n\n\t    deeper\n\t  last   \n"
		"config B\n\tbool \"b\"\n"), 0);
	a = kx_sym_find(fx.kc, "A");
	assert_non_null(a);
	assert_string_equal(a->menus->help, "first\n\n  deeper\nlast");
	assert_non_null(kx_sym_find(fx.kc, "B")->menus);
	fx_free(&fx);
}

static void test_parse__no_help_keeps_warnings(void **state)
{
	static const char kconfig[] =
		"config A\n\tbool \"a\"\n\thelp\n\t  first\n\thelp\n\t  second\n"
		"config B\n\tbool \"b\"\n\thelp\n\n"
		"config C\n\tbool \"c\"\n";
	struct fx fx, full;

	(void)state;
	assert_int_equal(fx_load1(&full, "6.12", kconfig), 0);
	assert_int_equal(fx_load1_no_help(&fx, "6.12", kconfig), 0);
	/* no text kept, but "has help" still shows, and conf's warnings stay */
	assert_string_equal(kx_sym_find(fx.kc, "A")->menus->help, "");
	assert_null(kx_sym_find(fx.kc, "C")->menus->help);
	assert_string_equal(kx_sym_find(full.kc, "A")->menus->help, "second");
	assert_int_equal(fx.diags.n, full.diags.n);
	assert_true(fx.diags.n >= 2);
	for (size_t i = 0; i < fx.diags.n; i++)
		assert_string_equal(fx.diags.v[i].text, full.diags.v[i].text);
	fx_free(&fx);
	fx_free(&full);
}

static void test_parse__line_continuation_and_escapes(void **state)
{
	struct fx fx;
	struct kx_sym *a;

	(void)state;
	assert_int_equal(fx_load1(&fx, "6.12",
		"config A\n\tstring \"a \\\"quoted\\\" \\\\ prompt\"\n"
		"\tdepends on B || \\\n\t\tC\n"
		"config B\n\tbool \"b\"\nconfig C\n\tbool 'c'\n"), 0);
	a = kx_sym_find(fx.kc, "A");
	assert_string_equal(a->menus->prompt->text, "a \"quoted\" \\ prompt");
	assert_true(kx_expr_contains_symbol(a->dir_dep, kx_sym_find(fx.kc, "C")));
	assert_int_equal(a->menus->line, 1);
	fx_free(&fx);
}

static void test_parse__source_path_uses_variables(void **state)
{
	struct fx_file files[] = {
		{ "Kconfig", "source \"arch/$(SRCARCH)/Kconfig\"\n" },
		{ "arch/x86/Kconfig", "config X86\n\tdef_bool y\n" },
		{ NULL, NULL },
	};
	struct fx fx;
	struct kx_sym *s;

	(void)state;
	assert_int_equal(fx_load(&fx, "6.12", files), 0);
	s = kx_sym_find(fx.kc, "X86");
	assert_non_null(s);
	assert_string_equal(s->menus->file, "arch/x86/Kconfig");
	assert_int_equal(s->menus->line, 1);
	fx_free(&fx);
}

static void test_parse__assignment_lineno_is_the_next_line(void **state)
{
	struct fx fx;

	(void)state;
	/* conf expands := after reading the newline: $(lineno) is 2 */
	assert_int_equal(fx_load1(&fx, "6.12", "X := $(info,at $(lineno))\n"), 0);
	assert_string_equal(kx_buf_cstr(&fx.info), "at 2\n");
	fx_free(&fx);
}

static void test_parse__defined_twice_keeps_both_locations(void **state)
{
	struct fx fx;
	struct kx_sym *s;

	(void)state;
	assert_int_equal(fx_load1(&fx, "6.12",
		"config T\n\tbool \"t\"\n\nconfig T\n\tdefault y\n"), 0);
	s = kx_sym_find(fx.kc, "T");
	assert_non_null(s->menus);
	assert_non_null(s->menus->sym_next);
	assert_int_equal(s->menus->line, 1);
	assert_int_equal(s->menus->sym_next->line, 4);
	assert_int_equal(s->prop->next->line, 5);
	fx_free(&fx);
}

static void test_parse__auto_submenu_and_menu_path(void **state)
{
	struct fx fx;
	struct kx_buf b = KX_BUF_INIT;
	struct kx_sym *c;

	(void)state;
	assert_int_equal(fx_load1(&fx, "6.12",
		"menu \"Top\"\n"
		"config P\n\tbool \"parent\"\n"
		"config C\n\tbool \"child\"\n\tdepends on P\n"
		"if P\nconfig D\n\tbool \"in if\"\nendif\n"
		"config E\n\tbool \"not under P\"\n"
		"endmenu\n"), 0);
	c = kx_sym_find(fx.kc, "C");
	kx_menu_path(&b, c->menus, " -> ");
	assert_string_equal(kx_buf_cstr(&b), "Top -> parent -> child");
	kx_buf_reset(&b);
	kx_menu_path(&b, kx_sym_find(fx.kc, "D")->menus, " -> ");
	assert_string_equal(kx_buf_cstr(&b), "Top -> parent -> in if");
	kx_buf_reset(&b);
	kx_menu_path(&b, kx_sym_find(fx.kc, "E")->menus, " -> ");
	assert_string_equal(kx_buf_cstr(&b), "Top -> not under P");
	kx_buf_free(&b);
	fx_free(&fx);
}

static void test_parse__recursive_dependency_is_an_error(void **state)
{
	struct fx fx;
	char *t;

	(void)state;
	assert_int_equal(fx_load1(&fx, "6.12",
		"config A\n\tbool \"a\"\n\tdepends on B\n"
		"config B\n\tbool \"b\"\n\tdepends on A\n"), KX_ESYNTAX);
	t = fx_diags_text(&fx);
	assert_non_null(strstr(t, "error: recursive dependency detected!"));
	assert_non_null(strstr(t, "symbol A depends on B"));
	assert_non_null(strstr(t, "symbol B depends on A"));
	free(t);
	fx_free(&fx);
}

static void test_parse__version_specific_keywords(void **state)
{
	struct fx fx;
	const char *k = "choice\n\tprompt \"c\"\n\toptional\nconfig A\n\tbool \"a\"\nendchoice\n";

	(void)state;
	/* 'optional' exists until 6.10 */
	assert_int_equal(fx_load1(&fx, "6.1", k), 0);
	fx_free(&fx);
	assert_int_equal(fx_load1(&fx, "6.12", k), KX_ESYNTAX);
	fx_free(&fx);
	/* 'option modules' before 5.16 */
	assert_int_equal(fx_load1(&fx, "5.10",
		"config MODULES\n\tbool \"m\"\n\toption modules\n"), 0);
	assert_string_equal(fx.kc->modules_sym->name, "MODULES");
	fx_free(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse__errors_in_confs_words),
		cmocka_unit_test(test_parse__missing_endif_is_located_at_the_if),
		cmocka_unit_test(test_parse__binary_garbage_fails_cleanly),
		cmocka_unit_test(test_parse__truncated_inputs_never_crash),
		cmocka_unit_test(test_parse__random_bytes_never_crash),
		cmocka_unit_test(test_parse__help_text_indentation),
		cmocka_unit_test(test_parse__no_help_keeps_warnings),
		cmocka_unit_test(test_parse__line_continuation_and_escapes),
		cmocka_unit_test(test_parse__source_path_uses_variables),
		cmocka_unit_test(test_parse__assignment_lineno_is_the_next_line),
		cmocka_unit_test(test_parse__defined_twice_keeps_both_locations),
		cmocka_unit_test(test_parse__auto_submenu_and_menu_path),
		cmocka_unit_test(test_parse__recursive_dependency_is_an_error),
		cmocka_unit_test(test_parse__version_specific_keywords),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
