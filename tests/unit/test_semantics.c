// SPDX-License-Identifier: MIT
/*
 * test_semantics.c - the evaluator against conf's own outputs.
 *
 * Every case under tests/fixtures/semantics/<case>/ is a small Kconfig
 * exercising one rule (tristate arithmetic, select, imply, choices,
 * menus, ranges, ...).  The expected outputs in expected/<version>/ were
 * produced by the kernel's conf of that version (6.1 and 6.12) with
 * scripts/semantics-golden.sh, which CI re-checks against the real conf.
 * Here the library computes the same modes and must match byte for byte.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/eval.h"
#include "helpers/fixture.h"

#define FIXTURES "tests/fixtures/semantics"

static char *slurp(const char *path)
{
	char *data = NULL;
	size_t len;

	if (kx_read_file(&data, &len, path) < 0)
		return NULL;
	return data;
}

/* loads fixture 'name' with the semantics of 'ver' */
static int load_case(struct fx *fx, const char *name, const char *ver)
{
	char *path = kx_xasprintf(FIXTURES "/%s/Kconfig", name);
	char *text = slurp(path);
	int err;

	free(path);
	assert_non_null(text);
	err = fx_load1(fx, ver, text);
	free(text);
	return err;
}

static void expect_file(const char *name, const char *ver, const char *mode,
			const char *got)
{
	char *path = kx_xasprintf(FIXTURES "/%s/expected/%s/%s.config", name, ver, mode);
	char *want = slurp(path);

	if (!want)
		fail_msg("missing golden %s", path);
	if (strcmp(want, got)) {
		fprintf(stderr, "--- %s (conf)\n%s\n+++ ours\n%s\n", path, want, got);
		fail_msg("%s %s %s differs from conf", name, ver, mode);
	}
	free(want);
	free(path);
}

static const struct {
	const char *mode;
	enum kx_def_mode def;
} all_modes[] = {
	{ "alldefconfig", KX_DEF_DEFAULT },
	{ "allnoconfig", KX_DEF_NO },
	{ "allyesconfig", KX_DEF_YES },
	{ "allmodconfig", KX_DEF_MOD },
};

static bool has_version(const char *name, const char *ver)
{
	char *path = kx_xasprintf(FIXTURES "/%s/versions", name);
	char *v = slurp(path);
	bool ok = !v || strstr(v, ver);

	free(v);
	free(path);
	return ok;
}

static void run_case(const char *name, const char *ver)
{
	char *input_path = kx_xasprintf(FIXTURES "/%s/input.config", name);
	char *input = slurp(input_path);
	char *out, *src = NULL;
	struct fx fx;

	for (size_t i = 0; i < sizeof(all_modes) / sizeof(all_modes[0]); i++) {
		assert_int_equal(load_case(&fx, name, ver), 0);
		kx_conf_set_all_new_symbols(fx.kc, all_modes[i].def, NULL, 0, 0, 0);
		out = fx_format(&fx);
		expect_file(name, ver, all_modes[i].mode, out);
		if (!input && i == 0)
			src = out;
		else
			free(out);
		fx_free(&fx);
	}
	if (input) {
		/* olddefconfig: read, evaluate, write */
		assert_int_equal(load_case(&fx, name, ver), 0);
		fx_read_config(&fx, input);
		src = fx_format(&fx);
		expect_file(name, ver, "olddefconfig", src);
		fx_free(&fx);
	}
	/* savedefconfig of the result */
	assert_int_equal(load_case(&fx, name, ver), 0);
	fx_read_config(&fx, src);
	out = fx_format_defconfig(&fx);
	expect_file(name, ver, "savedefconfig", out);
	free(out);
	fx_free(&fx);
	free(src);
	free(input);
	free(input_path);
}

static void test_semantics__every_case_matches_conf(void **state)
{
	struct dirent **names = NULL;
	int n = scandir(FIXTURES, &names, NULL, alphasort), ran = 0;

	(void)state;
	assert_true(n > 0);
	for (int i = 0; i < n; i++) {
		const char *name = names[i]->d_name;

		if (name[0] != '.') {
			for (const char *const *v = (const char *const[]){ "6.1", "6.12", NULL };
			     *v; v++) {
				if (!has_version(name, *v))
					continue;
				run_case(name, *v);
				ran++;
			}
		}
		free(names[i]);
	}
	free(names);
	assert_true(ran >= 20);
}

/* a couple of rules spelled out, so a failure names the rule */

static void test_semantics__bool_promotes_m_to_y(void **state)
{
	struct fx fx;

	(void)state;
	assert_int_equal(load_case(&fx, "tristate_modules", "6.12"), 0);
	kx_sym_clear_all_valid(fx.kc);
	assert_string_equal(fx_value(&fx, "TRI_A"), "m");
	assert_string_equal(fx_value(&fx, "BOOL_FROM_M"), "y");
	fx_free(&fx);
}

static void test_semantics__select_overrides_unmet_dependency(void **state)
{
	struct fx fx;
	char *diags;

	(void)state;
	assert_int_equal(load_case(&fx, "select_unmet", "6.12"), 0);
	kx_sym_clear_all_valid(fx.kc);
	assert_string_equal(fx_value(&fx, "TARGET"), "y");
	diags = fx_diags_text(&fx);
	assert_non_null(strstr(diags, "WARNING: unmet direct dependencies detected for TARGET"));
	free(diags);
	fx_free(&fx);
}

static void test_semantics__int_without_default_by_version(void **state)
{
	struct fx fx;

	(void)state;
	assert_int_equal(load_case(&fx, "int_no_default", "6.1"), 0);
	kx_sym_clear_all_valid(fx.kc);
	assert_string_equal(fx_value(&fx, "NODEF_INT"), "");
	fx_free(&fx);
	assert_int_equal(load_case(&fx, "int_no_default", "6.12"), 0);
	kx_sym_clear_all_valid(fx.kc);
	assert_string_equal(fx_value(&fx, "NODEF_INT"), "0");
	assert_string_equal(fx_value(&fx, "NODEF_HEX"), "0x0");
	fx_free(&fx);
}

static void test_semantics__choice_input_last_y_wins_on_6_12(void **state)
{
	struct fx fx;

	(void)state;
	assert_int_equal(load_case(&fx, "choice_input", "6.12"), 0);
	fx_read_config(&fx, "CONFIG_LEVEL_1=y\nCONFIG_LEVEL_3=y\n");
	assert_string_equal(fx_value(&fx, "LEVEL_3"), "y");
	assert_string_equal(fx_value(&fx, "LEVEL_1"), "n");
	fx_free(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_semantics__every_case_matches_conf),
		cmocka_unit_test(test_semantics__bool_promotes_m_to_y),
		cmocka_unit_test(test_semantics__select_overrides_unmet_dependency),
		cmocka_unit_test(test_semantics__int_without_default_by_version),
		cmocka_unit_test(test_semantics__choice_input_last_y_wins_on_6_12),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
