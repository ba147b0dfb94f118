// SPDX-License-Identifier: MIT
/*
 * test_rules.c - the rule table and its detection (parser/semantics.h):
 * the rules of each release number, and markers in a tree's own
 * scripts/kconfig sources that turn a rule on (a backport) or off (a
 * revision before it, or a tree whose code was reverted), file by file.
 * How a load picks them (KX_KCONFIG_VERSION, KX_KCONFIG_RULES_FROM, a
 * release newer than known, Debian's trees) is in test_semantics.c, and
 * the rules themselves are pinned by its fixtures (docs/KCONFIG-RULES.md).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers/fixture.h"
#include "parser/semantics.h"
#include "parser/tree.h"
#include "util/util.h"

/* A temporary tree with the given files; returns its directory. */
static char *make_tree(const char *const *files)
{
	char *dir = kx_xstrdup("/tmp/kx-rules.XXXXXX");

	assert_non_null(mkdtemp(dir));
	for (; files && files[0]; files += 2) {
		char *path = kx_xasprintf("%s/%s", dir, files[0]);
		char *slash = strrchr(path, '/');

		*slash = 0;
		{
			char *cmd = kx_xasprintf("mkdir -p '%s'", path);

			assert_int_equal(system(cmd), 0);
			free(cmd);
		}
		*slash = '/';
		assert_int_equal(kx_write_file_atomic(path, files[1], strlen(files[1]), NULL), 0);
		free(path);
	}
	return dir;
}

static void remove_tree(char *dir)
{
	assert_int_equal(fx_remove_dir(dir), 0);
	free(dir);
}

static struct kx_semantics detect_in(const char *const *files, int major, int minor)
{
	struct kx_semantics s;
	struct kx_tree *t = NULL;
	char *dir = make_tree(files);

	kx_semantics_for_version(&s, major, minor);
	assert_int_equal(kx_tree_open_dir(&t, dir), 0);
	kx_semantics_detect(&s, t);
	kx_tree_free(t);
	remove_tree(dir);
	return s;
}

static void test_rules__release_numbers(void **state)
{
	struct kx_semantics s;

	(void)state;
	kx_semantics_for_version(&s, 5, 10);
	assert_true(s.rules == 0);
	kx_semantics_for_version(&s, 7, 3);
	for (int r = 0; r < KX_R_COUNT; r++)
		assert_true(kx_sem_has(&s, r));
	kx_semantics_for_version(&s, 6, 12);
	for (int r = 0; r < KX_R_COUNT; r++)
		assert_int_equal(kx_sem_has(&s, r), kx_rule_since(r) <= 612);
	assert_true(kx_sem_has(&s, KX_R_CHOICE_V2));
	assert_false(kx_sem_has(&s, KX_R_TRANSITIONAL));
	/* 6.18 has transitional symbols, not 7.0's 'depends on X if Y' */
	kx_semantics_for_version(&s, 6, 18);
	assert_true(kx_sem_has(&s, KX_R_TRANSITIONAL));
	assert_false(kx_sem_has(&s, KX_R_DEPENDS_IF));
}

/* a keyword in the tree's lexer turns the rule on whatever the release */
static void test_rules__sources_win_over_the_release(void **state)
{
	static const char *const backport[] = {
		"scripts/kconfig/lexer.l", "\"transitional\"\t\treturn T_TRANSITIONAL;\n",
		NULL,
	};
	static const char *const reverted[] = {
		"scripts/kconfig/lexer.l", "\"tristate\"\t\treturn T_TRISTATE;\n",
		"scripts/kconfig/confdata.c", "getenv(\"KCONFIG_DEFCONFIG_LIST\")\n",
		NULL,
	};
	struct kx_semantics s;

	(void)state;
	s = detect_in(backport, 6, 12);
	assert_true(kx_sem_has(&s, KX_R_TRANSITIONAL));
	assert_true(s.detected & (UINT64_C(1) << KX_R_TRANSITIONAL));
	/* rules of files the tree does not have keep the release's value */
	assert_true(kx_sem_has(&s, KX_R_CHOICE_V2));
	assert_false(kx_sem_has(&s, KX_R_DEPENDS_IF));
	assert_false(s.detected & (UINT64_C(1) << KX_R_DEPENDS_IF));

	/* a 7.3-numbered tree whose lexer lacks the keyword: no transitional */
	s = detect_in(reverted, 7, 3);
	assert_false(kx_sem_has(&s, KX_R_TRANSITIONAL));
	assert_true(kx_sem_has(&s, KX_R_NO_OPTION));
	/* confdata.c is there: each of its rules is judged by it */
	assert_true(kx_sem_has(&s, KX_R_DEFCONFIG_ENV));
	assert_false(kx_sem_has(&s, KX_R_WARN_CHANGED_INPUT));
	assert_false(kx_sem_has(&s, KX_R_RUSTC_CFG));
	assert_true(kx_sem_has(&s, KX_R_DEPENDS_IF));	/* no parser.y: 7.3's */
}

/* a rule shown by the absence of the older code */
static void test_rules__removed_code_marks_the_newer_rule(void **state)
{
	static const char *const old_lexer[] = {
		"scripts/kconfig/lexer.l", "\"option\"\t\treturn T_OPTION;\n"
		"\"optional\"\t\treturn T_OPTIONAL;\n",
		"scripts/kconfig/symbol.c", "static struct symbol symbol_empty = {\n"
		"hash = strhash(name) % SYMBOL_HASHSIZE;\n",
		NULL,
	};
	struct kx_semantics s;

	(void)state;
	s = detect_in(old_lexer, 7, 3);
	assert_false(kx_sem_has(&s, KX_R_NO_OPTION));
	assert_false(kx_sem_has(&s, KX_R_NO_OPTIONAL));
	assert_false(kx_sem_has(&s, KX_R_INT_DEFAULT_0));
	assert_false(kx_sem_has(&s, KX_R_HASH_16K));
	assert_false(kx_sem_has(&s, KX_R_TRANSITIONAL));	/* the lexer lacks it */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rules__release_numbers),
		cmocka_unit_test(test_rules__sources_win_over_the_release),
		cmocka_unit_test(test_rules__removed_code_marks_the_newer_rule),
	};

	unsetenv("KX_KCONFIG_VERSION");
	unsetenv("KX_KCONFIG_RULES_FROM");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
