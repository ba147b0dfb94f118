// SPDX-License-Identifier: MIT
/*
 * test_rules.c - which Kconfig rules a tree gets (parser/semantics.h): by
 * release number, by the markers in its own scripts/kconfig sources (which
 * win: backports, revisions between releases), by KX_KCONFIG_VERSION and
 * KX_KCONFIG_RULES_FROM, and the warning for a release newer than known.
 * The rules themselves are pinned by test_semantics' fixtures
 * (docs/KCONFIG-RULES.md lists which case pins which rule).
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

#include "parser/env.h"
#include "parser/load.h"
#include "parser/semantics.h"
#include "parser/tree.h"

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
	char *cmd = kx_xasprintf("rm -rf '%s'", dir);

	assert_int_equal(system(cmd), 0);
	free(cmd);
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

/* The Debian trees in the cache: each release gets exactly its rules. */
static void test_rules__real_trees(void **state)
{
	static const struct {
		const char *name;
		int major, minor;
		uint64_t backports;	/* Debian's tree has these newer rules */
	} trees[] = {
		{ "linux-source-5.10", 5, 10, 0 },
		{ "linux-source-6.1", 6, 1, UINT64_C(1) << KX_R_WARN_UNKNOWN },
		{ "linux-source-6.12", 6, 12, 0 },
		{ "linux-source-7.3", 7, 3, 0 },
	};
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	int done = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(trees) / sizeof(trees[0]); i++) {
		char *dir = xdg && *xdg ? kx_xasprintf("%s/kxen-config/src/%s", xdg, trees[i].name)
			  : kx_xasprintf("%s/.cache/kxen-config/src/%s", home ? home : "/", trees[i].name);
		struct kx_tree *t = NULL;
		struct kx_semantics byrel, s;

		if (kx_tree_open_dir(&t, dir) < 0) {
			fprintf(stderr, "SKIP (part): no tree %s (scripts/fetch-trees.sh)\n", dir);
			kx_tree_free(t);
			free(dir);
			continue;
		}
		kx_semantics_for_version(&byrel, trees[i].major, trees[i].minor);
		s = byrel;
		byrel.rules |= trees[i].backports;
		assert_int_equal(kx_semantics_detect(&s, t), KX_R_COUNT);
		/* Debian's sources match the table's releases, and its backports */
		for (int r = 0; r < KX_R_COUNT; r++) {
			if (kx_sem_has(&s, r) != kx_sem_has(&byrel, r))
				fprintf(stderr, "%s: rule %s (%d): sources %d, release %d\n",
					trees[i].name, kx_rule_name(r), kx_rule_since(r),
					kx_sem_has(&s, r), kx_sem_has(&byrel, r));
			assert_int_equal(kx_sem_has(&s, r), kx_sem_has(&byrel, r));
		}
		kx_tree_free(t);
		free(dir);
		done++;
	}
	if (!done) {
		fprintf(stderr, "SKIP: no kernel tree (scripts/fetch-trees.sh)\n");
		skip();
	}
}

/* KX_KCONFIG_VERSION and KX_KCONFIG_RULES_FROM (the kernel's own tests) */
static void test_rules__overrides(void **state)
{
	static const char *const src[] = {
		"scripts/kconfig/lexer.l", "\"transitional\"\t\treturn T_TRANSITIONAL;\n",
		NULL,
	};
	char *dir = make_tree(src);
	struct kx_semantics s;

	(void)state;
	setenv("KX_KCONFIG_VERSION", "6.1", 1);
	kx_semantics_pick(&s, NULL, "7.3.4");
	assert_int_equal(s.version, 601);
	assert_false(kx_sem_has(&s, KX_R_TRANSITIONAL));
	setenv("KX_KCONFIG_RULES_FROM", dir, 1);
	kx_semantics_pick(&s, NULL, "7.3.4");
	assert_int_equal(s.version, 601);
	assert_true(kx_sem_has(&s, KX_R_TRANSITIONAL));
	unsetenv("KX_KCONFIG_VERSION");
	unsetenv("KX_KCONFIG_RULES_FROM");
	kx_semantics_pick(&s, NULL, "5.10.223");
	assert_int_equal(s.version, 510);
	kx_semantics_pick(&s, NULL, "not a version");
	assert_int_equal(s.version, KX_SEM_NEWEST);
	remove_tree(dir);
}

/* A release newer than the table: a warning, the newest rules applied. */
static void test_rules__newer_release_warns(void **state)
{
	static const char *const files[] = { "Kconfig", "config A\n\tbool \"a\"\n", NULL };
	char *dir = make_tree(files);
	struct kx_diags d;
	struct kx_env *env = kx_env_new();
	struct kx_tree *t = NULL;
	struct kx_kconfig *kc = NULL;
	struct kx_load_opts lo = { 0 };

	(void)state;
	kx_diags_init(&d);
	kx_env_set(env, "srctree", dir);
	kx_env_set(env, "KERNELVERSION", "7.4.0-rc1");
	assert_int_equal(kx_tree_open_dir(&t, dir), 0);
	lo.env = env;
	lo.diags = &d;
	assert_int_equal(kx_kconfig_load(&kc, t, &lo), 0);
	assert_int_equal(d.nwarnings, 1);
	assert_non_null(strstr(d.v[0].text, "Linux 7.4 is newer than the newest release"));
	assert_true(kx_sem_has(&kc->sem, KX_R_SUBMENU_NEGATIVE));
	kx_kconfig_free(kc);
	kx_tree_free(t);
	kx_env_free(env);
	kx_diags_free(&d);
	remove_tree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rules__release_numbers),
		cmocka_unit_test(test_rules__sources_win_over_the_release),
		cmocka_unit_test(test_rules__removed_code_marks_the_newer_rule),
		cmocka_unit_test(test_rules__real_trees),
		cmocka_unit_test(test_rules__overrides),
		cmocka_unit_test(test_rules__newer_release_warns),
	};

	unsetenv("KX_KCONFIG_VERSION");
	unsetenv("KX_KCONFIG_RULES_FROM");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
